package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/chain/regschema"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/cmd/citychain/local"
)

// testRegistryDef is a small registry written for the test (not one of
// the shipped definitions): cargo-bike parking permits, created by a
// clerk, suspended by a warden (setting a fee), cancelled by a clerk and a
// warden together (2 approvals).
const testRegistryDef = `{
  "name": "bike_permits",
  "version": "1.0",
  "title": "Cargo bike parking permits",
  "schema": {
    "type": "object",
    "additionalProperties": false,
    "properties": {
      "plate": {"type": "string", "maxLength": 12, "pattern": "^[A-Z0-9]+$"},
      "holder": {"type": "string", "format": "address"},
      "zone": {"type": "string", "enum": ["north", "south"]},
      "fee": {"type": "integer", "minimum": 0, "maximum": 100000}
    },
    "required": ["plate", "holder", "zone"]
  },
  "privacy": "public",
  "roles": [{"name": "clerk"}, {"name": "warden"}],
  "create_roles": ["clerk"],
  "initial": "issued",
  "states": [{"name": "issued"}, {"name": "suspended"}, {"name": "cancelled", "final": true}],
  "transitions": [
    {"name": "suspend", "from": ["issued"], "to": "suspended", "roles": ["warden"], "patch": ["fee"]},
    {"name": "cancel", "from": ["issued", "suspended"], "to": "cancelled", "roles": ["clerk", "warden"], "approvals": 2}
  ],
  "indexes": ["holder", "zone"],
  "limits": {"max_record_bytes": 1024, "max_records": 100}
}`

