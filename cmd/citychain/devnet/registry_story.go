package devnet

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/keyring"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/deploy/registries"
)

// The devnet's registry story (docs/registry.md): every registry shipped as
// data in deploy/registries is proposed by an agency (the court for the
// public-interest trust filings, the interior ministry for the others) and
// enabled by the authorities; the owners grant their registries' roles
// with expiry (a ministry officer delegates the officer role to a
// colleague); a trustee files three trusts, of which two officers
// authorise one (which the trustee then activates) and refuse another,
// while the third waits on its 90-day clock; a vet and a district officer
// register a dog and a cat, the dog changes owner by a patch, the cat is
// reported lost, and a record with a bad microchip number is refused. What
// the story left on chain is written to HOME/registry/story.json.
const (
	// Key names of the story's officers, created in the devnet's keyring
	// the first time (their grants create their accounts).
	demoMojOfficer1 = "moj-officer-1"
	demoMojOfficer2 = "moj-officer-2"
	demoMapoOfficer = "mapo-officer"
	demoMapoVet     = "mapo-vet"
	// The trustee and the trust administrator, and the pets' owners.
	demoTrustee       = "alice"
	demoAdministrator = "bob"
)

// registryOwners names the agency key that proposes (and so owns) each
// shipped registry; a registry not listed is the interior ministry's.
var registryOwners = map[string]string{"trust_filings": "court", "pet_registration": "mois"}

func registryOwner(name string) string {
	if o, ok := registryOwners[name]; ok {
		return o
	}
	return "mois"
}

// RegistryStoryReport is what the registry story left on chain, written to
// HOME/registry/story.json once it is done.
type RegistryStoryReport struct {
	Registries []RegistryStoryRegistry `json:"registries"`
	Grants     []tx.RegistryGrant      `json:"grants"`
	Records    []RegistryStoryRecord   `json:"records"`
	// Refused is the chain's answer to a pet record with a 14-digit
	// microchip number (nothing was stored).
	Refused string `json:"refused"`
}

// RegistryStoryRegistry is one enabled registry.
type RegistryStoryRegistry struct {
	Name     string     `json:"name"`
	Version  string     `json:"version"`
	Owner    tx.Address `json:"owner"`
	DefID    tx.Hash32  `json:"def_id"`
	SchemaID string     `json:"schema_id"`
	Height   int64      `json:"enabled_height"`
}

// RegistryStoryRecord is one record the story created: Label names it in
// the story ("Mapo Scholarship Trust", "Bori"), Want is the state the story
// moves it to, State and Version what the chain held at the end.
type RegistryStoryRecord struct {
	Registry string `json:"registry"`
	ID       uint64 `json:"id"`
	Label    string `json:"label"`
	Want     string `json:"want"`
	State    string `json:"state"`
	Version  uint64 `json:"version"`
}

// RegistryDir is where a devnet home keeps the registry story's files: the
// trust filing documents whose digests are on chain, and story.json.
func RegistryDir(home string) string { return filepath.Join(home, "registry") }

// registryStory plays the agencies, the authorities, the officers, a
// trustee, a vet and a district office.
type registryStory struct {
	s   *System
	c   *client.Client
	kr  *keyring.Keyring
	dir string
	log *slog.Logger
	now func() time.Time
}

// PlayRegistryStory plays the registry story once, to its end, on the
// devnet of home through c, printing its steps to out (what `citychain
// devnet` runs in the background; tests build on it).
func PlayRegistryStory(ctx context.Context, home string, c *client.Client, out io.Writer, log *slog.Logger) error {
	s := &System{cfg: Config{Home: home, Out: out, Logger: log}}
	st, err := s.newRegistryStory(c)
	if err != nil {
		return err
	}
	return st.play(ctx)
}

func (s *System) newRegistryStory(c *client.Client) (*registryStory, error) {
	dir := RegistryDir(s.cfg.Home)
	kr, err := s.openStory(dir)
	if err != nil {
		return nil, err
	}
	return &registryStory{s: s, c: c, kr: kr, dir: dir, log: s.cfg.Logger.With("part", "registry"), now: time.Now}, nil
}

