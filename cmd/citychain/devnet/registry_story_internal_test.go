package devnet

import (
	"bytes"
	"context"
	"crypto/sha256"
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
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/cmd/citychain/local"
	"github.com/citychain/citychain/deploy/registries"
)

// TestRegistryStory plays the devnet's registry story against a real
// devnet node and checks what the chain holds: every shipped definition
// enabled as its agency proposed it; the officer role delegated one step
// from the court's grant; the first trust authorised by both officers (its
// history step names them) and activated, the second refused with the
// officers' reason, the third still applied with the filing document's
// digest; the dog transferred to its new owner by a patch, the cat lost;
// the bad microchip number refused. Played again (a devnet restarted
// before the story finished), it sends nothing new.
func TestRegistryStory(t *testing.T) {
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
	if err := PlayRegistryStory(ctx, home, c, &out, log); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	t.Logf("the story as the demo prints it:\n%s", out.String())
	if n := strings.Count(out.String(), "registry: "); n < 20 {
		t.Errorf("the story printed %d lines, want one per step", n)
	}
	rep := readRegistryReport(t, home)

	// The registries, as proposed.
	if len(rep.Registries) != len(registries.All()) {
		t.Fatalf("%d registries in the report, %d shipped", len(rep.Registries), len(registries.All()))
	}
	for _, r := range rep.Registries {
		raw, _ := registries.Get(r.Name)
		def, _, err := tx.ParseRegistryDef(raw)
		if err != nil {
			t.Fatal(err)
		}
		id, _ := tx.RegistryDefID(def)
		onChain, _, err := c.Registry(ctx, r.Name, client.ReadOpts{})
		if err != nil || onChain == nil {
			t.Fatalf("registry %s: %v %v", r.Name, onChain, err)
		}
		owner := storyKey(t, home, registryOwner(r.Name))
		if onChain.DefID != id || r.DefID != id || onChain.Owner != owner || len(onChain.Versions) != 1 {
			t.Errorf("registry %s: def %s owner %s versions %d, want def %s owned by %s", r.Name, onChain.DefID, onChain.Owner, len(onChain.Versions), id, owner)
		}
	}

	// The delegated grant: one step from the court's, expiring no later.
	g1, _, err := c.RegistryGrant(ctx, tx.RegistryGrantRequest{Registry: "trust_filings", Role: "moj_officer", Grantee: storyKey(t, home, demoMojOfficer1)}, client.ReadOpts{})
	if err != nil || g1 == nil {
		t.Fatalf("officer 1's grant: %v %v", g1, err)
	}
	g2, _, err := c.RegistryGrant(ctx, tx.RegistryGrantRequest{Registry: "trust_filings", Role: "moj_officer", Grantee: storyKey(t, home, demoMojOfficer2)}, client.ReadOpts{})
	if err != nil || g2 == nil {
		t.Fatalf("officer 2's grant: %v %v", g2, err)
	}
	if g1.Depth != 1 || !g1.Delegable || g1.Granter != storyKey(t, home, "court") || g2.Depth != 2 || g2.Granter != storyKey(t, home, demoMojOfficer1) ||
		g2.Expires == 0 || g2.Expires > g1.Expires {
		t.Errorf("grants: %+v and %+v, want the court's delegable grant and one delegated from it", g1, g2)
	}
	if len(rep.Grants) != len(storyGrants) {
		t.Errorf("%d grants in the report, want %d", len(rep.Grants), len(storyGrants))
	}

	// The records.
	byLabel := map[string]RegistryStoryRecord{}
	for _, r := range rep.Records {
		byLabel[r.Label] = r
		rec, _, err := c.RegistryRecord(ctx, r.Registry, r.ID, client.ReadOpts{})
		if err != nil || rec == nil {
			t.Fatalf("%s %d: %v %v", r.Registry, r.ID, rec, err)
		}
		if rec.State != r.Want || r.State != r.Want || rec.Version != r.Version {
			t.Errorf("%s %d (%s): %s version %d on chain, report %s version %d, want %s", r.Registry, r.ID, r.Label, rec.State, rec.Version, r.State, r.Version, r.Want)
		}
	}
	if len(rep.Records) != len(storyTrusts)+len(storyPets) {
		t.Fatalf("%d records in the report", len(rep.Records))
	}
	officers := []tx.Address{storyKey(t, home, demoMojOfficer1), storyKey(t, home, demoMojOfficer2)}
	slices.SortFunc(officers, func(a, b tx.Address) int { return strings.Compare(a.String(), b.String()) })
	hist, err := c.RegistryHistory(ctx, "trust_filings", byLabel["Mapo Scholarship Trust"].ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	var steps []string
	for _, h := range hist {
		steps = append(steps, h.Transition)
		if h.Transition == "authorise" && !slices.Equal(h.Signers, officers) {
			t.Errorf("authorise step signed by %v, want both officers %v", h.Signers, officers)
		}
	}
	if !slices.Equal(steps, []string{"create", "authorise", "activate"}) {
		t.Errorf("the scholarship trust's history: %v", steps)
	}
	refused := storyRecord(t, ctx, c, "trust_filings", byLabel["Hangang Wetlands Trust"].ID)
	if !strings.Contains(string(refused.Data), `"refusal_reason":"related_parties_over_limit"`) {
		t.Errorf("refused trust data %s", refused.Data)
	}
	pending := storyRecord(t, ctx, c, "trust_filings", byLabel["Seoul Elder Care Trust"].ID)
	doc, err := os.ReadFile(filepath.Join(RegistryDir(home), "filings", "seoul-elder-care-trust.json"))
	if err != nil {
		t.Fatal(err)
	}
	if pending.Digest == nil || *pending.Digest != tx.Hash32(sha256.Sum256(doc)) || strings.Contains(string(pending.Data), "Kim Min-ji") {
		t.Errorf("the pending trust keeps digest %v and data %s, want the filing document's digest and no names", pending.Digest, pending.Data)
	}
	bori := storyRecord(t, ctx, c, "pet_registration", byLabel["Bori"].ID)
	var d struct{ Owner, District string }
	if err := json.Unmarshal(bori.Data, &d); err != nil {
		t.Fatal(err)
	}
	if d.Owner != storyKey(t, home, demoAdministrator).String() || d.District != "seodaemun" || bori.Version != 2 {
		t.Errorf("Bori after the transfer: %s version %d", bori.Data, bori.Version)
	}
	ids, _, err := c.RegistryIndex(ctx, tx.RegistryIndexRequest{Registry: "pet_registration", Field: "owner", Value: d.Owner}, 0)
	if err != nil || !slices.Contains(ids.IDs, bori.ID) {
		t.Errorf("the owner index does not list Bori under the new owner: %v %v", ids, err)
	}
	if !strings.Contains(rep.Refused, "microchip_id") {
		t.Errorf("the refusal %q does not name the field", rep.Refused)
	}

	// Played again, the story finds everything done and sends nothing.
	counts := map[string]uint64{}
	for _, name := range registries.Names() {
		cnt, err := c.RegistryCount(ctx, name, 0)
		if err != nil {
			t.Fatal(err)
		}
		counts[name] = cnt.Records
	}
	if err := os.Remove(filepath.Join(RegistryDir(home), "story.json")); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := PlayRegistryStory(ctx, home, c, &out, log); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(out.String()), "\n"); len(lines) != 2 {
		t.Errorf("the second play printed %q, want only the refusal and the end", lines)
	}
	for name, n := range counts {
		if cnt, err := c.RegistryCount(ctx, name, 0); err != nil || cnt.Records != n {
			t.Errorf("%s: %v records after the second play (%v), want %d", name, cnt, err, n)
		}
	}
	again := readRegistryReport(t, home)
	if len(again.Records) != len(rep.Records) {
		t.Fatalf("second report: %d records", len(again.Records))
	}
	for i := range again.Records {
		if again.Records[i] != rep.Records[i] {
			t.Errorf("second report: %+v, first %+v", again.Records[i], rep.Records[i])
		}
	}

	// A started devnet with the story done runs nothing.
	s := &System{cfg: Config{Home: home, Out: &out, Logger: log}}
	st, err := s.newRegistryStory(c)
	if err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := st.run(ctx); err != nil || out.Len() != 0 {
		t.Errorf("run after the story: %v, printed %q", err, out.String())
	}
}

