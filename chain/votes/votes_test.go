package votes_test

import (
	"crypto/rand"
	"crypto/rsa"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/chain/votecrypto"
	"github.com/citychain/citychain/chain/votes"
)

const chainID = "citychain-test"

// world is an election run by hand with the chain's checks applied in
// between (the keeper's role): three trustees, threshold 2, credential
// keys of weights 1 and 3.
type world struct {
	t        *testing.T
	e        *tx.VoteElection
	trustees []tx.VoteTrustee
	ts       []*votes.TrusteeState
	cs       *votes.CommissionState
}

func newWorld(t *testing.T) *world {
	t.Helper()
	cs, err := votes.NewCommission(rand.Reader, []uint64{3, 1}, 2048)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := cs.CredentialKeys()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || keys[0].Weight != 1 || keys[1].Weight != 3 {
		t.Fatalf("credential keys %+v, want weights 1 and 3 in order", keys)
	}
	e := &tx.VoteElection{ID: 7, Options: []string{"park", "library", "pool"}, MinChoices: 1, MaxChoices: 2, Rule: tx.RuleListed,
		Threshold: 2, Trustees: []tx.Address{{1}, {2}, {3}}, Status: tx.ElectionSetup}
	for _, k := range keys {
		e.Classes = append(e.Classes, tx.VoteClass{Weight: k.Weight, Key: k.Key})
	}
	w := &world{t: t, e: e, cs: cs}
	for i := range e.Trustees {
		w.trustees = append(w.trustees, tx.VoteTrustee{Index: uint32(i + 1), Address: e.Trustees[i]})
	}
	return w
}

// dkg runs key, deal and check for every trustee (corrupt alters a
// dealer's deal before it is recorded), checking each message as the
// chain does, then opens the election with the qualified dealers.
func (w *world) dkg(corrupt func(dealer uint32, m *tx.MsgVotingDKGDeal)) [][]*tx.MsgVotingDKGComplain {
	t := w.t
	t.Helper()
	for i := range w.trustees {
		ts, err := votes.NewTrustee(rand.Reader, chainID, w.e, uint32(i+1))
		if err != nil {
			t.Fatal(err)
		}
		m, err := ts.KeyMsg(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if !votecrypto.VerifyKnowledge(m.Key, m.PoK, votecrypto.KeyContext(chainID, w.e.ID, ts.Index)) {
			t.Fatalf("trustee %d: key proof does not verify", ts.Index)
		}
		w.trustees[i].Key, w.trustees[i].KeyPoK = &m.Key, &m.PoK
		w.ts = append(w.ts, ts)
	}
	for i, ts := range w.ts {
		m, err := ts.DealMsg(rand.Reader, w.trustees)
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Commitments) != int(w.e.Threshold) || len(m.Shares) != len(w.trustees)-1 {
			t.Fatalf("deal of %d: %d commitments, %d shares", ts.Index, len(m.Commitments), len(m.Shares))
		}
		for j, s := range m.Shares {
			if s.To == ts.Index || (j > 0 && s.To <= m.Shares[j-1].To) {
				t.Fatalf("deal of %d: shares to %v, want every other trustee in increasing order", ts.Index, m.Shares)
			}
		}
		if !votecrypto.VerifyKnowledge(m.Commitments[0], m.PoK, votecrypto.DealContext(chainID, w.e.ID, ts.Index)) {
			t.Fatalf("deal of %d: proof of knowledge of a_0 does not verify", ts.Index)
		}
		if corrupt != nil {
			corrupt(ts.Index, m)
		}
		w.trustees[i].Commitments, w.trustees[i].DealPoK, w.trustees[i].Shares, w.trustees[i].DealtAt = m.Commitments, &m.PoK, m.Shares, 10
	}
	var out [][]*tx.MsgVotingDKGComplain
	for _, ts := range w.ts {
		cs, err := ts.Receive(rand.Reader, w.trustees)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			d := w.trustees[c.Dealer-1]
			var es tx.VoteEncShare
			for _, s := range d.Shares {
				if s.To == ts.Index {
					es = s
				}
			}
			fault, err := votecrypto.JudgeComplaint(chainID, w.e.ID, c.Dealer, ts.Index, *w.trustees[ts.Index-1].Key, es, c.Key, c.Proof, d.Commitments)
			if err != nil || !fault {
				t.Fatalf("complaint of %d against %d: fault %v, %v; want the dealer found at fault", ts.Index, c.Dealer, fault, err)
			}
			w.trustees[c.Dealer-1].Disqualified = "bad share"
		}
		out = append(out, cs)
	}
	// The opening: the qualified deals make the key and the verification keys.
	var deals [][]tx.Elem
	w.e.Qualified = nil
	for _, r := range w.trustees {
		if r.DealtAt != 0 && r.Disqualified == "" {
			w.e.Qualified = append(w.e.Qualified, r.Index)
			deals = append(deals, r.Commitments)
		}
	}
	Y, err := votecrypto.ElectionKey(deals)
	if err != nil {
		t.Fatal(err)
	}
	w.e.Key = &Y
	for i := range w.trustees {
		y, err := votecrypto.VerificationKey(deals, uint32(i+1))
		if err != nil {
			t.Fatal(err)
		}
		w.trustees[i].VerificationKey = &y
	}
	w.e.Tally = votecrypto.EmptyTally(len(w.e.Options))
	w.e.Status = tx.ElectionOpen
	return out
}