// TestRegistryCLI runs the registry commands against a devnet node: a
// definition written here is checked offline (its ids printed; a float, a
// lookahead and a transition to an unknown state refused naming the part
// and the path), proposed by an agency, enabled by the authority and
// proven; the owner grants the roles (a delegable warden grant passed on
// with an expiry); records are validated, created (ids printed) and moved
// (a patch, a 2-of-2 cancel), then read back: a record, an index entry
// and a grant proven present or absent, the records by state, the
// history with its signers, the index, the counts. Revoking a grant stops
// the grant delegated from it.
func TestRegistryCLI(t *testing.T) {
	dir := t.TempDir()
	file := func(name, body string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	decode := func(out string, v any) {
		t.Helper()
		if err := json.Unmarshal([]byte(out), v); err != nil {
			t.Fatalf("decode %q: %v", out, err)
		}
	}
	defFile := file("bike_permits.json", testRegistryDef)

	// Offline: no node is needed to check a definition.
	var checked struct {
		Name     string
		DefID    tx.Hash32 `json:"def_id"`
		SchemaID string    `json:"schema_id"`
	}
	out, err := cli(t, t.TempDir(), "http://127.0.0.1:1", "tx", "registry", "check", defFile, "-o", "json")
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	decode(out, &checked)
	def, schema, err := tx.ParseRegistryDef([]byte(testRegistryDef))
	if err != nil {
		t.Fatal(err)
	}
	wantDef, _ := tx.RegistryDefID(def)
	if checked.Name != "bike_permits" || checked.DefID != wantDef || checked.SchemaID != schema.ID() {
		t.Fatalf("check: got %+v, want def id %s and schema id %s", checked, wantDef, schema.ID())
	}
	if id, _ := regschema.ID(def.Schema); id != checked.SchemaID {
		t.Fatalf("check: schema id %s, want the schema's content id %s", checked.SchemaID, id)
	}
	for _, bad := range []struct{ name, from, to, want string }{
		{"float.json", `"maximum": 100000`, `"maximum": 100000.5`, "/properties/fee/maximum"},
		{"lookahead.json", `"^[A-Z0-9]+$"`, `"^(?=[A-Z])[A-Z0-9]+$"`, "/properties/plate/pattern"},
	} {
		p := file(bad.name, strings.Replace(testRegistryDef, bad.from, bad.to, 1))
		_, err := cli(t, t.TempDir(), "http://127.0.0.1:1", "tx", "registry", "check", p)
		if err == nil || !strings.Contains(err.Error(), "schema: ") || !strings.Contains(err.Error(), bad.want) ||
			!strings.Contains(err.Error(), tx.CodeRegistryInvalidSchema.Error()) {
			t.Fatalf("check %s: got %v, want the schema part, %s and %v named", bad.name, err, bad.want, tx.CodeRegistryInvalidSchema)
		}
	}
	unknownState := file("unknown_state.json", strings.Replace(testRegistryDef, `"to": "cancelled"`, `"to": "closed"`, 1))
	if _, err := cli(t, t.TempDir(), "http://127.0.0.1:1", "tx", "registry", "check", unknownState); err == nil ||
		!strings.Contains(err.Error(), `transitions: transitions[1].to: unknown state "closed"`) {
		t.Fatalf("check unknown_state.json: got %v, want the transitions part and the state named", err)
	}

	home, rpc := startDevnet(t)
	run := func(args ...string) string { t.Helper(); return mustCLI(t, home, rpc, args...) }
	fails := func(want string, args ...string) {
		t.Helper()
		if out, err := cli(t, home, rpc, args...); err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("citychain %s: got %v (%s), want an error with %q", strings.Join(args, " "), err, out, want)
		}
	}
	addr := func(name string) tx.Address { return local.Key(t, node.KeyringDir(home), name).Address }
	prove := []string{"--prove", "--trust-genesis", node.GenesisFile(home), "-o", "json"}
	query := func(v any, args ...string) {
		t.Helper()
		decode(run(append(append([]string{"query", "registry"}, args...), prove...)...), v)
	}
	type proof struct{ Verified bool }

	// Propose (an agency only), enable (the authority).
	fails(tx.CodeRegistryNotAgency.Error(), "tx", "registry", "propose", defFile, "--from", "alice")
	run("tx", "role", "grant", "agency", tx.RoleRegistryAgency, "--from", "authority")
	var proposed struct {
		DefID tx.Hash32 `json:"def_id"`
	}
	decode(run("tx", "registry", "propose", defFile, "--from", "agency", "-o", "json"), &proposed)
	if proposed.DefID != wantDef {
		t.Fatalf("propose: def id %s, want %s", proposed.DefID, wantDef)
	}
	if out := run("query", "registry", "proposals"); !strings.Contains(out, wantDef.String()) {
		t.Fatalf("query registry proposals: %s, want %s in it", out, wantDef)
	}
	var prop struct {
		Result tx.RegistryProposal
		Proof  proof
	}
	query(&prop, "proposal", wantDef.String())
	if prop.Result.Proposer != addr("agency") || prop.Result.Def.Name != "bike_permits" || !prop.Proof.Verified {
		t.Fatalf("proposal: %+v", prop)
	}
	fails("DEF_ID", "tx", "registry", "enable", "bike_permits", "abc", "--from", "authority")
	if out := run("tx", "registry", "enable", "bike_permits", wantDef.String(), "--from", "authority"); !strings.Contains(out, "executed") {
		t.Fatalf("enable: %q, want executed", out)
	}
	var reg struct {
		Result tx.Registry
		Proof  proof
	}
	query(&reg, "show", "bike_permits")
	if reg.Result.Owner != addr("agency") || reg.Result.DefID != wantDef || reg.Result.SchemaID != schema.ID() || !reg.Proof.Verified {
		t.Fatalf("show: %+v", reg)
	}
	var schemaRead struct {
		Result json.RawMessage
		Proof  proof
	}
	query(&schemaRead, "schema", schema.ID())
	if compact(t, schemaRead.Result) != string(schema.Canonical()) || !schemaRead.Proof.Verified {
		t.Fatalf("schema: %s, want %s, proven", schemaRead.Result, schema.Canonical())
	}

	// Grants: a clerk; a delegable warden grant, passed on with an expiry.
	run("tx", "registry", "grant", "bike_permits", "clerk", "alice", "--from", "agency")
	run("tx", "registry", "grant", "bike_permits", "warden", "inspector", "--delegable",
		"--expires", time.Now().Add(24*time.Hour).Format(time.RFC3339), "--from", "agency")
	fails("--expires", "tx", "registry", "grant", "bike_permits", "warden", "bob", "--expires", "tomorrow", "--from", "inspector")
	run("tx", "registry", "grant", "bike_permits", "warden", "bob", "--expires", fmt.Sprint(time.Now().Add(time.Hour).Unix()), "--from", "inspector")
	var grant struct {
		Result tx.RegistryGrant
		Proof  proof
	}
	query(&grant, "grant", "bike_permits", "warden", "bob")
	if grant.Result.Granter != addr("inspector") || grant.Result.Depth != 2 || grant.Result.Expires == 0 || !grant.Proof.Verified {
		t.Fatalf("bob's warden grant: %+v", grant)
	}
	var noGrant struct {
		Result *tx.RegistryGrant
		Proof  proof
	}
	query(&noGrant, "grant", "bike_permits", "clerk", "bob")
	if noGrant.Result != nil || !noGrant.Proof.Verified {
		t.Fatalf("bob's clerk grant: %+v, want proven absent", noGrant)
	}

	// Records: validated, created, moved.
	holder := addr("alice").String()
	rec1 := file("rec1.json", `{"plate": "B1KE7", "holder": "`+holder+`", "zone": "north"}`)
	rec2 := file("rec2.json", `{"zone": "south", "plate": "CARGO2", "holder": "`+holder+`"}`)
	badZone := file("bad_zone.json", `{"plate": "X1", "holder": "`+holder+`", "zone": "east"}`)
	float := file("float.json", `{"plate": "X1", "holder": "`+holder+`", "zone": "north", "fee": 1.5}`)
	if out := run("tx", "registry", "validate", "bike_permits", rec1); !strings.Contains(out, "valid under schema "+schema.ID()) {
		t.Fatalf("validate: %q", out)
	}
	fails("/zone", "tx", "registry", "validate", "bike_permits", badZone)
	fails("/fee", "tx", "registry", "create", "bike_permits", float, "--from", "alice")
	fails(tx.CodeRegistryUnauthorized.Error(), "tx", "registry", "create", "bike_permits", rec1, "--from", "bob")
	fails(tx.CodeRegistryInvalidRecord.Error(), "tx", "registry", "create", "bike_permits", badZone, "--from", "alice")
	for i, p := range []string{rec1, rec2} {
		var created struct {
			RecordID uint64 `json:"record_id"`
		}
		decode(run("tx", "registry", "create", "bike_permits", p, "--from", "alice", "-o", "json"), &created)
		if created.RecordID != uint64(i+1) {
			t.Fatalf("create %s: record id %d, want %d", p, created.RecordID, i+1)
		}
	}
	if out := run("tx", "registry", "move", "bike_permits", "1", "suspend", "--patch", `{"fee": 500}`, "--from", "bob"); !strings.Contains(out, "moved: record bike_permits/1 from issued to suspended, now version 2") {
		t.Fatalf("suspend: %q", out)
	}
	fails(tx.CodeRegistryWrongState.Error(), "tx", "registry", "move", "bike_permits", "1", "suspend", "--from", "bob")
	if out := run("tx", "registry", "move", "bike_permits", "1", "cancel", "--from", "alice"); !strings.Contains(out, "pending: 1 of 2 approvals") {
		t.Fatalf("cancel by alice: %q, want 1 of 2 approvals", out)
	}
	var pending []tx.RegistryApproval
	decode(run("query", "registry", "approvals", "bike_permits", "1"), &pending)
	if len(pending) != 1 || pending[0].Transition != "cancel" || pending[0].Needed != 2 || !slices.Equal(pending[0].Signers, []tx.Address{addr("alice")}) {
		t.Fatalf("approvals: %+v", pending)
	}
	fails(tx.CodeRegistryAlreadyApproved.Error(), "tx", "registry", "move", "bike_permits", "1", "cancel", "--from", "alice")
	var moved struct{ Status, To, Version string }
	decode(run("tx", "registry", "move", "bike_permits", "1", "cancel", "--version", "2", "--from", "inspector", "-o", "json"), &moved)
	if moved.Status != "moved" || moved.To != "cancelled" || moved.Version != "3" {
		t.Fatalf("cancel by inspector: %+v", moved)
	}

	// Read back, with proofs where there is one key to prove.
	var rec struct {
		Result tx.RegistryRecord
		Proof  proof
	}
	query(&rec, "record", "bike_permits", "1")
	if r := rec.Result; r.State != "cancelled" || r.Version != 3 || r.Schema != schema.ID() || r.Creator != addr("alice") || !rec.Proof.Verified ||
		compact(t, r.Data) != `{"fee":500,"holder":"`+holder+`","plate":"B1KE7","zone":"north"}` {
		t.Fatalf("record 1: %+v (data %s)", rec, rec.Result.Data)
	}
	var absent struct {
		Result *tx.RegistryRecord
		Proof  proof
	}
	query(&absent, "record", "bike_permits", "9")
	if absent.Result != nil || !absent.Proof.Verified {
		t.Fatalf("record 9: %+v, want proven absent", absent)
	}
	fails("not found", "query", "registry", "record", "bike_permits", "9")
	fails(`ID "0"`, "query", "registry", "record", "bike_permits", "0")
	var page tx.RegistryRecordPage
	decode(run("query", "registry", "records", "bike_permits", "--state", "issued"), &page)
	if len(page.Records) != 1 || page.Records[0].ID != 2 || page.Records[0].State != "issued" {
		t.Fatalf("records in state issued: %+v", page)
	}
	decode(run("query", "registry", "records", "bike_permits", "--limit", "1", "--all"), &page)
	if len(page.Records) != 2 || page.Records[0].ID != 1 || page.Records[1].ID != 2 {
		t.Fatalf("all records, a page of 1 at a time: %+v", page)
	}
	fails("--prove", append([]string{"query", "registry", "records", "bike_permits"}, prove...)...)
	var history []tx.RegistryStep
	decode(run("query", "registry", "history", "bike_permits", "1"), &history)
	signers := []tx.Address{addr("alice"), addr("inspector")}
	slices.SortFunc(signers, func(a, b tx.Address) int { return strings.Compare(a.String(), b.String()) })
	if len(history) != 3 || history[0].Transition != "create" || history[0].To != "issued" ||
		history[1].Transition != "suspend" || !slices.Equal(history[1].Signers, []tx.Address{addr("bob")}) ||
		history[2].Transition != "cancel" || history[2].From != "suspended" || !slices.Equal(history[2].Signers, signers) {
		t.Fatalf("history: %+v", history)
	}
	var ids tx.RegistryIDPage
	decode(run("query", "registry", "index", "bike_permits", "holder", holder), &ids)
	if !slices.Equal(ids.IDs, []uint64{1, 2}) {
		t.Fatalf("index holder=%s: %+v, want ids 1 and 2", holder, ids)
	}
	decode(run("query", "registry", "index", "bike_permits", "zone", "south"), &ids)
	if !slices.Equal(ids.IDs, []uint64{2}) {
		t.Fatalf("index zone=south: %+v, want id 2", ids)
	}
	for id, want := range map[string]bool{"1": true, "2": false} {
		var entry struct {
			Result struct{ Present bool }
			Proof  proof
		}
		query(&entry, "index", "bike_permits", "zone", "north", id)
		if entry.Result.Present != want || !entry.Proof.Verified {
			t.Fatalf("index entry zone=north id %s: %+v, want present %t, proven", id, entry, want)
		}
	}
	var count tx.RegistryCount
	decode(run("query", "registry", "count", "bike_permits"), &count)
	if count.Records != 2 || !slices.Equal(count.States, []tx.RegistryTally{{State: "issued", Records: 1}, {State: "suspended"}, {State: "cancelled", Records: 1}}) {
		t.Fatalf("count: %+v", count)
	}
	var grants tx.RegistryGrantPage
	decode(run("query", "registry", "grants", "bike_permits"), &grants)
	if len(grants.Grants) != 3 {
		t.Fatalf("grants: %+v, want 3", grants)
	}
	if out := run("query", "registry", "list"); !strings.Contains(out, `"bike_permits"`) {
		t.Fatalf("query registry list: %s", out)
	}

	// Revoking the inspector's grant stops bob's, delegated from it.
	run("tx", "registry", "revoke", "bike_permits", "warden", "inspector", "--from", "agency")
	fails(tx.CodeRegistryUnauthorized.Error(), "tx", "registry", "move", "bike_permits", "2", "suspend", "--from", "bob")
}

// compact is JSON printed indented, compacted again.
func compact(t *testing.T, b []byte) string {
	t.Helper()
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		t.Fatalf("compact %s: %v", b, err)
	}
	return out.String()
}
