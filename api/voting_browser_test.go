package api

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/keyring"
	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/chain/votecrypto"
	"github.com/citychain/citychain/cmd/citychain/local"
)

// The voting dashboard's chain is a devnet of its own, whose genesis sets
// small thresholds (2, 3 and 5 supporters), asks no residency credential
// (an active identity suffices) and carries two proposals filed days
// before it started (genesis state, as an export writes it), whose
// department answers fell due the day before: block time cannot be
// driven on a running node, and an answer is due a day at the least.
// vtCitizens identities are registered by the "office" key.
const vtCitizens = 5

var vtParams = tx.VotingParams{
	DepartmentThreshold: 2, ForumThreshold: 3, MayorThreshold: 5,
	DepartmentDays: 1, ForumDays: 30, MayorDays: 30, SupportDays: 30, ComplaintBlocks: 2,
}

// vtGenesis is the voting section: vtParams and proposals 1 and 2, each
// proposed by citizen 1 and supported by citizen 2 two days before
// genesis, so their department level was reached then and fell due a day
// before genesis (the first block marks it overdue).
func vtGenesis(genesis time.Time) map[string]any {
	const day = 86400
	reached := genesis.Unix() - 2*day
	ids := []tx.Address{vtPub(vtCitizen(1)).Address(), vtPub(vtCitizen(2)).Address()}
	slices.SortFunc(ids, func(a, b tx.Address) int { return bytes.Compare(a[:], b[:]) })
	prop := func(id uint64, title, summary, uri string) tx.VoteProposal {
		return tx.VoteProposal{ID: id, Proposer: vtPub(vtCitizen(1)).Address(), Title: title, Summary: summary, BodyHash: sha256.Sum256([]byte(title)), URI: uri,
			Department: vtAddr("department"), Created: reached, SupportEnds: reached + 30*day, Supports: 2, Status: tx.ProposalOpen,
			Levels: []tx.VoteLevel{{Level: tx.LevelDepartment, Threshold: 2, ReachedAt: reached, Due: reached + day},
				{Level: tx.LevelForum, Threshold: 3}, {Level: tx.LevelMayor, Threshold: 5}}}
	}
	props := []tx.VoteProposal{
		prop(1, "Shade canopies at <Mapo> bus stops", "Heat-wave shelters & misting fans at the 40 busiest stops.", "https://democracy.seoul.example/p/1"),
		prop(2, "Late-night bus N62 every 15 minutes", "Double the night service on line N62.", ""),
	}
	var sup []map[string]any
	for _, p := range props {
		for _, id := range ids {
			sup = append(sup, map[string]any{"proposal": p.ID, "identity": id, "height": 0})
		}
	}
	return map[string]any{"params": vtParams, "proposals": props, "supports": sup}
}

// vtKey is the fixture's key named name.
func vtKey(name string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("api-test/voting/" + name))
	return ed25519.NewKeyFromSeed(seed[:])
}

func vtPub(name string) tx.PubKey { return tx.PubKey(vtKey(name).Public().(ed25519.PublicKey)) }
func vtAddr(name string) tx.Address {
	return tx.AddressOf(vtKey(name).Public().(ed25519.PublicKey))
}
func vtCitizen(i int) string { return fmt.Sprintf("citizen-%d", i) }

