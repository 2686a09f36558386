package certificates_test

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/certificates"
	"github.com/citychain/citychain/chain/tx"
)

// TestNoSectionWritesNothing: a chain whose genesis has no certificates
// section holds no certificates key (so other modules' golden hashes do not
// move), exports no section, and reads the default parameters.
func TestNoSectionWritesNothing(t *testing.T) {
	h := start(t, nil)
	h.Block()
	_, sections := h.ExportSections(t)
	if s, ok := sections["certificates"]; ok && string(s) != "null" {
		t.Fatalf("export of a chain without certificates: section %s, want none", s)
	}
	var p tx.CertificateParams
	h.QueryJSON(t, "/certificates/params", nil, &p)
	if p != certificates.DefaultParams() {
		t.Errorf("params: got %+v, want the defaults %+v", p, certificates.DefaultParams())
	}
	if s := stats(t, h); s != (tx.CertificateStats{NextAnchor: 1}) {
		t.Errorf("stats: got %+v, want nothing registered", s)
	}
	// The same chain with an empty section has the same state but for
	// the parameters it writes.
	g := certificates.DefaultGenesis()
	h2 := start(t, &g)
	h2.Block()
	if _, ok := get[tx.CertificateParams](t, h2, "/store", "\x0c\x01"); !ok {
		t.Errorf("a section with params wrote no params")
	}
	if _, ok := get[tx.CertificateParams](t, h, "/store", "\x0c\x01"); ok {
		t.Errorf("no section, but params were written")
	}
}

// TestRegisterKind: only the registrar registers kinds, once per id; the
// first kind naming an agency creates its record, active, listing its
// kinds in id order; a revoked agency gets no new kind; an agency's kinds
// are bounded.
func TestRegisterKind(t *testing.T) {
	g := certificates.DefaultGenesis()
	g.Params.MaxKindsPerAgency = 2
	h := start(t, &g)
	h.RunFail("not registrar", h.Sign(court, familyKind()), tx.CodeCertificateNotRegistrar, court.Addr.String())
	res := h.RunOK("register", h.Sign(registrar, familyKind()))
	registered := h.Height
	hasEvent(t, res.Events, "certificates.kind_registered", "kind", "family_relation", "agency", court.Addr.String(), "validity_days", "90")
	h.RunFail("twice", h.Sign(registrar, familyKind()), tx.CodeCertificateKindExists, `kind "family_relation"`, "immutable")
	k, ok := get[tx.CertificateKind](t, h, "/certificates/kind", "family_relation")
	if want := familyKind(); !ok || k.Name != want.Name || k.Agency != court.Addr || k.ValidityDays != 90 || !slices.Equal(k.Fields, want.Fields) || k.Height != registered {
		t.Errorf("kind: %+v", k)
	}
	basic := &tx.MsgCertificateRegisterKind{ID: "basic_certificate", Name: "기본증명서 (basic certificate)", Agency: court.Addr, ValidityDays: 90, Fields: []string{"holder_name"}}
	h.RunOK("second kind", h.Sign(registrar, basic))
	a := agencyOf(t, h, court.Addr)
	if a.Status != tx.AgencyActive || !slices.Equal(a.Kinds, []string{"basic_certificate", "family_relation"}) || len(a.Keys) != 0 {
		t.Errorf("agency: %+v", a)
	}
	third := &tx.MsgCertificateRegisterKind{ID: "marriage_relation", Name: "혼인관계증명서", Agency: court.Addr, Fields: []string{"holder_name"}}
	h.RunFail("third kind", h.Sign(registrar, third), tx.CodeCertificateTooMany, "2 kinds")
	h.RunOK("mois kind", h.Sign(registrar, residentKind()))
	h.RunOK("revoke mois", h.Sign(registrar, &tx.MsgCertificateSetAgencyStatus{Agency: mois.Addr, Status: tx.AgencyRevoked, Reason: "abolished"}))
	copyKind := &tx.MsgCertificateRegisterKind{ID: "resident_copy", Name: "주민등록표 등본", Agency: mois.Addr, Fields: []string{"holder_name"}}
	h.RunFail("kind of a revoked agency", h.Sign(registrar, copyKind), tx.CodeCertificateAgencyRevoked, mois.Addr.String())
	invalid(t, h, "bad fields", registrar, &tx.MsgCertificateRegisterKind{ID: "x", Name: "x", Agency: court.Addr, Fields: []string{"a", "a"}}, "listed twice")

	var page tx.CertificateKindPage
	h.QueryJSON(t, "/certificates/kinds", apptest.MustJSON(t, tx.PageRequest{Limit: 2}), &page)
	if len(page.Kinds) != 2 || page.Kinds[0].ID != "basic_certificate" || page.Kinds[1].ID != "family_relation" || page.Next != "family_relation" {
		t.Fatalf("kinds page 1: %+v", page)
	}
	after := page.Next
	page = tx.CertificateKindPage{}
	h.QueryJSON(t, "/certificates/kinds", apptest.MustJSON(t, tx.PageRequest{After: after, Limit: 2}), &page)
	if len(page.Kinds) != 1 || page.Kinds[0].ID != "resident_abstract" || page.Next != "" {
		t.Fatalf("kinds page 2: %+v", page)
	}
	if s := stats(t, h); s.Kinds != 3 || s.Agencies != 2 {
		t.Errorf("stats: %+v", s)
	}
}

