package votecrypto

import (
	"errors"
	"fmt"
	"io"

	"github.com/oasisprotocol/curve25519-voi/curve"
	"github.com/oasisprotocol/curve25519-voi/curve/scalar"

	"github.com/citychain/citychain/chain/tx"
)

// maxOptions bounds a ballot's options independently of the chain's
// MaxVoteOptions (the verifier's work is linear in it).
const maxOptions = 1024

// BallotParams is what a ballot is made and checked against.
type BallotParams struct {
	ChainID    string
	Election   uint64
	Key        tx.Elem // the election key Y
	Options    int
	MinChoices uint32
	MaxChoices uint32
}

// ElectionParams returns the ballot parameters of an election (its key
// must be set: the election opened).
func ElectionParams(chainID string, e *tx.VoteElection) (BallotParams, error) {
	if e.Key == nil {
		return BallotParams{}, fmt.Errorf("election %d has no key (status %s)", e.ID, e.Status)
	}
	return BallotParams{ChainID: chainID, Election: e.ID, Key: *e.Key, Options: len(e.Options),
		MinChoices: e.MinChoices, MaxChoices: e.MaxChoices}, nil
}

func (p BallotParams) check() error {
	if p.Options < 1 || p.Options > maxOptions {
		return fmt.Errorf("options %d: want 1 to %d", p.Options, maxOptions)
	}
	if p.MinChoices > p.MaxChoices || int(p.MaxChoices) > p.Options {
		return fmt.Errorf("choices %d to %d: want min ≤ max ≤ options (%d)", p.MinChoices, p.MaxChoices, p.Options)
	}
	return nil
}

// BallotError names the part of a ballot that failed: Option is the
// option's index, or -1 for the sum proof, or -2 for the ballot's shape.
type BallotError struct {
	Option int
	Reason string
}

func (e *BallotError) Error() string {
	switch {
	case e.Option >= 0:
		return fmt.Sprintf("option %d: %s", e.Option, e.Reason)
	case e.Option == -1:
		return "sum proof: " + e.Reason
	default:
		return "ballot: " + e.Reason
	}
}

func shapeError(format string, a ...any) error {
	return &BallotError{Option: -2, Reason: fmt.Sprintf(format, a...)}
}

// EncryptBallot fills m.Choices and m.Sum for choices (one per option),
// using m.Election and m.BallotKey as the proofs' context (m.Election is
// set to p.Election when zero). It refuses a number of choices outside
// [MinChoices, MaxChoices].
func EncryptBallot(rand io.Reader, p BallotParams, m *tx.MsgVotingCast, choices []bool) error {
	if err := p.check(); err != nil {
		return err
	}
	if m.Election == 0 {
		m.Election = p.Election
	}
	if m.Election != p.Election {
		return fmt.Errorf("ballot for election %d, parameters of election %d", m.Election, p.Election)
	}
	if len(choices) != p.Options {
		return fmt.Errorf("%d choices for %d options", len(choices), p.Options)
	}
	var total uint32
	for _, c := range choices {
		if c {
			total++
		}
	}
	if total < p.MinChoices || total > p.MaxChoices {
		return fmt.Errorf("%d options chosen: the election allows %d to %d", total, p.MinChoices, p.MaxChoices)
	}
	Y, err := decodeKey(p.Key)
	if err != nil {
		return fmt.Errorf("election key: %w", err)
	}
	ctx := BallotContext(p.ChainID, p.Election, m.BallotKey)
	n := p.Options
	As := make([]curve.RistrettoPoint, n)
	Bs := make([]curve.RistrettoPoint, n)
	rhos := make([]*scalar.Scalar, n)
	out := make([]tx.VoteChoice, n)
	var sumA, sumB curve.RistrettoPoint
	sumA.Identity()
	sumB.Identity()
	rhoSum := scalar.New()
	for i, c := range choices {
		rho, err := randomScalar(rand)
		if err != nil {
			return err
		}
		rhos[i] = rho
		As[i].MulBasepoint(genTable, rho)
		var rY curve.RistrettoPoint
		rY.Mul(Y, rho)
		if c {
			Bs[i].Add(&rY, gen)
		} else {
			Bs[i].Set(&rY)
		}
		out[i].Ct = tx.VoteCiphertext{A: encodePoint(&As[i]), B: encodePoint(&Bs[i])}
		sumA.Add(&sumA, &As[i])
		sumB.Add(&sumB, &Bs[i])
		rhoSum.Add(rhoSum, rho)
	}
	yb := p.Key
	for i, c := range choices {
		v := 0
		if c {
			v = 1
		}
		prefix := [][]byte{ctx, u32(uint32(i)), yb[:], out[i].Ct.A[:], out[i].Ct.B[:]}
		out[i].Proof, err = proveDisjunct(rand, HashOption, prefix, Y, &As[i], &Bs[i], 0, 2, v, rhos[i])
		if err != nil {
			return err
		}
	}
	prefix := [][]byte{ctx, u32(p.MinChoices), u32(p.MaxChoices), yb[:]}
	for i := range out {
		prefix = append(prefix, out[i].Ct.A[:], out[i].Ct.B[:])
	}
	sum, err := proveDisjunct(rand, HashSum, prefix, Y, &sumA, &sumB, p.MinChoices,
		int(p.MaxChoices-p.MinChoices)+1, int(total-p.MinChoices), rhoSum)
	if err != nil {
		return err
	}
	m.Choices = out
	m.Sum = sum
	return nil
}

