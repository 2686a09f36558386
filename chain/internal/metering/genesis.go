package metering

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/edge/reading"
)

// Genesis is the module's section of the genesis app state. A new chain
// gives only the parameters; the other fields restore an exported chain.
type Genesis struct {
	Params Params `json:"params"`
	// Devices are the devices' last accepted readings and fraud flags.
	Devices []DeviceState `json:"devices,omitempty"`
	// Deltas are each device's non-zero deltas, by interval.
	Deltas []DeviceDeltas `json:"deltas,omitempty"`
	// Totals are each reading kind's non-zero totals, by interval: the sum
	// of the deltas of the devices of that kind.
	Totals []KindTotals `json:"totals,omitempty"`
	// Anchors are the recorded interval anchors.
	Anchors []Anchor `json:"anchors,omitempty"`
}

// DeviceDeltas are one device's deltas, in increasing interval order.
type DeviceDeltas struct {
	Device    string          `json:"device"`
	Intervals []IntervalValue `json:"intervals"`
}

// KindTotals are the totals of one reading kind ("energy_wh",
// "odometer_m"), in increasing interval order.
type KindTotals struct {
	Kind      string          `json:"kind"`
	Intervals []IntervalValue `json:"intervals"`
}

var _ module.Exporter = (*Keeper)(nil)

// InitGenesis implements module.Module.
func (k *Keeper) InitGenesis(ctx *module.Context, raw json.RawMessage) error {
	g := Genesis{Params: DefaultParams()}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		return ErrInvalidGenesis.Wrapf("%v", err)
	}
	if err := validateParams(g.Params); err != nil {
		return ErrInvalidGenesis.Wrapf("params.%v", err)
	}
	putJSON(k.kv(ctx), paramsKey, g.Params)
	return k.restore(ctx, &g)
}

// Bounds of the reading limits a genesis may set.
const (
	// MaxMaxReadingsPerTx bounds max_readings_per_tx: the signature
	// verifications one CheckTx may cost (a 64 KiB transaction holds at
	// most about 330 readings anyway).
	MaxMaxReadingsPerTx = 1_000
	// MaxMaxReadingsPerBlock bounds max_readings_per_block: about 1.6 s of
	// batch verification on one core of the benchmark machine, several
	// seconds one signature at a time.
	MaxMaxReadingsPerBlock = 100_000
)

// validateParams checks the parameters a genesis sets; the error names the
// field (without "params."), its value and what is wanted.
func validateParams(p Params) error {
	if err := validateClock(p); err != nil { // interval_seconds, max_future_skew_seconds (params.go)
		return err
	}
	switch {
	case p.MaxReadingsPerTx < tx.MaxReadingsPerMsg || p.MaxReadingsPerTx > MaxMaxReadingsPerTx:
		return fmt.Errorf("max_readings_per_tx %d: want %d (one full submit message, what settlement sends) to %d",
			p.MaxReadingsPerTx, tx.MaxReadingsPerMsg, MaxMaxReadingsPerTx)
	case p.MaxReadingsPerBlock < p.MaxReadingsPerTx || p.MaxReadingsPerBlock > MaxMaxReadingsPerBlock:
		return fmt.Errorf("max_readings_per_block %d: want max_readings_per_tx (%d, so a full transaction fits in a block) to %d",
			p.MaxReadingsPerBlock, p.MaxReadingsPerTx, MaxMaxReadingsPerBlock)
	}
	return nil
}

// readingKind is the kind of reading a device kind measures (0 for none).
func readingKind(deviceKind string) reading.Kind {
	for _, k := range []reading.Kind{reading.KindEnergyWh, reading.KindOdometerM} {
		if k.MeasuredBy(deviceKind) {
			return k
		}
	}
	return 0
}

type kindInterval struct {
	kind     reading.Kind
	interval uint64
}

