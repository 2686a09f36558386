package api

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
)

// The dashboard's citizens fixture on the shared chain, with keys of its
// own (so it meets none of the other fixtures' roles or ids): the "city"
// account, granted the accreditor, registration_office,
// facility_registrar and certificate_registrar roles by the authority,
// registers a schema, accredits the "issuer" account for it, registers a
// verifier, a facility, a card status list, a certificate kind of the
// issuer's, and two citizens (the second suspended: its card copy's bit
// set); the issuer creates a status list with one bit set, anchors a
// credential batch, adds an issuing key, anchors four certificates and
// revokes the second.
const (
	czSchema   = "dash_senior_discount"
	czVerifier = "dash-bus"
	czFacility = "dash-pool-mapo"
	czKind     = "dash_birth"
	czList     = "dash-eligibility"
	czCards    = "dash-cards"
	czSetIdx   = 4242
	czClearIdx = 100_000 // in a chunk never written: proven clear by absence
)

type citizensWorld struct {
	city, issuer       tx.Address
	cityKey            ed25519.PrivateKey
	citizen, suspended tx.Address // identities
	list               string     // the issuer's status list id
	certAnchor         uint64
	leaves             [][]byte // the certificates' leaves; leaves[1] is revoked
}

var (
	citizensOnce sync.Once
	citizensW    citizensWorld
	citizensErr  error
)

// citizensFixture builds the fixture on first use.
func citizensFixture(t *testing.T, c *testChain) citizensWorld {
	t.Helper()
	citizensOnce.Do(func() { citizensW, citizensErr = buildCitizens(t, c) })
	if citizensErr != nil {
		t.Fatalf("citizens fixture: %v", citizensErr)
	}
	return citizensW
}

// czKey is the fixture's key named name.
func czKey(name string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("api-test/citizens/" + name))
	return ed25519.NewKeyFromSeed(seed[:])
}

func czPub(name string) tx.PubKey { return tx.PubKey(czKey(name).Public().(ed25519.PublicKey)) }