// TestRegistryStoryCouncil: on a devnet whose authority actions need two
// of its authorities, the story's enable step has each authority whose
// key the home holds send the action: the first is stored as an approval,
// the second enables the registry.
func TestRegistryStoryCouncil(t *testing.T) {
	home := t.TempDir()
	n := local.CouncilDevnet(t, home, node.DevnetOptions{TimeoutCommit: 150 * time.Millisecond}, []string{"authority2"}, 2)
	c, err := client.New(n.RPCAddress())
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	s := &System{cfg: Config{Home: home, Out: &out, Logger: slog.New(slog.DiscardHandler)}}
	st, err := s.newRegistryStory(c)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	d := registries.All()[0]
	r, err := st.enable(ctx, d)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	t.Logf("\n%s", out.String())
	if r == nil || r.Name != d.Name || !strings.Contains(out.String(), "authority approved enabling it (1 sent)") ||
		!strings.Contains(out.String(), "(2 of 2 approving, threshold 2)") {
		t.Errorf("enabled %+v after:\n%s", r, out.String())
	}
	// Enabled, the step reads the chain and sends nothing.
	out.Reset()
	if again, err := st.enable(ctx, d); err != nil || again == nil || out.Len() != 0 {
		t.Errorf("second enable: %v %v, printed %q", again, err, out.String())
	}
}

func readRegistryReport(t *testing.T, home string) *RegistryStoryReport {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(RegistryDir(home), "story.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep RegistryStoryReport
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	return &rep
}

func storyKey(t *testing.T, home, name string) tx.Address {
	t.Helper()
	s := &System{cfg: Config{Home: home, Out: &bytes.Buffer{}, Logger: slog.New(slog.DiscardHandler)}}
	st, err := s.newRegistryStory(nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err := st.addr(name)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func storyRecord(t *testing.T, ctx context.Context, c *client.Client, registry string, id uint64) *tx.RegistryRecord {
	t.Helper()
	r, _, err := c.RegistryRecord(ctx, registry, id, client.ReadOpts{})
	if err != nil || r == nil {
		t.Fatalf("%s %d: %v %v", registry, id, r, err)
	}
	return r
}
