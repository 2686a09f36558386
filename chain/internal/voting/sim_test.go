package voting_test

import (
	"fmt"
	mrand "math/rand/v2"
	"slices"
	"testing"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/chain/votecrypto"
)

// TestSimulation drives, over fixed seeds, an election (three options,
// zero to two choices, three trustees with threshold two) through random
// blocks of one to three transactions: citizens asking for credentials,
// the commission issuing them, voters casting and re-casting, invalid
// ballots (a broken proof, another key's credential) and trustees' shares
// sent before the close. After every block it checks, against the
// simulation's own account of what was cast:
//   - per weight class, ballot keys ≤ credentials issued;
//   - the counted ballot keys are exactly the keys that cast, and each
//     key has exactly one ballot not superseded, its last;
//   - the stored tally equals the sum recomputed from the last ballot of
//     each key (votecrypto.AddBallot from an empty tally);
//   - no trustee holds a decryption share made before the close.
//
// After the close two trustees decrypt, the published result equals the
// plaintext sum the simulation kept, votecrypto.VerifyElection reports no
// problem, and the state survives an export round trip.
func TestSimulation(t *testing.T) {
	seeds := 3
	if testing.Short() {
		seeds = 1
	}
	seen := map[string]int{}
	for seed := 1; seed <= seeds; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { simulate(t, uint64(seed), seen) })
	}
	for _, o := range []string{"request", "issue", "cast", "recast", "voting/27", "voting/25", "voting/15"} {
		if seen[o] == 0 {
			t.Errorf("no seed reached outcome %q (%v)", o, seen)
		}
	}
	t.Logf("outcomes: %v", seen)
}

// simVoter is a citizen in the simulation.
type simVoter struct {
	identity apptest.Key
	v        *voter
	asked    bool // its request is on chain
	issued   bool
	choices  []bool // the last ballot counted, nil before any
}

func simulate(t *testing.T, seed uint64, seen map[string]int) {
	rng := mrand.New(mrand.NewPCG(seed, 19))
	c := newChain(t, smallParams(false))
	people := citizens(fmt.Sprintf("sim-%d", seed), 12)
	c.register(people...)
	e := c.create(spec{options: []string{"A", "B", "C"}, min: 0, max: 2, openAfter: 12, closeAfter: 60}, 100+seed)
	e.dkg(nil, nil)
	if cs := e.receive(); len(cs) != 0 {
		t.Fatalf("complaints: %v", cs)
	}
	el := e.get()
	voters := make([]*simVoter, len(people))
	for i, p := range people {
		voters[i] = &simVoter{identity: p}
	}

	type expect struct {
		what  string
		code  tx.Code // zero: success
		fresh *apptest.Key
		apply func()
	}
	for c.height() < el.CloseHeight+1 {
		h := c.height() + 1 // the block's height
		el = e.get()
		open := el.Status == tx.ElectionOpen && h >= el.OpenHeight && h <= el.CloseHeight
		var late tx.Code // requests and issues after the close
		if h > el.CloseHeight {
			late = tx.CodeVotingWrongPhase
		}
		var raws [][]byte
		var exps []expect
		used := map[tx.Address]bool{} // one transaction per signer per block; lookups only
		for range 1 + rng.IntN(3) {
			sv := voters[rng.IntN(len(voters))]
			switch op := rng.IntN(10); {
			case op < 2 && sv.v == nil && !used[sv.identity.Addr]:
				sv.v = e.newVoter(fmt.Sprintf("sim-ballot-%d-%s", seed, sv.identity.Name), 1)
				used[sv.identity.Addr] = true
				raws = append(raws, c.h.Sign(sv.identity, e.request(sv.v, nil)))
				s := sv
				exps = append(exps, expect{what: "request", code: late, apply: func() { s.asked = true }})
			case op < 4 && sv.asked && !sv.issued && !used[commission.Addr]:
				used[commission.Addr] = true
				msg := e.issue(sv.v, sv.identity.Addr)
				raws = append(raws, c.h.Sign(commission, msg))
				s := sv
				exps = append(exps, expect{what: "issue", code: late, apply: func() { s.issued = true }})
			case op < 8 && sv.issued && el.Key != nil && !used[sv.v.key.Addr]:
				used[sv.v.key.Addr] = true
				choices := make([]bool, 3)
				for n := rng.IntN(3); n > 0; n-- {
					choices[rng.IntN(3)] = true
				}
				var pick []int
				for i, ch := range choices {
					if ch {
						pick = append(pick, i)
					}
				}
				_, had := c.h.Account(sv.v.key.Addr)
				var fresh *apptest.Key
				if !had {
					fresh = &sv.v.key
				}
				m := e.ballot(sv.v, el, pick...)
				switch bad := rng.IntN(5); {
				case !open:
					raws = append(raws, c.h.Sign(sv.v.key, m))
					exps = append(exps, expect{what: "early or late cast", code: tx.CodeVotingWrongPhase, fresh: fresh})
				case bad == 0:
					m.Choices[0].Proof[1].C = m.Choices[0].Proof[0].C
					raws = append(raws, c.h.Sign(sv.v.key, m))
					exps = append(exps, expect{what: "broken proof", code: tx.CodeVotingBadBallot, fresh: fresh})
				case bad == 1:
					m.Credential = append(tx.HexBytes{}, m.Credential...)
					m.Credential[5] ^= 0x40
					raws = append(raws, c.h.Sign(sv.v.key, m))
					exps = append(exps, expect{what: "bad credential", code: tx.CodeVotingBadCredential, fresh: fresh})
				default:
					raws = append(raws, c.h.Sign(sv.v.key, m))
					s, what := sv, "cast"
					if sv.choices != nil {
						what = "recast"
					}
					exps = append(exps, expect{what: what, fresh: fresh, apply: func() { s.choices = choices }})
				}
			case op == 9 && el.Status == tx.ElectionOpen:
				tr := e.trustees[rng.IntN(len(e.trustees))]
				if used[tr.key.Addr] {
					continue
				}
				used[tr.key.Addr] = true
				raws = append(raws, c.h.Sign(tr.key, e.decryptMsg(tr, el, nil)))
				exps = append(exps, expect{what: "early share", code: tx.CodeVotingWrongPhase})
			}
		}
		res := c.block(raws...)
		for i, r := range res.TxResults {
			x := exps[i]
			if x.code == (tx.Code{}) {
				apptest.RequireOK(t, fmt.Sprintf("height %d %s", h, x.what), r)
				seen[x.what]++
				if x.apply != nil {
					x.apply()
				}
				continue
			}
			apptest.RequireCode(t, fmt.Sprintf("height %d %s", h, x.what), r, x.code)
			seen[fmt.Sprintf("%s/%d", x.code.Codespace, x.code.Code)]++
			if x.fresh != nil {
				c.h.SetSeq(*x.fresh, 0) // a refused opening cast opened nothing
			}
		}
		checkInvariants(t, e, voters)
	}

	// Decrypt and publish.
	el = e.get()
	if el.Status != tx.ElectionTallying {
		t.Fatalf("after the close: %s", el.Status)
	}
	counts := make([]uint64, 3)
	for _, sv := range voters {
		for o, ch := range sv.choices {
			if ch {
				counts[o]++
			}
		}
	}
	two := rng.Perm(3)[:2]
	c.okAll("decrypt", signed{e.trustees[two[0]].key, e.decryptMsg(e.trustees[two[0]], el, nil)},
		signed{e.trustees[two[1]].key, e.decryptMsg(e.trustees[two[1]], el, nil)})
	c.ok("publish", apptest.Alice, &tx.MsgVotingPublish{Election: e.id, Counts: counts})
	if got := e.get().Result; !slices.Equal(got, counts) {
		t.Fatalf("published %v, the simulation's plaintext sum %v", got, counts)
	}
	r := e.verify()
	if !slices.Equal(r.Result, counts) || !r.TallyMatches {
		t.Fatalf("report %+v, want result %v", r, counts)
	}
	c.h.ExportRoundTrip(t)
}

