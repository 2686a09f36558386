package labour_test

import (
	"testing"
	"time"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/labour"
	"github.com/citychain/citychain/chain/tx"
)

// TestDailyCycle: a day worker (pay_cycle daily) holds the net of a shift
// in ukrw in the block of its clock-out, with no bank account; a shift of
// a daily contract cannot be corrected once on its statement; the weekly
// allowance comes on its own statement at the week's end (here 40 h
// contracted, every day worked: 8 h × 10,030 = 80,240 won).
func TestDailyCycle(t *testing.T) {
	c := newChain(t)
	c.ok("deposit", shop, &tx.MsgLabourDeposit{AmountKRW: 2_000_000})
	m := offerMsg(worker1, "2025-03-03", days(480, 60, weekdays...), 10_030)
	m.PayCycle, m.PayDay = tx.PayDaily, 0
	id := c.hire(shop, worker1, m)
	week := kst(2025, 3, 3, 0, 0)
	var paid uint64
	for d := range 5 {
		day := week.AddDate(0, 0, d)
		c.okAt(day.Add(9*time.Hour), "in", worker1, &tx.MsgLabourClock{Contract: id, Action: tx.ClockIn})
		before := c.krw(worker1.Addr)
		res := c.okAt(day.Add(18*time.Hour), "out", worker1, &tx.MsgLabourClock{Contract: id, Action: tx.ClockOut})
		if !apptest.HasEvent(res.Events, "labour.statement", "contract", "1", "gross_krw", "80240") {
			t.Fatalf("day %d: events %v", d, res.Events)
		}
		st := c.statements(id)
		s := st[len(st)-1]
		if s.Status != tx.StatementPaid || s.GrossKRW != 80_240 || s.PaidAt != c.now.Unix() || c.krw(worker1.Addr)-before != s.NetKRW {
			t.Fatalf("day %d: statement %+v, worker received %d", d, s, c.krw(worker1.Addr)-before)
		}
		if sh := c.shift(id, uint64(d+1)); sh.Statement != s.ID {
			t.Fatalf("shift %+v", sh)
		}
		paid += s.GrossKRW
	}
	c.fail("correct a paid daily shift", worker1, &tx.MsgLabourCorrect{Contract: id, Shift: 1, In: week.Add(9 * time.Hour).Unix(), Out: week.Add(19 * time.Hour).Unix()},
		tx.CodeLabourShiftSettled, "statement 1")
	c.at(week.AddDate(0, 0, 7))
	st := c.statements(id)
	if len(st) != 6 || st[5].GrossKRW != 80_240 || item(st[5], "weekly_holiday") != 80_240 || st[5].Status != tx.StatementPaid {
		t.Fatalf("statements %+v", st)
	}
	if f := c.fund(shop.Addr); f.PaidKRW != paid+80_240 {
		t.Fatalf("fund %+v", f)
	}
}

