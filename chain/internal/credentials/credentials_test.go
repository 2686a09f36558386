package credentials_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	ics23 "github.com/cosmos/ics23/go"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/credentials"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// TestSchemas: only an accreditor registers a schema, once; its claims
// are checked before state; the schema is provable.
func TestSchemas(t *testing.T) {
	h := start(t, nil)
	h.RunFail("schema by a non-accreditor", h.Sign(issuerA, seoulResident), tx.CodeCredentialNotAccreditor, issuerA.Addr.String())
	res := h.RunOK("schema", h.Sign(accreditor, seoulResident))
	if got := attr(t, res.Events, "credentials.schema_registered", "schema"); got != "seoul_resident" {
		t.Errorf("event schema: got %q", got)
	}
	s := schemaOf(t, h, "seoul_resident")
	if s.Name != "Seoul residency" || strings.Join(s.Claims, ",") != "resident_seoul,age_over_65" || s.By != accreditor.Addr || s.Height != h.Height {
		t.Errorf("schema: got %+v", s)
	}
	h.RunFail("schema again", h.Sign(accreditor, &tx.MsgCredentialRegisterSchema{ID: "seoul_resident", Name: "other", Claims: []string{"x"}}),
		tx.CodeCredentialSchemaExists, "seoul_resident")
	if s2 := schemaOf(t, h, "seoul_resident"); s2.Name != s.Name {
		t.Errorf("schema changed by a refused registration: %+v", s2)
	}
	for _, c := range []struct {
		name string
		m    *tx.MsgCredentialRegisterSchema
		log  string
	}{
		{"upper-case id", &tx.MsgCredentialRegisterSchema{ID: "Seoul", Name: "n", Claims: []string{"a"}}, `schema "Seoul"`},
		{"no claims", &tx.MsgCredentialRegisterSchema{ID: "s", Name: "n"}, "claims: 0 claims"},
		{"claim twice", &tx.MsgCredentialRegisterSchema{ID: "s", Name: "n", Claims: []string{"a", "b", "a"}}, `claims[2]: claim "a" listed twice`},
		{"bad claim", &tx.MsgCredentialRegisterSchema{ID: "s", Name: "n", Claims: []string{"age-over-65"}}, `claim "age-over-65"`},
		{"no name", &tx.MsgCredentialRegisterSchema{ID: "s", Claims: []string{"a"}}, "name: 0 bytes"},
	} {
		invalid(t, h, c.name, accreditor, c.m, c.log)
	}
	h.RunOK("second schema", h.Sign(accreditor, lowIncome))
	var page tx.SchemaPage
	h.QueryJSON(t, "/credentials/schemas", apptest.MustJSON(t, tx.PageRequest{Limit: 1}), &page)
	if len(page.Schemas) != 1 || page.Schemas[0].ID != "low_income" || page.Next != "low_income" {
		t.Fatalf("first page: got %+v", page)
	}
	after := page.Next
	page = tx.SchemaPage{}
	h.QueryJSON(t, "/credentials/schemas", apptest.MustJSON(t, tx.PageRequest{After: after}), &page)
	if len(page.Schemas) != 1 || page.Schemas[0].ID != "seoul_resident" || page.Next != "" {
		t.Fatalf("second page: got %+v", page)
	}
	if st := stats(t, h); st.Schemas != 2 {
		t.Errorf("stats: got %+v", st)
	}
}

