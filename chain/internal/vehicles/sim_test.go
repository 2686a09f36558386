package vehicles_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/metering"
	"github.com/citychain/citychain/chain/internal/vehicles"
	"github.com/citychain/citychain/chain/tx"
)

// TestSimulation drives random odometer readings (some rolled back),
// subsidies, battery and accident records, dealer proposals to buyers who
// can and cannot pay, acceptances by the right and the wrong parties,
// reviews, cancellations and recycling, over many seeds, on two apps fed
// the same blocks. After every block it checks: the same app hash on both;
// each denomination's supply unchanged and held by the known accounts; the
// escrow equal to the programmes' remaining budgets, and each budget equal
// to what was paid out less what was clawed back; every vehicle in its
// owner's index and no other's, its bound unit owned by its owner, its
// flags never fewer, its odometer never lower and its series verifying
// against its record; an open transfer only on an active vehicle; a
// completed transfer of a flagged vehicle reviewed; each subsidy in its
// citizen's record.
func TestSimulation(t *testing.T) {
	seeds := 30
	if testing.Short() {
		seeds = 6
	}
	seen := map[string]int{}
	for seed := 1; seed <= seeds; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { _ = simulate(t, uint64(seed), 150, seen) })
	}
	if !testing.Short() {
		for _, o := range []string{"ok", "title_transferred", "clawback", "flagged", "reviewed", "refused", "expired",
			"voided", "superseded", "vehicles/14", "vehicles/15", "vehicles/16", "vehicles/22", "vehicles/25", "vehicles/27",
			"vehicles/19", "vehicles/31"} {
			if seen[o] == 0 {
				t.Errorf("no seed reached outcome %q (%v)", o, seen)
			}
		}
	}
	t.Logf("outcomes: %v", seen)
}