// voter asks for a credential of weight, issued by the commission and
// checked as the chain checks a request and an issue.
func (w *world) voter(weight uint64, identity tx.Address) *votes.VoterState {
	t := w.t
	t.Helper()
	v, err := votes.NewVoter(rand.Reader, chainID, w.e, weight)
	if err != nil {
		t.Fatal(err)
	}
	v.Identity = identity
	m := v.Request(&tx.VotingEligibility{})
	pk := w.classKey(weight)
	if m.Election != w.e.ID || votecrypto.CheckBlinded(pk, m.Blinded) != nil {
		t.Fatalf("request %+v: not a blinded message for the class key", m)
	}
	r := &tx.VoteRequest{Election: w.e.ID, Seq: 1, Identity: identity, Weight: weight, Blinded: m.Blinded}
	is, err := w.cs.Issue(r)
	if err != nil {
		t.Fatal(err)
	}
	if is.Identity != identity || votecrypto.CheckBlindSig(pk, r.Blinded, is.BlindSig) != nil {
		t.Fatalf("issue %+v: blind signature does not check", is)
	}
	if err := v.Finalize(w.e, is.BlindSig); err != nil {
		t.Fatal(err)
	}
	if err := votecrypto.VerifyCredential(pk, tx.VotingCredentialMessage(chainID, w.e.ID, v.BallotPub()), v.Credential); err != nil {
		t.Fatalf("credential does not verify for the ballot key: %v", err)
	}
	return v
}

func (w *world) classKey(weight uint64) *rsaKey {
	for _, c := range w.e.Classes {
		if c.Weight == weight {
			pk, err := votecrypto.ParseCredentialKey(c.Key)
			if err != nil {
				w.t.Fatal(err)
			}
			return pk
		}
	}
	w.t.Fatalf("no class of weight %d", weight)
	return nil
}

