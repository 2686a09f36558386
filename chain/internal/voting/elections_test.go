package voting_test

import (
	"crypto/rsa"
	"slices"
	"testing"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/tx"
)

// TestElection runs a residents' election end to end on the real app:
// three trustees with threshold two run the DKG on chain, three residents
// ask for blind credentials (one request per identity, a bad blind
// signature refused), vote under fresh ballot keys that their first
// ballot opens at sequence 1, one re-votes (the last ballot counts and
// the tally follows); a bad credential, a bad proof (naming the option)
// and a new key beyond the credentials issued are refused, as are shares
// before the close, a share over a subset of the ballots (the Helios #170
// attack), a repeated share, a publish before two trustees decrypted and
// one with the wrong counts. The right counts are accepted and
// votecrypto.VerifyElection finds nothing wrong in the chain's data.
func TestElection(t *testing.T) {
	c := newChain(t, smallParams(true))
	people := citizens("voter", 4)
	c.register(people...)
	creds := c.issue(citizens("voter-wallet", 4), []bool{true, true, true, true}, 10, 365)
	e := c.create(spec{openAfter: 30}, 1)
	el := e.get()
	if el.Status != tx.ElectionSetup || len(el.Classes) != 1 || el.Classes[0].Weight != 1 {
		t.Fatalf("created %+v", el)
	}
	e.dkg(nil, nil)
	if cs := e.receive(); len(cs) != 0 {
		t.Fatalf("complaints against honest deals: %v", cs)
	}

	// Credentials: one request per identity, eligibility as for supports.
	vs := []*voter{e.newVoter("ballot-0", 1), e.newVoter("ballot-1", 1), e.newVoter("ballot-2", 1)}
	for i, v := range vs {
		res := c.ok("request", people[i], e.request(v, creds[i].el("credential", e.id, people[i].Addr)))
		if seq := attr(t, res, "voting.credential_requested", "seq"); seq != []string{"1", "2", "3"}[i] {
			t.Fatalf("request %d: seq %s", i, seq)
		}
	}
	c.fail("a second request", people[0], e.request(e.newVoter("ballot-0b", 1), creds[0].el("credential", e.id, people[0].Addr)),
		tx.CodeVotingAlreadyRequested)
	c.fail("no residency", people[3], e.request(e.newVoter("ballot-3", 1), nil), tx.CodeVotingNotResident)
	c.fail("the credential copy of another voter", people[3], e.request(e.newVoter("ballot-3", 1), creds[0].el("credential", e.id, people[3].Addr)),
		tx.CodeVotingCredentialReused)
	if p := query[tx.VoteRequestPage](c, "requests", tx.VotingPageRequest{Election: e.id, Pending: true}); len(p.Requests) != 3 {
		t.Fatalf("pending requests %+v", p)
	}
	bad := e.issue(nil, people[0].Addr)
	bad.BlindSig = append(tx.HexBytes{}, bad.BlindSig...)
	bad.BlindSig[10] ^= 1
	c.fail("a bad blind signature", commission, bad, tx.CodeVotingBadBlindSig)
	c.fail("issued by another commission", commission2, e.issue(nil, people[0].Addr), tx.CodeVotingNotCommission)
	c.fail("no such request", commission, withIdentity(e.issue(nil, people[0].Addr), people[3].Addr), tx.CodeVotingNoRequest)
	var issues []signed
	for i, v := range vs {
		issues = append(issues, signed{commission, e.issue(v, people[i].Addr)})
	}
	c.okAll("issue", issues...)
	c.fail("issued twice", commission, e.issue(nil, people[0].Addr), tx.CodeVotingAlreadyIssued)
	if p := query[tx.VoteRequestPage](c, "requests", tx.VotingPageRequest{Election: e.id, Pending: true}); len(p.Requests) != 0 {
		t.Fatalf("pending requests after the issue: %+v", p)
	}
	c.fail("a ballot before the opening", vs[0].key, &tx.MsgVotingCast{Election: e.id, BallotKey: vs[0].key.Pub, Weight: 1,
		Credential: vs[0].cred, Choices: []tx.VoteChoice{{}, {}, {}}}, tx.CodeVotingWrongPhase, "setup")
	c.h.SetSeq(vs[0].key, 0) // the refused cast opened nothing

	el = e.open()
	if el.Status != tx.ElectionOpen || el.Key == nil || !slices.Equal(el.Qualified, []uint32{1, 2, 3}) {
		t.Fatalf("opened %+v", el)
	}

	// Refused ballots open no account, and the key sends its sequence 0
	// again.
	forged := e.ballot(vs[0], el, 0)
	forged.Credential = append(tx.HexBytes{}, vs[1].cred...)
	c.fail("another key's credential", vs[0].key, forged, tx.CodeVotingBadCredential)
	c.h.SetSeq(vs[0].key, 0)
	broken := e.ballot(vs[0], el, 1)
	broken.Choices[2].Proof[0].R = broken.Choices[2].Proof[1].R
	c.fail("a bad proof", vs[0].key, broken, tx.CodeVotingBadBallot, "option 2")
	c.h.SetSeq(vs[0].key, 0)
	two := e.ballot(vs[0], el, 1)
	two.Sum = two.Sum[:0]
	c.fail("a ballot without its sum proof", vs[0].key, two, tx.CodeVotingBadBallot)
	c.h.SetSeq(vs[0].key, 0)
	if _, ok := c.h.Account(vs[0].key.Addr); ok {
		t.Fatal("a refused ballot opened its key's account")
	}

	// Ballots: A, B, B; then voter 0 re-votes C.
	var trackers []tx.Hash32
	for i, choice := range []int{0, 1, 1} {
		m := e.ballot(vs[i], el, choice)
		res := c.ok("cast", vs[i].key, m)
		trackers = append(trackers, tx.BallotTracker(m))
		if attr(t, res, "voting.ballot_cast", "tracker") != trackers[i].String() {
			t.Fatalf("cast %d: events %v", i, res.Events)
		}
		if !apptest.HasEvent(res.Events, "auth.account_created", "address", vs[i].key.Addr.String()) {
			t.Fatalf("cast %d did not open its key's account: %v", i, res.Events)
		}
		if acc, ok := c.h.Account(vs[i].key.Addr); !ok || acc.Sequence != 1 {
			t.Fatalf("ballot key %d: account %+v, want sequence 1", i, acc)
		}
	}
	res := c.ok("re-vote", vs[0].key, e.ballot(vs[0], el, 2))
	if apptest.HasEvent(res.Events, "auth.account_created") {
		t.Fatal("a re-vote opened an account again")
	}
	// A credential the commission signs for a key that asked for none:
	// more ballot keys than credentials issued are refused.
	extra := e.newVoter("ballot-extra", 1)
	e.forge(extra)
	c.fail("a fourth ballot key", extra.key, e.ballot(extra, el, 0), tx.CodeVotingCredentialsSpent, "3 credentials issued")
	el = e.get()
	if el.Ballots != 4 || el.Counted != 3 || el.Classes[0].BallotKeys != 3 || el.Classes[0].Issued != 3 {
		t.Fatalf("election %+v", el)
	}
	c.proven("the first tracker (superseded)", c.raw("tracker", tx.VotingItemRequest{Election: e.id, Tracker: trackers[0]}, true), true)
	if te := query[tx.VoteTrackerEntry](c, "tracker", tx.VotingItemRequest{Election: e.id, Tracker: trackers[0]}); !te.Superseded || te.Seq != 1 {
		t.Fatalf("tracker 0: %+v", te)
	}
	c.proven("an unknown tracker", c.raw("tracker", tx.VotingItemRequest{Election: e.id, Tracker: tx.Hash32{9}}, true), false)
	c.proven("the election", c.raw("election", tx.VotingIDRequest{ID: e.id}, true), true)

	// No share before the close.
	c.fail("a share before the close", trusteeKeys[0], e.decryptMsg(e.trustees[0], el, nil), tx.CodeVotingWrongPhase, "open")
	el = e.closeAt()
	if el.Status != tx.ElectionTallying {
		t.Fatalf("at the close height: %s", el.Status)
	}
	c.fail("a ballot after the close", vs[1].key, e.ballot(vs[1], el, 0), tx.CodeVotingWrongPhase, "tallying")
	// Helios #170: shares over one ballot (voter 1's) instead of the
	// tally, with valid proofs for those ciphertexts.
	ballots := query[tx.VoteBallotPage](c, "ballots", tx.VotingPageRequest{Election: e.id})
	var subset []tx.Elem
	for _, ch := range ballots.Ballots[1].Ballot.Choices {
		subset = append(subset, ch.Ct.A)
	}
	c.fail("a share over a subset of the ballots", trusteeKeys[1], e.decryptMsg(e.trustees[1], el, subset), tx.CodeVotingBadShare,
		"trustee 2", "option 0", "does not prove it decrypts the tally")
	c.fail("publish before any share", apptest.Alice, &tx.MsgVotingPublish{Election: e.id, Counts: []uint64{0, 2, 1}}, tx.CodeVotingNotEnoughShares)
	c.fail("a non-trustee's share", apptest.Alice, e.decryptMsg(e.trustees[0], el, nil), tx.CodeVotingNotTrustee)
	c.ok("trustee 3 decrypts", trusteeKeys[2], e.decryptMsg(e.trustees[2], el, nil))
	c.fail("trustee 3 again", trusteeKeys[2], e.decryptMsg(e.trustees[2], el, nil), tx.CodeVotingShareRepeat)
	c.fail("publish with one share", apptest.Alice, &tx.MsgVotingPublish{Election: e.id, Counts: []uint64{0, 2, 1}}, tx.CodeVotingNotEnoughShares)
	c.ok("trustee 1 decrypts", trusteeKeys[0], e.decryptMsg(e.trustees[0], el, nil))
	c.fail("wrong counts", apptest.Alice, &tx.MsgVotingPublish{Election: e.id, Counts: []uint64{1, 2, 0}}, tx.CodeVotingWrongResult)
	c.fail("too few counts", apptest.Alice, &tx.MsgVotingPublish{Election: e.id, Counts: []uint64{0, 2}}, tx.CodeVotingWrongResult)
	res = c.ok("publish", apptest.Alice, &tx.MsgVotingPublish{Election: e.id, Counts: []uint64{0, 2, 1}})
	if !apptest.HasEvent(res.Events, "voting.decided", "result", "0,2,1", "decryptors", "1,3") {
		t.Fatalf("publish events %v", res.Events)
	}
	c.fail("publish again", apptest.Alice, &tx.MsgVotingPublish{Election: e.id, Counts: []uint64{0, 2, 1}}, tx.CodeVotingAlreadyPublished)
	el = e.get()
	if el.Status != tx.ElectionDecided || !slices.Equal(el.Result, []uint64{0, 2, 1}) {
		t.Fatalf("decided %+v", el)
	}
	r := e.verify()
	if !slices.Equal(r.Result, []uint64{0, 2, 1}) || r.Counted != 3 || r.Ballots != 4 || !r.TallyMatches {
		t.Fatalf("report %+v", r)
	}
	c.h.ExportRoundTrip(t)
}

