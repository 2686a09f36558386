package labour

import (
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/edge/signature"
)

// ByWorker is a shift's InBy/OutBy when the worker signed the clock
// event; ByExpired is its OutBy when it was left open 24 hours and closed
// at its scheduled length.
const (
	ByWorker  = "worker"
	ByExpired = "expired"
)

// clock clocks the worker of a contract in or out, at the block time
// (signed by the worker) or at a workplace terminal's stamped time.
func (b *batch) clock(signer tx.Address, m *tx.MsgLabourClock) error {
	c, err := b.contract(m.Contract)
	if err != nil {
		return err
	}
	switch c.Status {
	case tx.LabourOffered:
		return ErrNotCountersigned.Wrapf("contract %d: the worker has not countersigned it", c.ID)
	case tx.LabourEnded:
		return ErrWrongStatus.Wrapf("contract %d has ended", c.ID)
	}
	at, by := b.now, ByWorker
	if t := m.Terminal; t == nil {
		if signer != c.Worker {
			return ErrNotParty.Wrapf("contract %d: %s is not its worker %s (only a terminal's stamp may be relayed by another)", c.ID, signer, c.Worker)
		}
		if at < c.LastEvent {
			return ErrStampTime.Wrapf("block time %d: before the contract's last clock event at %d", at, c.LastEvent)
		}
	} else {
		if err := b.checkTerminal(c, m); err != nil {
			return err
		}
		at, by = t.At, t.Device
		switch {
		case at > b.now+tx.MaxClockSkew:
			return ErrStampTime.Wrapf("terminal.at %d: more than %d s after the block time %d", at, tx.MaxClockSkew, b.now)
		case at < b.now-tx.MaxClockDelay:
			return ErrStampTime.Wrapf("terminal.at %d: more than %d s before the block time %d", at, tx.MaxClockDelay, b.now)
		case at <= c.LastEvent:
			return ErrStampTime.Wrapf("terminal.at %d: not after the contract's last clock event at %d", at, c.LastEvent)
		}
	}
	was := b.queuedAt(c)
	if m.Action == tx.ClockIn {
		err = b.clockIn(c, at, by)
	} else {
		err = b.clockOut(c, at, by)
	}
	if err != nil {
		return err
	}
	putContract(b.kv, c)
	b.requeue(c, was)
	return nil
}

// checkTerminal checks a terminal stamp: an active work terminal of the
// contract's employer whose key of the stamp's epoch signed it.
func (b *batch) checkTerminal(c *tx.LabourContract, m *tx.MsgLabourClock) error {
	t := m.Terminal
	d := b.k.devices.Device(b.ctx, t.Device)
	switch {
	case d == nil:
		return ErrBadTerminal.Wrapf("terminal.device %q: no such device", t.Device)
	case d.Kind != tx.KindWorkTerminal:
		return ErrBadTerminal.Wrapf("terminal.device %q: a %s, want a %s", t.Device, d.Kind, tx.KindWorkTerminal)
	case d.Owner != c.Employer:
		return ErrBadTerminal.Wrapf("terminal.device %q: owned by %s, not the contract's employer %s", t.Device, d.Owner, c.Employer)
	case d.Status != "active":
		return ErrBadTerminal.Wrapf("terminal.device %q: %s", t.Device, d.Status)
	}
	pub, ok := d.SigningKey(t.KeyEpoch, t.At*1000)
	if !ok {
		return ErrBadTerminal.Wrapf("terminal.key_epoch %d: no key of the device signs at %d", t.KeyEpoch, t.At)
	}
	if !signature.Verify(pub, tx.LabourClockMessage(b.ctx.ChainID, c.ID, m.Action, t.At, t.Device), t.Signature) {
		return ErrBadTerminal.Wrapf("terminal.signature: does not verify against key epoch %d of %q", t.KeyEpoch, t.Device)
	}
	return nil
}

func (b *batch) clockIn(c *tx.LabourContract, at int64, by string) error {
	if c.Open != 0 {
		s := getShift(b.kv, c.ID, c.Open)
		if at < s.In+maxShiftSeconds {
			return ErrClockState.Wrapf("action in: shift %d is open since %d", s.ID, s.In)
		}
		b.expire(c, s)
	}
	day := tx.DateOf(at)
	if day < c.Start {
		return ErrOutsidePeriod.Wrapf("clock in on %s: before the contract's start %s", day, c.Start)
	}
	if last := lastDayOf(c); last != 0 && tx.DayStart(at) > last {
		return ErrOutsidePeriod.Wrapf("clock in on %s: after the contract's last day %s", day, tx.DateOf(last))
	}
	if at < c.ClosedThrough {
		return ErrStampTime.Wrapf("clock in at %d: in a week already closed (the first open week starts %s)", at, tx.DateOf(c.ClosedThrough))
	}
	if err := b.requireWage(c.HourlyWage, at, "the shift's date"); err != nil {
		return err
	}
	c.Shifts++
	c.Open = c.Shifts
	c.LastEvent = at
	putShift(b.kv, &tx.Shift{Contract: c.ID, ID: c.Shifts, In: at, InBy: by})
	b.st().Shifts++
	b.ctx.Emit("labour.clock", "contract", module.U64(c.ID), "shift", module.U64(c.Shifts), "action", tx.ClockIn, "at", i64(at), "by", by)
	return nil
}

