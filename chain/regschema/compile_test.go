package regschema_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/citychain/citychain/chain/regschema"
)

// petSchema is a realistic registry schema using every keyword and format.
const petSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://city.example/registries/pets/1",
  "title": "Pet licence",
  "description": "One licensed pet.",
  "$comment": "issue 18 test fixture",
  "examples": [{"name": "Rex", "species": "dog", "born": "2020-02-29", "owner": "00112233445566778899aabbccddeeff00112233"}],
  "type": "object",
  "additionalProperties": false,
  "required": ["species", "name", "born", "owner"],
  "properties": {
    "name": {"type": "string", "minLength": 1, "maxLength": 40, "title": "Name", "description": "What the pet answers to"},
    "species": {"type": "string", "enum": ["cat", "dog", "rabbit"], "default": "dog"},
    "born": {"type": "string", "format": "date"},
    "owner": {"type": "string", "format": "address"},
    "chip": {"type": "string", "pattern": "^[0-9]{15}$", "maxLength": 15},
    "weight_g": {"type": "integer", "minimum": 1, "maximum": 200000},
    "neutered": {"type": "boolean", "const": true},
    "vaccinations": {
      "type": "array", "maxItems": 16, "minItems": 1, "uniqueItems": true,
      "items": {
        "type": "object", "additionalProperties": false, "required": ["vaccine", "date"],
        "properties": {"vaccine": {"type": "string", "maxLength": 32}, "date": {"type": "string", "format": "date"}}
      }
    },
    "fee": {"type": "integer", "multipleOf": 500, "exclusiveMinimum": 0, "exclusiveMaximum": 100000},
    "size": {"type": "integer", "enum": [1, 2, 3]},
    "email": {"type": "string", "format": "email"},
    "registered_at": {"type": "string", "format": "date-time", "maxLength": 40},
    "photo": {"type": "string", "format": "hash"},
    "tag": {"type": "string", "format": "uuid"},
    "homepage": {"type": "string", "format": "uri", "maxLength": 200}
  }
}`

func mustCompile(t testing.TB, doc string) *regschema.Schema {
	t.Helper()
	s, err := regschema.Compile([]byte(doc))
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return s
}

// obj wraps property declarations into a closed root object schema.
func obj(props string) string {
	return `{"type":"object","additionalProperties":false,"properties":{` + props + `}}`
}

func TestCompileAcceptsThePetSchema(t *testing.T) {
	s := mustCompile(t, petSchema)
	var names []string
	for _, p := range s.Properties() {
		names = append(names, p.Name)
	}
	want := []string{"born", "chip", "email", "fee", "homepage", "name", "neutered", "owner", "photo", "registered_at", "size", "species", "tag", "vaccinations", "weight_g"}
	if !slices.Equal(names, want) {
		t.Fatalf("Properties: %v, want %v", names, want)
	}
	p, ok := s.Property("species")
	if !ok || p.Type != "string" || !p.Required || !slices.Equal(p.Enum, []string{"cat", "dog", "rabbit"}) {
		t.Fatalf("species: %+v", p)
	}
	p, _ = s.Property("size")
	if p.Required || p.Type != "integer" || !slices.Equal(p.Enum, []string{"1", "2", "3"}) {
		t.Fatalf("size: %+v", p)
	}
	p, _ = s.Property("name")
	if p.Title != "Name" || p.Description != "What the pet answers to" || !p.Required {
		t.Fatalf("name: %+v", p)
	}
	p, _ = s.Property("owner")
	if p.Format != regschema.FormatAddress {
		t.Fatalf("owner: %+v", p)
	}
	p, _ = s.Property("vaccinations")
	if p.Type != "array" {
		t.Fatalf("vaccinations: %+v", p)
	}
	if _, ok := s.Property("nope"); ok {
		t.Fatal("Property found an undeclared name")
	}
	// The returned slices are copies.
	s.Properties()[11].Enum[0] = "x"
	if p, _ := s.Property("species"); p.Enum[0] != "cat" {
		t.Fatal("Properties shares its Enum slice")
	}
}

func TestCompileRefuses(t *testing.T) {
	deep := `{"type":"boolean"}`
	for range 8 {
		deep = obj(`"a":` + deep)
	}
	long := make([]string, 65)
	for i := range long {
		long[i] = fmt.Sprintf(`"p%02d":{"type":"boolean"}`, i)
	}
	for _, c := range []struct {
		name, schema, path, reason string
	}{
		// JSON level
		{"float minimum", obj(`"n":{"type":"integer","minimum":1.5}`), "/properties/n/minimum", "floating point is not allowed: 1.5"},
		{"float exponent", obj(`"n":{"type":"integer","maximum":1e3}`), "/properties/n/maximum", "floating point is not allowed: 1e3"},
		{"float in an annotation", obj(`"n":{"type":"integer","examples":[1,2.0]}`), "/properties/n/examples/1", "floating point"},
		{"duplicate key in schema", `{"type":"object","additionalProperties":false,"properties":{"a":{"type":"boolean"},"a":{"type":"integer"}}}`, "/properties/a", `duplicate key "a"`},
		{"not JSON", `{"type":"object",}`, "", "invalid JSON"},
		// property names travel as keys of a transaction body
		{"camelCase property", obj(`"ownerName":{"type":"boolean"}`), "/properties/ownerName", `property name "ownerName": want a lowercase letter`},
		{"property starting with a digit", obj(`"1st":{"type":"boolean"}`), "/properties/1st", "want a lowercase letter"},
		{"nested property with a dash", obj(`"a":{"type":"object","additionalProperties":false,"properties":{"b-c":{"type":"boolean"}}}`), "/properties/a/properties/b-c", "want a lowercase letter"},
		// keywords
		{"unknown keyword", obj(`"a":{"type":"string","maxLength":3,"colour":"red"}`), "/properties/a/colour", `keyword "colour" is not in the profile`},
		{"$ref", obj(`"a":{"$ref":"#/$defs/x"}`), "/properties/a/$ref", `keyword "$ref" is not in the profile`},
		{"allOf", obj(`"a":{"type":"boolean","allOf":[]}`), "/properties/a/allOf", `keyword "allOf" is not in the profile`},
		{"anyOf at root", `{"type":"object","additionalProperties":false,"properties":{},"anyOf":[]}`, "/anyOf", `keyword "anyOf" is not in the profile`},
		{"patternProperties", `{"type":"object","additionalProperties":false,"properties":{},"patternProperties":{}}`, "/patternProperties", "not in the profile"},
		{"unevaluatedProperties", `{"type":"object","additionalProperties":false,"properties":{},"unevaluatedProperties":false}`, "/unevaluatedProperties", "not in the profile"},
		{"contentEncoding", obj(`"a":{"type":"string","maxLength":9,"contentEncoding":"base64"}`), "/properties/a/contentEncoding", "not in the profile"},
		{"nested $schema", obj(`"a":{"type":"boolean","$schema":"https://json-schema.org/draft/2020-12/schema"}`), "/properties/a/$schema", "only allowed at the root"},
		{"other draft", `{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","additionalProperties":false,"properties":{}}`, "/$schema", "https://json-schema.org/draft/2020-12/schema"},
		{"$id with fragment", `{"$id":"https://x.example/s#a","type":"object","additionalProperties":false,"properties":{}}`, "/$id", "fragment"},
		{"keyword of another type", obj(`"a":{"type":"integer","maxLength":3}`), "/properties/a/maxLength", `keyword "maxLength" does not apply to type "integer"`},
		// types
		{"number type", obj(`"a":{"type":"number"}`), "/properties/a/type", "floating point is not allowed: use \"integer\""},
		{"array of types", obj(`"a":{"type":["string","null"],"maxLength":3}`), "/properties/a/type", "exactly one type"},
		{"null type", obj(`"a":{"type":"null"}`), "/properties/a/type", `"null" is not in the profile`},
		{"missing type", obj(`"a":{"maxLength":3}`), "/properties/a", `missing "type"`},
		{"missing type in items", obj(`"a":{"type":"array","maxItems":3,"items":{}}`), "/properties/a/items", `missing "type"`},
		{"root not an object", `{"type":"string","maxLength":3}`, "/type", "root schema must be"},
		{"boolean schema", obj(`"a":true`), "/properties/a", "want a schema object"},
		// bounds
		{"unbounded array", obj(`"a":{"type":"array","items":{"type":"boolean"}}`), "/properties/a", "unbounded list: add maxItems <= 256"},
		{"array without items", obj(`"a":{"type":"array","maxItems":3}`), "/properties/a", "unbounded list"},
		{"maxItems too large", obj(`"a":{"type":"array","maxItems":257,"items":{"type":"boolean"}}`), "/properties/a/maxItems", "want 0 to 256"},
		{"missing maxLength", obj(`"a":{"type":"string","minLength":1}`), "/properties/a", "unbounded string: add maxLength <= 4096"},
		{"uri without maxLength", obj(`"a":{"type":"string","format":"uri"}`), "/properties/a", `format "uri" does not bound the length`},
		{"maxLength too large", obj(`"a":{"type":"string","maxLength":4097}`), "/properties/a/maxLength", "want 0 to 4096"},
		{"missing additionalProperties", `{"type":"object","properties":{}}`, "", "additionalProperties: want false (records are closed)"},
		{"nested missing additionalProperties", obj(`"a":{"type":"object","properties":{}}`), "/properties/a", "additionalProperties: want false (records are closed)"},
		{"additionalProperties true", `{"type":"object","additionalProperties":true,"properties":{}}`, "/additionalProperties", "want false (records are closed)"},
		{"additionalProperties schema", `{"type":"object","additionalProperties":{"type":"string"},"properties":{}}`, "/additionalProperties", "want false"},
		{"object without properties", `{"type":"object","additionalProperties":false}`, "", `missing "properties"`},
		{"too many properties", obj(strings.Join(long, ",")), "/properties", "65 properties; the limit is 64"},
		{"depth", deep, "/properties/a/properties/a/properties/a/properties/a/properties/a/properties/a/properties/a/properties/a", "deeper than 8"},
		{"minLength > maxLength", obj(`"a":{"type":"string","minLength":5,"maxLength":4}`), "/properties/a/minLength", "greater than maxLength"},
		{"empty integer range", obj(`"a":{"type":"integer","minimum":5,"exclusiveMaximum":5}`), "/properties/a", "range of integers is empty"},
		{"multipleOf zero", obj(`"a":{"type":"integer","multipleOf":0}`), "/properties/a/multipleOf", "positive"},
		// required
		{"required not declared", `{"type":"object","additionalProperties":false,"properties":{"a":{"type":"boolean"}},"required":["a","b"]}`, "/required/1", `required property "b" is not declared`},
		{"required twice", `{"type":"object","additionalProperties":false,"properties":{"a":{"type":"boolean"}},"required":["a","a"]}`, "/required", "listed twice"},
		// enum, const, format
		{"enum duplicates", obj(`"a":{"type":"string","enum":["x","y","x"]}`), "/properties/a/enum/2", "duplicate enum entry"},
		{"enum of another type", obj(`"a":{"type":"string","enum":["x",1]}`), "/properties/a/enum/1", "want a string"},
		{"empty enum", obj(`"a":{"type":"integer","enum":[]}`), "/properties/a/enum", "want 1 to 256 entries"},
		{"const of another type", obj(`"a":{"type":"boolean","const":1}`), "/properties/a/const", "want a boolean"},
		{"unknown format", obj(`"a":{"type":"string","format":"ipv4","maxLength":15}`), "/properties/a/format", `unknown format "ipv4"`},
		// pattern
		{"lookahead", obj(`"a":{"type":"string","maxLength":9,"pattern":"^(?=a)b"}`), "/properties/a/pattern", "RE2 has no lookaround"},
		{"negative lookahead", obj(`"a":{"type":"string","maxLength":9,"pattern":"x(?!y)"}`), "/properties/a/pattern", "RE2 has no lookaround"},
		{"lookbehind", obj(`"a":{"type":"string","maxLength":9,"pattern":"(?<=a)b"}`), "/properties/a/pattern", "RE2 has no lookaround"},
		{"backreference", obj(`"a":{"type":"string","maxLength":9,"pattern":"(a)\\1"}`), "/properties/a/pattern", "no backreferences"},
		{"dot", obj(`"a":{"type":"string","maxLength":9,"pattern":"^.+$"}`), "/properties/a/pattern", `"." at byte 1 is not in the profile`},
		{"\\s", obj(`"a":{"type":"string","maxLength":9,"pattern":"\\s"}`), "/properties/a/pattern", "whitespace"},
		{"inline flag", obj(`"a":{"type":"string","maxLength":9,"pattern":"(?i)abc"}`), "/properties/a/pattern", "inline flags"},
		{"posix class", obj(`"a":{"type":"string","maxLength":9,"pattern":"[[:alpha:]]"}`), "/properties/a/pattern", "must be escaped"},
		{"RE2-only escape", obj(`"a":{"type":"string","maxLength":9,"pattern":"abc\\z"}`), "/properties/a/pattern", `escape \z`},
		{"unicode class", obj(`"a":{"type":"string","maxLength":9,"pattern":"\\p{L}"}`), "/properties/a/pattern", "Unicode property"},
		{"pattern does not compile", obj(`"a":{"type":"string","maxLength":9,"pattern":"a{2,1}"}`), "/properties/a/pattern", "out of order"},
		{"nothing to repeat", obj(`"a":{"type":"string","maxLength":9,"pattern":"*a"}`), "/properties/a/pattern", "nothing to repeat"},
		{"pattern too long", obj(`"a":{"type":"string","maxLength":9,"pattern":"` + strings.Repeat("a", 257) + `"}`), "/properties/a/pattern", "the limit is 256"},
		// size
		{"schema too large", obj(`"a":{"type":"string","maxLength":9,"description":"` + strings.Repeat("x", 32<<10) + `"}`), "", "the limit is 32768"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := regschema.Compile([]byte(c.schema))
			var e *regschema.Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want an *Error", err)
			}
			if e.Path != c.path || !strings.Contains(e.Reason, c.reason) {
				t.Fatalf("got %q: %q\nwant %q: ...%s...", e.Path, e.Reason, c.path, c.reason)
			}
		})
	}
}

