package votecrypto

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"slices"

	"github.com/oasisprotocol/curve25519-voi/curve"
	"github.com/oasisprotocol/curve25519-voi/curve/scalar"

	"github.com/citychain/citychain/chain/tx"
)

// ElectionData is everything the chain records of an election.
type ElectionData struct {
	ChainID  string           `json:"chain_id"`
	Election tx.VoteElection  `json:"election"`
	Trustees []tx.VoteTrustee `json:"trustees"`
	Requests []tx.VoteRequest `json:"requests"`
	Ballots  []tx.VoteBallot  `json:"ballots"` // in cast order (Seq 1, 2, ...)
}

// Report is what VerifyElection found.
type Report struct {
	Ballots      int                 `json:"ballots"`
	Counted      int                 `json:"counted"`
	Tally        []tx.VoteCiphertext `json:"tally"`
	TallyMatches bool                `json:"tally_matches"`
	Result       []uint64            `json:"result,omitempty"`
	Problems     []string            `json:"problems,omitempty"`
}

// Clean reports whether the verification found no problem.
func (r *Report) Clean() bool { return len(r.Problems) == 0 }

type electionVerifier struct {
	d   *ElectionData
	e   *tx.VoteElection
	rep *Report
	// trustees by index (1..n; nil when missing)
	tr []*tx.VoteTrustee
	// recomputed verification keys by index (zero when unknown)
	vk []tx.Elem
}

func (v *electionVerifier) problem(format string, a ...any) {
	v.rep.Problems = append(v.rep.Problems, fmt.Sprintf(format, a...))
}

func afterOpen(status string) bool {
	return status == tx.ElectionOpen || status == tx.ElectionTallying || status == tx.ElectionDecided
}

func afterClose(status string) bool {
	return status == tx.ElectionTallying || status == tx.ElectionDecided
}

// VerifyElection re-verifies an election from chain data alone: the DKG
// (proofs of knowledge, the election key and verification keys from the
// qualified deals), every request's blind signature, every ballot's
// credential and proofs, the last ballot per key, ballot keys ≤
// credentials per class, the tally recomputed and compared, every
// decryption share's proof against it, and the published result. It
// returns every problem it found (an empty Problems is a clean election).
// The error is for data that cannot be read at all (nil).
func VerifyElection(d *ElectionData) (*Report, error) {
	if d == nil {
		return nil, errors.New("no election data")
	}
	v := &electionVerifier{d: d, e: &d.Election, rep: &Report{Ballots: len(d.Ballots)}}
	e := v.e
	switch e.Status {
	case tx.ElectionSetup, tx.ElectionOpen, tx.ElectionTallying, tx.ElectionDecided, tx.ElectionFailed:
	default:
		v.problem("election status %q is unknown", e.Status)
	}
	if len(e.Options) < 1 {
		v.problem("election has no options")
	}
	v.trustees()
	pks := v.classes()
	v.requests(pks)
	tally := v.ballots(pks)
	v.decryptions(tally)
	v.result(tally)
	return v.rep, nil
}