// vtStartChain starts the test's devnet with vtParams in its genesis.
func vtStartChain(t *testing.T) (*testChain, *node.Node) {
	t.Helper()
	home := t.TempDir()
	o := node.DevnetOptions{TimeoutCommit: 100 * time.Millisecond, RPCListen: "tcp://" + local.FreeAddr(t), P2PListen: "tcp://" + local.FreeAddr(t)}
	if _, err := node.EnsureDevnet(home, o); err != nil {
		t.Fatal(err)
	}
	gf := node.GenesisFile(home)
	raw, err := os.ReadFile(gf)
	if err != nil {
		t.Fatal(err)
	}
	var g map[string]json.RawMessage
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	var st map[string]json.RawMessage
	if err := json.Unmarshal(g["app_state"], &st); err != nil {
		t.Fatal(err)
	}
	var gt time.Time
	if err := json.Unmarshal(g["genesis_time"], &gt); err != nil {
		t.Fatalf("genesis_time: %v", err)
	}
	sec, err := json.Marshal(vtGenesis(gt))
	if err != nil {
		t.Fatal(err)
	}
	st["voting"] = sec
	if g["app_state"], err = json.Marshal(st); err != nil {
		t.Fatal(err)
	}
	if raw, err = json.MarshalIndent(g, "", "  "); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(gf, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	n := local.Devnet(t, home, o) // the home exists: its genesis is kept
	kr, err := keyring.Open(node.KeyringDir(home))
	if err != nil {
		t.Fatal(err)
	}
	return &testChain{home: home, rpc: n.RPCAddress(), keys: kr}, n
}

// vtWorld is what the fixture built.
type vtWorld struct {
	chainID string
	// proposals: overdue has 2 supports, its department answer overdue;
	// answered has 3, its department answer late and its forum answered;
	// due has 2, its department answer due tomorrow.
	overdue, answered, due uint64
	election               uint64
	counts                 []uint64  // the published result
	present, revoted       tx.Hash32 // a counted ballot's tracker; a re-voted (superseded) one's
	ballots, counted       int
}

// vtSubmit sends each signer's messages as one transaction, all at once,
// and waits until every one is in a block.
func vtSubmit(ctx context.Context, nc *client.Client, steps map[string][]tx.Msg) error {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []string
	for name, msgs := range steps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := nc.Submit(ctx, vtKey(name), "", msgs...); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Sprintf("%s %s: %v", name, msgs[0].Type(), err))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

// vtBuildProposals registers the citizens and moves the proposals on: the
// office (registration_office) registers vtCitizens identities; the
// "department" account holds city_department; citizen 3 supports genesis
// proposal 2 (its forum opens, due in 30 days) and the department answers
// its forum in time and its overdue department level late; citizen 4
// files proposal 3, which citizen 5 supports (its department answer is
// due in a day). Genesis proposal 1 stays overdue.
func vtBuildProposals(t *testing.T, c *testChain, nc *client.Client, w *vtWorld) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	office, dept := vtAddr("office"), vtAddr("department")
	cards := tx.StatusListID(office, "vt-cards")
	scn := tx.Coin{Amount: 1_000_000, Denom: tx.DenomSCoin}
	var sends []tx.Msg
	for _, name := range []string{"office", "department", "commission", "trustee-1", "trustee-2", "trustee-3", "trustee-4"} {
		sends = append(sends, &tx.MsgSend{To: vtAddr(name), Amount: scn})
	}
	var regs []tx.Msg
	for i := 1; i <= vtCitizens; i++ {
		d := sha256.Sum256([]byte("api-test/voting card " + vtCitizen(i)))
		var salt [tx.CardSaltLen]byte
		copy(salt[:], d[3:])
		regs = append(regs, &tx.MsgIdentityRegister{DeviceKey: vtPub(vtCitizen(i)), CardList: cards,
			Commitments: []tx.Hash32{tx.CardCommitment(cards, uint32(i), salt)}})
	}
	steps := []struct {
		priv ed25519.PrivateKey
		msgs []tx.Msg
	}{
		{c.key(t, "treasury").Private, sends},
		{c.key(t, "authority").Private, []tx.Msg{&tx.MsgRoleGrant{Address: office, Role: tx.RoleRegistrationOffice},
			&tx.MsgRoleGrant{Address: dept, Role: tx.RoleCityDepartment}, &tx.MsgRoleGrant{Address: vtAddr("commission"), Role: tx.RoleElectionCommission}}},
		{vtKey("office"), []tx.Msg{&tx.MsgCredentialCreateList{Name: "vt-cards", Purpose: tx.StatusSuspension, Size: tx.MinStatusListSize}}},
		{vtKey("office"), regs},
		{vtKey(vtCitizen(3)), []tx.Msg{&tx.MsgVotingSupport{Proposal: 2}}},
		{vtKey(vtCitizen(4)), []tx.Msg{&tx.MsgVotingPropose{Title: "Cycle lane on Yanghwa bridge", Summary: "A protected lane both ways.",
			BodyHash: sha256.Sum256([]byte("yanghwa")), Department: dept}}},
		{vtKey(vtCitizen(5)), []tx.Msg{&tx.MsgVotingSupport{Proposal: 3}}},
		{vtKey("department"), []tx.Msg{&tx.MsgVotingAnswer{Proposal: 2, Level: tx.LevelForum, Answer: "Forum on 3 May at City Hall, hall B.",
			URI: "https://democracy.seoul.example/forum/2"}}},
		{vtKey("department"), []tx.Msg{&tx.MsgVotingAnswer{Proposal: 2, Level: tx.LevelDepartment, Answer: "Approved for the next timetable."}}},
	}
	for _, st := range steps {
		if _, err := nc.Submit(ctx, st.priv, "api voting dashboard test", st.msgs...); err != nil {
			t.Fatalf("%s: %v", st.msgs[0].Type(), err)
		}
	}
	w.overdue, w.answered, w.due = 1, 2, 3
}

