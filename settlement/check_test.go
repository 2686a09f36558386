package settlement

import (
	"context"
	"crypto/ed25519"
	"log/slog"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/edge/reading"
	"github.com/citychain/citychain/edge/reading/readingtest"
	"github.com/citychain/citychain/settlement/internal/registry"
	"github.com/citychain/citychain/settlement/internal/store"
)

type fakeRegistry map[string]*registry.Device

func (f fakeRegistry) Device(_ context.Context, id string) (*registry.Device, error) {
	return f[id], nil
}

var fuzzKey = ed25519.NewKeyFromSeed(make([]byte, 32))

func testService(t testing.TB) *Service {
	st, err := store.New(store.Config{URL: "http://127.0.0.1:1", Bucket: "unused/autogen"})
	if err != nil {
		t.Fatal(err)
	}
	reg := fakeRegistry{
		"inv-1": {ID: "inv-1", Kind: tx.KindSolarInverter, Status: registry.StatusActive, KeyEpoch: 1, PubKey: fuzzKey.Public().(ed25519.PublicKey)},
		"ev-1":  {ID: "ev-1", Kind: tx.KindEVOdometer, Status: registry.StatusActive, KeyEpoch: 1, PubKey: fuzzKey.Public().(ed25519.PublicKey)},
		"old-1": {ID: "old-1", Kind: tx.KindSolarInverter, Status: registry.StatusRevoked, KeyEpoch: 1, PubKey: fuzzKey.Public().(ed25519.PublicKey)},
	}
	return &Service{
		cfg: Config{RetryMin: time.Millisecond, RetryMax: time.Millisecond}, log: slog.New(slog.DiscardHandler),
		store: st, reg: registry.New(reg, 0, 0), m: newMetrics(), anchors: newAnchorCache(),
		params: chainParams{IntervalSeconds: 900, MaxFutureSkewSeconds: 300}, sealedBelow: 1,
	}
}

func wire(t testing.TB, dev string, kind reading.Kind, epoch uint32, seq uint64, timeMs int64, value uint64) []byte {
	return readingtest.Wire(t, fuzzKey, reading.Reading{DeviceID: dev, KeyEpoch: epoch, Seq: seq, TimeMs: timeMs, Kind: kind, Value: value})
}

// Verdicts of a fresh worker, one reading at a time, in order.
func TestCheckVerdicts(t *testing.T) {
	s := testService(t)
	w := &worker{s: s, states: map[string]*deviceState{}}
	now := time.Now().UnixMilli()
	tamper := func(b []byte, i int) []byte { b = append([]byte(nil), b...); b[i] ^= 1; return b }
	for _, c := range []struct {
		name, topic string
		wire        []byte
		want        string
	}{
		{"first", "inv-1", wire(t, "inv-1", reading.KindEnergyWh, 1, 5, now, 100), ""},
		{"redelivered", "inv-1", wire(t, "inv-1", reading.KindEnergyWh, 1, 5, now, 100), reasonDuplicate},
		{"next", "inv-1", wire(t, "inv-1", reading.KindEnergyWh, 1, 6, now+1, 100), ""},
		{"rolled back", "inv-1", wire(t, "inv-1", reading.KindEnergyWh, 1, 7, now+2, 99), ReasonRolledBack},
		{"time regressed", "inv-1", wire(t, "inv-1", reading.KindEnergyWh, 1, 7, now-1, 101), ReasonTimeRegressed},
		{"forged", "inv-1", tamper(wire(t, "inv-1", reading.KindEnergyWh, 1, 8, now+3, 200), 40), ReasonBadSignature},
		{"malformed", "inv-1", []byte("hello"), ReasonMalformed},
		{"topic mismatch", "ev-1", wire(t, "inv-1", reading.KindEnergyWh, 1, 9, now+3, 200), ReasonTopicMismatch},
		{"unregistered", "ghost", wire(t, "ghost", reading.KindEnergyWh, 1, 1, now, 1), ReasonUnregistered},
		{"revoked", "old-1", wire(t, "old-1", reading.KindEnergyWh, 1, 1, now, 1), ReasonRevoked},
		{"wrong epoch", "inv-1", wire(t, "inv-1", reading.KindEnergyWh, 2, 10, now+4, 300), ReasonWrongEpoch},
		{"wrong kind", "inv-1", wire(t, "inv-1", reading.KindOdometerM, 1, 10, now+4, 300), ReasonWrongKind},
		{"future", "ev-1", wire(t, "ev-1", reading.KindOdometerM, 1, 1, now+3_600_000, 1), ReasonFutureTime},
		{"late", "ev-1", wire(t, "ev-1", reading.KindOdometerM, 1, 1, 0, 1), ReasonLate},
		{"ev", "ev-1", wire(t, "ev-1", reading.KindOdometerM, 1, 1, now, 1), ""},
	} {
		_, got, err := w.check(context.Background(), reading.Topic(c.topic), c.wire)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got != c.want {
			t.Errorf("%s: got verdict %q, want %q", c.name, got, c.want)
		}
	}
}

// Arbitrary bytes on a reading topic never panic the check, and what it
// accepts is a strictly decoded reading with a valid signature.
func FuzzCheck(f *testing.F) {
	now := time.Now().UnixMilli()
	f.Add("inv-1", wire(f, "inv-1", reading.KindEnergyWh, 1, 1, now, 10))
	f.Add("ev-1", wire(f, "ev-1", reading.KindOdometerM, 1, 3, now, 10))
	f.Add("inv-1", []byte{1, 1, 5})
	f.Add("x", []byte{})
	s := testService(f)
	f.Fuzz(func(t *testing.T, topicDev string, data []byte) {
		w := &worker{s: s, states: map[string]*deviceState{}}
		ctx, cancel := context.WithCancel(context.Background())
		cancel() // any store or chain lookup ends at once
		p, reason, err := w.check(ctx, reading.Topic(topicDev), data)
		if err != nil || reason != "" {
			return
		}
		r, derr := reading.Decode(data)
		if derr != nil || r.Verify(fuzzKey.Public().(ed25519.PublicKey)) != nil || p.line == "" {
			t.Fatalf("accepted %x: decode %v, line %q", data, derr, p.line)
		}
	})
}
