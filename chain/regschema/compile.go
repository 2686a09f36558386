package regschema

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
)

// Limits of the profile.
const (
	Draft2020       = "https://json-schema.org/draft/2020-12/schema" // the only $schema accepted
	MaxSchemaSize   = 32 << 10                                       // canonical bytes of a schema
	MaxSchemaDepth  = 8                                              // nested schemas, the root being 1
	MaxProperties   = 64                                             // properties of one object schema
	MaxStringLength = 4096                                           // the largest maxLength
	MaxArrayItems   = 256                                            // the largest maxItems
	MaxEnum         = 256                                            // entries of one enum
	MaxNameLength   = 128                                            // bytes of a property name
)

// Schema is a compiled profile schema. It is immutable and safe to share.
type Schema struct {
	id        string
	canonical []byte
	doc       value // the canonical document
	root      *node
	props     []Property // the root's properties, sorted by name
	openAPI   []byte
}

// node is one compiled schema (the root, a property's or an array's items).
type node struct {
	typ string

	// object
	props    []propNode // sorted by name in UTF-16 order (the canonical order)
	required []string   // sorted in UTF-16 order

	// string, integer, boolean
	enum     []value
	constVal *value

	// string
	minLen, maxLen int64 // -1 when absent
	pattern        *regexp.Regexp
	patternSrc     string
	format         string
	formatCheck    func(string) string

	// integer: each bound is nil when absent
	minimum, maximum, exclMin, exclMax *int64
	multipleOf                         int64 // 0 when absent

	// array
	items              *node
	minItems, maxItems int64 // -1 when absent
	unique             bool
}

type propNode struct {
	name string
	node *node
}

// keyword kinds: where a keyword may appear.
const (
	anyType = "*"    // every schema
	rootKw  = "root" // the root schema only
)

// keywords is the profile's whitelist: each keyword and the one type it
// applies to (anyType: every schema; rootKw: only the root).
var keywords = map[string]string{
	"$schema":              rootKw,
	"$id":                  rootKw,
	"title":                anyType,
	"description":          anyType,
	"$comment":             anyType,
	"examples":             anyType,
	"default":              anyType,
	"type":                 anyType,
	"properties":           "object",
	"required":             "object",
	"additionalProperties": "object",
	"enum":                 "string|integer",
	"const":                "string|integer|boolean",
	"minimum":              "integer",
	"maximum":              "integer",
	"exclusiveMinimum":     "integer",
	"exclusiveMaximum":     "integer",
	"multipleOf":           "integer",
	"minLength":            "string",
	"maxLength":            "string",
	"pattern":              "string",
	"format":               "string",
	"items":                "array",
	"minItems":             "array",
	"maxItems":             "array",
	"uniqueItems":          "array",
}

func appliesTo(kw, typ string) bool {
	switch w := keywords[kw]; w {
	case anyType, rootKw:
		return true
	case "string|integer":
		return typ == "string" || typ == "integer"
	case "string|integer|boolean":
		return typ == "string" || typ == "integer" || typ == "boolean"
	default:
		return w == typ
	}
}

// Compile checks raw against the profile and compiles it. Errors are *Error
// (use errors.As) naming the first offending path. JSON errors (a float, a
// duplicate key...) come first, in document order as the parser meets
// them; then the canonical size; then the profile's rules schema by
// schema, a schema before its children (its items, then its properties in
// sorted order). Within a schema: every keyword is in the profile (in
// sorted order), the type, each keyword's value (in sorted order), then
// the rules that relate keywords (properties and additionalProperties of
// an object, maxLength of a string, items and maxItems of an array are
// present; ranges are not empty; required names declared properties).
func Compile(raw []byte) (*Schema, error) {
	doc, err := parse(raw)
	if err != nil {
		return nil, err
	}
	canonical := appendCanonical(make([]byte, 0, len(raw)), &doc)
	if len(canonical) > MaxSchemaSize {
		return nil, errAt("", "schema is %d bytes in canonical form; the limit is %d", len(canonical), MaxSchemaSize)
	}
	if doc.kind != kindObject {
		return nil, errAt("", "want a schema object, got %s", doc.kind.article())
	}
	root, cerr := compileNode("", &doc, 1)
	if cerr != nil {
		return nil, cerr
	}
	s := &Schema{id: hashID(canonical), canonical: canonical, doc: doc, root: root}
	s.props = rootProperties(root, &doc)
	open := value{kind: kindObject}
	for _, m := range doc.obj {
		if m.key != "$schema" && m.key != "$id" {
			open.obj = append(open.obj, m)
		}
	}
	s.openAPI = appendCanonical(nil, &open)
	return s, nil
}

