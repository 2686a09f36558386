package metering_test

import (
	"crypto/ed25519"
	"strconv"
	"testing"

	"github.com/citychain/citychain/chain/internal/metering"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/edge/reading"
	"github.com/citychain/citychain/edge/signature/signaturetest"
)

// torsioned signs a reading of d with a borderline signature: valid under
// the project's rule (ZIP-215), invalid for Go's crypto/ed25519.
func (d device) torsioned(t *testing.T, seq uint64, timeMs int64, value uint64) tx.HexBytes {
	t.Helper()
	r := reading.Reading{DeviceID: d.id, KeyEpoch: 1, Seq: seq, TimeMs: timeMs, Kind: d.kind, Value: value}
	msg, err := r.SigningBytes()
	if err != nil {
		t.Fatal(err)
	}
	s := reading.Signed{Reading: r}
	copy(s.Signature[:], signaturetest.Torsioned(d.priv, msg))
	if ed25519.Verify(d.priv.Public().(ed25519.PublicKey), msg, s.Signature[:]) {
		t.Fatal("crypto/ed25519 accepts the torsioned signature: it is not borderline")
	}
	w, err := s.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// TestBorderlineSignatureOneVerdict: a reading whose signature only the
// cofactored (ZIP-215) equation accepts gets the same verdict alone, in a
// batch of valid readings and in a batch with a forged reading (where the
// batch fails and each signature is verified on its own). Before one rule,
// the batch accepted it and the one-by-one fallback (crypto/ed25519)
// rejected it: its fate depended on its neighbours.
func TestBorderlineSignatureOneVerdict(t *testing.T) {
	h := newHarness(t)
	t0 := now(h)
	forged := []byte(ev.read(t, 2, t0+2, 100_200))
	forged[len(forged)-1] ^= 1
	for _, c := range []struct {
		name   string
		rs     []tx.HexBytes
		forged string // a reading that must be rejected as forged
	}{
		{"alone", []tx.HexBytes{inv.torsioned(t, 1, t0, 1000)}, ""},
		{"among valid readings", []tx.HexBytes{ev.read(t, 1, t0+1, 100_000), inv.torsioned(t, 2, t0+1, 1100)}, ""},
		{"with a forged reading", []tx.HexBytes{forged, inv.torsioned(t, 3, t0+2, 1200)}, "ev-1/2"},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := submit(t, h, c.rs...)
			r, _ := reading.Decode(c.rs[len(c.rs)-1])
			key := r.DeviceID + "/" + strconv.FormatUint(r.Seq, 10)
			if _, ok := o.accepted[key]; !ok {
				t.Errorf("borderline reading %s: got rejected %q, want accepted", key, o.rejected[key])
			}
			if c.forged != "" && o.rejected[c.forged] != metering.ReasonBadSignature {
				t.Errorf("forged reading %s: got %v %v, want %s", c.forged, o.accepted, o.rejected, metering.ReasonBadSignature)
			}
		})
	}
	if st := state(t, h, inv.id); st == nil || st.Seq != 3 || st.Value != 1200 {
		t.Errorf("inv-1 state: got %+v, want seq 3 value 1200", st)
	}
}
