package metering_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/metering"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/internal/vehicles"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/edge/reading"
	"github.com/citychain/citychain/edge/reading/readingtest"
)

const interval = 60 // seconds; 12 blocks of the harness

var settler = apptest.Settlement // the settlement relay, which alone submits readings

type device struct {
	id   string
	kind reading.Kind
	priv ed25519.PrivateKey
}

func newDevice(id string, kind reading.Kind) device {
	return device{id: id, kind: kind, priv: readingtest.Key("metering-test/" + id)}
}

func (d device) pub() tx.PubKey { return tx.PubKey(d.priv.Public().(ed25519.PublicKey)) }

// read signs a reading of the device at epoch 1.
func (d device) read(t *testing.T, seq uint64, timeMs int64, value uint64) tx.HexBytes {
	return d.readEpoch(t, 1, seq, timeMs, value)
}

func (d device) readEpoch(t *testing.T, epoch uint32, seq uint64, timeMs int64, value uint64) tx.HexBytes {
	t.Helper()
	return readingtest.Wire(t, d.priv, reading.Reading{DeviceID: d.id, KeyEpoch: epoch, Seq: seq, TimeMs: timeMs, Kind: d.kind, Value: value})
}

var (
	inv = newDevice("inv-1", reading.KindEnergyWh)
	ev  = newDevice("ev-1", reading.KindOdometerM)
)

func newHarness(t *testing.T) *apptest.Harness {
	t.Helper()
	st := apptest.BuildAppState(apptest.DemoAccounts(), []tx.MsgDeviceRegister{
		{ID: inv.id, Kind: tx.KindSolarInverter, Owner: apptest.Alice.Addr, PubKey: inv.pub()},
		{ID: ev.id, Kind: tx.KindEVOdometer, Owner: apptest.Bob.Addr, PubKey: ev.pub()},
	})
	raw, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	var sections map[string]json.RawMessage
	if err := json.Unmarshal(raw, &sections); err != nil {
		t.Fatal(err)
	}
	sections["metering"], _ = json.Marshal(metering.Genesis{Params: metering.Params{IntervalSeconds: interval, MaxFutureSkewSeconds: 30,
		MaxReadingsPerTx: metering.DefaultMaxReadingsPerTx, MaxReadingsPerBlock: metering.DefaultMaxReadingsPerBlock}})
	raw, _ = json.Marshal(sections)
	return apptest.New(t, apptest.Options{AppState: raw})
}

// now is the time of the next block in milliseconds.
func now(h *apptest.Harness) int64 { return apptest.BlockTime(h.Height + 1).UnixMilli() }

type outcome struct{ accepted, rejected map[string]string } // "device/seq" -> delta or reason

// submit relays readings as the settlement relay and collects the
// per-reading outcome from the events.
func submit(t *testing.T, h *apptest.Harness, rs ...tx.HexBytes) outcome {
	t.Helper()
	o, _ := relay(t, h, rs...)
	return o
}

func state(t *testing.T, h *apptest.Harness, id string) *metering.DeviceState {
	t.Helper()
	res := h.Query("/metering/device", []byte(id), 0, false)
	if res.Value == nil {
		return nil
	}
	var s metering.DeviceState
	if err := json.Unmarshal(res.Value, &s); err != nil {
		t.Fatal(err)
	}
	return &s
}