// ID returns the schema's content id: the ID of the document it was
// compiled from.
func (s *Schema) ID() string { return s.id }

// Canonical returns (a copy of) the schema's canonical RFC 8785 bytes.
func (s *Schema) Canonical() []byte { return slices.Clone(s.canonical) }

// OpenAPI returns the record's schema as an OpenAPI 3.1
// components.schemas entry, in canonical JSON: OpenAPI 3.1 uses JSON Schema
// 2020-12, so it is the canonical schema without "$schema" and "$id".
func (s *Schema) OpenAPI() []byte { return slices.Clone(s.openAPI) }

// int64Of reads an integer keyword.
func int64Of(path string, v *value) (int64, *Error) {
	if v.kind != kindInt {
		return 0, errAt(path, "want an integer, got %s", v.kind.article())
	}
	return v.n, nil
}

// count reads a non-negative integer keyword no larger than limit.
func count(path string, v *value, limit int64) (int64, *Error) {
	n, err := int64Of(path, v)
	if err != nil {
		return 0, err
	}
	if n < 0 || n > limit {
		return 0, errAt(path, "want 0 to %d, got %d", limit, n)
	}
	return n, nil
}

func compileNode(path string, v *value, depth int) (*node, *Error) {
	if v.kind != kindObject {
		return nil, errAt(path, "want a schema object, got %s", v.kind.article())
	}
	if depth > MaxSchemaDepth {
		return nil, errAt(path, "schema nesting deeper than %d levels", MaxSchemaDepth)
	}
	// 1. Every keyword is in the profile, in its place.
	for _, m := range v.obj {
		where, ok := keywords[m.key]
		if !ok {
			return nil, errAt(child(path, m.key), "keyword %q is not in the profile", m.key)
		}
		if where == rootKw && depth != 1 {
			return nil, errAt(child(path, m.key), "keyword %q is only allowed at the root", m.key)
		}
	}
	// 2. Exactly one type.
	t, ok := v.get("type")
	if !ok {
		return nil, errAt(path, `missing "type": every schema declares exactly one type (object, string, integer, boolean or array)`)
	}
	n := &node{minLen: -1, maxLen: -1, minItems: -1, maxItems: -1}
	tp := child(path, "type")
	switch {
	case t.kind == kindArray:
		return nil, errAt(tp, "want exactly one type (a string), got an array of types")
	case t.kind != kindString:
		return nil, errAt(tp, "want a type name, got %s", t.kind.article())
	case t.s == "number":
		return nil, errAt(tp, `floating point is not allowed: use "integer"`)
	case t.s == "null":
		return nil, errAt(tp, `type "null" is not in the profile`)
	case t.s == "object" || t.s == "string" || t.s == "integer" || t.s == "boolean" || t.s == "array":
		n.typ = t.s
	default:
		return nil, errAt(tp, "unknown type %q (want object, string, integer, boolean or array)", t.s)
	}
	if depth == 1 && n.typ != "object" {
		return nil, errAt(tp, `the root schema must be {"type":"object", ...}, got type %q`, n.typ)
	}
	// 3. Each keyword applies to the type and has a well-formed value.
	for i := range v.obj {
		m := &v.obj[i]
		if err := n.keyword(path, m.key, &m.val); err != nil {
			return nil, err
		}
	}
	// 4. The rules that relate keywords.
	if err := n.crossCheck(path, v); err != nil {
		return nil, err
	}
	// 5. The children.
	if it, ok := v.get("items"); ok {
		c, err := compileNode(child(path, "items"), it, depth+1)
		if err != nil {
			return nil, err
		}
		n.items = c
	}
	if ps, ok := v.get("properties"); ok {
		for i := range ps.obj {
			m := &ps.obj[i]
			c, err := compileNode(child(child(path, "properties"), m.key), &m.val, depth+1)
			if err != nil {
				return nil, err
			}
			n.props = append(n.props, propNode{name: m.key, node: c})
		}
	}
	return n, nil
}

