package labour

import (
	"encoding/hex"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Accrual is a monthly contract's statement still taking weeks: the weeks
// closed so far that are due on the same day, as the exact minutes and
// allowance numerator (tx.AllowanceNumerator summed), so the statement's
// gross keeps one final rounding.
type Accrual struct {
	Contract     uint64 `json:"contract"`
	Statement    uint64 `json:"statement"`
	Due          int64  `json:"due"`
	Minutes      uint64 `json:"minutes"`
	AllowanceNum uint64 `json:"allowance_num"`
}

// newStatement stores a pending statement of c for [from, to) due at due
// with items and gross, and queues it.
func (b *batch) newStatement(c *tx.LabourContract, from, to, due int64, items []tx.StatementItem, gross uint64) *tx.WageStatement {
	st := b.st()
	st.Statements++
	s := &tx.WageStatement{
		ID: st.Statements, Contract: c.ID, Employer: c.Employer, Worker: c.Worker, WorkerID: c.WorkerID, Project: c.Project,
		From: from, To: to, Due: due, Items: items, Status: tx.StatementPending,
	}
	b.setGross(c, s, gross)
	putStatement(b.kv, s)
	indexStatement(b.kv, s)
	fund := fundOf(s)
	b.queue(dueKey(s.Due, s.ID), fund)
	b.kv.Set(fundQueueKey(fund, s.Due, s.ID), []byte{1})
	b.fundOfStatement(s).OwedKRW += gross
	b.ctx.Emit("labour.statement", "id", module.U64(s.ID), "contract", module.U64(c.ID), "worker", c.Worker.String(),
		"gross_krw", module.U64(gross), "due", i64(due))
	return s
}

// setGross sets s's gross and its deductions and net under the rates in
// force at its due time, for contract c's contracted weekly minutes.
func (b *batch) setGross(c *tx.LabourContract, s *tx.WageStatement, gross uint64) {
	b.deduct(s, gross, tx.WeeklyMinutes(c.Schedule))
}

func (b *batch) deduct(s *tx.WageStatement, gross, weeklyMinutes uint64) {
	s.GrossKRW = gross
	s.Deductions = tx.Deductions(b.rules(), s.Due, gross, weeklyMinutes)
	s.NetKRW = gross
	for _, d := range s.Deductions {
		s.NetKRW -= d.AmountKRW
	}
}

// insuredMinutes stands for the contracted weekly minutes of statement
// s's contract in tx.Deductions, which only asks whether they reach 60
// hours a month (tx.InsuredMonthly): s's deductions already tell, as they
// include the pension share exactly when they do.
func insuredMinutes(s *tx.WageStatement) uint64 {
	for _, d := range s.Deductions {
		if d.Name == tx.RulePension {
			return 40 * 60
		}
	}
	return 0
}

// closeWeek closes the week starting at c.ClosedThrough: the pay of its
// shifts (weekly and monthly cycles) and its weekly holiday allowance go
// on a statement due on the pay day (a monthly contract's weeks due the
// same day on one); the contract ends after the week of its last day.
func (b *batch) closeWeek(c *tx.LabourContract) {
	was := b.queuedAt(c)
	ws, we := c.ClosedThrough, c.ClosedThrough+weekSeconds
	if c.Open != 0 {
		if s := getShift(b.kv, c.ID, c.Open); s != nil && s.In < we {
			b.expire(c, s)
		}
	}
	last := lastDayOf(c)
	shifts := b.weekShifts(c, ws, we)
	var minutes uint64
	var worked [8]bool
	for _, s := range shifts {
		minutes += s.Minutes
		worked[tx.ISOWeekdayOf(s.In)] = true
	}
	allowance := tx.WeekAllowance(c, ws, func(day int64) bool { return worked[tx.ISOWeekdayOf(day)] })
	if c.PayCycle == tx.PayDaily {
		minutes = 0 // each shift was paid at its clock-out
	}
	if items, gross := tx.WeekGross(c.HourlyWage, minutes, allowance); gross > 0 {
		due := tx.PayDue(c.PayCycle, c.PayDay, ws, last)
		id := b.accrue(c, ws, we, due, minutes, allowance, items, gross)
		if c.PayCycle != tx.PayDaily {
			for i := range shifts {
				shifts[i].Statement = id
				putShift(b.kv, &shifts[i])
			}
		}
	}
	b.ctx.Emit("labour.week_closed", "contract", module.U64(c.ID), "week", tx.DateOf(ws), "minutes", module.U64(minutes),
		"allowance_minutes", module.U64(allowance/5))
	if last != 0 && last < we {
		c.Status = tx.LabourEnded
		b.st().Active--
	} else {
		c.ClosedThrough = we
	}
	putContract(b.kv, c)
	b.requeue(c, was)
}

// accrue puts a closed week's pay on a statement: a new one, or, for a
// monthly contract, the pending one of the same due day, whose gross is
// computed again from the summed minutes and allowance numerator. It
// returns the statement's id.
func (b *batch) accrue(c *tx.LabourContract, ws, we, due int64, minutes, allowance uint64, items []tx.StatementItem, gross uint64) uint64 {
	if c.PayCycle != tx.PayMonthly {
		return b.newStatement(c, ws, we, due, items, gross).ID
	}
	var a Accrual
	if store.GetJSON(b.kv, accrualKey(c.ID), &a) && a.Due == due {
		if s := getStatement(b.kv, a.Statement); s != nil && s.Status == tx.StatementPending {
			a.Minutes += minutes
			a.AllowanceNum += allowance
			items, total := tx.WeekGross(c.HourlyWage, a.Minutes, a.AllowanceNum)
			f := b.fundOfStatement(s)
			f.OwedKRW = f.OwedKRW - s.GrossKRW + total
			s.Items, s.To = items, we
			b.setGross(c, s, total)
			putStatement(b.kv, s)
			store.PutJSON(b.kv, accrualKey(c.ID), &a)
			return s.ID
		}
	}
	s := b.newStatement(c, ws, we, due, items, gross)
	store.PutJSON(b.kv, accrualKey(c.ID), &Accrual{Contract: c.ID, Statement: s.ID, Due: due, Minutes: minutes, AllowanceNum: allowance})
	return s.ID
}

// weekShifts returns c's complete shifts clocked in within [ws, we), by
// id. Clock-ins only go forward, so they are a run of ids: found by
// walking back from the last shift (the week closing is usually the last
// week worked), or by binary search when the walk goes on too long (a
// contract closing weeks long past).
func (b *batch) weekShifts(c *tx.LabourContract, ws, we int64) []tx.Shift {
	const walk = 16
	if c.Shifts == 0 {
		return nil
	}
	var back []tx.Shift
	first := uint64(0) // the first id with In >= ws, once known
	for id := c.Shifts; id >= 1 && c.Shifts-id < walk; id-- {
		s := getShift(b.kv, c.ID, id)
		if s.In < ws {
			first = id + 1
			break
		}
		if id == 1 {
			first = 1
		}
		back = append(back, *s)
	}
	if first == 0 {
		back = nil
		lo, hi := uint64(1), c.Shifts+1
		for lo < hi {
			mid := lo + (hi-lo)/2
			if s := getShift(b.kv, c.ID, mid); s.In < ws {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		first = lo
	}
	var out []tx.Shift
	for id := first; id <= c.Shifts; id++ {
		var s tx.Shift
		if n := c.Shifts - id; n < uint64(len(back)) {
			s = back[n]
		} else if p := getShift(b.kv, c.ID, id); p != nil {
			s = *p
		}
		if s.In >= we {
			break
		}
		if s.Out != 0 {
			out = append(out, s)
		}
	}
	return out
}

// pay tries to pay statement s (pending and due, or late) from its fund:
// the gross and the late-pay interest accrued until now must be in the
// fund. It reports whether it paid; a pending statement it cannot pay
// turns late.
func (b *batch) pay(s *tx.WageStatement) bool {
	f := b.fundOfStatement(s)
	interest := tx.LateInterest(b.rules(), tx.RuleLateInterest, s.GrossKRW, s.Due, b.now)
	paid := *s
	b.deduct(&paid, s.GrossKRW, insuredMinutes(s)) // the rates in force at the due time, as known now
	if f.BalanceKRW < s.GrossKRW+interest || b.send(s.Worker, paid.NetKRW+interest) != nil {
		// Short, or the worker's balance would overflow: late either way.
		if s.Status == tx.StatementPending {
			b.markLate(s)
		}
		return false
	}
	wasLate := s.Status == tx.StatementLate
	b.unqueue(s)
	*s = paid
	s.Status = tx.StatementPaid
	s.PaidAt = b.now
	s.DaysLate = tx.DaysLate(s.Due, b.now)
	s.InterestKRW = interest
	f.BalanceKRW -= s.GrossKRW + interest
	f.PaidKRW += s.GrossKRW + interest
	f.OwedKRW -= s.GrossKRW
	st := b.st()
	st.EscrowKRW -= s.GrossKRW + interest
	st.Paid++
	st.PaidKRW += s.GrossKRW
	st.InterestKRW += interest
	st.WithheldKRW += s.GrossKRW - s.NetKRW
	b.withheld += s.GrossKRW - s.NetKRW
	if wasLate {
		f.Late--
		st.Late--
		b.kv.Delete(lateKey(s.ID))
	}
	if s.Project != "" {
		owed := int64(0)
		if wasLate {
			owed = -int64(s.GrossKRW)
		}
		addLine(b.kv, s.Project, s.Worker, owed, s.GrossKRW)
	}
	putStatement(b.kv, s)
	sum := tx.LabourStatementHash(s)
	b.ctx.Emit("labour.paid", "id", module.U64(s.ID), "contract", module.U64(s.Contract), "worker", s.Worker.String(),
		"net_krw", module.U64(s.NetKRW), "interest_krw", module.U64(interest), "statement_hash", hex.EncodeToString(sum[:]))
	return true
}

// send moves won from the escrow to a worker (nothing for 0).
func (b *batch) send(to tx.Address, won uint64) error {
	if won == 0 {
		return nil
	}
	return b.k.bank.Send(b.ctx, EscrowAddress, to, tx.WonCoin(won))
}

// markLate turns a due pending statement late: visible to the worker and
// the ministry (event labour.late), retried when its fund receives money.
func (b *batch) markLate(s *tx.WageStatement) {
	b.unqueueDue(s)
	s.Status = tx.StatementLate
	putStatement(b.kv, s)
	b.kv.Set(lateKey(s.ID), []byte{1})
	b.fundOfStatement(s).Late++
	b.st().Late++
	if s.Project != "" {
		addLine(b.kv, s.Project, s.Worker, int64(s.GrossKRW), 0)
	}
	b.ctx.Emit("labour.late", "id", module.U64(s.ID), "contract", module.U64(s.Contract), "worker", s.Worker.String(),
		"employer", s.Employer.String(), "gross_krw", module.U64(s.GrossKRW), "due", i64(s.Due))
}

// unqueueDue takes a statement out of the due queue (its first payment
// attempt) and drops its contract's accrual.
func (b *batch) unqueueDue(s *tx.WageStatement) {
	if s.Status != tx.StatementPending {
		return
	}
	b.unqueueKey(dueKey(s.Due, s.ID))
	var a Accrual
	if store.GetJSON(b.kv, accrualKey(s.Contract), &a) && a.Statement == s.ID {
		b.kv.Delete(accrualKey(s.Contract))
	}
}

// unqueue takes a statement being paid out of every queue.
func (b *batch) unqueue(s *tx.WageStatement) {
	b.unqueueDue(s)
	b.kv.Delete(fundQueueKey(fundOf(s), s.Due, s.ID))
}
