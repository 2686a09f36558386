// Package readingtest signs readings for tests: the devices of a test chain,
// the publishers of a settlement or API test. Keys derive from fixed seeds,
// so every run signs the same bytes.
package readingtest

import (
	"crypto/ed25519"
	"crypto/sha256"
	"testing"

	"github.com/citychain/citychain/edge/reading"
)

// Key returns the device key derived from seed.
func Key(seed string) ed25519.PrivateKey {
	s := sha256.Sum256([]byte(seed))
	return ed25519.NewKeyFromSeed(s[:])
}

// Wire signs r with priv and returns the signed reading's wire bytes; it
// fails tb when r does not sign or encode.
func Wire(tb testing.TB, priv ed25519.PrivateKey, r reading.Reading) []byte {
	tb.Helper()
	s, err := r.Sign(priv)
	if err != nil {
		tb.Fatal(err)
	}
	w, err := s.Encode()
	if err != nil {
		tb.Fatal(err)
	}
	return w
}