// proveDisjunct proves that (A, B) = (ρ·G, v·G + ρ·Y) with v one of lo,
// lo+1, …, lo+nb−1 (branch k for lo+k), the true value being lo+real. The
// challenge is H(name, prefix…, a_0, b_0, a_1, b_1, …); the branch
// challenges sum to it.
func proveDisjunct(rand io.Reader, name string, prefix [][]byte, Y, A, B *curve.RistrettoPoint,
	lo uint32, nb, real int, rho *scalar.Scalar) ([]tx.VoteBranch, error) {
	br := make([]tx.VoteBranch, nb)
	cs := make([]*scalar.Scalar, nb)
	rs := make([]*scalar.Scalar, nb)
	var w *scalar.Scalar
	parts := append([][]byte{}, prefix...)
	for k := 0; k < nb; k++ {
		var a, b curve.RistrettoPoint
		if k == real {
			var err error
			if w, err = randomScalar(rand); err != nil {
				return nil, err
			}
			a.MulBasepoint(genTable, w)
			b.Mul(Y, w)
		} else {
			c, err := randomScalar(rand)
			if err != nil {
				return nil, err
			}
			r, err := randomScalar(rand)
			if err != nil {
				return nil, err
			}
			cs[k], rs[k] = c, r
			// a = r·G − c·A, b = r·Y − c·(B − v·G)
			var t curve.RistrettoPoint
			a.MulBasepoint(genTable, r)
			t.Mul(A, c)
			a.Sub(&a, &t)
			var vG, bv curve.RistrettoPoint
			vG.MulBasepoint(genTable, scalar.NewFromUint64(uint64(lo)+uint64(k)))
			bv.Sub(B, &vG)
			b.Mul(Y, r)
			t.Mul(&bv, c)
			b.Sub(&b, &t)
		}
		br[k].A, br[k].B = encodePoint(&a), encodePoint(&b)
	}
	for k := range br {
		parts = append(parts, br[k].A[:], br[k].B[:])
	}
	c := hashScalar(name, parts...)
	creal := scalar.New().Set(c)
	for k := range br {
		if k != real {
			creal.Sub(creal, cs[k])
		}
	}
	var rreal scalar.Scalar
	rreal.Mul(creal, rho)
	rreal.Add(&rreal, w)
	cs[real], rs[real] = creal, &rreal
	for k := range br {
		br[k].C, br[k].R = encodeScalar(cs[k]), encodeScalar(rs[k])
	}
	return br, nil
}

// checkShape checks the counts of a ballot against p.
func checkShape(p BallotParams, m *tx.MsgVotingCast) error {
	if err := p.check(); err != nil {
		return shapeError("parameters: %v", err)
	}
	if m.Election != p.Election {
		return shapeError("election %d, want %d", m.Election, p.Election)
	}
	if len(m.Choices) != p.Options {
		return shapeError("%d choices, want one per option (%d)", len(m.Choices), p.Options)
	}
	for i := range m.Choices {
		if n := len(m.Choices[i].Proof); n != 2 {
			return &BallotError{Option: i, Reason: fmt.Sprintf("%d proof branches, want 2", n)}
		}
	}
	if want := int(p.MaxChoices-p.MinChoices) + 1; len(m.Sum) != want {
		return &BallotError{Option: -1, Reason: fmt.Sprintf("%d branches, want %d (one per value from %d to %d)",
			len(m.Sum), want, p.MinChoices, p.MaxChoices)}
	}
	return nil
}

