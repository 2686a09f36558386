package mileage_test

import (
	"encoding/json"
	"fmt"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/mileage"
	"github.com/citychain/citychain/chain/tx"
)

func TestRewardFormula(t *testing.T) {
	p := testParams() // 10,000 uscn per km, at most 100 km; tiers 1/1000/2000/3000 bp -> 2/3/5/7 S-Coin
	for _, c := range []struct {
		name                      string
		distanceM, baselineKm     uint64
		bonusAllowed              bool
		counted, perKm, bp, bonus uint64
	}{
		{"per km only, rounded down", 12_345, 0, true, 12_345, 123_450, 0, 0},
		{"metres below a uscn", 99, 0, true, 99, 990, 0, 0},
		{"capped at max_km_per_period", 150_000, 0, true, 100_000, 1_000_000, 0, 0},
		{"25% reduction: 20% tier", 15_000, 20, true, 15_000, 150_000, 2_500, 5_000_000},
		{"exactly 10%: 10% tier", 18_000, 20, true, 18_000, 180_000, 1_000, 3_000_000},
		{"exactly 30%: top tier", 14_000, 20, true, 14_000, 140_000, 3_000, 7_000_000},
		{"95% reduction: top tier", 1_000, 20, true, 1_000, 10_000, 9_500, 7_000_000},
		{"0.01%: first tier", 19_998, 20, true, 19_998, 199_980, 1, 2_000_000},
		{"0.005% rounds down to 0 bp: no bonus", 19_999, 20, true, 19_999, 199_990, 0, 0},
		{"at the baseline: no bonus", 20_000, 20, true, 20_000, 200_000, 0, 0},
		{"above the baseline: no bonus", 25_000, 20, true, 25_000, 250_000, 0, 0},
		{"no distance: no bonus", 0, 20, true, 0, 0, 10_000, 0},
		{"no report after the period: no bonus", 15_000, 20, false, 15_000, 150_000, 2_500, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := mileage.Reward(p, c.distanceM, c.baselineKm, c.bonusAllowed)
			if r.CountedM != c.counted || r.PerKm != c.perKm || r.ReductionBP != c.bp || r.Bonus != c.bonus || r.Reward != c.perKm+c.bonus {
				t.Fatalf("got counted %d per_km %d bp %d bonus %d reward %d, want %d %d %d %d %d",
					r.CountedM, r.PerKm, r.ReductionBP, r.Bonus, r.Reward, c.counted, c.perKm, c.bp, c.bonus, c.perKm+c.bonus)
			}
		})
	}
}

// settled returns the vehicle_settled events by device for one period.
func settled(t *testing.T, evs []abci.Event, period uint64) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	for _, a := range attrs(evs, "mileage.vehicle_settled") {
		if num(t, a["period"]) == period {
			if out[a["device"]] != nil {
				t.Fatalf("%s period %d settled twice", a["device"], period)
			}
			out[a["device"]] = a
		}
	}
	return out
}

func want(t *testing.T, what string, got map[string]string, kv ...string) {
	t.Helper()
	if got == nil {
		t.Fatalf("%s: no event", what)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if got[kv[i]] != kv[i+1] {
			t.Fatalf("%s: %s = %q, want %q (event %v)", what, kv[i], got[kv[i]], kv[i+1], got)
		}
	}
}

