package vehicles_test

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/metering"
	"github.com/citychain/citychain/chain/internal/vehicles"
	"github.com/citychain/citychain/chain/tx"
)

// busyRegister runs a vehicle register seeded with seed for blocks
// blocks: four vehicles whose units report (one in 25 readings rolled
// back), a spare unit bound to the first, a subsidy programme, subsidies
// (one clawed back), battery and accident records, dealers' proposals
// accepted, reviewed, cancelled or left to expire, and rare recycling.
// After every block, inspect (when not nil) is called.
func busyRegister(t *testing.T, seed uint64, blocks int, inspect func(h *apptest.Harness)) *apptest.Harness {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 0x6578706f))
	owners := []apptest.Key{apptest.Alice, apptest.Bob, apptest.Alice, apptest.Bob}
	var odos []*odometer
	devs := []tx.MsgDeviceRegister{solar}
	for i, k := range owners {
		o := newOdometer(fmt.Sprintf("ev-%d", i), k)
		odos = append(odos, o)
		devs = append(devs, o.register())
	}
	spare := newOdometer("ev-spare", apptest.Alice)
	devs = append(devs, spare.register())
	st := apptest.BuildAppState(apptest.DemoAccounts(), devs)
	st.Metering.Params = metering.Params{IntervalSeconds: 10, MaxFutureSkewSeconds: 30,
		MaxReadingsPerTx: metering.DefaultMaxReadingsPerTx, MaxReadingsPerBlock: metering.DefaultMaxReadingsPerBlock}
	st.Vehicles = vehicles.Genesis{Params: vehicles.Params{TransferTTLSeconds: 90, MaxRecords: 8}}
	h := apptest.New(t, apptest.Options{AppState: apptest.MustJSON(t, st)})

	vins := make([]string, len(odos))
	values := make([]uint64, len(odos))
	var txs [][]byte
	for i, o := range odos {
		vins[i] = vinOf(t, fmt.Sprintf("KMHKN81AFPU%05d", i))
		txs = append(txs, h.Sign(apptest.Registrar, register(vins[i], o.owner.Addr, o.id)))
		values[i] = 1_000_000
	}
	txs = append(txs, h.Sign(apptest.Agency, &tx.MsgVehicleCreateProgramme{ID: "ev", Name: "EV", Amount: scn(50), Budget: scn(150),
		HoldingPeriodSeconds: 3_000}))
	type proposal struct {
		id                 uint64
		vin, seller, buyer string
	}
	var proposals []proposal // from the events, oldest first
	recent := func() (proposal, bool) {
		if len(proposals) == 0 {
			return proposal{}, false
		}
		return proposals[max(0, len(proposals)-1-rng.IntN(3))], true
	}
	keys := map[string]apptest.Key{apptest.Alice.Addr.String(): apptest.Alice, apptest.Bob.Addr.String(): apptest.Bob}
	buyers := []tx.Address{apptest.Alice.Addr, apptest.Bob.Addr, apptest.Stranger.Addr} // the stranger cannot pay
	for b := 0; b < blocks; b++ {
		nowMs := nextMs(h)
		// Fixed steps: the first vehicle gets a new unit; the second is
		// subsidised and sold within the holding period (a clawback).
		switch b {
		case 1:
			txs = append(txs, h.Sign(apptest.Agency, &tx.MsgVehicleApproveSubsidy{Programme: "ev", VIN: vins[1]}))
		case 2:
			txs = append(txs, h.Sign(apptest.Dealer, &tx.MsgVehicleProposeTransfer{VIN: vins[1], Buyer: apptest.Alice.Addr, Price: scn(10)}))
		case 3, 4: // the seller (bob), then the buyer accept
			party := apptest.Bob
			if b == 4 {
				party = apptest.Alice
			}
			for _, p := range proposals {
				if p.vin == vins[1] {
					txs = append(txs, h.Sign(party, &tx.MsgVehicleAcceptTransfer{ID: p.id}))
				}
			}
		case 6:
			txs = append(txs, h.Sign(apptest.Registrar, &tx.MsgVehicleBindOdometer{VIN: vins[0], Device: spare.id}))
			odos[0] = spare
		}
		for n := rng.IntN(5); n > 0 && b > 0; n-- {
			i := rng.IntN(len(vins))
			switch r := rng.IntN(100); {
			case r < 30:
				var rs []tx.HexBytes
				for j, o := range odos {
					if rng.IntN(2) == 0 {
						continue
					}
					v := values[j] + uint64(rng.IntN(3_000))
					if rng.IntN(25) == 0 {
						v = values[j] - 1 - uint64(rng.IntN(500))
					} else {
						values[j] = v
					}
					rs = append(rs, o.sign(t, nowMs, v))
				}
				if len(rs) > 0 {
					txs = append(txs, h.Sign(apptest.Settlement, &tx.MsgSubmitReadings{Readings: rs}))
				}
			case r < 45:
				price := tx.Coin{Amount: 1 + rng.Uint64N(2_000_000_000), Denom: tx.DenomSCoin}
				if rng.IntN(2) == 0 {
					price = tx.Coin{Amount: 1 + rng.Uint64N(1_500_000_000_000), Denom: tx.DenomKRW}
				}
				txs = append(txs, h.Sign(apptest.Dealer, &tx.MsgVehicleProposeTransfer{VIN: vins[i], Buyer: buyers[rng.IntN(len(buyers))], Price: price}))
			case r < 70: // an acceptance of a recent proposal by its seller or buyer (the stranger has no key here)
				p, ok := recent()
				party, known := keys[[]string{p.seller, p.buyer}[rng.IntN(2)]]
				if ok && known {
					txs = append(txs, h.Sign(party, &tx.MsgVehicleAcceptTransfer{ID: p.id}))
				}
			case r < 76:
				if p, ok := recent(); ok {
					txs = append(txs, h.Sign(apptest.Registrar, &tx.MsgVehicleReviewTransfer{ID: p.id, Approve: rng.IntN(3) > 0, Reason: "reviewed"}))
				}
			case r < 79:
				if p, ok := recent(); ok {
					txs = append(txs, h.Sign(apptest.Dealer, &tx.MsgVehicleCancelTransfer{ID: p.id}))
				}
			case r < 88:
				txs = append(txs, h.Sign(apptest.Agency, &tx.MsgVehicleApproveSubsidy{Programme: "ev", VIN: vins[i]}))
			case r < 98:
				if rng.IntN(2) == 0 {
					txs = append(txs, h.Sign(apptest.Inspector, &tx.MsgVehicleRecordBattery{VIN: vins[i], SOHBP: 1 + rng.Uint64N(10_000)}))
				} else {
					txs = append(txs, h.Sign(apptest.Insurer, &tx.MsgVehicleRecordAccident{VIN: vins[i],
						OccurredAt: nowMs/1000 - rng.Int64N(1_000_000), Severity: tx.SeverityMinor, Summary: "scratch"}))
				}
			default:
				if rng.IntN(3) == 0 {
					txs = append(txs, h.Sign(apptest.Inspector, &tx.MsgVehicleRecycle{VIN: vins[i], Reason: "end of life"}))
				}
			}
		}
		res := h.Deliver(txs)
		txs = nil
		for _, r := range res.TxResults {
			for _, e := range r.Events {
				if e.Type != "vehicles.transfer_proposed" {
					continue
				}
				a := map[string]string{}
				for _, kv := range e.Attributes {
					a[kv.Key] = kv.Value
				}
				id, _ := strconv.ParseUint(a["id"], 10, 64)
				proposals = append(proposals, proposal{id: id, vin: a["vin"], seller: a["seller"], buyer: a["buyer"]})
			}
		}
		if inspect != nil {
			inspect(h)
		}
	}
	return h
}

