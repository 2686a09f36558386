package votecrypto

import (
	"errors"
	"fmt"
	"io"

	"github.com/oasisprotocol/curve25519-voi/curve"
	"github.com/oasisprotocol/curve25519-voi/curve/scalar"

	"github.com/citychain/citychain/chain/tx"
)

// Polynomial is a dealer's secret polynomial of degree threshold−1:
// coefficients a_0, a_1, … (a_0 is the dealer's part of the election
// secret).
type Polynomial []Secret

// NewPolynomial draws a polynomial with threshold coefficients (each a
// NewSecret).
func NewPolynomial(rand io.Reader, threshold int) (Polynomial, error) {
	if threshold < 1 || threshold > 1024 {
		return nil, fmt.Errorf("threshold %d: want 1 to 1024", threshold)
	}
	p := make(Polynomial, threshold)
	for i := range p {
		s, err := NewSecret(rand)
		if err != nil {
			return nil, err
		}
		p[i] = s
	}
	return p, nil
}

// Commitments returns the Feldman commitments a_t·G.
func (p Polynomial) Commitments() []tx.Elem {
	out := make([]tx.Elem, len(p))
	for i, a := range p {
		out[i] = a.Public()
	}
	return out
}

// Eval returns f(j) = Σ_t a_t·j^t mod ℓ (Horner).
func (p Polynomial) Eval(j uint32) Secret {
	x := scalar.NewFromUint64(uint64(j))
	acc := scalar.New()
	for t := len(p) - 1; t >= 0; t-- {
		acc.Mul(acc, x)
		acc.Add(acc, p[t].scalar())
	}
	return secretOf(acc)
}

// SumSecrets returns Σ s mod ℓ: a trustee's secret share x_j is the sum
// of the shares f_i(j) it received from the qualified dealers i (its own
// f_j(j) included when it is qualified).
func SumSecrets(ss ...Secret) Secret {
	acc := scalar.New()
	for _, s := range ss {
		acc.Add(acc, s.scalar())
	}
	return secretOf(acc)
}

// feldman returns Σ_t j^t·C_t of decoded commitments.
func feldman(cs []*curve.RistrettoPoint, j uint32) *curve.RistrettoPoint {
	x := scalar.NewFromUint64(uint64(j))
	pow := scalar.One()
	scs := make([]*scalar.Scalar, len(cs))
	for t := range cs {
		scs[t] = scalar.New().Set(pow)
		pow.Mul(pow, x)
	}
	var P curve.RistrettoPoint
	P.MultiscalarMulVartime(scs, cs)
	return &P
}

func decodeCommitments(commitments []tx.Elem) ([]*curve.RistrettoPoint, error) {
	if len(commitments) == 0 {
		return nil, errors.New("no commitments")
	}
	cs := make([]*curve.RistrettoPoint, len(commitments))
	for t, c := range commitments {
		p, err := decodeKey(c)
		if err != nil {
			return nil, fmt.Errorf("commitment %d: %v", t, err)
		}
		cs[t] = p
	}
	return cs, nil
}

// VerifyShare is the Feldman check: share·G = Σ_t j^t·C_t (commitments
// canonical points other than the identity, share canonical).
func VerifyShare(commitments []tx.Elem, j uint32, share Secret) bool {
	cs, err := decodeCommitments(commitments)
	if err != nil {
		return false
	}
	s, err := decodeScalar(tx.Elem(share))
	if err != nil {
		return false
	}
	var sG curve.RistrettoPoint
	sG.MulBasepoint(genTable, s)
	return pointsEqual(&sG, feldman(cs, j))
}

// sharePad is H("share", ShareContext(chain, election, dealer, to), E, R, K).
func sharePad(chainID string, election uint64, dealer, to uint32, E, R, K tx.Elem) *scalar.Scalar {
	return hashScalar(HashShare, ShareContext(chainID, election, dealer, to), E[:], R[:], K[:])
}

