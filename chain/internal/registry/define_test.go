package registry_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/tx"
)

// TestBadDefinitions (G2): a definition with a bad part is refused at
// registration with the code naming the part and an error naming where,
// and nothing is stored.
func TestBadDefinitions(t *testing.T) {
	c := newChain(t, false)
	props := func(d map[string]any) map[string]any { return path(d, "schema", "properties").(map[string]any) }
	for _, tc := range []struct {
		name string
		def  string
		code tx.Code
		log  []string
	}{
		{"a float in the schema", edit(t, petDef, func(d map[string]any) {
			props(d)["weight_kg"].(map[string]any)["maximum"] = json.Number("200.5")
		}), tx.CodeRegistryInvalidSchema, []string{"/properties/weight_kg/maximum"}},
		{"a number type", edit(t, petDef, func(d map[string]any) {
			props(d)["weight_kg"].(map[string]any)["type"] = "number"
		}), tx.CodeRegistryInvalidSchema, []string{"/properties/weight_kg/type"}},
		{"a lookahead pattern (beckn-onix)", edit(t, petDef, func(d map[string]any) {
			props(d)["name"].(map[string]any)["pattern"] = "^(?=.*[A-Z]).+$"
		}), tx.CodeRegistryInvalidSchema, []string{"/properties/name/pattern"}},
		{"an unbounded array", edit(t, petDef, func(d map[string]any) {
			delete(props(d)["tags"].(map[string]any), "maxItems")
		}), tx.CodeRegistryInvalidSchema, []string{"/properties/tags"}},
		{"an unbounded string", edit(t, petDef, func(d map[string]any) {
			delete(props(d)["breed"].(map[string]any), "maxLength")
		}), tx.CodeRegistryInvalidSchema, []string{"/properties/breed"}},
		{"an open record", edit(t, petDef, func(d map[string]any) { delete(path(d, "schema").(map[string]any), "additionalProperties") }),
			tx.CodeRegistryInvalidSchema, []string{"additionalProperties"}},
		{"a transition to an unknown state", edit(t, petDef, func(d map[string]any) {
			path(d, "transitions", 1).(map[string]any)["to"] = "stolen"
		}), tx.CodeRegistryInvalidTrans, []string{"transitions[1].to", `"stolen"`}},
		{"a transition with an unknown role", edit(t, petDef, func(d map[string]any) {
			path(d, "transitions", 0).(map[string]any)["roles"] = []any{"mayor"}
		}), tx.CodeRegistryInvalidTrans, []string{"transitions[0].roles[0]", `"mayor"`}},
		{"create_roles with an unknown role", edit(t, petDef, func(d map[string]any) { d["create_roles"] = []any{"vet", "groomer"} }),
			tx.CodeRegistryInvalidRoles, []string{"create_roles[1]", `"groomer"`}},
		{"a patch of an undeclared property", edit(t, petDef, func(d map[string]any) {
			path(d, "transitions", 0).(map[string]any)["patch"] = []any{"colour"}
		}), tx.CodeRegistryInvalidTrans, []string{"patch[0]", `"colour"`}},
		{"a deadline to an unknown state", edit(t, petDef, func(d map[string]any) {
			path(d, "states", 1, "deadline").(map[string]any)["to"] = "gone"
		}), tx.CodeRegistryInvalidStates, []string{"states[1].deadline.to"}},
		{"an index on an array", edit(t, petDef, func(d map[string]any) { d["indexes"] = []any{"tags"} }),
			tx.CodeRegistryInvalidIndexes, []string{`"tags"`}},
		{"privacy secret", edit(t, petDef, func(d map[string]any) { d["privacy"] = "secret" }), tx.CodeRegistryInvalidPrivacy, []string{`"secret"`}},
		{"no record limit", edit(t, petDef, func(d map[string]any) { path(d, "limits").(map[string]any)["max_records"] = 0 }),
			tx.CodeRegistryInvalidLimits, []string{"max_records"}},
		{"a bad version", edit(t, petDef, func(d map[string]any) { d["version"] = "v1" }), tx.CodeRegistryInvalidVersion, []string{`"v1"`}},
		{"a capitalised name", edit(t, petDef, func(d map[string]any) { d["name"] = "Pets" }), tx.CodeRegistryInvalidName, []string{`"Pets"`}},
		{"an unknown field", edit(t, petDef, func(d map[string]any) { d["colour"] = "red" }), tx.CodeRegistryMalformedDef, []string{"colour"}},
		{"not JSON", `{"name": "pets",`, tx.CodeRegistryMalformedDef, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.t = t
			c.fail(tc.name, district, &tx.MsgRegistryPropose{Def: tc.def}, tc.code, tc.log...)
		})
	}
	c.t = t
	c.fail("a non-agency proposes", officer, &tx.MsgRegistryPropose{Def: petDef}, tx.CodeRegistryNotAgency)
	if page := query[tx.RegistryProposalPage](c, "proposals", tx.RegistryPageRequest{}); len(page.Proposals) != 0 {
		t.Fatalf("refused definitions were stored: %+v", page)
	}
	if s := c.section(); s != "" && s != "null" {
		t.Fatalf("refused definitions left state: %s", s)
	}
	// The same definition twice, and once enabled.
	id := c.propose(district, petDef)
	c.fail("proposed twice", district, &tx.MsgRegistryPropose{Def: petDef}, tx.CodeRegistryProposalExists)
	c.fail("enable under another name", apptest.Authority, &tx.MsgRegistryEnable{Name: "cats", Def: id}, tx.CodeRegistryUnknownProposal)
	c.ok("enable", apptest.Authority, &tx.MsgRegistryEnable{Name: "pet_registration", Def: id})
	c.fail("enabled twice", apptest.Authority, &tx.MsgRegistryEnable{Name: "pet_registration", Def: id}, tx.CodeRegistryUnknownProposal)
	c.fail("proposed again once enabled", district, &tx.MsgRegistryPropose{Def: petDef}, tx.CodeRegistryProposalExists)
	c.fail("another agency's version", ministry, &tx.MsgRegistryPropose{Def: edit(t, petDef, func(d map[string]any) { d["version"] = "1.1" })},
		tx.CodeRegistryNotOwner)
}

