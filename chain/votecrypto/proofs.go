package votecrypto

import (
	"io"

	"github.com/oasisprotocol/curve25519-voi/curve"
	"github.com/oasisprotocol/curve25519-voi/curve/scalar"

	"github.com/citychain/citychain/chain/tx"
)

// ProveKnowledge proves knowledge of x for X = x·G under ctx (Schnorr):
// T = w·G, c = H("pok", ctx, X, T), S = w + c·x.
func ProveKnowledge(rand io.Reader, x Secret, ctx []byte) (tx.VoteSchnorr, error) {
	w, err := randomScalar(rand)
	if err != nil {
		return tx.VoteSchnorr{}, err
	}
	xs := x.scalar()
	X := x.Public()
	var T curve.RistrettoPoint
	T.MulBasepoint(genTable, w)
	t := encodePoint(&T)
	c := hashScalar(HashPoK, ctx, X[:], t[:])
	var s scalar.Scalar
	s.Mul(c, xs)
	s.Add(&s, w)
	return tx.VoteSchnorr{T: t, S: encodeScalar(&s)}, nil
}

// VerifyKnowledge checks a proof of knowledge of log_G X under ctx:
// X and T canonical points other than the identity, S canonical, and
// S·G = T + c·X with c = H("pok", ctx, X, T).
func VerifyKnowledge(X tx.Elem, pok tx.VoteSchnorr, ctx []byte) bool {
	Xp, err := decodeKey(X)
	if err != nil {
		return false
	}
	Tp, err := decodeKey(pok.T)
	if err != nil {
		return false
	}
	s, err := decodeScalar(pok.S)
	if err != nil {
		return false
	}
	c := hashScalar(HashPoK, ctx, X[:], pok.T[:])
	var nc scalar.Scalar
	nc.Neg(c)
	var P curve.RistrettoPoint
	P.DoubleScalarMulBasepointVartime(&nc, Xp, s) // S·G − c·X
	return pointsEqual(&P, Tp)
}

// ProveDLEQ proves that log_G X = log_H Z for X = x·G and Z = x·H
// (Chaum-Pedersen) under ctx: A1 = w·G, A2 = w·H,
// c = H("dleq", ctx, H, X, Z, A1, A2), R = w + c·x. It returns Z.
func ProveDLEQ(rand io.Reader, x Secret, H tx.Elem, ctx []byte) (tx.Elem, tx.VoteDLEQ, error) {
	Hp, err := decodePoint(H)
	if err != nil {
		return tx.Elem{}, tx.VoteDLEQ{}, err
	}
	w, err := randomScalar(rand)
	if err != nil {
		return tx.Elem{}, tx.VoteDLEQ{}, err
	}
	xs := x.scalar()
	X := x.Public()
	var Zp, A1, A2 curve.RistrettoPoint
	Zp.Mul(Hp, xs)
	A1.MulBasepoint(genTable, w)
	A2.Mul(Hp, w)
	Z, a1, a2 := encodePoint(&Zp), encodePoint(&A1), encodePoint(&A2)
	c := hashScalar(HashDLEQ, ctx, H[:], X[:], Z[:], a1[:], a2[:])
	var r scalar.Scalar
	r.Mul(c, xs)
	r.Add(&r, w)
	return Z, tx.VoteDLEQ{A1: a1, A2: a2, R: encodeScalar(&r)}, nil
}

// VerifyDLEQ checks a proof that log_G X = log_H Z under ctx: X and A1
// canonical points other than the identity, H, Z and A2 canonical points
// (the identity allowed: the tally of no ballot), R canonical, and with
// c = H("dleq", ctx, H, X, Z, A1, A2): R·G = A1 + c·X and R·H = A2 + c·Z.
func VerifyDLEQ(X, H, Z tx.Elem, proof tx.VoteDLEQ, ctx []byte) bool {
	Xp, err := decodeKey(X)
	if err != nil {
		return false
	}
	A1, err := decodeKey(proof.A1)
	if err != nil {
		return false
	}
	Hp, err := decodePoint(H)
	if err != nil {
		return false
	}
	Zp, err := decodePoint(Z)
	if err != nil {
		return false
	}
	A2, err := decodePoint(proof.A2)
	if err != nil {
		return false
	}
	r, err := decodeScalar(proof.R)
	if err != nil {
		return false
	}
	c := hashScalar(HashDLEQ, ctx, H[:], X[:], Z[:], proof.A1[:], proof.A2[:])
	var nc scalar.Scalar
	nc.Neg(c)
	var P curve.RistrettoPoint
	P.DoubleScalarMulBasepointVartime(&nc, Xp, r) // R·G − c·X
	if !pointsEqual(&P, A1) {
		return false
	}
	P.MultiscalarMulVartime([]*scalar.Scalar{r, &nc}, []*curve.RistrettoPoint{Hp, Zp}) // R·H − c·Z
	return pointsEqual(&P, A2)
}
