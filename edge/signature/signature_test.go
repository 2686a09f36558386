package signature_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"testing"

	cmted25519 "github.com/cometbft/cometbft/crypto/ed25519"

	"github.com/citychain/citychain/edge/signature"
	"github.com/citychain/citychain/edge/signature/signaturetest"
)

// vectors are every published vector, ZIP-215's and the paper's.
func vectors(t testing.TB) []signaturetest.Vector {
	t.Helper()
	z, sc := signaturetest.ZIP215Vectors(), signaturetest.SpeccheckVectors()
	if len(z) != 196 || len(sc) != 12 {
		t.Fatalf("got %d ZIP-215 vectors and %d speccheck cases, want the 196 and 12 published", len(z), len(sc))
	}
	return append(z, sc...)
}

func key(i int) ed25519.PrivateKey {
	seed := sha256.Sum256(fmt.Appendf(nil, "signature-test/%d", i))
	return ed25519.NewKeyFromSeed(seed[:])
}

// entry is one signature to verify.
type entry struct{ pub, msg, sig []byte }

func valid(i int) entry {
	k := key(i)
	msg := fmt.Appendf(nil, "valid message %d", i)
	return entry{k.Public().(ed25519.PublicKey), msg, ed25519.Sign(k, msg)}
}

func forged(i int) entry {
	e := valid(i)
	e.sig = append([]byte(nil), e.sig...)
	e.sig[5] ^= 1
	return e
}

func batch(es ...entry) []bool {
	b := signature.NewBatch(len(es))
	for _, e := range es {
		b.Add(e.pub, e.msg, e.sig)
	}
	return b.Verify()
}

// TestPublishedVectorsOneVerdict: on every published ZIP-215 and
// "Taming the many EdDSAs" vector, the single verifier, a batch of the
// vector alone, a batch of it among valid signatures and a batch of it
// with a forged signature (which sends the batch to its one-by-one
// fallback) give the published ZIP-215 verdict, which is also CometBFT's.
// Where the paper gives Go's crypto/ed25519 verdict, it is checked too: the
// vectors where it differs are the ones that made a reading's verdict
// depend on its batch.
func TestPublishedVectorsOneVerdict(t *testing.T) {
	disagree := 0
	for _, v := range vectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			e := entry{v.PubKey, v.Message, v.Signature}
			if got := signature.Verify(v.PubKey, v.Message, v.Signature); got != v.ZIP215 {
				t.Errorf("Verify: got %v, want %v", got, v.ZIP215)
			}
			if got := cmted25519.PubKey(v.PubKey).VerifySignature(v.Message, v.Signature); got != v.ZIP215 {
				t.Errorf("CometBFT's verifier: got %v, want %v", got, v.ZIP215)
			}
			if got := batch(e); len(got) != 1 || got[0] != v.ZIP215 {
				t.Errorf("batch of the vector alone: got %v, want [%v]", got, v.ZIP215)
			}
			got := batch(valid(1), e, valid(2), valid(3))
			if got[1] != v.ZIP215 || !got[0] || !got[2] || !got[3] {
				t.Errorf("batch among valid signatures: got %v, want [true %v true true]", got, v.ZIP215)
			}
			got = batch(valid(1), e, forged(2))
			if got[1] != v.ZIP215 || !got[0] || got[2] {
				t.Errorf("batch with a forged signature: got %v, want [true %v false]", got, v.ZIP215)
			}
			if v.GoStdlib != nil {
				if std := ed25519.Verify(v.PubKey, v.Message, v.Signature); std != *v.GoStdlib {
					t.Errorf("crypto/ed25519: got %v, want the published %v", std, *v.GoStdlib)
				} else if std != v.ZIP215 {
					disagree++
				}
			}
		})
	}
	if disagree == 0 {
		t.Error("no vector on which crypto/ed25519 and ZIP-215 disagree: the vectors do not exercise the difference")
	}
}

// TestTorsionedSignature: a signature whose R carries a small-order point,
// made with a real key, is valid under the rule (alone and in any batch)
// and invalid for crypto/ed25519: the borderline case of a reading.
func TestTorsionedSignature(t *testing.T) {
	k := key(7)
	pub := k.Public().(ed25519.PublicKey)
	msg := []byte("citychain/reading/v1 borderline")
	sig := signaturetest.Torsioned(k, msg)
	if ed25519.Verify(pub, msg, sig) {
		t.Fatal("crypto/ed25519 accepts the torsioned signature; it is not borderline")
	}
	e := entry{pub, msg, sig}
	if !signature.Verify(pub, msg, sig) {
		t.Error("Verify: got false, want true")
	}
	for name, got := range map[string][]bool{
		"alone": batch(e), "with valid": batch(valid(1), e), "with forged": batch(forged(1), e),
	} {
		if got[len(got)-1] != true {
			t.Errorf("batch %s: got %v, want the last true", name, got)
		}
	}
	if err := signature.CheckPublicKey(pub); err != nil {
		t.Errorf("CheckPublicKey of the real key: %v", err)
	}
}

