package registries_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/citychain/citychain/chain/regschema"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/deploy/registries"
)

// TestShippedDefinitions: every file is a definition the chain accepts
// (tx.ParseRegistryDef, the check a proposal gets), named as its file, with
// a content id and a schema id that do not depend on the file's layout;
// Get and Names agree with All; the two registries are there.
func TestShippedDefinitions(t *testing.T) {
	all := registries.All()
	var names []string
	for _, d := range all {
		def, s, err := d.Parse()
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, def.Name)
		if raw, ok := registries.Get(d.Name); !ok || !bytes.Equal(raw, d.Raw) {
			t.Errorf("Get(%q): %v, want the file's bytes", d.Name, ok)
		}
		id, err := tx.RegistryDefID(def)
		if err != nil {
			t.Fatal(err)
		}
		// The same definition reformatted has the same ids.
		var v any
		if err := json.Unmarshal(d.Raw, &v); err != nil {
			t.Fatal(err)
		}
		compact, _ := json.Marshal(v)
		def2, s2, err := tx.ParseRegistryDef(compact)
		if err != nil {
			t.Fatal(err)
		}
		if id2, _ := tx.RegistryDefID(def2); id2 != id || s2.ID() != s.ID() {
			t.Errorf("%s: reformatting changed the ids: def %s -> %s, schema %s -> %s", d.File, id, id2, s.ID(), s2.ID())
		}
		if sid, err := regschema.ID(def.Schema); err != nil || sid != s.ID() {
			t.Errorf("%s: schema id %s (%v), compiled %s", d.File, sid, err, s.ID())
		}
		if len(def.Indexes) == 0 || def.Description == "" {
			t.Errorf("%s: want indexes and a description", d.File)
		}
		t.Logf("%s %s: %d states, %d transitions, privacy %s, def %s, schema %s", def.Name, def.Version, len(def.States),
			len(def.Transitions), def.Privacy, id, s.ID())
	}
	if !slices.Equal(names, registries.Names()) {
		t.Errorf("names %v, Names() %v", names, registries.Names())
	}
	for _, want := range []string{"pet_registration", "trust_filings"} {
		if !slices.Contains(names, want) {
			t.Errorf("no %s definition (have %v)", want, names)
		}
	}
	if _, ok := registries.Get("../registries"); ok {
		t.Error("Get accepted a path")
	}
	if _, ok := registries.Get("no_such_registry"); ok {
		t.Error("Get found a registry that is not shipped")
	}
	defs, err := registries.Load()
	if err != nil || len(defs) != len(all) {
		t.Fatalf("Load: %d definitions, %v", len(defs), err)
	}
}

