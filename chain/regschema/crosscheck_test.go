package regschema_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/citychain/citychain/chain/regschema"
)

// crossSchemas are profile schemas that the cross-check compiles with both
// this package and github.com/santhosh-tekuri/jsonschema/v6 (a JSON Schema
// 2020-12 validator asserting formats).
var crossSchemas = []string{
	petSchema,
	// nesting, arrays of arrays, uniqueItems on scalars, negative and
	// exclusive bounds, multipleOf, const, integer enum
	`{"type":"object","additionalProperties":false,"required":["id","grid"],"properties":{
	  "id":{"type":"integer","minimum":-5,"exclusiveMaximum":9,"multipleOf":7},
	  "kind":{"type":"string","const":"meter"},
	  "level":{"type":"integer","enum":[-1,0,1,1000000000000]},
	  "grid":{"type":"array","maxItems":3,"items":{"type":"array","maxItems":3,"minItems":1,"uniqueItems":true,"items":{"type":"integer","minimum":0,"maximum":3}}},
	  "tags":{"type":"array","maxItems":4,"uniqueItems":true,"items":{"type":"string","enum":["a","b","c"]}},
	  "spec":{"type":"object","additionalProperties":false,"required":["on"],"properties":{
	    "on":{"type":"boolean"},
	    "limits":{"type":"object","additionalProperties":false,"properties":{"lo":{"type":"integer","exclusiveMinimum":-3},"hi":{"type":"integer","maximum":-1}}},
	    "empty":{"type":"object","additionalProperties":false,"properties":{}}}}}}`,
	// patterns and code-point lengths
	`{"type":"object","additionalProperties":false,"properties":{
	  "hangul":{"type":"string","pattern":"^[가-힣]{2,4}$","maxLength":8},
	  "word":{"type":"string","pattern":"\\bcat\\b","maxLength":12},
	  "pairs":{"type":"string","pattern":"^(?:ab|cd)*$","maxLength":12},
	  "code":{"type":"string","pattern":"[a-z]+-[0-9]+","maxLength":12},
	  "line":{"type":"string","pattern":"^[^\\n]{1,5}$","maxLength":12},
	  "ident":{"type":"string","pattern":"^\\w+$","minLength":2,"maxLength":6},
	  "vin":{"type":"string","pattern":"^[A-HJ-NPR-Z0-9]{17}$","maxLength":17},
	  "short":{"type":"string","minLength":2,"maxLength":3},
	  "money":{"type":"string","pattern":"^\\d+\\.\\d{2}$","maxLength":12}}}`,
	// every format, required everywhere
	`{"type":"object","additionalProperties":false,"required":["when"],"properties":{
	  "when":{"type":"string","format":"date-time","maxLength":40},
	  "day":{"type":"string","format":"date"},
	  "mail":{"type":"string","format":"email"},
	  "site":{"type":"string","format":"uri","maxLength":100},
	  "id":{"type":"string","format":"uuid"},
	  "who":{"type":"string","format":"address"},
	  "doc":{"type":"string","format":"hash"}}}`,
}

// Format values on which the profile and RFC-complete validators agree,
// valid ones first, then invalid ones.
var formatValid = map[string][]string{
	"date":      {"2024-02-29", "2000-02-29", "2023-12-31", "0000-01-01", "1999-01-31"},
	"date-time": {"2024-02-29T13:45:00Z", "2024-02-29t13:45:00z", "2024-02-29T13:45:00.123456789+09:00", "2024-02-29T13:45:00-00:30", "1998-12-31T23:59:60Z", "1998-12-31T15:59:60-08:00", "1999-01-01T08:59:60+09:00"},
	"email":     {"a@b.co", "first.last+tag@sub.example.org", strings.Repeat("a", 64) + "@b.co", "a@" + strings.Repeat("b", 63) + ".co", "x_y{}|~!#$%&'*/=?^`@a-b.c-d.e"},
	"uri": {"https://example.org", "https://user:pw@example.org:8443/a/b%20c?q=1&r=%2F#frag/x?", "urn:isbn:0451450523", "mailto:a@b.co", "file:///etc/hosts",
		"http://[::1]:80/", "http://[2001:db8::7]/c=GB?objectClass?one", "http://192.168.0.1/", "tag:city.example,2024:pets", "HTTP://EXAMPLE.ORG/", "http://[::ffff:1.2.3.4]:/"},
	"uuid":    {"123e4567-e89b-12d3-a456-426614174000", "123E4567-E89B-12D3-A456-426614174000"},
	"address": {"00112233445566778899aabbccddeeff00112233"},
	"hash":    {strings.Repeat("0f", 32)},
}

