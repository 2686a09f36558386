package labour

import (
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
)

// minWage returns the minimum wage in force on the KST date of t (false
// when no row is in force yet).
func (b *batch) minWage(t int64) (uint64, bool) { return tx.RuleAt(b.rules(), tx.RuleMinWage, t) }

// requireWage refuses wage below the minimum wage in force on the date of
// t; what names the date's role in the error.
func (b *batch) requireWage(wage uint64, t int64, what string) error {
	if floor, ok := b.minWage(t); ok && wage < floor {
		return ErrBelowMinimum.Wrapf("hourly_wage %d: below the minimum wage of %d won an hour in force on %s (%s)", wage, floor, tx.DateOf(t), what)
	}
	return nil
}

// offer stores a contract offered by its employer, the signer.
func (b *batch) offer(signer tx.Address, m *tx.MsgLabourOffer) error {
	if m.Worker == signer {
		return ErrSelfEmployment.Wrapf("worker %s: the employer (signer) cannot employ itself", m.Worker)
	}
	start, _ := tx.ParseDate("start", m.Start)
	if err := b.requireWage(m.HourlyWage, start, "the contract's start"); err != nil {
		return err
	}
	if today := tx.DateOf(b.now); m.End != "" && m.End < today {
		return ErrBadEnd.Wrapf("end %s: before the block's date %s", m.End, today)
	}
	if m.Project != "" {
		if b.k.projects == nil {
			return ErrProjectEmployer.Wrapf("project %q: no contracts module", m.Project)
		}
		exists, employs := b.k.projects.ProjectEmployer(b.ctx, m.Project, signer)
		switch {
		case !exists:
			return ErrProjectEmployer.Wrapf("project %q: no such public-works contract", m.Project)
		case !employs:
			return ErrProjectEmployer.Wrapf("project %q: %s is not its prime contractor or one of its subcontractors", m.Project, signer)
		}
	}
	st := b.st()
	st.Contracts++
	c := &tx.LabourContract{ID: st.Contracts, Employer: signer, MsgLabourOffer: *m, Status: tx.LabourOffered}
	putContract(b.kv, c)
	indexContract(b.kv, c)
	b.ctx.Emit("labour.offered", "contract", module.U64(c.ID), "employer", signer.String(), "worker", m.Worker.String())
	return nil
}

// contract returns contract id or ErrUnknownContract.
func (b *batch) contract(id uint64) (*tx.LabourContract, error) {
	c := getContract(b.kv, id)
	if c == nil {
		return nil, ErrUnknownContract.Wrapf("contract %d: no such contract", id)
	}
	return c, nil
}

// countersign is the worker's signature: the contract becomes active and
// its first week (the one holding the later of its start and now) is
// queued for closing.
func (b *batch) countersign(signer tx.Address, m *tx.MsgLabourCountersign) error {
	c, err := b.contract(m.Contract)
	if err != nil {
		return err
	}
	switch {
	case signer != c.Worker:
		return ErrNotParty.Wrapf("contract %d: %s is not its worker %s", c.ID, signer, c.Worker)
	case c.Status != tx.LabourOffered:
		return ErrWrongStatus.Wrapf("contract %d is %s, want %s", c.ID, c.Status, tx.LabourOffered)
	case m.Terms != c.Terms:
		return ErrTermsMismatch.Wrapf("terms %s: the offer's terms are %s", m.Terms, c.Terms)
	}
	if today := tx.DateOf(b.now); c.End != "" && c.End < today {
		return ErrBadEnd.Wrapf("contract %d: its end %s is before the block's date %s", c.ID, c.End, today)
	}
	c.Status = tx.LabourActive
	c.Countersigned = b.now
	c.ClosedThrough = tx.WeekStart(max(startDayOf(c), b.now))
	putContract(b.kv, c)
	b.st().Active++
	b.requeue(c, 0)
	b.ctx.Emit("labour.countersigned", "contract", module.U64(c.ID), "worker", signer.String())
	return nil
}

// end sets the last working day of an active contract (it ends when that
// week closes) or ends an offered one at once.
func (b *batch) end(signer tx.Address, m *tx.MsgLabourEnd) error {
	c, err := b.contract(m.Contract)
	if err != nil {
		return err
	}
	today := tx.DateOf(b.now)
	switch {
	case signer != c.Employer && signer != c.Worker:
		return ErrNotParty.Wrapf("contract %d: %s is neither its employer nor its worker", c.ID, signer)
	case c.Status != tx.LabourActive && c.Status != tx.LabourOffered:
		return ErrWrongStatus.Wrapf("contract %d is %s, want %s or %s", c.ID, c.Status, tx.LabourActive, tx.LabourOffered)
	case m.End < today:
		return ErrBadEnd.Wrapf("end %s: before the block's date %s", m.End, today)
	case c.End != "" && m.End > c.End:
		return ErrBadEnd.Wrapf("end %s: after the contract's end %s", m.End, c.End)
	case m.End < c.Start:
		return ErrBadEnd.Wrapf("end %s: before the contract's start %s", m.End, c.Start)
	}
	c.EndedOn = m.End
	if c.Status == tx.LabourOffered {
		c.Status = tx.LabourEnded
	}
	putContract(b.kv, c)
	b.ctx.Emit("labour.ended", "contract", module.U64(c.ID), "end", m.End, "by", signer.String())
	return nil
}

// startDayOf and lastDayOf are c's first and last days (tx.LabourContract.Period).
func startDayOf(c *tx.LabourContract) int64 { s, _ := c.Period(); return s }
func lastDayOf(c *tx.LabourContract) int64  { _, l := c.Period(); return l }