func TestReadingsAcceptedAndDeltas(t *testing.T) {
	h := newHarness(t)
	t0 := now(h)
	o := submit(t, h, inv.read(t, 1, t0, 1000), inv.read(t, 2, t0+1, 1500), ev.read(t, 1, t0, 42_000))
	if o.accepted["inv-1/1"] != "0" || o.accepted["inv-1/2"] != "500" || o.accepted["ev-1/1"] != "0" {
		t.Fatalf("got accepted %v rejected %v, want inv-1/1 baseline 0, inv-1/2 delta 500, ev-1/1 baseline", o.accepted, o.rejected)
	}
	t1 := now(h)
	if o := submit(t, h, inv.read(t, 5, t1, 1750)); o.accepted["inv-1/5"] != "250" {
		t.Fatalf("seq gap: got %v %v, want accepted with delta 250 (gaps are allowed, order is not)", o.accepted, o.rejected)
	}
	st := state(t, h, "inv-1")
	if st.Seq != 5 || st.Value != 1750 || st.Accepted != 3 || st.Fraud != nil {
		t.Fatalf("state: got %+v", st)
	}
	iv := uint64(t1/1000) / interval
	req, _ := json.Marshal(metering.RangeRequest{Device: "inv-1", From: iv - 10, To: iv + 10})
	var deltas []metering.IntervalValue
	if res := h.Query("/metering/deltas", req, 0, false); json.Unmarshal(res.Value, &deltas) != nil {
		t.Fatalf("deltas query: code %d %s", res.Code, res.Log)
	}
	var sum uint64
	for _, d := range deltas {
		sum += d.Delta
	}
	if sum != 750 {
		t.Fatalf("deltas %v: sum %d, want 750 (1750 - baseline 1000)", deltas, sum)
	}
	req, _ = json.Marshal(metering.RangeRequest{Kind: "energy_wh", From: iv - 10, To: iv + 10})
	var totals []metering.IntervalValue
	if res := h.Query("/metering/totals", req, 0, false); json.Unmarshal(res.Value, &totals) != nil {
		t.Fatalf("totals query: code %d %s", res.Code, res.Log)
	}
	var tsum uint64
	for _, d := range totals {
		tsum += d.Delta
	}
	if tsum != 750 {
		t.Fatalf("totals %v: sum %d, want 750", totals, tsum)
	}
}

func TestReadingsRejected(t *testing.T) {
	h := newHarness(t)
	t0 := now(h)
	submit(t, h, inv.read(t, 10, t0, 5000), ev.read(t, 3, t0, 9000))

	stranger := newDevice("ghost", reading.KindEnergyWh)
	forged := inv.read(t, 11, now(h), 6000)
	forged[len(forged)-1] ^= 0x01
	wrongKey := newDevice("inv-1", reading.KindEnergyWh)
	wrongKey.priv = ed25519.NewKeyFromSeed(make([]byte, 32))
	wrongKind := device{id: "inv-1", kind: reading.KindOdometerM, priv: inv.priv}
	t1 := now(h)
	o := submit(t, h,
		forged,                            // flipped signature bit
		wrongKey.read(t, 12, t1, 6000),    // signed by another key
		stranger.read(t, 1, t1, 1),        // not registered
		inv.read(t, 10, t1, 6000),         // same seq again
		inv.read(t, 9, t1, 6000),          // older seq
		inv.readEpoch(t, 2, 13, t1, 6000), // epoch the device does not have
		wrongKind.read(t, 14, t1, 6000),   // odometer reading from an inverter
		inv.read(t, 15, t1+120_000, 6000), // 2 minutes ahead of the block, skew is 30 s
		inv.read(t, 16, t0-1000, 6000),    // before the last accepted reading
		inv.read(t, 17, t1, 7000),         // valid: accepted amid the rejects
	)
	want := map[string]string{
		"inv-1/11": metering.ReasonBadSignature, "inv-1/12": metering.ReasonBadSignature,
		"ghost/1": metering.ReasonUnregistered, "inv-1/10": metering.ReasonReplayed, "inv-1/9": metering.ReasonReplayed,
		"inv-1/13": metering.ReasonWrongEpoch, "inv-1/14": metering.ReasonWrongKind, "inv-1/15": metering.ReasonFutureTime,
		"inv-1/16": metering.ReasonTimeRegressed,
	}
	for k, reason := range want {
		if o.rejected[k] != reason {
			t.Errorf("%s: got rejection %q, want %q", k, o.rejected[k], reason)
		}
	}
	if o.accepted["inv-1/17"] != "2000" {
		t.Errorf("inv-1/17: got accepted %v, want delta 2000", o.accepted)
	}

	// Revoked devices' readings are rejected.
	b := h.Block(h.Sign(apptest.Installer, &tx.MsgDeviceRevoke{ID: ev.id, Reason: "stolen"}))
	if b.TxResult(0).Code != 0 {
		t.Fatal(b.TxResult(0).Log)
	}
	// With nothing new in it, the message fails (CheckTx and block alike).
	h.RunFail("revoked device's reading", h.Sign(settler, &tx.MsgSubmitReadings{Readings: []tx.HexBytes{ev.read(t, 4, now(h), 9500)}}),
		tx.CodeMeteringNoNewReadings, metering.ReasonRevoked+" 1")
	if st := state(t, h, "ev-1"); st.Seq != 3 || st.Value != 9000 {
		t.Fatalf("revoked device state changed: %+v", st)
	}
}

