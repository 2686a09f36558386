package votecrypto

import (
	"errors"
	"io"
	"testing"

	"github.com/oasisprotocol/curve25519-voi/curve"
	"github.com/oasisprotocol/curve25519-voi/curve/scalar"

	"github.com/citychain/citychain/chain/tx"
)

// TestBallotCompleteness: honest ballots of several shapes verify, batched
// and unbatched, and decrypt to the choices.
func TestBallotCompleteness(t *testing.T) {
	r := seeded("complete")
	cases := []struct {
		options  int
		min, max uint32
		chosen   []int
	}{
		{5, 1, 1, []int{0}},
		{5, 1, 1, []int{4}},
		{2, 1, 1, []int{1}},
		{4, 0, 2, nil},
		{4, 0, 2, []int{1, 3}},
		{3, 1, 3, []int{0, 1, 2}},
		{6, 2, 4, []int{0, 5, 2}},
		{1, 0, 1, []int{0}},
	}
	for _, c := range cases {
		p, x := testParams(t, r, c.options, c.min, c.max)
		m := castBallot(t, r, p, c.chosen...)
		if err := VerifyBallot(p, m); err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		if err := VerifyBallotUnbatched(p, m); err != nil {
			t.Fatalf("%+v unbatched: %v", c, err)
		}
		if len(m.Sum) != int(c.max-c.min)+1 {
			t.Fatalf("%+v: %d sum branches", c, len(m.Sum))
		}
		want := make([]uint64, c.options)
		for _, o := range c.chosen {
			want[o] = 1
		}
		for o := range m.Choices {
			if got := decryptWith(t, x, m.Choices[o].Ct); got != want[o] {
				t.Fatalf("%+v: option %d decrypts to %d, want %d", c, o, got, want[o])
			}
		}
	}
}

// TestEncryptBallotRefuses: choices outside [min, max] or of the wrong
// count are refused by the honest prover.
func TestEncryptBallotRefuses(t *testing.T) {
	r := seeded("refuse")
	p, _ := testParams(t, r, 4, 1, 2)
	for _, choices := range [][]bool{
		{false, false, false, false},
		{true, true, true, false},
		{true, false, false},
	} {
		m := &tx.MsgVotingCast{Election: p.Election, BallotKey: ballotKey(t, r)}
		if err := EncryptBallot(r, p, m, choices); err == nil {
			t.Fatalf("choices %v accepted", choices)
		}
	}
	m := &tx.MsgVotingCast{Election: p.Election + 1, BallotKey: ballotKey(t, r)}
	if err := EncryptBallot(r, p, m, []bool{true, false, false, false}); err == nil {
		t.Fatal("ballot for another election accepted")
	}
}

// cloneBallot deep-copies a ballot.
func cloneBallot(m *tx.MsgVotingCast) *tx.MsgVotingCast {
	c := *m
	c.Choices = make([]tx.VoteChoice, len(m.Choices))
	for i, ch := range m.Choices {
		c.Choices[i] = tx.VoteChoice{Ct: ch.Ct, Proof: append([]tx.VoteBranch(nil), ch.Proof...)}
	}
	c.Sum = append([]tx.VoteBranch(nil), m.Sum...)
	c.BallotKey = append(tx.PubKey(nil), m.BallotKey...)
	return &c
}

// wantBallotError checks that both verifiers refuse m naming option.
func wantBallotError(t *testing.T, what string, p BallotParams, m *tx.MsgVotingCast, option int) {
	t.Helper()
	for name, verify := range map[string]func(BallotParams, *tx.MsgVotingCast) error{
		"batched": VerifyBallot, "unbatched": VerifyBallotUnbatched,
	} {
		err := verify(p, m)
		var be *BallotError
		if !errors.As(err, &be) {
			t.Fatalf("%s (%s): got %v, want a *BallotError", what, name, err)
		}
		if be.Option != option {
			t.Fatalf("%s (%s): error names part %d (%v), want %d", what, name, be.Option, be, option)
		}
	}
}

// addG returns e + G.
func addG(t *testing.T, e tx.Elem) tx.Elem {
	p, err := decodePoint(e)
	if err != nil {
		t.Fatal(err)
	}
	p.Add(p, gen)
	return encodePoint(p)
}

// addOne returns the scalar e + 1.
func addOne(t *testing.T, e tx.Elem) tx.Elem {
	s, err := decodeScalar(e)
	if err != nil {
		t.Fatal(err)
	}
	s.Add(s, scalar.One())
	return encodeScalar(s)
}

