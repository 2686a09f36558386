package agent

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/citychain/citychain/edge/internal/outbox"
	"github.com/citychain/citychain/edge/internal/register"
	"github.com/citychain/citychain/edge/internal/state"
	"github.com/citychain/citychain/edge/reading"
)

func (a *Agent) pollLoop(ctx context.Context, d *device) {
	a.restoreFloor(d)
	t := time.NewTicker(a.cfg.PollInterval)
	defer t.Stop()
	// A clean stop records the exact last sequence number, so a restart
	// continues without a gap (after a crash it resumes above the
	// reservation instead).
	defer func() {
		if err := a.store.Flush(d.id, d.st); err != nil {
			a.log.Warn("saving device state on stop", "device", d.id, "err", err)
		}
	}()
	for {
		if err := a.poll(ctx, d); err != nil && ctx.Err() == nil {
			if errors.Is(err, outbox.ErrFull) {
				a.log.Debug("reading refused", "device", d.id, "err", err)
			} else {
				a.log.Warn("poll failed", "device", d.id, "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// poll reads the meter once and, if the outbox has room, persists the next
// sequence number, signs a reading and appends it to the outbox.
func (a *Agent) poll(ctx context.Context, d *device) error {
	a.m.polls.WithLabelValues(d.id).Inc()
	fail := func(err error) error {
		a.m.pollErrors.WithLabelValues(d.id).Inc()
		return err
	}
	s, err := d.meter.Read(ctx)
	if err != nil {
		return fail(err)
	}
	if s.HasW {
		a.m.power.WithLabelValues(d.id).Set(s.PowerW)
	}
	next := state.Device{Seq: d.st.Seq + 1, Acc: d.st.Acc}
	raw := s.Raw
	if s.Acc32 {
		if raw, next.Acc, err = d.st.Acc.Extend(uint32(s.Raw)); err != nil {
			return fail(fmt.Errorf("device %s: %w", d.id, err))
		}
	}
	if next.Value, err = register.ScaleUint(raw, s.Scale); err != nil {
		return fail(fmt.Errorf("device %s: %w", d.id, err))
	}
	if d.st.Seq > 0 && next.Value < d.st.Value {
		return fail(fmt.Errorf("device %s value %d after %d: %w", d.id, next.Value, d.st.Value, register.ErrBackwards))
	}
	if next.Seq == 0 {
		return fail(fmt.Errorf("device %s: sequence number exhausted", d.id))
	}
	// Take room in the outbox first, so a full outbox refuses the reading
	// without using up a sequence number.
	slot, err := a.outbox.Reserve()
	if err != nil {
		a.setAlarm(true, d.id)
		a.m.refused.WithLabelValues(d.id).Inc()
		return fmt.Errorf("device %s: %w", d.id, err)
	}
	defer slot.Release()
	// Persist before signing: Commit returns once the state on disk covers
	// next.Seq (a reserved high-water mark, written once per reservation)
	// and next's acc32 carry. A crash skips numbers, it never signs two
	// readings with the same one.
	if err := a.store.Commit(d.id, next); err != nil {
		return fail(err)
	}
	d.st = next
	r := reading.Reading{DeviceID: d.id, KeyEpoch: d.epoch, Seq: next.Seq, TimeMs: a.now().UnixMilli(), Kind: d.kind, Value: next.Value}
	signed, err := r.Sign(d.key)
	if err != nil {
		return fail(fmt.Errorf("device %s: %w", d.id, err))
	}
	wire, err := signed.Encode()
	if err != nil {
		return fail(fmt.Errorf("device %s: %w", d.id, err))
	}
	a.m.signed.WithLabelValues(d.id).Inc()
	if _, err := slot.Append(wire); err != nil {
		return fail(fmt.Errorf("device %s seq %d: %w", d.id, next.Seq, err))
	}
	if a.alarm.Load() && !a.outbox.Full() {
		a.setAlarm(false, d.id)
	}
	return nil
}

// restoreFloor raises the device's state to the newest of its readings
// the outbox has stored. The state file records the value only once per
// sequence reservation, so after a crash it can lag the last signed value;
// the outbox keeps that value, and a value below it must still produce no
// reading. (The sequence number cannot lag — the file holds a reservation
// above every number used — unless the state file was lost.)
func (a *Agent) restoreFloor(d *device) {
	seq, value, ok := a.outbox.Last(d.id)
	if !ok {
		return
	}
	if seq > d.st.Seq {
		a.log.Warn("device state is behind the outbox; continuing after the outbox's sequence number",
			"device", d.id, "state_seq", d.st.Seq, "outbox_seq", seq)
		d.st.Seq = seq
	}
	d.st.Value = max(d.st.Value, value)
}

func (a *Agent) setAlarm(on bool, device string) {
	if a.alarm.Swap(on) == on {
		return
	}
	if on {
		a.log.Error("outbox full: refusing new readings until the broker acknowledges queued ones",
			"device", device, "depth", a.outbox.Len(), "capacity", a.outbox.Capacity())
	} else {
		a.log.Info("outbox alarm cleared", "depth", a.outbox.Len())
	}
	a.pub.SetAlarm(on)
}