// EncryptShare encrypts dealer's f(to) to the recipient's DKG key E:
// R = ρ·G, K = ρ·E, S = f(to) + H("share", ShareContext, E, R, K) mod ℓ.
func EncryptShare(rand io.Reader, chainID string, election uint64, dealer, to uint32, recipientKey tx.Elem, share Secret) (tx.VoteEncShare, error) {
	E, err := decodeKey(recipientKey)
	if err != nil {
		return tx.VoteEncShare{}, fmt.Errorf("recipient key: %v", err)
	}
	rho, err := randomScalar(rand)
	if err != nil {
		return tx.VoteEncShare{}, err
	}
	var Rp, Kp curve.RistrettoPoint
	Rp.MulBasepoint(genTable, rho)
	Kp.Mul(E, rho)
	R, K := encodePoint(&Rp), encodePoint(&Kp)
	var S scalar.Scalar
	S.Add(share.scalar(), sharePad(chainID, election, dealer, to, recipientKey, R, K))
	return tx.VoteEncShare{To: to, R: R, S: encodeScalar(&S)}, nil
}

// openShare removes the pad: S − H("share", …, E, R, K).
func openShare(chainID string, election uint64, dealer uint32, E tx.Elem, es tx.VoteEncShare, K tx.Elem) (Secret, error) {
	S, err := decodeScalar(es.S)
	if err != nil {
		return Secret{}, fmt.Errorf("share to %d: S: %v", es.To, err)
	}
	var s scalar.Scalar
	s.Sub(S, sharePad(chainID, election, dealer, es.To, E, es.R, K))
	return secretOf(&s), nil
}

// DecryptShare decrypts a share with the recipient's DKG secret x:
// K = x·R, f(to) = S − H("share", …, x·G, R, K).
func DecryptShare(chainID string, election uint64, dealer uint32, recipient Secret, es tx.VoteEncShare) (Secret, error) {
	R, err := decodeKey(es.R)
	if err != nil {
		return Secret{}, fmt.Errorf("share to %d: R: %v", es.To, err)
	}
	var Kp curve.RistrettoPoint
	Kp.Mul(R, recipient.scalar())
	return openShare(chainID, election, dealer, recipient.Public(), es, encodePoint(&Kp))
}

// Complaint reveals the key of a share sent to the complainer (K = x·R)
// with the proof that log_G E = log_R K (ProveDLEQ under
// ComplaintContext).
func Complaint(rand io.Reader, chainID string, election uint64, dealer, complainer uint32, recipient Secret, es tx.VoteEncShare) (tx.Elem, tx.VoteDLEQ, error) {
	if es.To != complainer {
		return tx.Elem{}, tx.VoteDLEQ{}, fmt.Errorf("the share is addressed to trustee %d, not the complainer %d", es.To, complainer)
	}
	if !ValidPoint(es.R) {
		return tx.Elem{}, tx.VoteDLEQ{}, fmt.Errorf("share to %d: R %s is not a valid point", es.To, es.R)
	}
	return ProveDLEQ(rand, recipient, es.R, ComplaintContext(chainID, election, dealer, complainer))
}

// JudgeComplaint checks a complaint: the proof must verify (else
// ErrBadComplaint); then it decrypts the share with K and returns whether
// the share fails its Feldman check (the dealer is at fault). A share
// whose S is not a canonical scalar is at fault too.
func JudgeComplaint(chainID string, election uint64, dealer, complainer uint32, complainerKey tx.Elem, es tx.VoteEncShare,
	K tx.Elem, proof tx.VoteDLEQ, commitments []tx.Elem) (dealerAtFault bool, err error) {
	if es.To != complainer {
		return false, fmt.Errorf("the share is addressed to trustee %d, not the complainer %d", es.To, complainer)
	}
	if !ValidPoint(es.R) {
		return false, fmt.Errorf("share to %d: R %s is not a valid point", es.To, es.R)
	}
	if !VerifyDLEQ(complainerKey, es.R, K, proof, ComplaintContext(chainID, election, dealer, complainer)) {
		return false, ErrBadComplaint
	}
	if _, err := decodeCommitments(commitments); err != nil {
		return false, fmt.Errorf("dealer %d: %v", dealer, err)
	}
	share, err := openShare(chainID, election, dealer, complainerKey, es, K)
	if err != nil {
		return true, nil
	}
	return !VerifyShare(commitments, complainer, share), nil
}