// run plays the story through playStory.
func (st *registryStory) run(ctx context.Context) error {
	names := []string{"authority", demoTrustee, demoAdministrator}
	for _, d := range registries.All() {
		names = append(names, registryOwner(d.Name))
	}
	return playStory(ctx, "registry", st.kr, st.dir, names, st.log, st.play)
}

// say prints one line of the story to the devnet's output.
func (st *registryStory) say(format string, args ...any) {
	fmt.Fprintf(st.s.cfg.Out, "registry: "+format+"\n", args...)
}

// key returns the named key, creating the story's officers' keys the
// first time.
func (st *registryStory) key(name string) (*keyring.Key, error) {
	k, err := st.kr.Get(name)
	if errors.Is(err, keyring.ErrNotFound) && slices.Contains([]string{demoMojOfficer1, demoMojOfficer2, demoMapoOfficer, demoMapoVet}, name) {
		return st.kr.Add(name)
	}
	return k, err
}

func (st *registryStory) addr(name string) (tx.Address, error) {
	k, err := st.key(name)
	if err != nil {
		return tx.Address{}, err
	}
	return k.Address, nil
}

func (st *registryStory) submit(ctx context.Context, name string, msgs ...tx.Msg) (*client.TxResult, error) {
	k, err := st.key(name)
	if err != nil {
		return nil, err
	}
	return submitStory(ctx, st.c, k.Private, "devnet registry", name, msgs...)
}

// play runs every step not done yet.
func (st *registryStory) play(ctx context.Context) error {
	rep := &RegistryStoryReport{}
	for _, d := range registries.All() {
		r, err := st.enable(ctx, d)
		if err != nil {
			return err
		}
		rep.Registries = append(rep.Registries, RegistryStoryRegistry{Name: r.Name, Version: r.Def.Version, Owner: r.Owner,
			DefID: r.DefID, SchemaID: r.SchemaID, Height: r.Enabled})
	}
	var err error
	if rep.Grants, err = st.grants(ctx); err != nil {
		return err
	}
	trusts, err := st.trusts(ctx)
	if err != nil {
		return err
	}
	pets, err := st.pets(ctx)
	if err != nil {
		return err
	}
	if rep.Refused, err = st.refused(ctx); err != nil {
		return err
	}
	for _, r := range append(trusts, pets...) {
		rec, err := st.record(ctx, r.Registry, r.ID)
		if err != nil {
			return err
		}
		r.State, r.Version = rec.State, rec.Version
		rep.Records = append(rep.Records, r)
	}
	if err := writeJSON(filepath.Join(st.dir, "story.json"), rep); err != nil {
		return err
	}
	st.say("story done: %s", filepath.Join(st.dir, "story.json"))
	return nil
}

// enable has def's agency propose it and the authorities enable it,
// skipping what the chain already holds.
func (st *registryStory) enable(ctx context.Context, d registries.Def) (*tx.Registry, error) {
	def, _, err := d.Parse()
	if err != nil {
		return nil, err
	}
	id, err := tx.RegistryDefID(def)
	if err != nil {
		return nil, err
	}
	enabled := func() (*tx.Registry, error) {
		r, _, err := st.c.Registry(ctx, def.Name, client.ReadOpts{})
		if err != nil || r == nil || !slices.ContainsFunc(r.Versions, func(v tx.RegistryVersionInfo) bool { return v.DefID == id }) {
			return nil, err
		}
		return r, nil
	}
	if r, err := enabled(); err != nil || r != nil {
		return r, err
	}
	owner := registryOwner(def.Name)
	if p, _, err := st.c.RegistryProposal(ctx, id, client.ReadOpts{}); err != nil {
		return nil, err
	} else if p == nil {
		if _, err := st.submit(ctx, owner, &tx.MsgRegistryPropose{Def: string(d.Raw)}); err != nil {
			return nil, err
		}
		st.say("%s %s proposed by %s: %d states, %d transitions, privacy %s (definition %s…)", def.Name, def.Version, owner,
			len(def.States), len(def.Transitions), def.Privacy, id.String()[:16])
	}

	// The authorities enable it: each authority whose key this home holds
	// sends the action until authority_threshold of them have.
	msg := &tx.MsgRegistryEnable{Name: def.Name, Def: id}
	pid, err := tx.ProposalIDOf(msg)
	if err != nil {
		return nil, err
	}
	authorities, err := st.c.Authorities(ctx, 0)
	if err != nil {
		return nil, err
	}
	params, err := st.c.AuthParams(ctx, 0)
	if err != nil {
		return nil, err
	}
	keys, err := st.kr.List()
	if err != nil {
		return nil, err
	}
	sent, held := 0, 0
	for _, k := range keys {
		if !slices.Contains(authorities, k.Address) {
			continue
		}
		held++
		if p, _, err := st.c.Proposal(ctx, pid, client.ReadOpts{}); err != nil {
			return nil, err
		} else if p != nil && p.State == tx.ProposalPending && slices.Contains(p.Approvals, k.Address) {
			continue
		}
		if _, err := st.submit(ctx, k.Name, msg); err != nil {
			return nil, err
		}
		sent++
		r, err := enabled()
		if err != nil {
			return nil, err
		}
		if r != nil {
			approvals := 1 // under threshold 1 the action runs at once, with no proposal
			if p, _, err := st.c.Proposal(ctx, pid, client.ReadOpts{}); err == nil && p != nil {
				approvals = len(p.Approvals)
			}
			st.say("%s enabled by the authorities (%d of %d approving, threshold %d) at height %d: schema %s…", def.Name, approvals,
				len(authorities), max(params.AuthorityThreshold, 1), r.Enabled, r.SchemaID[:16])
			return r, nil
		}
		st.say("%s: %s approved enabling it (%d sent)", def.Name, k.Name, sent)
	}
	return nil, fmt.Errorf("%s is not enabled: the authority threshold is %d and this home holds keys of %d authorities", def.Name,
		params.AuthorityThreshold, held)
}

