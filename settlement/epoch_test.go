package settlement

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/edge/reading"
	"github.com/citychain/citychain/edge/reading/readingtest"
	"github.com/citychain/citychain/settlement/internal/registry"
)

// TestCheckAcrossKeyEpochs: settlement accepts what the chain accepts
// across a key rotation. A reading of epoch 1 signed before the rotation
// and relayed after it verifies against epoch 1's key; one signed at or
// after the rotation's block time is wrong_epoch. The new key continues
// the meter: a lower value is a rollback, and once a reading of epoch 2 is
// accepted, epoch 1 is over.
func TestCheckAcrossKeyEpochs(t *testing.T) {
	keyOf := func(name string) ed25519.PrivateKey {
		seed := sha256.Sum256([]byte("settlement-epoch-test/" + name))
		return ed25519.NewKeyFromSeed(seed[:])
	}
	k1, k2 := keyOf("1"), keyOf("2")
	pub := func(k ed25519.PrivateKey) tx.PubKey { return tx.PubKey(k.Public().(ed25519.PublicKey)) }
	rotated := time.Now().Add(-10 * time.Second).Truncate(time.Millisecond).Add(400 * time.Microsecond)
	registered := rotated.Add(-time.Hour)
	// The record as the chain answers /devices/device after the rotation.
	rec := &tx.Device{ID: "rot-1", Kind: tx.KindSolarInverter, Status: registry.StatusActive, KeyEpoch: 2, PubKey: pub(k2),
		Keys: []tx.DeviceKey{
			{Epoch: 1, PubKey: pub(k1), FromHeight: 1, ToHeight: 700, FromTime: registered, ToTime: rotated},
			{Epoch: 2, PubKey: pub(k2), FromHeight: 700, FromTime: rotated},
		}}
	dev, err := registryDevice(rec)
	if err != nil {
		t.Fatal(err)
	}
	s := testService(t)
	s.reg = registry.New(fakeRegistry{"rot-1": dev}, 0, 0)
	w := &worker{s: s, states: map[string]*deviceState{}}
	sign := func(k ed25519.PrivateKey, epoch uint32, seq uint64, at time.Time, value uint64) []byte {
		return readingtest.Wire(t, k, reading.Reading{DeviceID: "rot-1", KeyEpoch: epoch, Seq: seq, TimeMs: at.UnixMilli(), Kind: reading.KindEnergyWh, Value: value})
	}
	now := time.Now()
	for _, c := range []struct {
		name string
		wire []byte
		want string
	}{
		{"epoch 1 before the rotation", sign(k1, 1, 1, rotated.Add(-2*time.Second), 100), ""},
		{"epoch 1 signed after the rotation", sign(k1, 1, 2, rotated.Add(time.Millisecond), 110), ReasonWrongEpoch},
		{"epoch 1 signed long after the rotation", sign(k1, 1, 2, now, 110), ReasonWrongEpoch},
		{"epoch 1 reading signed by the epoch 2 key", sign(k2, 1, 2, rotated.Add(-time.Second), 110), ReasonBadSignature},
		{"late epoch 1 reading, signed before the rotation", sign(k1, 1, 2, rotated.Add(-time.Second), 110), ""},
		{"epoch 2 below epoch 1's value", sign(k2, 2, 3, now, 50), ReasonRolledBack},
		{"epoch 2 continuing the meter", sign(k2, 2, 3, now, 120), ""},
		{"epoch 1 after epoch 2 was accepted", sign(k1, 1, 4, rotated.Add(-time.Millisecond), 130), ReasonWrongEpoch},
		{"future epoch", sign(k2, 3, 5, now, 140), ReasonWrongEpoch},
		{"epoch 2 again", sign(k2, 2, 6, now.Add(time.Millisecond), 150), ""},
	} {
		_, got, err := w.check(context.Background(), reading.Topic("rot-1"), c.wire)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got != c.want {
			t.Errorf("%s: got verdict %q, want %q", c.name, got, c.want)
		}
	}
	if st := w.states["rot-1"]; st == nil || st.highSeq != 6 || st.lastValue != 150 || st.lastEpoch != 2 {
		t.Errorf("device state: got %+v", st)
	}
}
