package regschema_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/citychain/citychain/chain/regschema"
)

const validPet = `{"name":"Rex","species":"dog","born":"2020-02-29","owner":"00112233445566778899aabbccddeeff00112233"}`

// pet returns validPet with the given members set (a nil value deletes).
func pet(t testing.TB, set map[string]any) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(validPet), &m); err != nil {
		t.Fatal(err)
	}
	for k, v := range set {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestValidate(t *testing.T) {
	s := mustCompile(t, petSchema)
	if err := s.Validate([]byte(validPet)); err != nil {
		t.Fatalf("valid record refused: %v", err)
	}
	full := pet(t, map[string]any{
		"chip": "123456789012345", "weight_g": 4200, "neutered": true, "fee": 1500, "size": 2,
		"vaccinations": []any{map[string]any{"vaccine": "rabies", "date": "2021-03-01"}, map[string]any{"vaccine": "rabies", "date": "2022-03-01"}},
		"email":        "vet.office+rex@clinic.example.org", "registered_at": "2024-02-29T23:59:60Z",
		"photo": strings.Repeat("ab", 32), "tag": "123e4567-E89B-12d3-a456-426614174000", "homepage": "https://pets.example/rex?x=1#top",
	})
	if err := s.Validate(full); err != nil {
		t.Fatalf("valid record refused: %v", err)
	}
	for _, c := range []struct {
		name   string
		record []byte
		path   string
		reason string
	}{
		{"not JSON", []byte(`{"name":`), "/name", "invalid JSON"},
		{"float in record", []byte(`{"weight_g":12.5}`), "/weight_g", "floating point is not allowed"},
		{"duplicate key in record", []byte(`{"name":"a","name":"b"}`), "/name", "duplicate key"},
		{"record not an object", []byte(`[]`), "", "want an object, got an array"},
		{"wrong type", pet(t, map[string]any{"weight_g": "12"}), "/weight_g", "want an integer, got a string"},
		{"null", pet(t, map[string]any{"name": json.RawMessage("null")}), "/name", "want a string, got null"},
		{"undeclared property", pet(t, map[string]any{"colour": "red"}), "/colour", `property "colour" is not in the schema`},
		{"missing required", pet(t, map[string]any{"owner": nil}), "/owner", `required property "owner" is missing`},
		{"required in sorted order", pet(t, map[string]any{"owner": nil, "born": nil}), "/born", "missing"},
		{"properties before required", pet(t, map[string]any{"owner": nil, "weight_g": 0}), "/weight_g", "want at least 1, got 0"},
		{"properties in sorted order", pet(t, map[string]any{"weight_g": 0, "chip": "x"}), "/chip", "does not match pattern"},
		{"minLength in code points", pet(t, map[string]any{"name": ""}), "/name", "want at least 1 characters, got 0"},
		{"maxLength in code points", pet(t, map[string]any{"name": strings.Repeat("😀", 41)}), "/name", "want at most 40 characters, got 41"},
		{"enum", pet(t, map[string]any{"species": "horse"}), "/species", `want one of "cat", "dog", "rabbit"`},
		{"integer enum", pet(t, map[string]any{"size": 4}), "/size", "want one of 1, 2, 3"},
		{"const", pet(t, map[string]any{"neutered": false}), "/neutered", "want true"},
		{"maximum", pet(t, map[string]any{"weight_g": 200001}), "/weight_g", "want at most 200000"},
		{"exclusiveMinimum", pet(t, map[string]any{"fee": 0}), "/fee", "want more than 0, got 0"},
		{"exclusiveMaximum", pet(t, map[string]any{"fee": 100000}), "/fee", "want less than 100000"},
		{"multipleOf", pet(t, map[string]any{"fee": 750}), "/fee", "want a multiple of 500, got 750"},
		{"pattern", pet(t, map[string]any{"chip": "12345678901234x"}), "/chip", `does not match pattern "^[0-9]{15}$"`},
		{"pattern is a search", pet(t, map[string]any{"chip": "1234567890123456"}), "/chip", "want at most 15 characters"},
		{"maxItems", pet(t, map[string]any{"vaccinations": make([]any, 17)}), "/vaccinations", "want at most 16 items, got 17"},
		{"minItems", pet(t, map[string]any{"vaccinations": []any{}}), "/vaccinations", "want at least 1 items, got 0"},
		{"item", pet(t, map[string]any{"vaccinations": []any{map[string]any{"vaccine": "x", "date": "2021-02-29"}}}), "/vaccinations/0/date", "day out of range"},
		{"item missing", pet(t, map[string]any{"vaccinations": []any{map[string]any{"vaccine": "x", "date": "2021-02-28"}, map[string]any{"date": "2021-02-28"}}}), "/vaccinations/1/vaccine", "missing"},
		{"uniqueItems", pet(t, map[string]any{"vaccinations": []any{
			map[string]any{"vaccine": "a", "date": "2021-02-28"}, map[string]any{"vaccine": "b", "date": "2021-02-28"},
			map[string]any{"vaccine": "b", "date": "2021-02-28"}, map[string]any{"date": "2021-02-28", "vaccine": "a"},
		}}), "/vaccinations/2", "item 2 repeats item 1"},
		{"format date", pet(t, map[string]any{"born": "2019-02-29"}), "/born", `format "date"`},
		{"format address", pet(t, map[string]any{"owner": strings.Repeat("A", 40)}), "/owner", "40 lowercase hex"},
		{"format hash", pet(t, map[string]any{"photo": strings.Repeat("a", 63)}), "/photo", "64 lowercase hex"},
		{"format uuid", pet(t, map[string]any{"tag": "123e4567e89b12d3a456426614174000"}), "/tag", "uuid"},
		{"format email", pet(t, map[string]any{"email": "two words@example.org"}), "/email", "email"},
		{"format date-time", pet(t, map[string]any{"registered_at": "2024-02-29T12:00:60Z"}), "/registered_at", "leap second"},
		{"format uri", pet(t, map[string]any{"homepage": "/relative/path"}), "/homepage", "scheme"},
		{"pointer escaping", pet(t, map[string]any{"a/b~c": 1}), "/a~1b~0c", "not in the schema"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := s.Validate(c.record)
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

func TestFormats(t *testing.T) {
	schema := obj(`"d":{"type":"string","format":"date"},"t":{"type":"string","format":"date-time","maxLength":64},` +
		`"e":{"type":"string","format":"email"},"u":{"type":"string","format":"uuid"},"r":{"type":"string","format":"uri","maxLength":200},` +
		`"a":{"type":"string","format":"address"},"h":{"type":"string","format":"hash"}`)
	s := mustCompile(t, schema)
	for _, c := range []struct {
		prop, value string
		valid       bool
	}{
		{"d", "2024-02-29", true}, {"d", "2000-02-29", true}, {"d", "2023-02-29", false}, {"d", "1900-02-29", false},
		{"d", "2023-04-31", false}, {"d", "2023-12-31", true}, {"d", "2023-13-01", false}, {"d", "2023-00-10", false},
		{"d", "2023-01-00", false}, {"d", "2023-1-01", false}, {"d", "20230101", false}, {"d", "0000-02-29", true},
		{"d", "2023-01-01T00:00:00Z", false}, {"d", "２０２３-01-01", false},
		{"t", "2024-02-29T13:45:00Z", true}, {"t", "2024-02-29t13:45:00z", true}, {"t", "2024-02-29T13:45:00.123456789+09:00", true},
		{"t", "2024-02-29T13:45:00-00:30", true}, {"t", "2024-02-29 13:45:00Z", false}, {"t", "2024-02-29T13:45:00", false},
		{"t", "2024-02-29T24:00:00Z", false}, {"t", "2024-02-29T13:60:00Z", false}, {"t", "2024-02-29T13:45:00+24:00", false},
		{"t", "2024-02-29T13:45:00.Z", false}, {"t", "2024-02-29T13:45:00+0900", false}, {"t", "2023-02-29T13:45:00Z", false},
		{"t", "1998-12-31T23:59:60Z", true}, {"t", "1998-12-31T15:59:60-08:00", true}, {"t", "1998-12-31T23:59:60+01:00", false},
		{"t", "1998-12-31T22:59:60Z", false}, {"t", "1999-01-01T08:59:60+09:00", true},
		{"e", "a@b.co", true}, {"e", "first.last+tag@sub.example.org", true}, {"e", "a@b", false}, {"e", "a@@b.co", false},
		{"e", "a@b@c.co", false}, {"e", "@b.co", false}, {"e", "a@.co", false}, {"e", "a b@c.co", false}, {"e", ".a@b.co", false},
		{"e", "a..b@c.co", false}, {"e", "a@-b.co", false}, {"e", `"a"@b.co`, false}, {"e", "a@[1.2.3.4]", false},
		{"e", strings.Repeat("a", 64) + "@b.co", true}, {"e", strings.Repeat("a", 65) + "@b.co", false},
		{"e", "a@" + strings.Repeat("b", 63) + ".co", true}, {"e", "a@" + strings.Repeat("b", 64) + ".co", false},
		{"u", "123e4567-e89b-12d3-a456-426614174000", true}, {"u", "123E4567-E89B-12D3-A456-426614174000", true},
		{"u", "123e4567-e89b-12d3-a456-42661417400", false}, {"u", "123e4567-e89b-12d3-a456_426614174000", false},
		{"u", "g23e4567-e89b-12d3-a456-426614174000", false},
		{"r", "https://example.org", true}, {"r", "https://user:pw@example.org:8443/a/b%20c?q=1&r=%2F#frag/x?", true},
		{"r", "urn:isbn:0451450523", true}, {"r", "mailto:a@b.co", true}, {"r", "file:///etc/hosts", true},
		{"r", "http://[::1]:80/", true}, {"r", "http://[2001:db8::7]/c=GB?objectClass?one", true}, {"r", "http://192.168.0.1/", true},
		{"r", "//example.org/x", false}, {"r", "example.org/x", false}, {"r", "1http://x.y", false}, {"r", "http://x y/", false},
		{"r", "http://x.y/a b", false}, {"r", "http://x.y/%zz", false}, {"r", "http://[::1/", false}, {"r", "http://[1::2::3]/", false},
		{"r", "http://x.y:8a/", false}, {"r", "http://é.example/", false}, {"r", "", false}, {"r", "http://x.y/#a#b", false},
		{"a", "00112233445566778899aabbccddeeff00112233", true}, {"a", "00112233445566778899AABBCCDDEEFF00112233", false},
		{"a", "00112233445566778899aabbccddeeff0011223", false},
		{"h", strings.Repeat("0f", 32), true}, {"h", strings.Repeat("0F", 32), false}, {"h", strings.Repeat("0f", 33), false},
	} {
		rec, _ := json.Marshal(map[string]string{c.prop: c.value})
		err := s.Validate(rec)
		if (err == nil) != c.valid {
			t.Errorf("%s %q: valid=%v, got %v", c.prop, c.value, c.valid, err)
		}
	}
}

// Validation never panics on hostile input and always answers an *Error.
func FuzzValidate(f *testing.F) {
	s := mustCompile(f, petSchema)
	f.Add([]byte(validPet))
	f.Add([]byte(`{"vaccinations":[{"vaccine":"a","date":"2021-01-01"},{"vaccine":"a","date":"2021-01-01"}]}`))
	f.Add([]byte(`{"homepage":"http://[::ffff:1.2.3.4]:8/?#","registered_at":"1998-12-31T23:59:60.5-00:00"}`))
	f.Fuzz(func(t *testing.T, rec []byte) {
		if err := s.Validate(rec); err != nil {
			var e *regschema.Error
			if !errors.As(err, &e) {
				t.Fatalf("not an *Error: %v", err)
			}
		}
	})
}

// The error does not depend on the order of the record's members.
func TestValidateIsOrderIndependent(t *testing.T) {
	s := mustCompile(t, petSchema)
	a := `{"weight_g":0,"name":"","species":"horse","born":"2020-01-01","owner":"00112233445566778899aabbccddeeff00112233","zz":1}`
	b := `{"zz":1,"owner":"00112233445566778899aabbccddeeff00112233","born":"2020-01-01","species":"horse","name":"","weight_g":0}`
	ea, eb := s.Validate([]byte(a)), s.Validate([]byte(b))
	if ea == nil || eb == nil || ea.Error() != eb.Error() || ea.Error() != "/name: want at least 1 characters, got 0" {
		t.Fatalf("got %v and %v", ea, eb)
	}
}

// FuzzCompile: Compile never panics, answers an *Error when it refuses, and
// what it accepts validates records without panicking.
func FuzzCompile(f *testing.F) {
	for _, s := range crossSchemas {
		f.Add([]byte(s), []byte(validPet))
	}
	f.Add([]byte(titleV1), []byte(`{"vin":"KMHKN81A5RU100001"}`))
	f.Add([]byte(obj(`"a":{"type":"string","maxLength":9,"pattern":"^[a-c-]{2}(?:x|y)*$"}`)), []byte(`{"a":"ab"}`))
	f.Fuzz(func(t *testing.T, schema, record []byte) {
		s, err := regschema.Compile(schema)
		if err != nil {
			var e *regschema.Error
			if !errors.As(err, &e) {
				t.Fatalf("not an *Error: %v", err)
			}
			return
		}
		_ = s.Validate(record)
		_ = s.Properties()
		_ = s.OpenAPI()
		if err := regschema.CheckMinor(s, s); err != nil {
			t.Fatalf("a schema is not a minor version of itself: %v", err)
		}
	})
}