// TestAgencyKeys: the key history. Only an agency adds keys, each once;
// only its own agency retires one; the agency or the registrar revokes
// one as compromised from a height between its from_height and the
// current height, and later only to an earlier height; the keys an
// agency adds are bounded.
func TestAgencyKeys(t *testing.T) {
	g := certificates.DefaultGenesis()
	g.Params.MaxKeysPerAgency = 2
	h := start(t, &g)
	h.RunOK("kinds", h.Sign(registrar, familyKind(), residentKind()))
	h.RunFail("not an agency", h.Sign(apptest.Alice, &tx.MsgCertificateAddKey{Key: courtKey1}), tx.CodeCertificateNotAgency, apptest.Alice.Addr.String())
	res := h.RunOK("add", h.Sign(court, &tx.MsgCertificateAddKey{Key: courtKey1}))
	hasEvent(t, res.Events, "certificates.key_added", "key", courtKey1.String(), "agency", court.Addr.String())
	added := h.Height
	h.RunFail("same key again, another agency", h.Sign(mois, &tx.MsgCertificateAddKey{Key: courtKey1}), tx.CodeCertificateKeyExists, courtKey1.String())
	invalid(t, h, "small-order key", court, &tx.MsgCertificateAddKey{Key: make(tx.PubKey, 32)}, "key")
	h.RunOK("second", h.Sign(court, &tx.MsgCertificateAddKey{Key: courtKey2}))
	h.RunFail("third", h.Sign(court, &tx.MsgCertificateAddKey{Key: apptest.NewKey("court-issuing-3").Pub}), tx.CodeCertificateTooMany, "2 keys")
	a := agencyOf(t, h, court.Addr)
	want := []tx.PubKey{courtKey1, courtKey2}
	slices.SortFunc(want, func(a, b tx.PubKey) int { return slices.Compare(a, b) })
	if len(a.Keys) != 2 || !slices.Equal(a.Keys[0], want[0]) || !slices.Equal(a.Keys[1], want[1]) {
		t.Errorf("agency keys: %v, want %v (byte order)", a.Keys, want)
	}
	if k := keyOf(t, h, courtKey1); k.Agency != court.Addr || k.FromHeight != added || !k.FromTime.Equal(h.BlockTime(added)) || k.Retired() {
		t.Errorf("key: %+v", k)
	}

	h.RunFail("retire, other agency", h.Sign(mois, &tx.MsgCertificateRetireKey{Key: courtKey2}), tx.CodeCertificateNotKeyAgency, court.Addr.String())
	h.RunFail("retire, unknown", h.Sign(court, &tx.MsgCertificateRetireKey{Key: moisKey1}), tx.CodeCertificateUnknownKey, moisKey1.String())
	h.RunOK("retire", h.Sign(court, &tx.MsgCertificateRetireKey{Key: courtKey2}))
	if k := keyOf(t, h, courtKey2); k.RetiredHeight != h.Height || !k.Retired() {
		t.Errorf("retired key: %+v", k)
	}
	h.RunFail("retire twice", h.Sign(court, &tx.MsgCertificateRetireKey{Key: courtKey2}), tx.CodeCertificateKeyRetired)

	h.RunFail("revoke by a stranger", h.Sign(apptest.Bob, &tx.MsgCertificateRevokeKey{Key: courtKey1, CompromisedHeight: added}),
		tx.CodeCertificateNotKeyAgency, "certificate_registrar")
	h.RunFail("compromised before the key", h.Sign(court, &tx.MsgCertificateRevokeKey{Key: courtKey1, CompromisedHeight: added - 1}),
		tx.CodeCertificateCompromisedRange, "from_height "+strconv.FormatInt(added, 10))
	h.RunFail("compromised in the future", h.Sign(court, &tx.MsgCertificateRevokeKey{Key: courtKey1, CompromisedHeight: h.Height + 5}),
		tx.CodeCertificateCompromisedRange, "current height")
	res = h.RunOK("revoke by the registrar", h.Sign(registrar, &tx.MsgCertificateRevokeKey{Key: courtKey1, CompromisedHeight: added + 2}))
	hasEvent(t, res.Events, "certificates.key_revoked", "key", courtKey1.String(), "compromised_height", strconv.FormatInt(added+2, 10), "by", registrar.Addr.String())
	if k := keyOf(t, h, courtKey1); k.CompromisedHeight != added+2 || k.RevokedHeight != h.Height || k.RevokedBy != registrar.Addr {
		t.Errorf("revoked key: %+v", k)
	}
	h.RunFail("revoke again, later", h.Sign(court, &tx.MsgCertificateRevokeKey{Key: courtKey1, CompromisedHeight: added + 3}),
		tx.CodeCertificateKeyRevoked, "only move compromised_height earlier")
	h.RunFail("revoke again, same", h.Sign(court, &tx.MsgCertificateRevokeKey{Key: courtKey1, CompromisedHeight: added + 2}), tx.CodeCertificateKeyRevoked)
	h.RunOK("revoke again, earlier", h.Sign(court, &tx.MsgCertificateRevokeKey{Key: courtKey1, CompromisedHeight: added}))
	if k := keyOf(t, h, courtKey1); k.CompromisedHeight != added || k.RevokedBy != court.Addr {
		t.Errorf("key revoked again: %+v", k)
	}
	h.RunFail("retire a revoked key", h.Sign(court, &tx.MsgCertificateRetireKey{Key: courtKey1}), tx.CodeCertificateKeyRevoked)
	h.RunOK("revoke a retired key", h.Sign(court, &tx.MsgCertificateRevokeKey{Key: courtKey2, CompromisedHeight: h.Height}))
	invalid(t, h, "height 0", court, &tx.MsgCertificateRevokeKey{Key: courtKey2}, "compromised_height: 0")
	if s := stats(t, h); s.Keys != 2 {
		t.Errorf("stats: %+v", s)
	}
}