// The first offence is reported, in sorted key order, whatever the order
// of the document.
func TestCompileReportsTheFirstOffenceInSortedOrder(t *testing.T) {
	a := obj(`"zeta":{"type":"number"},"alpha":{"type":"string"}`)
	b := obj(`"alpha":{"type":"string"},"zeta":{"type":"number"}`)
	for _, doc := range []string{a, b} {
		_, err := regschema.Compile([]byte(doc))
		var e *regschema.Error
		if !errors.As(err, &e) || e.Path != "/properties/alpha" {
			t.Fatalf("got %v, want the error at /properties/alpha", err)
		}
	}
	if got := (&regschema.Error{Path: "", Reason: "x"}).Error(); got != "(root): x" {
		t.Fatalf("Error(): %q", got)
	}
	if got := (&regschema.Error{Path: "/a", Reason: "x"}).Error(); got != "/a: x" {
		t.Fatalf("Error(): %q", got)
	}
}

func TestPatternSubset(t *testing.T) {
	accepted := []string{
		`^[A-HJ-NPR-Z0-9]{17}$`, `^[0-9]{3}-[0-9]{4}$`, `[a-z]+-[0-9]+`, `^(?:ab|cd)*$`, `\bcat\b`,
		`^[^\n]{1,5}$`, `^\d+\.\d{2}$`, `^\w+@\w+\.[a-z]{2,}$`, `^[-a-z]+$`, `^[a-z-]+$`, `^[\-\]\[]+$`,
		`^\x41\t\n\r\f\v$`, `^a*?b+?c??d{2}?$`, `\/\^\$\\\.\*\+\?\(\)\[\]\{\}\|`, `^$`, `a|`, `(a)(b(c))`,
		`^[\d\w]+$`, `^[^\W\d]$`, `^é+😀?[가-힣]$`,
	}
	for _, p := range accepted {
		doc := obj(fmt.Sprintf(`"a":{"type":"string","maxLength":9,"pattern":%q}`, p))
		if _, err := regschema.Compile([]byte(doc)); err != nil {
			t.Errorf("pattern %q refused: %v", p, err)
		}
	}
	refused := []string{
		`.`, `\s`, `\S`, `(?=a)`, `(?!a)`, `(?<=a)`, `(?<!a)`, `(a)\1`, `\k<x>`, `(?<x>a)`, `(?P<x>a)`,
		`(?i)a`, `(?s:a)`, `\p{L}`, `\PL`, `\u0041`, `\0`, `\cA`, `\A`, `\z`, `\Q.\E`, `[[:alpha:]]`,
		`a{`, `a{,3}`, `a}`, `a]`, `[]`, `[^]`, `[a`, `(a`, `a)`, `a**`, `a{2}{3}`, `^*`, `\b+`, `a{1001}`,
		`[z-a]`, `[a-z-0]`, `[\d-z]`, `[\b]`, `\-`, `\B`, `\x4`, `\`, `\e`, `\a`, `[\s]`,
	}
	for _, p := range refused {
		doc := obj(fmt.Sprintf(`"a":{"type":"string","maxLength":9,"pattern":%q}`, p))
		_, err := regschema.Compile([]byte(doc))
		var e *regschema.Error
		if !errors.As(err, &e) || e.Path != "/properties/a/pattern" {
			t.Errorf("pattern %q: got %v, want a refusal at its path", p, err)
		}
	}
}