func vtElection(ctx context.Context, t *testing.T, nc *client.Client, id uint64) *tx.VoteElection {
	t.Helper()
	var e tx.VoteElection
	if err := nc.QueryJSON(ctx, "/voting/election", vtJSON(t, tx.VotingIDRequest{ID: id}), &e); err != nil {
		t.Fatalf("election %d: %v", id, err)
	}
	return &e
}

func vtJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// vtBuildElection runs an election to its result with the real crypto: four
// trustees (two decrypt); trustee 4 deals trustee 2 a bad share, trustee 2
// complains and trustee 4 is disqualified; every citizen gets a blind
// credential and votes (options A, B, C: A, A, B, B, C), citizen 1 votes
// again for B; two trustees decrypt after the close and the result
// A 1, B 3, C 1 is published.
func vtBuildElection(t *testing.T, n *node.Node, nc *client.Client, w *vtWorld) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	trustees := []string{"trustee-1", "trustee-2", "trustee-3", "trustee-4"}
	sk, err := votecrypto.NewCredentialKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := votecrypto.MarshalCredentialKey(&sk.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	st, err := nc.RPC().Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	h := uint64(st.SyncInfo.LatestBlockHeight)
	create := &tx.MsgVotingCreateElection{Title: "Name of the new Han river bridge", Question: "Which name should the bridge carry?",
		Options: []string{"Hangang <Light>", "Seoul Sky & Bridge", "Mapo-Yeouido"}, MinChoices: 1, MaxChoices: 1, Rule: tx.RuleResidents,
		CredentialKeys: []tx.VoteCredentialKey{{Weight: 1, Key: der}}, OpenHeight: h + 36, CloseHeight: h + 46, Threshold: 2}
	for _, tn := range trustees {
		create.Trustees = append(create.Trustees, vtAddr(tn))
	}
	if _, err := nc.Submit(ctx, vtKey("commission"), "", create); err != nil {
		t.Fatalf("create election: %v", err)
	}
	eid := uint64(1)
	w.election = eid

	// DKG: keys, then deals (trustee 4's share to trustee 2 is wrong),
	// then trustee 2's complaint.
	dkg := make([]votecrypto.Secret, len(trustees))
	polys := make([]votecrypto.Polynomial, len(trustees))
	keys := map[string][]tx.Msg{}
	for i, tn := range trustees {
		j := uint32(i + 1)
		if dkg[i], err = votecrypto.NewSecret(rand.Reader); err != nil {
			t.Fatal(err)
		}
		pok, err := votecrypto.ProveKnowledge(rand.Reader, dkg[i], votecrypto.KeyContext(w.chainID, eid, j))
		if err != nil {
			t.Fatal(err)
		}
		keys[tn] = []tx.Msg{&tx.MsgVotingDKGKey{Election: eid, Key: dkg[i].Public(), PoK: pok}}
	}
	if err := vtSubmit(ctx, nc, keys); err != nil {
		t.Fatalf("DKG keys: %v", err)
	}
	deals := map[string][]tx.Msg{}
	var badShare tx.VoteEncShare
	for i, tn := range trustees {
		j := uint32(i + 1)
		if polys[i], err = votecrypto.NewPolynomial(rand.Reader, 2); err != nil {
			t.Fatal(err)
		}
		pok, err := votecrypto.ProveKnowledge(rand.Reader, polys[i][0], votecrypto.DealContext(w.chainID, eid, j))
		if err != nil {
			t.Fatal(err)
		}
		d := &tx.MsgVotingDKGDeal{Election: eid, Commitments: polys[i].Commitments(), PoK: pok}
		for m := range trustees {
			to := uint32(m + 1)
			if to == j {
				continue
			}
			share := polys[i].Eval(to)
			if j == 4 && to == 2 {
				share = votecrypto.SumSecrets(share, polys[i][0]) // fails the Feldman check
			}
			es, err := votecrypto.EncryptShare(rand.Reader, w.chainID, eid, j, to, dkg[m].Public(), share)
			if err != nil {
				t.Fatal(err)
			}
			if j == 4 && to == 2 {
				badShare = es
			}
			d.Shares = append(d.Shares, es)
		}
		deals[tn] = []tx.Msg{d}
	}
	if err := vtSubmit(ctx, nc, deals); err != nil {
		t.Fatalf("DKG deals: %v", err)
	}
	if s, err := votecrypto.DecryptShare(w.chainID, eid, 4, dkg[1], badShare); err != nil || votecrypto.VerifyShare(polys[3].Commitments(), 2, s) {
		t.Fatalf("trustee 4's share to trustee 2 should decrypt and fail its Feldman check (err %v)", err)
	}
	K, proof, err := votecrypto.Complaint(rand.Reader, w.chainID, eid, 4, 2, dkg[1], badShare)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nc.Submit(ctx, vtKey("trustee-2"), "", &tx.MsgVotingDKGComplain{Election: eid, Dealer: 4, Key: K, Proof: proof}); err != nil {
		t.Fatalf("complaint: %v", err)
	}

	// Credentials: each citizen blinds a fresh ballot key's message; the
	// commission signs every request in one transaction.
	type voter struct {
		priv  ed25519.PrivateKey
		state votecrypto.BlindState
		cred  []byte
	}
	voters := make([]voter, vtCitizens)
	reqs := map[string][]tx.Msg{}
	var issue []tx.Msg
	for i := range voters {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		voters[i].priv = priv
		msg := tx.VotingCredentialMessage(w.chainID, eid, tx.PubKey(priv.Public().(ed25519.PublicKey)))
		blinded, state, err := votecrypto.Blind(rand.Reader, &sk.PublicKey, msg)
		if err != nil {
			t.Fatal(err)
		}
		voters[i].state = state
		reqs[vtCitizen(i+1)] = []tx.Msg{&tx.MsgVotingRequestCredential{Election: eid, Blinded: blinded}}
		sig, err := votecrypto.BlindSign(sk, blinded)
		if err != nil {
			t.Fatal(err)
		}
		if voters[i].cred, err = votecrypto.Finalize(&sk.PublicKey, state, sig); err != nil {
			t.Fatal(err)
		}
		issue = append(issue, &tx.MsgVotingIssueCredential{Election: eid, Identity: vtPub(vtCitizen(i + 1)).Address(), BlindSig: sig})
	}
	if err := vtSubmit(ctx, nc, reqs); err != nil {
		t.Fatalf("credential requests: %v", err)
	}
	if _, err := nc.Submit(ctx, vtKey("commission"), "", issue...); err != nil {
		t.Fatalf("issue credentials: %v", err)
	}

	// Ballots, once the election is open: each signed by its ballot key
	// (no account before: sequence 0); citizen 1 votes again.
	if err := n.WaitForHeight(ctx, int64(create.OpenHeight)); err != nil {
		t.Fatal(err)
	}
	e := vtElection(ctx, t, nc, eid)
	if e.Status != tx.ElectionOpen || e.Key == nil {
		t.Fatalf("election at its open height: status %s, key %v (failure %q)", e.Status, e.Key, e.Failure)
	}
	bp := votecrypto.BallotParams{ChainID: w.chainID, Election: eid, Key: *e.Key, Options: 3, MinChoices: 1, MaxChoices: 1}
	ballot := func(i, choice int) *tx.MsgVotingCast {
		m := &tx.MsgVotingCast{Election: eid, BallotKey: tx.PubKey(voters[i].priv.Public().(ed25519.PublicKey)), Weight: 1, Credential: voters[i].cred}
		choices := make([]bool, 3)
		choices[choice] = true
		if err := votecrypto.EncryptBallot(rand.Reader, bp, m, choices); err != nil {
			t.Fatal(err)
		}
		return m
	}
	votes := []int{0, 0, 1, 1, 2}
	var wg sync.WaitGroup
	errs := make([]error, len(votes))
	first := make([]*tx.MsgVotingCast, len(votes))
	for i, v := range votes {
		first[i] = ballot(i, v)
		raw, err := tx.Build(voters[i].priv, w.chainID, 0, "", first[i])
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() { defer wg.Done(); _, errs[i] = nc.BroadcastAndWait(ctx, raw) }()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("ballot of citizen %d: %v", i+1, err)
		}
	}
	again := ballot(0, 1)
	if _, err := nc.Submit(ctx, voters[0].priv, "", again); err != nil {
		t.Fatalf("citizen 1's second ballot: %v", err)
	}
	w.revoted, w.present = tx.BallotTracker(first[0]), tx.BallotTracker(again)
	w.ballots, w.counted, w.counts = len(votes)+1, len(votes), []uint64{1, 3, 1}

	// After the close: trustees 1 and 3 decrypt (trustee 2 holds its
	// share too: 2 of the 3 qualified suffice), anyone publishes.
	if err := n.WaitForHeight(ctx, int64(create.CloseHeight)+1); err != nil {
		t.Fatal(err)
	}
	e = vtElection(ctx, t, nc, eid)
	if e.Status != tx.ElectionTallying {
		t.Fatalf("election after its close: status %s", e.Status)
	}
	dec := map[string][]tx.Msg{}
	for _, j := range []uint32{1, 3} {
		// x_j = Σ over the qualified dealers (1, 2, 3) of f_i(j).
		var parts []votecrypto.Secret
		for _, i := range e.Qualified {
			parts = append(parts, polys[i-1].Eval(j))
		}
		x := votecrypto.SumSecrets(parts...)
		d := &tx.MsgVotingDecrypt{Election: eid}
		for o, ct := range e.Tally {
			s, err := votecrypto.DecryptionShare(rand.Reader, w.chainID, eid, j, o, x, ct.A)
			if err != nil {
				t.Fatal(err)
			}
			d.Shares = append(d.Shares, s)
		}
		dec[trustees[j-1]] = []tx.Msg{d}
	}
	if err := vtSubmit(ctx, nc, dec); err != nil {
		t.Fatalf("decrypt: %v", err)
	}
	if _, err := nc.Submit(ctx, vtKey("commission"), "", &tx.MsgVotingPublish{Election: eid, Counts: w.counts}); err != nil {
		t.Fatalf("publish: %v", err)
	}
}