// trustees checks the trustee records and the DKG.
func (v *electionVerifier) trustees() {
	e, d := v.e, v.d
	n := len(e.Trustees)
	v.tr = make([]*tx.VoteTrustee, n+1)
	v.vk = make([]tx.Elem, n+1)
	if e.Threshold < 1 || int(e.Threshold) >= n {
		v.problem("threshold %d with %d trustees: want 1 ≤ threshold < trustees", e.Threshold, n)
	}
	for i := range d.Trustees {
		t := &d.Trustees[i]
		if t.Index < 1 || int(t.Index) > n {
			v.problem("trustee record with index %d: want 1 to %d", t.Index, n)
			continue
		}
		if v.tr[t.Index] != nil {
			v.problem("trustee %d has two records", t.Index)
			continue
		}
		v.tr[t.Index] = t
		if t.Address != e.Trustees[t.Index-1] {
			v.problem("trustee %d: address %s, the election names %s", t.Index, t.Address, e.Trustees[t.Index-1])
		}
	}
	dealt := make([]bool, n+1)
	for j := 1; j <= n; j++ {
		t := v.tr[j]
		if t == nil {
			v.problem("trustee %d has no record", j)
			continue
		}
		if t.Key != nil {
			if t.KeyPoK == nil || !VerifyKnowledge(*t.Key, *t.KeyPoK, KeyContext(d.ChainID, e.ID, uint32(j))) {
				v.problem("trustee %d: the proof of knowledge of its DKG key fails", j)
			}
		}
		if len(t.Commitments) > 0 {
			dealt[j] = true
			v.checkDeal(t, n)
		} else if t.Disqualified != "" {
			v.problem("trustee %d is disqualified but never dealt", j)
		}
	}
	// Qualified: the trustees who dealt and are not disqualified, fixed at
	// the opening.
	var want []uint32
	for j := 1; j <= n; j++ {
		if dealt[j] && v.tr[j].Disqualified == "" {
			want = append(want, uint32(j))
		}
	}
	switch {
	case e.Status == tx.ElectionFailed:
		if len(want) >= int(e.Threshold) {
			v.problem("election failed although %d trustees qualified (threshold %d)", len(want), e.Threshold)
		}
		return
	case !afterOpen(e.Status):
		return
	}
	if !slices.Equal(e.Qualified, want) {
		v.problem("qualified trustees %v, the deals give %v", e.Qualified, want)
	}
	if len(e.Qualified) < int(e.Threshold) {
		v.problem("%d qualified trustees, fewer than the threshold %d", len(e.Qualified), e.Threshold)
	}
	var deals [][]tx.Elem
	for _, j := range e.Qualified {
		if j < 1 || int(j) > n || v.tr[j] == nil || len(v.tr[j].Commitments) == 0 {
			v.problem("qualified trustee %d has no deal", j)
			return
		}
		deals = append(deals, v.tr[j].Commitments)
	}
	Y, err := ElectionKey(deals)
	if err != nil {
		v.problem("election key: %v", err)
		return
	}
	if e.Key == nil || *e.Key != Y {
		v.problem("election key %s, the qualified deals give %s", keyString(e.Key), Y)
	}
	for j := 1; j <= n; j++ {
		Yj, err := VerificationKey(deals, uint32(j))
		if err != nil {
			v.problem("trustee %d verification key: %v", j, err)
			continue
		}
		v.vk[j] = Yj
		if t := v.tr[j]; t != nil && (t.VerificationKey == nil || *t.VerificationKey != Yj) {
			v.problem("trustee %d: verification key %s, the qualified deals give %s", j, keyString(t.VerificationKey), Yj)
		}
	}
}

func keyString(e *tx.Elem) string {
	if e == nil {
		return "(none)"
	}
	return e.String()
}

// checkDeal checks a trustee's deal as the chain does.
func (v *electionVerifier) checkDeal(t *tx.VoteTrustee, n int) {
	e, d := v.e, v.d
	j := t.Index
	if t.Key == nil {
		v.problem("trustee %d dealt without a DKG key", j)
	}
	if len(t.Commitments) != int(e.Threshold) {
		v.problem("trustee %d: %d commitments, want the threshold %d", j, len(t.Commitments), e.Threshold)
	}
	if _, err := decodeCommitments(t.Commitments); err != nil {
		v.problem("trustee %d: %v", j, err)
	}
	if t.DealPoK == nil || !VerifyKnowledge(t.Commitments[0], *t.DealPoK, DealContext(d.ChainID, e.ID, j)) {
		v.problem("trustee %d: the proof of knowledge of its a_0 fails", j)
	}
	if len(t.Shares) != n-1 {
		v.problem("trustee %d: %d encrypted shares, want %d", j, len(t.Shares), n-1)
		return
	}
	to := uint32(1)
	for _, s := range t.Shares {
		if to == j {
			to++
		}
		if s.To != to {
			v.problem("trustee %d: share to %d where %d is expected", j, s.To, to)
		}
		if !ValidPoint(s.R) || !ValidScalar(s.S) {
			v.problem("trustee %d: share to %d is malformed", j, s.To)
		}
		to++
	}
}

type class struct {
	weight uint64
	pk     *rsa.PublicKey
	// recounted
	requested, issued, keys uint64
}

// classes parses the credential keys.
func (v *electionVerifier) classes() []*class {
	out := make([]*class, 0, len(v.e.Classes))
	for i, c := range v.e.Classes {
		if i > 0 && c.Weight <= v.e.Classes[i-1].Weight {
			v.problem("credential classes not in increasing weight order at weight %d", c.Weight)
		}
		pk, err := ParseCredentialKey(c.Key)
		if err != nil {
			v.problem("weight %d: %v", c.Weight, err)
		}
		out = append(out, &class{weight: c.Weight, pk: pk})
	}
	if len(out) == 0 {
		v.problem("election has no credential keys")
	}
	return out
}

func classOf(cs []*class, w uint64) *class {
	for _, c := range cs {
		if c.weight == w {
			return c
		}
	}
	return nil
}

