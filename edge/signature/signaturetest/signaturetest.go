// Package signaturetest makes borderline ed25519 signatures for tests: ones
// the ZIP-215 rule of edge/signature accepts and Go's crypto/ed25519
// (cofactorless) rejects. Never use it outside tests.
package signaturetest

import (
	"crypto/ed25519"
	"crypto/sha512"
	"encoding/hex"

	"github.com/oasisprotocol/curve25519-voi/curve"
	"github.com/oasisprotocol/curve25519-voi/curve/scalar"
)

// order8 is a point of order 8 (the first small-order R of the ZIP-215
// vectors).
const order8 = "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"

// Torsioned signs msg with priv like ed25519.Sign, except that the
// signature's R carries a point T of order 8: R' = rB + T and
// S = r + H(R', A, msg)·a. The cofactored equation of ZIP-215,
// [8]SB = [8]R' + [8]kA, holds; the cofactorless one of crypto/ed25519,
// SB = R' + kA, does not (it is off by T). A real key made it, so only
// the verification rule decides its fate.
func Torsioned(priv ed25519.PrivateKey, msg []byte) []byte {
	h := sha512.Sum512(priv.Seed())
	h[0] &= 248
	h[31] &= 127
	h[31] |= 64
	a, err := scalar.NewFromBytesModOrder(h[:32])
	if err != nil {
		panic(err)
	}
	nonce := sha512.New()
	nonce.Write(h[32:])
	nonce.Write(msg)
	nonce.Write([]byte("signaturetest/torsioned"))
	r, err := scalar.NewFromBytesModOrderWide(nonce.Sum(nil))
	if err != nil {
		panic(err)
	}
	var R, T curve.EdwardsPoint
	R.MulBasepoint(curve.ED25519_BASEPOINT_TABLE, r)
	tb, _ := hex.DecodeString(order8)
	var tc curve.CompressedEdwardsY
	if _, err := tc.SetBytes(tb); err != nil {
		panic(err)
	}
	if _, err := T.SetCompressedY(&tc); err != nil {
		panic(err)
	}
	R.Add(&R, &T)
	var rc curve.CompressedEdwardsY
	rc.SetEdwardsPoint(&R)

	kh := sha512.New()
	kh.Write(rc[:])
	kh.Write(priv.Public().(ed25519.PublicKey))
	kh.Write(msg)
	k, err := scalar.NewFromBytesModOrderWide(kh.Sum(nil))
	if err != nil {
		panic(err)
	}
	var s scalar.Scalar
	s.Mul(k, a)
	s.Add(&s, r)
	sig := make([]byte, 0, ed25519.SignatureSize)
	sig = append(sig, rc[:]...)
	var sb [32]byte
	if err := s.ToBytes(sb[:]); err != nil {
		panic(err)
	}
	return append(sig, sb[:]...)
}