func TestRollbackFlagsFraudForever(t *testing.T) {
	h := newHarness(t)
	submit(t, h, ev.read(t, 1, now(h), 100_000))
	b := h.Block(h.Sign(settler, &tx.MsgSubmitReadings{Readings: []tx.HexBytes{ev.read(t, 2, now(h), 90_000)}}))
	var flagged bool
	for _, e := range b.TxResult(0).Events {
		if e.Type == "metering.fraud_flagged" {
			flagged = true
		}
	}
	if !flagged {
		t.Fatal("no metering.fraud_flagged event for an odometer rolled back from 100000 to 90000")
	}
	st := state(t, h, "ev-1")
	if st.Fraud == nil || st.Fraud.Value != 90_000 || st.Fraud.Previous != 100_000 || st.Value != 100_000 || st.Seq != 1 {
		t.Fatalf("after rollback: got %+v, want fraud flag and the reading rejected", st)
	}
	// A later honest reading is accepted but the flag stays.
	if o := submit(t, h, ev.read(t, 3, now(h), 100_500)); o.accepted["ev-1/3"] != "500" {
		t.Fatalf("later reading: %v %v", o.accepted, o.rejected)
	}
	if st := state(t, h, "ev-1"); st.Fraud == nil || st.Fraud.Count != 1 {
		t.Fatalf("fraud flag after a valid reading: got %+v, want it kept", st.Fraud)
	}
	// A second rollback counts but keeps the first evidence.
	submit(t, h, ev.read(t, 4, now(h), 1))
	if st := state(t, h, "ev-1"); st.Fraud.Count != 2 || st.Fraud.Value != 90_000 {
		t.Fatalf("second rollback: got %+v", st.Fraud)
	}
}

// relay submits readings as the settlement relay and collects the
// per-reading outcome from the events. Every batch the key-epoch tests
// send carries at least one reading the chain accepts, so the transaction
// succeeds and its events (rejections and fraud flags included) are kept.
func relay(t *testing.T, h *apptest.Harness, rs ...tx.HexBytes) (outcome, []abci.Event) {
	t.Helper()
	b := h.Block(h.Sign(settler, &tx.MsgSubmitReadings{Readings: rs}))
	if b.Check[0].Code != abci.CodeTypeOK {
		t.Fatalf("submit (CheckTx): code %s/%d %s", b.Check[0].Codespace, b.Check[0].Code, b.Check[0].Log)
	}
	res := b.TxResult(0)
	if res.Code != abci.CodeTypeOK {
		t.Fatalf("submit: code %s/%d %s", res.Codespace, res.Code, res.Log)
	}
	o := outcome{accepted: map[string]string{}, rejected: map[string]string{}}
	for _, ev := range res.Events {
		attr := map[string]string{}
		for _, a := range ev.Attributes {
			attr[a.Key] = a.Value
		}
		key := attr["device"] + "/" + attr["seq"]
		switch ev.Type {
		case "metering.reading_accepted":
			o.accepted[key] = attr["delta"]
		case "metering.reading_rejected":
			o.rejected[key] = attr["reason"]
		}
	}
	if len(o.accepted)+len(o.rejected) != len(rs) {
		t.Fatalf("submit of %d readings: %d accepted, %d rejected", len(rs), len(o.accepted), len(o.rejected))
	}
	return o, res.Events
}

// rotate rotates d's key to a new one (as the installer of record) and
// returns the device signing with the new key, and the rotation's block
// time in milliseconds.
func rotate(t *testing.T, h *apptest.Harness, d device, name string) (device, int64) {
	t.Helper()
	next := d
	seed := sha256.Sum256([]byte("metering-test/" + name))
	next.priv = ed25519.NewKeyFromSeed(seed[:])
	h.RunOK("rotate "+d.id, h.Sign(apptest.Installer, &tx.MsgDeviceRotate{ID: d.id, PubKey: next.pub()}))
	return next, h.BlockTime(h.Height).UnixMilli()
}