// TestBallotSoundnessTamper: changing any challenge, response,
// commitment, ciphertext or the context makes the ballot fail, naming the
// part.
func TestBallotSoundnessTamper(t *testing.T) {
	r := seeded("tamper")
	p, _ := testParams(t, r, 5, 1, 2)
	m := castBallot(t, r, p, 1, 3)
	type edit struct {
		name   string
		option int
		f      func(m *tx.MsgVotingCast)
	}
	var edits []edit
	for o := 0; o < 5; o++ {
		for b := 0; b < 2; b++ {
			edits = append(edits,
				edit{"c", o, func(m *tx.MsgVotingCast) { m.Choices[o].Proof[b].C = addOne(t, m.Choices[o].Proof[b].C) }},
				edit{"r", o, func(m *tx.MsgVotingCast) { m.Choices[o].Proof[b].R = addOne(t, m.Choices[o].Proof[b].R) }},
				edit{"a", o, func(m *tx.MsgVotingCast) { m.Choices[o].Proof[b].A = addG(t, m.Choices[o].Proof[b].A) }},
				edit{"b", o, func(m *tx.MsgVotingCast) { m.Choices[o].Proof[b].B = addG(t, m.Choices[o].Proof[b].B) }},
			)
		}
	}
	// A changed ciphertext breaks its option proof (and the sum's).
	edits = append(edits,
		edit{"ct A", 2, func(m *tx.MsgVotingCast) { m.Choices[2].Ct.A = addG(t, m.Choices[2].Ct.A) }},
		edit{"ct B", 4, func(m *tx.MsgVotingCast) { m.Choices[4].Ct.B = addG(t, m.Choices[4].Ct.B) }},
		// Swapping two options' ciphertexts and proofs keeps each
		// proof's statement but not its option index in the hash.
		edit{"swap", 0, func(m *tx.MsgVotingCast) { m.Choices[0], m.Choices[1] = m.Choices[1], m.Choices[0] }},
	)
	for k := 0; k < 2; k++ {
		edits = append(edits,
			edit{"sum c", -1, func(m *tx.MsgVotingCast) { m.Sum[k].C = addOne(t, m.Sum[k].C) }},
			edit{"sum r", -1, func(m *tx.MsgVotingCast) { m.Sum[k].R = addOne(t, m.Sum[k].R) }},
			edit{"sum a", -1, func(m *tx.MsgVotingCast) { m.Sum[k].A = addG(t, m.Sum[k].A) }},
			edit{"sum b", -1, func(m *tx.MsgVotingCast) { m.Sum[k].B = addG(t, m.Sum[k].B) }},
		)
	}
	// Moving challenge mass between two branches keeps the sum of the
	// challenges but not the equations.
	edits = append(edits, edit{"shift c", 3, func(m *tx.MsgVotingCast) {
		m.Choices[3].Proof[0].C = addOne(t, m.Choices[3].Proof[0].C)
		c1, _ := decodeScalar(m.Choices[3].Proof[1].C)
		c1.Sub(c1, scalar.One())
		m.Choices[3].Proof[1].C = encodeScalar(c1)
	}})
	for _, e := range edits {
		c := cloneBallot(m)
		e.f(c)
		wantBallotError(t, e.name, p, c, e.option)
	}
	// The context: another chain, election, ballot key or election key.
	q := p
	q.ChainID = "other-chain"
	wantBallotError(t, "chain id", q, m, 0)
	q = p
	q.Election++
	c := cloneBallot(m)
	c.Election = q.Election
	wantBallotError(t, "election", q, c, 0)
	c = cloneBallot(m)
	c.BallotKey[0] ^= 1
	wantBallotError(t, "ballot key", p, c, 0)
	q = p
	q.Key = addG(t, p.Key)
	wantBallotError(t, "election key", q, m, 0)
	// The untouched ballot still verifies (the edits worked on copies).
	if err := VerifyBallot(p, m); err != nil {
		t.Fatal(err)
	}
}

