package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/keyring"
	"github.com/citychain/citychain/chain/regschema"
	"github.com/citychain/citychain/chain/tx"
)

// The registry fixture on the shared chain: a small street-stall permit
// registry, defined here as data. The treasury funds a clerk and two
// officers (fresh keys); the devnet's authority makes an agency
// key a registry_agency; the agency proposes the definition, the authority
// (the devnet's one: k = 1) enables it, the agency (its owner) grants a
// clerk and two officers their roles; the clerk files three permits and
// amends the first; the officers grant the third (two approvals) and one
// officer approves the second (pending); finally the agency proposes
// version 1.1 (one more optional property), left pending.
const apiRegistry = "api_permits"

const apiPermitsSchema = `{
 "$schema": "https://json-schema.org/draft/2020-12/schema",
 "type": "object",
 "additionalProperties": false,
 "properties": {
  "holder": {"type": "string", "format": "address", "title": "Permit holder"},
  "stall": {"type": "string", "minLength": 1, "maxLength": 64},
  "district": {"type": "string", "enum": ["mapo", "jongno"]},
  "fee_krw": {"type": "integer", "minimum": 0, "maximum": 10000000},
  "tags": {"type": "array", "items": {"type": "string", "maxLength": 16}, "maxItems": 4}
 },
 "required": ["holder", "stall", "district", "fee_krw"]
}`

// apiPermitsDef is the test registry's definition; schema replaces the
// record schema when set.
func apiPermitsDef(version, schema string) tx.RegistryDef {
	if schema == "" {
		schema = apiPermitsSchema
	}
	return tx.RegistryDef{
		Name: apiRegistry, Version: version, Title: "Street stall permits (API test)", Description: "Permits for street stalls & markets.",
		Schema: json.RawMessage(schema), Privacy: tx.PrivacyPublic,
		Roles:       []tx.RegistryRole{{Name: "clerk"}, {Name: "officer", Description: "decides on permits"}},
		CreateRoles: []string{"clerk"},
		Initial:     "applied",
		States:      []tx.RegistryState{{Name: "applied"}, {Name: "granted"}, {Name: "revoked", Final: true}},
		Transitions: []tx.RegistryTransition{
			{Name: "amend", From: []string{"applied"}, To: "applied", Roles: []string{"clerk"}, Patch: []string{"stall"}},
			{Name: "grant", From: []string{"applied"}, To: "granted", Roles: []string{"officer"}, Approvals: 2},
			{Name: "revoke", From: []string{"applied", "granted"}, To: "revoked", Roles: []string{"officer"}},
		},
		Indexes: []string{"holder", "district", "fee_krw"},
		Limits:  tx.RegistryLimits{MaxRecordBytes: 200, MaxRecords: 1000},
	}
}

