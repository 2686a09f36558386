package labour_test

import (
	"testing"
	"time"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/tx"
)

// The chain starts on Saturday 1 March 2025 (18:00 KST).

// TestSetRule: only the labour ministry adds rows, each after the block's
// date and after every row of its kind; a row added takes effect on its
// date (a wage below the new minimum is refused from then).
func TestSetRule(t *testing.T) {
	c := newChain(t)
	row := &tx.MsgLabourSetRule{Kind: tx.RuleMinWage, Effective: "2027-01-01", Value: 10_800}
	c.fail("not the ministry", shop, row, tx.CodeLabourNotMinistry, tx.RoleLabourMinistry)
	c.fail("today", ministry, &tx.MsgLabourSetRule{Kind: tx.RuleMinWage, Effective: "2025-03-01", Value: 10_800}, tx.CodeLabourRuleDate, "block's date")
	c.fail("before the 2026 row", ministry, &tx.MsgLabourSetRule{Kind: tx.RuleMinWage, Effective: "2025-12-31", Value: 10_800}, tx.CodeLabourRuleDate, "2026-01-01")
	c.fail("on the 2026 row", ministry, &tx.MsgLabourSetRule{Kind: tx.RuleMinWage, Effective: "2026-01-01", Value: 10_800}, tx.CodeLabourRuleDate, "2026-01-01")
	res := c.ok("2027 minimum wage", ministry, row)
	if !apptest.HasEvent(res.Events, "labour.rule", "kind", tx.RuleMinWage, "effective", "2027-01-01", "value", "10800") {
		t.Fatalf("events %v", res.Events)
	}
	c.fail("the same again", ministry, row, tx.CodeLabourRuleDate, "2027-01-01")
	c.ok("2025-06 employment rate", ministry, &tx.MsgLabourSetRule{Kind: tx.RuleEmployment, Effective: "2025-06-01", Value: 950})
	rules := query[tx.LabourRules](c, "rules", struct{}{})
	if rules.Params.MaxPaymentsPerBlock != 2000 {
		t.Fatalf("params %+v", rules.Params)
	}
	var mins []tx.LabourRule
	for _, r := range rules.Rules {
		if r.Kind == tx.RuleMinWage {
			mins = append(mins, r)
		}
	}
	if len(mins) != 3 || mins[2] != *(*tx.LabourRule)(row) || rules.Rules[0].Kind != tx.RuleMinWage {
		t.Fatalf("rules %+v", rules.Rules)
	}
	if v, _ := tx.RuleAt(rules.Rules, tx.RuleEmployment, kst(2025, 7, 1, 0, 0).Unix()); v != 950 {
		t.Fatalf("employment rate in July 2025: %d", v)
	}
	// An offer starting in 2027 below the new minimum is refused.
	c.fail("below the 2027 minimum", shop, offerMsg(worker1, "2027-01-04", days(180, 0, weekdays...), 10_500), tx.CodeLabourBelowMinimum, "10800", "2027-01-04")
	c.ok("at the 2027 minimum", shop, offerMsg(worker1, "2027-01-04", days(180, 0, weekdays...), 10_800))
	c.h.ExportRoundTrip(t)
}

// TestFundMessages: a deposit beyond the signer's ukrw, a withdrawal with
// no fund or beyond the free balance (the balance less what pending and
// late statements owe) are refused with labour 17 and change nothing.
func TestFundMessages(t *testing.T) {
	c := newChain(t)
	c.fail("withdraw with no fund", shop, &tx.MsgLabourWithdraw{AmountKRW: 1}, tx.CodeLabourInsufficient, "no fund")
	c.fail("deposit beyond the balance", shop, &tx.MsgLabourDeposit{AmountKRW: 50_000_001}, tx.CodeLabourInsufficient, "amount_krw 50000001")
	c.fail("a worker with no ukrw", worker1, &tx.MsgLabourDeposit{AmountKRW: 1}, tx.CodeLabourInsufficient)
	res := c.ok("deposit", shop, &tx.MsgLabourDeposit{AmountKRW: 1_000_000})
	if !apptest.HasEvent(res.Events, "labour.deposit", "owner", shop.Addr.String(), "amount_krw", "1000000", "balance_krw", "1000000") {
		t.Fatalf("events %v", res.Events)
	}
	if got := c.krw(shop.Addr); got != 49_000_000 {
		t.Fatalf("shop holds %d won", got)
	}
	// A week of 15 h at 12,000 won is owed (pending until the Monday).
	week := kst(2025, 3, 3, 0, 0)
	id := c.hire(shop, worker1, offerMsg(worker1, "2025-03-03", days(180, 0, weekdays...), 12_000))
	c.work(worker1, id, week, 180, 0, 1, 2, 3, 4)
	c.at(week.AddDate(0, 0, 6)) // Sunday: the week is open
	c.ok("withdraw", shop, &tx.MsgLabourWithdraw{AmountKRW: 100_000})
	// The week closes on Monday 00:00, due then: pay it on a Wednesday
	// instead by paying on day 3.
	c.at(week.AddDate(0, 0, 7).Add(time.Second))
	s := c.statements(id)[0]
	if s.Status != tx.StatementPaid || s.GrossKRW != 180_000+36_000 {
		t.Fatalf("statement %+v", s)
	}
	f := c.fund(shop.Addr)
	if f.BalanceKRW != 1_000_000-100_000-216_000 || f.WithdrawnKRW != 100_000 || f.PaidKRW != 216_000 || f.DepositedKRW != 1_000_000 {
		t.Fatalf("fund %+v", f)
	}
	c.fail("withdraw beyond the balance", shop, &tx.MsgLabourWithdraw{AmountKRW: f.BalanceKRW + 1}, tx.CodeLabourInsufficient, "at most 684000 free")
	c.ok("withdraw all", shop, &tx.MsgLabourWithdraw{AmountKRW: f.BalanceKRW})
	if got := c.krw(shop.Addr); got != 49_000_000+100_000+684_000 {
		t.Fatalf("shop holds %d won", got)
	}
}