// ElectionKey is Y = Σ C_{i,0} over the qualified dealers' commitments.
func ElectionKey(deals [][]tx.Elem) (tx.Elem, error) {
	if len(deals) == 0 {
		return tx.Elem{}, errors.New("no qualified deal")
	}
	var Y curve.RistrettoPoint
	Y.Identity()
	for i, d := range deals {
		if len(d) == 0 {
			return tx.Elem{}, fmt.Errorf("deal %d has no commitments", i)
		}
		c, err := decodeKey(d[0])
		if err != nil {
			return tx.Elem{}, fmt.Errorf("deal %d commitment 0: %v", i, err)
		}
		Y.Add(&Y, c)
	}
	if Y.IsIdentity() {
		return tx.Elem{}, errors.New("the election key is the identity")
	}
	return encodePoint(&Y), nil
}

// VerificationKey is Y_j = Σ_i Σ_t j^t·C_{i,t}: trustee j's public share
// (x_j·G, x_j = Σ_i f_i(j)).
func VerificationKey(deals [][]tx.Elem, j uint32) (tx.Elem, error) {
	if len(deals) == 0 {
		return tx.Elem{}, errors.New("no qualified deal")
	}
	if j == 0 {
		return tx.Elem{}, errors.New("trustee index 0")
	}
	var pts []*curve.RistrettoPoint
	var scs []*scalar.Scalar
	x := scalar.NewFromUint64(uint64(j))
	for i, d := range deals {
		cs, err := decodeCommitments(d)
		if err != nil {
			return tx.Elem{}, fmt.Errorf("deal %d: %v", i, err)
		}
		pow := scalar.One()
		for _, c := range cs {
			pts = append(pts, c)
			scs = append(scs, scalar.New().Set(pow))
			pow.Mul(pow, x)
		}
	}
	var P curve.RistrettoPoint
	P.MultiscalarMulVartime(scs, pts)
	if P.IsIdentity() {
		return tx.Elem{}, fmt.Errorf("trustee %d's verification key is the identity", j)
	}
	return encodePoint(&P), nil
}

// ---- decryption ----

// DecryptionShare computes D = x·A for option of the tally with its DLEQ
// proof (log_G Y_j = log_A D under DecryptContext), for trustee j.
func DecryptionShare(rand io.Reader, chainID string, election uint64, j uint32, option int, x Secret, A tx.Elem) (tx.VoteDecShare, error) {
	D, proof, err := ProveDLEQ(rand, x, A, DecryptContext(chainID, election, j, option))
	if err != nil {
		return tx.VoteDecShare{}, fmt.Errorf("option %d: %v", option, err)
	}
	return tx.VoteDecShare{D: D, Proof: proof}, nil
}

// VerifyDecryptionShare checks a share against trustee j's verification
// key Yj and the tally's own A for option.
func VerifyDecryptionShare(chainID string, election uint64, j uint32, option int, Yj, A tx.Elem, s tx.VoteDecShare) bool {
	return VerifyDLEQ(Yj, A, s.D, s.Proof, DecryptContext(chainID, election, j, option))
}

// Lagrange returns the Lagrange coefficients at 0 of the indices:
// λ_j = Π_{m≠j} m / (m − j) mod ℓ. Indices must be distinct and non-zero.
func Lagrange(indices []uint32) ([]Secret, error) {
	ls, err := lagrange(indices)
	if err != nil {
		return nil, err
	}
	out := make([]Secret, len(ls))
	for i, l := range ls {
		out[i] = secretOf(l)
	}
	return out, nil
}

func lagrange(indices []uint32) ([]*scalar.Scalar, error) {
	if len(indices) == 0 {
		return nil, errors.New("no indices")
	}
	for a, i := range indices {
		if i == 0 {
			return nil, errors.New("trustee index 0")
		}
		for _, k := range indices[:a] {
			if k == i {
				return nil, fmt.Errorf("trustee %d twice", i)
			}
		}
	}
	out := make([]*scalar.Scalar, len(indices))
	for a, j := range indices {
		num, den := scalar.One(), scalar.One()
		xj := scalar.NewFromUint64(uint64(j))
		for _, m := range indices {
			if m == j {
				continue
			}
			xm := scalar.NewFromUint64(uint64(m))
			num.Mul(num, xm)
			var d scalar.Scalar
			d.Sub(xm, xj)
			den.Mul(den, &d)
		}
		var inv scalar.Scalar
		inv.Invert(den)
		out[a] = num.Mul(num, &inv)
	}
	return out, nil
}