// keyword checks one keyword of a schema of type n.typ and records it.
func (n *node) keyword(path, kw string, v *value) *Error {
	p := child(path, kw)
	if !appliesTo(kw, n.typ) {
		return errAt(p, "keyword %q does not apply to type %q", kw, n.typ)
	}
	var err *Error
	switch kw {
	case "$schema":
		if v.kind != kindString || v.s != Draft2020 {
			return errAt(p, "want %q", Draft2020)
		}
	case "$id":
		if v.kind != kindString {
			return errAt(p, "want a string, got %s", v.kind.article())
		}
		if r := checkURI(v.s); r != "" {
			return errAt(p, "%s", r)
		}
		for i := 0; i < len(v.s); i++ {
			if v.s[i] == '#' {
				return errAt(p, "$id must not have a fragment")
			}
		}
	case "title", "description", "$comment":
		if v.kind != kindString {
			return errAt(p, "want a string, got %s", v.kind.article())
		}
	case "examples":
		if v.kind != kindArray {
			return errAt(p, "want an array, got %s", v.kind.article())
		}
	case "default", "type":
		// any profile JSON; type was checked already
	case "properties":
		if v.kind != kindObject {
			return errAt(p, "want an object, got %s", v.kind.article())
		}
		if len(v.obj) > MaxProperties {
			return errAt(p, "%d properties; the limit is %d", len(v.obj), MaxProperties)
		}
		for _, m := range v.obj {
			if m.key == "" || len(m.key) > MaxNameLength {
				return errAt(child(p, m.key), "a property name must be 1 to %d bytes", MaxNameLength)
			}
			if !propertyName(m.key) {
				return errAt(child(p, m.key), "property name %q: want a lowercase letter then lowercase letters, digits and _ (records travel inside transaction bodies, whose keys are lowercase)", m.key)
			}
		}
	case "required":
		if v.kind != kindArray {
			return errAt(p, "want an array of property names, got %s", v.kind.article())
		}
		for i := range v.arr {
			e := &v.arr[i]
			if e.kind != kindString {
				return errAt(index(p, i), "want a property name, got %s", e.kind.article())
			}
			n.required = append(n.required, e.s)
		}
		slices.SortFunc(n.required, compareUTF16)
		for i := 1; i < len(n.required); i++ {
			if n.required[i] == n.required[i-1] {
				return errAt(p, "property %q is listed twice", n.required[i])
			}
		}
	case "additionalProperties":
		if v.kind != kindBool || v.b {
			return errAt(p, "want false (records are closed)")
		}
	case "enum":
		if v.kind != kindArray {
			return errAt(p, "want an array, got %s", v.kind.article())
		}
		if len(v.arr) == 0 || len(v.arr) > MaxEnum {
			return errAt(p, "want 1 to %d entries, got %d", MaxEnum, len(v.arr))
		}
		for i := range v.arr {
			e := &v.arr[i]
			if !n.sameType(e) {
				return errAt(index(p, i), "want %s (the schema's type), got %s", n.article(), e.kind.article())
			}
			for j := range i {
				if equalValues(&v.arr[j], e) {
					return errAt(index(p, i), "duplicate enum entry (same as /%d)", j)
				}
			}
		}
		n.enum = v.arr
	case "const":
		if !n.sameType(v) {
			return errAt(p, "want %s (the schema's type), got %s", n.article(), v.kind.article())
		}
		n.constVal = v
	case "minimum":
		n.minimum, err = boundOf(p, v)
	case "maximum":
		n.maximum, err = boundOf(p, v)
	case "exclusiveMinimum":
		n.exclMin, err = boundOf(p, v)
	case "exclusiveMaximum":
		n.exclMax, err = boundOf(p, v)
	case "multipleOf":
		n.multipleOf, err = int64Of(p, v)
		if err == nil && n.multipleOf <= 0 {
			return errAt(p, "want a positive integer, got %d", n.multipleOf)
		}
	case "minLength":
		n.minLen, err = count(p, v, MaxStringLength)
	case "maxLength":
		n.maxLen, err = count(p, v, MaxStringLength)
	case "pattern":
		if v.kind != kindString {
			return errAt(p, "want a string, got %s", v.kind.article())
		}
		re, reason := compilePattern(v.s)
		if reason != "" {
			return errAt(p, "pattern %q: %s", v.s, reason)
		}
		n.pattern, n.patternSrc = re, v.s
	case "format":
		if v.kind != kindString {
			return errAt(p, "want a string, got %s", v.kind.article())
		}
		check, _, ok := lookupFormat(v.s)
		if !ok {
			return errAt(p, "unknown format %q (want one of %v)", v.s, Formats())
		}
		n.format, n.formatCheck = v.s, check
	case "minItems":
		n.minItems, err = count(p, v, MaxArrayItems)
	case "maxItems":
		n.maxItems, err = count(p, v, MaxArrayItems)
	case "uniqueItems":
		if v.kind != kindBool {
			return errAt(p, "want a boolean, got %s", v.kind.article())
		}
		n.unique = v.b
	case "items":
		// a schema: compiled with the children
	}
	return err
}