// Timeline of these tests: 60-second intervals, 2-interval periods
// (24 blocks of 5 s), settled one interval (12 blocks) after they end. The
// genesis time starts period P0, so period P0+k spans blocks 24k..24k+23 and
// is settled in block 24k+36.
func TestVehicleRewardsPeriodByPeriod(t *testing.T) {
	ev1, ev2 := newOdometer("ev-1", apptest.Bob), newOdometer("ev-2", apptest.Alice)
	s := setup{intervalSeconds: 60, params: testParams(), budget: 100_000_000, odometers: []*odometer{ev1, ev2},
		enrolled: []tx.MsgMileageEnrollVehicle{{Device: "ev-1"}, {Device: "ev-2", BaselineKm: 20}}}
	h := s.start(t)
	p0 := uint64(apptest.GenesisTime.Unix()) / 120
	if uint64(apptest.GenesisTime.Unix())%120 != 0 {
		t.Fatal("the genesis time must start a period for this timeline")
	}
	submitReadings(t, h, ev1.sign(t, nextMs(h), 0), ev2.sign(t, nextMs(h), 0)) // block 1: baselines
	bob0, alice0 := h.Balance(apptest.Bob.Addr, "uscn"), h.Balance(apptest.Alice.Addr, "uscn")
	advanceTo(h, 9)
	submitReadings(t, h, ev1.sign(t, nextMs(h), 12_345), ev2.sign(t, nextMs(h), 15_000)) // block 10
	advanceTo(h, 25)
	submitReadings(t, h, ev1.sign(t, nextMs(h), 100), ev2.sign(t, nextMs(h), 100)) // block 26, in P0+1: evidence for P0
	if evs := advanceTo(h, 35); len(attrs(evs, "mileage.vehicle_settled")) != 0 {
		t.Fatalf("P0 settled before its settlement delay: %v", evs)
	}
	if v := vehicle(t, h, "ev-1"); len(v.Periods) != 0 {
		t.Fatalf("ev-1 periods before settlement: %+v", v.Periods)
	}
	evs := advanceTo(h, 36)
	got := settled(t, evs, p0)
	want(t, "ev-1 P0", got["ev-1"], "distance_m", "12345", "per_km", "123450", "bonus", "0", "reward", "123450",
		"paid", "123450", "unpaid", "0", "status", "paid", "owner", apptest.Bob.Addr.String())
	want(t, "ev-2 P0", got["ev-2"], "distance_m", "15000", "baseline_km", "20", "reduction_bp", "2500",
		"per_km", "150000", "bonus", "5000000", "reward", "5150000", "paid", "5150000", "status", "paid")
	if !apptest.HasEvent(evs, "mileage.period_settled", "period", fmt.Sprint(p0), "vehicles", "2", "paid", "5273450") {
		t.Fatalf("no period_settled event for P0: %v", attrs(evs, "mileage.period_settled"))
	}
	if b := h.Balance(apptest.Bob.Addr, "uscn"); b != bob0+123_450 {
		t.Fatalf("bob: got %d, want %d", b, bob0+123_450)
	}
	if b := h.Balance(apptest.Alice.Addr, "uscn"); b != alice0+5_150_000 {
		t.Fatalf("alice: got %d, want %d", b, alice0+5_150_000)
	}
	if b := budget(t, h); b.Budget.Amount != 100_000_000-5_273_450 || b.Totals.VehiclePaid != 5_273_450 || b.Cursor.Period != p0+1 {
		t.Fatalf("budget after P0: %+v", b)
	}

	// P0+1: ev-2's odometer is rolled back: the period is forfeited.
	b := h.Block(h.Sign(apptest.Settlement, &tx.MsgSubmitReadings{Readings: []tx.HexBytes{ev2.sign(t, nextMs(h), -500)}})) // block 37
	if !apptest.HasEvent(b.TxResult(0).Events, "metering.fraud_flagged", "device", "ev-2") {
		t.Fatal("rollback not flagged")
	}
	advanceTo(h, 49)
	submitReadings(t, h, ev2.sign(t, nextMs(h), 5_000)) // block 50, P0+2: accepted but flagged
	advanceTo(h, 54)
	h.RunOK("clear the flag", h.Sign(apptest.Registrar, &tx.MsgClearFraud{Device: "ev-2", Reason: "inspected"})) // block 55, P0+2
	evs = advanceTo(h, 60)
	got = settled(t, evs, p0+1)
	want(t, "ev-1 P0+1", got["ev-1"], "distance_m", "100", "reward", "1000", "paid", "1000", "status", "paid")
	want(t, "ev-2 P0+1 (flagged)", got["ev-2"], "distance_m", "100", "reward", "0", "paid", "0", "status", "forfeited")

	// P0+2: the flag was cleared during the period: still forfeited.
	advanceTo(h, 74)
	submitReadings(t, h, ev2.sign(t, nextMs(h), 1_000)) // block 75, P0+3
	evs = advanceTo(h, 84)
	got = settled(t, evs, p0+2)
	want(t, "ev-1 P0+2", got["ev-1"], "distance_m", "0", "reward", "0", "status", "no_reward")
	want(t, "ev-2 P0+2 (cleared mid-period)", got["ev-2"], "distance_m", "5000", "reward", "0", "status", "forfeited")

	// P0+3: clean again; 1 km against a 20 km baseline, reported after the end.
	advanceTo(h, 96)
	submitReadings(t, h, ev2.sign(t, nextMs(h), 0)) // block 97, P0+4
	evs = advanceTo(h, 108)
	got = settled(t, evs, p0+3)
	want(t, "ev-2 P0+3", got["ev-2"], "distance_m", "1000", "reduction_bp", "9500", "per_km", "10000",
		"bonus", "7000000", "reward", "7010000", "status", "paid")

	v := vehicle(t, h, "ev-2")
	if len(v.Periods) != 4 || v.Periods[0].Period != p0 || v.Periods[3].Period != p0+3 || v.Periods[1].Status != mileage.StatusForfeited {
		t.Fatalf("ev-2 periods: %+v", v.Periods)
	}
	if tot := budget(t, h).Totals; tot.Forfeited != 2 {
		t.Fatalf("totals: %+v, want 2 forfeited periods", tot)
	}
	var hist mileage.HistoryPage
	h.QueryJSON(t, "/mileage/history", apptest.MustJSON(t, mileage.HistoryRequest{Address: apptest.Alice.Addr}), &hist)
	if hist.Total != 2 || len(hist.Entries) != 2 || hist.Entries[0].Kind != mileage.KindVehicleReward ||
		hist.Entries[0].Amount != 5_150_000 || hist.Entries[1].Amount != 7_010_000 || hist.Entries[1].Device != "ev-2" {
		t.Fatalf("alice history: %+v", hist)
	}
	var sum mileage.PeriodSummary
	h.QueryJSON(t, "/mileage/period", []byte(fmt.Sprint(p0+1)), &sum)
	if !sum.Settled || sum.Vehicles != 2 || sum.Forfeited != 1 || sum.Paid != 1000 || sum.Height != 60 {
		t.Fatalf("period summary: %+v", sum)
	}
}

