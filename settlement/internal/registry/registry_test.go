package registry

import (
	"crypto/ed25519"
	"crypto/sha256"
	"testing"
	"time"
)

func key(name string) ed25519.PublicKey {
	seed := sha256.Sum256([]byte("registry-test/" + name))
	return ed25519.NewKeyFromSeed(seed[:]).Public().(ed25519.PublicKey)
}

// TestSigningKey: settlement checks a reading against its own epoch's key
// as the chain does: the current key, or an earlier epoch's key for a
// reading signed before that epoch ended (relayed late), never after.
func TestSigningKey(t *testing.T) {
	k1, k2 := key("1"), key("2")
	rotated := time.Date(2025, 3, 1, 9, 0, 5, 250_000, time.UTC) // a block time, with sub-millisecond digits
	d := &Device{ID: "inv-1", Status: StatusActive, KeyEpoch: 2, PubKey: k2,
		Keys: []Key{{Epoch: 1, PubKey: k1, Until: rotated}, {Epoch: 2, PubKey: k2}}}
	at := rotated.UnixMilli()
	for _, c := range []struct {
		name  string
		epoch uint32
		ms    int64
		want  ed25519.PublicKey // nil: wrong epoch
	}{
		{"current epoch", 2, at - 60_000, k2},
		{"late reading of epoch 1, signed before the rotation", 1, at - 1, k1},
		{"epoch 1 in the rotation's millisecond, before its block time", 1, at, k1},
		{"epoch 1 signed after the rotation", 1, at + 1, nil},
		{"epoch 1 signed long after", 1, at + 3_600_000, nil},
		{"epoch 0", 0, at, nil},
		{"future epoch", 3, at, nil},
	} {
		got, ok := d.SigningKey(c.epoch, c.ms)
		if ok != (c.want != nil) || !got.Equal(c.want) && c.want != nil {
			t.Errorf("%s: SigningKey(%d, %d) = %x, %v; want %x", c.name, c.epoch, c.ms, got, ok, c.want)
		}
	}
	// Without the history (an older cache entry), only the current epoch.
	bare := &Device{ID: "inv-1", Status: StatusActive, KeyEpoch: 2, PubKey: k2}
	if _, ok := bare.SigningKey(1, at-1); ok {
		t.Error("an epoch missing from the history verified")
	}
	if got, ok := bare.SigningKey(2, at); !ok || !got.Equal(k2) {
		t.Errorf("current epoch without a history: got %x, %v", got, ok)
	}
}