// cast builds a ballot, checks it as the chain does and updates the tally
// (a re-vote of the same key replaces its previous ballot).
func (w *world) cast(v *votes.VoterState, prev *tx.MsgVotingCast, options ...uint32) *tx.MsgVotingCast {
	t := w.t
	t.Helper()
	choices, err := votes.Choices(w.e, options)
	if err != nil {
		t.Fatal(err)
	}
	m, err := v.Ballot(rand.Reader, w.e, choices)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.ValidateBasic(); err != nil {
		t.Fatal(err)
	}
	p := votecrypto.BallotParams{ChainID: chainID, Election: w.e.ID, Key: *w.e.Key, Options: len(w.e.Options), MinChoices: w.e.MinChoices, MaxChoices: w.e.MaxChoices}
	if err := votecrypto.VerifyBallot(p, m); err != nil {
		t.Fatalf("ballot does not verify: %v", err)
	}
	if m.BallotKey.Address() != v.BallotAddress() || m.Weight != v.Weight {
		t.Fatalf("ballot key %s weight %d", m.BallotKey, m.Weight)
	}
	if got := v.Trackers[len(v.Trackers)-1]; got != tx.BallotTracker(m) {
		t.Fatalf("tracker kept %s, ballot's %s", got, tx.BallotTracker(m))
	}
	if prev != nil {
		if w.e.Tally, err = votecrypto.AddBallot(w.e.Tally, prev.Choices, v.Weight, true); err != nil {
			t.Fatal(err)
		}
	}
	if w.e.Tally, err = votecrypto.AddBallot(w.e.Tally, m.Choices, v.Weight, false); err != nil {
		t.Fatal(err)
	}
	w.e.Classes[slices.IndexFunc(w.e.Classes, func(c tx.VoteClass) bool { return c.Weight == v.Weight })].BallotKeys += map[bool]uint64{true: 0, false: 1}[prev != nil]
	return m
}

// decrypt has trustee i decrypt the tally, each share checked as the
// chain does.
func (w *world) decrypt(i uint32) {
	t := w.t
	t.Helper()
	m, err := w.ts[i-1].DecryptMsg(rand.Reader, w.e, w.trustees)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Shares) != len(w.e.Options) {
		t.Fatalf("trustee %d: %d shares", i, len(m.Shares))
	}
	for o, s := range m.Shares {
		if !votecrypto.VerifyDecryptionShare(chainID, w.e.ID, i, o, *w.trustees[i-1].VerificationKey, w.e.Tally[o].A, s) {
			t.Fatalf("trustee %d option %d: share does not verify", i, o)
		}
	}
	w.trustees[i-1].Decryption = m.Shares
}