// simulate runs one seed and returns the app hash of its last block.
func simulate(t *testing.T, seed uint64, blocks int, seen map[string]int) []byte {
	rng := rand.New(rand.NewPCG(seed, 0x76656869))
	owners := []apptest.Key{apptest.Alice, apptest.Bob, apptest.Alice, apptest.Bob}
	var odos []*odometer
	devs := []tx.MsgDeviceRegister{solar}
	for i, k := range owners {
		o := newOdometer(fmt.Sprintf("ev-%d", i), k)
		odos = append(odos, o)
		devs = append(devs, o.register())
	}
	accounts := append(apptest.DemoAccounts(), apptest.Account{Key: rival, Roles: []string{tx.RoleDealer}, Coins: []tx.Coin{scn(10)}})
	st := apptest.BuildAppState(accounts, devs)
	st.Metering.Params = metering.Params{IntervalSeconds: 10, MaxFutureSkewSeconds: 30,
		MaxReadingsPerTx: metering.DefaultMaxReadingsPerTx, MaxReadingsPerBlock: metering.DefaultMaxReadingsPerBlock}
	st.Vehicles = vehicles.Genesis{Params: vehicles.Params{TransferTTLSeconds: 60 + rng.Uint64N(120), MaxRecords: 8}}
	raw := apptest.MustJSON(t, st)
	h1 := apptest.New(t, apptest.Options{AppState: raw})
	h2 := apptest.New(t, apptest.Options{AppState: raw})
	holders := []tx.Address{vehicles.EscrowAddress}
	for _, a := range accounts {
		holders = append(holders, a.Key.Addr)
	}
	dealers := []apptest.Key{apptest.Dealer, rival}
	parties := []apptest.Key{apptest.Alice, apptest.Bob}
	buyers := []tx.Address{apptest.Alice.Addr, apptest.Bob.Addr, apptest.Stranger.Addr} // the stranger cannot pay
	vins := make([]string, len(odos))
	values := make([]uint64, len(odos))
	var setup [][]byte
	for i, o := range odos {
		vins[i] = vinOf(t, fmt.Sprintf("KMHKN81AFPU%05d", i))
		setup = append(setup, h1.Sign(apptest.Registrar, register(vins[i], o.owner.Addr, o.id)))
		values[i] = 1_000_000
	}
	hold := 100 + rng.Uint64N(400)
	setup = append(setup, h1.Sign(apptest.Agency, &tx.MsgVehicleCreateProgramme{ID: "ev", Name: "EV", Amount: scn(50), Budget: scn(50 * (1 + rng.Uint64N(3))),
		HoldingPeriodSeconds: hold}))

	var supply map[string]uint64
	prevFlags := map[string]int{}
	prevValue := map[string]uint64{}
	var nextTransfer uint64 = 1
	count := func(evs []abci.Event) {
		for _, e := range evs {
			switch e.Type {
			case "vehicles.title_transferred":
				seen["title_transferred"]++
				for _, a := range e.Attributes {
					if a.Key == "clawback" && a.Value != "0" {
						seen["clawback"]++
					}
				}
			case "vehicles.flagged":
				seen["flagged"]++
			case "vehicles.transfer_reviewed":
				seen["reviewed"]++
			case "vehicles.transfer_closed":
				for _, a := range e.Attributes {
					if a.Key == "status" {
						seen[a.Value]++
					}
				}
			case "vehicles.transfer_proposed":
				nextTransfer++
			}
		}
	}
	for b := 0; b < blocks; b++ {
		txs := setup
		setup = nil
		nowMs := nextMs(h1)
		for n := rng.IntN(5); n > 0 && b > 0; n-- {
			i := rng.IntN(len(vins))
			switch r := rng.IntN(100); {
			case r < 30: // readings, one in 25 rolled back
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
					txs = append(txs, h1.Sign(apptest.Settlement, &tx.MsgSubmitReadings{Readings: rs}))
				}
			case r < 45: // a dealer's proposal, in S-Coin or won
				price := tx.Coin{Amount: 1 + rng.Uint64N(12_000_000_000), Denom: tx.DenomSCoin}
				if rng.IntN(2) == 0 {
					price = tx.Coin{Amount: 1 + rng.Uint64N(1_500_000_000_000), Denom: tx.DenomKRW}
				}
				txs = append(txs, h1.Sign(dealers[rng.IntN(len(dealers))], &tx.MsgVehicleProposeTransfer{VIN: vins[i], Buyer: buyers[rng.IntN(len(buyers))], Price: price}))
			case r < 70: // an acceptance, by a party or not
				id := 1 + rng.Uint64N(nextTransfer)
				txs = append(txs, h1.Sign(parties[rng.IntN(len(parties))], &tx.MsgVehicleAcceptTransfer{ID: id}))
			case r < 76:
				id := 1 + rng.Uint64N(nextTransfer)
				txs = append(txs, h1.Sign(apptest.Registrar, &tx.MsgVehicleReviewTransfer{ID: id, Approve: rng.IntN(3) > 0, Reason: "reviewed"}))
			case r < 79:
				id := 1 + rng.Uint64N(nextTransfer)
				txs = append(txs, h1.Sign([]apptest.Key{apptest.Dealer, rival, apptest.Alice, apptest.Bob}[rng.IntN(4)], &tx.MsgVehicleCancelTransfer{ID: id}))
			case r < 88:
				txs = append(txs, h1.Sign(apptest.Agency, &tx.MsgVehicleApproveSubsidy{Programme: "ev", VIN: vins[i]}))
			case r < 98:
				if rng.IntN(2) == 0 {
					txs = append(txs, h1.Sign(apptest.Inspector, &tx.MsgVehicleRecordBattery{VIN: vins[i], SOHBP: 1 + rng.Uint64N(10_000)}))
				} else {
					txs = append(txs, h1.Sign(apptest.Insurer, &tx.MsgVehicleRecordAccident{VIN: vins[i],
						OccurredAt: nowMs/1000 - rng.Int64N(1_000_000), Severity: tx.SeverityMinor, Summary: "scratch"}))
				}
			default: // recycling, rarely
				if rng.IntN(4) > 0 {
					continue
				}
				txs = append(txs, h1.Sign(apptest.Inspector, &tx.MsgVehicleRecycle{VIN: vins[i], Reason: "end of life"}))
			}
		}
		r1 := h1.Deliver(txs)
		r2 := h2.Deliver(txs)
		if !bytes.Equal(r1.AppHash, r2.AppHash) {
			t.Fatalf("block %d: app hashes differ", h1.Height)
		}
		for i, res := range r1.TxResults {
			if res.Codespace == tx.CodespaceTx || res.Codespace == tx.CodespaceAuth {
				t.Fatalf("block %d tx %d: %s/%d %s (the simulation only sends well-formed, signed messages)", h1.Height, i, res.Codespace, res.Code, res.Log)
			}
			if res.Code == 0 {
				seen["ok"]++
			} else {
				seen[fmt.Sprintf("%s/%d", res.Codespace, res.Code)]++
			}
			count(res.Events)
		}
		count(r1.Events)
		if supply == nil {
			supply = map[string]uint64{tx.DenomSCoin: h1.Supply(tx.DenomSCoin), tx.DenomKRW: h1.Supply(tx.DenomKRW)}
		}
		checkInvariants(t, h1, vins, holders, supply, prevFlags, prevValue)
	}
	return h1.Hashes[h1.Height]
}

