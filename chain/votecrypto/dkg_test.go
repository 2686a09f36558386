package votecrypto

import (
	"errors"
	"io"
	"testing"

	"github.com/oasisprotocol/curve25519-voi/curve/scalar"

	"github.com/citychain/citychain/chain/tx"
)

const testChain = "citychain-test"

// dkgTrustee is one trustee's secrets in a test DKG.
type dkgTrustee struct {
	x       Secret // DKG encryption secret
	key     tx.Elem
	keyPoK  tx.VoteSchnorr
	dealPoK tx.VoteSchnorr
	poly    Polynomial
	comm    []tx.Elem
	shares  []tx.VoteEncShare
	share   Secret // x_j = Σ_i f_i(j)
}

// runDKG runs the DKG among n trustees with threshold k; every deal is
// honest and every share checks.
func runDKG(t testing.TB, r io.Reader, election uint64, n, k int) []*dkgTrustee {
	t.Helper()
	ts := make([]*dkgTrustee, n+1)
	for j := 1; j <= n; j++ {
		x, err := NewSecret(r)
		if err != nil {
			t.Fatal(err)
		}
		pok, err := ProveKnowledge(r, x, KeyContext(testChain, election, uint32(j)))
		if err != nil {
			t.Fatal(err)
		}
		if !VerifyKnowledge(x.Public(), pok, KeyContext(testChain, election, uint32(j))) {
			t.Fatalf("trustee %d: key proof fails", j)
		}
		ts[j] = &dkgTrustee{x: x, key: x.Public(), keyPoK: pok}
	}
	for i := 1; i <= n; i++ {
		d := ts[i]
		var err error
		if d.poly, err = NewPolynomial(r, k); err != nil {
			t.Fatal(err)
		}
		d.comm = d.poly.Commitments()
		pok, err := ProveKnowledge(r, d.poly[0], DealContext(testChain, election, uint32(i)))
		if err != nil {
			t.Fatal(err)
		}
		if !VerifyKnowledge(d.comm[0], pok, DealContext(testChain, election, uint32(i))) {
			t.Fatalf("dealer %d: deal proof fails", i)
		}
		d.dealPoK = pok
		for j := 1; j <= n; j++ {
			if j == i {
				continue
			}
			es, err := EncryptShare(r, testChain, election, uint32(i), uint32(j), ts[j].key, d.poly.Eval(uint32(j)))
			if err != nil {
				t.Fatal(err)
			}
			d.shares = append(d.shares, es)
		}
	}
	for j := 1; j <= n; j++ {
		var got []Secret
		for i := 1; i <= n; i++ {
			var s Secret
			if i == j {
				s = ts[i].poly.Eval(uint32(j))
			} else {
				var err error
				s, err = DecryptShare(testChain, election, uint32(i), ts[j].x, shareTo(ts[i].shares, uint32(j)))
				if err != nil {
					t.Fatal(err)
				}
			}
			if !VerifyShare(ts[i].comm, uint32(j), s) {
				t.Fatalf("share of dealer %d to %d fails its Feldman check", i, j)
			}
			got = append(got, s)
		}
		ts[j].share = SumSecrets(got...)
	}
	return ts
}

func shareTo(shares []tx.VoteEncShare, j uint32) tx.VoteEncShare {
	for _, s := range shares {
		if s.To == j {
			return s
		}
	}
	return tx.VoteEncShare{}
}

func deals(ts []*dkgTrustee) [][]tx.Elem {
	var out [][]tx.Elem
	for _, d := range ts[1:] {
		out = append(out, d.comm)
	}
	return out
}

// subsets returns every k-subset of 1..n.
func subsets(n, k int) [][]uint32 {
	var out [][]uint32
	var rec func(start int, cur []uint32)
	rec = func(start int, cur []uint32) {
		if len(cur) == k {
			out = append(out, append([]uint32(nil), cur...))
			return
		}
		for i := start; i <= n; i++ {
			rec(i+1, append(cur, uint32(i)))
		}
	}
	rec(1, nil)
	return out
}

