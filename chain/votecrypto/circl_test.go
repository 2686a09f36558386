// The cross-check with circl's group.Ristretto255 (built on
// bwesterb/go-ristretto, an implementation independent of curve25519-voi);
// go-ristretto is a test-only dependency.

package votecrypto

import (
	"bytes"
	"testing"

	"github.com/cloudflare/circl/group"
)

// TestCirclAgrees: both libraries encode the generator, k·G, a·P and P+Q
// identically, and decode each other's encodings.
func TestCirclAgrees(t *testing.T) {
	g := group.Ristretto255
	gb, err := g.Generator().MarshalBinaryCompress()
	if err != nil {
		t.Fatal(err)
	}
	if G := Generator(); !bytes.Equal(gb, G[:]) {
		t.Fatalf("generators differ: circl %x, ours %s", gb, Generator())
	}
	r := seeded("circl")
	for i := 0; i < 16; i++ {
		a, _ := NewSecret(r)
		b, _ := NewSecret(r)
		// a·G
		ca := g.NewScalar()
		if err := ca.UnmarshalBinary(a[:]); err != nil { // 32 bytes little endian, as ours
			t.Fatal(err)
		}
		cA := g.NewElement().MulGen(ca)
		cAb, _ := cA.MarshalBinaryCompress()
		A := a.Public()
		if !bytes.Equal(cAb, A[:]) {
			t.Fatalf("a·G differs for a = %x", a)
		}
		// A + B and b·A
		B := b.Public()
		cB := g.NewElement()
		if err := cB.UnmarshalBinary(B[:]); err != nil {
			t.Fatalf("circl refuses our encoding %s: %v", B, err)
		}
		sum, _ := g.NewElement().Add(cA, cB).MarshalBinaryCompress()
		Ap, _ := decodePoint(A)
		Bp, _ := decodePoint(B)
		Ap.Add(Ap, Bp)
		if ours := encodePoint(Ap); !bytes.Equal(sum, ours[:]) {
			t.Fatalf("A+B differs")
		}
		cb := g.NewScalar()
		if err := cb.UnmarshalBinary(b[:]); err != nil {
			t.Fatal(err)
		}
		bA, _ := g.NewElement().Mul(cA, cb).MarshalBinaryCompress()
		Z, _, err := ProveDLEQ(r, b, A, []byte("x"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(bA, Z[:]) {
			t.Fatalf("b·A differs")
		}
	}
	// Small multiples.
	for k := uint64(0); k < 20; k++ {
		ck, _ := g.NewElement().MulGen(g.NewScalar().SetUint64(k)).MarshalBinaryCompress()
		want := ScalarMulBase(k)
		if !bytes.Equal(ck, want[:]) && !(k == 0 && bytes.Equal(want[:], make([]byte, 32))) {
			t.Fatalf("%d·G differs: circl %x, ours %s", k, ck, want)
		}
	}
}
