package credentials_test

import (
	"testing"
	"time"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/credentials"
	"github.com/citychain/citychain/chain/tx"
)

// busy is a chain with every kind of record: schemas, an accreditation
// with a withdrawn and an open window, a verifier and a deregistered one,
// a revocation and a suspension list with bits set (one chunk cleared
// again), and anchors.
func busy(t *testing.T) *apptest.Harness {
	t.Helper()
	h := start(t, &credentials.Genesis{Params: &credentials.Params{MaxWindows: 10}})
	h.Deliver([][]byte{h.Sign(accreditor, seoulResident), h.Sign(accreditor, lowIncome)})
	accredit(t, h, issuerA, "seoul_resident")
	h.RunOK("withdraw", h.Sign(accreditor, &tx.MsgCredentialWithdraw{Issuer: issuerA.Addr, Schema: "seoul_resident"}))
	accredit(t, h, issuerA, "seoul_resident")
	accredit(t, h, issuerB, "low_income")
	for _, m := range []*tx.MsgCredentialRegisterVerifier{
		{ID: "library", Key: apptest.Alice.Pub, Name: "Library", Purpose: "membership", Claims: []string{"resident_seoul"}},
		{ID: "pool", Key: apptest.Bob.Pub, Name: "Pool", Purpose: "senior rate", Claims: []string{"age_over_65"}},
	} {
		h.RunOK("verifier", h.Sign(accreditor, m))
	}
	h.RunOK("deregister", h.Sign(accreditor, &tx.MsgCredentialDeregisterVerifier{ID: "pool"}))
	h.RunOK("list", h.Sign(issuerA, &tx.MsgCredentialCreateList{Name: "rev", Purpose: tx.StatusRevocation, Size: tx.MinStatusListSize}))
	h.RunOK("card list", h.Sign(office, &tx.MsgCredentialCreateList{Name: "card", Purpose: tx.StatusSuspension, Size: tx.MinStatusListSize}))
	h.RunOK("revoke", h.Sign(issuerA, &tx.MsgCredentialSetStatus{List: listID(issuerA, "rev"), Indices: []uint32{3, 70_000, 70_001}, Value: true}))
	h.RunOK("suspend", h.Sign(office, &tx.MsgCredentialSetStatus{List: listID(office, "card"), Indices: []uint32{9, 100_000}, Value: true}))
	h.RunOK("reinstate", h.Sign(office, &tx.MsgCredentialSetStatus{List: listID(office, "card"), Indices: []uint32{100_000}, Value: false}))
	h.RunOK("anchor", h.Sign(issuerA, &tx.MsgCredentialAnchor{Schema: "seoul_resident", Root: root("a", 5), Count: 5}))
	h.RunOK("anchor", h.Sign(issuerB, &tx.MsgCredentialAnchor{Schema: "low_income", Root: root("b", 7), Count: 7}))
	return h
}

// TestExportRoundTrip: the export of every kind of record imports to the
// same state, and the imported chain goes on (its bits, windows and
// anchors numbering intact).
func TestExportRoundTrip(t *testing.T) {
	h := busy(t)
	_, sections := h.ExportSections(t)
	g := apptest.DecodeSection[credentials.Genesis](t, sections, credentials.Codespace)
	if g.Params == nil || g.Counters == nil || len(g.Schemas) != 2 || len(g.Accreditations) != 2 || len(g.Verifiers) != 2 ||
		len(g.Lists) != 2 || len(g.Anchors) != 2 {
		t.Fatalf("export: %+v", g)
	}
	for _, l := range g.Lists {
		if want := map[string]int{"rev": 2, "card": 1}[l.Name]; len(l.Chunks) != want {
			t.Errorf("list %s: %d chunks exported, want %d", l.ID, len(l.Chunks), want)
		}
	}
	imported := h.ExportRoundTrip(t)
	imported.Block()
	if !statusOf(t, imported, listID(issuerA, "rev"), 70_001) || statusOf(t, imported, listID(office, "card"), 100_000) {
		t.Fatal("imported bits differ")
	}
	imported.RunFail("clear a revoked bit after import", imported.Sign(issuerA, &tx.MsgCredentialSetStatus{List: listID(issuerA, "rev"), Indices: []uint32{3}}),
		tx.CodeCredentialRevocationFinal)
	res := imported.RunOK("anchor after import", imported.Sign(issuerA, &tx.MsgCredentialAnchor{Schema: "seoul_resident", Root: root("c", 2), Count: 2}))
	if got := attr(t, res.Events, "credentials.anchored", "id"); got != "3" {
		t.Errorf("anchor id after import: got %s, want 3", got)
	}
	imported.RunFail("verifier id reused after import", imported.Sign(accreditor, &tx.MsgCredentialRegisterVerifier{ID: "pool", Key: apptest.Bob.Pub,
		Name: "Pool", Purpose: "p", Claims: []string{"age_over_65"}}), tx.CodeCredentialVerifierExists)
}