// VerifyBallot checks m's shape (one choice per option, two branches each,
// max−min+1 sum branches, canonical points and scalars) and every proof
// against p, in one multi-scalar multiplication; when it fails, it checks
// the parts one by one to return the *BallotError of the first bad part.
func VerifyBallot(p BallotParams, m *tx.MsgVotingCast) error {
	if err := checkShape(p, m); err != nil {
		return err
	}
	Y, err := decodeKey(p.Key)
	if err != nil {
		return shapeError("election key: %v", err)
	}
	if batchVerify(p, m, Y) {
		return nil
	}
	if err := verifyEach(p, m, Y); err != nil {
		return err
	}
	// Unreachable unless the batch and the single checks disagree.
	return shapeError("the batched check fails")
}

// VerifyBallotUnbatched checks the same as VerifyBallot, one equation at
// a time (no batch weights): the reference a verifier may follow instead
// of the batch. It returns the *BallotError of the first bad part.
func VerifyBallotUnbatched(p BallotParams, m *tx.MsgVotingCast) error {
	if err := checkShape(p, m); err != nil {
		return err
	}
	Y, err := decodeKey(p.Key)
	if err != nil {
		return shapeError("election key: %v", err)
	}
	return verifyEach(p, m, Y)
}

// decodedBranch is a branch with its points and scalars decoded.
type decodedBranch struct {
	a, b curve.RistrettoPoint
	c, r scalar.Scalar
}

func decodeBranch(br *tx.VoteBranch, d *decodedBranch) error {
	if err := setPoint(&d.a, br.A); err != nil {
		return fmt.Errorf("commitment a: %v", err)
	}
	if err := setPoint(&d.b, br.B); err != nil {
		return fmt.Errorf("commitment b: %v", err)
	}
	if _, err := d.c.SetCanonicalBytes(br.C[:]); err != nil {
		return fmt.Errorf("challenge %s is not a canonical scalar", br.C)
	}
	if _, err := d.r.SetCanonicalBytes(br.R[:]); err != nil {
		return fmt.Errorf("response %s is not a canonical scalar", br.R)
	}
	return nil
}

// setPoint decodes a canonical encoding other than the identity into p.
func setPoint(p *curve.RistrettoPoint, e tx.Elem) error {
	if e == (tx.Elem{}) {
		return errors.New("the identity point")
	}
	c := curve.CompressedRistretto(e)
	if _, err := p.SetCompressed(&c); err != nil {
		return fmt.Errorf("%s is not a canonical ristretto255 encoding", e)
	}
	return nil
}

// batchSeed is s = H("batch", ctx, Y, BallotBytes(m)); the equations'
// weights are its powers 1, s, s², … (docs/voting-verification.md).
func batchSeed(p BallotParams, ctx []byte, m *tx.MsgVotingCast) *scalar.Scalar {
	return hashScalar(HashBatch, ctx, p.Key[:], tx.BallotBytes(m))
}

