package registry_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/registry"
	"github.com/citychain/citychain/chain/tx"
)

// TestNoSectionWritesNothing: a chain with no registry holds no registry
// key and exports no section (so the golden state hashes of chains
// without one do not move); the list queries answer empty pages.
func TestNoSectionWritesNothing(t *testing.T) {
	c := newChain(t, false)
	c.block()
	_, sections := c.h.ExportSections(t)
	if s, ok := sections[registry.Codespace]; ok && string(s) != "null" {
		t.Fatalf("a fresh chain exports a registry section %s", s)
	}
	if page := query[tx.RegistryPage](c, "registries", tx.RegistryPageRequest{}); len(page.Registries) != 0 || page.Next != "" {
		t.Fatalf("registries: %+v", page)
	}
	apptest.RequireCode(t, "grants of no registry", c.raw("grants", tx.RegistryPageRequest{Registry: "pets"}, false), tx.CodeAppNotFound)
}

// busyChain has two registries, one at its second version, records in
// several states with their histories, grants delegated and expiring, a
// pending approval and queued deadlines.
func busyChain(t *testing.T) *chain {
	c := trustChain(t)
	c.enable(district, petDef, false)
	c.enable(district, withProperty(t, petDef, "1.1", "colour", false), false)
	c.grant(district, "pet_registration", "vet", vet)
	c.ok("officer, delegable", district, &tx.MsgRegistryGrant{Registry: "pet_registration", Role: "district_officer", Grantee: officer.Addr, Delegable: true})
	c.ok("officer2 from officer", officer, &tx.MsgRegistryGrant{Registry: "pet_registration", Role: "district_officer", Grantee: officer2.Addr,
		Expires: c.now.Add(400 * 24 * time.Hour).Unix()})
	pet := c.create(vet, "pet_registration", petData("410000000000001", petOwner.Addr.String()))
	c.create(vet, "pet_registration", petData("410000000000002", petOwner2.Addr.String()))
	c.move(officer2, "pet_registration", pet, "transfer", `{"owner":"`+petOwner2.Addr.String()+`"}`)
	c.move(vet, "pet_registration", pet, "report_lost", "") // a 365-day deadline queued
	c.move(officer, "pet_registration", 2, "cancel", "")    // one of two approvals
	fileTrust(c, "Pending Trust")                           // a 90-day deadline queued
	done := fileTrust(c, "Refused Trust")
	c.move(officer, "trust_filings", done, "refuse", "")
	c.propose(ministry, edit(t, trustDef, func(d map[string]any) { d["version"] = "1.1"; d["title"] = "Trusts" })) // pending
	return c
}

// imported exports c's state, imports it into a fresh app and returns a
// chain over it at c's time (one empty block committed).
func (c *chain) imported() *chain {
	c.t.Helper()
	h := c.h.ExportRoundTrip(c.t)
	ic := &chain{t: c.t, h: h, now: c.now}
	ic.block()
	return ic
}

