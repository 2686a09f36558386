package labour_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/tx"
)

// TestTerminalStamps: a clock event stamped by the employer's work
// terminal is accepted from any relay at the stamp's time; a terminal of
// another employer, a device that is not a terminal, an unknown or revoked
// terminal and a bad signature are refused with labour 13; a stamp too
// far ahead of or behind the block, or replayed, with labour 14.
func TestTerminalStamps(t *testing.T) {
	c := newChain(t)
	id := c.hire(shop, worker1, offerMsg(worker1, "2025-03-03", days(480, 60, weekdays...), 10_030))
	c.at(kst(2025, 3, 3, 8, 0))
	in := kst(2025, 3, 3, 8, 58)
	c.at(in.Add(time.Minute)) // the gateway relays a minute later
	c.fail("another employer's terminal", gateway, stamp(till2Key, till2, id, tx.ClockIn, in), tx.CodeLabourBadTerminal, "not the contract's employer")
	c.fail("not a terminal", gateway, stamp(meterKey, meter, id, tx.ClockIn, in), tx.CodeLabourBadTerminal, "solar")
	c.fail("unknown device", gateway, stamp(tillKey, "till-9", id, tx.ClockIn, in), tx.CodeLabourBadTerminal, "no such device")
	bad := stamp(tillKey, till, id, tx.ClockIn, in)
	bad.Terminal.Signature[0] ^= 1
	c.fail("bad signature", gateway, bad, tx.CodeLabourBadTerminal, "does not verify")
	other := stamp(tillKey, till, id, tx.ClockOut, in) // signed for out, sent as in
	other.Action = tx.ClockIn
	c.fail("signed for another action", gateway, other, tx.CodeLabourBadTerminal, "does not verify")
	epoch := stamp(tillKey, till, id, tx.ClockIn, in)
	epoch.Terminal.KeyEpoch = 2
	c.fail("unknown key epoch", gateway, epoch, tx.CodeLabourBadTerminal, "key_epoch 2")
	c.fail("from the future", gateway, stamp(tillKey, till, id, tx.ClockIn, c.now.Add(2*time.Minute)), tx.CodeLabourStampTime, "after the block time")
	c.fail("stale", gateway, stamp(tillKey, till, id, tx.ClockIn, c.now.Add(-48*time.Hour)), tx.CodeLabourStampTime, "before the block time")

	res := c.ok("stamped in", gateway, stamp(tillKey, till, id, tx.ClockIn, in))
	if !apptest.HasEvent(res.Events, "labour.clock", "action", "in", "at", i64s(in), "by", till) {
		t.Fatalf("events %v", res.Events)
	}
	c.fail("replayed", gateway, stamp(tillKey, till, id, tx.ClockIn, in), tx.CodeLabourStampTime, "not after the contract's last clock event")
	out := kst(2025, 3, 3, 18, 0)
	c.okAt(out, "stamped out by the shop itself", shop, stamp(tillKey, till, id, tx.ClockOut, out.Add(-30*time.Second)))
	s := c.shift(id, 1)
	if s.In != in.Unix() || s.InBy != till || s.OutBy != till || s.Minutes != 540+1-60 {
		t.Fatalf("shift %+v: want 08:58 to 17:59:30 less the hour's break", s)
	}
	// Revoked by its installer of record, the terminal stamps nothing.
	c.ok("revoke", apptest.Installer, &tx.MsgDeviceRevoke{ID: till, Reason: "stolen"})
	c.at(kst(2025, 3, 4, 8, 0))
	c.fail("revoked terminal", gateway, stamp(tillKey, till, id, tx.ClockIn, c.now), tx.CodeLabourBadTerminal, "revoked")
	c.ok("the worker clocks in itself", worker1, &tx.MsgLabourClock{Contract: id, Action: tx.ClockIn})
}