// storyGrant is one grant the story makes: Granter grants Role of
// Registry to Grantee for Days days.
type storyGrant struct {
	registry, role, grantee, granter string
	days                             int
	delegable                        bool
}

// storyGrants are the story's grants in order: the owners' first, then the
// officer's delegation (which needs the officer's delegable grant).
var storyGrants = []storyGrant{
	{"trust_filings", "applicant", demoTrustee, "court", 365, false},
	{"trust_filings", "administrator", demoAdministrator, "court", 365, false},
	{"trust_filings", "moj_officer", demoMojOfficer1, "court", 365, true},
	{"trust_filings", "moj_officer", demoMojOfficer2, demoMojOfficer1, 180, false},
	{"pet_registration", "district_officer", demoMapoOfficer, "mois", 365, false},
	{"pet_registration", "vet", demoMapoVet, "mois", 90, false},
}

// grants makes every grant of storyGrants that is missing or about to
// expire (a grant creates the grantee's account, so a new officer's key
// can sign at once).
func (st *registryStory) grants(ctx context.Context) ([]tx.RegistryGrant, error) {
	var out []tx.RegistryGrant
	for _, g := range storyGrants {
		grantee, err := st.addr(g.grantee)
		if err != nil {
			return nil, err
		}
		req := tx.RegistryGrantRequest{Registry: g.registry, Role: g.role, Grantee: grantee}
		cur, _, err := st.c.RegistryGrant(ctx, req, client.ReadOpts{})
		if err != nil {
			return nil, err
		}
		now := st.now()
		if cur != nil && (cur.Expires == 0 || cur.Expires > now.Unix()+60) {
			out = append(out, *cur)
			continue
		}
		expires := now.Add(time.Duration(g.days) * 24 * time.Hour).Unix()
		granter, err := st.addr(g.granter)
		if err != nil {
			return nil, err
		}
		if own, _, err := st.c.RegistryGrant(ctx, tx.RegistryGrantRequest{Registry: g.registry, Role: g.role, Grantee: granter}, client.ReadOpts{}); err != nil {
			return nil, err
		} else if own != nil && own.Expires != 0 && own.Expires < expires {
			// A delegated grant ends no later than the granter's own.
			expires = own.Expires
		}
		m := &tx.MsgRegistryGrant{Registry: g.registry, Role: g.role, Grantee: grantee, Expires: expires, Delegable: g.delegable}
		if _, err := st.submit(ctx, g.granter, m); err != nil {
			return nil, err
		}
		how := "granted"
		if g.granter != registryOwner(g.registry) {
			how = "delegated"
		}
		if g.delegable {
			how = "granted (delegable)"
		}
		st.say("%s: %s %s %s to %s until %s", g.registry, g.granter, how, g.role, g.grantee, time.Unix(expires, 0).UTC().Format(time.DateOnly))
		if cur, _, err = st.c.RegistryGrant(ctx, req, client.ReadOpts{}); err != nil {
			return nil, err
		} else if cur == nil {
			return nil, fmt.Errorf("%s: the grant of %s to %s is not on chain after its transaction", g.registry, g.role, g.grantee)
		}
		out = append(out, *cur)
	}
	return out, nil
}

