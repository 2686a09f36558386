package tx_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/tx"
)

// TestDeviceSigningKey: a reading verifies against its own epoch's key:
// the current one, or an earlier one only if signed before that epoch
// ended (the end itself excluded).
func TestDeviceSigningKey(t *testing.T) {
	k1, k2, k3 := pubOf(testKey("epoch-1")), pubOf(testKey("epoch-2")), pubOf(testKey("epoch-3"))
	t0 := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	end1 := t0.Add(time.Hour + 500*time.Microsecond) // block times carry sub-millisecond parts
	end2 := t0.Add(2 * time.Hour)
	d := &tx.Device{KeyEpoch: 3, PubKey: k3, Keys: []tx.DeviceKey{
		{Epoch: 1, PubKey: k1, FromHeight: 1, ToHeight: 10, FromTime: t0, ToTime: end1},
		{Epoch: 2, PubKey: k2, FromHeight: 10, ToHeight: 20, FromTime: end1, ToTime: end2},
		{Epoch: 3, PubKey: k3, FromHeight: 20, FromTime: end2},
	}}
	ms := func(t time.Time) int64 { return t.UnixMilli() }
	cases := []struct {
		name  string
		epoch uint32
		at    int64
		want  tx.PubKey // nil: refused
	}{
		{"current epoch, any time", 3, ms(t0), k3},
		{"current epoch, long after", 3, ms(end2.Add(24 * time.Hour)), k3},
		{"epoch 1 signed while valid", 1, ms(end1) - 1, k1},
		{"epoch 1 signed in the rotation's millisecond, before the block time", 1, ms(end1), k1},
		{"epoch 1 signed after it ended", 1, ms(end1) + 1, nil},
		{"epoch 2 signed while valid", 2, ms(end2) - 1, k2},
		{"epoch 2 signed at its end", 2, ms(end2), nil},
		{"epoch 0", 0, ms(t0), nil},
		{"future epoch", 4, ms(t0), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := d.SigningKey(c.epoch, c.at)
			if ok != (c.want != nil) || !bytes.Equal(got, c.want) {
				t.Fatalf("SigningKey(%d, %d): got %s %v, want %s", c.epoch, c.at, got, ok, c.want)
			}
		})
	}
	// A history shorter than the epoch claims (never stored) refuses
	// rather than panicking.
	short := &tx.Device{KeyEpoch: 3, PubKey: k3, Keys: d.Keys[:1]}
	if _, ok := short.SigningKey(2, ms(t0)); ok {
		t.Fatal("a key missing from the history verified")
	}
}