// TestElectionRoundTrip runs an election through the roles' states: three
// trustees (threshold 2) register keys, deal and check their shares
// (no complaint); a voter of weight 3 and one of weight 1 ask for
// credentials, which the commission issues blind and they unblind and
// verify; both vote, the second re-votes (the last ballot counts);
// trustees 1 and 3 decrypt; PublishMsg's counts are the weighted sum of
// the last ballots and pass the chain's check. The states survive a
// save and load (mode 0600).
func TestElectionRoundTrip(t *testing.T) {
	w := newWorld(t)
	for i, cs := range w.dkg(nil) {
		if len(cs) != 0 {
			t.Fatalf("trustee %d complained: %+v", i+1, cs)
		}
	}
	for _, ts := range w.ts {
		if len(ts.Received) != 2 {
			t.Fatalf("trustee %d received %d shares, want 2", ts.Index, len(ts.Received))
		}
	}
	if !slices.Equal(w.e.Qualified, []uint32{1, 2, 3}) {
		t.Fatalf("qualified %v", w.e.Qualified)
	}
	// Each trustee's key share matches its verification key.
	for _, ts := range w.ts {
		x, err := ts.KeyShare(w.e)
		if err != nil {
			t.Fatal(err)
		}
		if x.Public() != *w.trustees[ts.Index-1].VerificationKey {
			t.Fatalf("trustee %d: key share does not match its verification key", ts.Index)
		}
	}

	big := w.voter(3, tx.Address{0xa})
	small := w.voter(1, tx.Address{0xb})
	if big.BallotAddress() == small.BallotAddress() {
		t.Fatal("two voters drew the same ballot key")
	}
	w.cast(big, nil, 1)
	first := w.cast(small, nil, 1, 2)
	w.cast(small, first, 3)
	if len(small.Trackers) != 2 || small.Trackers[0] == small.Trackers[1] {
		t.Fatalf("re-vote trackers %v", small.Trackers)
	}

	// Save and load every state.
	dir := t.TempDir()
	vp := votes.VoterFile(dir, w.e.ID, small.Identity)
	tp := votes.TrusteeFile(dir, w.e.ID, 2)
	cp := votes.CommissionFile(dir, "7")
	for p, v := range map[string]any{vp: small, tp: w.ts[1], cp: w.cs} {
		if err := votes.Save(p, v); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v, mode %v, want 0600", p, err, fi.Mode())
		}
	}
	if filepath.Base(vp) != "voter-7-"+small.Identity.String()+".json" || filepath.Base(tp) != "trustee-7-2.json" || filepath.Base(cp) != "commission-7.json" {
		t.Fatalf("file names %s %s %s", vp, tp, cp)
	}
	var sv votes.VoterState
	var st votes.TrusteeState
	var sc votes.CommissionState
	if err := votes.Load(vp, &sv); err != nil {
		t.Fatal(err)
	}
	if err := votes.Load(tp, &st); err != nil {
		t.Fatal(err)
	}
	if err := votes.Load(cp, &sc); err != nil {
		t.Fatal(err)
	}
	if sv.BallotAddress() != small.BallotAddress() || !slices.Equal(sv.Trackers, small.Trackers) || string(sv.Credential) != string(small.Credential) {
		t.Fatalf("voter state after a load: %+v", sv)
	}
	if err := sc.Matches(w.e); err != nil {
		t.Fatal(err)
	}
	w.ts[1] = &st

	// The close: trustees 1 and 3 decrypt, the result is published.
	w.e.Status = tx.ElectionTallying
	w.decrypt(3)
	if _, err := votes.PublishMsg(w.e, w.trustees); err == nil || !strings.Contains(err.Error(), "1 trustees decrypted, 2 needed") {
		t.Fatalf("publish with one share: %v", err)
	}
	w.decrypt(1)
	m, err := votes.PublishMsg(w.e, w.trustees)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.Counts, []uint64{3, 0, 1}) || m.Election != w.e.ID {
		t.Fatalf("counts %v, want [3 0 1] (weight 3 for park; the re-vote's pool, not the first ballot)", m.Counts)
	}
	// The chain's check: the first threshold decryptors by index.
	M, err := votecrypto.Combine([]uint32{1, 3}, [][]tx.Elem{shareDs(w.trustees[0]), shareDs(w.trustees[2])}, w.e.Tally)
	if err != nil {
		t.Fatal(err)
	}
	if err := votecrypto.CheckCounts(M, m.Counts); err != nil {
		t.Fatal(err)
	}
	// Trustee 2 decrypting too changes nothing.
	w.decrypt(2)
	if m2, err := votes.PublishMsg(w.e, w.trustees); err != nil || !slices.Equal(m2.Counts, m.Counts) {
		t.Fatalf("publish with three shares: %v %v", m2, err)
	}
}

func shareDs(r tx.VoteTrustee) []tx.Elem {
	out := make([]tx.Elem, len(r.Decryption))
	for i, s := range r.Decryption {
		out[i] = s.D
	}
	return out
}

