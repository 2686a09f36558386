package contracts_test

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/tx"
)

var worker = apptest.NewKey("contracts/worker")

// dayOffer is a daily-paid contract of employer for worker on project,
// every day but Sunday from the chain's first day (2025-03-01, a
// Saturday), 8 hours, at 10,320 won an hour.
func dayOffer(project string) *tx.MsgLabourOffer {
	var days []tx.WorkDay
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat"} {
		days = append(days, tx.WorkDay{Day: d, Start: "09:00", Minutes: 480})
	}
	return &tx.MsgLabourOffer{Worker: worker.Addr, Project: project, Start: "2025-03-01", Schedule: days, HourlyWage: 10_320,
		PayCycle: tx.PayDaily, WeeklyHoliday: "sun", Leave: hash("leave"), Place: hash("place"), Duties: hash("duties"),
		WorkerID: hash("worker"), Terms: hash("day terms")}
}

func labourFund(t testing.TB, h *apptest.Harness, project string) tx.LabourFund {
	t.Helper()
	var f tx.LabourFund
	res := h.Query("/labour/fund", apptest.MustJSON(t, tx.LabourFundRequest{Project: project}), 0, false)
	if tx.CodeAppNotFound.Matches(res.Codespace, res.Code) {
		return f
	}
	apptest.RequireOK(t, "labour fund", res)
	if err := json.Unmarshal(res.Value, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestLabourPool: the labour module employs for a project only its prime
// and subcontractors (ProjectEmployer); an approval funds the project's
// labour pool with the milestone's labour share (the prime cannot draw on
// it); a wage the pool cannot pay yet is late, and the arrears view's
// labour tier shows it owed, then paid once the next approval funds the
// pool.
func TestLabourPool(t *testing.T) {
	h := newChain(t, nil)
	m := newMsg("works-1")
	m.Pools.Labour = 100_000 // 30,000 won at the first milestone
	create(t, h, m)

	offer := dayOffer("works-1")
	h.RunFail("offer by an outsider", h.Sign(outsider, offer), tx.CodeLabourProjectEmployer, "works-1")
	unknown := dayOffer("works-9")
	h.RunFail("offer on an unknown project", h.Sign(prime, unknown), tx.CodeLabourProjectEmployer, "works-9")
	h.RunOK("offer by a subcontractor", h.Sign(sub2, dayOffer("works-1")))
	res := h.RunOK("offer by the prime", h.Sign(prime, offer))
	id, _ := strconv.ParseUint(event(t, res.Events, "labour.offered", "contract"), 10, 64)

	labourEscrow := tx.ModuleAddress(tx.ModuleAccountLabourEscrow)
	escrowBefore, labourBefore := ukrw(h, escrow), ukrw(h, labourEscrow)
	res = deliverApprove(t, h, "works-1", 0)
	if event(t, res.Events, "contracts.approved", "labour_krw") != "30000" {
		t.Errorf("approved event %v", res.Events)
	}
	if f := labourFund(t, h, "works-1"); f.BalanceKRW != 30_000 || f.Project != "works-1" {
		t.Fatalf("labour pool after the first approval: %+v", f)
	}
	if got := ukrw(h, labourEscrow) - labourBefore; got != 30_000*million {
		t.Errorf("labour escrow received %d ukrw", got)
	}
	if got := escrowBefore - ukrw(h, escrow); got != (30_000+6_300_000)*million {
		t.Errorf("contracts escrow paid out %d ukrw", got)
	}
	if c := contract(t, h, "works-1"); c.ReleasedKRW != 6_330_000 || c.EscrowKRW != 21_100_000-6_330_000 {
		t.Errorf("contract after the first approval: %+v", c)
	}

	// A 4-hour shift (41,280 won) the 30,000-won pool cannot pay: late.
	h.RunOK("countersign", h.Sign(worker, &tx.MsgLabourCountersign{Contract: id, Terms: offer.Terms}))
	h.RunOK("clock in", h.Sign(worker, &tx.MsgLabourClock{Contract: id, Action: tx.ClockIn}))
	h.Skip(4 * time.Hour)
	h.RunOK("clock out", h.Sign(worker, &tx.MsgLabourClock{Contract: id, Action: tx.ClockOut}))
	h.Block()
	var l tx.LabourProjectLine
	h.QueryJSON(t, "/labour/project_line", apptest.MustJSON(t, tx.LabourProjectLineRequest{Project: "works-1", Worker: worker.Addr}), &l)
	if l.OwedKRW == 0 || l.PaidKRW != 0 {
		t.Fatalf("the worker's project line: %+v, want a late wage", l)
	}
	if tier := arrears(t, h, "works-1").Tiers[2]; tier != (tx.ArrearsTier{Tier: tx.TierLabour, OwedKRW: l.OwedKRW, OverdueKRW: l.OwedKRW}) {
		t.Errorf("labour tier %+v, the project line %+v", tier, l)
	}
	// The prime's withdraw reaches only its own fund, never the pool.
	h.RunFail("prime withdraws", h.Sign(prime, &tx.MsgLabourWithdraw{AmountKRW: 30_000}), tx.CodeLabourInsufficient)
	if f := labourFund(t, h, "works-1"); f.BalanceKRW != 30_000 {
		t.Errorf("pool after the prime's withdraw: %+v", f)
	}

	// The second approval funds the pool; the late wage is paid.
	owed := l.OwedKRW
	deliverApprove(t, h, "works-1", 1)
	h.Block()
	h.QueryJSON(t, "/labour/project_line", apptest.MustJSON(t, tx.LabourProjectLineRequest{Project: "works-1", Worker: worker.Addr}), &l)
	if l.OwedKRW != 0 || l.PaidKRW != owed {
		t.Fatalf("the worker's project line after the second approval: %+v, want %d paid", l, owed)
	}
	if tier := arrears(t, h, "works-1").Tiers[2]; tier != (tx.ArrearsTier{Tier: tx.TierLabour, PaidKRW: owed}) {
		t.Errorf("labour tier %+v, want %d paid", tier, owed)
	}
	if got := ukrw(h, worker.Addr); got == 0 {
		t.Error("the worker holds no ukrw")
	}
}