// TestIssue: only the kind's agency anchors, while active, with its own key
// neither retired nor revoked; the anchor records the batch and an expiry
// of its block time plus the kind's validity (none for a kind without
// one); ids run from 1 and list by kind.
func TestIssue(t *testing.T) {
	h := setup(t)
	b := newBatch("family", 10)
	m := func(kind string, key tx.PubKey) *tx.MsgCertificateIssue {
		return &tx.MsgCertificateIssue{Kind: kind, Key: key, Root: b.root, Count: 10}
	}
	h.RunFail("unknown kind", h.Sign(court, m("marriage_relation", courtKey1)), tx.CodeCertificateUnknownKind, `"marriage_relation"`)
	h.RunFail("another agency's kind", h.Sign(mois, m("family_relation", moisKey1)), tx.CodeCertificateNotKindAgency, court.Addr.String())
	h.RunFail("a non-agency", h.Sign(apptest.Alice, m("family_relation", courtKey1)), tx.CodeCertificateNotKindAgency, apptest.Alice.Addr.String())
	h.RunFail("unknown key", h.Sign(court, m("family_relation", courtKey2)), tx.CodeCertificateUnknownKey, courtKey2.String())
	h.RunFail("another agency's key", h.Sign(court, m("family_relation", moisKey1)), tx.CodeCertificateNotKeyAgency, mois.Addr.String())
	invalid(t, h, "too many", court, &tx.MsgCertificateIssue{Kind: "family_relation", Key: courtKey1, Root: b.root, Count: 100_001}, "count: 100001")

	res := h.RunOK("issue", h.Sign(court, m("family_relation", courtKey1)))
	hasEvent(t, res.Events, "certificates.issued", "id", "1", "kind", "family_relation", "count", "10", "root", b.root.String())
	a := anchorOf(t, h, 1)
	at := h.BlockTime(h.Height)
	if a.Kind != "family_relation" || a.Agency != court.Addr || !slices.Equal(a.Key, courtKey1) || a.Root != b.root || a.Count != 10 ||
		a.Height != h.Height || !a.Time.Equal(at) || !a.Expires.Equal(at.Add(90*24*time.Hour)) {
		t.Errorf("anchor: %+v", a)
	}
	r := newBatch("resident", 3)
	if id := issue(t, h, mois, "resident_abstract", moisKey1, r); id != 2 {
		t.Errorf("second anchor id %d, want 2", id)
	}
	if a := anchorOf(t, h, 2); !a.Expires.IsZero() {
		t.Errorf("a kind without validity: expires %s", a.Expires)
	}

	h.RunOK("suspend", h.Sign(registrar, &tx.MsgCertificateSetAgencyStatus{Agency: court.Addr, Status: tx.AgencySuspended, Reason: "audit"}))
	h.RunFail("suspended agency", h.Sign(court, m("family_relation", courtKey1)), tx.CodeCertificateAgencyNotActive, "suspended", "audit")
	h.RunOK("a suspended agency rotates its key", h.Sign(court, &tx.MsgCertificateAddKey{Key: courtKey2}))
	h.RunOK("reinstate", h.Sign(registrar, &tx.MsgCertificateSetAgencyStatus{Agency: court.Addr, Status: tx.AgencyActive, Reason: "audit passed"}))
	issue(t, h, court, "family_relation", courtKey1, newBatch("family-2", 1))
	h.RunOK("retire", h.Sign(court, &tx.MsgCertificateRetireKey{Key: courtKey1}))
	h.RunFail("retired key", h.Sign(court, m("family_relation", courtKey1)), tx.CodeCertificateKeyRetired)
	h.RunOK("compromised", h.Sign(court, &tx.MsgCertificateRevokeKey{Key: courtKey2, CompromisedHeight: h.Height}))
	h.RunFail("revoked key", h.Sign(court, m("family_relation", courtKey2)), tx.CodeCertificateKeyRevoked)
	h.RunOK("revoke the agency", h.Sign(registrar, &tx.MsgCertificateSetAgencyStatus{Agency: court.Addr, Status: tx.AgencyRevoked, Reason: "fraud"}))
	h.RunFail("revoked agency", h.Sign(court, m("family_relation", courtKey1)), tx.CodeCertificateAgencyRevoked)
	h.RunFail("revoked is final", h.Sign(registrar, &tx.MsgCertificateSetAgencyStatus{Agency: court.Addr, Status: tx.AgencyActive, Reason: "x"}),
		tx.CodeCertificateAgencyRevoked, "final")
	h.RunFail("unknown agency", h.Sign(registrar, &tx.MsgCertificateSetAgencyStatus{Agency: apptest.Bob.Addr, Status: tx.AgencySuspended, Reason: "x"}),
		tx.CodeCertificateUnknownAgency)
	h.RunFail("status by a non-registrar", h.Sign(mois, &tx.MsgCertificateSetAgencyStatus{Agency: mois.Addr, Status: tx.AgencySuspended, Reason: "x"}),
		tx.CodeCertificateNotRegistrar)
	h.RunFail("add key, revoked agency", h.Sign(court, &tx.MsgCertificateAddKey{Key: apptest.NewKey("court-issuing-9").Pub}), tx.CodeCertificateAgencyRevoked)

	var page tx.CertificateAnchorPage
	h.QueryJSON(t, "/certificates/anchors", apptest.MustJSON(t, tx.CertificateAnchorsRequest{Kind: "family_relation"}), &page)
	if len(page.Anchors) != 2 || page.Anchors[0].ID != 1 || page.Anchors[1].ID != 3 || page.Next != "" {
		t.Errorf("family anchors: %+v", page)
	}
	page = tx.CertificateAnchorPage{}
	h.QueryJSON(t, "/certificates/anchors", apptest.MustJSON(t, tx.CertificateAnchorsRequest{PageRequest: tx.PageRequest{Limit: 2}}), &page)
	if len(page.Anchors) != 2 || page.Anchors[1].ID != 2 || page.Next != "2" {
		t.Errorf("anchors page 1: %+v", page)
	}
	page = tx.CertificateAnchorPage{}
	h.QueryJSON(t, "/certificates/anchors", apptest.MustJSON(t, tx.CertificateAnchorsRequest{PageRequest: tx.PageRequest{After: "2", Limit: 2}}), &page)
	if len(page.Anchors) != 1 || page.Anchors[0].ID != 3 || page.Next != "" {
		t.Errorf("anchors page 2: %+v", page)
	}
	if s := stats(t, h); s.Anchors != 3 || s.Certificates != 14 || s.NextAnchor != 4 {
		t.Errorf("stats: %+v", s)
	}
}