var formatInvalid = map[string][]string{
	"date": {"2023-02-29", "1900-02-29", "2023-04-31", "2023-13-01", "2023-00-10", "2023-01-00", "2023-1-01", "20230101", "2023-01-01T00:00:00Z", "", "x"},
	"date-time": {"2024-02-29 13:45:00Z", "2024-02-29T13:45:00", "2024-02-29T24:00:00Z", "2024-02-29T13:60:00Z", "2024-02-29T13:45:00+24:00",
		"2024-02-29T13:45:00.Z", "2024-02-29T13:45:00+0900", "2023-02-29T13:45:00Z", "1998-12-31T23:59:60+01:00", "1998-12-31T22:59:60Z", "2024-02-29"},
	"email": {"a@@b.co", "a@.co", "a b@c.co", ".a@b.co", "a.@b.co", "a..b@c.co", "a@-b.co", "a@b-.co", strings.Repeat("a", 65) + "@b.co",
		"a@" + strings.Repeat("b", 64) + ".co", "no-at-sign", "a@b_c.co"},
	"uri": {"//example.org/x", "example.org/x", "1http://x.y", "http://x y/", "http://x.y/%zz", "http://[::1/", "http://[1::2::3]/", "http://x.y:8a/", "",
		"http://a%41b.example/", "http://[v1.x]/", "http://[::1%25eth0]/"},
	"uuid":    {"123e4567-e89b-12d3-a456-42661417400", "123e4567-e89b-12d3-a456_426614174000", "g23e4567-e89b-12d3-a456-426614174000", "123e4567e89b12d3a456426614174000"},
	"address": {"00112233445566778899AABBCCDDEEFF00112233", "0011223344556677889", ""},
	"hash":    {strings.Repeat("0F", 32), strings.Repeat("0f", 33), "zz"},
}

// Strings the profile's formats refuse although santhosh accepts them: the
// profile's formats are subsets of their RFCs (a quoted local part, an IP
// literal, a dotless domain, an IRI), and santhosh is lenient on a few
// strings the RFCs refuse too (an empty local part).
var formatStricter = map[string][]string{
	"email": {"@b.co", "a@localhost", `"quoted"@b.co`, "a@[1.2.3.4]", "a@[IPv6:::1]", "a@b.co."},
	"uri":   {"http://x.y/a b", "http://é.example/", "http://a@b@c.example/", "x:a b"},
}

// Strings worth trying for a pattern: ones that match, then near misses
// (the generator also mutates them).
var matching = map[string][]string{
	"^[0-9]{15}$":           {"123456789012345"},
	"^[가-힣]{2,4}$":          {"가나", "가나다라"},
	"\\bcat\\b":             {"cat", "a cat!", "cat\n"},
	"^(?:ab|cd)*$":          {"", "ab", "abcd"},
	"[a-z]+-[0-9]+":         {"ab-12", "x ab-1 y"},
	"^[^\\n]{1,5}$":         {"abcde", "a\rb", "\u2028"},
	"^\\w+$":                {"abc", "a_1"},
	"^[A-HJ-NPR-Z0-9]{17}$": {"KMHKN81A5RU100001"},
	"^\\d+\\.\\d{2}$":       {"1.00"},
}

var nonMatching = map[string][]string{
	"^[0-9]{15}$":           {"12345678901234", "1234567890123456", "12345678901234a"},
	"^[가-힣]{2,4}$":          {"가", "가나다라마", "가a", "가나\n"},
	"\\bcat\\b":             {"concat", "cats", "the_cat"},
	"^(?:ab|cd)*$":          {"abc", "cdab\n", "ba"},
	"[a-z]+-[0-9]+":         {"AB-12", "ab-", "-1", "é-1"},
	"^[^\\n]{1,5}$":         {"ab\n", "", "abcdef"},
	"^\\w+$":                {"a-b", "é", "ab\n"},
	"^[A-HJ-NPR-Z0-9]{17}$": {"KMHKN81A5RU10000I", "KMHKN81A5RU10000", "kmhkn81a5ru100001"},
	"^\\d+\\.\\d{2}$":       {"12.5", "1,00", "١.٠٠", ".50", "3.141"},
}