// checkInvariants checks the simulation's invariants on the committed
// state.
func checkInvariants(t *testing.T, e *election, voters []*simVoter) {
	t.Helper()
	d := e.data()
	el := d.Election
	for _, cl := range el.Classes {
		if cl.BallotKeys > cl.Issued || cl.Issued > cl.Requested {
			t.Fatalf("height %d class %d: %d ballot keys, %d issued, %d requested", e.c.height(), cl.Weight, cl.BallotKeys, cl.Issued, cl.Requested)
		}
	}
	var keys uint64
	for _, sv := range voters {
		if sv.choices != nil {
			keys++
		}
	}
	if el.Counted != keys || el.Ballots != uint64(len(d.Ballots)) {
		t.Fatalf("height %d: counted %d ballots %d; the simulation has %d keys that cast, %d ballots listed", e.c.height(), el.Counted, el.Ballots, keys, len(d.Ballots))
	}
	last := map[string]uint64{} // ballot key -> seq of its last ballot; lookups only
	for _, b := range d.Ballots {
		last[string(b.Ballot.BallotKey)] = b.Seq
	}
	if el.Tally == nil {
		if len(d.Ballots) != 0 {
			t.Fatalf("ballots without a tally")
		}
		return
	}
	tally := votecrypto.EmptyTally(len(el.Options))
	var live uint64
	for _, b := range d.Ballots {
		isLast := last[string(b.Ballot.BallotKey)] == b.Seq
		if b.Superseded == isLast {
			t.Fatalf("height %d: ballot %d superseded %v, but it is the key's last: %v", e.c.height(), b.Seq, b.Superseded, isLast)
		}
		if !isLast {
			continue
		}
		live++
		var err error
		if tally, err = votecrypto.AddBallot(tally, b.Ballot.Choices, b.Ballot.Weight, false); err != nil {
			t.Fatal(err)
		}
	}
	if live != el.Counted || !slices.Equal(tally, el.Tally) {
		t.Fatalf("height %d: the stored tally is not the sum of the %d last ballots (counted %d)", e.c.height(), live, el.Counted)
	}
	for _, tr := range d.Trustees {
		if tr.Decryption != nil && tr.DecryptedAt <= el.CloseHeight {
			t.Fatalf("trustee %d holds a share made at height %d, before the close at %d", tr.Index, tr.DecryptedAt, el.CloseHeight)
		}
	}
}
