package metering

import (
	"crypto/ed25519"
	"fmt"
	"testing"

	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/edge/reading"
	"github.com/citychain/citychain/edge/reading/readingtest"
	"github.com/citychain/citychain/edge/signature"
	"github.com/citychain/citychain/edge/signature/signaturetest"
)

func signedCandidate(t *testing.T, i int, forge bool) candidate {
	t.Helper()
	k := readingtest.Key(fmt.Sprintf("verify-internal/%d", i))
	r := reading.Reading{DeviceID: fmt.Sprintf("dev-%d", i), KeyEpoch: 1, Seq: 1, TimeMs: 1_700_000_000_000, Kind: reading.KindEnergyWh, Value: 5}
	s, err := r.Sign(k)
	if err != nil {
		t.Fatal(err)
	}
	if forge {
		s.Signature[9] ^= 1
	}
	return candidate{r: s, pub: tx.PubKey(k.Public().(ed25519.PublicKey))}
}

// TestVerifyBatchZIP215Vectors: the chain's verdict on a reading signed by
// each published ZIP-215 vector (a small-order key, whose vector signature
// verifies over any message, a reading's included) is the single
// verifier's and Signed.Verify's, alone, among valid readings and beside a
// forged one. Such keys cannot be registered (tx.ValidatePubKey); this
// pins that the chain's batch and its fallback apply one rule.
func TestVerifyBatchZIP215Vectors(t *testing.T) {
	for _, v := range signaturetest.ZIP215Vectors() {
		r := reading.Reading{DeviceID: "vector", KeyEpoch: 1, Seq: 1, TimeMs: 1_700_000_000_000, Kind: reading.KindEnergyWh, Value: 1}
		s := reading.Signed{Reading: r}
		copy(s.Signature[:], v.Signature)
		c := candidate{r: s, pub: tx.PubKey(v.PubKey)}
		msg, err := r.SigningBytes()
		if err != nil {
			t.Fatal(err)
		}
		single := signature.Verify(v.PubKey, msg, v.Signature)
		if single != v.ZIP215 || (s.Verify(v.PubKey) == nil) != single {
			t.Fatalf("%s: signature.Verify %v, Signed.Verify %v, want %v", v.Name, single, s.Verify(v.PubKey), v.ZIP215)
		}
		for name, batch := range map[string][]candidate{
			"alone":       {c},
			"among valid": {signedCandidate(t, 1, false), c, signedCandidate(t, 2, false)},
			"with forged": {signedCandidate(t, 1, true), c, signedCandidate(t, 2, false)},
		} {
			got := verifyBatch(batch)
			at := 0
			if len(batch) > 1 {
				at = 1
			}
			if got[at] != single {
				t.Errorf("%s %s: chain verdict %v, single verifier %v", v.Name, name, got, single)
			}
			if name == "with forged" && (got[0] || !got[2]) {
				t.Errorf("%s %s: got %v, want [false %v true]", v.Name, name, got, single)
			}
		}
	}
}
