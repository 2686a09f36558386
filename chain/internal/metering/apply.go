package metering

import (
	"encoding/binary"

	"github.com/citychain/citychain/chain/internal/devices"
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/edge/reading"
)

// signingKey returns the key a reading must be signed with: the device's
// key of the reading's epoch. A non-empty reason rejects the reading
// without verifying its signature.
func signingKey(dev *devices.Device, r reading.Reading) (tx.PubKey, string) {
	switch {
	case dev.Status != devices.StatusActive:
		return nil, ReasonRevoked
	case r.KeyEpoch != dev.KeyEpoch:
		return nil, ReasonWrongEpoch
	}
	return dev.PubKey, ""
}

// apply runs the per-device rules on a reading whose signature verified.
func (k *Keeper) apply(ctx *module.Context, p Params, r reading.Reading) {
	kv := k.kv(ctx)
	if limit := ctx.Time.Unix() + int64(p.MaxFutureSkewSeconds); r.TimeMs/1000 > limit {
		k.reject(ctx, r, ReasonFutureTime)
		return
	}
	interval := uint64(r.TimeMs/1000) / p.IntervalSeconds
	st := k.State(ctx, r.DeviceID)
	var delta uint64
	switch {
	case st == nil:
		st = &DeviceState{Device: r.DeviceID}
	case st.KeyEpoch != r.KeyEpoch:
		// A new key epoch (a replaced or re-flashed meter) starts a new
		// baseline: no delta across the epochs, no rollback check.
	case r.Seq <= st.Seq:
		k.reject(ctx, r, ReasonReplayed)
		return
	case r.Value < st.Value:
		if st.Fraud == nil {
			st.Fraud = &Fraud{Height: ctx.Height, Seq: r.Seq, Value: r.Value, Previous: st.Value}
			ctx.Emit("metering.fraud_flagged", "device", r.DeviceID, "seq", module.U64(r.Seq),
				"value", module.U64(r.Value), "previous", module.U64(st.Value))
		}
		st.Fraud.Count++
		putJSON(kv, deviceKey(r.DeviceID), st)
		if k.odometers != nil && r.Kind == reading.KindOdometerM {
			k.odometers.OdometerRollback(ctx, r, st.Value)
		}
		k.reject(ctx, r, ReasonRolledBack)
		return
	case r.TimeMs < st.TimeMs:
		k.reject(ctx, r, ReasonTimeRegressed)
		return
	default:
		delta = r.Value - st.Value
	}
	var d, t uint64
	if delta > 0 {
		var ok1, ok2 bool
		d, ok1 = tx.AddUint64(getU64(kv, deltaKey(r.DeviceID, interval)), delta)
		t, ok2 = tx.AddUint64(getU64(kv, totalKey(byte(r.Kind), interval)), delta)
		if !ok1 || !ok2 {
			k.reject(ctx, r, ReasonOverflow)
			return
		}
	}
	if k.odometers != nil && r.Kind == reading.KindOdometerM {
		if reason := k.odometers.OdometerReading(ctx, r, interval); reason != "" {
			k.reject(ctx, r, reason)
			return
		}
	}
	if delta > 0 {
		kv.Set(deltaKey(r.DeviceID, interval), binary.BigEndian.AppendUint64(nil, d))
		kv.Set(totalKey(byte(r.Kind), interval), binary.BigEndian.AppendUint64(nil, t))
	}
	st.Seq, st.Value, st.TimeMs, st.KeyEpoch, st.Interval = r.Seq, r.Value, r.TimeMs, r.KeyEpoch, interval
	st.Accepted++
	putJSON(kv, deviceKey(r.DeviceID), st)
	ctx.Emit("metering.reading_accepted", "device", r.DeviceID, "seq", module.U64(r.Seq), "value", module.U64(r.Value),
		"interval", module.U64(interval), "delta", module.U64(delta), "kind", r.Kind.String())
}