// TestVotingBrowser opens the dashboard's voting tab in headless Chromium
// against a chain where two proposals were filed and an election was run
// to its result: the proposals show their supports against the genesis
// thresholds, an answer due with its date, the overdue department answer
// as OVERDUE, the late and the timely answers with their texts; the election's page shows its status,
// trustees (one disqualified with the reason, two decrypted), credentials,
// ballots and counted, the result bars; "verify" re-verifies it clean; the
// tracker box finds a counted ballot present, a re-voted one superseded
// and an unknown tracker absent, each with its proof. Chain text with
// markup (< > &) shows as text.
func TestVotingBrowser(t *testing.T) {
	chromium := chromiumPath(t)
	start := time.Now()
	c, n := vtStartChain(t)
	nc, err := client.New(c.rpc)
	if err != nil {
		t.Fatal(err)
	}
	w := &vtWorld{}
	if w.chainID, err = nc.ChainID(context.Background()); err != nil {
		t.Fatal(err)
	}
	vtBuildProposals(t, c, nc, w)
	vtBuildElection(t, n, nc, w)
	t.Logf("chain state built in %v", time.Since(start).Round(time.Millisecond))
	ts := startServer(t, c, func(cfg *Config) { cfg.AnonymousReads, cfg.AnonymousRate, cfg.AnonymousBurst = true, 200, 400 })

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	bctx, poll := startBrowser(t, ctx, chromium)
	run := func(what, js string) {
		t.Helper()
		if _, err := chromedp.Run(bctx, chromedp.Evaluate[bool](js+`; true`)); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string { return fmt.Sprintf(`(document.querySelector(%q)?.textContent || "")`, sel) }
	has := func(expr string, subs ...string) string {
		var b []string
		for _, s := range subs {
			b = append(b, fmt.Sprintf(`%s.includes(%q)`, expr, s))
		}
		return strings.Join(b, " && ")
	}
	if _, err := chromedp.Run(bctx, chromedp.Navigate(ts.url+"/#voting")); err != nil {
		t.Fatal(err)
	}
	poll("the voting tab", `!document.getElementById("voting").hidden && document.getElementById("overview").hidden && document.getElementById("tab-voting").className === "on"`)

	// The thresholds come from the genesis parameters.
	poll("the thresholds", has(text("#vt-params"), "2 → 1 day", "3 → 30 days", "5 → 30 days", "an active identity"))

	// The overdue proposal: 2 supports, the department level reached and
	// overdue, the forum (3) and mayor (5) levels not reached.
	p1 := fmt.Sprintf(`#vt-proposals tr[data-id="%d"]`, w.overdue)
	level := func(p, l string) string { return p + fmt.Sprintf(` .vt-level[data-level=%q]`, l) }
	poll("the overdue proposal", `!!document.querySelector(`+fmt.Sprintf("%q", p1)+`) && `+
		has(text(p1), "Shade canopies at <Mapo> bus stops", "Heat-wave shelters & misting fans")+` && `+
		text(p1+" .vt-supports")+` === "2" && `+
		has(text(level(p1, "department")), "2 / 2", "OVERDUE")+` && `+has(text(level(p1, "forum")), "2 / 3", "not reached")+` && `+
		has(text(level(p1, "mayor")), "2 / 5", "not reached")+
		fmt.Sprintf(` && document.querySelector(%q).classList.contains("bad")`, level(p1, "department")+" .badge")+
		fmt.Sprintf(` && !document.querySelector(%q)`, p1+" mapo"))
	// The answered proposal: 3 supports; the department answered late,
	// the forum in time; the mayor level not reached.
	p2 := fmt.Sprintf(`#vt-proposals tr[data-id="%d"]`, w.answered)
	poll("the answered proposal", text(p2+" .vt-supports")+` === "3" && `+
		has(text(level(p2, "department")), "2 / 2", "answered late")+` && `+has(text(level(p2, "forum")), "3 / 3", "answered")+` && `+
		`!`+text(level(p2, "forum"))+`.includes("late") && `+has(text(level(p2, "mayor")), "3 / 5", "not reached")+` && `+
		has(text(p2), "Forum on 3 May at City Hall, hall B.", "Approved for the next timetable.", "(after the due date)")+
		fmt.Sprintf(` && document.querySelector('%s a[href="https://democracy.seoul.example/forum/2"]') !== null`, p2))
	// The proposal filed by transaction: its department answer is due.
	p3 := fmt.Sprintf(`#vt-proposals tr[data-id="%d"]`, w.due)
	poll("the proposal with an answer due", text(p3+" .vt-supports")+` === "2" && `+has(text(p3), "Cycle lane on Yanghwa bridge")+` && `+
		fmt.Sprintf(`document.querySelector(%q)?.dataset.state === "due" && `, level(p3, "department"))+has(text(level(p3, "department")), "2 / 2", "due ")+
		` && `+has(text(level(p3, "forum")), "2 / 3", "not reached"))
	poll("the counters", text("#vt-n-proposals")+` === "3" && `+text("#vt-n-overdue")+` === "1" && `+has(text("#vt-n-answered"), "2 answered, 1 late"))

	// The election: in the list, then its page.
	row := fmt.Sprintf(`#vt-elections tr[data-id="%d"]`, w.election)
	poll("the election in the list", `document.querySelector(`+fmt.Sprintf("%q", row)+`)?.dataset.status === "decided" && `+
		has(text(row), "Name of the new Han river bridge", "2 of 4", "Seoul Sky & Bridge (3)"))
	run("open the election", `document.querySelector(`+fmt.Sprintf("%q", row+" a.vt-el-link")+`).click()`)
	poll("the election's page", fmt.Sprintf(`location.hash === "#voting/election/%d" && !document.getElementById("vt-election").hidden && `, w.election)+
		`document.getElementById("vt-election").dataset.status === "decided" && `+has(text("#vt-el-title"), "Name of the new Han river bridge")+` && `+
		has(text("#vt-el-info"), "Hangang <Light>", "exactly 1 of 3 options", "every Seoul resident", "2 of 4 decrypt", "blocks ago"))
	res := func(o int, count uint64) string {
		return fmt.Sprintf(`document.querySelector('#vt-el-result .vt-res[data-option="%d"]')?.dataset.count === "%d" && `, o, count) +
			has(fmt.Sprintf(`(document.querySelector('#vt-el-result .vt-res[data-option="%d"]')?.textContent || "")`, o), en(count)) + ` && `
	}
	poll("the result bars", res(0, w.counts[0])+res(1, w.counts[1])+res(2, w.counts[2])+
		`document.querySelector("#vt-el-result .vt-res.top")?.dataset.option === "1" && `+has(text("#vt-el-decided"), "5 votes", "decrypted by trustees 1, 3"))
	poll("ballots and credentials", fmt.Sprintf(`document.getElementById("vt-el-ballots").dataset.ballots === "%d" && document.getElementById("vt-el-ballots").dataset.counted === "%d" && `, w.ballots, w.counted)+
		`[...document.querySelectorAll('#vt-el-classes tr[data-weight="1"] td.n')].map((c) => c.textContent).join() === "1,5,5,5"`)
	trustee := func(i int) string { return fmt.Sprintf(`#vt-el-trustees tr[data-index="%d"]`, i) }
	poll("the trustees", fmt.Sprintf(`document.querySelector(%q)?.dataset.state === "decrypted" && document.querySelector(%q)?.dataset.state === "dealt" && `, trustee(1), trustee(2))+
		fmt.Sprintf(`document.querySelector(%q)?.dataset.state === "decrypted" && document.querySelector(%q)?.dataset.state === "disqualified" && `, trustee(3), trustee(4))+
		has(text(trustee(4)), "disqualified", "trustee 2")+` && `+has(text(trustee(1)), "qualified", "registered", "used in the result")+` && `+
		has(text("#vt-el-dkg"), "4 of 4 keys registered", "4 dealt", "1 disqualified", "3 qualified", "2 decrypted"))

	// Verify from chain data: clean.
	run("verify", `document.getElementById("vt-verify").click()`)
	poll("the verification", `document.getElementById("vt-verify-out").className === "verdict ok" && `+
		has(text("#vt-verify-out"), "✓ clean", fmt.Sprintf("%d ballots, %d counted, tally matches", w.ballots, w.counted), "result 1 / 3 / 1"))

	// Trackers: present, superseded, absent — each with a verified proof.
	track := func(tr string) {
		t.Helper()
		run("track "+tr, fmt.Sprintf(`document.getElementById("vt-track").value = %q; document.getElementById("vt-track-form").requestSubmit()`, tr))
	}
	track(w.present.String())
	poll("a counted ballot present", `document.getElementById("vt-track-out").dataset.state === "present" && `+has(text("#vt-track-out"), "present", "is in the tally")+
		` && document.getElementById("vt-track-proof").className === "verdict ok" && `+has(text("#vt-track-proof"), "✓ proof verified: tracker entry under key"))
	track(w.revoted.String())
	poll("the re-voted ballot superseded", `document.getElementById("vt-track-out").dataset.state === "superseded" && `+has(text("#vt-track-out"), "superseded", "the later one counts"))
	unknown := sha256.Sum256([]byte("no such ballot"))
	track(strings.ToUpper(hex.EncodeToString(unknown[:])))
	poll("an unknown tracker absent", `document.getElementById("vt-track-out").dataset.state === "absent" && `+has(text("#vt-track-out"), "absent")+
		` && document.getElementById("vt-track-proof").className === "verdict ok" && `+has(text("#vt-track-proof"), "absence of the tracker"))
	track("abc")
	poll("a malformed tracker refused in the page", has(text("#vt-track-out"), "want 64 hex characters"))

	png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(artifactDir(t), "dashboard-voting.png")
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	run("back to the list", `location.hash = "#voting"`)
	poll("the election page hidden", `document.getElementById("vt-election").hidden && document.getElementById("tab-voting").className === "on"`)
	t.Logf("voting tab verified in %v; screenshot %s", time.Since(start).Round(time.Millisecond), shot)
}
