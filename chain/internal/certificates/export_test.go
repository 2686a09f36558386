package certificates_test

import (
	"fmt"
	"testing"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/certificates"
)

// TestExportRoundTrip: the state of busy simulations (kinds from genesis,
// keys added, retired and compromised, agencies suspended and revoked,
// anchors, revocations) exports as a section whose import has the same
// state hash, and the imported chain goes on issuing with the next id.
func TestExportRoundTrip(t *testing.T) {
	seen := map[string]int{}
	for _, seed := range []uint64{3, 8} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			h := simulate(t, seed, 40, map[string]int{})
			_, sections := h.ExportSections(t)
			g := apptest.DecodeSection[certificates.Genesis](t, sections, "certificates")
			seen["anchors"] += len(g.Anchors)
			seen["revocations"] += len(g.Revocations)
			seen["keys"] += len(g.Keys)
			for _, a := range g.Agencies {
				seen["agency "+a.Status]++
			}
			for _, k := range g.Keys {
				if k.CompromisedHeight != 0 {
					seen["compromised key"]++
				}
				if k.RetiredHeight != 0 {
					seen["retired key"]++
				}
			}
			imported := h.ExportRoundTrip(t)
			imported.Block()
			if s := stats(t, imported); s.NextAnchor != uint64(len(g.Anchors))+1 || s.Anchors != uint64(len(g.Anchors)) {
				t.Errorf("imported stats: %+v, exported %d anchors", s, len(g.Anchors))
			}
		})
	}
	apptest.RequireExportsCaught(t, seen, "anchors", "revocations", "keys", "compromised key", "retired key", "agency suspended")
}

// TestImportRefused: an import whose records disagree is refused, naming
// the field.
func TestImportRefused(t *testing.T) {
	h := setup(t)
	b := newBatch("family", 4)
	id := issue(t, h, court, "family_relation", courtKey1, b)
	h.RunOK("revoke", h.Sign(court, b.revoke(id, 1, "error")))
	exp, sections := h.ExportSections(t)
	if err := apptest.ImportSections(exp, sections); err != nil {
		t.Fatalf("the unchanged export: %v", err)
	}
	for _, c := range []struct {
		name string
		edit func(g *certificates.Genesis)
		want string
	}{
		{"kinds out of order", func(g *certificates.Genesis) { g.Kinds[0], g.Kinds[1] = g.Kinds[1], g.Kinds[0] }, "kinds[1].id"},
		{"bad kind", func(g *certificates.Genesis) { g.Kinds[0].Fields = nil }, "kinds[0]: fields"},
		{"agency of no kind", func(g *certificates.Genesis) { g.Agencies[0].Address = apptest.Bob.Addr }, "is the agency of no kind"},
		{"bad status", func(g *certificates.Genesis) { g.Agencies[0].Status = "closed" }, `status "closed"`},
		{"key of no agency", func(g *certificates.Genesis) { g.Keys[0].Agency = apptest.Bob.Addr }, "keys[0].agency"},
		{"compromised without revocation", func(g *certificates.Genesis) { g.Keys[0].CompromisedHeight = 3 }, "a revoked key, and only one"},
		{"anchor of another agency's key", func(g *certificates.Genesis) { g.Anchors[0].Key = moisKey1 }, "anchors[0].key"},
		{"anchor expiry", func(g *certificates.Genesis) { g.Anchors[0].Expires = g.Anchors[0].Time }, "anchors[0].expires"},
		{"anchor count", func(g *certificates.Genesis) { g.Anchors[0].Count = 0 }, "anchors[0].count"},
		{"next anchor", func(g *certificates.Genesis) { g.NextAnchor = 1 }, "next_anchor: 1"},
		{"revocation of no anchor", func(g *certificates.Genesis) { g.Revocations[0].Anchor = 9 }, "revocations[0].anchor: 9"},
		{"revocation index", func(g *certificates.Genesis) { g.Revocations[0].Index = 4 }, "revocations[0].index: 4"},
		{"params", func(g *certificates.Genesis) { g.Params = &certificates.Params{MaxKindsPerAgency: 1} }, "params.max_keys_per_agency 0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			apptest.RequireImportRefused(t, exp, apptest.EditSection(t, sections, "certificates", c.edit), c.want)
		})
	}
}