// TestBallotShape: counts and encodings.
func TestBallotShape(t *testing.T) {
	r := seeded("shape")
	p, _ := testParams(t, r, 3, 1, 1)
	m := castBallot(t, r, p, 0)
	c := cloneBallot(m)
	c.Choices = c.Choices[:2]
	wantBallotError(t, "two choices", p, c, -2)
	c = cloneBallot(m)
	c.Choices[1].Proof = append(c.Choices[1].Proof, c.Choices[1].Proof[0])
	wantBallotError(t, "three branches", p, c, 1)
	c = cloneBallot(m)
	c.Sum = append(c.Sum, c.Sum[0])
	wantBallotError(t, "sum branches", p, c, -1)
	c = cloneBallot(m)
	c.Election++
	wantBallotError(t, "election", p, c, -2)

	// ℓ itself is not a canonical scalar; c + ℓ is the same scalar
	// non-canonically encoded.
	ell := tx.Elem{0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10}
	c = cloneBallot(m)
	c.Choices[2].Proof[0].R = ell
	wantBallotError(t, "scalar ℓ", p, c, 2)
	c = cloneBallot(m)
	c.Sum[0].C = ell
	wantBallotError(t, "sum scalar ℓ", p, c, -1)
	// The identity and non-canonical encodings (RFC 9496 A.2: a
	// negative field element, a non-canonical one).
	bad := []tx.Elem{{}, hexElem(t, "0100000000000000000000000000000000000000000000000000000000000000"),
		hexElem(t, "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")}
	for _, e := range bad {
		c = cloneBallot(m)
		c.Choices[1].Ct.A = e
		wantBallotError(t, "bad point in ct", p, c, 1)
		c = cloneBallot(m)
		c.Choices[0].Proof[1].B = e
		wantBallotError(t, "bad point in branch", p, c, 0)
		c = cloneBallot(m)
		c.Sum[0].A = e
		wantBallotError(t, "bad point in sum", p, c, -1)
	}
	// A bad election key is a shape error.
	q := p
	q.Key = tx.Elem{}
	wantBallotError(t, "identity key", q, m, -2)
	q = p
	q.MinChoices, q.MaxChoices = 2, 1
	wantBallotError(t, "min > max", q, m, -2)
}