// requests checks every credential request and its blind signature.
func (v *electionVerifier) requests(cs []*class) {
	for i := range v.d.Requests {
		r := &v.d.Requests[i]
		if r.Seq != uint64(i)+1 {
			v.problem("request of %s has seq %d, want %d (requests in order, none missing)", r.Identity, r.Seq, i+1)
		}
		if r.Election != v.e.ID {
			v.problem("request %d is for election %d", r.Seq, r.Election)
		}
		c := classOf(cs, r.Weight)
		if c == nil {
			v.problem("request %d: weight %d has no credential key", r.Seq, r.Weight)
			continue
		}
		c.requested++
		if c.pk == nil {
			continue
		}
		if err := CheckBlinded(c.pk, r.Blinded); err != nil {
			v.problem("request %d: %v", r.Seq, err)
		}
		if len(r.BlindSig) > 0 {
			c.issued++
			if err := CheckBlindSig(c.pk, r.Blinded, r.BlindSig); err != nil {
				v.problem("request %d: %v", r.Seq, err)
			}
		}
	}
	for i, c := range cs {
		st := v.e.Classes[i]
		if st.Requested != c.requested || st.Issued != c.issued {
			v.problem("weight %d: the election counts %d requested and %d issued, the requests show %d and %d",
				c.weight, st.Requested, st.Issued, c.requested, c.issued)
		}
	}
}

// ballots checks every ballot and returns the recomputed tally (nil when
// the election has no key).
func (v *electionVerifier) ballots(cs []*class) []tx.VoteCiphertext {
	e, d := v.e, v.d
	n := len(e.Options)
	if !afterOpen(e.Status) {
		if len(d.Ballots) > 0 {
			v.problem("%d ballots in an election with status %s", len(d.Ballots), e.Status)
		}
		return nil
	}
	p, err := ElectionParams(d.ChainID, e)
	if err != nil {
		v.problem("%v", err)
		return nil
	}
	valid := make([]bool, len(d.Ballots))
	last := make(map[string]int) // ballot key → index of its last valid ballot (lookups only)
	var keyClass []*class        // class of each key, in first-ballot order
	for i := range d.Ballots {
		b := &d.Ballots[i]
		m := &b.Ballot
		bad := func(format string, a ...any) {
			v.problem("ballot %d: %s", b.Seq, fmt.Sprintf(format, a...))
		}
		if b.Seq != uint64(i)+1 {
			bad("seq %d, want %d (ballots in order, none missing)", b.Seq, i+1)
		}
		if b.Height < e.OpenHeight || b.Height > e.CloseHeight {
			bad("cast at height %d, outside %d to %d", b.Height, e.OpenHeight, e.CloseHeight)
		}
		if b.Tracker != tx.BallotTracker(m) {
			bad("tracker %s, the ballot hashes to %s", b.Tracker, tx.BallotTracker(m))
		}
		ok := true
		if len(m.BallotKey) != 32 {
			bad("ballot key of %d bytes", len(m.BallotKey))
			ok = false
		}
		c := classOf(cs, m.Weight)
		switch {
		case c == nil:
			bad("weight %d has no credential key", m.Weight)
			ok = false
		case c.pk == nil:
			ok = false
		default:
			if err := VerifyCredential(c.pk, tx.VotingCredentialMessage(d.ChainID, e.ID, m.BallotKey), m.Credential); err != nil {
				bad("%v", err)
				ok = false
			}
		}
		if err := VerifyBallot(p, m); err != nil {
			bad("%v", err)
			ok = false
		}
		if !ok {
			continue
		}
		valid[i] = true
		k := string(m.BallotKey)
		if _, seen := last[k]; !seen {
			keyClass = append(keyClass, c)
			c.keys++
		}
		last[k] = i
	}
	// Superseded: a later valid ballot of the same key exists.
	for i := range d.Ballots {
		b := &d.Ballots[i]
		if !valid[i] {
			continue
		}
		sup := last[string(b.Ballot.BallotKey)] != i
		if sup != b.Superseded {
			v.problem("ballot %d: superseded %v, the later ballots say %v", b.Seq, b.Superseded, sup)
		}
	}
	v.rep.Counted = len(keyClass)
	if e.Ballots != uint64(len(d.Ballots)) {
		v.problem("the election counts %d ballots, the data has %d", e.Ballots, len(d.Ballots))
	}
	if e.Counted != uint64(v.rep.Counted) {
		v.problem("the election counts %d ballot keys, the valid ballots have %d", e.Counted, v.rep.Counted)
	}
	for i, c := range cs {
		if c.keys > c.issued {
			v.problem("weight %d: %d ballot keys for %d credentials issued", c.weight, c.keys, c.issued)
		}
		if v.e.Classes[i].BallotKeys != c.keys {
			v.problem("weight %d: the election counts %d ballot keys, the ballots show %d", c.weight, v.e.Classes[i].BallotKeys, c.keys)
		}
	}
	// The tally: Σ weight·ciphertext of each key's last valid ballot.
	As := make([]curve.RistrettoPoint, n)
	Bs := make([]curve.RistrettoPoint, n)
	for o := range As {
		As[o].Identity()
		Bs[o].Identity()
	}
	for i := range d.Ballots {
		m := &d.Ballots[i].Ballot
		if !valid[i] || last[string(m.BallotKey)] != i {
			continue
		}
		w := scalar.NewFromUint64(m.Weight)
		for o := range m.Choices {
			a, _ := decodePoint(m.Choices[o].Ct.A) // verified above
			b, _ := decodePoint(m.Choices[o].Ct.B)
			if m.Weight != 1 {
				var wa, wb curve.RistrettoPoint
				wa.MultiscalarMulVartime([]*scalar.Scalar{w}, []*curve.RistrettoPoint{a})
				wb.MultiscalarMulVartime([]*scalar.Scalar{w}, []*curve.RistrettoPoint{b})
				a, b = &wa, &wb
			}
			As[o].Add(&As[o], a)
			Bs[o].Add(&Bs[o], b)
		}
	}
	tally := make([]tx.VoteCiphertext, n)
	for o := range tally {
		tally[o] = tx.VoteCiphertext{A: encodePoint(&As[o]), B: encodePoint(&Bs[o])}
	}
	v.rep.Tally = tally
	v.rep.TallyMatches = slices.Equal(tally, e.Tally)
	if !v.rep.TallyMatches && afterClose(e.Status) {
		v.problem("the election's tally differs from the sum of the last valid ballot of each key")
	}
	return tally
}