// withIdentity is m for another identity.
func withIdentity(m *tx.MsgVotingIssueCredential, id tx.Address) *tx.MsgVotingIssueCredential {
	out := *m
	out.Identity = id
	return &out
}

// TestWeighted: a listed election with weight classes {1, 3}. Only listed
// identities get credentials, of their weight; voters are added before
// the opening only, with a weight that has a key and not twice. A
// weight-1 voter choosing A and a weight-3 voter choosing B decide A = 1,
// B = 3.
func TestWeighted(t *testing.T) {
	c := newChain(t, smallParams(true))
	people := citizens("member", 3)
	c.register(people...)
	e := c.create(spec{options: []string{"A", "B"}, rule: tx.RuleListed, weights: []uint64{1, 3},
		voters: []tx.VoteWeight{{Identity: people[0].Addr, Weight: 1}}, openAfter: 20}, 2)
	c.fail("a weight without a key", commission, &tx.MsgVotingAddVoters{Election: e.id, Voters: []tx.VoteWeight{{Identity: people[1].Addr, Weight: 2}}},
		tx.CodeVotingBadElection, "no credential key of that weight")
	c.fail("a voter listed twice", commission, &tx.MsgVotingAddVoters{Election: e.id, Voters: []tx.VoteWeight{{Identity: people[0].Addr, Weight: 3}}},
		tx.CodeVotingBadElection, "already on the list")
	c.fail("another commission", commission2, &tx.MsgVotingAddVoters{Election: e.id, Voters: []tx.VoteWeight{{Identity: people[1].Addr, Weight: 3}}},
		tx.CodeVotingNotCommission)
	c.ok("add a weight-3 voter", commission, &tx.MsgVotingAddVoters{Election: e.id, Voters: []tx.VoteWeight{{Identity: people[1].Addr, Weight: 3}}})
	e.dkg(nil, nil)
	e.receive()
	v1, v3 := e.newVoter("w1", 1), e.newVoter("w3", 3)
	c.ok("request (weight 1)", people[0], e.request(v1, nil))
	c.ok("request (weight 3)", people[1], e.request(v3, nil))
	c.fail("not on the list", people[2], e.request(e.newVoter("w-none", 1), nil), tx.CodeVotingNotEligible, "voter list")
	if r := query[tx.VoteRequest](c, "request", tx.VotingItemRequest{Election: e.id, Identity: people[1].Addr}); r.Weight != 3 || r.Seq != 2 {
		t.Fatalf("request %+v", r)
	}
	c.proven("a request", c.raw("request", tx.VotingItemRequest{Election: e.id, Identity: people[1].Addr}, true), true)
	c.okAll("issue", signed{commission, e.issue(v1, people[0].Addr)}, signed{commission, e.issue(v3, people[1].Addr)})
	el := e.open()
	c.fail("voters after the opening", commission, &tx.MsgVotingAddVoters{Election: e.id, Voters: []tx.VoteWeight{{Identity: people[2].Addr, Weight: 1}}},
		tx.CodeVotingWrongPhase)
	wrong := e.ballot(v3, el, 1)
	wrong.Weight = 1
	c.fail("a weight-3 credential cast as weight 1", v3.key, wrong, tx.CodeVotingBadCredential)
	c.h.SetSeq(v3.key, 0)
	c.okAll("cast", signed{v1.key, e.ballot(v1, el, 0)}, signed{v3.key, e.ballot(v3, el, 1)})
	el = e.closeAt()
	c.okAll("decrypt", signed{trusteeKeys[0], e.decryptMsg(e.trustees[0], el, nil)}, signed{trusteeKeys[1], e.decryptMsg(e.trustees[1], el, nil)})
	c.ok("publish", apptest.Bob, &tx.MsgVotingPublish{Election: e.id, Counts: []uint64{1, 3}})
	if el = e.get(); !slices.Equal(el.Result, []uint64{1, 3}) {
		t.Fatalf("result %v, want [1 3]", el.Result)
	}
	e.verify()
	c.h.ExportRoundTrip(t)
}