func (st *registryStory) record(ctx context.Context, registry string, id uint64) (*tx.RegistryRecord, error) {
	r, _, err := st.c.RegistryRecord(ctx, registry, id, client.ReadOpts{})
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, fmt.Errorf("%s record %d is not on chain", registry, id)
	}
	return r, nil
}

// find returns the records of registry whose indexed field is value.
func (st *registryStory) find(ctx context.Context, registry, field, value string) ([]*tx.RegistryRecord, error) {
	var out []*tx.RegistryRecord
	req := tx.RegistryIndexRequest{Registry: registry, Field: field, Value: value}
	for {
		page, _, err := st.c.RegistryIndex(ctx, req, 0)
		if err != nil {
			return nil, err
		}
		for _, id := range page.IDs {
			r, err := st.record(ctx, registry, id)
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
		if page.Next == 0 {
			return out, nil
		}
		req.After = page.Next
	}
}

// create has signer create a record of registry and returns it.
func (st *registryStory) create(ctx context.Context, signer string, m *tx.MsgRegistryCreate) (*tx.RegistryRecord, error) {
	res, err := st.submit(ctx, signer, m)
	if err != nil {
		return nil, err
	}
	id, err := res.ID("registry.created")
	if err != nil {
		return nil, err
	}
	return st.record(ctx, m.Registry, id)
}

// move has signers send transition of rec with patch (each one's is an
// approval until the transition's k-th runs it), skipping the signers
// whose approval of this version is pending, and returns the moved record.
func (st *registryStory) move(ctx context.Context, rec *tx.RegistryRecord, transition string, patch any, signers ...string) (*tx.RegistryRecord, error) {
	var raw json.RawMessage
	if patch != nil {
		b, err := json.Marshal(patch)
		if err != nil {
			return nil, err
		}
		raw = b
	}
	pending, err := st.c.RegistryApprovals(ctx, rec.Registry, rec.ID, 0)
	if err != nil {
		return nil, err
	}
	from, label := rec.State, fmt.Sprintf("%s %d", rec.Registry, rec.ID)
	for i, name := range signers {
		a, err := st.addr(name)
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(pending, func(p tx.RegistryApproval) bool {
			return p.Version == rec.Version && p.Transition == transition && slices.Contains(p.Signers, a)
		}) {
			continue
		}
		if _, err := st.submit(ctx, name, &tx.MsgRegistryTransition{Registry: rec.Registry, ID: rec.ID, Version: rec.Version,
			Transition: transition, Patch: raw}); err != nil {
			return nil, err
		}
		if i < len(signers)-1 {
			st.say("%s: %s approved %s (%d of %d)", label, name, transition, i+1, len(signers))
		}
	}
	moved, err := st.record(ctx, rec.Registry, rec.ID)
	if err != nil {
		return nil, err
	}
	if moved.Version == rec.Version {
		return nil, fmt.Errorf("%s: %s did not run after %d approvals", label, transition, len(signers))
	}
	patched := ""
	if raw != nil {
		patched = " with " + string(raw)
	}
	st.say("%s: %s by %s%s: %s -> %s (version %d)", label, transition, strings.Join(signers, " and "), patched, from, moved.State, moved.Version)
	return moved, nil
}

// storyTrust is a trust filing of the story and the state it ends in.
type storyTrust struct {
	name, purpose string
	amount        int64
	assets        []string
	want          string
	refusal       string
}

var storyTrusts = []storyTrust{
	{name: "Mapo Scholarship Trust", purpose: "education_scholarship", amount: 500_000_000, assets: []string{"deposit"}, want: "active"},
	{name: "Hangang Wetlands Trust", purpose: "environment", amount: 1_200_000_000, assets: []string{"gov_bond", "local_bond"},
		want: "refused", refusal: "related_parties_over_limit"},
	{name: "Seoul Elder Care Trust", purpose: "disability_elderly", amount: 80_000_000, assets: []string{"local_bond"}, want: "applied"},
}

var kst = time.FixedZone("KST", 9*3600)

// trusts files the story's trusts (as the trustee) and moves them to the
// states they end in.
func (st *registryStory) trusts(ctx context.Context) ([]RegistryStoryRecord, error) {
	trustee, err := st.addr(demoTrustee)
	if err != nil {
		return nil, err
	}
	admin, err := st.addr(demoAdministrator)
	if err != nil {
		return nil, err
	}
	filed, err := st.find(ctx, "trust_filings", "trustee", trustee.String())
	if err != nil {
		return nil, err
	}
	var out []RegistryStoryRecord
	for _, t := range storyTrusts {
		var rec *tx.RegistryRecord
		for _, r := range filed {
			var d struct {
				Name string `json:"trust_name"`
			}
			if json.Unmarshal(r.Data, &d) == nil && d.Name == t.name {
				rec = r
			}
		}
		if rec == nil {
			today := st.now().In(kst).Format(time.DateOnly)
			data, err := json.Marshal(map[string]any{"trust_name": t.name, "purpose": t.purpose, "trustee": trustee, "administrator": admin,
				"amount_krw": t.amount, "asset_classes": t.assets, "filing_date": today})
			if err != nil {
				return nil, err
			}
			digest, file, err := st.filingDocument(t, data)
			if err != nil {
				return nil, err
			}
			if rec, err = st.create(ctx, demoTrustee, &tx.MsgRegistryCreate{Registry: "trust_filings", Data: data, Digest: &digest}); err != nil {
				return nil, err
			}
			due := rec.StateSince.Add(90 * 24 * time.Hour).In(kst).Format(time.DateOnly)
			st.say("trust_filings %d: %s filed %q (%s, KRW %d): applied, decision due by %s; the document stays with the ministry (%s), the chain keeps its digest %s…",
				rec.ID, demoTrustee, t.name, t.purpose, t.amount, due, file, digest.String()[:16])
		}
		for rec.State != t.want {
			switch {
			case rec.State == "applied" && t.want == "refused":
				rec, err = st.move(ctx, rec, "refuse", map[string]string{"refusal_reason": t.refusal}, demoMojOfficer1, demoMojOfficer2)
			case rec.State == "applied":
				rec, err = st.move(ctx, rec, "authorise", nil, demoMojOfficer1, demoMojOfficer2)
			case rec.State == "authorised":
				rec, err = st.move(ctx, rec, "activate", map[string]string{"start_date": st.now().In(kst).Format(time.DateOnly)}, demoTrustee)
			default:
				return nil, fmt.Errorf("trust_filings %d %q is %s, the story wants it %s", rec.ID, t.name, rec.State, t.want)
			}
			if err != nil {
				return nil, err
			}
		}
		out = append(out, RegistryStoryRecord{Registry: "trust_filings", ID: rec.ID, Label: t.name, Want: t.want})
	}
	return out, nil
}

// filingDocument writes the trust's full filing (what the ministry keeps
// off chain: names, the trust deed) to HOME/registry/filings/ and returns
// its SHA-256 digest and path; an existing file is kept.
func (st *registryStory) filingDocument(t storyTrust, data []byte) (tx.Hash32, string, error) {
	dir := filepath.Join(st.dir, "filings")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return tx.Hash32{}, "", err
	}
	path := filepath.Join(dir, strings.ToLower(strings.ReplaceAll(t.name, " ", "-"))+".json")
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		doc := map[string]any{
			"public":         json.RawMessage(data),
			"trustee_name":   "Kim Min-ji",
			"settlor_name":   "Park Seo-yeon",
			"trust_deed":     "Article 1. The trust property is held for " + strings.ReplaceAll(t.purpose, "_", " ") + " in Seoul...",
			"business_plan":  "Year 1: scholarships and grants from the investment income (at least 70%).",
			"trustee_checks": "no disqualification under Act art. 4 (declaration attached)",
		}
		if err := writeJSON(path, doc); err != nil {
			return tx.Hash32{}, "", err
		}
		if b, err = os.ReadFile(path); err != nil {
			return tx.Hash32{}, "", err
		}
	} else if err != nil {
		return tx.Hash32{}, "", err
	}
	return sha256.Sum256(b), path, nil
}

