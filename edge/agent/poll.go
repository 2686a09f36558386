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
	t := time.NewTicker(a.cfg.PollInterval)
	defer t.Stop()
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
	// Persist before signing: a crash after this point skips the number,
	// it never signs two readings with the same one.
	if err := a.store.Save(d.id, next); err != nil {
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