func buildCitizens(t *testing.T, c *testChain) (citizensWorld, error) {
	nc, err := client.New(c.rpc)
	if err != nil {
		return citizensWorld{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	city, issuer := czKey("city"), czKey("issuer")
	w := citizensWorld{city: tx.AddressOf(city.Public().(ed25519.PublicKey)), issuer: tx.AddressOf(issuer.Public().(ed25519.PublicKey)), cityKey: city,
		citizen: czPub("citizen").Address(), suspended: czPub("citizen-2").Address()}
	w.list = tx.StatusListID(w.issuer, czList)
	cards := tx.StatusListID(w.city, czCards)
	for i := range 4 {
		d := sha256.Sum256([]byte(fmt.Sprintf("api-test/citizens certificate %d", i)))
		w.leaves = append(w.leaves, d[:])
	}
	// copies are n card copies' commitments in the card list and their
	// openings.
	copies := func(seed string, n int) ([]tx.Hash32, []tx.CardReveal) {
		var hs []tx.Hash32
		var rs []tx.CardReveal
		for i := range n {
			d := sha256.Sum256([]byte(fmt.Sprintf("api-test/citizens/%s/%d", seed, i)))
			idx := (uint32(d[0])<<16 | uint32(d[1])<<8 | uint32(d[2])) % tx.MinStatusListSize
			var salt [tx.CardSaltLen]byte
			copy(salt[:], d[3:])
			hs = append(hs, tx.CardCommitment(cards, idx, salt))
			rs = append(rs, tx.CardReveal{Idx: idx, Salt: salt[:]})
		}
		return hs, rs
	}
	c1, _ := copies("citizen", 2)
	c2, r2 := copies("citizen-2", 1)
	scn := tx.Coin{Amount: 1_000_000, Denom: tx.DenomSCoin}
	var grants []tx.Msg
	for _, r := range []string{tx.RoleAccreditor, tx.RoleRegistrationOffice, tx.RoleFacilityRegistrar, tx.RoleCertificateRegistrar} {
		grants = append(grants, &tx.MsgRoleGrant{Address: w.city, Role: r})
	}
	steps := []struct {
		priv ed25519.PrivateKey
		msgs []tx.Msg
	}{
		{c.key(t, "treasury").Private, []tx.Msg{&tx.MsgSend{To: w.city, Amount: scn}, &tx.MsgSend{To: w.issuer, Amount: scn}}},
		{c.key(t, "authority").Private, grants},
		{city, []tx.Msg{
			&tx.MsgCredentialRegisterSchema{ID: czSchema, Name: "Senior fare discount (dashboard test)", Claims: []string{"resident_seoul", "age_over_65"}},
			&tx.MsgCredentialAccredit{Issuer: w.issuer, Schema: czSchema, From: time.Now().Add(-time.Hour).UTC().Truncate(time.Second)},
			&tx.MsgCredentialRegisterVerifier{ID: czVerifier, Key: czPub("bus-gate"), Name: "Seoul bus gates", Purpose: "senior fare discount at the gate",
				Claims: []string{"age_over_65"}},
			&tx.MsgIdentityRegisterFacility{ID: czFacility, Name: "Mapo public pool", Kind: "pool", Claims: []string{"resident_seoul"}, AcceptsTokens: true},
			&tx.MsgCredentialCreateList{Name: czCards, Purpose: tx.StatusSuspension, Size: tx.MinStatusListSize},
			&tx.MsgCertificateRegisterKind{ID: czKind, Name: "Birth certificate (dashboard test)", Agency: w.issuer, ValidityDays: 365,
				Fields: []string{"holder_name", "birth_date", "birth_place"}},
		}},
		{city, []tx.Msg{
			&tx.MsgIdentityRegister{DeviceKey: czPub("citizen"), CardList: cards, Commitments: c1},
			&tx.MsgIdentityRegister{DeviceKey: czPub("citizen-2"), CardList: cards, Commitments: c2},
			&tx.MsgIdentitySuspend{ID: w.suspended, Reason: "phone reported stolen", Reveal: r2},
		}},
		{issuer, []tx.Msg{
			&tx.MsgCredentialCreateList{Name: czList, Purpose: tx.StatusSuspension, Size: tx.MinStatusListSize},
			&tx.MsgCredentialSetStatus{List: w.list, Indices: []uint32{czSetIdx}, Value: true},
			&tx.MsgCredentialAnchor{Schema: czSchema, Root: tx.MerkleRoot([][]byte{[]byte("x"), []byte("y"), []byte("z")}), Count: 3},
			&tx.MsgCertificateAddKey{Key: czPub("issuing")},
			&tx.MsgCertificateIssue{Kind: czKind, Key: czPub("issuing"), Root: tx.MerkleRoot(w.leaves), Count: uint32(len(w.leaves))},
		}},
	}
	for _, st := range steps {
		res, err := nc.Submit(ctx, st.priv, "api citizens dashboard test", st.msgs...)
		if err != nil {
			return w, fmt.Errorf("%s: %w", st.msgs[0].Type(), err)
		}
		if id, ok := res.Attr("certificates.issued", "id"); ok {
			if w.certAnchor, err = strconv.ParseUint(id, 10, 64); err != nil {
				return w, fmt.Errorf("certificates.issued id %q: %w", id, err)
			}
		}
	}
	rev := &tx.MsgCertificateRevoke{Anchor: w.certAnchor, Index: 1, Leaf: tx.Hash32(w.leaves[1]), Path: tx.MerklePath(w.leaves, 1), Reason: "issued in error"}
	if _, err := nc.Submit(ctx, issuer, "", rev); err != nil {
		return w, fmt.Errorf("revoke: %w", err)
	}
	return w, nil
}

// en formats n as the page does (toLocaleString("en")).
func en(n uint64) string {
	s := strconv.FormatUint(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// TestCitizensBrowser opens the dashboard's citizens tab in headless
// Chromium against the shared chain with citizensFixture's records: the
// counts equal the API's; the facilities, schemas with their accredited
// issuer, verifiers and certificate kinds tables show the fixture's; the
// three look-ups (identity, credential status, certificate leaf) show the
// records read with a verified proof, presence or absence; bad input shows
// the API's reason; a facility registered while the page is open appears
// through the event stream; the overview tab hides it again; a screenshot
// goes to $ARTIFACTS (or .tmp/artifacts).
func TestCitizensBrowser(t *testing.T) {
	chromium := chromiumPath(t)
	c := getChain(t)
	w := citizensFixture(t, c)
	ts := startServer(t, c, func(cfg *Config) { cfg.AnonymousReads, cfg.AnonymousRate, cfg.AnonymousBurst = true, 200, 400 })
	var (
		ids   tx.IdentityStats
		creds tx.CredentialStats
		certs tx.CertificateStats
	)
	ts.getJSON(t, "/v1/identity/stats", &ids)
	ts.getJSON(t, "/v1/credentials/stats", &creds)
	ts.getJSON(t, "/v1/certificates/stats", &certs)
	if ids.Suspended < 1 || ids.Active < 1 || certs.Revocations < 1 {
		t.Fatalf("got identity stats %+v and certificate stats %+v, want the fixture's active and suspended citizens and revocation", ids, certs)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	bctx, poll := startBrowser(t, ctx, chromium)
	run := func(what, js string) {
		t.Helper()
		if _, err := chromedp.Run(bctx, chromedp.Evaluate[bool](js+`; true`)); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(id string) string { return fmt.Sprintf(`(document.getElementById(%q).textContent || "")`, id) }
	// row is the text of the row of table id holding s.
	row := func(id, s string) string {
		return fmt.Sprintf(`([...document.querySelectorAll("#%s tr")].find((r) => r.textContent.includes(%q))?.textContent || "")`, id, s)
	}
	has := func(expr string, subs ...string) string {
		var b []string
		for _, s := range subs {
			b = append(b, fmt.Sprintf(`%s.includes(%q)`, expr, s))
		}
		return strings.Join(b, " && ")
	}
	submit := func(form string, values map[string]string) {
		t.Helper()
		js := ""
		for id, v := range values {
			js += fmt.Sprintf(`document.getElementById(%q).value = %q; `, id, v)
		}
		run("submit "+form, js+fmt.Sprintf(`document.getElementById(%q).requestSubmit()`, form))
	}

	if _, err := chromedp.Run(bctx, chromedp.Navigate(ts.url+"/#citizens")); err != nil {
		t.Fatal(err)
	}
	poll("the citizens tab", `!document.getElementById("citizens").hidden && document.getElementById("overview").hidden && document.getElementById("vehicles").hidden && `+
		`document.getElementById("tab-citizens").className === "on"`)
	counts := map[string]uint64{"cz-identities": ids.Identities, "cz-facilities": ids.Facilities, "cz-schemas": creds.Schemas,
		"cz-verifiers": creds.Verifiers - creds.Deregistered, "cz-lists": creds.Lists, "cz-cred-anchors": creds.Anchors,
		"cz-kinds": certs.Kinds, "cz-cert-anchors": certs.Anchors, "cz-revocations": certs.Revocations}
	var want []string
	for id, n := range counts {
		want = append(want, fmt.Sprintf(`%s === %q`, text(id), en(n)))
	}
	poll("the counts", strings.Join(want, " && ")+` && `+has(text("cz-identities-by"), en(ids.Active)+" active", en(ids.Suspended)+" suspended")+
		` && `+has(text("cz-facilities-by"), "pool")+` && Number(`+text("cz-accredited")+`) >= 1`)
	poll("the facility", has(row("cz-facility-list", czFacility), "Mapo public pool", "pool", "resident_seoul", "yes", w.city.String()[:10]))
	poll("the schema with its accredited issuer", has(row("cz-schema-list", czSchema), "Senior fare discount", "resident_seoul", "age_over_65",
		w.issuer.String()[:10], "open-ended", "open"))
	poll("the verifier: who may ask for what", has(row("cz-verifier-list", czVerifier), "Seoul bus gates", "senior fare discount at the gate", "age_over_65", "active"))
	poll("the certificate kind", has(row("cz-kind-list", czKind), "Birth certificate", "365 days", "holder_name", "birth_date", "birth_place",
		w.issuer.String()[:10], "active"))
	if certs.Kinds > 1 {
		poll("every certificate kind", fmt.Sprintf(`document.querySelectorAll("#cz-kind-list tr").length === %d`, certs.Kinds+1))
	}

	// The three look-ups, each proven: an identity from a deep link, an
	// unregistered one and an active one from the form.
	if _, err := chromedp.Run(bctx, chromedp.Navigate(ts.url+"/#identity/"+w.suspended.String())); err != nil {
		t.Fatal(err)
	}
	poll("the suspended identity from a deep link", has(text("id-info"), w.suspended.String(), "suspended", "1 copy committed, 1 revealed")+
		` && document.getElementById("id-verify").className === "verdict ok" && document.getElementById("idinput").value === "`+w.suspended.String()+`"`)
	nobody := czPub("nobody").Address().String()
	submit("idform", map[string]string{"idinput": nobody})
	poll("an unregistered identity, its absence proven", has(text("id-info"), nobody, "not registered (absence proven)")+
		` && document.getElementById("id-verify").className === "verdict ok" && `+has(text("id-verify"), "the absence of an identity record"))
	submit("idform", map[string]string{"idinput": w.citizen.String()})
	poll("the citizen's identity, proven", `location.hash === "#identity/`+w.citizen.String()+`" && !document.getElementById("id-result").hidden && `+
		has(text("id-info"), w.citizen.String(), "active", "1 key in use", "2 copies committed", w.city.String()[:10])+
		` && document.getElementById("id-verify").className === "verdict ok" && `+has(text("id-verify"), "✓ proof verified: identity record (active) at height", "voting power"))

	submit("stform", map[string]string{"stlist": w.list, "stidx": strconv.Itoa(czSetIdx)})
	poll("a set status bit, proven", has(text("st-info"), w.list, "suspension", "set suspended", strconv.Itoa(czSetIdx))+
		` && document.getElementById("st-verify").className === "verdict ok" && `+has(text("st-verify"), fmt.Sprintf("✓ proof verified: bit %d set", czSetIdx)))
	submit("stform", map[string]string{"stlist": w.list, "stidx": strconv.Itoa(czClearIdx)})
	poll("a clear status bit, proven by the chunk's absence", has(text("st-info"), "clear not suspended", strconv.Itoa(czClearIdx))+
		` && document.getElementById("st-verify").className === "verdict ok" && `+has(text("st-verify"), fmt.Sprintf("bit %d clear", czClearIdx), "absent: all clear"))

	revoked, valid := tx.Hash32(w.leaves[1]).String(), tx.Hash32(w.leaves[0]).String()
	submit("leafform", map[string]string{"leafinput": revoked})
	poll("the revoked certificate, proven", has(text("leaf-info"), revoked, "revoked", "issued in error", fmt.Sprintf("#%d, index 1", w.certAnchor))+
		` && document.getElementById("leaf-verify").className === "verdict ok" && `+has(text("leaf-verify"), "✓ proof verified: revocation entry"))
	png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100)) // 100: PNG
	if err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(artifactDir(t), "dashboard-citizens.png")
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	submit("leafform", map[string]string{"leafinput": valid})
	poll("a certificate never revoked, its absence proven", `location.hash === "#certificate-leaf/`+valid+`" && `+
		has(text("leaf-info"), valid, "no revocation entry (absence proven)")+
		` && document.getElementById("leaf-verify").className === "verdict ok" && `+has(text("leaf-verify"), "the absence of a revocation entry"))

	// Bad input: the API's reason, and no stale answer.
	submit("idform", map[string]string{"idinput": "xyz"})
	poll("the API's reason for a bad identity id", has(text("id-error"), `id "xyz"`, "40 hex characters")+` && document.getElementById("id-result").hidden`)
	submit("leafform", map[string]string{"leafinput": "abc"})
	poll("the API's reason for a bad leaf", has(text("leaf-error"), "abc")+` && document.getElementById("leaf-result").hidden`)
	submit("stform", map[string]string{"stlist": w.issuer.String() + "/no-such-list", "stidx": "1"})
	poll("the API's reason for an unknown list", has(text("st-error"), "no-such-list", "does not exist")+` && document.getElementById("st-result").hidden`)

	// A facility registered while the page is open arrives through the
	// event stream.
	nc, err := client.New(c.rpc)
	if err != nil {
		t.Fatal(err)
	}
	live := fmt.Sprintf("dash-library-%d", ids.Facilities) // a new id on every run against the shared chain
	if _, err := nc.Submit(ctx, w.cityKey, "", &tx.MsgIdentityRegisterFacility{ID: live, Name: "Mapo library (live)", Kind: "library",
		Claims: []string{"resident_seoul"}}); err != nil {
		t.Fatal(err)
	}
	poll("the new facility, live", has(row("cz-facility-list", live), "Mapo library (live)", "library", "no")+
		` && `+text("cz-facilities")+fmt.Sprintf(` === %q`, en(ids.Facilities+1)))
	run("open the overview tab", `document.getElementById("tab-overview").click()`)
	poll("the overview, the citizens tab hidden", `!document.getElementById("overview").hidden && document.getElementById("citizens").hidden && `+
		`document.getElementById("tab-overview").className === "on" && document.getElementById("tab-citizens").className === ""`)
	t.Logf("citizens tab verified; screenshot %s", shot)
}
