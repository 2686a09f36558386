package registry_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/citychain/citychain/chain/regschema"
	"github.com/citychain/citychain/chain/tx"
)

// withProperty is def at version v with property name added to its
// schema (required when req).
func withProperty(t *testing.T, def, v, name string, req bool) string {
	return edit(t, def, func(d map[string]any) {
		d["version"] = v
		path(d, "schema", "properties").(map[string]any)[name] = map[string]any{"type": "string", "maxLength": json.Number("32")}
		if req {
			s := path(d, "schema").(map[string]any)
			s["required"] = append(s["required"].([]any), name)
		}
	})
}

// TestVersions (G3): a minor version that adds a required property is
// refused (CodeRegistryIncompatible) at proposal; one that adds an
// optional property is enabled; records written under 1.0 keep their
// schema id and still validate against the schema stored under it; a
// record written or patched under 1.1 carries 1.1's schema id; versions
// only go forward; a major version may change the schema.
func TestVersions(t *testing.T) {
	c := newChain(t, false)
	c.enable(district, petDef, false)
	v10 := c.registry("pet_registration")
	c.grant(district, "pet_registration", "vet", vet)
	c.grant(district, "pet_registration", "district_officer", officer)
	old := c.create(vet, "pet_registration", petData("410000000000001", petOwner.Addr.String()))
	old2 := c.create(vet, "pet_registration", petData("410000000000002", petOwner.Addr.String()))

	c.fail("1.1 adds a required property", district, &tx.MsgRegistryPropose{Def: withProperty(t, petDef, "1.1", "owner_phone", true)},
		tx.CodeRegistryIncompatible, "owner_phone")
	c.fail("1.1 changes a property's type", district, &tx.MsgRegistryPropose{Def: edit(t, petDef, func(d map[string]any) {
		d["version"] = "1.1"
		path(d, "schema", "properties").(map[string]any)["weight_kg"] = map[string]any{"type": "string", "maxLength": json.Number("8")}
	})}, tx.CodeRegistryIncompatible, "weight_kg")
	c.fail("1.0 again, changed", district, &tx.MsgRegistryPropose{Def: edit(t, petDef, func(d map[string]any) { d["title"] = "Pets" })},
		tx.CodeRegistryVersion)
	c.fail("0.9", district, &tx.MsgRegistryPropose{Def: withProperty(t, petDef, "0.9", "colour", false)}, tx.CodeRegistryVersion)
	c.fail("2.0 dropping a state that holds records", district, &tx.MsgRegistryPropose{Def: edit(t, petDef, func(d map[string]any) {
		d["version"] = "2.0"
		d["initial"] = "lost"
		d["states"] = d["states"].([]any)[1:]
		d["transitions"] = []any{}
	})}, tx.CodeRegistryIncompatible, `"registered"`)

	v11def := withProperty(t, petDef, "1.1", "colour", false)
	c.enable(district, v11def, false)
	v11 := c.registry("pet_registration")
	if v11.SchemaID == v10.SchemaID || len(v11.Versions) != 2 || v11.Versions[0].SchemaID != v10.SchemaID || v11.Def.Version != "1.1" {
		t.Fatalf("1.1: %+v", v11)
	}
	// Records of 1.0 keep 1.0's schema id and validate against it.
	for _, id := range []uint64{old, old2} {
		rec := c.record("pet_registration", id)
		if rec.Schema != v10.SchemaID {
			t.Fatalf("record %d: schema %s, want 1.0's %s", id, rec.Schema, v10.SchemaID)
		}
		var raw json.RawMessage
		c.h.QueryJSON(t, "/registry/schema", []byte(`{"id":"`+rec.Schema+`"}`), &raw)
		s, err := regschema.Compile(raw)
		if err != nil || s.ID() != rec.Schema {
			t.Fatalf("stored schema %s: %v", rec.Schema, err)
		}
		if err := s.Validate(rec.Data); err != nil {
			t.Fatalf("record %d no longer validates against its schema: %v", id, err)
		}
	}
	// 1.1's property is accepted now, and its records carry 1.1's id.
	colour := strings.Replace(petData("410000000000003", petOwner.Addr.String()), `"mapo"`, `"mapo","colour":"white"`, 1)
	nid := c.create(vet, "pet_registration", colour)
	if rec := c.record("pet_registration", nid); rec.Schema != v11.SchemaID {
		t.Fatalf("new record: schema %s, want 1.1's %s", rec.Schema, v11.SchemaID)
	}
	// A transition without a patch keeps the record's schema id; a patch
	// restamps it with the current one.
	c.move(vet, "pet_registration", old, "report_lost", "")
	if rec := c.record("pet_registration", old); rec.Schema != v10.SchemaID {
		t.Fatalf("moved without patch: schema %s, want 1.0's", rec.Schema)
	}
	c.move(officer, "pet_registration", old2, "transfer", `{"owner":"`+petOwner2.Addr.String()+`"}`)
	if rec := c.record("pet_registration", old2); rec.Schema != v11.SchemaID {
		t.Fatalf("patched: schema %s, want 1.1's", rec.Schema)
	}
	if h := c.history("pet_registration", old2); h[0].Schema != v10.SchemaID || h[1].Schema != v11.SchemaID {
		t.Fatalf("history schemas: %+v", h)
	}
	// A major version may change the schema; 2.0 after 1.1.
	v2 := withProperty(t, edit(t, petDef, func(d map[string]any) { d["title"] = "Pets 2" }), "2.0", "owner_phone", true)
	c.enable(district, v2, false)
	c.fail("1.2 after 2.0", district, &tx.MsgRegistryPropose{Def: withProperty(t, petDef, "1.2", "size", false)}, tx.CodeRegistryVersion)
	if rec := c.record("pet_registration", old); rec.Schema != v10.SchemaID {
		t.Fatalf("after 2.0: record %d schema %s", old, rec.Schema)
	}
	c.h.ExportRoundTrip(t)
}