// Combine returns M_o = B_o − Σ λ_j·D_{j,o} for every option, from the
// shares of the trustees at indices (exactly threshold of them, distinct).
// shares[i][o] is indices[i]'s share of option o.
func Combine(indices []uint32, shares [][]tx.Elem, tally []tx.VoteCiphertext) ([]tx.Elem, error) {
	if len(shares) != len(indices) {
		return nil, fmt.Errorf("%d share lists for %d trustees", len(shares), len(indices))
	}
	ls, err := lagrange(indices)
	if err != nil {
		return nil, err
	}
	for i, s := range shares {
		if len(s) != len(tally) {
			return nil, fmt.Errorf("trustee %d: %d shares for %d options", indices[i], len(s), len(tally))
		}
	}
	out := make([]tx.Elem, len(tally))
	for o := range tally {
		B, err := decodePoint(tally[o].B)
		if err != nil {
			return nil, fmt.Errorf("tally option %d B: %v", o, err)
		}
		pts := make([]*curve.RistrettoPoint, 0, len(indices)+1)
		scs := make([]*scalar.Scalar, 0, len(indices)+1)
		pts = append(pts, B)
		scs = append(scs, scalar.One())
		for i := range indices {
			D, err := decodePoint(shares[i][o])
			if err != nil {
				return nil, fmt.Errorf("trustee %d option %d: D: %v", indices[i], o, err)
			}
			var nl scalar.Scalar
			nl.Neg(ls[i])
			pts = append(pts, D)
			scs = append(scs, &nl)
		}
		var M curve.RistrettoPoint
		M.MultiscalarMulVartime(scs, pts)
		out[o] = encodePoint(&M)
	}
	return out, nil
}

// CheckCounts reports whether M_o = counts_o·G for every option.
func CheckCounts(M []tx.Elem, counts []uint64) error {
	if len(M) != len(counts) {
		return fmt.Errorf("%d counts for %d options", len(counts), len(M))
	}
	for o := range M {
		if ScalarMulBase(counts[o]) != M[o] {
			return fmt.Errorf("option %d: the decrypted tally is not %d·G", o, counts[o])
		}
	}
	return nil
}

// MaxSolve bounds SolveCounts' max (2^40: a baby-step table of 2^20
// points).
const MaxSolve = 1 << 40

// SolveCounts finds counts_o ≤ max with M_o = counts_o·G (baby-step
// giant-step); off chain only.
func SolveCounts(M []tx.Elem, max uint64) ([]uint64, error) {
	if max > MaxSolve {
		return nil, fmt.Errorf("max %d above %d", max, uint64(MaxSolve))
	}
	// m = ⌈√(max+1)⌉ baby steps j·G, j < m, keyed by encoding (a lookup
	// table: no iteration).
	m := uint64(1)
	for m*m < max+1 {
		m++
	}
	baby := make(map[tx.Elem]uint64, m)
	var P curve.RistrettoPoint
	P.Identity()
	for j := uint64(0); j < m; j++ {
		e := encodePoint(&P)
		if _, ok := baby[e]; !ok {
			baby[e] = j
		}
		P.Add(&P, gen)
	}
	var step curve.RistrettoPoint // −m·G
	step.MulBasepoint(genTable, scalar.NewFromUint64(m))
	step.Neg(&step)
	out := make([]uint64, len(M))
	for o, e := range M {
		Q, err := decodePoint(e)
		if err != nil {
			return nil, fmt.Errorf("option %d: %v", o, err)
		}
		found := false
		for i := uint64(0); i*m <= max; i++ {
			if j, ok := baby[encodePoint(Q)]; ok && i*m+j <= max {
				out[o] = i*m + j
				found = true
				break
			}
			Q.Add(Q, &step)
		}
		if !found {
			return nil, fmt.Errorf("option %d: no count up to %d decrypts the tally", o, max)
		}
	}
	return out, nil
}