// TestDKG: trustee 3 sends trustee 1 a share that fails its Feldman
// check; trustee 1's complaint (revealing the share's key with its
// proof) has the chain disqualify trustee 3, named in its record and an
// event; complaints against a good share, from a non-trustee or against
// an already disqualified dealer are refused, as are a repeated key, a
// deal before every key, a deal with the wrong number of commitments or a
// bad proof. The election opens with the two qualified dealers, and
// trustee 3 (still holding a share of the key) decrypts with trustee 1.
// An election where only one of three trustees deals (threshold two)
// fails at its opening.
func TestDKG(t *testing.T) {
	c := newChain(t, smallParams(false))
	people := citizens("dkg-voter", 1)
	c.register(people...)
	e := c.create(spec{options: []string{"yes", "no"}, openAfter: 20}, 3)
	k1 := e.keyMsg(e.trustees[0])
	c.fail("a key with a bad proof", trusteeKeys[0], &tx.MsgVotingDKGKey{Election: e.id, Key: k1.Key, PoK: e.keyMsg(e.trustees[1]).PoK},
		tx.CodeVotingBadDKG, "pok")
	c.fail("a non-trustee's key", apptest.Alice, k1, tx.CodeVotingNotTrustee)
	c.ok("key 1", trusteeKeys[0], k1)
	x1 := e.trustees[0].dkg
	c.fail("key 1 again", trusteeKeys[0], e.keyMsg(e.trustees[0]), tx.CodeVotingDKGRepeat)
	c.fail("a deal before every key", trusteeKeys[0], &tx.MsgVotingDKGDeal{Election: e.id, Commitments: []tx.Elem{{1}, {2}},
		Shares: []tx.VoteEncShare{{To: 2}, {To: 3}}}, tx.CodeVotingWrongPhase, "trustee 2 has no DKG key yet")
	// Keys 2 and 3 (key 1 is kept: the helper remembers the last secret).
	e.trustees[0].dkg = x1
	c.okAll("keys 2 and 3", signed{trusteeKeys[1], e.keyMsg(e.trustees[1])}, signed{trusteeKeys[2], e.keyMsg(e.trustees[2])})
	short := e.dealMsg(e.trustees[0], 1, 0)
	c.fail("one commitment for threshold 2", trusteeKeys[0], short, tx.CodeVotingBadDKG, "commitments: 1")
	d1 := e.dealMsg(e.trustees[0], 2, 0)
	badPoK := *d1
	badPoK.PoK = e.dealMsg(e.trustees[1], 2, 0).PoK
	c.fail("a deal with a bad proof", trusteeKeys[0], &badPoK, tx.CodeVotingBadDKG, "pok")
	d1 = e.dealMsg(e.trustees[0], 2, 0)
	c.okAll("deals", signed{trusteeKeys[0], d1}, signed{trusteeKeys[1], e.dealMsg(e.trustees[1], 2, 0)},
		signed{trusteeKeys[2], e.dealMsg(e.trustees[2], 2, 1)})
	complaints := e.receive()
	if len(complaints) != 1 || complaints[0].k.Addr != trusteeKeys[0].Addr {
		t.Fatalf("complaints %v: want trustee 1's against trustee 3", complaints)
	}
	// A complaint against trustee 2's good share, with a valid proof.
	good := e.complaintAgainst(e.trustees[0], 2)
	c.fail("a complaint against a good share", trusteeKeys[0], good, tx.CodeVotingComplaintRefused, "passes its Feldman check")
	res := c.ok("the complaint", complaints[0].k, complaints[0].m)
	if !apptest.HasEvent(res.Events, "voting.trustee_disqualified", "trustee", "3", "by", "1") {
		t.Fatalf("events %v", res.Events)
	}
	c.fail("complaining again", complaints[0].k, complaints[0].m, tx.CodeVotingComplaintRefused, "already disqualified")
	ts := c.trustees(e.id)
	if ts[2].Disqualified == "" || ts[0].Disqualified != "" || ts[1].Disqualified != "" {
		t.Fatalf("trustees %+v", ts)
	}
	c.proven("trustee 3", c.raw("trustee", tx.VotingItemRequest{Election: e.id, Index: 3}, true), true)
	el := e.open()
	if el.Status != tx.ElectionOpen || !slices.Equal(el.Qualified, []uint32{1, 2}) {
		t.Fatalf("opened %+v", el)
	}
	v := e.newVoter("dkg-ballot", 1)
	c.ok("request", people[0], e.request(v, nil))
	c.ok("issue", commission, e.issue(v, people[0].Addr))
	c.ok("cast", v.key, e.ballot(v, e.get(), 0))
	el = e.closeAt()
	c.okAll("decrypt", signed{trusteeKeys[0], e.decryptMsg(e.trustees[0], el, nil)}, signed{trusteeKeys[2], e.decryptMsg(e.trustees[2], el, nil)})
	c.ok("publish", apptest.Bob, &tx.MsgVotingPublish{Election: e.id, Counts: []uint64{1, 0}})
	e.verify()

	// Quorum failure: one dealer of three, threshold two.
	f := c.create(spec{options: []string{"yes", "no"}}, 4)
	f.dkg([]int{0}, nil)
	fel := f.open()
	if fel.Status != tx.ElectionFailed || fel.Failure == "" {
		t.Fatalf("election with one dealer: %+v", fel)
	}
	fv := f.newVoter("failed-ballot", 1)
	c.fail("a request in a failed election", people[0], f.request(fv, nil), tx.CodeVotingWrongPhase, "failed")
	c.h.ExportRoundTrip(t)
}