// TestRotationContinuesTheMeter: a new key continues the same meter. Its
// first readings are checked against the last reading of the old epoch: a
// replayed sequence is rejected, a lower value is a rollback flagged as
// fraud, and the delta is taken across the epochs. Old-epoch readings
// signed after the rotation, and readings of an unknown epoch, are
// wrong_epoch.
func TestRotationContinuesTheMeter(t *testing.T) {
	h := newHarness(t)
	relay(t, h, inv.read(t, 1, now(h), 50_000), ev.read(t, 1, now(h), 1_000))
	newKey, rotatedMs := rotate(t, h, inv, "rotated")
	if d, _ := h.Device(inv.id); d.KeyEpoch != 2 || d.Keys[0].ToTime.UnixMilli() != rotatedMs {
		t.Fatalf("after rotation: got %+v", d)
	}

	// The gateway under the new key restarts the counter low and the
	// sequence at 1: both are refused, and the low value flags the device.
	t1 := now(h)
	o, evs := relay(t, h, newKey.readEpoch(t, 2, 1, t1, 60_000), newKey.readEpoch(t, 2, 2, t1, 10), ev.read(t, 2, t1, 1_100))
	if o.rejected["inv-1/1"] != metering.ReasonReplayed || o.rejected["inv-1/2"] != metering.ReasonRolledBack || o.accepted["ev-1/2"] != "100" {
		t.Fatalf("new epoch restarting seq and value: got accepted %v rejected %v, want inv-1/1 replayed, inv-1/2 rolled_back", o.accepted, o.rejected)
	}
	if !apptest.HasEvent(evs, "metering.fraud_flagged", "device", inv.id, "seq", "2", "value", "10", "previous", "50000") {
		t.Fatalf("no fraud_flagged event for a rollback after rotation: %v", evs)
	}
	st := state(t, h, inv.id)
	if st.Fraud == nil || st.Fraud.Value != 10 || st.Fraud.Previous != 50_000 || st.Seq != 1 || st.Value != 50_000 || st.KeyEpoch != 1 {
		t.Fatalf("after the rollback: got %+v %+v, want the epoch-1 reading kept and a fraud flag", st, st.Fraud)
	}

	// Continuing the meter: the delta spans the epochs.
	t2 := now(h)
	o, _ = relay(t, h, newKey.readEpoch(t, 2, 3, t2, 51_000))
	if o.accepted["inv-1/3"] != "1000" {
		t.Fatalf("first valid reading of epoch 2: got accepted %v rejected %v, want delta 1000 from the epoch-1 value", o.accepted, o.rejected)
	}
	if st := state(t, h, inv.id); st.KeyEpoch != 2 || st.Seq != 3 || st.Value != 51_000 || st.Fraud == nil {
		t.Fatalf("after epoch 2's first reading: got %+v, want epoch 2 at seq 3 with the flag kept", st)
	}

	// The old key after the rotation, a reading of the old epoch older
	// than the meter's key, a future epoch, a replay and a rollback of the
	// new epoch.
	t3 := now(h)
	o, _ = relay(t, h,
		inv.read(t, 4, t3, 52_000),              // old key, signed after epoch 1 ended
		inv.read(t, 5, rotatedMs-1, 52_000),     // old key, signed in time, but the meter is at epoch 2
		newKey.readEpoch(t, 3, 6, t3, 52_000),   // epoch 3 does not exist
		newKey.readEpoch(t, 2, 3, t3, 52_000),   // replayed
		newKey.readEpoch(t, 2, 7, t3+1, 50_999), // below 51000
		newKey.readEpoch(t, 2, 8, t3+2, 51_500), // valid
	)
	want := map[string]string{"inv-1/4": metering.ReasonWrongEpoch, "inv-1/5": metering.ReasonWrongEpoch, "inv-1/6": metering.ReasonWrongEpoch,
		"inv-1/3": metering.ReasonReplayed, "inv-1/7": metering.ReasonRolledBack}
	for k, reason := range want {
		if o.rejected[k] != reason {
			t.Errorf("%s: got rejection %q, want %q", k, o.rejected[k], reason)
		}
	}
	if o.accepted["inv-1/8"] != "500" {
		t.Errorf("inv-1/8: got accepted %v, want delta 500", o.accepted)
	}
	if st := state(t, h, inv.id); st.Fraud.Count != 2 || st.Value != 51_500 {
		t.Errorf("after the second rollback: got %+v %+v", st, st.Fraud)
	}
}