// TestBadRecordChangesNothing (G2): a record that breaks its schema (or
// is too large, or not profile JSON) is refused with the path, and the
// module's state is as before: same export, same counts.
func TestBadRecordChangesNothing(t *testing.T) {
	c := newChain(t, false)
	c.enable(district, petDef, false)
	c.grant(district, "pet_registration", "vet", vet)
	c.create(vet, "pet_registration", petData("410000000000001", petOwner.Addr.String()))
	before, countBefore := c.section(), c.count("pet_registration")
	for _, tc := range []struct {
		name, data string
		code       tx.Code
		log        string
	}{
		{"a 14-digit chip", petData("41000000000001", petOwner.Addr.String()), tx.CodeRegistryInvalidRecord, "/microchip_id"},
		{"a float weight", strings.Replace(petData("410000000000002", petOwner.Addr.String()), `"mapo"`, `"mapo","weight_kg":12.5`, 1),
			tx.CodeRegistryInvalidRecord, "/weight_kg"},
		{"a missing owner", `{"microchip_id":"410000000000002","species":"dog","name":"Bori","district":"mapo"}`, tx.CodeRegistryInvalidRecord, "owner"},
		{"an extra property", strings.Replace(petData("410000000000002", petOwner.Addr.String()), `"mapo"`, `"mapo","colour":"red"`, 1),
			tx.CodeRegistryInvalidRecord, "colour"},
		{"a species not in the enum", strings.Replace(petData("410000000000002", petOwner.Addr.String()), `"dog"`, `"ferret"`, 1),
			tx.CodeRegistryInvalidRecord, "/species"},
		{"a bad date", strings.Replace(petData("410000000000002", petOwner.Addr.String()), `2021-04-05`, `2021-02-30`, 1),
			tx.CodeRegistryInvalidRecord, "/birth_date"},
		{"not an object", `["dog"]`, tx.CodeRegistryInvalidRecord, ""},
		{"larger than max_record_bytes (checked before the schema)", strings.Replace(petData("410000000000002", petOwner.Addr.String()),
			`"Jindo"`, `"`+strings.Repeat("x", 1100)+`"`, 1), tx.CodeRegistryTooLarge, "1024"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.t = t
			c.fail(tc.name, vet, &tx.MsgRegistryCreate{Registry: "pet_registration", Data: json.RawMessage(tc.data)}, tc.code, tc.log)
		})
	}
	c.t = t
	if after := c.section(); after != before {
		t.Fatalf("refused records changed the registry's state\nbefore %s\nafter  %s", before, after)
	}
	if got := c.count("pet_registration"); string(apptest.MustJSON(t, got)) != string(apptest.MustJSON(t, countBefore)) {
		t.Fatalf("count: %+v, before %+v", got, countBefore)
	}
	c.fail("a digest for a public registry", vet, &tx.MsgRegistryCreate{Registry: "pet_registration",
		Data: json.RawMessage(petData("410000000000002", petOwner.Addr.String())), Digest: &tx.Hash32{1}}, tx.CodeRegistryPrivacy)
	if id := c.create(vet, "pet_registration", petData("410000000000002", petOwner.Addr.String())); id != 2 {
		t.Fatalf("next id %d, want 2", id)
	}
}
