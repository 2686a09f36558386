package metering

import (
	"encoding/binary"

	"github.com/citychain/citychain/chain/internal/devices"
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/edge/reading"
)

// signingKey returns the key a reading must be signed with: the device's
// key of the reading's epoch. A reading of the current epoch verifies
// against the current key; one of an earlier epoch against that epoch's key
// only if it was signed before the epoch ended (a reading relayed late),
// else, like one of an unknown epoch, it is wrong_epoch. Every reading of a
// revoked device is rejected. A non-empty reason rejects the reading
// without verifying its signature.
func signingKey(dev *devices.Device, r reading.Reading) (tx.PubKey, string) {
	if dev.Status != devices.StatusActive {
		return nil, ReasonRevoked
	}
	pub, ok := dev.SigningKey(r.KeyEpoch, r.TimeMs)
	if !ok {
		return nil, ReasonWrongEpoch
	}
	return pub, ""
}

// floorReason checks a reading against the device's last accepted one
// (nil before the first): one meter whatever its key epoch, so the
// sequence must increase, the key epoch must not go back (the meter has
// moved to a newer key), the value must not go back (rolled_back, which
// flags the device) and neither may the time. It returns "" for a reading
// that continues the meter.
func floorReason(st *DeviceState, r reading.Reading) string {
	switch {
	case st == nil:
		return ""
	case r.Seq <= st.Seq:
		return ReasonReplayed
	case r.KeyEpoch < st.KeyEpoch:
		return ReasonWrongEpoch
	case r.Value < st.Value:
		return ReasonRolledBack
	case r.TimeMs < st.TimeMs:
		return ReasonTimeRegressed
	}
	return ""
}

// apply runs the per-device rules on a reading whose signature verified. It
// returns "" when the reading is accepted, else the reason it was rejected
// (rolled_back: new fraud evidence, counted in the device's flag; a
// rollback at or below the last one recorded is known_rollback and counts
// nothing).
func (k *Keeper) apply(ctx *module.Context, p Params, r reading.Reading) string {
	kv := k.kv(ctx)
	if limit := ctx.Time.Unix() + int64(p.MaxFutureSkewSeconds); r.TimeMs/1000 > limit {
		k.reject(ctx, r, ReasonFutureTime)
		return ReasonFutureTime
	}
	interval := uint64(r.TimeMs/1000) / p.IntervalSeconds
	st := k.State(ctx, r.DeviceID)
	var delta uint64
	// The floor carries across key epochs: a new key continues the same
	// meter, so its first reading is checked against, and its delta taken
	// from, the last reading of the previous epoch.
	switch reason := floorReason(st, r); {
	case st == nil:
		st = &DeviceState{Device: r.DeviceID}
	case reason == ReasonRolledBack && r.Seq <= st.LastRollbackSeq:
		k.reject(ctx, r, ReasonKnownRollback)
		return ReasonKnownRollback
	case reason == ReasonRolledBack:
		if st.Fraud == nil {
			st.Fraud = &Fraud{Height: ctx.Height, Seq: r.Seq, Value: r.Value, Previous: st.Value}
			ctx.Emit("metering.fraud_flagged", "device", r.DeviceID, "seq", module.U64(r.Seq),
				"value", module.U64(r.Value), "previous", module.U64(st.Value))
		}
		st.Fraud.Count++
		st.LastRollbackSeq = r.Seq
		putJSON(kv, deviceKey(r.DeviceID), st)
		if k.odometers != nil && r.Kind == reading.KindOdometerM {
			k.odometers.OdometerRollback(ctx, r, st.Value)
		}
		k.reject(ctx, r, ReasonRolledBack)
		return ReasonRolledBack
	case reason != "":
		k.reject(ctx, r, reason)
		return reason
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
			return ReasonOverflow
		}
	}
	if k.odometers != nil && r.Kind == reading.KindOdometerM {
		if reason := k.odometers.OdometerReading(ctx, r, interval); reason != "" {
			k.reject(ctx, r, reason)
			return reason
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
	return ""
}