// TestWithdrawKeepsOwed: what pending statements owe stays in the fund.
func TestWithdrawKeepsOwed(t *testing.T) {
	c := newChain(t)
	c.ok("deposit", shop, &tx.MsgLabourDeposit{AmountKRW: 500_000})
	m := offerMsg(worker1, "2025-03-03", days(180, 0, weekdays...), 12_000)
	m.PayDay = 5 // Friday of the next week
	id := c.hire(shop, worker1, m)
	week := kst(2025, 3, 3, 0, 0)
	c.work(worker1, id, week, 180, 0, 1, 2, 3, 4)
	c.at(week.AddDate(0, 0, 8)) // Tuesday: closed, due on Friday
	if f := c.fund(shop.Addr); f.OwedKRW != 216_000 {
		t.Fatalf("fund %+v", f)
	}
	c.fail("withdraw the owed pay", shop, &tx.MsgLabourWithdraw{AmountKRW: 500_000 - 216_000 + 1}, tx.CodeLabourInsufficient, "216000 owed")
	c.ok("withdraw the rest", shop, &tx.MsgLabourWithdraw{AmountKRW: 500_000 - 216_000})
	c.at(week.AddDate(0, 0, 11))
	if s := c.statements(id)[0]; s.Status != tx.StatementPaid || s.PaidAt != week.AddDate(0, 0, 11).Unix() {
		t.Fatalf("statement %+v", s)
	}
}