// TestDKGThreshold: 5 trustees, threshold 3. The election key and
// verification keys follow from the deals; any 3 trustees decrypt the
// tally to the right counts; 2 cannot.
func TestDKGThreshold(t *testing.T) {
	r := seeded("dkg")
	const n, k = 5, 3
	ts := runDKG(t, r, 9, n, k)
	Y, err := ElectionKey(deals(ts))
	if err != nil {
		t.Fatal(err)
	}
	// Y = (Σ a_{i,0})·G, Y_j = x_j·G.
	sum := scalar.New()
	for _, d := range ts[1:] {
		sum.Add(sum, d.poly[0].scalar())
	}
	if secretOf(sum).Public() != Y {
		t.Fatal("election key is not Σ a_{i,0}·G")
	}
	for j := 1; j <= n; j++ {
		Yj, err := VerificationKey(deals(ts), uint32(j))
		if err != nil {
			t.Fatal(err)
		}
		if Yj != ts[j].share.Public() {
			t.Fatalf("trustee %d: verification key is not x_j·G", j)
		}
	}
	// Ballots: 5 options, choose one; counts [2 1 0 3 1].
	p := BallotParams{ChainID: testChain, Election: 9, Key: Y, Options: 5, MinChoices: 1, MaxChoices: 1}
	want := []uint64{2, 1, 0, 3, 1}
	tally := EmptyTally(5)
	for o, c := range want {
		for range c {
			m := castBallot(t, r, p, o)
			if err := VerifyBallot(p, m); err != nil {
				t.Fatal(err)
			}
			if tally, err = AddBallot(tally, m.Choices, 1, false); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Every trustee's decryption shares, verified.
	dec := make([][]tx.Elem, n+1)
	for j := 1; j <= n; j++ {
		Yj, _ := VerificationKey(deals(ts), uint32(j))
		for o := range tally {
			s, err := DecryptionShare(r, testChain, 9, uint32(j), o, ts[j].share, tally[o].A)
			if err != nil {
				t.Fatal(err)
			}
			if !VerifyDecryptionShare(testChain, 9, uint32(j), o, Yj, tally[o].A, s) {
				t.Fatalf("trustee %d option %d: share fails", j, o)
			}
			dec[j] = append(dec[j], s.D)
		}
	}
	pick := func(idx []uint32) [][]tx.Elem {
		out := make([][]tx.Elem, len(idx))
		for i, j := range idx {
			out[i] = dec[j]
		}
		return out
	}
	for _, idx := range subsets(n, k) {
		M, err := Combine(idx, pick(idx), tally)
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckCounts(M, want); err != nil {
			t.Fatalf("trustees %v: %v", idx, err)
		}
		got, err := SolveCounts(M, 8)
		if err != nil {
			t.Fatal(err)
		}
		for o := range want {
			if got[o] != want[o] {
				t.Fatalf("trustees %v: counts %v, want %v", idx, got, want)
			}
		}
	}
	for _, idx := range subsets(n, k-1) {
		M, err := Combine(idx, pick(idx), tally)
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckCounts(M, want); err == nil {
			t.Fatalf("trustees %v (fewer than the threshold) decrypted the tally", idx)
		}
		if _, err := SolveCounts(M, 8); err == nil {
			t.Fatalf("trustees %v (fewer than the threshold) found counts", idx)
		}
	}
	// Combine's argument checks.
	if _, err := Combine([]uint32{1, 1, 2}, pick([]uint32{1, 1, 2}), tally); err == nil {
		t.Fatal("repeated index accepted")
	}
	if _, err := Combine([]uint32{0, 1, 2}, pick([]uint32{1, 1, 2}), tally); err == nil {
		t.Fatal("index 0 accepted")
	}
	if _, err := Combine([]uint32{1, 2}, pick([]uint32{1, 2, 3}), tally); err == nil {
		t.Fatal("3 share lists for 2 indices accepted")
	}
}

// TestComplaint: a dealer sending a bad share is caught; a complaint
// against a good share is refused; a complaint with a bad proof or a
// wrong key is refused with ErrBadComplaint.
func TestComplaint(t *testing.T) {
	r := seeded("complaint")
	const election = 4
	ts := runDKG(t, r, election, 5, 3)
	dealer, victim := uint32(2), uint32(4)
	d := ts[dealer]
	// The dealer sends f(4)+1 instead of f(4).
	badShare := secretOf(new(scalar.Scalar).Add(d.poly.Eval(victim).scalar(), scalar.One()))
	bad, err := EncryptShare(r, testChain, election, dealer, victim, ts[victim].key, badShare)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecryptShare(testChain, election, dealer, ts[victim].x, bad)
	if err != nil {
		t.Fatal(err)
	}
	if VerifyShare(d.comm, victim, got) {
		t.Fatal("bad share passes the Feldman check")
	}
	K, proof, err := Complaint(r, testChain, election, dealer, victim, ts[victim].x, bad)
	if err != nil {
		t.Fatal(err)
	}
	fault, err := JudgeComplaint(testChain, election, dealer, victim, ts[victim].key, bad, K, proof, d.comm)
	if err != nil || !fault {
		t.Fatalf("bad share: fault %v, err %v; want the dealer at fault", fault, err)
	}
	// A good share: the complaint's proof verifies but the dealer is not
	// at fault (the chain refuses the complaint).
	good := shareTo(d.shares, victim)
	K, proof, err = Complaint(r, testChain, election, dealer, victim, ts[victim].x, good)
	if err != nil {
		t.Fatal(err)
	}
	fault, err = JudgeComplaint(testChain, election, dealer, victim, ts[victim].key, good, K, proof, d.comm)
	if err != nil || fault {
		t.Fatalf("good share: fault %v, err %v; want no fault", fault, err)
	}
	// A forged K (the complainer claims the share decrypts to garbage):
	// its proof cannot verify.
	Kp, _ := decodePoint(K)
	Kp.Add(Kp, gen)
	fault, err = JudgeComplaint(testChain, election, dealer, victim, ts[victim].key, good, encodePoint(Kp), proof, d.comm)
	if !errors.Is(err, ErrBadComplaint) || fault {
		t.Fatalf("forged K: fault %v, err %v; want ErrBadComplaint", fault, err)
	}
	// Another trustee complaining about a share addressed to the victim,
	// with its own key: refused.
	other := uint32(5)
	K5, proof5, err := ProveDLEQ(r, ts[other].x, good.R, ComplaintContext(testChain, election, dealer, victim))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := JudgeComplaint(testChain, election, dealer, victim, ts[victim].key, good, K5, proof5, d.comm); !errors.Is(err, ErrBadComplaint) {
		t.Fatalf("complaint with another trustee's key: %v, want ErrBadComplaint", err)
	}
	if _, err := JudgeComplaint(testChain, election, dealer, other, ts[other].key, good, K5, proof5, d.comm); err == nil {
		t.Fatal("complaint about a share addressed to someone else accepted")
	}
	// The proof is bound to its context: replayed for another dealer it
	// fails.
	K, proof, _ = Complaint(r, testChain, election, dealer, victim, ts[victim].x, bad)
	if _, err := JudgeComplaint(testChain, election, 3, victim, ts[victim].key, bad, K, proof, ts[3].comm); !errors.Is(err, ErrBadComplaint) {
		t.Fatalf("complaint replayed against another dealer: %v", err)
	}
}

// TestHelios170: a decryption share computed over the tally of a subset
// of the ballots (one voter's ballot) does not verify against the full
// tally, so a trustee cannot decrypt a single ballot by passing it off as
// the tally.
func TestHelios170(t *testing.T) {
	r := seeded("helios170")
	const election = 6
	ts := runDKG(t, r, election, 3, 2)
	Y, _ := ElectionKey(deals(ts))
	p := BallotParams{ChainID: testChain, Election: election, Key: Y, Options: 3, MinChoices: 1, MaxChoices: 1}
	tally := EmptyTally(3)
	var target *tx.MsgVotingCast
	for i := 0; i < 4; i++ {
		m := castBallot(t, r, p, i%3)
		if i == 2 {
			target = m
		}
		tally, _ = AddBallot(tally, m.Choices, 1, false)
	}
	Y1, _ := VerificationKey(deals(ts), 1)
	for o := range tally {
		// The filtered "tally": the target ballot alone.
		s, err := DecryptionShare(r, testChain, election, 1, o, ts[1].share, target.Choices[o].Ct.A)
		if err != nil {
			t.Fatal(err)
		}
		if !VerifyDecryptionShare(testChain, election, 1, o, Y1, target.Choices[o].Ct.A, s) {
			t.Fatal("the share does not even verify against what it decrypts")
		}
		if VerifyDecryptionShare(testChain, election, 1, o, Y1, tally[o].A, s) {
			t.Fatalf("option %d: a share of one ballot verifies against the full tally", o)
		}
		// The honest share verifies; moved to another option or trustee
		// it fails.
		h, _ := DecryptionShare(r, testChain, election, 1, o, ts[1].share, tally[o].A)
		if !VerifyDecryptionShare(testChain, election, 1, o, Y1, tally[o].A, h) {
			t.Fatal("honest share fails")
		}
		if VerifyDecryptionShare(testChain, election, 1, (o+1)%3, Y1, tally[o].A, h) {
			t.Fatal("share verifies for another option's context")
		}
		Y2, _ := VerificationKey(deals(ts), 2)
		if VerifyDecryptionShare(testChain, election, 2, o, Y2, tally[o].A, h) {
			t.Fatal("trustee 1's share verifies as trustee 2's")
		}
		bad := h
		bad.D = addG(t, h.D)
		if VerifyDecryptionShare(testChain, election, 1, o, Y1, tally[o].A, bad) {
			t.Fatal("a wrong D verifies")
		}
	}
	// Shares of the empty tally (no ballot) verify and decrypt to 0.
	empty := EmptyTally(1)
	s, err := DecryptionShare(r, testChain, election, 1, 0, ts[1].share, empty[0].A)
	if err != nil || !VerifyDecryptionShare(testChain, election, 1, 0, Y1, empty[0].A, s) {
		t.Fatalf("share of the empty tally: %v", err)
	}
	bad := s
	bad.D = Generator()
	if VerifyDecryptionShare(testChain, election, 1, 0, Y1, empty[0].A, bad) {
		t.Fatal("a non-identity share of the empty tally verifies")
	}
}

// TestSchnorrAndDLEQ: completeness and tampering of the two base proofs.
func TestSchnorrAndDLEQ(t *testing.T) {
	r := seeded("sigma")
	x, _ := NewSecret(r)
	X := x.Public()
	ctx := KeyContext(testChain, 1, 2)
	pok, err := ProveKnowledge(r, x, ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !VerifyKnowledge(X, pok, ctx) {
		t.Fatal("Schnorr proof fails")
	}
	for name, bad := range map[string]func() bool{
		"T":       func() bool { p := pok; p.T = addG(t, p.T); return VerifyKnowledge(X, p, ctx) },
		"S":       func() bool { p := pok; p.S = addOne(t, p.S); return VerifyKnowledge(X, p, ctx) },
		"X":       func() bool { return VerifyKnowledge(addG(t, X), pok, ctx) },
		"context": func() bool { return VerifyKnowledge(X, pok, DealContext(testChain, 1, 2)) },
		"trustee": func() bool { return VerifyKnowledge(X, pok, KeyContext(testChain, 1, 3)) },
		"chain":   func() bool { return VerifyKnowledge(X, pok, KeyContext("other", 1, 2)) },
		"X zero":  func() bool { return VerifyKnowledge(tx.Elem{}, pok, ctx) },
	} {
		if bad() {
			t.Fatalf("Schnorr proof with tampered %s verifies", name)
		}
	}
	h, _ := NewSecret(r)
	H := h.Public()
	dctx := DecryptContext(testChain, 1, 2, 0)
	Z, proof, err := ProveDLEQ(r, x, H, dctx)
	if err != nil {
		t.Fatal(err)
	}
	if !VerifyDLEQ(X, H, Z, proof, dctx) {
		t.Fatal("DLEQ fails")
	}
	for name, bad := range map[string]func() bool{
		"A1":      func() bool { p := proof; p.A1 = addG(t, p.A1); return VerifyDLEQ(X, H, Z, p, dctx) },
		"A2":      func() bool { p := proof; p.A2 = addG(t, p.A2); return VerifyDLEQ(X, H, Z, p, dctx) },
		"R":       func() bool { p := proof; p.R = addOne(t, p.R); return VerifyDLEQ(X, H, Z, p, dctx) },
		"Z":       func() bool { return VerifyDLEQ(X, H, addG(t, Z), proof, dctx) },
		"H":       func() bool { return VerifyDLEQ(X, addG(t, H), Z, proof, dctx) },
		"X":       func() bool { return VerifyDLEQ(addG(t, X), H, Z, proof, dctx) },
		"context": func() bool { return VerifyDLEQ(X, H, Z, proof, DecryptContext(testChain, 1, 2, 1)) },
	} {
		if bad() {
			t.Fatalf("DLEQ with tampered %s verifies", name)
		}
	}
	// A prover not knowing a common x: Z = x'·H for x' ≠ x, proved with
	// x (the proof fails).
	x2, _ := NewSecret(r)
	Z2, _, _ := ProveDLEQ(r, x2, H, dctx)
	if VerifyDLEQ(X, H, Z2, proof, dctx) {
		t.Fatal("DLEQ for unequal logs verifies")
	}
}

// TestLagrange: λ for {1, 2} is {2, −1}; the coefficients interpolate a
// polynomial at 0.
func TestLagrange(t *testing.T) {
	ls, err := Lagrange([]uint32{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	two := secretOf(scalar.NewFromUint64(2))
	minusOne := secretOf(new(scalar.Scalar).Neg(scalar.One()))
	if ls[0] != two || ls[1] != minusOne {
		t.Fatalf("λ(1,2) = %x, %x", ls[0], ls[1])
	}
	poly, _ := NewPolynomial(seeded("lagrange"), 4)
	idx := []uint32{7, 2, 11, 5}
	ls, _ = Lagrange(idx)
	acc := scalar.New()
	for i, j := range idx {
		acc.Add(acc, new(scalar.Scalar).Mul(ls[i].scalar(), poly.Eval(j).scalar()))
	}
	if secretOf(acc) != poly[0] {
		t.Fatal("Lagrange interpolation at 0 misses f(0)")
	}
	for _, bad := range [][]uint32{nil, {0, 1}, {3, 3}} {
		if _, err := Lagrange(bad); err == nil {
			t.Fatalf("indices %v accepted", bad)
		}
	}
}

// TestSolveCounts: baby-step giant-step finds counts up to max, and only
// those.
func TestSolveCounts(t *testing.T) {
	vals := []uint64{0, 1, 2, 99, 100, 12345}
	M := make([]tx.Elem, len(vals))
	for i, v := range vals {
		M[i] = ScalarMulBase(v)
	}
	got, err := SolveCounts(M, 12345)
	if err != nil {
		t.Fatal(err)
	}
	for i := range vals {
		if got[i] != vals[i] {
			t.Fatalf("counts %v, want %v", got, vals)
		}
	}
	if err := CheckCounts(M, vals); err != nil {
		t.Fatal(err)
	}
	if _, err := SolveCounts(M, 12344); err == nil {
		t.Fatal("12345 found with max 12344")
	}
	if err := CheckCounts(M[:1], []uint64{1}); err == nil {
		t.Fatal("CheckCounts accepted a wrong count")
	}
	if _, err := SolveCounts(M, MaxSolve+1); err == nil {
		t.Fatal("max above MaxSolve accepted")
	}
}