// TestRevoke: the anchor's agency or the registrar revokes a certificate
// proven in the anchor by its Merkle path, once; the revocation is
// provable, and so is the absence of one.
func TestRevoke(t *testing.T) {
	h := setup(t)
	b := newBatch("family", 7)
	id := issue(t, h, court, "family_relation", courtKey1, b)
	h.RunFail("unknown anchor", h.Sign(court, b.revoke(9, 0, "error")), tx.CodeCertificateUnknownAnchor, "anchor 9")
	h.RunFail("another agency", h.Sign(mois, b.revoke(id, 0, "error")), tx.CodeCertificateNotAnchorAgency, court.Addr.String())
	bad := b.revoke(id, 2, "error")
	bad.Leaf = b.leaf(3)
	h.RunFail("wrong leaf", h.Sign(court, bad), tx.CodeCertificateBadPath, "does not lead")
	bad = b.revoke(id, 2, "error")
	bad.Index = 3
	h.RunFail("wrong index", h.Sign(court, bad), tx.CodeCertificateBadPath)
	bad = b.revoke(id, 2, "error")
	bad.Index = 7
	h.RunFail("index past the count", h.Sign(court, bad), tx.CodeCertificateBadPath, "holds 7 certificates")
	bad = b.revoke(id, 2, "error")
	bad.Path = bad.Path[1:]
	h.RunFail("short path", h.Sign(court, bad), tx.CodeCertificateBadPath)

	if res := h.Query("/certificates/revocation", []byte(b.leaf(2).String()), 0, true); !tx.CodeAppNotFound.Matches(res.Codespace, res.Code) ||
		res.ProofOps == nil || len(res.ProofOps.Ops) != 1 {
		t.Fatalf("revocation before: %s/%d, proof %v; want absent with a proof", res.Codespace, res.Code, res.ProofOps)
	}
	res := h.RunOK("revoke", h.Sign(court, b.revoke(id, 2, "holder's marriage registered")))
	hasEvent(t, res.Events, "certificates.revoked", "leaf", b.leaf(2).String(), "anchor", "1", "index", "2", "by", court.Addr.String())
	r := revocationOf(t, h, b.leaf(2))
	if r == nil || r.Anchor != id || r.Index != 2 || r.Height != h.Height || r.Reason != "holder's marriage registered" || r.By != court.Addr {
		t.Fatalf("revocation: %+v", r)
	}
	if q := h.Query("/certificates/revocation", []byte(b.leaf(2).String()), 0, true); q.Code != 0 || q.ProofOps == nil || len(q.Value) == 0 {
		t.Errorf("revocation proof: %s/%d %v", q.Codespace, q.Code, q.ProofOps)
	}
	h.RunFail("twice", h.Sign(registrar, b.revoke(id, 2, "again")), tx.CodeCertificateAlreadyRevoked, "holder's marriage registered")
	h.RunOK("by the registrar", h.Sign(registrar, b.revoke(id, 6, "court order")))
	if s := stats(t, h); s.Revocations != 2 {
		t.Errorf("stats: %+v", s)
	}
	for _, q := range []struct{ path, data string }{
		{"/certificates/revocation", "00"}, {"/certificates/anchor", "0"}, {"/certificates/key", "xyz"},
		{"/certificates/agency", "12"}, {"/certificates/kind", "Bad"}, {"/certificates/anchors", `{"kind":"A"}`},
		{"/certificates/anchors", `{"limit":1001}`}, {"/certificates/kinds", `{"after":"-"}`},
	} {
		apptest.RequireCode(t, q.path+" "+q.data, h.Query(q.path, []byte(q.data), 0, false), tx.CodeAppBadQuery)
	}
	apptest.RequireCode(t, "unknown path", h.Query("/certificates/nope", nil, 0, false), tx.CodeAppUnknownQuery)
}