func boundOf(path string, v *value) (*int64, *Error) {
	n, err := int64Of(path, v)
	if err != nil {
		return nil, err
	}
	return &n, nil
}

// sameType reports whether v is a value of the schema's (scalar) type.
func (n *node) sameType(v *value) bool {
	switch n.typ {
	case "string":
		return v.kind == kindString
	case "integer":
		return v.kind == kindInt
	case "boolean":
		return v.kind == kindBool
	}
	return false
}

func (n *node) article() string {
	switch n.typ {
	case "string":
		return kindString.article()
	case "integer":
		return kindInt.article()
	case "boolean":
		return kindBool.article()
	case "array":
		return kindArray.article()
	}
	return kindObject.article()
}

func (n *node) crossCheck(path string, v *value) *Error {
	switch n.typ {
	case "object":
		ps, ok := v.get("properties")
		if !ok {
			return errAt(path, `missing "properties": every object schema lists its properties`)
		}
		if _, ok := v.get("additionalProperties"); !ok {
			return errAt(path, "additionalProperties: want false (records are closed)")
		}
		if req, ok := v.get("required"); ok {
			for i := range req.arr {
				if _, ok := ps.get(req.arr[i].s); !ok {
					return errAt(index(child(path, "required"), i), "required property %q is not declared in properties", req.arr[i].s)
				}
			}
		}
	case "string":
		bounded := n.enum != nil || n.constVal != nil
		if n.format != "" {
			_, b, _ := lookupFormat(n.format)
			bounded = bounded || b
		}
		if n.maxLen < 0 && !bounded {
			why := "a string schema without enum, const or a fixed-length format"
			if n.format != "" {
				why = fmt.Sprintf("format %q does not bound the length", n.format)
			}
			return errAt(path, "unbounded string: add maxLength <= %d (%s)", MaxStringLength, why)
		}
		if n.minLen >= 0 && n.maxLen >= 0 && n.minLen > n.maxLen {
			return errAt(child(path, "minLength"), "minLength %d is greater than maxLength %d", n.minLen, n.maxLen)
		}
	case "integer":
		lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
		if n.minimum != nil {
			lo = *n.minimum
		}
		if n.exclMin != nil {
			if *n.exclMin == math.MaxInt64 {
				return errAt(child(path, "exclusiveMinimum"), "no integer is greater than %d", *n.exclMin)
			}
			lo = max(lo, *n.exclMin+1)
		}
		if n.maximum != nil {
			hi = *n.maximum
		}
		if n.exclMax != nil {
			if *n.exclMax == math.MinInt64 {
				return errAt(child(path, "exclusiveMaximum"), "no integer is less than %d", *n.exclMax)
			}
			hi = min(hi, *n.exclMax-1)
		}
		if lo > hi {
			return errAt(path, "the range of integers is empty (at least %d, at most %d)", lo, hi)
		}
	case "array":
		if _, ok := v.get("items"); !ok {
			return errAt(path, `unbounded list: an array schema needs "items" (a schema)`)
		}
		if n.maxItems < 0 {
			return errAt(path, "unbounded list: add maxItems <= %d", MaxArrayItems)
		}
		if n.minItems > n.maxItems {
			return errAt(child(path, "minItems"), "minItems %d is greater than maxItems %d", n.minItems, n.maxItems)
		}
	}
	return nil
}