// TestCreateElection: the definition checks, each naming its field.
func TestCreateElection(t *testing.T) {
	c := newChain(t, smallParams(false))
	sks := map[uint64]*rsa.PrivateKey{1: rsaKey(t, 0), 3: rsaKey(t, 1)}
	base := spec{}
	base.defaults()
	try := func(what string, k apptest.Key, edit func(m *tx.MsgVotingCreateElection), code tx.Code, logHas ...string) {
		t.Helper()
		m := base.msg(c, sks)
		edit(m)
		c.fail(what, k, m, code, logHas...)
	}
	try("no commission role", apptest.Alice, func(*tx.MsgVotingCreateElection) {}, tx.CodeVotingNotCommission)
	try("one option", commission, func(m *tx.MsgVotingCreateElection) { m.Options = m.Options[:1] }, tx.CodeVotingBadElection, "options: 1")
	try("the same option twice", commission, func(m *tx.MsgVotingCreateElection) { m.Options[2] = m.Options[0] }, tx.CodeVotingBadElection, "options[2]")
	try("min above max", commission, func(m *tx.MsgVotingCreateElection) { m.MinChoices = 2 }, tx.CodeVotingBadElection, "min_choices")
	try("max above the options", commission, func(m *tx.MsgVotingCreateElection) { m.MaxChoices = 4 }, tx.CodeVotingBadElection, "max_choices")
	try("residents with a list", commission, func(m *tx.MsgVotingCreateElection) {
		m.Voters = []tx.VoteWeight{{Identity: apptest.Bob.Addr, Weight: 1}}
	}, tx.CodeVotingBadElection, "voters")
	try("a key that is no RSA key", commission, func(m *tx.MsgVotingCreateElection) { m.CredentialKeys[0].Key = tx.HexBytes{1, 2, 3} },
		tx.CodeVotingBadElection, "credential_keys[0].key")
	try("keys out of weight order", commission, func(m *tx.MsgVotingCreateElection) {
		m.Rule = tx.RuleListed
		m.CredentialKeys = []tx.VoteCredentialKey{base.msg(c, map[uint64]*rsa.PrivateKey{1: sks[3]}).CredentialKeys[0], m.CredentialKeys[0]}
		m.CredentialKeys[0].Weight = 3
	}, tx.CodeVotingBadElection, "credential_keys[1].weight")
	try("opening too soon for the DKG", commission, func(m *tx.MsgVotingCreateElection) { m.OpenHeight = c.height() + 4 },
		tx.CodeVotingBadElection, "open_height")
	try("closing before opening", commission, func(m *tx.MsgVotingCreateElection) { m.CloseHeight = m.OpenHeight - 1 },
		tx.CodeVotingBadElection, "close_height")
	try("a trustee twice", commission, func(m *tx.MsgVotingCreateElection) { m.Trustees[2] = m.Trustees[0] }, tx.CodeVotingBadElection, "trustees[2]")
	try("threshold n (one trustee could block)", commission, func(m *tx.MsgVotingCreateElection) { m.Threshold = 3 },
		tx.CodeVotingBadElection, "threshold 3")
	try("one trustee", commission, func(m *tx.MsgVotingCreateElection) { m.Trustees, m.Threshold = m.Trustees[:1], 1 },
		tx.CodeVotingBadElection, "trustees: 1")
	c.fail("an unknown election", commission, &tx.MsgVotingAddVoters{Election: 5, Voters: []tx.VoteWeight{{Identity: apptest.Bob.Addr, Weight: 1}}},
		tx.CodeVotingUnknownElection)
	res := c.ok("a valid definition", commission, base.msg(c, sks))
	if attr(t, res, "voting.election_created", "election") != "1" {
		t.Fatalf("events %v", res.Events)
	}
	page := query[tx.VoteElectionPage](c, "elections", tx.VotingPageRequest{})
	if len(page.Elections) != 1 || page.Elections[0].Commission != commission.Addr {
		t.Fatalf("elections page %+v", page)
	}
}