// permit is a record of the test registry.
func permit(holder tx.Address, stall, district string, fee int64) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"holder":%q,"stall":%q,"district":%q,"fee_krw":%d}`, holder, stall, district, fee))
}

// testRegistry is the test registry as the chain keeps it, without a
// chain (for the document and validation tests).
func testRegistry(t *testing.T) (*tx.Registry, *regschema.Schema) {
	t.Helper()
	def := apiPermitsDef("1.0", "")
	sch, err := def.Validate()
	if err != nil {
		t.Fatal(err)
	}
	id, err := tx.RegistryDefID(&def)
	if err != nil {
		t.Fatal(err)
	}
	return &tx.Registry{Name: def.Name, Def: def, DefID: id, SchemaID: sch.ID(), Enabled: 9,
		Versions: []tx.RegistryVersionInfo{{Version: def.Version, DefID: id, SchemaID: sch.ID(), Height: 9}}}, sch
}

type registryWorld struct {
	owner, clerk, officer1, officer2 tx.Address
	defID                            tx.Hash32
	schemaID                         string
	next                             tx.Hash32 // the pending proposal of version 1.1
}

var (
	registryOnce sync.Once
	registryW    registryWorld
	registryErr  error
)

func registryFixture(t *testing.T, c *testChain) registryWorld {
	t.Helper()
	registryOnce.Do(func() { registryW, registryErr = buildRegistry(t, c) })
	if registryErr != nil {
		t.Fatalf("registry fixture: %v", registryErr)
	}
	return registryW
}

func buildRegistry(t *testing.T, c *testChain) (registryWorld, error) {
	var w registryWorld
	nc, err := client.New(c.rpc)
	if err != nil {
		return w, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	keys := map[string]*keyring.Key{}
	for _, n := range []string{"registry-agency", "registry-clerk", "registry-officer-1", "registry-officer-2"} {
		k, err := c.keys.Get(n)
		if errors.Is(err, keyring.ErrNotFound) {
			k, err = c.keys.Add(n)
		}
		if err != nil {
			return w, err
		}
		keys[n] = k
	}
	agency, clerk, o1, o2 := keys["registry-agency"], keys["registry-clerk"], keys["registry-officer-1"], keys["registry-officer-2"]
	w.owner, w.clerk, w.officer1, w.officer2 = agency.Address, clerk.Address, o1.Address, o2.Address
	def := apiPermitsDef("1.0", "")
	if w.defID, err = tx.RegistryDefID(&def); err != nil {
		return w, err
	}
	if w.schemaID, err = regschema.ID(def.Schema); err != nil {
		return w, err
	}
	next := apiPermitsDef("1.1", strings.Replace(apiPermitsSchema, `"tags":`, `"note": {"type": "string", "maxLength": 32},
  "tags":`, 1))
	if w.next, err = tx.RegistryDefID(&next); err != nil {
		return w, err
	}
	defText, err := json.Marshal(def)
	if err != nil {
		return w, err
	}
	nextText, err := json.Marshal(next)
	if err != nil {
		return w, err
	}
	scn := tx.Coin{Amount: 1_000_000, Denom: tx.DenomSCoin}
	move := func(id, version uint64, transition string, patch string) *tx.MsgRegistryTransition {
		m := &tx.MsgRegistryTransition{Registry: apiRegistry, ID: id, Version: version, Transition: transition}
		if patch != "" {
			m.Patch = json.RawMessage(patch)
		}
		return m
	}
	steps := []struct {
		key  *keyring.Key
		msgs []tx.Msg
	}{
		{c.key(t, "treasury"), []tx.Msg{&tx.MsgSend{To: clerk.Address, Amount: scn}, &tx.MsgSend{To: o1.Address, Amount: scn}, &tx.MsgSend{To: o2.Address, Amount: scn}}},
		{c.key(t, "authority"), []tx.Msg{&tx.MsgRoleGrant{Address: agency.Address, Role: tx.RoleRegistryAgency}}},
		{agency, []tx.Msg{&tx.MsgRegistryPropose{Def: string(defText)}}},
		{c.key(t, "authority"), []tx.Msg{&tx.MsgRegistryEnable{Name: apiRegistry, Def: w.defID}}},
		{agency, []tx.Msg{
			&tx.MsgRegistryGrant{Registry: apiRegistry, Role: "clerk", Grantee: clerk.Address},
			&tx.MsgRegistryGrant{Registry: apiRegistry, Role: "officer", Grantee: o1.Address},
			&tx.MsgRegistryGrant{Registry: apiRegistry, Role: "officer", Grantee: o2.Address, Delegable: true},
		}},
		{clerk, []tx.Msg{
			&tx.MsgRegistryCreate{Registry: apiRegistry, Data: permit(o1.Address, "Mangwon market 12", "mapo", 50000)},
			&tx.MsgRegistryCreate{Registry: apiRegistry, Data: permit(o2.Address, "Gwangjang market 3", "jongno", 70000)},
			&tx.MsgRegistryCreate{Registry: apiRegistry, Data: permit(o1.Address, "Hongdae playground 1", "mapo", 50000)},
		}},
		{clerk, []tx.Msg{move(1, 1, "amend", `{"stall":"Mangwon market 14"}`)}},
		{o1, []tx.Msg{move(3, 1, "grant", ""), move(2, 1, "grant", "")}},
		{o2, []tx.Msg{move(3, 1, "grant", "")}},
		{agency, []tx.Msg{&tx.MsgRegistryPropose{Def: string(nextText)}}},
	}
	for i, st := range steps {
		if _, err := nc.Submit(ctx, st.key.Private, "api registry test", st.msgs...); err != nil {
			return w, fmt.Errorf("step %d (%s): %w", i, st.key.Name, err)
		}
	}
	return w, nil
}

// TestRegistryDocument: the OpenAPI document generated from a definition
// is OpenAPI 3.1 with the record schema, the state and transition enums
// and the create message; every $ref resolves; the same definition gives
// the same bytes.
func TestRegistryDocument(t *testing.T) {
	reg, sch := testRegistry(t)
	doc, err := registryDocument(reg, sch)
	if err != nil {
		t.Fatal(err)
	}
	again, err := registryDocument(reg, sch)
	if err != nil || !bytes.Equal(doc, again) {
		t.Fatalf("a second generation differs (%v)", err)
	}
	var d struct {
		OpenAPI string `json:"openapi"`
		Info    struct {
			Title, Version string
			Registry       struct {
				Name     string `json:"name"`
				SchemaID string `json:"schema_id"`
			} `json:"x-citychain-registry"`
		} `json:"info"`
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if d.OpenAPI != "3.1.0" || d.Info.Title != reg.Def.Title || d.Info.Version != "1.0" || d.Info.Registry.Name != apiRegistry || d.Info.Registry.SchemaID != sch.ID() {
		t.Fatalf("got openapi %q, info %+v", d.OpenAPI, d.Info)
	}
	record, err := regschema.Canonical(d.Components.Schemas["ApiPermitsRecord"])
	if err != nil || !bytes.Equal(record, sch.OpenAPI()) {
		t.Fatalf("ApiPermitsRecord: got %s (%v), want the record schema %s", record, err, sch.OpenAPI())
	}
	if bytes.Contains(record, []byte("$schema")) {
		t.Fatalf("the record schema keeps $schema: %s", record)
	}
	for _, tc := range []struct {
		schema string
		want   []string
	}{
		{"ApiPermitsState", []string{"applied", "granted", "revoked"}},
		{"ApiPermitsTransitionName", []string{"amend", "grant", "revoke"}},
		{"ApiPermitsRole", []string{"clerk", "officer"}},
	} {
		var e struct{ Enum []string }
		if err := json.Unmarshal(d.Components.Schemas[tc.schema], &e); err != nil || !slices.Equal(e.Enum, tc.want) {
			t.Errorf("%s: got enum %v (%v), want %v", tc.schema, e.Enum, err, tc.want)
		}
	}
	var create struct {
		Properties struct {
			Type  struct{ Const string }
			Value struct {
				Properties map[string]struct {
					Ref   string `json:"$ref"`
					Const string `json:"const"`
				}
				Required []string
			}
		}
	}
	if err := json.Unmarshal(d.Components.Schemas["ApiPermitsCreateMsg"], &create); err != nil {
		t.Fatal(err)
	}
	v := create.Properties.Value
	if create.Properties.Type.Const != tx.TypeRegistryCreate || v.Properties["data"].Ref != "#/components/schemas/ApiPermitsRecord" ||
		v.Properties["registry"].Const != apiRegistry || !slices.Equal(v.Required, []string{"registry", "data"}) || len(v.Properties) != 2 {
		t.Fatalf("create message: got %+v, want type %s, registry %s and data of the record schema (public: no digest, no uri)", create, tx.TypeRegistryCreate, apiRegistry)
	}
	var transition struct {
		Properties struct {
			Value struct {
				Properties struct {
					Patch struct {
						Properties map[string]json.RawMessage
					}
				}
			}
		}
	}
	if err := json.Unmarshal(d.Components.Schemas["ApiPermitsTransitionMsg"], &transition); err != nil {
		t.Fatal(err)
	}
	patch := transition.Properties.Value.Properties.Patch.Properties
	var stall bytes.Buffer
	if err := json.Compact(&stall, patch["stall"]); len(patch) != 1 || err != nil || stall.String() != `{"maxLength":64,"minLength":1,"type":"string"}` {
		t.Fatalf("transition patch: got %d properties, stall %s (%v); want stall only, with its schema", len(patch), stall.String(), err)
	}
	base := "/v1/registries/" + apiRegistry
	for _, p := range []string{"", "/count", "/records", "/records/{id}", "/records/{id}/history", "/records/{id}/approvals",
		"/index/{field}/{value}", "/index/{field}/{value}/{id}", "/grants", "/grants/{role}/{grantee}", "/validate"} {
		if d.Paths[base+p] == nil {
			t.Errorf("no path %s", base+p)
		}
	}
	if d.Paths[base+"/validate"]["post"] == nil {
		t.Errorf("validate is not a POST")
	}
	var all any
	_ = json.Unmarshal(doc, &all)
	for _, r := range refs(all, nil) {
		name, ok := strings.CutPrefix(r, "#/components/schemas/")
		if !ok || d.Components.Schemas[name] == nil {
			t.Errorf("$ref %q: no such component", r)
		}
	}

	// Another privacy class: the create message asks for digest and uri.
	reg.Def.Privacy = tx.PrivacyPointer
	doc, err = registryDocument(reg, sch)
	if err != nil {
		t.Fatal(err)
	}
	_ = json.Unmarshal(doc, &d)
	create.Properties.Value.Required = nil
	if err := json.Unmarshal(d.Components.Schemas["ApiPermitsCreateMsg"], &create); err != nil || !slices.Equal(create.Properties.Value.Required, []string{"registry", "data", "digest", "uri"}) {
		t.Fatalf("pointer class: create requires %v (%v), want registry, data, digest, uri", create.Properties.Value.Required, err)
	}
}

// TestRegistryValidateRecord: the dry run makes the chain's checks and
// says where the first fault is.
func TestRegistryValidateRecord(t *testing.T) {
	reg, sch := testRegistry(t)
	holder := strings.Repeat("ab", 20)
	long := `{"holder":"` + holder + `","stall":"` + strings.Repeat("s", 64) + `","district":"jongno","fee_krw":10000000,"tags":["` +
		strings.Repeat("t", 16) + `","` + strings.Repeat("u", 16) + `","` + strings.Repeat("v", 16) + `","` + strings.Repeat("w", 16) + `"]}`
	for _, tc := range []struct {
		name, data string
		code       tx.Code
		path       string
	}{
		{"valid", `{"stall": "Mangwon 12", "holder": "` + holder + `", "fee_krw": 5000, "district": "mapo"}`, tx.Code{}, ""},
		{"not in the enum", `{"stall":"x","holder":"` + holder + `","fee_krw":5000,"district":"busan"}`, tx.CodeRegistryInvalidRecord, "/district"},
		{"a float", `{"stall":"x","holder":"` + holder + `","fee_krw":50.5,"district":"mapo"}`, tx.CodeRegistryInvalidRecord, "/fee_krw"},
		{"a bad address", `{"stall":"x","holder":"XYZ","fee_krw":5,"district":"mapo"}`, tx.CodeRegistryInvalidRecord, "/holder"},
		{"a bad tag", `{"stall":"x","holder":"` + holder + `","fee_krw":5,"district":"mapo","tags":["ok",7]}`, tx.CodeRegistryInvalidRecord, "/tags/1"},
		{"an unknown property", `{"stall":"x","holder":"` + holder + `","fee_krw":5,"district":"mapo","colour":"red"}`, tx.CodeRegistryInvalidRecord, "/colour"},
		{"too large", long, tx.CodeRegistryTooLarge, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, code := validateRecord(reg, sch, []byte(tc.data))
			if v.SchemaID != sch.ID() || v.Registry != apiRegistry {
				t.Fatalf("got %+v, want registry %s and schema %s named", v, apiRegistry, sch.ID())
			}
			if tc.code == (tx.Code{}) {
				want, _ := regschema.Canonical([]byte(tc.data))
				if !v.Valid || !bytes.Equal(v.Canonical, want) || v.Bytes != len(want) || v.Path != nil || code != (tx.Code{}) {
					t.Fatalf("got %+v, %v; want valid, canonical %s", v, code, want)
				}
				return
			}
			if v.Valid || v.Path == nil || *v.Path != tc.path || v.Error == "" || code != tc.code || v.Canonical != nil {
				t.Fatalf("got %+v (path %v), code %v; want invalid at %q with %v", v, v.Path, code, tc.path, tc.code)
			}
		})
	}
}