// restore writes the device states, deltas, totals and anchors of an
// exported chain, checking each against the device registry and the
// totals against the deltas.
func (k *Keeper) restore(ctx *module.Context, g *Genesis) error {
	kv := k.kv(ctx)
	for i := range g.Devices {
		s := &g.Devices[i]
		if err := tx.ValidateDeviceID(s.Device); err != nil {
			return ErrInvalidGenesis.Wrapf("devices[%d]: %v", i, err)
		}
		dev := k.devices.Device(ctx, s.Device)
		switch {
		case dev == nil:
			return ErrInvalidGenesis.Wrapf("devices[%d]: device %q is not registered", i, s.Device)
		case kv.Has(deviceKey(s.Device)):
			return ErrInvalidGenesis.Wrapf("devices[%d]: device %q listed twice", i, s.Device)
		case s.KeyEpoch < 1 || s.KeyEpoch > dev.KeyEpoch:
			return ErrInvalidGenesis.Wrapf("devices[%d] (%q): key_epoch %d: want 1 to the device's key epoch %d", i, s.Device, s.KeyEpoch, dev.KeyEpoch)
		case s.Fraud != nil && s.Fraud.Count == 0:
			return ErrInvalidGenesis.Wrapf("devices[%d] (%q): fraud.count 0: a flag counts at least one rollback", i, s.Device)
		}
		putJSON(kv, deviceKey(s.Device), s)
	}
	sums := map[kindInterval]uint64{} // the deltas summed per kind and interval; looked up only
	for i, dd := range g.Deltas {
		if !kv.Has(deviceKey(dd.Device)) {
			return ErrInvalidGenesis.Wrapf("deltas[%d]: device %q has no entry in devices", i, dd.Device)
		}
		kind := readingKind(k.devices.Device(ctx, dd.Device).Kind)
		err := eachInterval(dd.Intervals, func(j int, iv IntervalValue) error {
			key := deltaKey(dd.Device, iv.Interval)
			if kv.Has(key) {
				return fmt.Errorf("device %q listed twice", dd.Device)
			}
			ki := kindInterval{kind, iv.Interval}
			sum, ok := tx.AddUint64(sums[ki], iv.Delta)
			if !ok {
				return fmt.Errorf("the %s deltas of interval %d sum past 2^64-1", kind, iv.Interval)
			}
			sums[ki] = sum
			kv.Set(key, binary.BigEndian.AppendUint64(nil, iv.Delta))
			return nil
		})
		if err != nil {
			return ErrInvalidGenesis.Wrapf("deltas[%d] (device %q): %v", i, dd.Device, err)
		}
	}
	for i, kt := range g.Totals {
		kind, err := reading.ParseKind(kt.Kind)
		if err != nil {
			return ErrInvalidGenesis.Wrapf("totals[%d]: %v", i, err)
		}
		err = eachInterval(kt.Intervals, func(j int, iv IntervalValue) error {
			key := totalKey(byte(kind), iv.Interval)
			if kv.Has(key) {
				return fmt.Errorf("kind %s listed twice", kind)
			}
			if sum := sums[kindInterval{kind, iv.Interval}]; sum != iv.Delta {
				return fmt.Errorf("intervals[%d]: interval %d: total %d, but the deltas of its %s devices sum to %d", j, iv.Interval, iv.Delta, kind, sum)
			}
			kv.Set(key, binary.BigEndian.AppendUint64(nil, iv.Delta))
			return nil
		})
		if err != nil {
			return ErrInvalidGenesis.Wrapf("totals[%d] (%s): %v", i, kt.Kind, err)
		}
	}
	for i, dd := range g.Deltas {
		kind := readingKind(k.devices.Device(ctx, dd.Device).Kind)
		for _, iv := range dd.Intervals {
			if !kv.Has(totalKey(byte(kind), iv.Interval)) {
				return ErrInvalidGenesis.Wrapf("deltas[%d] (device %q): interval %d has no %s total in totals", i, dd.Device, iv.Interval, kind)
			}
		}
	}
	for i := range g.Anchors {
		a := &g.Anchors[i]
		switch {
		case len(a.Root) != 32:
			return ErrInvalidGenesis.Wrapf("anchors[%d] (interval %d): root %s: want a 32-byte SHA-256 Merkle root", i, a.Interval, a.Root)
		case a.Count == 0:
			return ErrInvalidGenesis.Wrapf("anchors[%d] (interval %d): count 0: want at least one reading under the root", i, a.Interval)
		case kv.Has(anchorKey(a.Interval)):
			return ErrInvalidGenesis.Wrapf("anchors[%d]: interval %d listed twice", i, a.Interval)
		}
		putJSON(kv, anchorKey(a.Interval), a)
	}
	return nil
}

