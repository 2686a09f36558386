package regschema_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/citychain/citychain/chain/regschema"
)

const titleV1 = `{
  "$id": "https://city.example/registries/titles",
  "type": "object", "additionalProperties": false,
  "required": ["vin", "owner"],
  "properties": {
    "vin": {"type": "string", "pattern": "^[A-HJ-NPR-Z0-9]{17}$", "maxLength": 17, "description": "Vehicle identification number"},
    "owner": {"type": "string", "format": "address"},
    "mileage": {"type": "integer", "minimum": 0},
    "salvage": {"type": "boolean"},
    "liens": {"type": "array", "maxItems": 8, "items": {
      "type": "object", "additionalProperties": false, "required": ["holder"],
      "properties": {"holder": {"type": "string", "format": "address"}}}}
  }
}`

// edit returns titleV1 with one textual replacement (which must apply).
func edit(t *testing.T, old, new string) string {
	t.Helper()
	if !strings.Contains(titleV1, old) {
		t.Fatalf("fixture has no %q", old)
	}
	return strings.Replace(titleV1, old, new, 1)
}

func TestCheckMinor(t *testing.T) {
	prev := mustCompile(t, titleV1)
	addPhone := func(doc string) string {
		return strings.Replace(doc, `"salvage": {"type": "boolean"},`, `"salvage": {"type": "boolean"}, "owner_phone": {"type": "string", "maxLength": 20},`, 1)
	}
	addSince := func(doc string) string {
		return strings.Replace(doc, `"holder": {"type": "string", "format": "address"}`, `"holder": {"type": "string", "format": "address"}, "since": {"type": "string", "format": "date"}`, 1)
	}
	for _, c := range []struct {
		name, next, path, reason string
	}{
		{"identical", titleV1, "", ""},
		{"same document reformatted", string(prev.Canonical()), "", ""},
		{"required reordered", edit(t, `["vin", "owner"]`, `["owner", "vin"]`), "", ""},
		{"adds an optional property", addPhone(titleV1), "", ""},
		{"adds an optional nested property", addSince(titleV1), "", ""},
		{"adds a required property", edit(t, `["vin", "owner"]`, `["vin", "owner", "owner_phone"]`), "/required", `minor version adds required property "owner_phone"`},
		{"adds a nested required property", edit(t, `"required": ["holder"]`, `"required": ["holder", "since"]`), "/properties/liens/items/required", `minor version adds required property "since"`},
		{"changes a type", edit(t, `"salvage": {"type": "boolean"}`, `"salvage": {"type": "integer"}`), "/properties/salvage/type", `minor version changes "type" from "boolean" to "integer"`},
		{"removes a property", edit(t, `"salvage": {"type": "boolean"},`, ``), "/properties/salvage", `minor version removes property "salvage"`},
		{"changes a bound", edit(t, `"maxItems": 8`, `"maxItems": 9`), "/properties/liens/maxItems", `minor version changes "maxItems" from 8 to 9`},
		{"adds a keyword", edit(t, `"minimum": 0}`, `"minimum": 0, "maximum": 2000000}`), "/properties/mileage/maximum", `minor version adds keyword "maximum"`},
		{"removes a keyword", edit(t, `, "minimum": 0}`, `}`), "/properties/mileage/minimum", `minor version removes keyword "minimum"`},
		{"changes a pattern", edit(t, `^[A-HJ-NPR-Z0-9]{17}$`, `^[A-Z0-9]{17}$`), "/properties/vin/pattern", `minor version changes "pattern"`},
		{"changes an annotation", edit(t, `Vehicle identification number`, `VIN`), "/properties/vin/description", `minor version changes "description"`},
		{"changes $id", edit(t, `registries/titles"`, `registries/titles/2"`), "/$id", `minor version changes "$id"`},
		{"removes a required property", edit(t, `["vin", "owner"]`, `["vin"]`), "/required", `minor version removes required property "owner"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			if strings.Contains(c.name, "required property") {
				c.next = addSince(addPhone(c.next)) // declare what it requires
			}
			next := mustCompile(t, c.next)
			err := regschema.CheckMinor(prev, next)
			if c.reason == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var e *regschema.Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want an *Error", err)
			}
			if e.Path != c.path || !strings.Contains(e.Reason, c.reason) {
				t.Fatalf("got %q: %q\nwant %q: ...%s...", e.Path, e.Reason, c.path, c.reason)
			}
		})
	}
	// A root without required gaining one.
	a := mustCompile(t, obj(`"a":{"type":"boolean"}`))
	b := mustCompile(t, `{"type":"object","additionalProperties":false,"properties":{"a":{"type":"boolean"},"b":{"type":"boolean"}},"required":["b"]}`)
	var e *regschema.Error
	if err := regschema.CheckMinor(a, b); !errors.As(err, &e) || e.Path != "/required" || !strings.Contains(e.Reason, `adds required property "b"`) {
		t.Fatalf("got %v", err)
	}
	// An added optional property keeps every old record valid.
	next := mustCompile(t, edit(t, `"salvage": {"type": "boolean"},`, `"salvage": {"type": "boolean"}, "colour": {"type": "string", "maxLength": 20},`))
	rec := []byte(`{"vin":"KMHKN81A5RU100001","owner":"00112233445566778899aabbccddeeff00112233","salvage":true}`)
	if prev.Validate(rec) != nil || next.Validate(rec) != nil {
		t.Fatal("old record refused by the minor version")
	}
}

func TestOpenAPI(t *testing.T) {
	s := mustCompile(t, petSchema)
	oa := s.OpenAPI()
	var m map[string]any
	if err := json.Unmarshal(oa, &m); err != nil {
		t.Fatal(err)
	}
	if _, ok := m["$schema"]; ok {
		t.Fatal("OpenAPI keeps $schema")
	}
	if _, ok := m["$id"]; ok {
		t.Fatal("OpenAPI keeps $id")
	}
	if m["title"] != "Pet licence" || m["type"] != "object" || m["additionalProperties"] != false {
		t.Fatalf("OpenAPI lost keywords: %s", oa)
	}
	c, err := regschema.Canonical(oa)
	if err != nil || !bytes.Equal(c, oa) {
		t.Fatalf("OpenAPI is not canonical: %v", err)
	}
	// It is itself a profile schema validating the same records.
	o := mustCompile(t, string(oa))
	if err := o.Validate([]byte(validPet)); err != nil {
		t.Fatal(err)
	}
	if err := o.Validate(pet(t, map[string]any{"species": "horse"})); err == nil {
		t.Fatal("OpenAPI schema accepts an invalid record")
	}
	// And a JSON Schema 2020-12 schema for other tools.
	santhosh(t, string(oa))
}

func BenchmarkValidate(b *testing.B) {
	s := mustCompile(b, petSchema)
	rec := pet(b, map[string]any{
		"chip": "123456789012345", "weight_g": 4200, "neutered": true, "fee": 1500, "size": 2,
		"vaccinations": []any{map[string]any{"vaccine": "rabies", "date": "2021-03-01"}},
	}) // 10 properties, one nested object
	if err := s.Validate(rec); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(rec)))
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Validate(rec); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCanonical(b *testing.B) {
	doc := []byte(petSchema)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := regschema.Canonical(doc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompile(b *testing.B) {
	doc := []byte(petSchema)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := regschema.Compile(doc); err != nil {
			b.Fatal(err)
		}
	}
}
