// Package metering is the chain side of the metering pipeline: it verifies
// the device signature of every reading itself (batch verification),
// enforces strictly increasing sequence numbers and non-decreasing
// cumulative values per device, derives per-device deltas per settlement
// interval, records the intervals' Merkle anchors, and flags for ever a
// device whose signed value went backwards.
package metering

import (
	"strconv"
	"time"

	"github.com/citychain/citychain/chain/internal/devices"
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/edge/reading"
)

// Params are the module's genesis parameters (declared in chain/tx, which
// clients import).
type Params = tx.MeteringParams

// Default bounds on the readings of a transaction and of a block.
const (
	// DefaultMaxReadingsPerTx is one full submit message, what settlement
	// sends per transaction.
	DefaultMaxReadingsPerTx = tx.MaxReadingsPerMsg
	// DefaultMaxReadingsPerBlock is forty full messages: about 0.1 s of
	// batch verification on one core of the benchmark machine
	// (chain/node.BenchmarkReadingsVerify), a few tenths of a second more
	// if every batch fails and is checked one signature at a time.
	DefaultMaxReadingsPerBlock = 40 * tx.MaxReadingsPerMsg
)

// DefaultParams: 15-minute intervals, 5 minutes of clock skew, one full
// message of readings per transaction and forty per block.
func DefaultParams() Params {
	return Params{
		IntervalSeconds: 900, MaxFutureSkewSeconds: 300,
		MaxReadingsPerTx: DefaultMaxReadingsPerTx, MaxReadingsPerBlock: DefaultMaxReadingsPerBlock,
	}
}

// DeviceState is the last accepted reading of a device, and its fraud flag.
type DeviceState struct {
	Device   string `json:"device"`
	Seq      uint64 `json:"seq"`
	Value    uint64 `json:"value"`
	TimeMs   int64  `json:"time_ms"`
	KeyEpoch uint32 `json:"key_epoch"`
	Interval uint64 `json:"interval"`
	Accepted uint64 `json:"accepted"`
	Fraud    *Fraud `json:"fraud"`
	// LastRollbackSeq is the sequence of the last rollback recorded as
	// evidence (counted in a fraud flag). A rollback at or below it is
	// old evidence: rejected unverified, counted nowhere, so relaying one
	// signed rollback again cannot raise a flag's count or re-flag a
	// cleared device.
	LastRollbackSeq uint64 `json:"last_rollback_seq,omitempty"`
	// FraudHistory keeps every cleared flag, oldest first: clearing a flag
	// never erases the evidence.
	FraudHistory []ClearedFraud `json:"fraud_history,omitempty"`
}

// ClearedFraud is a fraud flag an authority or vehicle registrar cleared
// after an investigation (metering/clear_fraud).
type ClearedFraud struct {
	Fraud         Fraud      `json:"fraud"`
	ClearedHeight int64      `json:"cleared_height"`
	ClearedTime   time.Time  `json:"cleared_time"`
	ClearedBy     tx.Address `json:"cleared_by"`
	Reason        string     `json:"reason"`
}

// FlaggedSince reports whether the device carried a fraud flag at any time
// from unix second since until now: it is flagged now, or a flag was
// cleared at or after since.
func (s *DeviceState) FlaggedSince(since int64) bool {
	if s == nil {
		return false
	}
	if s.Fraud != nil {
		return true
	}
	for _, c := range s.FraudHistory {
		if c.ClearedTime.Unix() >= since {
			return true
		}
	}
	return false
}

// Fraud records the first signed reading whose value went backwards. It is
// permanent: later valid readings do not clear it.
type Fraud struct {
	Height   int64  `json:"height"`
	Seq      uint64 `json:"seq"`
	Value    uint64 `json:"value"`
	Previous uint64 `json:"previous"`
	Count    uint64 `json:"count"`
}

// Anchor is the Merkle root of an interval's stored readings (declared in
// chain/tx).
type Anchor = tx.Anchor

// Devices is what metering needs of the devices module.
type Devices interface {
	Device(ctx *module.Context, id string) *devices.Device
}

// Roles is what metering needs of the auth module.
type Roles interface {
	HasRole(ctx *module.Context, addr tx.Address, role string) bool
	IsAuthority(ctx *module.Context, addr tx.Address) bool
}

// Odometers is told of signed ev_odometer readings (the vehicles module,
// which keeps each vehicle's odometer series). Both calls run inside the
// transaction that carries the reading.
type Odometers interface {
	// OdometerReading is called for a reading about to be accepted, after
	// every device rule passed; a non-empty reason rejects it instead.
	OdometerReading(ctx *module.Context, r reading.Reading, interval uint64) (reason string)
	// OdometerRollback is called for a reading rejected because its value
	// went below the device's last accepted value.
	OdometerRollback(ctx *module.Context, r reading.Reading, previous uint64)
}

// Keeper owns the metering module's state.
type Keeper struct {
	prefix    byte
	devices   Devices
	roles     Roles
	odometers Odometers
}

var _ module.Module = (*Keeper)(nil)