// TestExportRoundTrip: the whole state is exported (registries with their
// versions, the pending proposal, every schema, records, history, grants,
// the pending approval, the queued deadlines) and the import rebuilds the
// same state (counts, indexes and deadline pointers included); the
// imported chain goes on: the pending approval completes, the delegated
// grant works, and the deadlines fire.
func TestExportRoundTrip(t *testing.T) {
	c := busyChain(t)
	_, sections := c.h.ExportSections(t)
	g := apptest.DecodeSection[registry.Genesis](t, sections, registry.Codespace)
	if len(g.Registries) != 2 || len(g.Proposals) != 1 || len(g.Schemas) != 3 || len(g.Records) != 4 || len(g.History) != 7 ||
		len(g.Grants) != 7 || len(g.Approvals) != 1 || len(g.Deadlines) != 2 {
		t.Fatalf("exported: %d registries, %d proposals, %d schemas, %d records, %d steps, %d grants, %d approvals, %d deadlines",
			len(g.Registries), len(g.Proposals), len(g.Schemas), len(g.Records), len(g.History), len(g.Grants), len(g.Approvals), len(g.Deadlines))
	}
	ic := c.imported()
	for _, reg := range []string{"pet_registration", "trust_filings"} {
		if got, want := apptest.MustJSON(t, ic.count(reg)), apptest.MustJSON(t, c.count(reg)); string(got) != string(want) {
			t.Fatalf("%s count after import: %s, want %s", reg, got, want)
		}
	}
	ic.move(officer2, "pet_registration", 2, "cancel", "")
	if rec := ic.record("pet_registration", 2); rec.State != "cancelled" {
		t.Fatalf("cancel on the imported chain: %+v", rec)
	}
	ic.jump(366 * 24 * time.Hour)
	res := ic.block()
	for _, id := range []string{"1"} {
		if !apptest.HasEvent(res.Events, "registry.deadline", "registry", "pet_registration", "id", id, "to", "presumed_lost") ||
			!apptest.HasEvent(res.Events, "registry.deadline", "registry", "trust_filings", "id", id, "to", "decision_overdue") {
			t.Fatalf("deadlines on the imported chain: %v", res.Events)
		}
	}
	ic.h.ExportRoundTrip(t)
}

// TestImportRefusesBadState: an edited export that no chain could have
// written is refused, naming what is wrong.
func TestImportRefusesBadState(t *testing.T) {
	c := busyChain(t)
	exp, sections := c.h.ExportSections(t)
	edit := func(f func(g *registry.Genesis)) map[string]json.RawMessage {
		return apptest.EditSection(t, sections, registry.Codespace, f)
	}
	for _, tc := range []struct {
		name string
		edit func(g *registry.Genesis)
		want string
	}{
		{"a record breaking its schema", func(g *registry.Genesis) {
			g.Records[0].Data = json.RawMessage(strings.Replace(string(g.Records[0].Data), "410000000000001", "41", 1))
		}, "breaks schema"},
		{"a gap in the ids", func(g *registry.Genesis) { g.Records = g.Records[1:] }, "want 1"},
		{"an undeclared state", func(g *registry.Genesis) { g.Records[0].State = "stolen" }, `"stolen"`},
		{"a record of an unknown schema", func(g *registry.Genesis) { g.Records[0].Schema = strings.Repeat("0", 64) }, "not in schemas"},
		{"a missing history step", func(g *registry.Genesis) { g.History = g.History[1:] }, "want 1"},
		{"a history ending elsewhere", func(g *registry.Genesis) { g.Records[0].Version = 2 }, "history"},
		{"an approval of an old version", func(g *registry.Genesis) { g.Approvals[0].Version = 9 }, "version 9"},
		{"an approval already complete", func(g *registry.Genesis) {
			g.Approvals[0].Signers = append(g.Approvals[0].Signers, officer2.Addr)
		}, "signers"},
		{"a deadline of another state", func(g *registry.Genesis) { g.Deadlines[0].State = "registered" }, `state "registered"`},
		{"a schema under another id", func(g *registry.Genesis) { g.Schemas[0].ID = g.Schemas[1].ID }, "schemas["},
		{"a definition under another id", func(g *registry.Genesis) { g.Registries[0].DefID = tx.Hash32{1} }, "definition id"},
		{"an owner's grant from another", func(g *registry.Genesis) {
			for i := range g.Grants {
				if g.Grants[i].Depth == 1 {
					g.Grants[i].Granter = officer3.Addr
					return
				}
			}
		}, "owner's"},
		{"a grant of an undeclared role", func(g *registry.Genesis) { g.Grants[0].Role = "mayor" }, `"mayor"`},
		{"a definition breaking the rules", func(g *registry.Genesis) { g.Proposals[0].Def.Initial = "nowhere" }, "initial"},
	} {
		t.Run(tc.name, func(t *testing.T) { apptest.RequireImportRefused(t, exp, edit(tc.edit), tc.want) })
	}
}