// decryptions checks every trustee's decryption shares against the
// recomputed tally.
func (v *electionVerifier) decryptions(tally []tx.VoteCiphertext) {
	e, d := v.e, v.d
	for j := 1; j < len(v.tr); j++ {
		t := v.tr[j]
		if t == nil || len(t.Decryption) == 0 {
			continue
		}
		if !afterClose(e.Status) {
			v.problem("trustee %d has decryption shares while the election is %s", j, e.Status)
			continue
		}
		if len(t.Decryption) != len(e.Options) {
			v.problem("trustee %d: %d decryption shares for %d options", j, len(t.Decryption), len(e.Options))
			continue
		}
		if tally == nil || v.vk[j] == (tx.Elem{}) {
			continue
		}
		for o, s := range t.Decryption {
			if !VerifyDecryptionShare(d.ChainID, e.ID, uint32(j), o, v.vk[j], tally[o].A, s) {
				v.problem("trustee %d option %d: decryption share does not prove it decrypts the tally", j, o)
			}
		}
	}
}

// result checks the published result.
func (v *electionVerifier) result(tally []tx.VoteCiphertext) {
	e := v.e
	if e.Status != tx.ElectionDecided {
		if len(e.Result) > 0 || len(e.Decryptors) > 0 {
			v.problem("a result while the election is %s", e.Status)
		}
		return
	}
	v.rep.Result = e.Result
	if len(e.Result) != len(e.Options) {
		v.problem("result of %d counts for %d options", len(e.Result), len(e.Options))
		return
	}
	// The decryptors are the first threshold trustees (by index) who
	// decrypted.
	var first []uint32
	for j := 1; j < len(v.tr) && len(first) < int(e.Threshold); j++ {
		if v.tr[j] != nil && len(v.tr[j].Decryption) > 0 {
			first = append(first, uint32(j))
		}
	}
	if !slices.Equal(e.Decryptors, first) {
		v.problem("decryptors %v, want the first %d trustees who decrypted: %v", e.Decryptors, e.Threshold, first)
	}
	if len(e.Decryptors) != int(e.Threshold) {
		v.problem("%d decryptors, want the threshold %d", len(e.Decryptors), e.Threshold)
		return
	}
	if tally == nil {
		return
	}
	shares := make([][]tx.Elem, len(e.Decryptors))
	for i, j := range e.Decryptors {
		if j < 1 || int(j) >= len(v.tr) || v.tr[j] == nil || len(v.tr[j].Decryption) != len(e.Options) {
			v.problem("decryptor %d has no decryption shares", j)
			return
		}
		for _, s := range v.tr[j].Decryption {
			shares[i] = append(shares[i], s.D)
		}
	}
	M, err := Combine(e.Decryptors, shares, tally)
	if err != nil {
		v.problem("combining the decryptors' shares: %v", err)
		return
	}
	if err := CheckCounts(M, e.Result); err != nil {
		v.problem("result: %v", err)
	}
}