func (b *batch) clockOut(c *tx.LabourContract, at int64, by string) error {
	if c.Open == 0 {
		return ErrClockState.Wrapf("action out: contract %d has no open shift", c.ID)
	}
	s := getShift(b.kv, c.ID, c.Open)
	if at > s.In+maxShiftSeconds {
		return ErrStampTime.Wrapf("clock out at %d: more than %d hours after the clock-in at %d (the shift expires at its scheduled length)", at, tx.MaxDayMinutes/60, s.In)
	}
	s.Out, s.OutBy = at, by
	s.Minutes = tx.PaidMinutes(c.Schedule, s.In, s.Out)
	c.Open = 0
	c.LastEvent = at
	b.ctx.Emit("labour.clock", "contract", module.U64(c.ID), "shift", module.U64(s.ID), "action", tx.ClockOut, "at", i64(at), "by", by,
		"minutes", module.U64(s.Minutes))
	b.finishShift(c, s)
	return nil
}

// expire closes a shift left open 24 hours at its scheduled length (the
// schedule's minutes and break of its weekday; none on a day off).
func (b *batch) expire(c *tx.LabourContract, s *tx.Shift) {
	d, _ := tx.ScheduleDay(c.Schedule, s.In)
	s.Out = s.In + int64(d.Minutes+d.BreakMinutes)*60
	s.OutBy = ByExpired
	s.Minutes = tx.PaidMinutes(c.Schedule, s.In, s.Out)
	c.Open = 0
	c.LastEvent = max(c.LastEvent, s.Out)
	b.ctx.Emit("labour.expired", "contract", module.U64(c.ID), "shift", module.U64(s.ID), "minutes", module.U64(s.Minutes))
	b.finishShift(c, s)
}

// finishShift stores a shift just closed; a daily contract's shift gets
// its statement, due now.
func (b *batch) finishShift(c *tx.LabourContract, s *tx.Shift) {
	if c.PayCycle == tx.PayDaily {
		items, gross := tx.WeekGross(c.HourlyWage, s.Minutes, 0)
		if gross > 0 {
			st := b.newStatement(c, s.In, s.Out, min(s.Out, b.now), items, gross)
			s.Statement = st.ID
		}
	}
	putShift(b.kv, s)
}

// correct corrects a complete shift of a week not yet closed. The
// worker's correction applies; the employer's applies unless it lowers
// the paid minutes, in which case it waits in Disputed for the worker.
func (b *batch) correct(signer tx.Address, m *tx.MsgLabourCorrect) error {
	c, err := b.contract(m.Contract)
	if err != nil {
		return err
	}
	if signer != c.Employer && signer != c.Worker {
		return ErrNotParty.Wrapf("contract %d: %s is neither its employer nor its worker", c.ID, signer)
	}
	s := getShift(b.kv, c.ID, m.Shift)
	switch {
	case s == nil:
		return ErrUnknownShift.Wrapf("shift %d: contract %d has %d shifts", m.Shift, c.ID, c.Shifts)
	case s.Out == 0:
		return ErrUnknownShift.Wrapf("shift %d: still open, clock out first", s.ID)
	case s.Statement != 0:
		return ErrShiftSettled.Wrapf("shift %d: on statement %d", s.ID, s.Statement)
	case c.Status == tx.LabourEnded || s.In < c.ClosedThrough:
		return ErrShiftSettled.Wrapf("shift %d: its week is closed", s.ID)
	}
	if day := tx.DateOf(m.In); day < c.Start {
		return ErrOutsidePeriod.Wrapf("in %d (%s): before the contract's start %s", m.In, day, c.Start)
	}
	if last := lastDayOf(c); last != 0 && tx.DayStart(m.In) > last {
		return ErrOutsidePeriod.Wrapf("in %d (%s): after the contract's last day %s", m.In, tx.DateOf(m.In), tx.DateOf(last))
	}
	switch {
	case m.In < c.ClosedThrough:
		return ErrShiftSettled.Wrapf("in %d: in a week already closed", m.In)
	case m.Out > b.now:
		return ErrStampTime.Wrapf("out %d: after the block time %d", m.Out, b.now)
	}
	if prev := getShift(b.kv, c.ID, s.ID-1); prev != nil && m.In < prev.Out {
		return ErrStampTime.Wrapf("in %d: before shift %d ended at %d", m.In, prev.ID, prev.Out)
	}
	if next := getShift(b.kv, c.ID, s.ID+1); next != nil && m.Out > next.In {
		return ErrStampTime.Wrapf("out %d: after shift %d began at %d", m.Out, next.ID, next.In)
	}
	if err := b.requireWage(c.HourlyWage, m.In, "the corrected shift's date"); err != nil {
		return err
	}
	corr := tx.ShiftCorrection{In: m.In, Out: m.Out, By: signer, Height: b.ctx.Height}
	minutes := tx.PaidMinutes(c.Schedule, m.In, m.Out)
	if signer == c.Employer && minutes < s.Minutes {
		s.Disputed = &corr
		putShift(b.kv, s)
		b.ctx.Emit("labour.disputed", "contract", module.U64(c.ID), "shift", module.U64(s.ID),
			"minutes", module.U64(s.Minutes), "proposed_minutes", module.U64(minutes))
		return nil
	}
	s.In, s.Out, s.Minutes = m.In, m.Out, minutes
	s.Corrections = append(s.Corrections, corr)
	if signer == c.Worker {
		s.Disputed = nil
	}
	b.ctx.Emit("labour.corrected", "contract", module.U64(c.ID), "shift", module.U64(s.ID), "minutes", module.U64(minutes), "by", signer.String())
	b.finishShift(c, s)
	return nil
}