// batchVerify checks every proof of m in one multi-scalar multiplication:
// Σ_k z_k·E_k = 0 where E_k are the verification equations in order (for
// option i, branch v: r·G − a − c·A, then r·Y − b − c·(B − v·G); then the
// sum branches) and z_k = s^k. False on any failure.
func batchVerify(p BallotParams, m *tx.MsgVotingCast, Y *curve.RistrettoPoint) bool {
	n := p.Options
	ns := len(m.Sum)
	ctx := BallotContext(p.ChainID, p.Election, m.BallotKey)
	// points: Y, then per option A, B, a0, b0, a1, b1, then per sum
	// branch a, b.
	np := 1 + 6*n + 2*ns
	pts := make([]curve.RistrettoPoint, np)
	scs := make([]scalar.Scalar, np)
	pp := make([]*curve.RistrettoPoint, np)
	sp := make([]*scalar.Scalar, np)
	for i := range pts {
		pp[i], sp[i] = &pts[i], &scs[i]
	}
	pts[0].Set(Y)
	yb := p.Key
	var g scalar.Scalar // G's coefficient
	var t, z1, z2 scalar.Scalar
	s := batchSeed(p, ctx, m)
	z := scalar.One() // z_k = s^k
	next := func() {
		z1.Set(z)
		z.Mul(z, s)
		z2.Set(z)
		z.Mul(z, s)
	}
	var br decodedBranch
	// option proofs: equations 4i .. 4i+3
	sumParts := make([][]byte, 0, 4+2*n+2*ns)
	sumParts = append(sumParts, ctx, u32(p.MinChoices), u32(p.MaxChoices), yb[:])
	for i := range m.Choices {
		ch := &m.Choices[i]
		base := 1 + 6*i
		if setPoint(&pts[base], ch.Ct.A) != nil || setPoint(&pts[base+1], ch.Ct.B) != nil {
			return false
		}
		sumParts = append(sumParts, ch.Ct.A[:], ch.Ct.B[:])
		var csum scalar.Scalar
		for v := 0; v < 2; v++ {
			b := &ch.Proof[v]
			if decodeBranch(b, &br) != nil {
				return false
			}
			pts[base+2+2*v].Set(&br.a)
			pts[base+3+2*v].Set(&br.b)
			csum.Add(&csum, &br.c)
			next()
			// G: z1·r (+ z2·c·v); Y: z2·r; a: −z1; b: −z2; A: −z1·c; B: −z2·c
			t.Mul(&z1, &br.r)
			g.Add(&g, &t)
			if v == 1 {
				t.Mul(&z2, &br.c)
				g.Add(&g, &t)
			}
			t.Mul(&z2, &br.r)
			scs[0].Add(&scs[0], &t)
			scs[base+2+2*v].Neg(&z1)
			scs[base+3+2*v].Neg(&z2)
			t.Mul(&z1, &br.c)
			scs[base].Sub(&scs[base], &t)
			t.Mul(&z2, &br.c)
			scs[base+1].Sub(&scs[base+1], &t)
		}
		c := hashScalar(HashOption, ctx, u32(uint32(i)), yb[:], ch.Ct.A[:], ch.Ct.B[:],
			ch.Proof[0].A[:], ch.Proof[0].B[:], ch.Proof[1].A[:], ch.Proof[1].B[:])
		if c.Equal(&csum) != 1 {
			return false
		}
	}
	// sum proof: every A_i, B_i takes −z1·c, −z2·c of each branch.
	var csum, za, zb scalar.Scalar
	for k := range m.Sum {
		b := &m.Sum[k]
		if decodeBranch(b, &br) != nil {
			return false
		}
		idx := 1 + 6*n + 2*k
		pts[idx].Set(&br.a)
		pts[idx+1].Set(&br.b)
		sumParts = append(sumParts, b.A[:], b.B[:])
		csum.Add(&csum, &br.c)
		next()
		t.Mul(&z1, &br.r)
		g.Add(&g, &t)
		v := uint64(p.MinChoices) + uint64(k)
		if v != 0 {
			t.Mul(&z2, &br.c)
			t.Mul(&t, scalar.NewFromUint64(v))
			g.Add(&g, &t)
		}
		t.Mul(&z2, &br.r)
		scs[0].Add(&scs[0], &t)
		scs[idx].Neg(&z1)
		scs[idx+1].Neg(&z2)
		t.Mul(&z1, &br.c)
		za.Add(&za, &t)
		t.Mul(&z2, &br.c)
		zb.Add(&zb, &t)
	}
	if hashScalar(HashSum, sumParts...).Equal(&csum) != 1 {
		return false
	}
	for i := 0; i < n; i++ {
		base := 1 + 6*i
		scs[base].Sub(&scs[base], &za)
		scs[base+1].Sub(&scs[base+1], &zb)
	}
	var res curve.RistrettoPoint
	res.ExpandedMultiscalarMulVartime([]*scalar.Scalar{&g}, []*curve.ExpandedRistrettoPoint{genExpanded}, sp, pp)
	return res.IsIdentity()
}

// verifyEach checks a ballot part by part, each equation on its own, and
// returns the first bad part.
func verifyEach(p BallotParams, m *tx.MsgVotingCast, Y *curve.RistrettoPoint) error {
	ctx := BallotContext(p.ChainID, p.Election, m.BallotKey)
	yb := p.Key
	n := len(m.Choices)
	As := make([]curve.RistrettoPoint, n)
	Bs := make([]curve.RistrettoPoint, n)
	var sumA, sumB curve.RistrettoPoint
	sumA.Identity()
	sumB.Identity()
	for i := range m.Choices {
		ch := &m.Choices[i]
		if err := setPoint(&As[i], ch.Ct.A); err != nil {
			return &BallotError{Option: i, Reason: "ciphertext A: " + err.Error()}
		}
		if err := setPoint(&Bs[i], ch.Ct.B); err != nil {
			return &BallotError{Option: i, Reason: "ciphertext B: " + err.Error()}
		}
		parts := [][]byte{ctx, u32(uint32(i)), yb[:], ch.Ct.A[:], ch.Ct.B[:]}
		if err := checkDisjunct(HashOption, parts, Y, &As[i], &Bs[i], 0, ch.Proof); err != nil {
			return &BallotError{Option: i, Reason: err.Error()}
		}
		sumA.Add(&sumA, &As[i])
		sumB.Add(&sumB, &Bs[i])
	}
	parts := [][]byte{ctx, u32(p.MinChoices), u32(p.MaxChoices), yb[:]}
	for i := range m.Choices {
		parts = append(parts, m.Choices[i].Ct.A[:], m.Choices[i].Ct.B[:])
	}
	if err := checkDisjunct(HashSum, parts, Y, &sumA, &sumB, p.MinChoices, m.Sum); err != nil {
		return &BallotError{Option: -1, Reason: err.Error()}
	}
	return nil
}

