package api

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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

// rgName is the dashboard test's registry: street event permits, filed by
// a clerk, approved (setting approved_on and permit_code) and closed by
// two clerks' approvals; a filed permit lapses after 30 days.
const rgName = "dash_events"

var registriesOnce sync.Once

func rgDef() tx.RegistryDef {
	schema := `{
  "type": "object", "additionalProperties": false, "title": "Street event permit",
  "properties": {
    "title": {"type": "string", "title": "Event title", "minLength": 3, "maxLength": 80},
    "kind": {"type": "string", "title": "Kind", "enum": ["street_stall", "parade", "market"]},
    "guests": {"type": "integer", "title": "Expected guests", "minimum": 1, "maximum": 5000},
    "organiser": {"type": "string", "title": "Organiser", "format": "address"},
    "event_date": {"type": "string", "title": "Event date", "format": "date"},
    "outdoor": {"type": "boolean", "title": "Outdoor"},
    "streets": {"type": "array", "title": "Streets", "items": {"type": "string", "maxLength": 40}, "maxItems": 5},
    "approved_on": {"type": "string", "title": "Approved on", "format": "date"},
    "permit_code": {"type": "string", "title": "Permit code", "pattern": "^EV-[0-9]{4}$", "maxLength": 7}
  },
  "required": ["title", "kind", "guests", "organiser", "event_date"]
}`
	return tx.RegistryDef{
		Name: rgName, Version: "1.0", Title: "Street event permits (dashboard test)",
		Description: "A district's permits for street events.",
		Schema:      json.RawMessage(schema), Privacy: tx.PrivacyPublic,
		Roles:       []tx.RegistryRole{{Name: "clerk", Description: "district clerk"}},
		CreateRoles: []string{"clerk"}, Initial: "filed",
		States: []tx.RegistryState{
			{Name: "filed", Deadline: &tx.RegistryDeadline{AfterDays: 30, To: "lapsed"}},
			{Name: "approved"}, {Name: "closed", Final: true}, {Name: "lapsed", Final: true},
		},
		Transitions: []tx.RegistryTransition{
			{Name: "approve", From: []string{"filed"}, To: "approved", Roles: []string{"clerk"}, Patch: []string{"approved_on", "permit_code"}},
			{Name: "close", From: []string{"approved"}, To: "closed", Roles: []string{"clerk"}, Approvals: 2},
		},
		Indexes: []string{"organiser", "kind"},
		Limits:  tx.RegistryLimits{MaxRecordBytes: 2048, MaxRecords: 1000},
	}
}

// rgSeed is the seed of the fixture's key named name.
func rgSeed(name string) []byte {
	s := sha256.Sum256([]byte("api-test/registries/" + name))
	return s[:]
}

func rgAddr(name string) tx.Address {
	return tx.AddressOf(ed25519.NewKeyFromSeed(rgSeed(name)).Public().(ed25519.PublicKey))
}

// buildRegistries enables rgName on the shared chain: the authority grants
// the agency account registry_agency, the agency proposes the definition,
// the authority (the devnet's only one: k = 1) enables it, and the owner
// grants clerk to the "clerk" key (whose seed the page is given) and to
// "clerk-2".
func buildRegistries(t *testing.T, nc *client.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	def := rgDef()
	if _, err := def.Validate(); err != nil {
		t.Fatalf("test definition: %v", err)
	}
	id, err := tx.RegistryDefID(&def)
	if err != nil {
		t.Fatal(err)
	}
	text, err := json.Marshal(def)
	if err != nil {
		t.Fatal(err)
	}
	agency := ed25519.NewKeyFromSeed(rgSeed("agency"))
	c := getChain(t)
	scn := tx.Coin{Amount: 1_000_000, Denom: tx.DenomSCoin}
	steps := []struct {
		priv ed25519.PrivateKey
		msgs []tx.Msg
	}{
		{c.key(t, "treasury").Private, []tx.Msg{&tx.MsgSend{To: rgAddr("agency"), Amount: scn}, &tx.MsgSend{To: rgAddr("clerk"), Amount: scn},
			&tx.MsgSend{To: rgAddr("clerk-2"), Amount: scn}}},
		{c.key(t, "authority").Private, []tx.Msg{&tx.MsgRoleGrant{Address: rgAddr("agency"), Role: tx.RoleRegistryAgency}}},
		{agency, []tx.Msg{&tx.MsgRegistryPropose{Def: string(text)}}},
		{c.key(t, "authority").Private, []tx.Msg{&tx.MsgRegistryEnable{Name: rgName, Def: id}}},
		{agency, []tx.Msg{&tx.MsgRegistryGrant{Registry: rgName, Role: "clerk", Grantee: rgAddr("clerk")},
			&tx.MsgRegistryGrant{Registry: rgName, Role: "clerk", Grantee: rgAddr("clerk-2")}}},
	}
	for _, st := range steps {
		if _, err := nc.Submit(ctx, st.priv, "api registries dashboard test", st.msgs...); err != nil {
			t.Fatalf("%s: %v", st.msgs[0].Type(), err)
		}
	}
}