// TestExportRoundTrip exports a busy vehicle register every ten blocks and
// imports each export into a fresh application, which must hold the same
// keys and values. The exports must have caught odometer series of many
// points, a rebound unit, flagged and recycled vehicles, subsidies held
// and clawed back, and transfers in every status, open ones included.
func TestExportRoundTrip(t *testing.T) {
	seen := map[string]int{}
	busyRegister(t, 11, 160, func(h *apptest.Harness) {
		if h.Height%10 != 0 {
			return
		}
		_, sections := h.ExportSections(t)
		g := apptest.DecodeSection[vehicles.Genesis](t, sections, vehicles.Codespace)
		for _, v := range g.Vehicles {
			if len(v.OdometerSeries) > 3 {
				seen["odometer series"]++
			}
			if len(v.Devices) > 1 {
				seen["rebound"]++
			}
			if v.Flagged() {
				seen["flagged"]++
			}
			if v.Status == vehicles.StatusRecycled {
				seen["recycled"]++
			}
			if v.Subsidy != nil {
				seen["subsidy "+v.Subsidy.Status]++
			}
			if len(v.Owners) > 1 {
				seen["resold"]++
			}
		}
		for _, tr := range g.Transfers {
			seen["transfer "+tr.Status]++
			if tr.Status == vehicles.TransferOpen && tr.NeedsReview {
				seen["transfer open, needs review"]++
			}
		}
		if len(g.Programmes) > 0 && g.Programmes[0].Remaining.Amount < g.Programmes[0].Budget.Amount {
			seen["programme spent"]++
		}
		h.ExportRoundTrip(t)
	})
	apptest.RequireExportsCaught(t, seen, "odometer series", "rebound", "flagged", "recycled", "subsidy held", "subsidy clawed_back",
		"resold", "programme spent", "transfer open", "transfer open, needs review", "transfer completed", "transfer cancelled",
		"transfer refused", "transfer expired", "transfer voided")
}

