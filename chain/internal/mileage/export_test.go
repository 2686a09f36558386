package mileage_test

import (
	"math/rand/v2"
	"testing"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/mileage"
	"github.com/citychain/citychain/chain/tx"
)

// busyChain runs a mileage chain seeded with seed for blocks blocks:
// three odometers reporting (now and then rolling back, then cleared), one
// enrolled by a transaction, awards that expire after a minute, spends
// that use part of them, funding, and one vehicle settled per block so
// periods stay half settled. After every block, inspect (when not nil) is
// called.
func busyChain(t *testing.T, seed uint64, blocks int, inspect func(h *apptest.Harness)) *apptest.Harness {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 0x6578706f))
	p := testParams()
	p.PeriodIntervals, p.SettleDelayIntervals = 3, 1 // 30-second periods of 10-second intervals
	p.UscnPerKm, p.MaxKmPerPeriod = 100_000, 5
	p.AwardExpirySeconds = 60
	p.MaxVehiclesPerBlock, p.MaxExpiriesPerBlock = 1, 1
	odos := []*odometer{newOdometer("ev-a", apptest.Alice), newOdometer("ev-b", apptest.Bob), newOdometer("ev-c", apptest.Bob)}
	s := setup{intervalSeconds: 10, params: p, budget: 6_000_000, odometers: odos,
		enrolled:  []tx.MsgMileageEnrollVehicle{{Device: "ev-a"}, {Device: "ev-b", BaselineKm: 5}},
		merchants: []tx.MsgMileageRegisterMerchant{{Address: busCard.Addr, Name: "T-money", Category: tx.MerchantTransit}}}
	h := s.start(t)
	for b := 0; b < blocks; b++ {
		var txs [][]byte
		nowMs := nextMs(h)
		var rs []tx.HexBytes
		for _, o := range odos {
			if rng.IntN(2) == 0 {
				continue
			}
			move := int64(rng.IntN(3_000))
			if rng.IntN(30) == 0 {
				move = -1 - int64(rng.IntN(500)) // rejected and flagged
			}
			rs = append(rs, o.sign(t, nowMs, move))
		}
		if len(rs) > 0 {
			txs = append(txs, h.Sign(apptest.Settlement, &tx.MsgSubmitReadings{Readings: rs}))
		}
		switch r := rng.IntN(10); {
		case b == 10:
			txs = append(txs, h.Sign(apptest.Agency, &tx.MsgMileageEnrollVehicle{Device: "ev-c", BaselineKm: 3}))
		case b == 20:
			txs = append(txs, h.Sign(apptest.Agency, &tx.MsgMileageRegisterMerchant{Address: guOffice.Addr, Name: "Jung-gu", Category: tx.MerchantLocalTax}))
		case r < 4:
			to := []tx.Address{apptest.Alice.Addr, apptest.Bob.Addr, apptest.Stranger.Addr}[rng.IntN(3)]
			txs = append(txs, h.Sign(apptest.Agency, &tx.MsgMileageAward{To: to, Amount: uscn(1 + rng.Uint64N(2_000_000)), ReasonCode: "voting"}))
		case r < 7:
			k := []apptest.Key{apptest.Alice, apptest.Bob}[rng.IntN(2)]
			txs = append(txs, h.Sign(k, &tx.MsgMileageSpend{Merchant: busCard.Addr, Amount: uscn(1 + rng.Uint64N(1_000_000)), Memo: "bus"}))
		case r < 8:
			txs = append(txs, h.Sign(apptest.Treasury, &tx.MsgMileageFund{Amount: uscn(1 + rng.Uint64N(3_000_000))}))
		case r < 9:
			txs = append(txs, h.Sign(apptest.Registrar, &tx.MsgClearFraud{Device: odos[rng.IntN(len(odos))].id, Reason: "inspected"}))
		}
		h.ProposeBlock(txs)
		if inspect != nil {
			inspect(h)
		}
	}
	return h
}

// TestExportRoundTrip exports a busy mileage chain every five blocks and
// imports each export into a fresh application, which must hold the same
// keys and values. The exports must have caught awards partly spent and
// waiting to expire, a period half settled (the cursor after a vehicle),
// settled and forfeited vehicle periods, merchants paid, and a vehicle
// enrolled by a transaction.
func TestExportRoundTrip(t *testing.T) {
	seen := map[string]int{}
	busyChain(t, 5, 90, func(h *apptest.Harness) {
		if h.Height%5 != 0 {
			return
		}
		_, sections := h.ExportSections(t)
		g := apptest.DecodeSection[mileage.Genesis](t, sections, mileage.Codespace)
		if g.Cursor != nil && g.Cursor.After != "" {
			seen["cursor within a period"]++
		}
		if g.Totals != nil {
			seen["totals"]++
		}
		for _, l := range g.Lots {
			if l.Remaining < l.Amount {
				seen["lot partly spent"]++
			}
			if l.ExpiresAt > 0 {
				seen["lot expiring"]++
			}
		}
		for _, e := range g.History {
			seen["history "+e.Kind]++
		}
		for _, m := range g.RegisteredMerchants {
			if m.Received > 0 {
				seen["merchant paid"]++
			}
		}
		for _, v := range g.EnrolledVehicles {
			if !v.EnrolledBy.IsZero() {
				seen["enrolled by a transaction"]++
			}
		}
		for _, r := range g.VehiclePeriods {
			seen["period "+r.Status]++
		}
		for _, s := range g.Periods {
			if !s.Settled {
				seen["period summary unfinished"]++
			}
		}
		h.ExportRoundTrip(t)
	})
	apptest.RequireExportsCaught(t, seen, "cursor within a period", "totals", "lot partly spent", "lot expiring", "history award",
		"history spend", "history received", "history expire", "history vehicle_reward", "merchant paid",
		"enrolled by a transaction", "period paid", "period forfeited", "period summary unfinished")
}

// TestExportRejectsCorruptSections imports exports edited by hand: each
// is refused, naming the field and the value.
func TestExportRejectsCorruptSections(t *testing.T) {
	h := busyChain(t, 5, 40, nil)
	exp, sections := h.ExportSections(t)
	g := apptest.DecodeSection[mileage.Genesis](t, sections, mileage.Codespace)
	if len(g.Lots) == 0 || len(g.History) == 0 {
		t.Fatalf("the export has %d lots and %d history entries; the cases need both", len(g.Lots), len(g.History))
	}
	cases := []struct {
		name string
		edit func(g *mileage.Genesis)
		want string
	}{
		{"a lot's remaining raised", func(g *mileage.Genesis) { g.Lots[0].Remaining-- }, "balance: "},
		{"a history entry dropped", func(g *mileage.Genesis) { g.History = g.History[1:] }, "history[0].n: 1, want 0"},
		{"balances above what the held account holds", func(g *mileage.Genesis) {
			g.Lots[0].Amount += 1_000_000_000
			g.Lots[0].Remaining += 1_000_000_000
			for i := range g.Accounts {
				if g.Accounts[i].Address == g.Lots[0].Address {
					g.Accounts[i].Balance += 1_000_000_000
				}
			}
		}, "the held account"},
		{"accounts out of order", func(g *mileage.Genesis) {
			g.Accounts[0], g.Accounts[1] = g.Accounts[1], g.Accounts[0]
		}, "is not after accounts[0] in key order"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			apptest.RequireImportRefused(t, exp, apptest.EditSection(t, sections, mileage.Codespace, c.edit), c.want)
		})
	}
}
