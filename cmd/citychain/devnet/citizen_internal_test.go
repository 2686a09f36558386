package devnet

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/chain/verify"
	"github.com/citychain/citychain/chain/wallet"
	"github.com/citychain/citychain/cmd/citychain/local"
)

// TestCitizenStory plays the devnet's citizen story against a real devnet
// node and checks what it reports and what the chain holds: two facilities
// (and one registered later) admit the citizen under three different
// pseudonyms, the wallet refuses a claim outside the verifier's purpose,
// the verifier and the bank find the presentations valid with only what
// they asked, and after the revocation the pool refuses the citizen; a
// second run (a restarted devnet) does nothing more.
func TestCitizenStory(t *testing.T) {
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
	if err := PlayCitizenStory(ctx, home, c, &out, log); err != nil {
		t.Fatal(err)
	}
	t.Logf("the story as the demo prints it:\n%s", out.String())
	if n := strings.Count(out.String(), "citizen: "); n < 12 {
		t.Errorf("the story printed %d lines, want one per step", n)
	}
	raw, err := os.ReadFile(filepath.Join(CitizenDir(home), "story.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep StoryReport
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	seen := map[tx.Hash32]string{}
	for _, f := range []string{DemoLibrary, DemoPool, DemoYouthCentre} {
		p, ok := rep.Pseudonyms[f]
		if !ok {
			t.Fatalf("no pseudonym at %s: %s", f, raw)
		}
		if other, dup := seen[p]; dup {
			t.Errorf("%s and %s see the same pseudonym %s", f, other, p)
		}
		seen[p] = f
	}
	if !strings.Contains(rep.RefusedByWallet, "income_decile_le_5") {
		t.Errorf("wallet refusal %q does not name the claim", rep.RefusedByWallet)
	}
	if rep.Presentation == nil || rep.Presentation.Verdict != "valid" || len(rep.Presentation.Claims) != 1 || rep.Presentation.Claims["resident_seoul"] == nil {
		t.Errorf("presentation to the library verifier: %+v, want valid with resident_seoul only", rep.Presentation)
	}
	if rep.Certificate == nil || rep.Certificate.Verdict != "valid" || len(rep.Certificate.Fields) != 1 || string(rep.Certificate.Fields["spouse_exists"]) != "true" {
		t.Errorf("certificate to the bank: %+v, want valid with spouse_exists=true only", rep.Certificate)
	}
	if e := rep.RevokedEntry; e == nil || e.Admitted || e.Reason != verify.ReasonRevoked {
		t.Errorf("pool entry after the revocation: %+v, want refused as %s", e, verify.ReasonRevoked)
	}

	// The chain holds the identity, active, with its card copies' commitments.
	id, _, err := c.Identity(ctx, rep.Identity, client.ReadOpts{})
	if err != nil || id == nil {
		t.Fatalf("identity %s: %v %v", rep.Identity, id, err)
	}
	if id.Status != tx.IdentityActive || len(id.Commitments) != demoCopies {
		t.Errorf("identity: status %s, %d commitments, want active with %d", id.Status, len(id.Commitments), demoCopies)
	}
	w, err := wallet.Open(filepath.Join(CitizenDir(home), "wallet.json"), demoPIN)
	if err != nil {
		t.Fatal(err)
	}
	if w.Identity() != rep.Identity.String() {
		t.Errorf("wallet identity %s, report %s", w.Identity(), rep.Identity)
	}

	// A restarted story finds it done and sends nothing.
	s := &System{cfg: Config{Home: home, Out: &out, Logger: log}}
	st, err := s.newCitizenStory(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.run(ctx); err != nil {
		t.Fatal(err)
	}
	anchors, _, err := c.CredentialAnchors(ctx, tx.PageRequest{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(anchors.Anchors) != 2 {
		t.Errorf("%d credential anchors after a restart, want 2 (the card and the residency batch)", len(anchors.Anchors))
	}
}