func santhosh(t testing.TB, schema string) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	hexFormat := func(n int) func(any) error {
		re := regexp.MustCompile(fmt.Sprintf("^[0-9a-f]{%d}$", n))
		return func(v any) error {
			if s, ok := v.(string); ok && !re.MatchString(s) {
				return fmt.Errorf("want %d lowercase hex characters", n)
			}
			return nil
		}
	}
	c.RegisterFormat(&jsonschema.Format{Name: "address", Validate: hexFormat(40)})
	c.RegisterFormat(&jsonschema.Format{Name: "hash", Validate: hexFormat(64)})
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(schema))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource("mem:///schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("mem:///schema.json")
	if err != nil {
		t.Fatalf("santhosh refuses a profile schema: %v", err)
	}
	return s
}

func santhoshValid(t testing.TB, s *jsonschema.Schema, rec []byte) (bool, error) {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(rec))
	if err != nil {
		t.Fatal(err)
	}
	err = s.Validate(inst)
	return err == nil, err
}

// TestCrossCheckWithJSONSchema2020 proves the profile's semantics: for
// each schema, on generated records (valid ones and near misses of every
// keyword), this package and an independent JSON Schema 2020-12
// implementation agree on valid/invalid.
func TestCrossCheckWithJSONSchema2020(t *testing.T) {
	rng := rand.New(rand.NewPCG(18, 2020))
	total, valid := 0, 0
	for si, doc := range crossSchemas {
		ours := mustCompile(t, doc)
		theirs := santhosh(t, doc)
		var sch map[string]any
		if err := json.Unmarshal([]byte(doc), &sch); err != nil {
			t.Fatal(err)
		}
		for range 400 {
			g := &gen{r: rng, bad: []int{0, 0, 10, 40, 150}[rng.IntN(5)]}
			rec, err := json.Marshal(g.value(sch))
			if err != nil {
				t.Fatal(err)
			}
			errOurs := ours.Validate(rec)
			ok, errTheirs := santhoshValid(t, theirs, rec)
			if (errOurs == nil) != ok {
				t.Fatalf("schema %d, record %s:\n  regschema: %v\n  santhosh:  %v", si, rec, errOurs, errTheirs)
			}
			total++
			if ok {
				valid++
			}
		}
	}
	// The generator must exercise both answers.
	if valid < total/4 || valid > total*3/4 {
		t.Fatalf("%d of %d records valid: the generator is lopsided", valid, total)
	}
	t.Logf("%d records, %d valid", total, valid)
}

// TestFormatsAreSubsetsOfTheRFCs: the strings the profile's formats refuse
// and the RFCs accept (santhosh implements the RFCs) are refused here and
// accepted there, never the other way round.
func TestFormatsAreSubsetsOfTheRFCs(t *testing.T) {
	doc := crossSchemas[3]
	ours, theirs := mustCompile(t, doc), santhosh(t, doc)
	prop := map[string]string{"email": "mail", "uri": "site"}
	for _, format := range slices.Sorted(maps.Keys(formatStricter)) {
		for _, v := range formatStricter[format] {
			rec, _ := json.Marshal(map[string]any{"when": "2024-01-01T00:00:00Z", prop[format]: v})
			if err := ours.Validate(rec); err == nil {
				t.Errorf("%s %q: accepted, want refused", format, v)
			}
			if ok, err := santhoshValid(t, theirs, rec); !ok {
				t.Errorf("%s %q: santhosh refuses it too (%v): move it to formatInvalid", format, v, err)
			}
		}
	}
}

// gen generates records for a schema: each value is a plausible one, or
// with probability bad/1000 a near miss of one of its keywords (or a value
// of another type).
type gen struct {
	r   *rand.Rand
	bad int // per mille
}

func (g *gen) miss() bool { return g.r.IntN(1000) < g.bad }

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func num(s map[string]any, k string) (int64, bool) {
	v, ok := s[k].(float64)
	return int64(v), ok
}