// storyPet is a pet of the story and the state it ends in.
type storyPet struct {
	chip, species, name, breed, owner, creator string
	want                                       string
}

var storyPets = []storyPet{
	{chip: "410100000000001", species: "dog", name: "Bori", breed: "Jindo", owner: demoTrustee, creator: demoMapoVet, want: "registered"},
	{chip: "410100000000002", species: "cat", name: "Nabi", breed: "Korean shorthair", owner: demoAdministrator, creator: demoMapoOfficer, want: "lost"},
}

// pets registers the story's pets and moves them: Bori (registered by the
// vet to alice) is transferred to bob, who moved to Seodaemun; Nabi is
// reported lost.
func (st *registryStory) pets(ctx context.Context) ([]RegistryStoryRecord, error) {
	var out []RegistryStoryRecord
	for _, p := range storyPets {
		found, err := st.find(ctx, "pet_registration", "microchip_id", p.chip)
		if err != nil {
			return nil, err
		}
		var rec *tx.RegistryRecord
		if len(found) > 0 {
			rec = found[0]
		} else {
			owner, err := st.addr(p.owner)
			if err != nil {
				return nil, err
			}
			data, err := json.Marshal(map[string]any{"microchip_id": p.chip, "species": p.species, "name": p.name, "breed": p.breed,
				"owner": owner, "district": "mapo"})
			if err != nil {
				return nil, err
			}
			if rec, err = st.create(ctx, p.creator, &tx.MsgRegistryCreate{Registry: "pet_registration", Data: data}); err != nil {
				return nil, err
			}
			st.say("pet_registration %d: %s registered %s the %s (chip %s) to %s in Mapo", rec.ID, p.creator, p.name, p.species, p.chip, p.owner)
		}
		switch {
		case p.want == "lost" && rec.State == "registered":
			rec, err = st.move(ctx, rec, "report_lost", map[string]string{"lost_since": st.now().In(kst).Format(time.DateOnly)}, demoMapoOfficer)
			if err == nil {
				st.say("pet_registration %d: unless found, the chain itself moves it to presumed_lost after 365 days (no transaction)", rec.ID)
			}
		case p.want == "registered" && rec.Version == 1:
			newOwner, err2 := st.addr(demoAdministrator)
			if err2 != nil {
				return nil, err2
			}
			rec, err = st.move(ctx, rec, "transfer", map[string]string{"owner": newOwner.String(), "district": "seodaemun"}, demoMapoOfficer)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, RegistryStoryRecord{Registry: "pet_registration", ID: rec.ID, Label: p.name, Want: p.want})
	}
	return out, nil
}