// TestExportRejectsCorruptSections imports exports edited by hand: each
// is refused, naming the field and the value.
func TestExportRejectsCorruptSections(t *testing.T) {
	h := busyRegister(t, 11, 60, nil)
	exp, sections := h.ExportSections(t)
	g := apptest.DecodeSection[vehicles.Genesis](t, sections, vehicles.Codespace)
	if len(g.Vehicles) == 0 || len(g.Vehicles[1].OdometerSeries) < 3 {
		t.Fatalf("the export's second vehicle has too short a series for the cases: %+v", g.Vehicles)
	}
	cases := []struct {
		name string
		edit func(g *vehicles.Genesis)
		want string
	}{
		{"an odometer point wound back", func(g *vehicles.Genesis) { g.Vehicles[1].OdometerSeries[1].ValueM -= 1_000 },
			"vehicles[1] (" + g.Vehicles[1].VIN + ").odometer_series: odometer series: digest"},
		{"a vehicle counted twice", func(g *vehicles.Genesis) { g.Counters.Vehicles++ },
			"counters.vehicles: 5, but the records count 4"},
		{"two vehicles on one unit", func(g *vehicles.Genesis) { g.Vehicles[2].Device = g.Vehicles[1].Device },
			"vehicles[2].odometer_device"},
		{"a programme's budget above the escrow", func(g *vehicles.Genesis) { g.Programmes[0].Remaining.Amount += 1 },
			"the subsidy escrow"},
		{"a vehicle locked by a proposal its owner never accepted", func(g *vehicles.Genesis) {
			for i := range g.Transfers {
				if tr := &g.Transfers[i]; tr.Status == vehicles.TransferOpen && !tr.SellerAccepted {
					for j := range g.Vehicles {
						if v := &g.Vehicles[j]; v.VIN == tr.VIN {
							v.OpenTransfer = tr.ID
							return
						}
					}
				}
			}
			t.Fatal("no open proposal its owner did not accept")
		}, "its seller accepted, in transfers"},
		{"two open proposals of one dealer for a vehicle", func(g *vehicles.Genesis) {
			for i := range g.Transfers {
				if tr := &g.Transfers[i]; tr.Status == vehicles.TransferOpen && !tr.SellerAccepted {
					for j := range g.Transfers {
						if o := &g.Transfers[j]; j != i && o.Status != vehicles.TransferOpen && o.VIN == tr.VIN && o.Seller == tr.Seller {
							o.Status, o.Dealer, o.SellerAccepted = vehicles.TransferOpen, tr.Dealer, false
							return
						}
					}
				}
			}
			t.Fatal("no closed transfer beside an open proposal")
		}, "a dealer has one open proposal per vehicle"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			apptest.RequireImportRefused(t, exp, apptest.EditSection(t, sections, vehicles.Codespace, c.edit), c.want)
		})
	}
}