// registryState is a state read's answer.
type registryState[T any] struct {
	Height int64  `json:"height"`
	Result T      `json:"result"`
	Proof  *Proof `json:"proof"`
}

func wantVerified(t *testing.T, what string, height int64, p *Proof, present bool) {
	t.Helper()
	if p == nil || !p.Verified || p.HeaderHeight != height+1 || (p.Value != "") != present {
		t.Fatalf("%s: got proof %+v, want verified against header %d, value present: %t", what, p, height+1, present)
	}
}

func TestRegistryRoutes(t *testing.T) {
	c := getChain(t)
	w := registryFixture(t, c)
	ts := startServer(t, c, nil)
	base := "/v1/registries/" + apiRegistry

	t.Run("registries", func(t *testing.T) {
		var p AfterPage[tx.Registry]
		ts.getJSON(t, "/v1/registries?limit=1000", &p)
		i := slices.IndexFunc(p.Items, func(r tx.Registry) bool { return r.Name == apiRegistry })
		if i < 0 || p.Items[i].Owner != w.owner || p.Items[i].DefID != w.defID {
			t.Fatalf("got registries %+v, want %s owned by %s", p.Items, apiRegistry, w.owner)
		}
		var r registryState[tx.Registry]
		ts.getJSON(t, base+"?prove=true", &r)
		if r.Result.Name != apiRegistry || r.Result.SchemaID != w.schemaID || r.Result.Def.Version != "1.0" || len(r.Result.Versions) != 1 || r.Result.Enabled == 0 {
			t.Fatalf("got %+v", r.Result)
		}
		wantVerified(t, "registry", r.Height, r.Proof, true)
		var absent registryState[json.RawMessage]
		ts.getJSON(t, "/v1/registries/no_such_registry?prove=true", &absent)
		if string(absent.Result) != "null" {
			t.Fatalf("absent registry: got %s, want null", absent.Result)
		}
		wantVerified(t, "absent registry", absent.Height, absent.Proof, false)
	})
	t.Run("count", func(t *testing.T) {
		var n tx.RegistryCount
		ts.getJSON(t, base+"/count", &n)
		want := []tx.RegistryTally{{State: "applied", Records: 2}, {State: "granted", Records: 1}, {State: "revoked", Records: 0}}
		if n.Registry != apiRegistry || n.Records != 3 || !slices.Equal(n.States, want) {
			t.Fatalf("got %+v, want 3 records: %v", n, want)
		}
	})
	t.Run("records", func(t *testing.T) {
		var p AfterPage[tx.RegistryRecord]
		ts.getJSON(t, base+"/records?limit=2", &p)
		if len(p.Items) != 2 || p.Items[0].ID != 1 || p.Items[1].ID != 2 || p.NextAfter != "2" || p.NextCursor == "" {
			t.Fatalf("first page: %+v", p)
		}
		var p2 AfterPage[tx.RegistryRecord]
		ts.getJSON(t, base+"/records?limit=2&cursor="+p.NextCursor, &p2)
		if len(p2.Items) != 1 || p2.Items[0].ID != 3 || p2.Items[0].State != "granted" || p2.NextAfter != "" {
			t.Fatalf("second page: %+v", p2)
		}
		ts.getJSON(t, base+"/records?state=applied&after=1", &p)
		if len(p.Items) != 1 || p.Items[0].ID != 2 {
			t.Fatalf("applied after 1: %+v", p.Items)
		}
	})
	t.Run("record with proof", func(t *testing.T) {
		var r registryState[tx.RegistryRecord]
		ts.getJSON(t, base+"/records/1?prove=true", &r)
		rec := r.Result
		data, _ := regschema.Canonical(rec.Data)
		if rec.ID != 1 || rec.State != "applied" || rec.Version != 2 || rec.Creator != w.clerk || rec.Schema != w.schemaID ||
			!strings.Contains(string(data), `"stall":"Mangwon market 14"`) {
			t.Fatalf("got %+v (%s), want record 1 amended to version 2", rec, rec.Data)
		}
		wantVerified(t, "record", r.Height, r.Proof, true)
		var absent registryState[json.RawMessage]
		ts.getJSON(t, base+"/records/99?prove=true", &absent)
		if string(absent.Result) != "null" {
			t.Fatalf("absent record: got %s", absent.Result)
		}
		wantVerified(t, "absent record", absent.Height, absent.Proof, false)
	})
	t.Run("history", func(t *testing.T) {
		var h RegistryHistory
		ts.getJSON(t, base+"/records/1/history", &h)
		if h.Registry != apiRegistry || h.ID != 1 || len(h.History) != 2 || h.History[0].Transition != "create" || h.History[0].To != "applied" ||
			h.History[1].Transition != "amend" || h.History[1].Version != 2 || !slices.Equal(h.History[1].Signers, []tx.Address{w.clerk}) {
			t.Fatalf("record 1: got %+v", h)
		}
		ts.getJSON(t, base+"/records/3/history", &h)
		signers := []tx.Address{w.officer1, w.officer2}
		slices.SortFunc(signers, func(a, b tx.Address) int { return bytes.Compare(a[:], b[:]) })
		if len(h.History) != 2 || h.History[1].Transition != "grant" || h.History[1].From != "applied" || h.History[1].To != "granted" ||
			!slices.Equal(h.History[1].Signers, signers) {
			t.Fatalf("record 3: got %+v, want granted by both officers (sorted)", h)
		}
	})
	t.Run("approvals", func(t *testing.T) {
		var a RegistryApprovals
		ts.getJSON(t, base+"/records/2/approvals", &a)
		if a.ID != 2 || len(a.Approvals) != 1 || a.Approvals[0].Transition != "grant" || a.Approvals[0].Version != 1 || a.Approvals[0].Needed != 2 ||
			!slices.Equal(a.Approvals[0].Signers, []tx.Address{w.officer1}) {
			t.Fatalf("got %+v, want officer 1's approval of grant, 1 of 2", a)
		}
		ts.getJSON(t, base+"/records/3/approvals", &a)
		if len(a.Approvals) != 0 {
			t.Fatalf("record 3: got %+v, want none (the grant ran)", a.Approvals)
		}
	})
	t.Run("index", func(t *testing.T) {
		for _, tc := range []struct {
			path string
			want []uint64
		}{
			{"/index/district/mapo", []uint64{1, 3}},
			{"/index/district/jongno", []uint64{2}},
			{"/index/fee_krw/50000", []uint64{1, 3}},
			{"/index/holder/" + w.officer2.String(), []uint64{2}},
			{"/index/district/mapo?after=1", []uint64{3}},
			{"/index/fee_krw/050000", []uint64{1, 3}}, // integers by value
			{"/index/district/busan", []uint64{}},
		} {
			var p AfterPage[uint64]
			ts.getJSON(t, base+tc.path, &p)
			if !slices.Equal(p.Items, tc.want) {
				t.Errorf("%s: got %v, want %v", tc.path, p.Items, tc.want)
			}
		}
		var p AfterPage[uint64]
		ts.getJSON(t, base+"/index/district/mapo?limit=1", &p)
		if !slices.Equal(p.Items, []uint64{1}) || p.NextAfter != "1" {
			t.Fatalf("one a page: %+v", p)
		}
	})
	t.Run("index entry, proven either way", func(t *testing.T) {
		for _, tc := range []struct {
			path    string
			present bool
		}{{"/index/district/mapo/1", true}, {"/index/district/mapo/2", false}, {"/index/fee_krw/70000/2", true}} {
			var r registryState[RegistryIndexEntry]
			ts.getJSON(t, base+tc.path+"?prove=true", &r)
			if r.Result.Present != tc.present || r.Result.Registry != apiRegistry || r.Result.Field == "" || r.Result.ID == 0 {
				t.Fatalf("%s: got %+v, want present %t", tc.path, r.Result, tc.present)
			}
			wantVerified(t, tc.path, r.Height, r.Proof, tc.present)
		}
	})
	t.Run("grants", func(t *testing.T) {
		var p AfterPage[tx.RegistryGrant]
		ts.getJSON(t, base+"/grants", &p)
		if len(p.Items) != 3 || p.Items[0].Role != "clerk" || p.Items[0].Grantee != w.clerk || p.Items[1].Role != "officer" {
			t.Fatalf("got %+v, want the clerk's and the officers' grants in (role, grantee) order", p.Items)
		}
		var p2 AfterPage[tx.RegistryGrant]
		ts.getJSON(t, base+"/grants?limit=1&after=clerk/"+w.clerk.String(), &p2)
		if len(p2.Items) != 1 || p2.Items[0].Role != "officer" || p2.NextAfter == "" {
			t.Fatalf("after the clerk: %+v", p2)
		}
		var r registryState[tx.RegistryGrant]
		ts.getJSON(t, base+"/grants/officer/"+w.officer2.String()+"?prove=true", &r)
		if r.Result.Granter != w.owner || r.Result.Depth != 1 || !r.Result.Delegable || r.Result.Grantee != w.officer2 {
			t.Fatalf("got %+v", r.Result)
		}
		wantVerified(t, "grant", r.Height, r.Proof, true)
		var absent registryState[json.RawMessage]
		ts.getJSON(t, base+"/grants/clerk/"+w.officer1.String()+"?prove=true", &absent)
		wantVerified(t, "absent grant", absent.Height, absent.Proof, false)
	})
	t.Run("proposals and schemas", func(t *testing.T) {
		var p AfterPage[tx.RegistryProposal]
		ts.getJSON(t, "/v1/registry/proposals", &p)
		if !slices.ContainsFunc(p.Items, func(pr tx.RegistryProposal) bool {
			return pr.ID == w.next && pr.Def.Version == "1.1" && pr.Proposer == w.owner
		}) {
			t.Fatalf("got proposals %+v, want version 1.1 pending", p.Items)
		}
		var r registryState[tx.RegistryProposal]
		ts.getJSON(t, "/v1/registry/proposals/"+w.next.String()+"?prove=true", &r)
		if r.Result.ID != w.next || r.Result.Def.Name != apiRegistry {
			t.Fatalf("got %+v", r.Result)
		}
		wantVerified(t, "proposal", r.Height, r.Proof, true)
		var s registryState[json.RawMessage]
		ts.getJSON(t, "/v1/registry/schemas/"+w.schemaID+"?prove=true", &s)
		want, _ := regschema.Canonical([]byte(apiPermitsSchema))
		got, err := regschema.Canonical(s.Result)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("schema: got %s (%v), want %s", s.Result, err, want)
		}
		wantVerified(t, "schema", s.Height, s.Proof, true)
	})
	t.Run("openapi.json", func(t *testing.T) {
		code, hdr, doc := ts.do(t, "GET", base+"/openapi.json", nil)
		if code != 200 || hdr.Get("Content-Type") != "application/json" || !json.Valid(doc) {
			t.Fatalf("got %d %s %.300s, want a JSON document", code, hdr.Get("Content-Type"), doc)
		}
		_, _, again := ts.do(t, "GET", base+"/openapi.json", nil)
		if !bytes.Equal(doc, again) {
			t.Fatalf("two reads differ")
		}
		_, sch := testRegistry(t)
		var d struct {
			OpenAPI    string `json:"openapi"`
			Components struct {
				Schemas map[string]json.RawMessage `json:"schemas"`
			} `json:"components"`
		}
		if err := json.Unmarshal(doc, &d); err != nil || d.OpenAPI != "3.1.0" {
			t.Fatalf("got %v, openapi %q", err, d.OpenAPI)
		}
		record, err := regschema.Canonical(d.Components.Schemas["ApiPermitsRecord"])
		if err != nil || !bytes.Equal(record, sch.OpenAPI()) {
			t.Fatalf("the served record schema %s (%v) is not the registry's %s", record, err, sch.OpenAPI())
		}
	})
	t.Run("validate", func(t *testing.T) {
		post := func(path, body string, hdr ...string) (int, http.Header, []byte) {
			return ts.do(t, "POST", path, strings.NewReader(body), hdr...)
		}
		code, _, b := post(base+"/validate", `{"data":`+string(permit(w.clerk, "Seochon 5", "jongno", 1000))+`}`)
		var v RegistryValidation
		if err := json.Unmarshal(b, &v); code != 200 || err != nil || !v.Valid || v.SchemaID != w.schemaID || v.Bytes != len(v.Canonical) ||
			!strings.HasPrefix(string(v.Canonical), `{"district":"jongno","fee_krw":1000,"holder":`) {
			t.Fatalf("valid: got %d %s", code, b)
		}
		for _, tc := range []struct {
			name, data, path string
			code             uint32
		}{
			{"district not in the enum", string(permit(w.clerk, "x", "busan", 1)), "/district", tx.CodeRegistryInvalidRecord.Code},
			{"fee not an integer", `{"holder":"` + w.clerk.String() + `","stall":"x","district":"mapo","fee_krw":1.5}`, "/fee_krw", tx.CodeRegistryInvalidRecord.Code},
			{"too large", `{"holder":"` + w.clerk.String() + `","stall":"` + strings.Repeat("s", 64) + `","district":"mapo","fee_krw":1,"tags":["` +
				strings.Repeat("t", 16) + `","` + strings.Repeat("u", 16) + `","` + strings.Repeat("v", 16) + `","` + strings.Repeat("w", 16) + `"]}`, "", tx.CodeRegistryTooLarge.Code},
		} {
			code, hdr, b := post(base+"/validate", `{"data":`+tc.data+`}`)
			p := wantProblem(t, tc.name, code, hdr, b, http.StatusUnprocessableEntity)
			var inv struct {
				Valid    *bool   `json:"valid"`
				Path     *string `json:"path"`
				Error    string  `json:"error"`
				SchemaID string  `json:"schema_id"`
			}
			if err := json.Unmarshal(b, &inv); err != nil || inv.Valid == nil || *inv.Valid || inv.Path == nil || *inv.Path != tc.path || inv.Error == "" ||
				inv.SchemaID != w.schemaID || p.Codespace != tx.CodespaceRegistry || p.Code != tc.code {
				t.Fatalf("%s: got %s, want invalid at %q with registry code %d", tc.name, b, tc.path, tc.code)
			}
		}
		for _, tc := range []struct {
			name, path, body, field string
			status                  int
			hdr                     []string
		}{
			{"unknown registry", "/v1/registries/no_such_registry/validate", `{"data":{}}`, "", 404, nil},
			{"bad name", "/v1/registries/No-Such/validate", `{"data":{}}`, "name", 400, nil},
			{"malformed body", base + "/validate", `{"data": `, "body", 400, nil},
			{"empty body", base + "/validate", ``, "body", 400, nil},
			{"no data", base + "/validate", `{}`, "data", 400, nil},
			{"unknown field", base + "/validate", `{"data":{},"digest":"00"}`, "digest", 400, nil},
			{"trailing data", base + "/validate", `{"data":{}} {}`, "body", 400, nil},
			{"too large", base + "/validate", `{"data":{"stall":"` + strings.Repeat("x", maxRegistryValidateBody) + `"}}`, "body", 413, nil},
			{"not JSON", base + "/validate", `x`, "Content-Type", 415, []string{"Content-Type", "text/plain"}},
		} {
			code, hdr, b := post(tc.path, tc.body, tc.hdr...)
			if p := wantProblem(t, tc.name, code, hdr, b, tc.status); p.Field != tc.field {
				t.Errorf("%s: got field %q, want %q (%s)", tc.name, p.Field, tc.field, b)
			}
		}
	})
	t.Run("refusals", func(t *testing.T) {
		addr := w.clerk.String()
		for _, tc := range []struct {
			path, field string
			code        int
		}{
			{"/v1/registries/no_such_registry", "", 404},
			{"/v1/registries/no_such_registry/count", "", 404},
			{"/v1/registries/no_such_registry/openapi.json", "", 404},
			{"/v1/registries/no_such_registry/records", "", 404},
			{base + "/records/99", "", 404},
			{base + "/records/99/history", "", 404},
			{base + "/grants/clerk/" + w.officer1.String(), "", 404},
			{"/v1/registry/proposals/" + w.defID.String(), "", 404}, // enabled: no longer a proposal
			{"/v1/registry/schemas/" + strings.Repeat("0", 64), "", 404},
			{"/v1/registries/Bad-Name", "name", 400},
			{"/v1/registries/" + strings.Repeat("a", 33) + "/records", "name", 400},
			{"/v1/registries?after=Bad", "after", 400},
			{"/v1/registries?limit=5000", "limit", 400},
			{base + "/records?state=Bad!", "state", 400},
			{base + "/records?after=x", "after", 400},
			{base + "/records?after=1&cursor=MQ", "cursor", 400},
			{base + "/records/0", "id", 400},
			{base + "/records/x/history", "id", 400},
			{base + "/records/1?prove=maybe", "prove", 400},
			{base + "/index/Bad/x", "field", 400},
			{base + "/index/colour/red", "field", 400},
			{base + "/index/colour/red/1?prove=true", "field", 400},
			{base + "/index/fee_krw/abc", "value", 400},
			{base + "/index/fee_krw/abc/1", "value", 400},
			{"/v1/registries/no_such_registry/index/district/mapo", "", 404},
			{"/v1/registries/no_such_registry/index/district/mapo/1", "", 404},
			{"/v1/registries/no_such_registry/index/district/mapo/1?prove=true", "", 404},
			{"/v1/registries/no_such_registry/grants", "", 404},
			{base + "/records/99/approvals", "", 404},
			{base + "/index/district/mapo/0", "id", 400},
			{base + "/index/district/mapo?after=-1", "after", 400},
			{base + "/grants?after=nobody", "after", 400},
			{base + "/grants/Bad/" + addr, "role", 400},
			{base + "/grants/clerk/xyz", "grantee", 400},
			{"/v1/registry/proposals/xyz", "id", 400},
			{"/v1/registry/proposals?after=xyz", "after", 400},
			{"/v1/registry/schemas/" + strings.Repeat("A", 64), "id", 400},
		} {
			code, h, b := ts.do(t, "GET", tc.path, nil)
			if p := wantProblem(t, tc.path, code, h, b, tc.code); p.Field != tc.field {
				t.Errorf("GET %s: got field %q, want %q (%s)", tc.path, p.Field, tc.field, b)
			}
		}
	})
}