// TestMonthlyCycle: a monthly contract's weeks ending in a month are paid
// on one statement on pay_day of the next month, the gross computed once
// from the summed minutes and allowances; the state exports and imports
// while the statement is still taking weeks.
func TestMonthlyCycle(t *testing.T) {
	c := newChain(t)
	c.ok("deposit", shop, &tx.MsgLabourDeposit{AmountKRW: 5_000_000})
	m := offerMsg(worker1, "2025-03-03", days(185, 0, weekdays...), 10_037)
	m.PayCycle, m.PayDay = tx.PayMonthly, 10
	id := c.hire(shop, worker1, m)
	weeks := []time.Time{kst(2025, 3, 3, 0, 0), kst(2025, 3, 10, 0, 0), kst(2025, 3, 17, 0, 0), kst(2025, 3, 24, 0, 0), kst(2025, 3, 31, 0, 0)}
	var minutes, allowance uint64
	for i, w := range weeks {
		worked := []int{0, 1, 2, 3, 4}
		if i == 1 {
			worked = []int{0, 1, 3} // a week with days missed: no allowance
		}
		c.work(worker1, id, w, 185, worked...)
		if i < 4 { // the weeks ending in March
			minutes += 185 * uint64(len(worked))
			allowance += tx.AllowanceNumerator(925, len(worked) == 5)
		}
		if i == 2 {
			c.at(w.AddDate(0, 0, 7).Add(time.Hour)) // the third week closed
			c.h.ExportRoundTrip(t)
		}
	}
	c.at(kst(2025, 4, 9, 12, 0))
	st := c.statements(id)
	_, gross := tx.WeekGross(10_037, minutes, allowance)
	if len(st) != 2 || st[0].Status != tx.StatementPending || st[0].GrossKRW != gross || st[0].Due != kst(2025, 4, 10, 0, 0).Unix() ||
		st[0].From != weeks[0].Unix() || st[0].To != weeks[4].Unix() || st[1].Due != kst(2025, 5, 10, 0, 0).Unix() {
		t.Fatalf("statements %+v, want one of gross %d due 10 April and one due 10 May", st, gross)
	}
	for _, sh := range query[tx.LabourShiftPage](c, "shifts", tx.LabourShiftsRequest{Contract: id}).Shifts {
		if want := uint64(1); sh.In < weeks[4].Unix() && sh.Statement != want || sh.In >= weeks[4].Unix() && sh.Statement != 2 {
			t.Fatalf("shift %+v", sh)
		}
	}
	c.at(kst(2025, 4, 10, 0, 0))
	if s := c.statements(id)[0]; s.Status != tx.StatementPaid {
		t.Fatalf("statement %+v", s)
	}
}

// TestFIFO: a fund pays its statements oldest first. Two statements due
// together from a fund holding enough for the second only: both turn
// late. A deposit covering the first and its interest pays it, not the
// second; the next week's statements turn late behind it, one although
// the fund holds its gross; a deposit covering all pays them in order.
func TestFIFO(t *testing.T) {
	c := newChain(t)
	c.ok("deposit", shop, &tx.MsgLabourDeposit{AmountKRW: 100_000})
	c1 := c.hire(shop, worker1, offerMsg(worker1, "2025-11-03", days(300, 0, "mon", "tue"), 20_000)) // 200,000 a week
	c2 := c.hire(shop, worker2, offerMsg(worker2, "2025-11-03", days(150, 0, "mon", "tue"), 20_000)) // 100,000 a week
	week := kst(2025, 11, 3, 0, 0)
	both := func(w time.Time) {
		for d := range 2 {
			c.work(worker1, c1, w, 300, d)
			c.work(worker2, c2, w.Add(6*time.Hour), 150, d)
		}
	}
	both(week)
	res := c.at(week.AddDate(0, 0, 7))
	s1, s2 := c.statements(c1)[0], c.statements(c2)[0]
	if s1.ID != 1 || s2.ID != 2 || s1.Status != tx.StatementLate || s2.Status != tx.StatementLate || s2.GrossKRW != 100_000 {
		t.Fatalf("statements %+v %+v", s1, s2)
	}
	if !apptest.HasEvent(res.Events, "labour.late", "id", "2", "employer", shop.Addr.String()) {
		t.Fatalf("events %v", res.Events)
	}
	both(week.AddDate(0, 0, 7))
	// Two days late: 200,000 × 20 % × 2 / 365 = 219 won of interest.
	c.okAt(week.AddDate(0, 0, 9).Add(20*time.Hour), "deposit for the first", shop, &tx.MsgLabourDeposit{AmountKRW: 100_219})
	s1, s2 = c.statements(c1)[0], c.statements(c2)[0]
	if s1.Status != tx.StatementPaid || s1.InterestKRW != 219 || s1.DaysLate != 2 || s2.Status != tx.StatementLate {
		t.Fatalf("after the deposit: %+v %+v", s1, s2)
	}
	if f := c.fund(shop.Addr); f.BalanceKRW != 0 {
		t.Fatalf("fund %+v", f)
	}
	c.okAt(week.AddDate(0, 0, 13), "deposit for the second week of worker 1", shop, &tx.MsgLabourDeposit{AmountKRW: 100_000})
	c.at(week.AddDate(0, 0, 14))
	if s := c.statements(c1)[1]; s.Status != tx.StatementLate || s.ID != 3 {
		t.Fatalf("worker 1's second week %+v: late", s)
	}
	if s := c.statements(c2)[1]; s.Status != tx.StatementLate || s.ID != 4 || c.fund(shop.Addr).BalanceKRW != 100_000 {
		t.Fatalf("worker 2's second week %+v (fund %+v): late behind statement 2 although the fund holds its 100,000", s, c.fund(shop.Addr))
	}
	c.okAt(week.AddDate(0, 0, 15), "deposit for all", shop, &tx.MsgLabourDeposit{AmountKRW: 1_000_000})
	st := query[tx.LabourStatementPage](c, "statements", tx.LabourStatementsRequest{Employer: shop.Addr}).Statements
	if len(st) != 4 {
		t.Fatalf("statements %+v", st)
	}
	for _, s := range st {
		if s.Status != tx.StatementPaid || s.InterestKRW != tx.LateInterest(tx.DefaultLabourRules(), tx.RuleLateInterest, s.GrossKRW, s.Due, s.PaidAt) {
			t.Fatalf("statement %+v", s)
		}
	}
	if st[1].PaidAt != st[2].PaidAt || st[1].DaysLate != 8 || st[2].DaysLate != 1 {
		t.Fatalf("statements 2 to 4 %+v", st[1:])
	}
	if f := c.fund(shop.Addr); f.Late != 0 || f.OwedKRW != 0 || f.BalanceKRW+f.PaidKRW != f.DepositedKRW {
		t.Fatalf("fund %+v", f)
	}
	c.h.ExportRoundTrip(t)
}