// TestCheckPublicKey: every key of the published ZIP-215 vectors (all
// small-order, some non-canonically encoded) is refused; so are keys of
// the wrong size, non-points and non-canonical encodings of ordinary
// points; generated keys pass.
func TestCheckPublicKey(t *testing.T) {
	for _, v := range signaturetest.ZIP215Vectors() {
		if err := signature.CheckPublicKey(v.PubKey); !errors.Is(err, signature.ErrKeySmallOrder) {
			t.Errorf("%s: key %x: got %v, want %v", v.Name, v.PubKey, err, signature.ErrKeySmallOrder)
		}
	}
	for i := range 64 {
		if err := signature.CheckPublicKey(key(i).Public().(ed25519.PublicKey)); err != nil {
			t.Fatalf("generated key %d: %v", i, err)
		}
	}
	if err := signature.CheckPublicKey(make([]byte, 31)); !errors.Is(err, signature.ErrKeySize) {
		t.Errorf("31-byte key: got %v, want %v", err, signature.ErrKeySize)
	}
	// y = 2: no x on the curve has it. y = p + k for small k: the
	// non-canonical encoding of the point with y = k.
	var notPoint, nonCanonical []byte
	for y := byte(2); y < 19 && (notPoint == nil || nonCanonical == nil); y++ {
		enc := make([]byte, 32)
		enc[0] = y
		err := signature.CheckPublicKey(enc)
		if errors.Is(err, signature.ErrKeyNotOnCurve) && notPoint == nil {
			notPoint = enc
		}
		if err == nil && nonCanonical == nil {
			// p + y = 2^255 - 19 + y, little-endian.
			nc := make([]byte, 32)
			for i := range nc {
				nc[i] = 0xff
			}
			nc[31] = 0x7f
			nc[0] = 0xed + y
			nonCanonical = nc
		}
	}
	if notPoint == nil || nonCanonical == nil {
		t.Fatal("found no non-point or no ordinary point with a small y")
	}
	if err := signature.CheckPublicKey(notPoint); !errors.Is(err, signature.ErrKeyNotOnCurve) {
		t.Errorf("non-point %x: got %v, want %v", notPoint, err, signature.ErrKeyNotOnCurve)
	}
	if err := signature.CheckPublicKey(nonCanonical); !errors.Is(err, signature.ErrKeyNonCanonical) {
		t.Errorf("non-canonical %x: got %v, want %v", nonCanonical, err, signature.ErrKeyNonCanonical)
	}
	for _, err := range []error{signature.ErrKeySize, signature.ErrKeyNotOnCurve, signature.ErrKeySmallOrder, signature.ErrKeyNonCanonical} {
		if !errors.Is(err, signature.ErrBadPublicKey) {
			t.Errorf("%v does not wrap ErrBadPublicKey", err)
		}
	}
}

// TestWrongLengths: keys and signatures of the wrong length do not verify,
// alone or in a batch, and do not disturb the rest of the batch.
func TestWrongLengths(t *testing.T) {
	v := valid(1)
	if signature.Verify(v.pub[:31], v.msg, v.sig) || signature.Verify(v.pub, v.msg, v.sig[:63]) {
		t.Error("Verify accepts a short key or signature")
	}
	got := batch(entry{v.pub[:31], v.msg, v.sig}, v, entry{v.pub, v.msg, v.sig[:63]})
	if got[0] || !got[1] || got[2] {
		t.Errorf("batch: got %v, want [false true false]", got)
	}
	if got := signature.NewBatch(0).Verify(); len(got) != 0 {
		t.Errorf("empty batch: got %v", got)
	}
}

// FuzzBatchAgreesWithVerify: for any key, message and signature bytes, a
// batch (among valid signatures) gives Verify's verdict, and CheckPublicKey
// never panics.
func FuzzBatchAgreesWithVerify(f *testing.F) {
	for _, v := range vectors(f)[180:] {
		f.Add(v.PubKey, v.Message, v.Signature)
	}
	v := valid(9)
	f.Add(v.pub, v.msg, v.sig)
	f.Fuzz(func(t *testing.T, pub, msg, sig []byte) {
		_ = signature.CheckPublicKey(pub)
		want := signature.Verify(pub, msg, sig)
		if got := batch(valid(1), entry{pub, msg, sig}, valid(2)); got[1] != want || !got[0] || !got[2] {
			t.Errorf("batch: got %v, want [true %v true]", got, want)
		}
	})
}