// TestExamples validates every example record of every shipped registry
// through its compiled schema: valid-*.json pass and fit the registry's
// size limit; invalid-*.json are refused with a *regschema.Error whose
// path is the one examples/NAME/expect.json names (so each fails for the
// reason its name says, not another).
func TestExamples(t *testing.T) {
	for _, d := range registries.All() {
		t.Run(d.Name, func(t *testing.T) {
			def, s, err := d.Parse()
			if err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join("examples", d.Name)
			var expect map[string]string
			raw, err := os.ReadFile(filepath.Join(dir, "expect.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(raw, &expect); err != nil {
				t.Fatalf("expect.json: %v", err)
			}
			files, err := filepath.Glob(filepath.Join(dir, "*.json"))
			if err != nil {
				t.Fatal(err)
			}
			valid, invalid := 0, 0
			for _, f := range files {
				base := filepath.Base(f)
				if base == "expect.json" {
					continue
				}
				rec, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				err = s.Validate(rec)
				switch {
				case strings.HasPrefix(base, "valid-"):
					valid++
					if err != nil {
						t.Errorf("%s: refused: %v", base, err)
						continue
					}
					canon, err := regschema.Canonical(rec)
					if err != nil {
						t.Errorf("%s: %v", base, err)
					} else if len(canon) > int(def.Limits.MaxRecordBytes) {
						t.Errorf("%s: %d canonical bytes, the registry's limit is %d", base, len(canon), def.Limits.MaxRecordBytes)
					}
				case strings.HasPrefix(base, "invalid-"):
					invalid++
					want, ok := expect[base]
					if !ok {
						t.Errorf("%s: not in expect.json", base)
						continue
					}
					var se *regschema.Error
					if !errors.As(err, &se) {
						t.Errorf("%s: accepted or not a schema error: %v", base, err)
						continue
					}
					if se.Path != want {
						t.Errorf("%s: refused at %q (%v), want %q", base, se.Path, err, want)
					}
					t.Logf("%s: %v", base, err)
				default:
					t.Errorf("%s: name it valid-*.json or invalid-*.json", base)
				}
			}
			for f := range expect {
				if !slices.Contains(files, filepath.Join(dir, f)) {
					t.Errorf("expect.json names %s, which does not exist", f)
				}
			}
			if valid < 2 || invalid < 5 {
				t.Errorf("%d valid and %d invalid examples, want at least 2 and 5", valid, invalid)
			}
		})
	}
}

func parse(t *testing.T, name string) (*tx.RegistryDef, *regschema.Schema) {
	t.Helper()
	for _, d := range registries.All() {
		if d.Name == name {
			def, s, err := d.Parse()
			if err != nil {
				t.Fatal(err)
			}
			return def, s
		}
	}
	t.Fatalf("no %s definition", name)
	return nil, nil
}

// TestTrustFilingsFollowTheLaw: the trust registry has the Public Interest
// Trust Act's life cycle (applied -> authorised | refused -> active ->
// cancelled | terminated), the 90-day decision clock that moves an
// undecided application to decision_overdue with no transaction, decisions
// by two ministry officers, and keeps only the filing document's digest.
func TestTrustFilingsFollowTheLaw(t *testing.T) {
	def, s := parse(t, "trust_filings")
	if def.Initial != "applied" || def.Privacy != tx.PrivacyHash {
		t.Errorf("initial %q, privacy %q", def.Initial, def.Privacy)
	}
	dl := def.State("applied").Deadline
	if dl == nil || dl.Seconds() != 90*24*3600 || dl.To != "decision_overdue" {
		t.Errorf("applied deadline %+v, want 90 days to decision_overdue", dl)
	}
	for _, st := range []string{"refused", "cancelled", "terminated", "withdrawn"} {
		if s := def.State(st); s == nil || !s.Final {
			t.Errorf("state %s: %+v, want final", st, s)
		}
	}
	for _, c := range []struct {
		name, to string
		from     []string
		k        uint32
	}{
		{"authorise", "authorised", []string{"applied", "decision_overdue"}, 2},
		{"refuse", "refused", []string{"applied", "decision_overdue"}, 2},
		{"activate", "active", []string{"authorised"}, 1},
		{"cancel", "cancelled", []string{"authorised", "active"}, 2},
		{"terminate", "terminated", []string{"active"}, 2},
	} {
		tr := def.Transition(c.name)
		if tr == nil || tr.To != c.to || !slices.Equal(tr.From, c.from) || tr.K() != c.k {
			t.Errorf("transition %s: %+v, want %v -> %s with %d approvals", c.name, tr, c.from, c.to, c.k)
		}
	}
	if tr := def.Transition("authorise"); tr != nil && !slices.Equal(tr.Roles, []string{"moj_officer"}) {
		t.Errorf("authorise roles %v", tr.Roles)
	}
	// The Act's asset whitelist is the schema's: equity is refused.
	p, ok := s.Property("asset_classes")
	if !ok || p.Type != "array" || !p.Required {
		t.Errorf("asset_classes: %+v", p)
	}
	if p, ok := s.Property("amount_krw"); !ok || p.Type != "integer" {
		t.Errorf("amount_krw: %+v, want an integer", p)
	}
}

// TestPetRegistration: a pet is found by its chip number and its owner's
// address (indexes), a transfer patches only the owner and district, a
// pet lost for a year is presumed lost by the end-of-block work, and the
// registry is public because it keeps no personal data (owner is an
// address, and the schema takes no other property).
func TestPetRegistration(t *testing.T) {
	def, s := parse(t, "pet_registration")
	if def.Privacy != tx.PrivacyPublic {
		t.Errorf("privacy %q", def.Privacy)
	}
	for _, f := range []string{"microchip_id", "owner"} {
		if !slices.Contains(def.Indexes, f) {
			t.Errorf("%s is not indexed", f)
		}
	}
	if p, _ := s.Property("owner"); p.Format != "address" || !p.Required {
		t.Errorf("owner: %+v, want a required address", p)
	}
	if p, _ := s.Property("species"); !slices.Equal(p.Enum, []string{"dog", "cat"}) {
		t.Errorf("species enum %v", p.Enum)
	}
	tr := def.Transition("transfer")
	if tr == nil || !slices.Equal(tr.Patch, []string{"owner", "district"}) || tr.To != "registered" {
		t.Errorf("transfer: %+v", tr)
	}
	dl := def.State("lost").Deadline
	if dl == nil || dl.Seconds() != 365*24*3600 || dl.To != "presumed_lost" {
		t.Errorf("lost deadline %+v", dl)
	}
	if !slices.Equal(def.CreateRoles, []string{"district_officer", "vet"}) {
		t.Errorf("create roles %v", def.CreateRoles)
	}
}

// TestMinorVersions: a 1.1 of a shipped registry that adds an optional
// property is a valid minor version of the shipped schema, and its old
// records still validate; one that adds a required property is not
// (indy-node#547's case, decided by regschema.CheckMinor).
func TestMinorVersions(t *testing.T) {
	_, old := parse(t, "pet_registration")
	raw, _ := registries.Get("pet_registration")
	bump := func(required bool) *regschema.Schema {
		t.Helper()
		var d map[string]any
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatal(err)
		}
		d["version"] = "1.1"
		schema := d["schema"].(map[string]any)
		schema["properties"].(map[string]any)["coat_colour"] = map[string]any{"type": "string", "maxLength": 32}
		if required {
			schema["required"] = append(schema["required"].([]any), "coat_colour")
		}
		b, _ := json.Marshal(d)
		def, s, err := tx.ParseRegistryDef(b)
		if err != nil {
			t.Fatal(err)
		}
		if def.Version != "1.1" {
			t.Fatal(def.Version)
		}
		return s
	}
	next := bump(false)
	if err := regschema.CheckMinor(old, next); err != nil {
		t.Fatalf("an optional property refused as a minor version: %v", err)
	}
	if next.ID() == old.ID() {
		t.Error("a changed schema kept its id")
	}
	rec, err := os.ReadFile(filepath.Join("examples", "pet_registration", "valid-dog.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := next.Validate(rec); err != nil {
		t.Errorf("a 1.0 record under 1.1: %v", err)
	}
	var se *regschema.Error
	if err := regschema.CheckMinor(old, bump(true)); !errors.As(err, &se) {
		t.Errorf("a new required property passed as a minor version: %v", err)
	} else {
		t.Log(err)
	}
}

// TestExamplesAgreeWithJSONSchema: the shipped schemas mean the same thing
// to a general JSON Schema 2020-12 validator (santhosh-tekuri/jsonschema,
// formats asserted, the profile's address format registered): it accepts
// and refuses the same examples as the chain's profile validator.
func TestExamplesAgreeWithJSONSchema(t *testing.T) {
	address := regexp.MustCompile(`^[0-9a-f]{40}$`)
	for _, d := range registries.All() {
		def, _, err := d.Parse()
		if err != nil {
			t.Fatal(err)
		}
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		c.RegisterFormat(&jsonschema.Format{Name: "address", Validate: func(v any) error {
			if s, ok := v.(string); ok && !address.MatchString(s) {
				return errors.New("not an address")
			}
			return nil
		}})
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(def.Schema))
		if err != nil {
			t.Fatal(err)
		}
		if err := c.AddResource("mem://"+d.Name+".json", doc); err != nil {
			t.Fatal(err)
		}
		sch, err := c.Compile("mem://" + d.Name + ".json")
		if err != nil {
			t.Fatalf("%s: %v", d.Name, err)
		}
		files, _ := filepath.Glob(filepath.Join("examples", d.Name, "*valid-*.json"))
		if len(files) == 0 {
			t.Fatalf("%s: no examples", d.Name)
		}
		for _, f := range files {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			err = sch.Validate(inst)
			if valid := strings.HasPrefix(filepath.Base(f), "valid-"); valid != (err == nil) {
				t.Errorf("%s: JSON Schema 2020-12 says %v, the file's name says valid=%v", f, err, valid)
			}
		}
	}
}

// TestExamplesFitTheEnvelope: each shipped definition goes through the
// transaction envelope as a propose message (its text is a string there:
// JSON Schema's camelCase keywords could not be keys of a signed body),
// and each valid example as a create message (a record's property names
// must be lowercase keys, which the envelope's strict decoding checks).
func TestExamplesFitTheEnvelope(t *testing.T) {
	priv := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	send := func(what string, m tx.Msg) {
		t.Helper()
		raw, err := tx.Build(priv, "citychain-test", 0, "", m)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if _, err := tx.Decode(raw); err != nil {
			t.Errorf("%s: %v", what, err)
		}
	}
	for _, d := range registries.All() {
		def, _, err := d.Parse()
		if err != nil {
			t.Fatal(err)
		}
		send(d.File, &tx.MsgRegistryPropose{Def: string(d.Raw)})
		files, _ := filepath.Glob(filepath.Join("examples", d.Name, "valid-*.json"))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			m := &tx.MsgRegistryCreate{Registry: d.Name, Data: data}
			if def.Privacy != tx.PrivacyPublic {
				digest := tx.Hash32(sha256.Sum256(data))
				m.Digest = &digest
			}
			send(f, m)
		}
	}
}
