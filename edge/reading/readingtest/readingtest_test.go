package readingtest

import (
	"crypto/ed25519"

	"testing"

	"github.com/citychain/citychain/edge/reading"
)

func TestWireVerifies(t *testing.T) {
	priv := Key("readingtest/inv-1")
	r := reading.Reading{DeviceID: "inv-1", KeyEpoch: 1, Seq: 3, TimeMs: 1_700_000_000_000, Kind: reading.KindEnergyWh, Value: 42}
	s, err := reading.DecodeVerify(Wire(t, priv, r), priv.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatalf("DecodeVerify: %v", err)
	}
	if s.Reading != r {
		t.Errorf("decoded %+v, want %+v", s.Reading, r)
	}
	if a, b := Key("x"), Key("x"); !a.Equal(b) {
		t.Errorf("Key is not deterministic")
	}
}
