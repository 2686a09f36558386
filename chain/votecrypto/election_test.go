package votecrypto

import (
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/citychain/citychain/chain/tx"
)

// voterPlan is one voter of a generated election: its weight and its
// ballots (each a list of chosen options), cast in the plan's order.
type voterPlan struct {
	weight  uint64
	ballots [][]int
}

// electionPlan describes a generated election.
type electionPlan struct {
	id         uint64
	trustees   int
	threshold  int
	options    []string
	min, max   uint32
	weights    []uint64 // the credential classes
	voters     []voterPlan
	casts      [][2]int // (voter, ballot) in cast order
	decryptors []uint32 // trustees who decrypt, in the order they do
}

func addr(b byte) tx.Address {
	var a tx.Address
	for i := range a {
		a[i] = b
	}
	return a
}

// genElection runs a whole election the way the chain records it
// (deterministic from r) and returns its data and the expected counts.
func genElection(t testing.TB, r io.Reader, pl electionPlan) (*ElectionData, []uint64) {
	t.Helper()
	e := tx.VoteElection{
		ID: pl.id, Commission: addr(0xc0), Title: "Test election", Question: "Which project first?",
		Options: pl.options, MinChoices: pl.min, MaxChoices: pl.max, Rule: tx.RuleListed,
		Voters: uint64(len(pl.voters)), OpenHeight: 20, CloseHeight: 40, Threshold: uint32(pl.threshold),
		Status: tx.ElectionSetup, Created: 10,
	}
	for j := 1; j <= pl.trustees; j++ {
		e.Trustees = append(e.Trustees, addr(byte(0xa0+j)))
	}
	keys := make(map[uint64]int) // weight → class index (lookups)
	var sks []*rsa.PrivateKey
	for i, w := range pl.weights {
		sk := detRSAKey(t, r, 2048)
		der, err := MarshalCredentialKey(&sk.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		e.Classes = append(e.Classes, tx.VoteClass{Weight: w, Key: der})
		keys[w] = i
		sks = append(sks, sk)
	}
	ts := runDKG(t, r, pl.id, pl.trustees, pl.threshold)
	var dealsC [][]tx.Elem
	trustees := make([]tx.VoteTrustee, pl.trustees)
	for j := 1; j <= pl.trustees; j++ {
		d := ts[j]
		key, kp, dp := d.key, d.keyPoK, d.dealPoK
		trustees[j-1] = tx.VoteTrustee{Index: uint32(j), Address: e.Trustees[j-1], Key: &key, KeyPoK: &kp,
			Commitments: d.comm, DealPoK: &dp, Shares: d.shares, DealtAt: 15}
		e.Qualified = append(e.Qualified, uint32(j))
		dealsC = append(dealsC, d.comm)
	}
	Y, err := ElectionKey(dealsC)
	if err != nil {
		t.Fatal(err)
	}
	e.Key = &Y
	for j := range trustees {
		vk, err := VerificationKey(dealsC, uint32(j+1))
		if err != nil {
			t.Fatal(err)
		}
		trustees[j].VerificationKey = &vk
	}
	e.Tally = EmptyTally(len(pl.options))
	e.Status = tx.ElectionOpen
	// Credentials: one request per voter, each issued.
	d := &ElectionData{ChainID: testChain, Trustees: trustees}
	type voter struct {
		sk   ed25519.PrivateKey
		cred []byte
	}
	voters := make([]voter, len(pl.voters))
	for i, v := range pl.voters {
		seed := make([]byte, ed25519.SeedSize)
		if _, err := io.ReadFull(r, seed); err != nil {
			t.Fatal(err)
		}
		voters[i].sk = ed25519.NewKeyFromSeed(seed)
		c := keys[v.weight]
		pk := &sks[c].PublicKey
		msg := tx.VotingCredentialMessage(testChain, pl.id, tx.PubKey(voters[i].sk.Public().(ed25519.PublicKey)))
		blinded, st, err := Blind(r, pk, msg)
		if err != nil {
			t.Fatal(err)
		}
		bsig, err := BlindSign(sks[c], blinded)
		if err != nil {
			t.Fatal(err)
		}
		if voters[i].cred, err = Finalize(pk, st, bsig); err != nil {
			t.Fatal(err)
		}
		d.Requests = append(d.Requests, tx.VoteRequest{Election: pl.id, Seq: uint64(i + 1), Identity: addr(byte(0x10 + i)),
			Weight: v.weight, Blinded: blinded, BlindSig: bsig, Height: 12})
		e.Classes[c].Requested++
		e.Classes[c].Issued++
	}
	// Ballots.
	p, err := ElectionParams(testChain, &e)
	if err != nil {
		t.Fatal(err)
	}
	last := make(map[int]int) // voter → index of its last ballot in d.Ballots
	for _, c := range pl.casts {
		v := pl.voters[c[0]]
		bk := tx.PubKey(voters[c[0]].sk.Public().(ed25519.PublicKey))
		m := tx.MsgVotingCast{Election: pl.id, BallotKey: bk, Weight: v.weight, Credential: voters[c[0]].cred}
		choices := make([]bool, len(pl.options))
		for _, o := range v.ballots[c[1]] {
			choices[o] = true
		}
		if err := EncryptBallot(r, p, &m, choices); err != nil {
			t.Fatal(err)
		}
		if err := VerifyBallot(p, &m); err != nil {
			t.Fatal(err)
		}
		if prev, ok := last[c[0]]; ok {
			d.Ballots[prev].Superseded = true
			if e.Tally, err = AddBallot(e.Tally, d.Ballots[prev].Ballot.Choices, d.Ballots[prev].Ballot.Weight, true); err != nil {
				t.Fatal(err)
			}
		} else {
			e.Counted++
			e.Classes[keys[v.weight]].BallotKeys++
		}
		if e.Tally, err = AddBallot(e.Tally, m.Choices, v.weight, false); err != nil {
			t.Fatal(err)
		}
		seq := uint64(len(d.Ballots) + 1)
		d.Ballots = append(d.Ballots, tx.VoteBallot{Seq: seq, Tracker: tx.BallotTracker(&m), Height: 20 + seq, Ballot: m})
		last[c[0]] = len(d.Ballots) - 1
		e.Ballots++
	}
	want := make([]uint64, len(pl.options))
	var total uint64
	for i, v := range pl.voters {
		total += v.weight
		if _, voted := last[i]; voted {
			for _, o := range v.ballots[len(v.ballots)-1] {
				want[o] += v.weight
			}
		}
	}
	// Close, decrypt, publish.
	e.Status = tx.ElectionTallying
	for _, j := range pl.decryptors {
		for o := range e.Tally {
			s, err := DecryptionShare(r, testChain, pl.id, j, o, ts[j].share, e.Tally[o].A)
			if err != nil {
				t.Fatal(err)
			}
			trustees[j-1].Decryption = append(trustees[j-1].Decryption, s)
		}
		trustees[j-1].DecryptedAt = 41
	}
	if len(pl.decryptors) >= pl.threshold {
		var first []uint32
		for j := 1; j <= pl.trustees && len(first) < pl.threshold; j++ {
			if len(trustees[j-1].Decryption) > 0 {
				first = append(first, uint32(j))
			}
		}
		shares := make([][]tx.Elem, len(first))
		for i, j := range first {
			for _, s := range trustees[j-1].Decryption {
				shares[i] = append(shares[i], s.D)
			}
		}
		M, err := Combine(first, shares, e.Tally)
		if err != nil {
			t.Fatal(err)
		}
		counts, err := SolveCounts(M, total)
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckCounts(M, counts); err != nil {
			t.Fatal(err)
		}
		e.Result, e.Decryptors, e.DecidedAt, e.Status = counts, first, 42, tx.ElectionDecided
	}
	d.Election = e
	return d, want
}

// smallPlan is the election of the tests and the vectors: 3 trustees
// (2 needed), 3 options choose one, weights 1 and 3, four voters of whom
// one re-votes and one never votes; trustees 3 and 1 decrypt.
func smallPlan() electionPlan {
	return electionPlan{
		id: 7, trustees: 3, threshold: 2,
		options: []string{"Park", "Library", "Bike lanes"}, min: 1, max: 1,
		weights: []uint64{1, 3},
		voters: []voterPlan{
			{weight: 1, ballots: [][]int{{0}}},
			{weight: 3, ballots: [][]int{{1}}},
			{weight: 1, ballots: [][]int{{2}, {0}}},
			{weight: 1, ballots: nil},
		},
		casts:      [][2]int{{0, 0}, {2, 0}, {1, 0}, {2, 1}},
		decryptors: []uint32{3, 1},
	}
}

// copyData deep-copies election data (JSON round trip).
func copyData(t *testing.T, d *ElectionData) *ElectionData {
	t.Helper()
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var c ElectionData
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return &c
}

// TestVerifyElectionClean: a generated election verifies with no
// problem; the weighted counts with the re-vote are [2 3 0].
func TestVerifyElectionClean(t *testing.T) {
	d, want := genElection(t, seeded("election"), smallPlan())
	if !slices.Equal(want, []uint64{2, 3, 0}) {
		t.Fatalf("plan counts %v", want)
	}
	if !slices.Equal(d.Election.Result, want) {
		t.Fatalf("published %v, want %v", d.Election.Result, want)
	}
	rep, err := VerifyElection(copyData(t, d))
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Clean() {
		t.Fatalf("problems in a clean election: %q", rep.Problems)
	}
	if rep.Ballots != 4 || rep.Counted != 3 || !rep.TallyMatches || !slices.Equal(rep.Result, want) {
		t.Fatalf("report %+v", rep)
	}
}

// TestVerifyElectionTampered: every alteration of the chain data is
// reported.
func TestVerifyElectionTampered(t *testing.T) {
	d, _ := genElection(t, seeded("election"), smallPlan())
	cases := []struct {
		name string
		edit func(d *ElectionData)
		want string // a substring of one problem
	}{
		{"ballot ciphertext", func(d *ElectionData) {
			d.Ballots[2].Ballot.Choices[0].Ct.B = addG(t, d.Ballots[2].Ballot.Choices[0].Ct.B)
		}, "ballot 3: option 0"},
		{"ballot proof", func(d *ElectionData) {
			d.Ballots[0].Ballot.Sum[0].R = addOne(t, d.Ballots[0].Ballot.Sum[0].R)
		}, "ballot 1: sum proof"},
		{"ballot credential", func(d *ElectionData) { d.Ballots[1].Ballot.Credential[5] ^= 1 }, "ballot 2: credential"},
		{"ballot weight", func(d *ElectionData) { d.Ballots[0].Ballot.Weight = 3 }, "ballot 1: credential"},
		{"tracker", func(d *ElectionData) { d.Ballots[3].Tracker[0] ^= 1 }, "ballot 4: tracker"},
		{"superseded", func(d *ElectionData) { d.Ballots[1].Superseded = false }, "ballot 2: superseded"},
		{"ballot dropped", func(d *ElectionData) {
			d.Ballots = d.Ballots[:3]
		}, "tally differs"},
		{"tally", func(d *ElectionData) { d.Election.Tally[1].B = addG(t, d.Election.Tally[1].B) }, "tally differs"},
		{"result", func(d *ElectionData) { d.Election.Result[0]++ }, "result: option 0"},
		{"result swapped", func(d *ElectionData) {
			d.Election.Result[0], d.Election.Result[1] = d.Election.Result[1], d.Election.Result[0]
		}, "result: option 0"},
		{"decryption share", func(d *ElectionData) {
			d.Trustees[2].Decryption[1].D = addG(t, d.Trustees[2].Decryption[1].D)
		}, "trustee 3 option 1: decryption share"},
		{"decryptors", func(d *ElectionData) { d.Election.Decryptors = []uint32{1, 2} }, "decryptors"},
		{"election key", func(d *ElectionData) { k := addG(t, *d.Election.Key); d.Election.Key = &k }, "election key"},
		{"verification key", func(d *ElectionData) {
			k := addG(t, *d.Trustees[1].VerificationKey)
			d.Trustees[1].VerificationKey = &k
		}, "trustee 2: verification key"},
		{"key proof", func(d *ElectionData) { d.Trustees[0].KeyPoK.S = addOne(t, d.Trustees[0].KeyPoK.S) }, "trustee 1: the proof of knowledge of its DKG key"},
		{"deal proof", func(d *ElectionData) { d.Trustees[1].DealPoK.T = addG(t, d.Trustees[1].DealPoK.T) }, "trustee 2: the proof of knowledge of its a_0"},
		{"commitment", func(d *ElectionData) {
			d.Trustees[2].Commitments[1] = addG(t, d.Trustees[2].Commitments[1])
		}, "verification key"},
		{"disqualified yet qualified", func(d *ElectionData) { d.Trustees[0].Disqualified = "share to 2 fails" }, "qualified trustees"},
		{"blind signature", func(d *ElectionData) { d.Requests[2].BlindSig[9] ^= 1 }, "request 3: blind signature"},
		{"request counts", func(d *ElectionData) { d.Election.Classes[0].Issued++ }, "weight 1: the election counts"},
		{"more keys than credentials", func(d *ElectionData) {
			d.Requests[2].BlindSig, d.Requests[3].BlindSig = nil, nil
		}, "weight 1: 2 ballot keys for 1 credentials issued"},
		{"counted", func(d *ElectionData) { d.Election.Counted = 4 }, "ballot keys"},
		{"ballot after close", func(d *ElectionData) { d.Ballots[3].Height = 41 }, "ballot 4: cast at height 41"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x := copyData(t, d)
			c.edit(x)
			rep, err := VerifyElection(x)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range rep.Problems {
				if strings.Contains(p, c.want) {
					return
				}
			}
			t.Fatalf("no problem mentions %q: %q", c.want, rep.Problems)
		})
	}
}