func checkInvariants(t *testing.T, h *apptest.Harness, vins []string, holders []tx.Address, supply map[string]uint64,
	prevFlags map[string]int, prevValue map[string]uint64) {
	t.Helper()
	for denom, want := range supply {
		if got := h.Supply(denom); got != want {
			t.Fatalf("height %d: %s supply %d, was %d", h.Height, denom, got, want)
		}
		var sum uint64
		for _, a := range holders {
			sum += h.Balance(a, denom)
		}
		if sum != want {
			t.Fatalf("height %d: the known accounts hold %d %s of %d", h.Height, sum, denom, want)
		}
	}
	p := programme(t, h, "ev")
	if got := h.Balance(vehicles.EscrowAddress, tx.DenomSCoin); got != p.Remaining.Amount {
		t.Fatalf("height %d: escrow %d, the programme has %d left", h.Height, got, p.Remaining.Amount)
	}
	if p.Budget.Amount-p.Remaining.Amount != p.Approved*p.Amount.Amount-p.ClawedBack {
		t.Fatalf("height %d: programme %+v: paid out %d, approved %d × %d less %d clawed back", h.Height, p,
			p.Budget.Amount-p.Remaining.Amount, p.Approved, p.Amount.Amount, p.ClawedBack)
	}
	owned := map[tx.Address]map[string]bool{}
	for _, k := range []apptest.Key{apptest.Alice, apptest.Bob, apptest.Stranger} {
		var page vehicles.ListPage
		h.QueryJSON(t, "/vehicles/list", apptest.MustJSON(t, vehicles.ListRequest{Owner: &k.Addr}), &page)
		owned[k.Addr] = map[string]bool{}
		for _, s := range page.Vehicles {
			owned[k.Addr][s.VIN] = true
		}
	}
	for _, vin := range vins {
		var r vehicles.Report
		h.QueryJSON(t, "/vehicles/report", []byte(vin), &r)
		v := r.Vehicle
		for a, set := range owned {
			if set[vin] != (a == v.Owner) {
				t.Fatalf("height %d: %s owned by %s, in the index of %s: %t", h.Height, vin, v.Owner, a, set[vin])
			}
		}
		if d, ok := h.Device(v.Device); !ok || d.Owner != v.Owner {
			t.Fatalf("height %d: %s's unit %s belongs to %s, the vehicle to %s", h.Height, vin, v.Device, d.Owner, v.Owner)
		}
		if len(v.Flags) < prevFlags[vin] {
			t.Fatalf("height %d: %s lost a flag", h.Height, vin)
		}
		prevFlags[vin] = len(v.Flags)
		o := v.Odometer
		if err := tx.VerifyOdometerSeries(r.Odometer, o.Digest, o.Last, o.Points); err != nil {
			t.Fatalf("height %d: %s: %v", h.Height, vin, err)
		}
		if o.Last != nil {
			if o.Last.ValueM < prevValue[vin] {
				t.Fatalf("height %d: %s's odometer went from %d to %d", h.Height, vin, prevValue[vin], o.Last.ValueM)
			}
			prevValue[vin] = o.Last.ValueM
		}
		for i := 1; i < len(r.Odometer); i++ {
			if r.Odometer[i].ValueM < r.Odometer[i-1].ValueM {
				t.Fatalf("height %d: %s's series goes down at point %d", h.Height, vin, i)
			}
		}
		if v.OpenTransfer != 0 {
			if tr := transfer(t, h, v.OpenTransfer); tr.Status != vehicles.TransferOpen || v.Status != vehicles.StatusActive || tr.Seller != v.Owner || !tr.SellerAccepted {
				t.Fatalf("height %d: %s (%s) has open transfer %+v", h.Height, vin, v.Status, tr)
			}
		}
		// Open proposals: the owner's to accept, one per dealer, and only
		// the one the owner accepted locks the vehicle.
		var open vehicles.Proposals
		h.QueryJSON(t, "/vehicles/proposals", []byte(vin), &open)
		dealt := map[tx.Address]bool{}
		for _, tr := range open.Transfers {
			if tr.Status != vehicles.TransferOpen || tr.VIN != vin || tr.Seller != v.Owner || v.Status != vehicles.StatusActive || dealt[tr.Dealer] ||
				tr.SellerAccepted != (tr.ID == v.OpenTransfer) {
				t.Fatalf("height %d: %s (%s, owner %s, open_transfer %d) lists proposal %+v", h.Height, vin, v.Status, v.Owner, v.OpenTransfer, tr)
			}
			dealt[tr.Dealer] = true
		}
		for i, ow := range v.Owners[1:] {
			tr := transfer(t, h, ow.Transfer)
			if tr.Status != vehicles.TransferCompleted || tr.Buyer != ow.Owner || tr.Seller != v.Owners[i].Owner || (tr.NeedsReview && !tr.Reviewed) {
				t.Fatalf("height %d: %s owner %d from transfer %+v", h.Height, vin, i+1, tr)
			}
		}
		if s := v.Subsidy; s != nil {
			var cs vehicles.CitizenSubsidy
			h.QueryJSON(t, "/vehicles/citizen", []byte(s.Holder.String()), &cs)
			if cs.VIN != vin || (s.ClawedBack != nil && s.ClawedBack.Amount > s.Amount.Amount) {
				t.Fatalf("height %d: %s subsidy %+v, citizen record %+v", h.Height, vin, s, cs)
			}
		}
	}
}
