package devnet

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/chain/sdjwt"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/chain/wallet"
	"github.com/citychain/citychain/cmd/citychain/local"
)

// TestVotingStory plays the devnet's direct democracy story against a real
// devnet node and checks what the chain holds: 100 active identities; the
// proposal supported by all of them once each, past the department's and
// the forum's thresholds (their due dates set, the department's answer
// recorded by the department) and short of the mayor's; the election
// decided by trustees 1 and 3 with the count of each voter's last ballot
// (the re-voter's first ballot superseded, not counted), as many ballot
// keys as credentials, no ballot key that is a citizen's key, and a clean
// re-verification from chain data. Played again, it sends nothing.
func TestVotingStory(t *testing.T) {
	home := t.TempDir()
	n := local.Devnet(t, home, node.DevnetOptions{TimeoutCommit: 150 * time.Millisecond})
	c, err := client.New(n.RPCAddress())
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	if err := PlayVotingStory(ctx, home, c, &out, log); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	t.Logf("the story took %s; as the demo prints it:\n%s", time.Since(start).Round(time.Millisecond), out.String())
	rep := readVotingReport(t, home)

	// The citizens: 100 active identities.
	if len(rep.Citizens) != votingCitizens || rep.Anchor == 0 {
		t.Fatalf("%d citizens, anchor %d", len(rep.Citizens), rep.Anchor)
	}
	citizenKeys := map[tx.Address]bool{}
	for i, id := range rep.Citizens {
		v, _, err := c.Identity(ctx, id, client.ReadOpts{})
		if err != nil || v == nil || v.Status != tx.IdentityActive {
			t.Fatalf("citizen %d (%s): %+v %v", i, id, v, err)
		}
		citizenKeys[id] = true
	}

	// The proposal: 100 distinct supporters, two levels reached, one
	// answered by the department.
	params, err := c.VotingParams(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := c.VoteProposal(ctx, rep.Proposal.ID, client.ReadOpts{})
	if err != nil || p == nil {
		t.Fatalf("proposal %d: %v %v", rep.Proposal.ID, p, err)
	}
	dept := storyKey(t, home, "department")
	if p.Supports != votingCitizens || rep.Proposal.Supports != votingCitizens || p.Proposer != rep.Citizens[0] || p.Department != dept {
		t.Errorf("proposal: %d supports (report %d), proposer %s, department %s", p.Supports, rep.Proposal.Supports, p.Proposer, p.Department)
	}
	for _, i := range []int{0, 1, 50, 99} {
		s, _, err := c.VoteSupport(ctx, p.ID, rep.Citizens[i], client.ReadOpts{})
		if err != nil || s == nil {
			t.Errorf("citizen %d's support: %v %v", i, s, err)
		}
	}
	if len(p.Levels) != 3 {
		t.Fatalf("levels %+v", p.Levels)
	}
	dl, fl, ml := p.Levels[0], p.Levels[1], p.Levels[2]
	if dl.Level != tx.LevelDepartment || dl.ReachedAt == 0 || dl.Due != dl.ReachedAt+int64(params.DepartmentDays)*86400 ||
		dl.Answer == "" || dl.By != dept || dl.Late {
		t.Errorf("department level %+v, want reached, due in %d days, answered by the department", dl, params.DepartmentDays)
	}
	if fl.Level != tx.LevelForum || fl.ReachedAt == 0 || fl.Due != fl.ReachedAt+int64(params.ForumDays)*86400 || fl.ReachedAt < dl.ReachedAt {
		t.Errorf("forum level %+v, want reached (after the department's) and due in %d days", fl, params.ForumDays)
	}
	if ml.Level != tx.LevelMayor || ml.ReachedAt != 0 || ml.Due != 0 || ml.Threshold != params.MayorThreshold {
		t.Errorf("mayor level %+v, want not reached", ml)
	}

	// The election: decided by trustees 1 and 3; each voter's last ballot
	// counted once.
	e, _, err := c.VoteElection(ctx, rep.Election.ID, client.ReadOpts{})
	if err != nil || e == nil {
		t.Fatalf("election %d: %v %v", rep.Election.ID, e, err)
	}
	want := []uint64{4, 2, 1, 0} // Yeouido 1, 3, 6 (re-voted from Olympic Park), 7; Seoul Forest 2, 5; Boramae 4
	if e.Status != tx.ElectionDecided || !slices.Equal(e.Result, want) || !slices.Equal(rep.Election.Result, want) || !slices.Equal(rep.Election.Want, want) {
		t.Errorf("election %s, result %v (report %v, want %v), want decided with %v", e.Status, e.Result, rep.Election.Result, rep.Election.Want, want)
	}
	if e.Ballots != 8 || e.Counted != 7 || !slices.Equal(e.Decryptors, []uint32{1, 3}) || e.Threshold != 2 || len(e.Trustees) != 3 {
		t.Errorf("election: %d ballots, %d counted, decryptors %v, threshold %d of %d", e.Ballots, e.Counted, e.Decryptors, e.Threshold, len(e.Trustees))
	}
	if len(e.Classes) != 1 || e.Classes[0].Requested != 7 || e.Classes[0].Issued != 7 || e.Classes[0].BallotKeys != 7 {
		t.Errorf("classes %+v, want 7 credentials requested and issued and 7 ballot keys", e.Classes)
	}
	trustees, err := c.VoteTrustees(ctx, e.ID, 0)
	if err != nil || len(trustees) != 3 {
		t.Fatalf("trustees %v %v", trustees, err)
	}
	for _, tr := range trustees {
		if tr.Key == nil || len(tr.Commitments) != 2 || tr.Disqualified != "" || tr.VerificationKey == nil || (len(tr.Decryption) > 0) != (tr.Index != 2) {
			t.Errorf("trustee %d: key %v, %d commitments, disqualified %q, %d decryption shares", tr.Index, tr.Key, len(tr.Commitments), tr.Disqualified, len(tr.Decryption))
		}
	}
	if len(rep.Election.Voters) != 7 {
		t.Fatalf("%d voters in the report", len(rep.Election.Voters))
	}
	for _, v := range rep.Election.Voters {
		wantBallots := 1
		if v.Citizen == 6 {
			wantBallots = 2
		}
		if len(v.Trackers) != wantBallots {
			t.Fatalf("citizen %d: %d trackers, want %d", v.Citizen, len(v.Trackers), wantBallots)
		}
		for k, tr := range v.Trackers {
			entry, res, err := c.VoteTracker(ctx, e.ID, tr, client.ReadOpts{Prove: true})
			if err != nil || entry == nil {
				t.Fatalf("citizen %d's tracker %s: %v %v", v.Citizen, tr, entry, err)
			}
			if superseded := k < len(v.Trackers)-1; entry.Superseded != superseded || res == nil {
				t.Errorf("citizen %d's ballot %d: superseded %v, want %v", v.Citizen, k+1, entry.Superseded, superseded)
			}
			if citizenKeys[entry.BallotKey.Address()] {
				t.Errorf("citizen %d's ballot is cast under a citizen's key %s", v.Citizen, entry.BallotKey)
			}
		}
	}
	if v := rep.Election.Voters[5]; v.Citizen != 6 || !slices.Equal(v.Choices, []string{"Olympic Park", "Yeouido Hangang Park"}) {
		t.Errorf("the re-voter's record %+v", v)
	}
	if r := rep.Election.Verify; r == nil || len(r.Problems) != 0 || !r.TallyMatches || r.Ballots != 8 || r.Counted != 7 || !slices.Equal(r.Result, want) {
		t.Errorf("verify report %+v", r)
	}
	// The requests name the voters' identities; no ballot names one.
	d, err := electionData(ctx, c, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range d.Requests {
		if !citizenKeys[r.Identity] || len(r.BlindSig) == 0 {
			t.Errorf("request %d: identity %s, blind signature %d bytes", r.Seq, r.Identity, len(r.BlindSig))
		}
	}
	raw, _ := json.Marshal(d.Ballots)
	for id := range citizenKeys {
		if bytes.Contains(raw, []byte(id.String())) {
			t.Errorf("the ballots mention citizen %s", id)
		}
	}

	// Played again, the story finds everything done and sends nothing.
	if err := os.Remove(filepath.Join(VotingDir(home), "story.json")); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := PlayVotingStory(ctx, home, c, &out, log); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(out.String()), "\n"); len(lines) != 2 || !strings.Contains(lines[0], "re-verified") {
		t.Errorf("the second play printed %q, want only the verification and the end", lines)
	}
	again, _, err := c.VoteElection(ctx, e.ID, client.ReadOpts{})
	if err != nil || again.Ballots != e.Ballots || again.Classes[0].Requested != 7 {
		t.Errorf("after the second play: %+v %v", again, err)
	}
	if page, _, err := c.VoteProposals(ctx, tx.VotingPageRequest{}, 0); err != nil || len(page.Proposals) != 1 {
		t.Errorf("proposals after the second play: %+v %v", page, err)
	}
	if page, _, err := c.VoteElections(ctx, tx.VotingPageRequest{}, 0); err != nil || len(page.Elections) != 1 {
		t.Errorf("elections after the second play: %+v %v", page, err)
	}

	// A started devnet with the story done runs nothing.
	s := &System{cfg: Config{Home: home, Out: &out, Logger: log}}
	st, err := s.newVotingStory(c)
	if err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := st.run(ctx); err != nil || out.Len() != 0 {
		t.Errorf("run after the story: %v, printed %q", err, out.String())
	}
}

// TestVotingCitizenEvidence: a synthetic citizen's residency evidence is
// its own copy's issuer JWT with its anchor proof, the copy's holder key's
// signature of tx.VotingEvidenceMessage for the purpose, id and the
// citizen's identity (no other), and the disclosure of resident_seoul =
// true whose digest the JWT lists.
func TestVotingCitizenEvidence(t *testing.T) {
	f := &votingCitizensFile{Seed: bytes.Repeat([]byte{7}, 32), Anchor: 9}
	if f.identity(0) == f.identity(1) || f.device(0).Equal(f.slot(0)) || f.slot(0).Equal(f.slot(1)) {
		t.Fatal("citizens share keys")
	}
	if _, err := f.eligibility("devnet", "support", 1, 0); err == nil {
		t.Fatal("evidence with no credential issued")
	}
	welfare := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, 32))
	iss := tx.PubKey(welfare.Public().(ed25519.PublicKey)).Address()
	var items []wallet.Item
	for i := range 3 {
		items = append(items, wallet.Item{HolderKey: tx.PubKey(f.slot(i).Public().(ed25519.PublicKey)),
			Claims: []sdjwt.Claim{{Name: "age_over_65", Value: false}, {Name: votingResidencyClaim, Value: true}}})
	}
	now := time.Now()
	b, err := wallet.IssueBatch(wallet.BatchSpec{Key: welfare, Iss: iss.String(), Vct: votingResidencySchema, Now: now, Exp: now.AddDate(1, 0, 0)}, items)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range b.Copies {
		f.Copies = append(f.Copies, votingCitizenCopy{SDJWT: c.SDJWT, Index: c.Index, Path: c.Path})
	}
	ev, err := f.eligibility("devnet", "credential", 4, 2)
	if err != nil {
		t.Fatal(err)
	}
	parsed, _ := sdjwt.Parse(b.Copies[2].SDJWT)
	slot := f.slot(2).Public().(ed25519.PublicKey)
	if ev.Evidence.JWT != parsed.JWT || ev.Evidence.Anchor != 9 || ev.Evidence.Index != 2 || !slices.Equal(ev.Evidence.Path, b.Copies[2].Path) {
		t.Errorf("evidence %+v, want copy 2 of anchor 9", ev.Evidence)
	}
	if !ed25519.Verify(slot, tx.VotingEvidenceMessage("devnet", "credential", 4, f.identity(2), parsed.JWT), ev.Evidence.HolderSig) {
		t.Error("the holder signature does not verify for its own purpose, id and identity")
	}
	for _, other := range [][]byte{
		tx.VotingEvidenceMessage("devnet", "support", 4, f.identity(2), parsed.JWT),
		tx.VotingEvidenceMessage("devnet", "credential", 5, f.identity(2), parsed.JWT),
		tx.VotingEvidenceMessage("devnet", "credential", 4, f.identity(1), parsed.JWT),
	} {
		if ed25519.Verify(slot, other, ev.Evidence.HolderSig) {
			t.Errorf("the holder signature also verifies for %q", other)
		}
	}
	d, err := sdjwt.ParseDisclosure(ev.Disclosure)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := parsed.UnverifiedPayload()
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != votingResidencyClaim || string(d.Value) != "true" || !slices.Contains(payload.SD, d.Digest) {
		t.Errorf("disclosure %s = %s (digest listed: %v)", d.Name, d.Value, slices.Contains(payload.SD, d.Digest))
	}
	if ev.Evidence.JWT == f.Copies[1].SDJWT || strings.Contains(ev.Evidence.JWT, "~") {
		t.Error("the evidence carries the issuance form, not the issuer JWT alone")
	}
}

func readVotingReport(t *testing.T, home string) *VotingStoryReport {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(VotingDir(home), "story.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep VotingStoryReport
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	return &rep
}