// TestVerifyElectionPhases: an election before its opening (no key, no
// ballots) is clean; a failed one with enough qualified trustees, or a
// decryption share before the close, is reported.
func TestVerifyElectionPhases(t *testing.T) {
	d, _ := genElection(t, seeded("election"), smallPlan())
	setup := copyData(t, d)
	setup.Election.Status = tx.ElectionSetup
	setup.Election.Key, setup.Election.Qualified, setup.Election.Tally = nil, nil, nil
	setup.Election.Result, setup.Election.Decryptors, setup.Election.DecidedAt = nil, nil, 0
	setup.Ballots = nil
	setup.Election.Ballots, setup.Election.Counted = 0, 0
	for i := range setup.Election.Classes {
		setup.Election.Classes[i].BallotKeys = 0
	}
	for i := range setup.Trustees {
		setup.Trustees[i].VerificationKey, setup.Trustees[i].Decryption, setup.Trustees[i].DecryptedAt = nil, nil, 0
	}
	rep, _ := VerifyElection(setup)
	if !rep.Clean() {
		t.Fatalf("setup election: %q", rep.Problems)
	}
	failed := copyData(t, setup)
	failed.Election.Status = tx.ElectionFailed
	if rep, _ := VerifyElection(failed); rep.Clean() {
		t.Fatal("a failed election with 3 qualified trustees is clean")
	}
	early := copyData(t, d)
	early.Election.Status = tx.ElectionOpen
	early.Election.Result, early.Election.Decryptors, early.Election.DecidedAt = nil, nil, 0
	rep, _ = VerifyElection(early)
	found := false
	for _, p := range rep.Problems {
		found = found || strings.Contains(p, "decryption shares while the election is open")
	}
	if !found {
		t.Fatalf("shares before the close not reported: %q", rep.Problems)
	}
	if _, err := VerifyElection(nil); err == nil {
		t.Fatal("nil data accepted")
	}
}