func TestBudgetExhaustion(t *testing.T) {
	ev1, ev2 := newOdometer("ev-1", apptest.Bob), newOdometer("ev-2", apptest.Alice)
	s := setup{intervalSeconds: 60, params: testParams(), budget: 200_000, odometers: []*odometer{ev1, ev2},
		enrolled: []tx.MsgMileageEnrollVehicle{{Device: "ev-1"}, {Device: "ev-2", BaselineKm: 20}}}
	h := s.start(t)
	p0 := uint64(apptest.GenesisTime.Unix()) / 120
	submitReadings(t, h, ev1.sign(t, nextMs(h), 0), ev2.sign(t, nextMs(h), 0))
	advanceTo(h, 9)
	submitReadings(t, h, ev1.sign(t, nextMs(h), 12_345), ev2.sign(t, nextMs(h), 15_000))
	advanceTo(h, 25)
	submitReadings(t, h, ev1.sign(t, nextMs(h), 100), ev2.sign(t, nextMs(h), 100))
	got := settled(t, advanceTo(h, 36), p0)
	// Device-id order: ev-1 is paid in full, ev-2 gets what is left.
	want(t, "ev-1", got["ev-1"], "reward", "123450", "paid", "123450", "unpaid", "0", "status", "paid")
	want(t, "ev-2", got["ev-2"], "reward", "5150000", "paid", "76550", "unpaid", "5073450", "status", "partial")
	if b := budget(t, h); b.Budget.Amount != 0 || b.Totals.VehicleUnpaid != 5_073_450 {
		t.Fatalf("budget: %+v", b)
	}
	if a := account(t, h, apptest.Alice.Addr); a.VehiclePaid != 76_550 || a.VehicleUnpaid != 5_073_450 {
		t.Fatalf("alice: %+v", a)
	}
	got = settled(t, advanceTo(h, 60), p0+1)
	want(t, "ev-1 empty budget", got["ev-1"], "reward", "1000", "paid", "0", "unpaid", "1000", "status", "unpaid")

	// Funding refills the budget; unpaid rewards stay unpaid (recorded), new ones are paid.
	res := h.RunOK("fund", h.Sign(apptest.Treasury, &tx.MsgMileageFund{Amount: apptest.SCN(1)}))
	if !apptest.HasEvent(res.Events, "mileage.funded", "from", apptest.Treasury.Addr.String(), "amount", "1000000uscn") {
		t.Fatalf("fund events: %v", res.Events)
	}
	// A plain bank/send would fund the budget outside totals.funded: refused.
	h.RunFail("plain bank send to the budget", h.Sign(apptest.Bob, &tx.MsgSend{To: mileage.BudgetAddress, Amount: tx.Coin{Amount: 5, Denom: "uscn"}}),
		tx.CodeBankModuleAccount, "mileage/fund")
	submitReadings(t, h, ev1.sign(t, nextMs(h), 2_000)) // block 63, P0+2
	got = settled(t, advanceTo(h, 84), p0+2)
	want(t, "ev-1 refunded budget", got["ev-1"], "reward", "20000", "paid", "20000", "status", "paid")
	if b := budget(t, h); b.Budget.Amount != 1_000_000-20_000 || b.Totals.Funded != 1_000_000 {
		t.Fatalf("budget after funding: %+v", b)
	}
}