// NewKeeper returns the keeper for the module's key space under prefix.
func NewKeeper(prefix byte, devices Devices, roles Roles) *Keeper {
	return &Keeper{prefix: prefix, devices: devices, roles: roles}
}

// Name implements module.Module.
func (*Keeper) Name() string { return Codespace }

// SetOdometers wires the keeper told of odometer readings (set once, when
// the app wires its modules).
func (k *Keeper) SetOdometers(o Odometers) { k.odometers = o }

func (k *Keeper) kv(ctx *module.Context) store.KV { return ctx.Store(k.prefix) }

func getJSON(kv store.KV, key []byte, v any) bool { return store.GetJSON(kv, key, v) }

func putJSON(kv store.KV, key []byte, v any) { store.PutJSON(kv, key, v) }

func getU64(kv store.KV, key []byte) uint64 { return store.GetUint64(kv, key) }

// Params returns the module parameters.
func (k *Keeper) Params(ctx *module.Context) Params {
	var p Params
	if !getJSON(k.kv(ctx), paramsKey, &p) {
		return DefaultParams()
	}
	return p
}

// State returns a device's metering state, or nil before its first reading.
func (k *Keeper) State(ctx *module.Context, id string) *DeviceState {
	var s DeviceState
	if !getJSON(k.kv(ctx), deviceKey(id), &s) {
		return nil
	}
	return &s
}

// Delta returns a device's metered delta in an interval.
func (k *Keeper) Delta(ctx *module.Context, id string, interval uint64) uint64 {
	return getU64(k.kv(ctx), deltaKey(id, interval))
}

// Anchor returns an interval's anchor, or nil.
func (k *Keeper) Anchor(ctx *module.Context, interval uint64) *Anchor {
	var a Anchor
	if !getJSON(k.kv(ctx), anchorKey(interval), &a) {
		return nil
	}
	return &a
}

// CurrentInterval is the interval containing the block time.
func (k *Keeper) CurrentInterval(ctx *module.Context) uint64 {
	return uint64(ctx.Time.Unix()) / k.Params(ctx).IntervalSeconds
}

// Handle implements module.Module.
func (k *Keeper) Handle(ctx *module.Context, signer tx.Address, msg tx.Msg) error {
	switch m := msg.(type) {
	case *tx.MsgSubmitReadings:
		return k.submit(ctx, signer, m)
	case *tx.MsgAnchor:
		return k.anchor(ctx, signer, m)
	case *tx.MsgClearFraud:
		return k.clearFraud(ctx, signer, m)
	}
	return module.ErrInternal.Wrapf("metering cannot handle %s", msg.Type())
}

func (k *Keeper) anchor(ctx *module.Context, signer tx.Address, m *tx.MsgAnchor) error {
	if !k.roles.HasRole(ctx, signer, tx.RoleSettlement) {
		return ErrNotSettlement.Wrapf("%s does not hold role %q", signer, tx.RoleSettlement)
	}
	if cur := k.CurrentInterval(ctx); m.Interval >= cur {
		return ErrIntervalOpen.Wrapf("interval %d: the block is in interval %d; anchor only closed intervals", m.Interval, cur)
	}
	if a := k.Anchor(ctx, m.Interval); a != nil {
		return ErrAlreadyAnchored.Wrapf("interval %d has root %s from height %d", m.Interval, a.Root, a.Height)
	}
	putJSON(k.kv(ctx), anchorKey(m.Interval), &Anchor{
		Interval: m.Interval, Root: m.Root, Count: m.Count, Height: ctx.Height, Submitter: signer, Time: ctx.Time,
	})
	ctx.Emit("metering.anchored", "interval", module.U64(m.Interval), "root", m.Root.String(), "count", module.U64(m.Count))
	return nil
}

// clearFraud moves a device's fraud flag into its fraud history. Only an
// authority or a vehicle registrar may clear a flag; a later rollback flags
// the device again.
func (k *Keeper) clearFraud(ctx *module.Context, signer tx.Address, m *tx.MsgClearFraud) error {
	if !k.roles.IsAuthority(ctx, signer) && !k.roles.HasRole(ctx, signer, tx.RoleVehicleRegistrar) {
		return ErrNotClearer.Wrapf("%s is neither an authority nor holds role %q", signer, tx.RoleVehicleRegistrar)
	}
	st := k.State(ctx, m.Device)
	if st == nil || st.Fraud == nil {
		return ErrNotFlagged.Wrapf("device %q", m.Device)
	}
	f := *st.Fraud
	st.FraudHistory = append(st.FraudHistory, ClearedFraud{
		Fraud: f, ClearedHeight: ctx.Height, ClearedTime: ctx.Time, ClearedBy: signer, Reason: m.Reason,
	})
	st.Fraud = nil
	putJSON(k.kv(ctx), deviceKey(m.Device), st)
	ctx.Emit("metering.fraud_cleared", "device", m.Device, "by", signer.String(), "reason", m.Reason,
		"flagged_height", strconv.FormatInt(f.Height, 10), "count", module.U64(f.Count))
	return nil
}