func (g *gen) value(s map[string]any) any {
	if g.miss() && g.r.IntN(4) == 0 {
		return pick(g.r, []any{"x", int64(7), true, nil, []any{}, map[string]any{}, int64(-1)})
	}
	switch s["type"] {
	case "object":
		props, _ := s["properties"].(map[string]any)
		req := map[string]bool{}
		if rs, ok := s["required"].([]any); ok {
			for _, n := range rs {
				req[n.(string)] = true
			}
		}
		out := map[string]any{}
		for _, name := range slices.Sorted(maps.Keys(props)) {
			if req[name] != g.miss() || g.r.IntN(2) == 0 {
				out[name] = g.value(props[name].(map[string]any))
			}
		}
		if g.miss() {
			out["zz_extra"] = "x"
		}
		return out
	case "array":
		lo, _ := num(s, "minItems")
		hi, _ := num(s, "maxItems")
		n := lo + g.r.Int64N(hi-lo+1)
		if g.miss() {
			n = pick(g.r, []int64{lo - 1, hi + 1})
		}
		items := s["items"].(map[string]any)
		out := make([]any, max(n, 0))
		for i := range out {
			out[i] = g.value(items)
			if i > 0 && (g.miss() || s["uniqueItems"] != true && g.r.IntN(5) == 0) {
				out[i] = out[g.r.IntN(i)]
			}
		}
		return out
	case "integer":
		return g.integer(s)
	case "boolean":
		if c, ok := s["const"].(bool); ok && !g.miss() {
			return c
		}
		return g.r.IntN(2) == 0
	default:
		return g.string(s)
	}
}

func (g *gen) integer(s map[string]any) int64 {
	if e, ok := s["enum"].([]any); ok && !g.miss() {
		return int64(pick(g.r, e).(float64))
	}
	lo, hi := int64(-1000), int64(1000)
	if v, ok := num(s, "minimum"); ok {
		lo = v
	}
	if v, ok := num(s, "exclusiveMinimum"); ok {
		lo = v + 1
	}
	if v, ok := num(s, "maximum"); ok {
		hi = v
	}
	if v, ok := num(s, "exclusiveMaximum"); ok {
		hi = v - 1
	}
	m, hasM := num(s, "multipleOf")
	if !g.miss() {
		x := lo + g.r.Int64N(hi-lo+1)
		if hasM {
			x -= ((x % m) + m) % m
			if x < lo {
				x += m
			}
		}
		return x
	}
	cands := []int64{lo - 1, lo, hi, hi + 1, 0, -1, math.MaxInt64, math.MinInt64}
	if hasM {
		cands = append(cands, m+1, 2*m, -m)
	}
	return pick(g.r, cands)
}

func (g *gen) string(s map[string]any) string {
	if e, ok := s["enum"].([]any); ok && !g.miss() {
		return pick(g.r, e).(string)
	}
	if c, ok := s["const"].(string); ok && !g.miss() {
		return c
	}
	if f, ok := s["format"].(string); ok {
		if g.miss() {
			return pick(g.r, formatInvalid[f])
		}
		return pick(g.r, formatValid[f])
	}
	if p, ok := s["pattern"].(string); ok {
		if !g.miss() {
			return pick(g.r, matching[p])
		}
		if g.r.IntN(2) == 0 {
			return pick(g.r, nonMatching[p])
		}
		return mutate(g.r, pick(g.r, matching[p]))
	}
	lo, _ := num(s, "minLength")
	hi, hasMax := num(s, "maxLength")
	if !hasMax {
		hi = 8
	}
	n := lo + g.r.Int64N(hi-lo+1)
	if g.miss() {
		n = pick(g.r, []int64{max(lo-1, 0), hi + 1})
	}
	runes := []rune("abcxyzABC0129-_. @:/\n\té가😀")
	var b strings.Builder
	for range n {
		b.WriteRune(pick(g.r, runes))
	}
	return b.String()
}

// mutate deletes, replaces or inserts one character.
func mutate(r *rand.Rand, s string) string {
	rs := []rune(s)
	c := pick(r, []rune("a0 -\nZ가😀"))
	i := r.IntN(len(rs) + 1)
	switch {
	case r.IntN(3) == 0 && i < len(rs):
		rs = slices.Delete(rs, i, i+1)
	case r.IntN(2) == 0 && i < len(rs):
		rs[i] = c
	default:
		rs = slices.Insert(rs, i, c)
	}
	return string(rs)
}

// The profile's error for every generated record is an *Error at a real
// path of the record (or where a required member would be).
func TestCrossCheckErrorsNameAPath(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 8))
	s := mustCompile(t, crossSchemas[1])
	var sch map[string]any
	_ = json.Unmarshal([]byte(crossSchemas[1]), &sch)
	for range 200 {
		g := &gen{r: rng, bad: 100}
		rec, _ := json.Marshal(g.value(sch))
		err := s.Validate(rec)
		if err == nil {
			continue
		}
		e, ok := err.(*regschema.Error)
		if !ok || (e.Path != "" && !strings.HasPrefix(e.Path, "/")) || e.Reason == "" {
			t.Fatalf("%s: %#v", rec, err)
		}
	}
}