// TestLateReadingOfEarlierEpoch: a reading of epoch 1 signed before the
// rotation and relayed after it verifies against epoch 1's key and is
// accepted; one signed at or after the rotation's block time is not.
func TestLateReadingOfEarlierEpoch(t *testing.T) {
	h := newHarness(t)
	t0 := now(h)
	relay(t, h, inv.read(t, 1, t0, 1_000))
	late := inv.read(t, 2, t0+1_000, 1_500) // signed now, relayed after the rotation
	newKey, rotatedMs := rotate(t, h, inv, "late")
	if rotatedMs <= t0+1_000 {
		t.Fatalf("the rotation at %d is not after the late reading's time %d", rotatedMs, t0+1_000)
	}
	// The same epoch-1 reading signed by the new key does not verify:
	// an earlier epoch's reading is checked against that epoch's key.
	o, _ := relay(t, h, newKey.readEpoch(t, 1, 2, t0+1_000, 1_500), ev.read(t, 1, now(h), 5_000))
	if o.rejected["inv-1/2"] != metering.ReasonBadSignature {
		t.Fatalf("epoch-1 reading signed by the epoch-2 key: got accepted %v rejected %v, want bad_signature", o.accepted, o.rejected)
	}
	o, _ = relay(t, h, late)
	if o.accepted["inv-1/2"] != "500" {
		t.Fatalf("late epoch-1 reading signed before the rotation: got accepted %v rejected %v, want delta 500", o.accepted, o.rejected)
	}
	// Signed at the rotation's block time (the key's validity excludes it)
	// and a millisecond before it.
	o, _ = relay(t, h, inv.read(t, 3, rotatedMs, 1_600), inv.read(t, 4, rotatedMs-1, 1_700))
	if o.rejected["inv-1/3"] != metering.ReasonWrongEpoch || o.accepted["inv-1/4"] != "200" {
		t.Fatalf("epoch-1 readings at and before the rotation time: got accepted %v rejected %v, want inv-1/3 wrong_epoch, inv-1/4 delta 200",
			o.accepted, o.rejected)
	}
	if st := state(t, h, inv.id); st.KeyEpoch != 1 || st.Seq != 4 || st.Value != 1_700 || st.Fraud != nil {
		t.Fatalf("state: got %+v", st)
	}
	o, _ = relay(t, h, newKey.readEpoch(t, 2, 5, now(h), 2_000))
	if o.accepted["inv-1/5"] != "300" {
		t.Fatalf("epoch 2 after the late readings: got accepted %v rejected %v, want delta 300", o.accepted, o.rejected)
	}

	// Revocation ends every epoch: even a reading signed before it is
	// refused.
	before := inv.read(t, 6, now(h), 2_100)
	h.RunOK("revoke", h.Sign(apptest.Installer, &tx.MsgDeviceRevoke{ID: inv.id, Reason: "stolen"}))
	o, _ = relay(t, h, before, ev.read(t, 2, now(h), 5_100))
	if o.rejected["inv-1/6"] != metering.ReasonRevoked {
		t.Fatalf("reading of a revoked device: got accepted %v rejected %v, want revoked", o.accepted, o.rejected)
	}
}