// TestRegistriesBrowser opens the dashboard's registries tab in headless
// Chromium against the shared chain with a registry enabled by
// transactions: the list shows it; its page shows the definition (states,
// deadline, transitions with roles and k) and counts; the electronic form
// rendered from its schema shows the API's validation error with its path
// next to the bad field and clears it when fixed; "sign & submit" signs in
// the page with a pasted seed: a key holding no grant is refused with the
// chain's code, the clerk's key creates the record, whose transaction
// bytes are exactly tx.Build's for the same message and key; the record
// shows in its state; the move form moves it through "approve" (with its
// patch) and records a first approval of the 2-of-n "close", which a
// second clerk's transaction completes while the page is open (event
// stream); "verify proof" verifies the record; the state filter filters.
func TestRegistriesBrowser(t *testing.T) {
	chromium := chromiumPath(t)
	c := getChain(t)
	nc, err := client.New(c.rpc)
	if err != nil {
		t.Fatal(err)
	}
	registriesOnce.Do(func() { buildRegistries(t, nc) })
	// The records made by earlier runs against the same chain (go test
	// -count=N): all closed.
	before, err := nc.RegistryCount(context.Background(), rgName, 0)
	if err != nil {
		t.Fatalf("registry %s not enabled: %v", rgName, err)
	}
	n := before.Records + 1 // the record this run creates
	ns := strconv.FormatUint(n, 10)
	ts := startServer(t, c, func(cfg *Config) { cfg.AnonymousReads, cfg.AnonymousRate, cfg.AnonymousBurst = true, 200, 400 })

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	bctx, poll := startBrowser(t, ctx, chromium)
	run := func(what, js string) {
		t.Helper()
		if _, err := chromedp.Run(bctx, chromedp.Evaluate[bool](js+`; true`)); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	str := func(js string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return s
	}
	text := func(id string) string { return fmt.Sprintf(`(document.getElementById(%q).textContent || "")`, id) }
	has := func(expr string, subs ...string) string {
		var b []string
		for _, s := range subs {
			b = append(b, fmt.Sprintf(`%s.includes(%q)`, expr, s))
		}
		return strings.Join(b, " && ")
	}
	// set types v into input id as a user would (input and change events).
	set := func(id, v string) {
		t.Helper()
		run("set "+id, fmt.Sprintf(`{ const e = document.getElementById(%q); e.value = %q; e.dispatchEvent(new Event("input", {bubbles: true})); e.dispatchEvent(new Event("change", {bubbles: true})) }`, id, v))
	}

	// The page needs the API key to submit (reads are anonymous here).
	if _, err := chromedp.Run(bctx, chromedp.Navigate(ts.url+"/")); err != nil {
		t.Fatal(err)
	}
	run("store the API key", fmt.Sprintf(`localStorage.setItem("citychain-api-key", %q)`, testKey))
	if _, err := chromedp.Run(bctx, chromedp.Navigate(ts.url+"/#registries")); err != nil {
		t.Fatal(err)
	}
	poll("the registries tab", `!document.getElementById("registries").hidden && document.getElementById("overview").hidden && `+
		`document.getElementById("tab-registries").className === "on"`)
	link := fmt.Sprintf(`document.querySelector('#rg-list a[href="#registry/%s"]')`, rgName)
	poll("the registry in the list", `!!`+link+` && `+has(`(`+link+`.closest("tr").textContent)`, "Street event permits", "1.0", "public"))
	run("open the registry", link+`.click()`)
	poll("the definition", text("rg-name")+fmt.Sprintf(` === %q`, rgName)+` && `+has(text("rg-states"), "filed", "after 30 days → lapsed", "closed", "final")+
		` && `+has(text("rg-trans"), "approve", "approved_on", "permit_code", "close", "2 of the role holders", "clerk")+
		` && `+has(text("rg-def"), "public", "organiser", "2,048 bytes")+` && `+text("rg-total")+fmt.Sprintf(` === %q`, en(before.Records)))

	// The form from the schema: one input per property, by type.
	poll("the electronic form", `document.getElementById("rg-create-f-kind")?.tagName === "SELECT" && document.getElementById("rg-create-f-guests")?.type === "number" && `+
		`document.getElementById("rg-create-f-event_date")?.type === "date" && document.getElementById("rg-create-f-outdoor")?.type === "checkbox" && `+
		`document.getElementById("rg-create-f-streets")?.tagName === "TEXTAREA" && document.getElementById("rg-create-f-organiser")?.getAttribute("pattern") === "[0-9a-f]{40}"`)
	clerk := rgAddr("clerk").String()
	title := "Café <Mapo> & Co night market"
	set("rg-create-f-title", title)
	set("rg-create-f-kind", "market")
	set("rg-create-f-organiser", clerk)
	set("rg-create-f-event_date", "2025-05-05")
	run("tick outdoor", `document.getElementById("rg-create-f-outdoor").checked = true`)
	set("rg-create-f-streets", "Mapo-daero\nWorldcup-ro")
	set("rg-create-f-guests", "0")
	poll("the API's validation error at the guests field", has(text("rg-create-f-guests-err"), "/guests")+
		` && document.querySelector('.rg-field[data-field="guests"]').classList.contains("invalid") && document.getElementById("rg-create-ok").dataset.valid === "false"`)
	set("rg-create-f-guests", "400")
	poll("the fixed record validating", has(text("rg-create-ok"), "✓ valid under schema")+` && `+text("rg-create-f-guests-err")+` === ""`)

	// A key holding no grant of clerk (the owner's: it holds no role
	// implicitly) is refused with the chain's code.
	set("rg-key", hex.EncodeToString(rgSeed("agency")))
	poll("the signer's address", has(text("rg-signer"), rgAddr("agency").String()))
	run("submit", `document.getElementById("rg-create").requestSubmit()`)
	poll("the chain's refusal", has(text("rg-create-status"), "✗", "rejected", fmt.Sprintf("%s code %d", tx.CodeRegistryUnauthorized.Codespace, tx.CodeRegistryUnauthorized.Code))+
		` && document.getElementById("rg-create-status").classList.contains("fail")`)

	set("rg-key", hex.EncodeToString(rgSeed("clerk")))
	poll("the clerk's address", has(text("rg-signer"), clerk))
	run("submit", `document.getElementById("rg-create").requestSubmit()`)
	poll("the record created", has(text("rg-create-status"), "✓ record #"+ns+" created in state filed")+
		fmt.Sprintf(` && location.hash === "#registry/%s/%d"`, rgName, n)+` && !document.getElementById("rg-record").hidden && `+
		has(text("rg-rec-state"), "filed")+` && `+has(text("rg-rec-data"), title, "400", "Mapo-daero")+
		fmt.Sprintf(` && !!document.querySelector('#rg-records tr[data-id="%d"][data-state="filed"]') && `, n)+text("rg-total")+fmt.Sprintf(` === %q`, en(n)))

	// The page's transaction is byte for byte what tx.Build makes of the
	// same message with the same key.
	raw, err := hex.DecodeString(str(`document.getElementById("rg-last-tx").dataset.tx`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := tx.Decode(raw)
	if err != nil {
		t.Fatalf("the page's transaction: %v", err)
	}
	if err := got.Verify(); err != nil {
		t.Fatal(err)
	}
	want, err := tx.Build(ed25519.NewKeyFromSeed(rgSeed("clerk")), got.Body.ChainID, got.Body.Sequence, "", got.Msgs...)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(raw, want) {
		t.Fatalf("the page's transaction differs from tx.Build's:\npage  %s\nBuild %s", got.BodyBytes, want[5:len(want)-64])
	}
	m, ok := got.Msgs[0].(*tx.MsgRegistryCreate)
	if !ok || m.Registry != rgName || !bytes.Contains(m.Data, []byte(`"guests":400`)) || !bytes.Contains(m.Data, []byte(`"outdoor":true`)) {
		t.Fatalf("the page sent %T %s, want a registry/create of %s with the form's data", got.Msgs[0], got.BodyBytes, rgName)
	}
	rec, _, err := nc.RegistryRecord(ctx, rgName, n, client.ReadOpts{})
	if err != nil || rec == nil || rec.State != "filed" || rec.Creator != rgAddr("clerk") || !strings.Contains(string(rec.Data), `"title":"Café \u003cMapo\u003e \u0026 Co night market"`) && !strings.Contains(string(rec.Data), title) {
		t.Fatalf("record %d on chain: %+v, %v", n, rec, err)
	}

	// The move form: approve, with its patch.
	poll("the move form", `[...document.getElementById("rg-move-trans").options].map((o) => o.value).join() === "approve" && `+
		`!!document.getElementById("rg-move-f-approved_on") && !!document.getElementById("rg-move-f-permit_code") && !document.getElementById("rg-move-f-guests")`)
	set("rg-move-f-permit_code", "EV-12")
	poll("the patch's validation error", has(text("rg-move-f-permit_code-err"), "/permit_code"))
	set("rg-move-f-permit_code", "EV-0042")
	set("rg-move-f-approved_on", "2025-04-01")
	poll("the patched record validating", has(text("rg-move-ok"), "✓ valid"))
	run("move", `document.getElementById("rg-move").requestSubmit()`)
	poll("the record approved", has(text("rg-move-status"), "✓ approve: record #"+ns+" is now approved (version 2)")+` && `+has(text("rg-rec-state"), "approved")+
		` && `+has(text("rg-rec-data"), "EV-0042", "2025-04-01")+` && document.querySelectorAll("#rg-history tr").length === 3`)

	// close needs two clerks: the page's is the first approval...
	poll("close offered", `[...document.getElementById("rg-move-trans").options].map((o) => o.value).join() === "close"`)
	run("move", `document.getElementById("rg-move").requestSubmit()`)
	poll("the first approval", has(text("rg-move-status"), "approval of close recorded", "1 of 2")+` && `+has(text("rg-approvals"), "close", "1 of 2"))
	// ...and a second clerk's, sent while the page is open, runs it.
	if _, err := nc.Submit(ctx, ed25519.NewKeyFromSeed(rgSeed("clerk-2")), "", &tx.MsgRegistryTransition{Registry: rgName, ID: n, Version: 2, Transition: "close"}); err != nil {
		t.Fatal(err)
	}
	poll("the record closed, live", has(text("rg-rec-state"), "closed")+` && `+has(text("rg-approvals"), "no pending approval")+
		` && document.querySelectorAll("#rg-history tr").length === 4 && `+has(text("rg-move-none"), "no transition leaves closed"))

	run("verify the proof", `document.getElementById("rg-verify").click()`)
	poll("the verified proof", `document.getElementById("rg-rec-verify").className === "verdict ok" && `+
		has(text("rg-rec-verify"), "✓ proof verified: record "+rgName+" #"+ns+" (closed, version 3)"))
	png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100)) // 100: PNG
	if err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(artifactDir(t), "dashboard-registries.png")
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}

	// The state filter and the counts.
	set("rg-state", "filed")
	poll("no filed record", has(text("rg-records"), "no record in state filed"))
	set("rg-state", "closed")
	poll("the closed record", fmt.Sprintf(`!!document.querySelector('#rg-records tr[data-id="%d"][data-state="closed"]')`, n))
	poll("the counts", fmt.Sprintf(`[...document.querySelectorAll("#rg-counts tr")].some((r) => r.textContent === "closed" + %q)`, en(n)))

	run("open the overview tab", `document.getElementById("tab-overview").click()`)
	poll("the overview, the registries tab hidden", `!document.getElementById("overview").hidden && document.getElementById("registries").hidden && `+
		`document.getElementById("tab-registries").className === ""`)
	t.Logf("registries tab verified; screenshot %s", shot)
}
