package labour_test

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/tx"
)

// item returns the amount of statement item name (0 when absent).
func item(s tx.WageStatement, name string) uint64 {
	for _, it := range s.Items {
		if it.Name == name {
			return it.AmountKRW
		}
	}
	return 0
}

// TestWeeklyHolidayAllowance: golden vectors P3 through the whole keeper.
// A 15 h/week contract (five days of 3 h) at 10,320 won: every day worked
// pays the hours and an allowance of 30,960 won; one day missed pays the
// hours only. A 45 h/week contract is capped at 40 h: 82,560 won. There
// is no employee count (the shop has three workers). Each is paid on the
// Monday after the week, net of the employee shares, into the worker's
// chain wallet.
func TestWeeklyHolidayAllowance(t *testing.T) {
	c := newChain(t)
	c.ok("deposit", shop, &tx.MsgLabourDeposit{AmountKRW: 5_000_000})
	week := kst(2026, 1, 5, 0, 0) // a Monday
	c1 := c.hire(shop, worker1, offerMsg(worker1, "2026-01-05", days(180, 0, weekdays...), 10_320))
	c2 := c.hire(shop, worker2, offerMsg(worker2, "2026-01-05", days(180, 0, weekdays...), 10_320))
	c3 := c.hire(shop, worker3, offerMsg(worker3, "2026-01-05", days(540, 60, weekdays...), 10_320))
	c.until(week)
	for d := range 5 {
		day := week.AddDate(0, 0, d)
		c.okAt(day.Add(7*time.Hour), "clock in", worker3, &tx.MsgLabourClock{Contract: c3, Action: tx.ClockIn})
		c.shiftAt(worker1, c1, day.Add(9*time.Hour), day.Add(12*time.Hour))
		if d != 2 { // worker2 misses Wednesday
			c.shiftAt(worker2, c2, day.Add(13*time.Hour), day.Add(16*time.Hour))
		}
		c.okAt(day.Add(17*time.Hour), "clock out", worker3, &tx.MsgLabourClock{Contract: c3, Action: tx.ClockOut}) // 10 h less the 1 h break
	}
	if got := c.statements(c1); len(got) != 0 {
		t.Fatalf("statements before the week closed: %+v", got)
	}
	before := [3]uint64{c.krw(worker1.Addr), c.krw(worker2.Addr), c.krw(worker3.Addr)}
	res := c.at(week.AddDate(0, 0, 7)) // Monday 00:00: the week closes, due at once
	// The labour.paid event carries the SHA-256 of the statement as
	// stored, which /labour/statement answers (provably).
	raw := c.raw("statement", tx.LabourStatementRequest{ID: 1}, true)
	c.proven("statement 1", raw)
	sum := sha256.Sum256(raw.Value)
	if !apptest.HasEvent(res.Events, "labour.paid", "id", "1", "statement_hash", hex.EncodeToString(sum[:])) {
		t.Fatalf("no labour.paid event with the statement's hash %x in %v", sum, res.Events)
	}
	for _, w := range []struct {
		name               string
		worker             apptest.Key
		contract           uint64
		minutes, allowance uint64
		gross              uint64
		before             uint64
	}{
		{"15 h, every day", worker1, c1, 900, 30_960, 154_800 + 30_960, before[0]},
		{"15 h, one day missed", worker2, c2, 720, 0, 123_840, before[1]},
		{"45 h, capped at 40", worker3, c3, 2700, 82_560, 464_400 + 82_560, before[2]},
	} {
		st := c.statements(w.contract)
		if len(st) != 1 {
			t.Fatalf("%s: %d statements, want 1", w.name, len(st))
		}
		s := st[0]
		if s.Status != tx.StatementPaid || item(s, "weekly_holiday") != w.allowance || s.GrossKRW != w.gross || item(s, "hours") != w.gross-w.allowance {
			t.Errorf("%s: statement %+v, want paid, allowance %d, gross %d", w.name, s, w.allowance, w.gross)
		}
		if s.Items[0].Minutes != w.minutes {
			t.Errorf("%s: %d minutes, want %d", w.name, s.Items[0].Minutes, w.minutes)
		}
		var ded uint64
		for _, d := range tx.Deductions(query[tx.LabourRules](c, "rules", struct{}{}).Rules, s.Due, s.GrossKRW, tx.WeeklyMinutes(c.contract(w.contract).Schedule)) {
			ded += d.AmountKRW
		}
		if s.NetKRW != s.GrossKRW-ded || s.InterestKRW != 0 || s.DaysLate != 0 {
			t.Errorf("%s: net %d (interest %d, %d days late), want %d", w.name, s.NetKRW, s.InterestKRW, s.DaysLate, s.GrossKRW-ded)
		}
		if got := c.krw(w.worker.Addr) - w.before; got != s.NetKRW {
			t.Errorf("%s: the worker received %d won, want the net %d", w.name, got, s.NetKRW)
		}
	}
}