// cheatBallot encrypts arbitrary integer values (2 in an option, or
// choices whose sum is outside [min, max]) and proves them as an honest
// prover would, pretending each value is the nearest allowed one.
func cheatBallot(t *testing.T, r io.Reader, p BallotParams, values []int64) *tx.MsgVotingCast {
	Y, err := decodeKey(p.Key)
	if err != nil {
		t.Fatal(err)
	}
	m := &tx.MsgVotingCast{Election: p.Election, BallotKey: ballotKey(t, r), Weight: 1}
	ctx := BallotContext(p.ChainID, p.Election, m.BallotKey)
	n := len(values)
	As := make([]curve.RistrettoPoint, n)
	Bs := make([]curve.RistrettoPoint, n)
	rhos := make([]*scalar.Scalar, n)
	var sumA, sumB curve.RistrettoPoint
	sumA.Identity()
	sumB.Identity()
	rhoSum := scalar.New()
	var total int64
	m.Choices = make([]tx.VoteChoice, n)
	for i, v := range values {
		rho, _ := randomScalar(r)
		rhos[i] = rho
		As[i].MulBasepoint(genTable, rho)
		var vG curve.RistrettoPoint
		vs := scalar.NewFromUint64(uint64(abs(v)))
		if v < 0 {
			vs.Neg(vs)
		}
		vG.MulBasepoint(genTable, vs)
		Bs[i].Mul(Y, rho)
		Bs[i].Add(&Bs[i], &vG)
		m.Choices[i].Ct = tx.VoteCiphertext{A: encodePoint(&As[i]), B: encodePoint(&Bs[i])}
		sumA.Add(&sumA, &As[i])
		sumB.Add(&sumB, &Bs[i])
		rhoSum.Add(rhoSum, rho)
		total += v
	}
	for i, v := range values {
		prefix := [][]byte{ctx, u32(uint32(i)), p.Key[:], m.Choices[i].Ct.A[:], m.Choices[i].Ct.B[:]}
		m.Choices[i].Proof, err = proveDisjunct(r, HashOption, prefix, Y, &As[i], &Bs[i], 0, 2, int(clamp(v, 0, 1)), rhos[i])
		if err != nil {
			t.Fatal(err)
		}
	}
	prefix := [][]byte{ctx, u32(p.MinChoices), u32(p.MaxChoices), p.Key[:]}
	for i := range m.Choices {
		prefix = append(prefix, m.Choices[i].Ct.A[:], m.Choices[i].Ct.B[:])
	}
	nb := int(p.MaxChoices-p.MinChoices) + 1
	m.Sum, err = proveDisjunct(r, HashSum, prefix, Y, &sumA, &sumB, p.MinChoices, nb,
		int(clamp(total-int64(p.MinChoices), 0, int64(nb-1))), rhoSum)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

func clamp(v, lo, hi int64) int64 { return max(lo, min(v, hi)) }

// TestCheatingProver: a ballot encrypting 2 (or −1) in an option, or
// choices summing outside [min, max], is refused, naming the part.
func TestCheatingProver(t *testing.T) {
	r := seeded("cheat")
	// The sum allows 0..3, so only the option proof can catch a 2.
	p, _ := testParams(t, r, 3, 0, 3)
	wantBallotError(t, "2 in option 0", p, cheatBallot(t, r, p, []int64{2, 0, 0}), 0)
	wantBallotError(t, "2 in option 2", p, cheatBallot(t, r, p, []int64{0, 1, 2}), 2)
	wantBallotError(t, "-1 in option 1", p, cheatBallot(t, r, p, []int64{1, -1, 1}), 1)
	// The cheater's honest-looking prover does produce valid ballots for
	// allowed values (the checks above are not vacuous).
	if err := VerifyBallot(p, cheatBallot(t, r, p, []int64{1, 0, 1})); err != nil {
		t.Fatal(err)
	}
	// Choose one of five: two chosen, or none, fails the sum proof.
	q, _ := testParams(t, r, 5, 1, 1)
	wantBallotError(t, "two chosen", q, cheatBallot(t, r, q, []int64{1, 0, 0, 1, 0}), -1)
	wantBallotError(t, "none chosen", q, cheatBallot(t, r, q, []int64{0, 0, 0, 0, 0}), -1)
	if err := VerifyBallot(q, cheatBallot(t, r, q, []int64{0, 0, 0, 1, 0})); err != nil {
		t.Fatal(err)
	}
	// Up to two of four: three chosen fails.
	q, _ = testParams(t, r, 4, 1, 2)
	wantBallotError(t, "three of four", q, cheatBallot(t, r, q, []int64{1, 1, 1, 0}), -1)
	// A 2 and a 0 sum to an allowed 2 and a −1, 1 to an allowed 0... but
	// the option proofs catch them.
	wantBallotError(t, "2 hidden in an allowed sum", q, cheatBallot(t, r, q, []int64{0, 2, 0, 0}), 1)
}

// TestTallyWeightsAndReVote: weights multiply the ciphertexts; a re-vote
// subtracts the previous ballot.
func TestTallyWeightsAndReVote(t *testing.T) {
	r := seeded("tally")
	p, x := testParams(t, r, 2, 1, 1)
	tally := EmptyTally(2)
	var err error
	add := func(m *tx.MsgVotingCast, w uint64, sub bool) {
		tally, err = AddBallot(tally, m.Choices, w, sub)
		if err != nil {
			t.Fatal(err)
		}
	}
	counts := func() []uint64 {
		return []uint64{decryptWith(t, x, tally[0]), decryptWith(t, x, tally[1])}
	}
	a := castBallot(t, r, p, 0) // weight 1 chooses A
	b := castBallot(t, r, p, 1) // weight 3 chooses B
	add(a, 1, false)
	add(b, 3, false)
	if c := counts(); c[0] != 1 || c[1] != 3 {
		t.Fatalf("weighted tally {1,3}: counts %v, want [1 3]", c)
	}
	// The weight-3 voter re-votes for A.
	b2 := castBallot(t, r, p, 0)
	add(b, 3, true)
	add(b2, 3, false)
	if c := counts(); c[0] != 4 || c[1] != 0 {
		t.Fatalf("after the re-vote: counts %v, want [4 0]", c)
	}
	// Removing everything gives the empty tally back, byte for byte.
	add(a, 1, true)
	add(b2, 3, true)
	for o := range tally {
		if tally[o] != (tx.VoteCiphertext{}) {
			t.Fatalf("option %d: %v, want the identity", o, tally[o])
		}
	}
	if _, err := AddBallot(tally, a.Choices[:1], 1, false); err == nil {
		t.Fatal("ballot of 1 choice added to a 2-option tally")
	}
}

func hexElem(t *testing.T, s string) tx.Elem {
	t.Helper()
	e, err := tx.ParseHash32(s)
	if err != nil {
		t.Fatal(err)
	}
	return e
}