// TestVerifiers: a verifier asks only for claims of registered schemas;
// ids are never reused; deregistration is final.
func TestVerifiers(t *testing.T) {
	h := start(t, nil)
	h.RunOK("schema", h.Sign(accreditor, seoulResident))
	v := &tx.MsgCredentialRegisterVerifier{ID: "gangnam-library", Key: apptest.Alice.Pub, Name: "Gangnam library",
		Purpose: "free membership for residents", Claims: []string{"resident_seoul"}}
	h.RunFail("verifier by a non-accreditor", h.Sign(apptest.Alice, v), tx.CodeCredentialNotAccreditor)
	unknown := *v
	unknown.Claims = []string{"resident_seoul", "employed"}
	h.RunFail("unknown claim", h.Sign(accreditor, &unknown), tx.CodeCredentialUnknownClaim, `claims[1]: "employed"`)
	h.RunOK("verifier", h.Sign(accreditor, v))
	h.RunFail("verifier again", h.Sign(accreditor, v), tx.CodeCredentialVerifierExists, "gangnam-library")
	h.RunOK("schema with employed", h.Sign(accreditor, lowIncome))
	h.RunOK("verifier with employed", h.Sign(accreditor, &unknown2))

	var got tx.Verifier
	h.QueryJSON(t, "/credentials/verifier", []byte("gangnam-library"), &got)
	if got.Status != tx.VerifierActive || !bytes.Equal(got.Key, apptest.Alice.Pub) || got.Purpose != v.Purpose {
		t.Fatalf("verifier: got %+v", got)
	}
	h.RunFail("deregister by a non-accreditor", h.Sign(apptest.Bob, &tx.MsgCredentialDeregisterVerifier{ID: "gangnam-library"}), tx.CodeCredentialNotAccreditor)
	h.RunFail("deregister unknown", h.Sign(accreditor, &tx.MsgCredentialDeregisterVerifier{ID: "nobody"}), tx.CodeCredentialUnknownVerifier, "nobody")
	h.RunOK("deregister", h.Sign(accreditor, &tx.MsgCredentialDeregisterVerifier{ID: "gangnam-library"}))
	h.QueryJSON(t, "/credentials/verifier", []byte("gangnam-library"), &got)
	if got.Status != tx.VerifierDeregistered || got.DeregisteredHeight != h.Height {
		t.Fatalf("deregistered verifier: got %+v", got)
	}
	h.RunFail("deregister twice", h.Sign(accreditor, &tx.MsgCredentialDeregisterVerifier{ID: "gangnam-library"}), tx.CodeCredentialVerifierDeregistered)
	h.RunFail("re-register a deregistered id", h.Sign(accreditor, v), tx.CodeCredentialVerifierExists)
	var page tx.VerifierPage
	h.QueryJSON(t, "/credentials/verifiers", nil, &page)
	if len(page.Verifiers) != 2 || page.Verifiers[0].ID != "gangnam-library" || page.Verifiers[1].ID != "job-centre" {
		t.Fatalf("verifiers: got %+v", page)
	}
	if st := stats(t, h); st.Verifiers != 2 || st.Deregistered != 1 {
		t.Errorf("stats: got %+v", st)
	}
}

var unknown2 = tx.MsgCredentialRegisterVerifier{ID: "job-centre", Key: apptest.Bob.Pub, Name: "Job centre",
	Purpose: "training grants", Claims: []string{"resident_seoul", "employed"}}