// TestBudget: with max_payments_per_block 3, a pay day of five contracts
// closes three weeks in its first block, two more and one payment in the
// next, then pays the rest three a block, in (due, id) order.
func TestBudget(t *testing.T) {
	p := tx.LabourParams{MaxPaymentsPerBlock: 3}
	c := newChainWith(t, &labour.Genesis{Params: &p})
	c.ok("deposit", shop, &tx.MsgLabourDeposit{AmountKRW: 5_000_000})
	week := kst(2025, 3, 3, 0, 0)
	var ids []uint64
	for i, w := range crew {
		ids = append(ids, c.hire(shop, w, offerMsg(w, "2025-03-03", days(60+uint32(i), 0, "mon"), 12_000)))
	}
	c.at(week.Add(8 * time.Hour))
	for i, w := range crew {
		c.work(w, ids[i], week.Add(time.Duration(i)*2*time.Hour), 60+i, 0)
	}
	status := func() (out []string) {
		for _, s := range query[tx.LabourStatementPage](c, "statements", tx.LabourStatementsRequest{}).Statements {
			out = append(out, s.Status)
		}
		return out
	}
	want := [][]string{
		{"pending", "pending", "pending"},
		{"paid", "pending", "pending", "pending", "pending"},
		{"paid", "paid", "paid", "paid", "pending"},
		{"paid", "paid", "paid", "paid", "paid"},
	}
	queued := []uint64{5 + 3, 5 + 4, 5 + 1, 5} // five closings, and the statements waiting
	for i, w := range want {
		if i == 0 {
			c.at(week.AddDate(0, 0, 7))
		} else {
			c.block()
		}
		if got := status(); mustJSON(t, got) != mustJSON(t, w) {
			t.Fatalf("block %d: statuses %v, want %v", i, got, w)
		}
		if st := c.stats(); st.Queued != queued[i] {
			t.Fatalf("block %d: %d queued, want %d (%+v)", i, st.Queued, queued[i], st)
		}
	}
	for _, s := range query[tx.LabourStatementPage](c, "statements", tx.LabourStatementsRequest{}).Statements {
		if s.Contract != s.ID {
			t.Fatalf("statement %d of contract %d: not in closing order", s.ID, s.Contract)
		}
	}
	c.h.ExportRoundTrip(t)
}