// TestOdometerRollbackAfterRotation: restarting an odometer low under a
// new key (before a sale, say) is a rollback like any other: the device
// is flagged and the vehicle carries the odometer_rollback flag for ever.
func TestOdometerRollbackAfterRotation(t *testing.T) {
	h := newHarness(t)
	vin := "KMHKR81CPNU000001"
	if d, err := tx.VINCheckDigit(vin); err != nil {
		t.Fatal(err)
	} else {
		vin = vin[:8] + string(d) + vin[9:]
	}
	h.RunOK("register the vehicle", h.Sign(apptest.Registrar, &tx.MsgVehicleRegister{VIN: vin, Model: "Hyundai Ioniq 5", Year: 2024,
		Owner: apptest.Bob.Addr, OdometerDevice: ev.id, Battery: tx.Battery{CapacityWh: 77_400, Chemistry: "nmc", PassportID: "KR-BP-0001"}}))
	relay(t, h, ev.read(t, 1, now(h), 120_000_000))
	newKey, _ := rotate(t, h, ev, "odometer")
	o, evs := relay(t, h, newKey.readEpoch(t, 2, 2, now(h), 5_000), inv.read(t, 1, now(h), 1_000))
	if o.rejected["ev-1/2"] != metering.ReasonRolledBack {
		t.Fatalf("odometer restarted low after rotation: got accepted %v rejected %v, want rolled_back", o.accepted, o.rejected)
	}
	if !apptest.HasEvent(evs, "vehicles.flagged", "vin", vin, "kind", vehicles.FlagOdometerRollback, "device", ev.id, "value_m", "5000", "previous_m", "120000000") {
		t.Fatalf("no vehicles.flagged event: %v", evs)
	}
	var v vehicles.Vehicle
	h.QueryJSON(t, "/vehicles/vehicle", []byte(vin), &v)
	if !v.Flagged() || v.Odometer.Last == nil || v.Odometer.Last.ValueM != 120_000_000 {
		t.Fatalf("vehicle after the rollback: flags %+v, odometer %+v", v.Flags, v.Odometer)
	}
	if st := state(t, h, ev.id); st.Fraud == nil || st.Value != 120_000_000 {
		t.Fatalf("device state: got %+v", st)
	}
	// Continuing above the old value counts the distance across epochs.
	if o, _ := relay(t, h, newKey.readEpoch(t, 2, 3, now(h), 120_000_500)); o.accepted["ev-1/3"] != "500" {
		t.Fatalf("odometer continuing: got accepted %v rejected %v, want delta 500", o.accepted, o.rejected)
	}
}

func TestAnchor(t *testing.T) {
	h := newHarness(t)
	root := tx.HexBytes(sha256.New().Sum(nil))
	cur := uint64(apptest.BlockTime(h.Height+1).Unix()) / interval
	check := func(k apptest.Key, m *tx.MsgAnchor, want tx.Code) {
		t.Helper()
		seq := h.Seq(k)
		b := h.Block(h.Sign(k, m))
		gotCS, gotCode, log := b.Check[0].Codespace, b.Check[0].Code, b.Check[0].Log
		if gotCode == 0 {
			res := b.TxResult(0)
			gotCS, gotCode, log = res.Codespace, res.Code, res.Log
		} else {
			h.SetSeq(k, seq) // rejected by CheckTx: the sequence was not used
		}
		if !want.Matches(gotCS, gotCode) {
			t.Fatalf("anchor %+v by %s: got %s/%d %q, want %s/%d", m, k.Name, gotCS, gotCode, log, want.Codespace, want.Code)
		}
	}
	check(apptest.Alice, &tx.MsgAnchor{Interval: cur - 1, Root: root, Count: 3}, tx.CodeMeteringNotSettlement)
	check(settler, &tx.MsgAnchor{Interval: cur + 5, Root: root, Count: 3}, tx.CodeMeteringIntervalOpen)
	check(settler, &tx.MsgAnchor{Interval: cur - 1, Root: root, Count: 3}, tx.Code{})
	check(settler, &tx.MsgAnchor{Interval: cur - 1, Root: root, Count: 3}, tx.CodeMeteringAlreadyAnchored)
	check(settler, &tx.MsgAnchor{Interval: cur - 2, Root: root[:31], Count: 3}, tx.CodeTxInvalidMsg)

	res := h.Query("/metering/anchor", []byte(strconv.FormatUint(cur-1, 10)), 0, true)
	var a metering.Anchor
	if err := json.Unmarshal(res.Value, &a); err != nil {
		t.Fatal(err)
	}
	if a.Count != 3 || a.Root.String() != root.String() || a.Submitter != settler.Addr {
		t.Fatalf("anchor: got %+v", a)
	}
	var p = res.ProofOps.Ops[0]
	proof := decodeProof(t, p.Data)
	if err := store.VerifyProof(h.Hashes[res.Height], proof, res.Key, res.Value); err != nil {
		t.Fatalf("anchor proof: %v", err)
	}
	if res := h.Query("/metering/anchor", []byte(fmt.Sprint(cur-3)), 0, false); res.Value != nil || res.Code == 0 {
		t.Fatalf("absent anchor: got %s code %d", res.Value, res.Code)
	}
}