// TestAccreditationWindows: an anchor is accepted only while a window of
// its issuer and schema contains the block time; windows never overlap; a
// withdrawal ends the current window and leaves earlier anchors alone.
func TestAccreditationWindows(t *testing.T) {
	h := start(t, &credentials.Genesis{Params: &credentials.Params{MaxWindows: 3}})
	h.RunFail("accredit unknown schema", h.Sign(accreditor, &tx.MsgCredentialAccredit{Issuer: issuerA.Addr, Schema: "seoul_resident", From: next(h)}),
		tx.CodeCredentialUnknownSchema, "seoul_resident")
	h.RunOK("schema", h.Sign(accreditor, seoulResident))
	anchor := &tx.MsgCredentialAnchor{Schema: "seoul_resident", Root: root("batch", 10), Count: 10}
	h.RunFail("anchor before any window", h.Sign(issuerA, anchor), tx.CodeCredentialNotAccredited, issuerA.Addr.String())

	early := next(h)
	h.RunFail("accredit by a non-accreditor", h.Sign(issuerA, &tx.MsgCredentialAccredit{Issuer: issuerA.Addr, Schema: "seoul_resident", From: early}),
		tx.CodeCredentialNotAccreditor)
	invalid(t, h, "until before from", accreditor, &tx.MsgCredentialAccredit{Issuer: issuerA.Addr, Schema: "seoul_resident", From: early, Until: early},
		"until: ", "want after from")
	invalid(t, h, "no from", accreditor, &tx.MsgCredentialAccredit{Issuer: issuerA.Addr, Schema: "seoul_resident"}, "from: want the start")
	// A window starting three blocks from now, for 4 blocks.
	from := h.BlockTime(h.Height + 3)
	w := &tx.MsgCredentialAccredit{Issuer: issuerA.Addr, Schema: "seoul_resident", From: from, Until: from.Add(4 * apptest.BlockInterval)}
	h.RunOK("accredit", h.Sign(accreditor, w)) // block from-2
	h.RunFail("overlapping window", h.Sign(accreditor, &tx.MsgCredentialAccredit{Issuer: issuerA.Addr, Schema: "seoul_resident",
		From: from.Add(3 * apptest.BlockInterval)}), tx.CodeCredentialWindowOverlap) // block from-1
	if next(h) != from {
		t.Fatalf("next block at %s, window from %s", next(h), from)
	}
	// CheckTx judges by the last block's time: the window's first block
	// is checked by FinalizeBlock alone.
	apptest.RequireOK(t, "anchor at the window's start", h.Deliver([][]byte{h.Sign(issuerA, anchor)}).TxResults[0])
	a := anchorOf(t, h, 1)
	if a.Issuer != issuerA.Addr || a.Schema != "seoul_resident" || a.Root != anchor.Root || a.Count != 10 || a.Height != h.Height || !a.Time.Equal(from) {
		t.Fatalf("anchor 1: got %+v", a)
	}
	h.RunFail("issuer B is not accredited", h.Sign(issuerB, anchor), tx.CodeCredentialNotAccredited)
	h.Block()
	res := h.RunOK("anchor in the window's last block", h.Sign(issuerA, anchor))
	if got := attr(t, res.Events, "credentials.anchored", "id"); got != "2" {
		t.Errorf("anchored id: got %s", got)
	}
	if next(h) != w.Until {
		t.Fatalf("next block at %s, window until %s", next(h), w.Until)
	}
	res = h.Deliver([][]byte{h.Sign(issuerA, anchor)}).TxResults[0]
	apptest.RequireCode(t, "anchor at the window's end", res, tx.CodeCredentialNotAccredited)
	h.RunFail("withdraw without an open window", h.Sign(accreditor, &tx.MsgCredentialWithdraw{Issuer: issuerA.Addr, Schema: "seoul_resident"}),
		tx.CodeCredentialNoOpenWindow)

	// An open-ended window right after, then withdrawn.
	h.RunOK("open window", h.Sign(accreditor, &tx.MsgCredentialAccredit{Issuer: issuerA.Addr, Schema: "seoul_resident", From: w.Until}))
	h.RunOK("anchor in the open window", h.Sign(issuerA, anchor))
	withdrawAt := next(h)
	res = h.RunOK("withdraw", h.Sign(accreditor, &tx.MsgCredentialWithdraw{Issuer: issuerA.Addr, Schema: "seoul_resident"}))
	if !apptest.HasEvent(res.Events, "credentials.withdrawn", "issuer", issuerA.Addr.String(), "schema", "seoul_resident") {
		t.Errorf("no withdrawn event in %v", res.Events)
	}
	h.RunFail("anchor after the withdrawal", h.Sign(issuerA, anchor), tx.CodeCredentialNotAccredited)
	acc := accreditationOf(t, h, issuerA.Addr, "seoul_resident")
	if len(acc.Windows) != 2 || !acc.Windows[1].Until.Equal(withdrawAt) || acc.Windows[1].WithdrawnHeight != h.Height-1 || !acc.Windows[0].Until.Equal(w.Until) {
		t.Fatalf("accreditation: got %+v", acc)
	}
	if a3 := anchorOf(t, h, 3); a3.Issuer != issuerA.Addr || a3.Height >= h.Height-1 {
		t.Fatalf("anchor 3 after the withdrawal: %+v", a3)
	}
	// A third window, then the maximum (3) is reached.
	later := next(h).Add(time.Hour)
	h.RunOK("third window", h.Sign(accreditor, &tx.MsgCredentialAccredit{Issuer: issuerA.Addr, Schema: "seoul_resident", From: later, Until: later.Add(time.Hour)}))
	h.RunFail("fourth window", h.Sign(accreditor, &tx.MsgCredentialAccredit{Issuer: issuerA.Addr, Schema: "seoul_resident", From: later.Add(2 * time.Hour)}),
		tx.CodeCredentialTooManyWindows)
	invalid(t, h, "anchor of 0", issuerA, &tx.MsgCredentialAnchor{Schema: "seoul_resident", Root: anchor.Root}, "count: 0")
	invalid(t, h, "anchor over the maximum", issuerA, &tx.MsgCredentialAnchor{Schema: "seoul_resident", Root: anchor.Root, Count: tx.MaxAnchorCount + 1}, "count: 100001")
	invalid(t, h, "anchor without a root", issuerA, &tx.MsgCredentialAnchor{Schema: "seoul_resident", Count: 1}, "root: want")

	var page tx.CredentialAnchorPage
	h.QueryJSON(t, "/credentials/anchors", apptest.MustJSON(t, tx.PageRequest{Limit: 2}), &page)
	if len(page.Anchors) != 2 || page.Anchors[1].ID != 2 || page.Next != "2" {
		t.Fatalf("anchors page: %+v", page)
	}
	page = tx.CredentialAnchorPage{}
	h.QueryJSON(t, "/credentials/anchors", apptest.MustJSON(t, tx.PageRequest{After: "2"}), &page)
	if len(page.Anchors) != 1 || page.Anchors[0].ID != 3 || page.Next != "" {
		t.Fatalf("anchors second page: %+v", page)
	}
	if st := stats(t, h); st.Anchors != 3 || st.Anchored != 30 || st.Accreditations != 1 {
		t.Errorf("stats: got %+v", st)
	}
	var accs tx.AccreditationPage
	h.QueryJSON(t, "/credentials/accreditations", apptest.MustJSON(t, tx.AccreditationsRequest{Issuer: &issuerA.Addr}), &accs)
	if len(accs.Accreditations) != 1 || accs.Accreditations[0].Schema != "seoul_resident" {
		t.Fatalf("issuer A's accreditations: %+v", accs)
	}
	accs = tx.AccreditationPage{}
	h.QueryJSON(t, "/credentials/accreditations", apptest.MustJSON(t, tx.AccreditationsRequest{Issuer: &issuerB.Addr}), &accs)
	if len(accs.Accreditations) != 0 {
		t.Fatalf("issuer B's accreditations: %+v", accs)
	}
}