// TestOfferCountersignEnd: the refusals of offer, countersign and end,
// each changing nothing.
func TestOfferCountersignEnd(t *testing.T) {
	c := newChain(t)
	m := offerMsg(worker1, "2025-03-03", days(180, 0, weekdays...), 10_030)
	c.fail("self-employment", worker1, offerMsg(worker1, "2025-03-03", days(180, 0, weekdays...), 10_030), tx.CodeLabourSelfEmployment, "cannot employ itself")
	c.fail("below the 2025 minimum", shop, offerMsg(worker1, "2025-03-03", days(180, 0, weekdays...), 10_029), tx.CodeLabourBelowMinimum, "10030", "2025-03-03")
	c.fail("below the 2026 minimum at its start", shop, offerMsg(worker1, "2026-01-01", days(180, 0, weekdays...), 10_300), tx.CodeLabourBelowMinimum, "10320")
	past := offerMsg(worker1, "2025-01-06", days(180, 0, weekdays...), 10_030)
	past.End = "2025-02-28"
	c.fail("ended before today", shop, past, tx.CodeLabourBadEnd, "2025-02-28")
	proj := offerMsg(worker1, "2025-03-03", days(180, 0, weekdays...), 10_030)
	proj.Project = "no-such-road"
	c.fail("unknown project", shop, proj, tx.CodeLabourProjectEmployer, "no-such-road")

	m.End = "2025-06-30"
	res := c.ok("offer", shop, m)
	id := attrU64(t, res.Events, "labour.offered", "contract")
	if id != 1 || c.contract(1).Status != tx.LabourOffered {
		t.Fatalf("contract %+v", c.contract(1))
	}
	c.fail("clock before the countersignature", worker1, &tx.MsgLabourClock{Contract: id, Action: tx.ClockIn}, tx.CodeLabourNotCountersigned)
	c.fail("unknown contract", worker1, &tx.MsgLabourCountersign{Contract: 9, Terms: m.Terms}, tx.CodeLabourUnknownContract, "contract 9")
	c.fail("countersigned by the employer", shop, &tx.MsgLabourCountersign{Contract: id, Terms: m.Terms}, tx.CodeLabourNotParty, "not its worker")
	c.fail("countersigned by another worker", worker2, &tx.MsgLabourCountersign{Contract: id, Terms: m.Terms}, tx.CodeLabourNotParty)
	c.fail("other terms", worker1, &tx.MsgLabourCountersign{Contract: id, Terms: commit("other")}, tx.CodeLabourTermsMismatch, m.Terms.String())
	res = c.ok("countersign", worker1, &tx.MsgLabourCountersign{Contract: id, Terms: m.Terms})
	if !apptest.HasEvent(res.Events, "labour.countersigned", "contract", "1") {
		t.Fatalf("events %v", res.Events)
	}
	k := c.contract(id)
	if k.Status != tx.LabourActive || k.Countersigned != c.now.Unix() || k.ClosedThrough != kst(2025, 3, 3, 0, 0).Unix() {
		t.Fatalf("contract %+v", k)
	}
	c.fail("countersigned twice", worker1, &tx.MsgLabourCountersign{Contract: id, Terms: m.Terms}, tx.CodeLabourWrongStatus, "active")

	c.fail("end of an unknown contract", shop, &tx.MsgLabourEnd{Contract: 7, End: "2025-04-30"}, tx.CodeLabourUnknownContract)
	c.fail("end by a stranger", shop2, &tx.MsgLabourEnd{Contract: id, End: "2025-04-30"}, tx.CodeLabourNotParty)
	c.fail("end before today", shop, &tx.MsgLabourEnd{Contract: id, End: "2025-02-28"}, tx.CodeLabourBadEnd, "block's date")
	c.fail("end after the contract's end", worker1, &tx.MsgLabourEnd{Contract: id, End: "2025-07-01"}, tx.CodeLabourBadEnd, "2025-06-30")
	res = c.ok("end", worker1, &tx.MsgLabourEnd{Contract: id, End: "2025-03-12"})
	if !apptest.HasEvent(res.Events, "labour.ended", "contract", "1", "end", "2025-03-12", "by", worker1.Addr.String()) {
		t.Fatalf("events %v", res.Events)
	}
	if k := c.contract(id); k.EndedOn != "2025-03-12" || k.Status != tx.LabourActive {
		t.Fatalf("contract %+v", k)
	}
	// The contract ends when the week of its last day closes.
	c.at(kst(2025, 3, 13, 9, 0))
	c.fail("clock in after the last day", worker1, &tx.MsgLabourClock{Contract: id, Action: tx.ClockIn}, tx.CodeLabourOutsidePeriod, "2025-03-12")
	c.at(kst(2025, 3, 17, 0, 0))
	if k := c.contract(id); k.Status != tx.LabourEnded || c.stats().Active != 0 {
		t.Fatalf("contract %+v, stats %+v", k, c.stats())
	}
	c.fail("end an ended contract", shop, &tx.MsgLabourEnd{Contract: id, End: "2025-03-31"}, tx.CodeLabourWrongStatus, "ended")
	c.fail("clock on an ended contract", worker1, &tx.MsgLabourClock{Contract: id, Action: tx.ClockIn}, tx.CodeLabourWrongStatus, "ended")

	// An offer never countersigned ends at once.
	m2 := offerMsg(worker2, "2025-04-01", days(180, 0, weekdays...), 10_030)
	c.ok("offer 2", shop, m2)
	c.fail("end before the start", shop, &tx.MsgLabourEnd{Contract: 2, End: "2025-03-31"}, tx.CodeLabourBadEnd, "before the contract's start")
	c.ok("withdraw the offer", shop, &tx.MsgLabourEnd{Contract: 2, End: "2025-04-01"})
	if k := c.contract(2); k.Status != tx.LabourEnded {
		t.Fatalf("contract %+v", k)
	}
	c.fail("countersign a withdrawn offer", worker2, &tx.MsgLabourCountersign{Contract: 2, Terms: m2.Terms}, tx.CodeLabourWrongStatus)
	page := query[tx.LabourContractPage](c, "contracts", tx.LabourContractsRequest{Employer: shop.Addr, Limit: 1})
	if len(page.Contracts) != 1 || page.Next != 1 {
		t.Fatalf("page %+v", page)
	}
	page = query[tx.LabourContractPage](c, "contracts", tx.LabourContractsRequest{Employer: shop.Addr, After: 1})
	if len(page.Contracts) != 1 || page.Contracts[0].ID != 2 || page.Next != 0 {
		t.Fatalf("page 2 %+v", page)
	}
	if page := query[tx.LabourContractPage](c, "contracts", tx.LabourContractsRequest{Worker: worker2.Addr}); len(page.Contracts) != 1 || page.Contracts[0].ID != 2 {
		t.Fatalf("worker2's contracts %+v", page)
	}
	c.h.ExportRoundTrip(t)
}