// checkDisjunct checks a disjunctive proof that (A, B) encrypts one of
// lo, lo+1, …: every branch k satisfies r·G = a + c·A and
// r·Y = b + c·(B − (lo+k)·G), and the challenges sum to
// H(name, parts…, a_0, b_0, …).
func checkDisjunct(name string, parts [][]byte, Y, A, B *curve.RistrettoPoint, lo uint32, brs []tx.VoteBranch) error {
	var csum, nc scalar.Scalar
	var br decodedBranch
	var P, vG, Bv curve.RistrettoPoint
	for k := range brs {
		if err := decodeBranch(&brs[k], &br); err != nil {
			return fmt.Errorf("branch %d: %v", k, err)
		}
		csum.Add(&csum, &br.c)
		nc.Neg(&br.c)
		P.DoubleScalarMulBasepointVartime(&nc, A, &br.r) // r·G − c·A
		if !pointsEqual(&P, &br.a) {
			return fmt.Errorf("branch %d (value %d): r·G ≠ a + c·A", k, uint64(lo)+uint64(k))
		}
		vG.MulBasepoint(genTable, scalar.NewFromUint64(uint64(lo)+uint64(k)))
		Bv.Sub(B, &vG)
		P.MultiscalarMulVartime([]*scalar.Scalar{&br.r, &nc}, []*curve.RistrettoPoint{Y, &Bv}) // r·Y − c·(B − v·G)
		if !pointsEqual(&P, &br.b) {
			return fmt.Errorf("branch %d (value %d): r·Y ≠ b + c·(B − %d·G)", k, uint64(lo)+uint64(k), uint64(lo)+uint64(k))
		}
		parts = append(parts, brs[k].A[:], brs[k].B[:])
	}
	if hashScalar(name, parts...).Equal(&csum) != 1 {
		return errors.New("the branch challenges do not sum to the proof's challenge")
	}
	return nil
}

// ---- tally ----

// EmptyTally returns n ciphertexts of the identity (the tally of no
// ballot).
func EmptyTally(n int) []tx.VoteCiphertext {
	if n < 0 {
		n = 0
	}
	return make([]tx.VoteCiphertext, n) // the identity encodes as 32 zero bytes
}

// AddBallot returns tally + weight·(each choice's ciphertext), or minus
// when sub (a re-vote removes the key's previous ballot).
func AddBallot(tally []tx.VoteCiphertext, choices []tx.VoteChoice, weight uint64, sub bool) ([]tx.VoteCiphertext, error) {
	if len(choices) != len(tally) {
		return nil, fmt.Errorf("ballot of %d choices, tally of %d options", len(choices), len(tally))
	}
	w := scalar.NewFromUint64(weight)
	out := make([]tx.VoteCiphertext, len(tally))
	for o := range tally {
		ta, err := decodePoint(tally[o].A)
		if err != nil {
			return nil, fmt.Errorf("tally option %d A: %v", o, err)
		}
		tb, err := decodePoint(tally[o].B)
		if err != nil {
			return nil, fmt.Errorf("tally option %d B: %v", o, err)
		}
		a, err := decodePoint(choices[o].Ct.A)
		if err != nil {
			return nil, fmt.Errorf("choice %d A: %v", o, err)
		}
		b, err := decodePoint(choices[o].Ct.B)
		if err != nil {
			return nil, fmt.Errorf("choice %d B: %v", o, err)
		}
		if weight != 1 {
			var wa, wb curve.RistrettoPoint
			wa.MultiscalarMulVartime([]*scalar.Scalar{w}, []*curve.RistrettoPoint{a})
			wb.MultiscalarMulVartime([]*scalar.Scalar{w}, []*curve.RistrettoPoint{b})
			a, b = &wa, &wb
		}
		if sub {
			ta.Sub(ta, a)
			tb.Sub(tb, b)
		} else {
			ta.Add(ta, a)
			tb.Add(tb, b)
		}
		out[o] = tx.VoteCiphertext{A: encodePoint(ta), B: encodePoint(tb)}
	}
	return out, nil
}