func i64s(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// TestCorrections: a correction names a complete shift of a week not yet
// closed. The employer's correction that lowers the hours is recorded as
// disputed and pay keeps the original; the worker's correction applies
// (and settles a dispute); the employer's correction raising the hours
// applies. A shift of a closed week cannot change.
func TestCorrections(t *testing.T) {
	c := newChain(t)
	c.ok("deposit", shop, &tx.MsgLabourDeposit{AmountKRW: 1_000_000})
	id := c.hire(shop, worker1, offerMsg(worker1, "2025-03-03", days(240, 0, "mon", "tue", "wed"), 12_000))
	week := kst(2025, 3, 3, 0, 0)
	at := func(d, h, m int) int64 {
		return week.AddDate(0, 0, d).Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute).Unix()
	}
	c.work(worker1, id, week, 240, 0, 1) // Mon, Tue 09:00-13:00
	c.okAt(week.AddDate(0, 0, 2).Add(9*time.Hour), "in", worker1, &tx.MsgLabourClock{Contract: id, Action: tx.ClockIn})

	c.fail("unknown contract", worker1, &tx.MsgLabourCorrect{Contract: 4, Shift: 1, In: at(0, 9, 0), Out: at(0, 12, 0)}, tx.CodeLabourUnknownContract)
	c.fail("not a party", shop2, &tx.MsgLabourCorrect{Contract: id, Shift: 1, In: at(0, 9, 0), Out: at(0, 12, 0)}, tx.CodeLabourNotParty)
	c.fail("unknown shift", worker1, &tx.MsgLabourCorrect{Contract: id, Shift: 9, In: at(0, 9, 0), Out: at(0, 12, 0)}, tx.CodeLabourUnknownShift, "shift 9")
	c.fail("an open shift", worker1, &tx.MsgLabourCorrect{Contract: id, Shift: 3, In: at(2, 9, 0), Out: at(2, 10, 0)}, tx.CodeLabourUnknownShift, "still open")
	c.fail("overlapping the next shift", worker1, &tx.MsgLabourCorrect{Contract: id, Shift: 1, In: at(0, 10, 0), Out: at(1, 9, 30)}, tx.CodeLabourStampTime, "shift 2")
	c.fail("overlapping the shift before", worker1, &tx.MsgLabourCorrect{Contract: id, Shift: 2, In: at(0, 12, 0), Out: at(1, 11, 0)}, tx.CodeLabourStampTime, "shift 1")
	c.fail("before the start", worker1, &tx.MsgLabourCorrect{Contract: id, Shift: 1, In: at(-1, 9, 0), Out: at(-1, 10, 0)}, tx.CodeLabourOutsidePeriod, "2025-03-03")

	res := c.ok("employer lowers Monday to 2 h", shop, &tx.MsgLabourCorrect{Contract: id, Shift: 1, In: at(0, 9, 0), Out: at(0, 11, 0)})
	if !apptest.HasEvent(res.Events, "labour.disputed", "shift", "1", "minutes", "240", "proposed_minutes", "120") {
		t.Fatalf("events %v", res.Events)
	}
	s := c.shift(id, 1)
	if s.Minutes != 240 || s.Disputed == nil || s.Disputed.Out != at(0, 11, 0) || len(s.Corrections) != 0 || s.Out != at(0, 13, 0) {
		t.Fatalf("shift 1 %+v", s)
	}
	c.ok("employer raises Tuesday to 5 h", shop, &tx.MsgLabourCorrect{Contract: id, Shift: 2, In: at(1, 9, 0), Out: at(1, 14, 0)})
	if s := c.shift(id, 2); s.Minutes != 300 || len(s.Corrections) != 1 || s.Corrections[0].By != shop.Addr {
		t.Fatalf("shift 2 %+v", s)
	}
	c.ok("worker lowers Tuesday to 4.5 h", worker1, &tx.MsgLabourCorrect{Contract: id, Shift: 2, In: at(1, 9, 0), Out: at(1, 13, 30)})
	if s := c.shift(id, 2); s.Minutes != 270 || len(s.Corrections) != 2 {
		t.Fatalf("shift 2 %+v", s)
	}
	c.okAt(week.AddDate(0, 0, 2).Add(13*time.Hour), "out", worker1, &tx.MsgLabourClock{Contract: id, Action: tx.ClockOut})
	c.at(week.AddDate(0, 0, 7))
	st := c.statements(id)
	// 240 (Monday, disputed: unchanged) + 270 + 240 minutes, every day
	// worked: 750 min × 12,000 / 60 + the allowance of 720 contracted
	// minutes (12 h: below 15 h, none).
	if len(st) != 1 || st[0].GrossKRW != 150_000 || st[0].Status != tx.StatementPaid {
		t.Fatalf("statements %+v", st)
	}
	c.fail("a shift of a closed week", worker1, &tx.MsgLabourCorrect{Contract: id, Shift: 1, In: at(0, 9, 0), Out: at(0, 11, 0)}, tx.CodeLabourShiftSettled, "statement 1")

	// The worker's correction settles a dispute.
	week2 := week.AddDate(0, 0, 7)
	c.work(worker1, id, week2, 240, 0)
	at2 := func(h int) int64 { return week2.Add(time.Duration(h) * time.Hour).Unix() }
	c.fail("in the future", worker1, &tx.MsgLabourCorrect{Contract: id, Shift: 4, In: at2(9), Out: at2(23)}, tx.CodeLabourStampTime, "after the block time")
	c.ok("employer lowers", shop, &tx.MsgLabourCorrect{Contract: id, Shift: 4, In: at2(9), Out: at2(11)})
	c.fail("into a closed week", worker1, &tx.MsgLabourCorrect{Contract: id, Shift: 4, In: at(6, 9, 0), Out: at(6, 11, 0)}, tx.CodeLabourShiftSettled, "closed")
	c.ok("worker agrees", worker1, &tx.MsgLabourCorrect{Contract: id, Shift: 4, In: at2(9), Out: at2(11)})
	if s := c.shift(id, 4); s.Minutes != 120 || s.Disputed != nil || len(s.Corrections) != 1 || s.Corrections[0].By != worker1.Addr {
		t.Fatalf("shift 4 %+v", s)
	}
	c.h.ExportRoundTrip(t)
}