// TestMinimumWageYearBoundary: golden vector P2. A wage of 10,100 won
// (2025's minimum is 10,030) is accepted for a contract starting on
// 2025-12-29 and a shift on 2025-12-31; a shift clocked in on 2026-01-01
// (minimum 10,320) is refused with labour 5, and so is a correction
// moving a shift onto that date.
func TestMinimumWageYearBoundary(t *testing.T) {
	c := newChain(t)
	c.ok("deposit", shop, &tx.MsgLabourDeposit{AmountKRW: 1_000_000})
	id := c.hire(shop, worker1, offerMsg(worker1, "2025-12-29", days(180, 0, "mon", "tue", "wed", "thu", "fri"), 10_100))
	c.shiftAt(worker1, id, kst(2025, 12, 31, 20, 0), kst(2025, 12, 31, 23, 0))
	c.failAt(kst(2026, 1, 1, 9, 0), false, "clock in on 1 January", worker1, &tx.MsgLabourClock{Contract: id, Action: tx.ClockIn},
		tx.CodeLabourBelowMinimum, "10320", "2026-01-01")
	c.fail("correct onto 1 January", worker1, &tx.MsgLabourCorrect{Contract: id, Shift: 1,
		In: kst(2026, 1, 1, 0, 0).Unix(), Out: kst(2026, 1, 1, 1, 0).Unix()}, tx.CodeLabourBelowMinimum, "2026-01-01")
	c.at(kst(2026, 1, 5, 0, 0))
	s := c.statements(id)[0]
	if s.Status != tx.StatementPaid || s.GrossKRW != 30_300 {
		t.Fatalf("statement %+v", s)
	}
}

// TestClockRefusals: the worker alone clocks without a terminal, in only
// without a shift open and out only with one, never before the start.
func TestClockRefusals(t *testing.T) {
	c := newChain(t)
	id := c.hire(shop, worker1, offerMsg(worker1, "2025-03-10", days(180, 0, weekdays...), 10_030))
	c.fail("unknown contract", worker1, &tx.MsgLabourClock{Contract: 5, Action: tx.ClockIn}, tx.CodeLabourUnknownContract)
	c.fail("before the start", worker1, &tx.MsgLabourClock{Contract: id, Action: tx.ClockIn}, tx.CodeLabourOutsidePeriod, "2025-03-10")
	c.at(kst(2025, 3, 10, 8, 59))
	c.fail("the employer clocks the worker", shop, &tx.MsgLabourClock{Contract: id, Action: tx.ClockIn}, tx.CodeLabourNotParty, "not its worker")
	c.fail("out with none open", worker1, &tx.MsgLabourClock{Contract: id, Action: tx.ClockOut}, tx.CodeLabourClockState, "no open shift")
	res := c.ok("in", worker1, &tx.MsgLabourClock{Contract: id, Action: tx.ClockIn})
	if !apptest.HasEvent(res.Events, "labour.clock", "contract", "1", "shift", "1", "action", "in", "by", "worker") {
		t.Fatalf("events %v", res.Events)
	}
	c.fail("in twice", worker1, &tx.MsgLabourClock{Contract: id, Action: tx.ClockIn}, tx.CodeLabourClockState, "shift 1 is open")
	c.failAt(kst(2025, 3, 11, 9, 1), false, "out after 24 hours", worker1, &tx.MsgLabourClock{Contract: id, Action: tx.ClockOut}, tx.CodeLabourStampTime, "24 hours")
	// A shift left open 24 hours expires at its scheduled length when the
	// next clock-in comes.
	res = c.ok("in the next day", worker1, &tx.MsgLabourClock{Contract: id, Action: tx.ClockIn})
	if !apptest.HasEvent(res.Events, "labour.expired", "contract", "1", "shift", "1", "minutes", "180") {
		t.Fatalf("events %v", res.Events)
	}
	if s := c.shift(id, 1); s.OutBy != "expired" || s.Minutes != 180 || s.Out != s.In+180*60 {
		t.Fatalf("shift 1 %+v", s)
	}
	c.ok("out", worker1, &tx.MsgLabourClock{Contract: id, Action: tx.ClockOut})
	if s := c.shift(id, 2); s.Minutes != 0 || s.OutBy != "worker" {
		t.Fatalf("shift 2 %+v", s)
	}
	page := query[tx.LabourShiftPage](c, "shifts", tx.LabourShiftsRequest{Contract: id, Limit: 1})
	if len(page.Shifts) != 1 || page.Next != 1 {
		t.Fatalf("shifts %+v", page)
	}
	apptest.RequireCode(t, "shifts of no contract", c.h.Query("/labour/shifts", []byte(`{"contract":9}`), 0, false), tx.CodeAppNotFound)
}
