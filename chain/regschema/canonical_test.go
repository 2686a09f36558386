package regschema_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/citychain/citychain/chain/regschema"
)

// RFC 8785 section 3.2.3: keys sort by UTF-16 code units, so U+1F600 (a
// surrogate pair starting 0xD83D) sorts before U+FB33, unlike code point
// or UTF-8 byte order.
func TestCanonicalSortsKeysByUTF16(t *testing.T) {
	in := `{
  "\u20ac": "Euro Sign",
  "\r": "Carriage Return",
  "\ufb33": "Hebrew Letter Dalet With Dagesh",
  "1": "One",
  "\ud83d\ude00": "Emoji: Grinning Face",
  "\u0080": "Control",
  "\u00f6": "Latin Small Letter O With Diaeresis"
}`
	want := "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\",\"\u00f6\":\"Latin Small Letter O With Diaeresis\"," +
		"\"\u20ac\":\"Euro Sign\",\"\U0001F600\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}"
	got, err := regschema.Canonical([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	// Byte (code point) order would put the emoji last: check the test
	// really distinguishes the two orders.
	if strings.Index(string(got), "\U0001F600") > strings.Index(string(got), "\ufb33") {
		t.Fatal("non-BMP key sorted after U+FB33")
	}
}

// RFC 8785 section 3.2.4's example without its floating-point numbers
// (which the profile refuses): string escaping as ECMAScript's
// JSON.stringify, literals, no whitespace.
func TestCanonicalRFC8785Strings(t *testing.T) {
	in := `{
  "numbers": [333333333, 1000000, -0, 0, 9223372036854775807, -9223372036854775808],
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}`
	want := `{"literals":[null,true,false],"numbers":[333333333,1000000,0,0,9223372036854775807,-9223372036854775808],"string":"€$\u000f\nA'B\"\\\\\"/"}`
	got, err := regschema.Canonical([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	// Every control character: the short escapes where ECMAScript has
	// them, \u00xx (lowercase) for the rest; DEL, U+2028 and non-ASCII
	// stay literal.
	got, err = regschema.Canonical([]byte(`"\u0000\u0001\b\t\n\u000b\f\r\u001f\u007f\u2028\u00e9\ud800\udc00"`))
	if err != nil {
		t.Fatal(err)
	}
	want = "\"\\u0000\\u0001\\b\\t\\n\\u000b\\f\\r\\u001f\u007f\u2028\u00e9\U00010000\""
	if string(got) != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
}

func TestCanonicalRefuses(t *testing.T) {
	deep := strings.Repeat("[", regschema.MaxDepth+1) + strings.Repeat("]", regschema.MaxDepth+1)
	for _, c := range []struct {
		name, doc, path, reason string
	}{
		{"float", `{"a":[1,2.5]}`, "/a/1", "floating point is not allowed: 2.5"},
		{"float 1.0", `{"a":1.0}`, "/a", "floating point"},
		{"exponent", `{"a":{"b":1e3}}`, "/a/b", "floating point is not allowed: 1e3"},
		{"int64 overflow", `{"n":9223372036854775808}`, "/n", "does not fit in 64 bits"},
		{"duplicate key", `{"a":{"x":1,"y":2,"x":3}}`, "/a/x", `duplicate key "x"`},
		{"duplicate key escaped", `{"x":1,"\u0078":2}`, "/x", `duplicate key "x"`},
		{"pointer escaping", `{"a/b":{"c~d":0.5}}`, "/a~1b/c~0d", "floating point"},
		{"trailing data", `{} {}`, "", "trailing data"},
		{"empty", ``, "", "unexpected end of input"},
		{"invalid utf-8", "{\"a\":\"\xff\"}", "/a", "invalid UTF-8"},
		{"lone high surrogate", `["\ud800x"]`, "/0", "lone surrogate"},
		{"lone low surrogate", `["\udc00"]`, "/0", "lone surrogate"},
		{"raw control", "[\"a\nb\"]", "/0", "control character"},
		{"leading zero", `[01]`, "", "invalid JSON"},
		{"bad escape", `["\x"]`, "/0", "want an escape"},
		{"too deep", deep, strings.Repeat("/0", regschema.MaxDepth), "nesting deeper than 32"},
		{"NaN", `[NaN]`, "/0", "invalid JSON"},
		{"single quotes", `{'a':1}`, "", "invalid JSON"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := regschema.Canonical([]byte(c.doc))
			var e *regschema.Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want an *Error", err)
			}
			if e.Path != c.path || !strings.Contains(e.Reason, c.reason) {
				t.Fatalf("got %q: %q, want %q: ...%s...", e.Path, e.Reason, c.path, c.reason)
			}
		})
	}
	// MaxDepth itself is fine.
	ok := strings.Repeat("[", regschema.MaxDepth) + strings.Repeat("]", regschema.MaxDepth)
	if _, err := regschema.Canonical([]byte(ok)); err != nil {
		t.Fatalf("depth %d: %v", regschema.MaxDepth, err)
	}
}

func TestIDStableUnderWhitespaceKeyOrderAndEscapes(t *testing.T) {
	a := `{"type":"object","properties":{"é":{"type":"integer"},"b":{"type":"boolean"}},"additionalProperties":false}`
	b := "{\n  \"additionalProperties\" : false,\r\n\t\"properties\": {\"b\": {\"type\": \"boolean\"}, \"\\u00e9\": {\"type\":\"integer\"}},\n \"type\": \"obj\\u0065ct\"\n}\n"
	ia, err := regschema.ID([]byte(a))
	if err != nil {
		t.Fatal(err)
	}
	ib, err := regschema.ID([]byte(b))
	if err != nil {
		t.Fatal(err)
	}
	if ia != ib {
		t.Fatalf("IDs differ: %s vs %s", ia, ib)
	}
	if len(ia) != 64 || strings.ToLower(ia) != ia {
		t.Fatalf("ID %q: want 64 lowercase hex characters", ia)
	}
	// A one-character change is another document.
	ic, _ := regschema.ID([]byte(strings.Replace(a, "integer", "string", 1)))
	if ic == ia {
		t.Fatal("different documents share an ID")
	}
	// The compiled schema's ID is the document's.
	s := mustCompile(t, `{"type":"object","additionalProperties":false,"properties":{"a":{"type":"boolean"}}}`)
	id, _ := regschema.ID([]byte(`{ "properties":{"a":{"type":"boolean"}}, "additionalProperties":false, "type":"object" }`))
	if s.ID() != id {
		t.Fatalf("Schema.ID %s, ID %s", s.ID(), id)
	}
	if c, _ := regschema.Canonical(s.Canonical()); !bytes.Equal(c, s.Canonical()) {
		t.Fatal("Schema.Canonical is not canonical")
	}
}

// FuzzCanonical: the canonical form is a fixed point, and means the same
// JSON value as the input (as encoding/json reads it).
func FuzzCanonical(f *testing.F) {
	for _, s := range []string{`{"b":1,"a":[true,null,"x\u0000"]}`, `"\ud83d\ude00"`, `-0`, `{"\ufb33":1,"\ud83d\ude00":2}`, `[[[{}]]]`, `{"a":"\u2028<&>"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		c, err := regschema.Canonical(doc)
		if err != nil {
			return
		}
		c2, err := regschema.Canonical(c)
		if err != nil || !bytes.Equal(c, c2) {
			t.Fatalf("not a fixed point: %q -> %q (%v)", c, c2, err)
		}
		var a, b any
		da, db := json.NewDecoder(bytes.NewReader(doc)), json.NewDecoder(bytes.NewReader(c))
		da.UseNumber()
		db.UseNumber()
		if err := da.Decode(&a); err != nil {
			t.Fatalf("encoding/json refuses what Canonical accepted: %v", err)
		}
		if err := db.Decode(&b); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(normalize(a), normalize(b)) {
			t.Fatalf("value changed: %q -> %q", doc, c)
		}
	})
}

// normalize maps "-0" to "0" so json.Number compares by value.
func normalize(v any) any {
	switch x := v.(type) {
	case json.Number:
		if x == "-0" {
			return json.Number("0")
		}
	case []any:
		for i := range x {
			x[i] = normalize(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = normalize(x[k])
		}
	}
	return v
}