// TestBadDealerNamed: a dealer whose share to trustee 1 is corrupted is
// complained about by trustee 1 only; the complaint convicts it
// (JudgeComplaint), the others qualify and still decrypt the tally.
func TestBadDealerNamed(t *testing.T) {
	w := newWorld(t)
	complaints := w.dkg(func(dealer uint32, m *tx.MsgVotingDKGDeal) {
		if dealer == 2 {
			m.Shares[0].S[0] ^= 1 // the share to trustee 1
		}
	})
	if len(complaints[0]) != 1 || complaints[0][0].Dealer != 2 || len(complaints[1]) != 0 || len(complaints[2]) != 0 {
		t.Fatalf("complaints %+v, want trustee 1 against dealer 2 only", complaints)
	}
	if !slices.Equal(w.ts[0].Complained, []uint32{2}) {
		t.Fatalf("trustee 1 complained about %v", w.ts[0].Complained)
	}
	// Checking again complains no more.
	if cs, err := w.ts[0].Receive(rand.Reader, w.trustees); err != nil || len(cs) != 0 {
		t.Fatalf("second check: %v %v", cs, err)
	}
	if !slices.Equal(w.e.Qualified, []uint32{1, 3}) {
		t.Fatalf("qualified %v, want [1 3]", w.e.Qualified)
	}
	v := w.voter(1, tx.Address{0xc})
	w.cast(v, nil, 2)
	w.e.Status = tx.ElectionTallying
	w.decrypt(1)
	w.decrypt(2) // disqualified as a dealer, it still holds a share of the key
	m, err := votes.PublishMsg(w.e, w.trustees)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.Counts, []uint64{0, 1, 0}) {
		t.Fatalf("counts %v", m.Counts)
	}
}

// TestRefusals: the client refuses what the chain would, naming the part.
func TestRefusals(t *testing.T) {
	w := newWorld(t)
	if _, err := votes.NewVoter(rand.Reader, chainID, w.e, 2); err == nil || !strings.Contains(err.Error(), "weight 2") {
		t.Fatalf("unknown weight: %v", err)
	}
	if _, err := votes.NewTrustee(rand.Reader, chainID, w.e, 4); err == nil || !strings.Contains(err.Error(), "trustee index 4") {
		t.Fatalf("trustee 4 of 3: %v", err)
	}
	if _, err := votes.NewCommission(rand.Reader, []uint64{1, 1}, 2048); err == nil || !strings.Contains(err.Error(), "given twice") {
		t.Fatalf("duplicate weight: %v", err)
	}
	if _, err := votes.NewCommission(rand.Reader, []uint64{1}, 1024); err == nil || !strings.Contains(err.Error(), "bits: 1024") {
		t.Fatalf("short key: %v", err)
	}
	if _, err := w.cs.Issue(&tx.VoteRequest{Election: 7, Seq: 1, Weight: 5}); err == nil || !strings.Contains(err.Error(), "weight 5") {
		t.Fatalf("issue for weight 5: %v", err)
	}
	for _, c := range []struct {
		opts []uint32
		want string
	}{
		{[]uint32{4}, "option 4"},
		{[]uint32{1, 1}, "chosen twice"},
		{[]uint32{1, 2, 3}, "3 options chosen"},
		{nil, "0 options chosen"},
	} {
		if _, err := votes.Choices(w.e, c.opts); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Fatalf("choices %v: %v, want %q", c.opts, err, c.want)
		}
	}
	// A ballot before the key is fixed, or without a credential.
	v, err := votes.NewVoter(rand.Reader, chainID, w.e, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Ballot(rand.Reader, w.e, []bool{true, false, false}); err == nil || !strings.Contains(err.Error(), "no credential") {
		t.Fatalf("ballot without credential: %v", err)
	}
	// Dealing before every trustee registered a key.
	ts, err := votes.NewTrustee(rand.Reader, chainID, w.e, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.DealMsg(rand.Reader, w.trustees); err == nil || !strings.Contains(err.Error(), "trustee 2") {
		t.Fatalf("deal before keys: %v", err)
	}
	// Another commission's keys do not match the election.
	other, err := votes.NewCommission(rand.Reader, []uint64{1}, 2048)
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Matches(w.e); err == nil || !strings.Contains(err.Error(), "weight 1") {
		t.Fatalf("other commission: %v", err)
	}
	// Load refuses unknown fields.
	p := filepath.Join(t.TempDir(), "x.json")
	if err := os.WriteFile(p, []byte(`{"keys": [], "extra": 1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	var cs votes.CommissionState
	if err := votes.Load(p, &cs); err == nil || !strings.Contains(err.Error(), "extra") {
		t.Fatalf("unknown field: %v", err)
	}
}

type rsaKey = rsa.PublicKey