// equalValues is JSON equality (objects compare as sets of members).
func equalValues(a, b *value) bool {
	if a.kind != b.kind {
		return false
	}
	switch a.kind {
	case kindNull:
		return true
	case kindBool:
		return a.b == b.b
	case kindInt:
		return a.n == b.n
	case kindString:
		return a.s == b.s
	case kindArray:
		if len(a.arr) != len(b.arr) {
			return false
		}
		for i := range a.arr {
			if !equalValues(&a.arr[i], &b.arr[i]) {
				return false
			}
		}
		return true
	default:
		if len(a.obj) != len(b.obj) {
			return false
		}
		for i := range a.obj {
			if a.obj[i].key != b.obj[i].key || !equalValues(&a.obj[i].val, &b.obj[i].val) {
				return false
			}
		}
		return true
	}
}

// Property describes a top-level property of a record (for indexes, forms
// and predicates).
type Property struct {
	Name        string
	Type        string // "string", "integer", "boolean", "array" or "object"
	Required    bool
	Format      string   // "" or one of the profile's formats
	Enum        []string // the enum's entries; integers in decimal
	Title       string
	Description string
}

func rootProperties(root *node, doc *value) []Property {
	ps, _ := doc.get("properties")
	out := make([]Property, 0, len(root.props))
	for i, pn := range root.props {
		decl := &ps.obj[i].val
		p := Property{Name: pn.name, Type: pn.node.typ, Format: pn.node.format}
		_, p.Required = slices.BinarySearchFunc(root.required, pn.name, compareUTF16)
		if t, ok := decl.get("title"); ok {
			p.Title = t.s
		}
		if d, ok := decl.get("description"); ok {
			p.Description = d.s
		}
		for _, e := range pn.node.enum {
			if e.kind == kindInt {
				p.Enum = append(p.Enum, strconv.FormatInt(e.n, 10))
			} else {
				p.Enum = append(p.Enum, e.s)
			}
		}
		out = append(out, p)
	}
	return out
}

// Properties returns the root object's properties, sorted by name (in
// UTF-16 code unit order, as in the canonical schema).
func (s *Schema) Properties() []Property {
	out := make([]Property, len(s.props))
	for i, p := range s.props {
		p.Enum = slices.Clone(p.Enum)
		out[i] = p
	}
	return out
}

// Property returns the top-level property called name.
func (s *Schema) Property(name string) (Property, bool) {
	i, ok := slices.BinarySearchFunc(s.props, name, func(p Property, n string) int { return compareUTF16(p.Name, n) })
	if !ok {
		return Property{}, false
	}
	p := s.props[i]
	p.Enum = slices.Clone(p.Enum)
	return p, true
}

// propertyName reports whether name is a-z then a-z, 0-9 and _: a record is
// carried inside a transaction body, and the envelope refuses any other key
// (docs/transactions.md).
func propertyName(name string) bool {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || i > 0 && (c >= '0' && c <= '9' || c == '_')) {
			return false
		}
	}
	return name != ""
}