// TestLateInterest: golden vector P5 through the keeper. A 1,000,000 won
// week (20 h at 50,000 won, a day missed) due on a Monday when the
// employer's fund is empty turns late (event labour.late, visible in the
// late statements); 30 days later a deposit pays it in that block's
// end-of-block work with interest tx.LateInterest = 16,438 won.
func TestLateInterest(t *testing.T) {
	c := newChain(t)
	week := kst(2026, 2, 2, 0, 0)
	id := c.hire(shop2, worker1, offerMsg(worker1, "2026-02-02", days(300, 0, weekdays...), 50_000))
	c.until(week)
	c.work(worker1, id, week, 300, 0, 1, 2, 3)
	due := week.AddDate(0, 0, 7)
	res := c.at(due.Add(time.Minute))
	if !apptest.HasEvent(res.Events, "labour.late", "contract", "1", "gross_krw", "1000000") {
		t.Fatalf("no labour.late event in %v", res.Events)
	}
	late := query[tx.LabourStatementPage](c, "statements", tx.LabourStatementsRequest{Late: true}).Statements
	if len(late) != 1 || late[0].GrossKRW != 1_000_000 || late[0].Status != tx.StatementLate || late[0].Due != due.Unix() {
		t.Fatalf("late statements %+v", late)
	}
	if f := c.fund(shop2.Addr); f.OwedKRW != 1_000_000 || f.Late != 1 {
		t.Fatalf("fund %+v", f)
	}
	c.until(due.AddDate(0, 0, 29).Add(12 * time.Hour))
	if s := c.statements(id)[0]; s.Status != tx.StatementLate {
		t.Fatalf("statement %+v before the deposit", s)
	}
	before := c.krw(worker1.Addr)
	c.okAt(due.AddDate(0, 0, 30).Add(10*time.Hour), "deposit", shop2, &tx.MsgLabourDeposit{AmountKRW: 2_000_000})
	s := c.statements(id)[0]
	want := tx.LateInterest(query[tx.LabourRules](c, "rules", struct{}{}).Rules, tx.RuleLateInterest, 1_000_000, s.Due, c.now.Unix())
	if want != 16_438 || s.Status != tx.StatementPaid || s.DaysLate != 30 || s.InterestKRW != 16_438 {
		t.Fatalf("statement %+v, want paid 30 days late with 16,438 won interest (tx.LateInterest %d)", s, want)
	}
	if got := c.krw(worker1.Addr) - before; got != s.NetKRW+16_438 {
		t.Fatalf("worker received %d, want net %d + interest 16,438", got, s.NetKRW)
	}
	if f := c.fund(shop2.Addr); f.BalanceKRW != 2_000_000-1_016_438 || f.OwedKRW != 0 || f.Late != 0 || f.PaidKRW != 1_016_438 {
		t.Fatalf("fund %+v", f)
	}
	if st := c.stats(); st.Late != 0 || st.Paid != 1 || st.InterestKRW != 16_438 || st.WithheldKRW != s.GrossKRW-s.NetKRW {
		t.Fatalf("stats %+v", st)
	}
	if got := c.krw(labourWithheld()); got != s.GrossKRW-s.NetKRW {
		t.Fatalf("labour/withheld holds %d, want the deductions %d", got, s.GrossKRW-s.NetKRW)
	}
}