// refused has the vet send a pet whose microchip number has 14 digits:
// the chain refuses it with registry code 24 naming the field, and the
// registry's record count does not move.
func (st *registryStory) refused(ctx context.Context) (string, error) {
	before, err := st.c.RegistryCount(ctx, "pet_registration", 0)
	if err != nil {
		return "", err
	}
	owner, err := st.addr(demoTrustee)
	if err != nil {
		return "", err
	}
	data, _ := json.Marshal(map[string]any{"microchip_id": "41010000000000", "species": "dog", "name": "Mungchi", "owner": owner, "district": "mapo"})
	_, refusal := st.submit(ctx, demoMapoVet, &tx.MsgRegistryCreate{Registry: "pet_registration", Data: data})
	if !errors.Is(refusal, tx.CodeRegistryInvalidRecord) {
		return "", fmt.Errorf("a pet with a 14-digit chip number: got %v, want code %v", refusal, tx.CodeRegistryInvalidRecord)
	}
	after, err := st.c.RegistryCount(ctx, "pet_registration", 0)
	if err != nil {
		return "", err
	}
	if after.Records != before.Records {
		return "", fmt.Errorf("the refused record changed the count: %d -> %d", before.Records, after.Records)
	}
	var te *client.TxError
	msg := refusal.Error()
	if errors.As(refusal, &te) {
		msg = fmt.Sprintf("%s code %d: %s", te.Codespace, te.Code, te.Log)
	}
	st.say("a pet with a 14-digit chip number was refused (%s); pet_registration still holds %d records", msg, after.Records)
	return msg, nil
}