// TestGenesisRefused: an import whose records disagree is refused,
// naming the field and the value.
func TestGenesisRefused(t *testing.T) {
	h := busy(t)
	exp, sections := h.ExportSections(t)
	for _, c := range []struct {
		name string
		edit func(g *credentials.Genesis)
		want string
	}{
		{"params out of bounds", func(g *credentials.Genesis) { g.Params.MaxWindows = 0 }, "params.max_windows 0"},
		{"counters off", func(g *credentials.Genesis) { g.Counters.Anchored++ }, "counters.anchored: 13, but the records count 12"},
		{"no counters", func(g *credentials.Genesis) { g.Counters = nil }, "counters: absent"},
		{"schemas out of order", func(g *credentials.Genesis) { g.Schemas[0], g.Schemas[1] = g.Schemas[1], g.Schemas[0] }, "schemas[1].id"},
		{"schema with a bad claim", func(g *credentials.Genesis) { g.Schemas[0].Claims[0] = "Bad" }, `schemas[0]: claims[0]: claim "Bad"`},
		{"accreditation of no schema", func(g *credentials.Genesis) { g.Accreditations[0].Schema = "nope" }, `accreditations[0].schema: "nope"`},
		{"overlapping windows", func(g *credentials.Genesis) {
			for i := range g.Accreditations {
				if w := g.Accreditations[i].Windows; len(w) == 2 {
					w[0].Until = w[1].From.Add(time.Second)
				}
			}
		}, "overlaps the previous window"},
		{"verifier claim of no schema", func(g *credentials.Genesis) { g.Verifiers[0].Claims = []string{"employed_abroad"} }, `verifiers[0].claims[0]: "employed_abroad"`},
		{"verifier status", func(g *credentials.Genesis) { g.Verifiers[0].Status = "paused" }, `verifiers[0].status: "paused"`},
		{"list id", func(g *credentials.Genesis) { g.Lists[0].ID = "x" }, `lists[0].id: "x"`},
		{"list set count", func(g *credentials.Genesis) { g.Lists[0].Set++ }, "but its chunks hold"},
		{"chunk all zero", func(g *credentials.Genesis) {
			for i := range g.Lists {
				for j := range g.Lists[i].Chunks {
					g.Lists[i].Chunks[j].Bits = make([]byte, tx.StatusChunkBytes)
					g.Lists[i].Set = 0
				}
			}
		}, "all zero"},
		{"chunk past the list", func(g *credentials.Genesis) { g.Lists[0].Chunks[len(g.Lists[0].Chunks)-1].Index = 16 }, "index: 16, want below the list's 16 chunks"},
		{"short chunk", func(g *credentials.Genesis) { g.Lists[0].Chunks[0].Bits = g.Lists[0].Chunks[0].Bits[:10] }, "bits: 10 bytes"},
		{"anchor ids with a gap", func(g *credentials.Genesis) { g.Anchors[1].ID = 3 }, "anchors[1].id: 3, want 2"},
		{"anchor of no schema", func(g *credentials.Genesis) { g.Anchors[0].Schema = "nope" }, `anchors[0].schema: "nope"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			apptest.RequireImportRefused(t, exp, apptest.EditSection(t, sections, credentials.Codespace, c.edit), c.want)
		})
	}
	// The unedited sections import.
	if err := apptest.ImportSections(exp, sections); err != nil {
		t.Fatal(err)
	}
}
