// Package signature is citychain's one ed25519 verification rule: every
// signature the project checks (a device's signed reading at settlement,
// on chain and in the chain's batch fallback, a transaction envelope) is
// verified here, so a signature's verdict never depends on which
// component checks it or on what else is in its batch.
//
// The rule is ZIP-215 (https://zips.z.cash/zip-0215), the one CometBFT's
// crypto/ed25519 uses for consensus signatures: the cofactored equation
// [8][S]B = [8]R + [8][k]A, S canonical (below the group order), A and R
// any encodings that decode to curve points. Batch verification under
// ZIP-215 gives exactly the single verdict of each signature, which is why
// it is the rule: Go's crypto/ed25519 (cofactorless) rejects some
// signatures a batch accepts.
//
// ZIP-215 accepts small-order public keys, under which a signature over
// any message can be made without a private key. Keys are therefore
// checked when they are registered (CheckPublicKey): a device key or an
// account key that is small-order, not canonically encoded or not a curve
// point is refused.
//
// It lives beside edge/reading, the lowest contract layer, so that the edge
// agent, settlement and the chain all import it.
package signature

import (
	"errors"
	"fmt"

	"github.com/oasisprotocol/curve25519-voi/curve"
	"github.com/oasisprotocol/curve25519-voi/primitives/ed25519"
)

// Sizes of a public key and a signature.
const (
	PublicKeySize = ed25519.PublicKeySize
	Size          = ed25519.SignatureSize
)

// options selects ZIP-215 verification (the same preset CometBFT passes).
var options = &ed25519.Options{Verify: ed25519.VerifyOptionsZIP_215}

// Verify reports whether sig is a valid signature of msg by pub under the
// ZIP-215 rule. Keys and signatures of the wrong length do not verify.
func Verify(pub, msg, sig []byte) bool {
	if len(pub) != PublicKeySize || len(sig) != Size {
		return false
	}
	return ed25519.VerifyWithOptions(ed25519.PublicKey(pub), msg, sig, options)
}

// Batch verifies many signatures together. Its verdict on each signature is
// Verify's: when the whole batch does not verify, each entry is verified on
// its own, with the same rule. A Batch is not safe for concurrent use.
type Batch struct {
	bv *ed25519.BatchVerifier
	n  int
}

// NewBatch returns an empty batch with room for n signatures.
func NewBatch(n int) *Batch {
	return &Batch{bv: ed25519.NewBatchVerifierWithCapacity(max(n, 0))}
}

// Add queues one signature. A key or signature of the wrong length is
// queued as invalid.
func (b *Batch) Add(pub, msg, sig []byte) {
	b.bv.AddWithOptions(ed25519.PublicKey(pub), msg, sig, options)
	b.n++
}

// Len is the number of signatures queued.
func (b *Batch) Len() int { return b.n }

// Verify returns the verdict on each queued signature, in the order they
// were added. The random coefficients of the batch equation only decide how
// fast a batch with an invalid signature is found out, never a verdict.
func (b *Batch) Verify() []bool {
	if b.n == 0 {
		return nil
	}
	_, valid := b.bv.Verify(nil) // nil: crypto/rand
	return valid
}

// Reasons a public key is refused, each wrapping ErrBadPublicKey.
var (
	ErrBadPublicKey    = errors.New("unusable ed25519 public key")
	ErrKeySize         = fmt.Errorf("%w: not %d bytes", ErrBadPublicKey, PublicKeySize)
	ErrKeyNotOnCurve   = fmt.Errorf("%w: not the encoding of a curve point", ErrBadPublicKey)
	ErrKeySmallOrder   = fmt.Errorf("%w: a small-order point, under which anyone can sign anything", ErrBadPublicKey)
	ErrKeyNonCanonical = fmt.Errorf("%w: a non-canonical encoding of its point", ErrBadPublicKey)
)

// CheckPublicKey refuses a key no honest key generation produces: one of
// the wrong size, one that does not decode to a curve point, a small-order
// point (ZIP-215 verifies forged signatures under those) or a non-canonical
// encoding. Check a key where it is registered: a device's key, an
// account's signing key.
func CheckPublicKey(pub []byte) error {
	if len(pub) != PublicKeySize {
		return fmt.Errorf("%w (got %d)", ErrKeySize, len(pub))
	}
	var c curve.CompressedEdwardsY
	if _, err := c.SetBytes(pub); err != nil {
		return ErrKeySize
	}
	var p curve.EdwardsPoint
	if _, err := p.SetCompressedY(&c); err != nil {
		return ErrKeyNotOnCurve
	}
	if p.IsSmallOrder() {
		return ErrKeySmallOrder
	}
	if !c.IsCanonicalVartime() {
		return ErrKeyNonCanonical
	}
	return nil
}