// TestStatusLists: who creates lists; only the owner sets bits; a
// revocation bit is never cleared; the chunk layout is W3C's (bit 0 is the
// most significant bit of byte 0); a chunk is proven, present or absent.
func TestStatusLists(t *testing.T) {
	h := start(t, nil)
	h.RunOK("schema", h.Sign(accreditor, seoulResident))
	create := &tx.MsgCredentialCreateList{Name: "resident-2025", Purpose: tx.StatusRevocation, Size: tx.MinStatusListSize}
	h.RunFail("list by an unaccredited account", h.Sign(issuerA, create), tx.CodeCredentialNotListCreator, issuerA.Addr.String())
	accredit(t, h, issuerA, "seoul_resident")
	res := h.RunOK("list by an accredited issuer", h.Sign(issuerA, create))
	id := listID(issuerA, "resident-2025")
	if got := attr(t, res.Events, "credentials.list_created", "list"); got != id {
		t.Errorf("list_created list: got %q, want %q", got, id)
	}
	h.RunFail("list twice", h.Sign(issuerA, create), tx.CodeCredentialListExists, id)
	card := &tx.MsgCredentialCreateList{Name: "card", Purpose: tx.StatusSuspension, Size: 2 * tx.MinStatusListSize}
	h.RunOK("card list by the registration office", h.Sign(office, card))
	cardID := listID(office, "card")
	for _, c := range []struct {
		name string
		m    *tx.MsgCredentialCreateList
		log  string
	}{
		{"size not a multiple of a chunk", &tx.MsgCredentialCreateList{Name: "x", Purpose: tx.StatusRevocation, Size: tx.MinStatusListSize + 8}, "size 131080"},
		{"size too small", &tx.MsgCredentialCreateList{Name: "x", Purpose: tx.StatusRevocation, Size: 8192}, "size 8192"},
		{"size too large", &tx.MsgCredentialCreateList{Name: "x", Purpose: tx.StatusRevocation, Size: tx.MaxStatusListSize + 8192}, "size 16785408"},
		{"bad purpose", &tx.MsgCredentialCreateList{Name: "x", Purpose: "expiry", Size: tx.MinStatusListSize}, `purpose "expiry"`},
		{"bad name", &tx.MsgCredentialCreateList{Name: "A/b", Purpose: tx.StatusRevocation, Size: tx.MinStatusListSize}, `list name "A/b"`},
	} {
		invalid(t, h, c.name, office, c.m, c.log)
	}
	if l := listOf(t, h, id); l.Owner != issuerA.Addr || l.Size != tx.MinStatusListSize || l.Set != 0 || l.Purpose != tx.StatusRevocation {
		t.Fatalf("list: got %+v", l)
	}

	set := func(k apptest.Key, list string, value bool, idx ...uint32) *tx.MsgCredentialSetStatus {
		return &tx.MsgCredentialSetStatus{List: list, Indices: idx, Value: value}
	}
	h.RunFail("set by another account", h.Sign(issuerB, set(issuerB, id, true, 5)), tx.CodeCredentialNotListOwner)
	h.RunFail("unknown list", h.Sign(issuerA, set(issuerA, listID(issuerA, "nope"), true, 5)), tx.CodeCredentialUnknownList)
	h.RunFail("index past the size", h.Sign(issuerA, set(issuerA, id, true, 7, tx.MinStatusListSize)), tx.CodeCredentialIndexRange, "131072")
	invalid(t, h, "no indices", issuerA, set(issuerA, id, true), "indices: 0")
	invalid(t, h, "an index twice", issuerA, set(issuerA, id, true, 3, 9, 3), "indices: 3 listed twice")
	invalid(t, h, "bad list id", issuerA, set(issuerA, "nolist", true, 3), `list "nolist"`)
	many := make([]uint32, tx.MaxStatusIndices+1)
	for i := range many {
		many[i] = uint32(i)
	}
	invalid(t, h, "too many indices", issuerA, &tx.MsgCredentialSetStatus{List: id, Indices: many, Value: true}, "indices: 1001")

	res = h.RunOK("revoke 0, 9 and 8200", h.Sign(issuerA, set(issuerA, id, true, 0, 9, 8200)))
	if !apptest.HasEvent(res.Events, "credentials.status_set", "list", id, "count", "3", "value", "true") {
		t.Errorf("no status_set event in %v", res.Events)
	}
	for idx, want := range map[uint32]bool{0: true, 1: false, 8: false, 9: true, 8200: true, 8199: false} {
		if got := statusOf(t, h, id, idx); got != want {
			t.Errorf("bit %d: got %t, want %t", idx, got, want)
		}
	}
	h.RunFail("clear a revoked bit", h.Sign(issuerA, set(issuerA, id, false, 9)), tx.CodeCredentialRevocationFinal, id)
	h.RunOK("revoke 9 again", h.Sign(issuerA, set(issuerA, id, true, 9)))
	if l := listOf(t, h, id); l.Set != 3 {
		t.Errorf("list set count: got %d, want 3", l.Set)
	}

	// The chunks: raw, provable, bit 0 the most significant bit of byte 0.
	chunk := func(list string, c uint32) ([]byte, []byte) {
		res := h.Query("/credentials/status_chunk", apptest.MustJSON(t, tx.StatusChunkRequest{List: list, Chunk: c}), 0, true)
		var p ics23.CommitmentProof
		if err := p.Unmarshal(res.ProofOps.Ops[0].Data); err != nil {
			t.Fatal(err)
		}
		var value []byte
		if res.Code == 0 {
			value = res.Value
		} else if !tx.CodeAppNotFound.Matches(res.Codespace, res.Code) {
			t.Fatalf("chunk %d: %s/%d %s", c, res.Codespace, res.Code, res.Log)
		}
		if err := store.VerifyProof(h.Hashes[h.Height], &p, res.Key, value); err != nil {
			t.Fatalf("chunk %d of %s: %v", c, list, err)
		}
		return value, res.Key
	}
	c0, key := chunk(id, 0)
	if len(c0) != tx.StatusChunkBytes || c0[0] != 0x80 || c0[1] != 0x40 || popCount(c0) != 2 {
		t.Fatalf("chunk 0: %d bytes, starting %x", len(c0), c0[:4])
	}
	if want := credentials.StateKey(0x0b, issuerA.Addr, "resident-2025", 0); !bytes.Equal(key, want) {
		t.Errorf("chunk key: got %x, want %x", key, want)
	}
	if c1, _ := chunk(id, 1); c1[1] != 0x80 || popCount(c1) != 1 { // 8200 = 8192 + 8
		t.Fatalf("chunk 1 starts %x", c1[:4])
	}
	if c2, _ := chunk(id, 2); c2 != nil {
		t.Fatalf("chunk 2: got %d bytes, want none (all zero)", len(c2))
	}
	if res := h.Query("/credentials/status_chunk", apptest.MustJSON(t, tx.StatusChunkRequest{List: id, Chunk: 16}), 0, false); !tx.CodeAppBadQuery.Matches(res.Codespace, res.Code) {
		t.Errorf("chunk past the list: got %s/%d", res.Codespace, res.Code)
	}
	if res := h.Query("/credentials/status", apptest.MustJSON(t, tx.StatusRequest{List: listID(issuerB, "x"), Idx: 1}), 0, false); !tx.CodeCredentialUnknownList.Matches(res.Codespace, res.Code) {
		t.Errorf("status of an unknown list: got %s/%d", res.Codespace, res.Code)
	}

	// A suspension list: bits set and cleared; a cleared chunk is dropped.
	h.RunOK("suspend", h.Sign(office, set(office, cardID, true, 200_000, 17)))
	h.RunOK("reinstate", h.Sign(office, set(office, cardID, false, 200_000, 17)))
	if statusOf(t, h, cardID, 200_000) || listOf(t, h, cardID).Set != 0 {
		t.Fatalf("card bit still set after clearing")
	}
	if c, _ := chunk(cardID, 200_000/tx.StatusChunkBits); c != nil {
		t.Fatalf("cleared chunk still stored")
	}
	if st := stats(t, h); st.Lists != 2 || st.StatusSet != 3 {
		t.Errorf("stats: got %+v", st)
	}
	var lists tx.StatusListPage
	h.QueryJSON(t, "/credentials/lists", apptest.MustJSON(t, tx.StatusListsRequest{Owner: &office.Addr}), &lists)
	if len(lists.Lists) != 1 || lists.Lists[0].ID != cardID {
		t.Fatalf("office's lists: %+v", lists)
	}
	h.QueryJSON(t, "/credentials/lists", apptest.MustJSON(t, tx.StatusListsRequest{PageRequest: tx.PageRequest{Limit: 1}}), &lists)
	if len(lists.Lists) != 1 || lists.Next == "" {
		t.Fatalf("first page of lists: %+v", lists)
	}
	first, after := lists.Lists[0].ID, lists.Next
	lists = tx.StatusListPage{}
	h.QueryJSON(t, "/credentials/lists", apptest.MustJSON(t, tx.StatusListsRequest{PageRequest: tx.PageRequest{After: after}}), &lists)
	if len(lists.Lists) != 1 || lists.Lists[0].ID == first || lists.Next != "" {
		t.Fatalf("second page of lists: %+v", lists)
	}
}

func popCount(b []byte) int {
	n := 0
	for _, x := range b {
		for ; x != 0; x &= x - 1 {
			n++
		}
	}
	return n
}

// TestNoSection: with no genesis section the module writes nothing and
// exports nothing; its parameters are the defaults.
func TestNoSection(t *testing.T) {
	h := start(t, nil)
	h.Block()
	_, sections := h.ExportSections(t)
	if s, ok := sections[credentials.Codespace]; ok && string(s) != "null" {
		t.Fatalf("exported a credentials section from an empty module: %s", s)
	}
	var p credentials.Params
	h.QueryJSON(t, "/credentials/params", nil, &p)
	if p != credentials.DefaultParams() {
		t.Fatalf("params: got %+v", p)
	}
}
