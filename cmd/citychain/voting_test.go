package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/chain/votecrypto"
	"github.com/citychain/citychain/chain/votes"
)

// TestVotingCLI runs a proposal and an election with the commands the
// roles type, against a devnet: two citizens (each a wallet with a card
// registering its identity and a residency credential) propose and
// support a proposal with residency evidence from their wallets (a second
// support refused); the commission (role election_commission, granted by
// the authority) generates its keys and creates an election with three
// trustees, two needed; the trustees register DKG keys, deal and check
// their shares; both citizens ask for blind credentials, which the
// commission issues; they cast ballots under their ballot keys (one
// re-votes); after the close trustees 1 and 3 decrypt (a share before
// the close is refused by the CLI), anyone publishes, `vote verify`
// finds no problem, and `vote track --prove` proves the re-vote's first
// ballot recorded but replaced, its last one counted and an unknown
// tracker absent. Bad flags are refused naming the flag.
func TestVotingCLI(t *testing.T) {
	home, rpc := startDevnet(t)
	dir := t.TempDir()
	state := filepath.Join(dir, "voting")
	t.Setenv(envWalletPIN, "5150-park")
	run := func(args ...string) string { t.Helper(); return mustCLI(t, home, rpc, args...) }
	fails := func(want string, args ...string) {
		t.Helper()
		if out, err := cli(t, home, rpc, args...); err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("citychain %s: got %v (%s), want an error with %q", strings.Join(args, " "), err, out, want)
		}
	}
	file := func(name string) string { return filepath.Join(dir, name) }
	genesis := node.GenesisFile(home)
	civicSetup(t, run, home)
	run("tx", "role", "grant", "culture", tx.RoleCityDepartment, "--from", "authority")
	run("tx", "role", "grant", "mois", tx.RoleElectionCommission, "--from", "authority")

	// Two citizens: a card (registering the identity) and residency on
	// the same three slots.
	var ids []tx.Address
	wallets := []string{file("kim.wallet"), file("lee.wallet")}
	for i, w := range wallets {
		n := []string{"kim", "lee"}[i]
		run("wallet", "init", "--wallet", w)
		run("wallet", "request", "--copies", "3", "--card", "--out", file(n+"-request.json"), "--wallet", w)
		run("issue", "card", file(n+"-request.json"), "--list", "cards", "--claim", "name="+n, "--out", file(n+"-card.json"), "--from", "office")
		run("wallet", "import", file(n+"-card.json"), "--wallet", w)
		run("issue", "credential", "residency", file(n+"-request.json"), "--list", "residency", "--claim", "resident_seoul=true",
			"--out", file(n+"-residency.json"), "--from", "welfare")
		run("wallet", "import", file(n+"-residency.json"), "--wallet", w)
		var shown struct {
			Identity tx.Address `json:"identity"`
		}
		decodeCLI(t, run("wallet", "show", "--wallet", w, "-o", "json"), &shown)
		if shown.Identity.IsZero() {
			t.Fatalf("wallet %s: no identity", w)
		}
		ids = append(ids, shown.Identity)
	}

	// A proposal: kim proposes (first support), lee supports, kim again
	// is refused; bad flags are named.
	fails("--body FILE or --body-hash", "tx", "voting", "propose", "--title", "More benches", "--summary", "s", "--department", "culture", "--wallet", wallets[0])
	fails("--department", "tx", "voting", "propose", "--title", "More benches", "--summary", "s", "--body-hash", strings.Repeat("ab", 32), "--department", "nobody", "--wallet", wallets[0])
	var proposed struct {
		ProposalID uint64 `json:"proposal_id"`
	}
	decodeCLI(t, run("tx", "voting", "propose", "--title", "More benches in Mapo", "--summary", "Benches along the Hangang path",
		"--body-hash", strings.Repeat("ab", 32), "--department", "culture", "--wallet", wallets[0], "-o", "json"), &proposed)
	if proposed.ProposalID != 1 {
		t.Fatalf("proposal id %d, want 1", proposed.ProposalID)
	}
	fails(`PROPOSAL "0"`, "tx", "voting", "support", "0", "--wallet", wallets[1])
	if out := run("tx", "voting", "support", "1", "--wallet", wallets[1]); !strings.Contains(out, "proposal 1 has 2 supports") {
		t.Fatalf("support: %q", out)
	}
	fails(tx.CodeVotingAlreadySupported.Error(), "tx", "voting", "support", "1", "--wallet", wallets[0])
	var sup struct {
		Result *client.VoteSupport
		Proof  struct{ Verified bool }
	}
	decodeCLI(t, run("query", "voting", "support", "1", ids[1].String(), "--prove", "--trust-genesis", genesis, "-o", "json"), &sup)
	if sup.Result == nil || sup.Result.Identity != ids[1] || !sup.Proof.Verified {
		t.Fatalf("lee's support: %+v", sup)
	}
	fails(`LEVEL "council"`, "tx", "voting", "answer", "1", "council", "--answer", "x", "--from", "culture")
	fails(tx.CodeVotingLevelNotReached.Error(), "tx", "voting", "answer", "1", tx.LevelDepartment, "--answer", "We will look at it", "--from", "culture")

	// The election: the commission's keys, three trustees (two needed).
	keys := file("commission.json")
	fails("--weights", "vote", "commission-keys", "--weights", "1,x", "--out", keys)
	run("vote", "commission-keys", "--out", keys)
	fails("exists", "vote", "commission-keys", "--out", keys)
	create := []string{"tx", "voting", "create-election", "--title", "Seoullo park", "--question", "What should the square hold?",
		"--option", "A fountain", "--option", "A playground", "--option", "Trees only", "--credential-keys", keys, "--dir", state,
		"--trustees", "alice,bob,insurer", "--threshold", "2", "--open-in", "24", "--close-in", "10", "--from", "mois"}
	fails("--rule", append(slices.Clone(create), "--rule", "everyone")...)
	fails(tx.CodeVotingNotCommission.Error(), append(slices.Clone(create[:len(create)-1]), "alice")...)
	var created struct {
		ElectionID     uint64 `json:"election_id"`
		OpenHeight     uint64 `json:"open_height"`
		CloseHeight    uint64 `json:"close_height"`
		CommissionKeys string `json:"commission_keys"`
	}
	decodeCLI(t, run(append(create, "-o", "json")...), &created)
	if created.ElectionID != 1 || created.CommissionKeys != votes.CommissionFile(state, "1") {
		t.Fatalf("create-election: %+v", created)
	}
	el := func() tx.VoteElection {
		t.Helper()
		var r struct{ Result tx.VoteElection }
		decodeCLI(t, run("query", "voting", "election", "1", "-o", "json"), &r)
		return r.Result
	}
	vote := func(args ...string) string {
		t.Helper()
		return run(append([]string{"vote", "--dir", state}, args...)...)
	}
	voteFails := func(want string, args ...string) {
		t.Helper()
		fails(want, append([]string{"vote", "--dir", state}, args...)...)
	}

	// DKG: keys, then deals, then every trustee checks its shares.
	trustees := []string{"alice", "bob", "insurer"}
	voteFails("not a trustee of election 1", "trustee", "key", "1", "--from", "mois")
	for _, tr := range trustees {
		vote("trustee", "key", "1", "--from", tr)
	}
	voteFails("already registered", "trustee", "key", "1", "--from", "alice")
	for _, tr := range trustees {
		if out := vote("trustee", "deal", "1", "--from", tr); !strings.Contains(out, "dealt 2 shares") {
			t.Fatalf("deal by %s: %q", tr, out)
		}
	}
	for i, tr := range trustees {
		var chk struct {
			Good       []uint32 `json:"good"`
			Complained []uint32 `json:"complained"`
		}
		decodeCLI(t, vote("trustee", "check", "1", "--from", tr, "-o", "json"), &chk)
		if len(chk.Good) != 2 || len(chk.Complained) != 0 || slices.Contains(chk.Good, uint32(i+1)) {
			t.Fatalf("check by %s: %+v", tr, chk)
		}
	}

	// Credentials: each citizen asks (signed by its wallet's device key),
	// the commission issues them all.
	for i, w := range wallets {
		var req struct {
			Identity tx.Address `json:"identity"`
			State    string     `json:"state"`
		}
		decodeCLI(t, vote("request", "1", "--wallet", w, "-o", "json"), &req)
		if req.Identity != ids[i] || req.State != votes.VoterFile(state, 1, ids[i]) {
			t.Fatalf("request by %s: %+v", w, req)
		}
	}
	voteFails(tx.CodeVotingAlreadyRequested.Error(), "request", "1", "--wallet", wallets[0])
	voteFails("election 1 is setup: ballots are taken from height", "cast", "1", "--choose", "1", "--identity", ids[0].String())
	if out := vote("issue", "1", "--from", "mois"); !strings.Contains(out, "issued 2 credentials") {
		t.Fatalf("issue: %q", out)
	}
	if out := vote("issue", "1", "--from", "mois"); !strings.Contains(out, "no pending request") {
		t.Fatalf("issue again: %q", out)
	}

	// A listed election with weights 1 and 3: kim listed at 1, lee added
	// at 3; a request must name its weight when there are several.
	run("vote", "commission-keys", "--weights", "1,3", "--out", file("listed.json"))
	run("tx", "voting", "create-election", "--title", "Board", "--question", "Chair?", "--option", "Park", "--option", "Choi",
		"--rule", "listed", "--voter", ids[0].String(), "--credential-keys", file("listed.json"), "--dir", state,
		"--trustees", "alice,bob", "--threshold", "1", "--open-in", "40", "--close-in", "5", "--from", "mois")
	fails(`--voter nobody:3`, "tx", "voting", "add-voters", "2", "--voter", "nobody:3", "--from", "mois")
	fails(`--voter `+ids[1].String()+`:0: weight "0"`, "tx", "voting", "add-voters", "2", "--voter", ids[1].String()+":0", "--from", "mois")
	run("tx", "voting", "add-voters", "2", "--voter", ids[1].String()+":3", "--from", "mois")
	var listed struct{ Result tx.VoteElection }
	decodeCLI(t, run("query", "voting", "election", "2", "-o", "json"), &listed)
	if listed.Result.Rule != tx.RuleListed || listed.Result.Voters != 2 || len(listed.Result.Classes) != 2 {
		t.Fatalf("listed election: %+v", listed.Result)
	}
	voteFails("--weight: election 2 has weights [1 3]", "request", "2", "--wallet", wallets[1])
	vote("request", "2", "--weight", "3", "--wallet", wallets[1])
	var lr struct{ Result tx.VoteRequest }
	decodeCLI(t, run("query", "voting", "request", "2", ids[1].String(), "-o", "json"), &lr)
	if lr.Result.Weight != 3 || lr.Result.Seq != 1 {
		t.Fatalf("lee's request in the listed election: %+v", lr.Result)
	}

	// Ballots once open: kim chooses 1, lee 2 then re-votes 1.
	waitElection(t, run, 1, tx.ElectionOpen)
	voteFails(`--choose "1,x": "x" is not an option number`, "cast", "1", "--choose", "1,x", "--identity", ids[0].String())
	voteFails(`option 4`, "cast", "1", "--choose", "4", "--identity", ids[0].String())
	voteFails(`2 options chosen`, "cast", "1", "--choose", "1,2", "--identity", ids[0].String())
	voteFails(`trustees decrypt once it is tallying`, "trustee", "decrypt", "1", "--from", "alice")
	cast := func(choose string, args ...string) (tr tx.Hash32) {
		t.Helper()
		var r struct {
			Tracker tx.Hash32 `json:"tracker"`
			Revote  bool      `json:"revote"`
		}
		decodeCLI(t, vote(append([]string{"cast", "1", "--choose", choose, "-o", "json"}, args...)...), &r)
		return r.Tracker
	}
	kim := cast("1", "--identity", ids[0].String())
	leeFirst := cast("2", "--wallet", wallets[1])
	leeLast := cast("1", "--state", votes.VoterFile(state, 1, ids[1]))
	if e := el(); e.Ballots != 3 || e.Counted != 2 {
		t.Fatalf("election after 3 ballots: ballots %d counted %d", e.Ballots, e.Counted)
	}

	// The close, two decryptions, the result.
	waitElection(t, run, 1, tx.ElectionTallying)
	voteFails("0 trustees decrypted, 2 needed", "publish", "1", "--from", "bob")
	vote("trustee", "decrypt", "1", "--from", "alice")
	voteFails("already decrypted", "trustee", "decrypt", "1", "--from", "alice")
	voteFails("1 trustees decrypted, 2 needed", "publish", "1", "--from", "bob")
	vote("trustee", "decrypt", "1", "--from", "insurer")
	var pub struct {
		Counts []uint64 `json:"counts"`
	}
	decodeCLI(t, vote("publish", "1", "--from", "bob", "-o", "json"), &pub)
	if !slices.Equal(pub.Counts, []uint64{2, 0, 0}) {
		t.Fatalf("published counts %v, want [2 0 0] (lee's re-vote replaced its first ballot)", pub.Counts)
	}
	if e := el(); e.Status != tx.ElectionDecided || !slices.Equal(e.Result, pub.Counts) || !slices.Equal(e.Decryptors, []uint32{1, 3}) {
		t.Fatalf("decided election: status %s result %v decryptors %v", e.Status, e.Result, e.Decryptors)
	}

	// Anyone re-verifies from chain data; each voter checks its tracker.
	if out := vote("verify", "1"); !strings.Contains(out, "no problem found") || !strings.Contains(out, "1. A fountain: 2") ||
		!strings.Contains(out, "ballots 3, counted 2") {
		t.Fatalf("verify: %s", out)
	}
	var rep struct {
		Clean  bool `json:"clean"`
		Report struct {
			Ballots      int      `json:"ballots"`
			Counted      int      `json:"counted"`
			TallyMatches bool     `json:"tally_matches"`
			Result       []uint64 `json:"result"`
			Problems     []string `json:"problems"`
		} `json:"report"`
	}
	decodeCLI(t, vote("verify", "1", "--json"), &rep)
	if !rep.Clean || rep.Report.Ballots != 3 || rep.Report.Counted != 2 || !rep.Report.TallyMatches || len(rep.Report.Problems) != 0 {
		t.Fatalf("verify --json: %+v", rep)
	}
	// The chain data it read, saved, verifies clean with the independent
	// verifier written from docs/voting-verification.md alone.
	saved := filepath.Join(t.TempDir(), "election-1.json")
	vote("verify", "1", "--save", saved)
	if py, err := exec.LookPath("python3"); err == nil {
		out, err := exec.Command(py, filepath.Join("..", "..", "docs", "examples", "voting_verify.py"), "--election", saved).CombinedOutput()
		if err != nil || !strings.HasSuffix(strings.TrimSpace(string(out)), "clean") {
			t.Fatalf("independent verifier on the saved election: %v\n%s", err, out)
		}
	} else if os.Getenv("CI") != "" {
		t.Fatal("python3 not found: .ci/test-deps.sh installs it for CI")
	}
	track := func(tr tx.Hash32) (present, counted bool) {
		t.Helper()
		var r struct {
			Result struct {
				Present bool `json:"present"`
				Counted bool `json:"counted"`
			}
			Proof struct{ Verified bool }
		}
		decodeCLI(t, vote("track", "1", tr.String(), "--prove", "--trust-genesis", genesis, "-o", "json"), &r)
		if !r.Proof.Verified {
			t.Fatalf("track %s: proof not verified", tr)
		}
		return r.Result.Present, r.Result.Counted
	}
	for _, c := range []struct {
		tr               tx.Hash32
		present, counted bool
	}{{kim, true, true}, {leeFirst, true, false}, {leeLast, true, true}, {tx.Hash32{1}, false, false}} {
		if p, n := track(c.tr); p != c.present || n != c.counted {
			t.Fatalf("track %s: present %t counted %t, want %t %t", c.tr, p, n, c.present, c.counted)
		}
	}
	if out := vote("track", "1", leeLast.String(), "--prove", "--trust-genesis", genesis); !strings.Contains(out, "proof verified") || !strings.Contains(out, `"counted": true`) {
		t.Fatalf("track text: %s", out)
	}
	// The same chain data with a forged result: the report names the
	// problem and the command's exit status is 1.
	c, err := client.New(rpc)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, h, err := readElectionData(ctx, c, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Ballots) != 3 || len(d.Requests) != 2 || len(d.Trustees) != 3 {
		t.Fatalf("election data: %d ballots, %d requests, %d trustees", len(d.Ballots), len(d.Requests), len(d.Trustees))
	}
	d.Election.Result = []uint64{1, 1, 0}
	rep2, err := votecrypto.VerifyElection(d)
	if err != nil {
		t.Fatal(err)
	}
	var printed bytes.Buffer
	err = (&globals{out: &printed}).printVoteReport(d, h, rep2, false)
	if err == nil || exitCode(err) != 1 || !strings.Contains(printed.String(), "problems:") || strings.Contains(printed.String(), "no problem found") {
		t.Fatalf("forged result: exit %d, %v\n%s", exitCode(err), err, printed.String())
	}

	voteFails("TRACKER", "track", "1", "abc")
	fails("--prove", "query", "voting", "ballots", "1", "--prove", "--trust-genesis", genesis)
	var ballots tx.VoteBallotPage
	decodeCLI(t, run("query", "voting", "ballots", "1", "--limit", "2", "--all"), &ballots)
	if len(ballots.Ballots) != 3 || !ballots.Ballots[1].Superseded || ballots.Ballots[2].Tracker != leeLast {
		t.Fatalf("ballots: %+v", ballots)
	}
}

// waitElection polls election id until it has status (at most 30 s).
func waitElection(t *testing.T, run func(args ...string) string, id uint64, status string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		var r struct{ Result tx.VoteElection }
		decodeCLI(t, run("query", "voting", "election", strconv.FormatUint(id, 10), "-o", "json"), &r)
		if r.Result.Status == status {
			return
		}
		if r.Result.Status == tx.ElectionFailed {
			t.Fatalf("election %d failed: %s", id, r.Result.Failure)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("election %d still %s after 30 s, want %s", id, r.Result.Status, status)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