// TestVerdictFromChain: the verdict rules on records read from the chain.
// A key compromised at height c revokes what it anchored from c on, with
// no entry of its own (the cert-verifier-js #308 case), and nothing
// anchored before; a retired key's certificates stay valid; an own entry
// revokes one certificate; a suspended agency's read issuer_suspended
// until it is reinstated; a revoked agency's are all revoked; expiry is
// the anchor's, and expired is not revoked.
func TestVerdictFromChain(t *testing.T) {
	h := setup(t)
	early, late := newBatch("early", 4), newBatch("late", 4)
	idEarly := issue(t, h, court, "family_relation", courtKey1, early)
	h.Block()
	compromised := h.Height + 1
	h.Block()
	idLate := issue(t, h, court, "family_relation", courtKey1, late)
	r := newBatch("resident", 2)
	idRes := issue(t, h, mois, "resident_abstract", moisKey1, r)
	check := func(what string, id uint64, b batch, i int, want string) {
		t.Helper()
		if v, why := verdict(t, h, id, b, i); v != want {
			t.Errorf("%s: got %s (%s), want %s", what, v, why, want)
		}
	}
	check("early", idEarly, early, 0, tx.VerdictValid)
	check("late", idLate, late, 0, tx.VerdictValid)
	h.RunOK("compromise", h.Sign(court, &tx.MsgCertificateRevokeKey{Key: courtKey1, CompromisedHeight: compromised}))
	for i := range 4 {
		check("anchored before the compromise", idEarly, early, i, tx.VerdictValid)
		check("anchored after the compromise", idLate, late, i, tx.VerdictRevoked)
		if revocationOf(t, h, late.leaf(i)) != nil {
			t.Fatalf("certificate %d has an entry of its own", i)
		}
	}
	h.RunOK("revoke one", h.Sign(court, early.revoke(idEarly, 1, "error")))
	check("own entry", idEarly, early, 1, tx.VerdictRevoked)
	check("its neighbour", idEarly, early, 2, tx.VerdictValid)

	h.RunOK("retire", h.Sign(mois, &tx.MsgCertificateRetireKey{Key: moisKey1}))
	check("retired key", idRes, r, 0, tx.VerdictValid)
	h.RunOK("suspend", h.Sign(registrar, &tx.MsgCertificateSetAgencyStatus{Agency: mois.Addr, Status: tx.AgencySuspended, Reason: "audit"}))
	check("suspended agency", idRes, r, 0, tx.VerdictIssuerSuspended)
	h.RunOK("reinstate", h.Sign(registrar, &tx.MsgCertificateSetAgencyStatus{Agency: mois.Addr, Status: tx.AgencyActive, Reason: "ok"}))
	check("reinstated agency", idRes, r, 1, tx.VerdictValid)
	h.RunOK("revoke agency", h.Sign(registrar, &tx.MsgCertificateSetAgencyStatus{Agency: mois.Addr, Status: tx.AgencyRevoked, Reason: "fraud"}))
	check("revoked agency", idRes, r, 1, tx.VerdictRevoked)

	a := anchorOf(t, h, idEarly)
	key, ag := keyOf(t, h, a.Key), agencyOf(t, h, a.Agency)
	if v, _ := tx.CertificateVerdict(a, key, ag, nil, a.Expires.Add(-time.Nanosecond)); v != tx.VerdictValid {
		t.Errorf("just before expiry: %s", v)
	}
	if v, _ := tx.CertificateVerdict(a, key, ag, nil, a.Expires); v != tx.VerdictExpired {
		t.Errorf("at expiry: %s", v)
	}
}

// TestGenesisKinds: kinds given at genesis (the devnet's) are registered
// at height 0 with their agency active, and the agency adds keys and
// issues at once.
func TestGenesisKinds(t *testing.T) {
	g := certificates.DefaultGenesis()
	g.Kinds = tx.DevnetKinds(court.Addr)
	h := start(t, &g)
	h.Block()
	k, ok := get[tx.CertificateKind](t, h, "/certificates/kind", "family_relation")
	if !ok || k.Height != 0 || k.ValidityDays != 90 {
		t.Fatalf("family_relation at genesis: %+v", k)
	}
	a := agencyOf(t, h, court.Addr)
	if a.Status != tx.AgencyActive || len(a.Kinds) != len(g.Kinds) {
		t.Fatalf("agency: %+v", a)
	}
	h.RunOK("add key", h.Sign(court, &tx.MsgCertificateAddKey{Key: courtKey1}))
	issue(t, h, court, "income_statement", courtKey1, newBatch("income", 5))
	if s := stats(t, h); s.Kinds != uint64(len(g.Kinds)) || s.Agencies != 1 || s.Keys != 1 || s.Anchors != 1 || s.Certificates != 5 {
		t.Errorf("stats: %+v", s)
	}
	h.ExportRoundTrip(t)
}