// With 1-second intervals and periods, every 5-second block ends five
// periods. With at most 3 settlement steps per block (3 vehicles + closing
// = 4 steps a period) settlement lags behind but never skips or repeats.
func TestPeriodsSettledOnceInOrder(t *testing.T) {
	for _, maxSteps := range []uint64{3, 100} {
		t.Run(fmt.Sprintf("max_%d", maxSteps), func(t *testing.T) {
			odos := []*odometer{newOdometer("ev-a", apptest.Alice), newOdometer("ev-b", apptest.Bob), newOdometer("ev-c", apptest.Bob)}
			p := testParams()
			p.PeriodIntervals, p.SettleDelayIntervals, p.MaxVehiclesPerBlock = 1, 0, maxSteps
			s := setup{intervalSeconds: 1, params: p, budget: 1_000_000_000, odometers: odos,
				enrolled: []tx.MsgMileageEnrollVehicle{{Device: "ev-a"}, {Device: "ev-b"}, {Device: "ev-c"}}}
			h := s.start(t)
			p0 := uint64(apptest.GenesisTime.Unix())
			seen := map[string]bool{}
			var periods []uint64
			driven := map[string]uint64{}
			var settledM uint64
			for i := 0; i < 40; i++ {
				var rs []tx.HexBytes
				for j, o := range odos {
					m := int64(100*(i+1) + j)
					rs = append(rs, o.sign(t, nextMs(h), m))
					if i > 0 && i < 39 { // the first is a baseline; the last is in the open period
						driven[o.id] += uint64(m)
					}
				}
				b := submitReadings(t, h, rs...)
				for _, a := range attrs(b.Result.Events, "mileage.vehicle_settled") {
					k := a["device"] + "/" + a["period"]
					if seen[k] {
						t.Fatalf("%s settled twice", k)
					}
					seen[k] = true
					settledM += num(t, a["distance_m"])
				}
				for _, a := range attrs(b.Result.Events, "mileage.period_settled") {
					periods = append(periods, num(t, a["period"]))
				}
			}
			cur := budget(t, h).Cursor
			for i, per := range periods {
				if per != p0+uint64(i) {
					t.Fatalf("periods closed out of order: %v", periods)
				}
			}
			if uint64(len(periods)) != cur.Period-p0 {
				t.Fatalf("closed %d periods, cursor at %d (P0 %d)", len(periods), cur.Period, p0)
			}
			for per := p0; per < cur.Period; per++ {
				for _, o := range odos {
					if !seen[fmt.Sprintf("%s/%d", o.id, per)] {
						t.Fatalf("%s period %d never settled (cursor %+v)", o.id, per, cur)
					}
				}
			}
			if maxSteps == 3 {
				if lag := uint64(apptest.BlockTime(h.Height).Unix()) - cur.Period; lag < 50 {
					t.Fatalf("with 3 steps a block settlement should lag; lag %d periods", lag)
				}
				if len(periods) < 25 {
					t.Fatalf("only %d periods closed in 40 blocks of 3 steps", len(periods))
				}
				return
			}
			// Every period before the current one is settled and all the
			// distance is counted.
			if cur.Period != uint64(apptest.BlockTime(h.Height).Unix()) || cur.After != "" {
				t.Fatalf("cursor %+v, want the current period %d", cur, apptest.BlockTime(h.Height).Unix())
			}
			var total uint64
			for _, o := range odos {
				total += driven[o.id]
			}
			if settledM != total {
				t.Fatalf("settled distance %d, driven %d", settledM, total)
			}
			var v mileage.VehicleAnswer
			h.QueryJSON(t, "/mileage/vehicle", apptest.MustJSON(t, mileage.VehicleRequest{Device: "ev-b", From: p0 + 5, Limit: 3}), &v)
			if len(v.Periods) != 3 || v.Periods[0].Period != p0+5 || v.Periods[2].Period != p0+7 {
				t.Fatalf("vehicle page: %+v", v.Periods)
			}
		})
	}
}