func TestClearFraud(t *testing.T) {
	h := newHarness(t)
	clear := &tx.MsgClearFraud{Device: ev.id, Reason: "odometer replaced after inspection"}
	h.RunFail("clear an unflagged device", h.Sign(apptest.Registrar, clear), tx.CodeMeteringNotFlagged, ev.id)
	submit(t, h, ev.read(t, 1, now(h), 100_000))
	h.RunFail("clear a device with readings but no flag", h.Sign(apptest.Registrar, clear), tx.CodeMeteringNotFlagged)
	submit(t, h, ev.read(t, 2, now(h), 90_000))
	flagged := state(t, h, ev.id).Fraud
	if flagged == nil {
		t.Fatal("rollback did not flag the device")
	}
	h.RunFail("clear by a citizen", h.Sign(apptest.Alice, clear), tx.CodeMeteringNotClearer, apptest.Alice.Addr.String())
	h.RunFail("clear by an installer", h.Sign(apptest.Installer, clear), tx.CodeMeteringNotClearer)
	h.RunFail("clear by the owner", h.Sign(apptest.Bob, clear), tx.CodeMeteringNotClearer)
	seq := h.Seq(apptest.Registrar)
	apptest.RequireCode(t, "empty reason", h.CheckTx(h.Sign(apptest.Registrar, &tx.MsgClearFraud{Device: ev.id})), tx.CodeTxInvalidMsg, "reason")
	h.SetSeq(apptest.Registrar, seq)

	res := h.RunOK("clear by the vehicle registrar", h.Sign(apptest.Registrar, clear))
	if !apptest.HasEvent(res.Events, "metering.fraud_cleared", "device", ev.id, "by", apptest.Registrar.Addr.String(),
		"reason", clear.Reason, "flagged_height", strconv.FormatInt(flagged.Height, 10), "count", "1") {
		t.Fatalf("events %v: want metering.fraud_cleared", res.Events)
	}
	st := state(t, h, ev.id)
	if st.Fraud != nil || len(st.FraudHistory) != 1 {
		t.Fatalf("after clear: got fraud %+v history %+v, want no flag and one history entry", st.Fraud, st.FraudHistory)
	}
	c := st.FraudHistory[0]
	if c.Fraud != *flagged || c.ClearedBy != apptest.Registrar.Addr || c.ClearedHeight != h.Height ||
		!c.ClearedTime.Equal(apptest.BlockTime(h.Height)) || c.Reason != clear.Reason {
		t.Fatalf("history entry: got %+v, want the flag %+v cleared at height %d", c, *flagged, h.Height)
	}
	if !st.FlaggedSince(apptest.BlockTime(h.Height).Unix()) || st.FlaggedSince(apptest.BlockTime(h.Height).Unix()+1) {
		t.Fatalf("FlaggedSince: want flagged until the clearing block's time and not after")
	}
	h.RunFail("clear twice", h.Sign(apptest.Registrar, clear), tx.CodeMeteringNotFlagged)

	// The value stays at the last accepted reading: a new rollback flags
	// again, and an authority may clear that one; the history keeps both.
	if o := submit(t, h, ev.read(t, 3, now(h), 99_999)); o.rejected["ev-1/3"] != metering.ReasonRolledBack {
		t.Fatalf("rollback after clear: got %v %v", o.accepted, o.rejected)
	}
	if st := state(t, h, ev.id); st.Fraud == nil || st.Fraud.Value != 99_999 || st.Fraud.Count != 1 {
		t.Fatalf("second flag: got %+v", st.Fraud)
	}
	h.RunOK("clear by an authority", h.Sign(apptest.Authority, clear))
	if st := state(t, h, ev.id); st.Fraud != nil || len(st.FraudHistory) != 2 || st.FraudHistory[1].Fraud.Value != 99_999 {
		t.Fatalf("after second clear: got %+v", st)
	}
}