// eachInterval calls fn for every value of a non-empty list of non-zero
// values in strictly increasing interval order.
func eachInterval(ivs []IntervalValue, fn func(j int, iv IntervalValue) error) error {
	if len(ivs) == 0 {
		return fmt.Errorf("intervals: want at least one")
	}
	for j, iv := range ivs {
		if j > 0 && iv.Interval <= ivs[j-1].Interval {
			return fmt.Errorf("intervals[%d]: interval %d after %d: want increasing intervals", j, iv.Interval, ivs[j-1].Interval)
		}
		if iv.Delta == 0 {
			return fmt.Errorf("intervals[%d]: interval %d: a zero value is not stored", j, iv.Interval)
		}
		if err := fn(j, iv); err != nil {
			return err
		}
	}
	return nil
}

// ExportGenesis implements module.Exporter: the parameters, every device
// state, delta, total and anchor.
func (k *Keeper) ExportGenesis(ctx *module.Context) (json.RawMessage, error) {
	var (
		g         Genesis
		hasParams bool
	)
	amount := func(value []byte) (uint64, error) {
		if len(value) != 8 || binary.BigEndian.Uint64(value) == 0 {
			return 0, fmt.Errorf("value %x: want a non-zero 8-byte amount", value)
		}
		return binary.BigEndian.Uint64(value), nil
	}
	return module.ExportSection(Codespace, k.kv(ctx), &g, func(key, value []byte) error {
		switch key[0] {
		case prefixParams:
			if len(key) != 1 {
				return module.ErrUnknownKey
			}
			if e := store.DecodeExact(value, &g.Params); e != nil {
				return fmt.Errorf("params: %v", e)
			}
			hasParams = true
		case prefixDevice:
			var s DeviceState
			if e := store.DecodeExact(value, &s); e != nil {
				return fmt.Errorf("device %q: %v", key[1:], e)
			}
			if s.Device != string(key[1:]) {
				return fmt.Errorf("device state stored under %q is of device %q", key[1:], s.Device)
			}
			g.Devices = append(g.Devices, s)
		case prefixDelta:
			if len(key) < 1+1+1+8 || key[len(key)-9] != 0 {
				return errors.New("delta key: want 0x03, a device id, 0x00 and an 8-byte interval")
			}
			id := string(key[1 : len(key)-9])
			v, e := amount(value)
			if e != nil {
				return e
			}
			iv := IntervalValue{Interval: binary.BigEndian.Uint64(key[len(key)-8:]), Delta: v}
			if n := len(g.Deltas); n > 0 && g.Deltas[n-1].Device == id {
				g.Deltas[n-1].Intervals = append(g.Deltas[n-1].Intervals, iv)
			} else {
				g.Deltas = append(g.Deltas, DeviceDeltas{Device: id, Intervals: []IntervalValue{iv}})
			}
		case prefixAnchor:
			var a Anchor
			if len(key) != 1+8 {
				return errors.New("anchor key: want 0x04 and an 8-byte interval")
			}
			if e := store.DecodeExact(value, &a); e != nil {
				return fmt.Errorf("anchor: %v", e)
			}
			if a.Interval != binary.BigEndian.Uint64(key[1:]) {
				return fmt.Errorf("anchor stored under interval %d is of interval %d", binary.BigEndian.Uint64(key[1:]), a.Interval)
			}
			g.Anchors = append(g.Anchors, a)
		case prefixTotal:
			if len(key) != 1+1+8 || !reading.Kind(key[1]).Valid() {
				return errors.New("total key: want 0x05, a known reading kind and an 8-byte interval")
			}
			kind := reading.Kind(key[1]).String()
			v, e := amount(value)
			if e != nil {
				return e
			}
			iv := IntervalValue{Interval: binary.BigEndian.Uint64(key[2:]), Delta: v}
			if n := len(g.Totals); n > 0 && g.Totals[n-1].Kind == kind {
				g.Totals[n-1].Intervals = append(g.Totals[n-1].Intervals, iv)
			} else {
				g.Totals = append(g.Totals, KindTotals{Kind: kind, Intervals: []IntervalValue{iv}})
			}
		default:
			return module.ErrUnknownKey
		}
		return nil
	}, module.RequireParams(&hasParams))
}