func TestEnrollVehicle(t *testing.T) {
	ev1, ev2 := newOdometer("ev-1", apptest.Bob), newOdometer("ev-2", apptest.Alice)
	s := setup{intervalSeconds: 60, params: testParams(), budget: 100_000_000, odometers: []*odometer{ev1, ev2}}
	h := s.start(t)
	enroll := func(k apptest.Key, dev string, km uint64) []byte {
		return h.Sign(k, &tx.MsgMileageEnrollVehicle{Device: dev, BaselineKm: km})
	}
	h.RunFail("unknown device", enroll(apptest.Registrar, "ev-9", 0), tx.CodeMileageUnknownDevice, "ev-9")
	h.RunFail("solar inverter", enroll(apptest.Registrar, "inv-1", 0), tx.CodeMileageNotVehicle, "solar_inverter")
	h.RunFail("someone else's car", enroll(apptest.Alice, "ev-1", 0), tx.CodeMileageNotAllowed, "not the owner")
	h.RunFail("owner sets a baseline", enroll(apptest.Bob, "ev-1", 30), tx.CodeMileageNotAllowed, "baseline")
	res := h.RunOK("owner enrols", enroll(apptest.Bob, "ev-1", 0))
	cur := uint64(apptest.BlockTime(h.Height).Unix()) / 120
	if !apptest.HasEvent(res.Events, "mileage.vehicle_enrolled", "device", "ev-1", "from_period", fmt.Sprint(cur+1), "baseline_km", "0") {
		t.Fatalf("events: %v", res.Events)
	}
	h.RunFail("owner enrols twice", enroll(apptest.Bob, "ev-1", 0), tx.CodeMileageAlreadyEnrolled)
	res = h.RunOK("registrar sets the baseline", enroll(apptest.Registrar, "ev-1", 30))
	if !apptest.HasEvent(res.Events, "mileage.baseline_changed", "device", "ev-1", "baseline_km", "30") {
		t.Fatalf("events: %v", res.Events)
	}
	h.RunOK("agency enrols alice's car", enroll(apptest.Agency, "ev-2", 12))
	h.RunOK("revoke", h.Sign(apptest.Installer, &tx.MsgDeviceRevoke{ID: "ev-2", Reason: "scrapped"}))
	h.RunFail("revoked device", enroll(apptest.Agency, "ev-2", 1), tx.CodeMileageNotVehicle, "revoked")
	v := vehicle(t, h, "ev-1")
	if v.Vehicle.FromPeriod != cur+1 || len(v.Vehicle.Baselines) != 1 || v.Vehicle.Baselines[0].Km != 30 {
		t.Fatalf("ev-1: %+v (the change in the same period replaces the baseline)", v.Vehicle)
	}
	seq := h.Seq(apptest.Registrar)
	apptest.RequireCode(t, "baseline too large", h.CheckTx(enroll(apptest.Registrar, "ev-1", tx.MaxBaselineKm+1)), tx.CodeTxInvalidMsg, "baseline_km")
	h.SetSeq(apptest.Registrar, seq)

	// A later change applies from the next period; the settled periods before
	// it keep the old baseline.
	advanceTo(h, 30)
	h.RunOK("registrar changes the baseline", enroll(apptest.Registrar, "ev-1", 40))
	v = vehicle(t, h, "ev-1")
	if len(v.Vehicle.Baselines) != 2 || v.Vehicle.Baselines[1].FromPeriod != cur+2 || v.Vehicle.Baselines[1].Km != 40 {
		t.Fatalf("ev-1 baselines: %+v", v.Vehicle.Baselines)
	}
	advanceTo(h, 24*4+12) // P0+1, P0+2 and P0+3 settled
	v = vehicle(t, h, "ev-1")
	if len(v.Periods) != 3 || v.Periods[0].BaselineKm != 30 || v.Periods[1].BaselineKm != 40 || len(v.Vehicle.Baselines) != 1 {
		t.Fatalf("ev-1 after two settled periods: %+v", v)
	}
	if res := h.Query("/mileage/vehicle", []byte("ev-2"), 0, false); res.Code != 0 {
		t.Fatalf("vehicle by plain id: %s", res.Log)
	}
	var raw json.RawMessage
	h.QueryJSON(t, "/mileage/vehicle", []byte("ev-1"), &raw)
}
