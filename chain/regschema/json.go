package regschema

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth is how deeply arrays and objects may nest in a profile JSON
// document (a scalar at the root is depth 0, {} or [] is depth 1).
const MaxDepth = 32

// Error is a refusal: Path is a JSON pointer (RFC 6901) into the schema or
// the record ("/properties/name/pattern"; "" is the root), Reason says what
// is wrong.
type Error struct {
	Path, Reason string
}

// Error returns "<path or (root)>: <reason>".
func (e *Error) Error() string {
	p := e.Path
	if p == "" {
		p = "(root)"
	}
	return p + ": " + e.Reason
}

func errAt(path, format string, args ...any) *Error {
	return &Error{Path: path, Reason: fmt.Sprintf(format, args...)}
}

// pointerToken escapes one reference token of a JSON pointer (RFC 6901).
func pointerToken(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// child returns the pointer of member key under path.
func child(path, key string) string { return path + "/" + pointerToken(key) }

// index returns the pointer of array element i under path.
func index(path string, i int) string { return path + "/" + strconv.Itoa(i) }

// kind is the type of a profile JSON value.
type kind uint8

const (
	kindNull kind = iota
	kindBool
	kindInt
	kindString
	kindArray
	kindObject
)

// value is a decoded profile JSON value. Objects keep their members sorted
// by key in UTF-16 code unit order (the RFC 8785 order) with no duplicates,
// so walking obj is deterministic and already canonical.
type value struct {
	kind kind
	b    bool
	n    int64
	s    string
	arr  []value
	obj  []member
}

type member struct {
	key string
	val value
}

// get returns the member named key of an object value.
func (v *value) get(key string) (*value, bool) {
	i, ok := slices.BinarySearchFunc(v.obj, key, func(m member, k string) int { return compareUTF16(m.key, k) })
	if !ok {
		return nil, false
	}
	return &v.obj[i].val, true
}

// article names a kind in "want X, got Y" messages.
func (k kind) article() string {
	switch k {
	case kindNull:
		return "null"
	case kindBool:
		return "a boolean"
	case kindInt:
		return "an integer"
	case kindString:
		return "a string"
	case kindArray:
		return "an array"
	default:
		return "an object"
	}
}

// compareUTF16 orders two valid UTF-8 strings by their UTF-16 code units,
// as RFC 8785 sorts object keys. UTF-8 byte order is code point order, and
// the two orders differ only between U+E000-U+FFFF (UTF-8 lead byte 0xEE
// or 0xEF) and the characters outside the Basic Multilingual Plane (lead
// byte 0xF0-0xF4), which UTF-16 writes as surrogate pairs (0xD800-0xDBFF)
// and so sorts first. At the first differing byte the two runes either
// share their lead byte (same plane: byte order holds) or differ in it.
func compareUTF16(a, b string) int {
	n := min(len(a), len(b))
	i := 0
	for i < n && a[i] == b[i] {
		i++
	}
	if i == n {
		return cmp.Compare(len(a), len(b))
	}
	ca, cb := a[i], b[i]
	if ca >= 0xEE && cb >= 0xEE && (ca >= 0xF0) != (cb >= 0xF0) {
		if ca >= 0xF0 {
			return -1 // a has the surrogate pair
		}
		return 1
	}
	if ca < cb {
		return -1
	}
	return 1
}

// parser decodes profile JSON: RFC 8259 JSON whose numbers are integers
// that fit in int64, whose strings are valid Unicode (no lone surrogates)
// and whose objects have no duplicate keys, nested at most MaxDepth deep.
type parser struct {
	data  []byte
	pos   int
	depth int
	stack []pathSeg // where the parser is, to name it in errors
}

type pathSeg struct {
	key   string
	index int
	isKey bool
}

func (p *parser) path() string { return pointer(p.stack) }

// pointer returns the JSON pointer of a path.
func pointer(segs []pathSeg) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteByte('/')
		if s.isKey {
			b.WriteString(pointerToken(s.key))
		} else {
			b.WriteString(strconv.Itoa(s.index))
		}
	}
	return b.String()
}

func (p *parser) fail(format string, args ...any) *Error {
	return errAt(p.path(), format, args...)
}

func (p *parser) syntax(what string) *Error {
	if p.pos >= len(p.data) {
		return p.fail("invalid JSON: unexpected end of input (want %s)", what)
	}
	return p.fail("invalid JSON at byte %d: unexpected %q (want %s)", p.pos, p.data[p.pos], what)
}

// parse decodes a whole document: one value, optionally surrounded by
// JSON whitespace, and nothing else.
func parse(doc []byte) (value, error) {
	p := &parser{data: doc}
	p.skipSpace()
	v, err := p.value()
	if err != nil {
		return value{}, err
	}
	p.skipSpace()
	if p.pos != len(p.data) {
		return value{}, errAt("", "invalid JSON: trailing data at byte %d after the document", p.pos)
	}
	return v, nil
}

func (p *parser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) literal(word string) bool {
	if bytes.HasPrefix(p.data[p.pos:], []byte(word)) {
		p.pos += len(word)
		return true
	}
	return false
}

func (p *parser) value() (value, *Error) {
	if p.pos >= len(p.data) {
		return value{}, p.syntax("a value")
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, err := p.string()
		return value{kind: kindString, s: s}, err
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == 't' && p.literal("true"):
		return value{kind: kindBool, b: true}, nil
	case c == 'f' && p.literal("false"):
		return value{kind: kindBool}, nil
	case c == 'n' && p.literal("null"):
		return value{kind: kindNull}, nil
	default:
		return value{}, p.syntax("a value")
	}
}

func (p *parser) enter() *Error {
	p.depth++
	if p.depth > MaxDepth {
		return p.fail("nesting deeper than %d levels", MaxDepth)
	}
	return nil
}

func (p *parser) object() (value, *Error) {
	if err := p.enter(); err != nil {
		return value{}, err
	}
	p.pos++ // {
	v := value{kind: kindObject}
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		p.depth--
		return v, nil
	}
	for {
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return value{}, p.syntax("a member name")
		}
		key, err := p.string()
		if err != nil {
			return value{}, err
		}
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return value{}, p.syntax("':'")
		}
		p.pos++
		p.skipSpace()
		p.stack = append(p.stack, pathSeg{key: key, isKey: true})
		val, err := p.value()
		if err != nil {
			return value{}, err
		}
		p.stack = p.stack[:len(p.stack)-1]
		v.obj = append(v.obj, member{key: key, val: val})
		p.skipSpace()
		if p.pos < len(p.data) && p.data[p.pos] == ',' {
			p.pos++
			continue
		}
		if p.pos < len(p.data) && p.data[p.pos] == '}' {
			p.pos++
			break
		}
		return value{}, p.syntax("',' or '}'")
	}
	slices.SortStableFunc(v.obj, func(a, b member) int { return compareUTF16(a.key, b.key) })
	for i := 1; i < len(v.obj); i++ {
		if v.obj[i].key == v.obj[i-1].key {
			return value{}, errAt(child(p.path(), v.obj[i].key), "duplicate key %q", v.obj[i].key)
		}
	}
	p.depth--
	return v, nil
}

func (p *parser) array() (value, *Error) {
	if err := p.enter(); err != nil {
		return value{}, err
	}
	p.pos++ // [
	v := value{kind: kindArray, arr: []value{}}
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		p.depth--
		return v, nil
	}
	for i := 0; ; i++ {
		p.skipSpace()
		p.stack = append(p.stack, pathSeg{index: i})
		val, err := p.value()
		if err != nil {
			return value{}, err
		}
		p.stack = p.stack[:len(p.stack)-1]
		v.arr = append(v.arr, val)
		p.skipSpace()
		if p.pos < len(p.data) && p.data[p.pos] == ',' {
			p.pos++
			continue
		}
		if p.pos < len(p.data) && p.data[p.pos] == ']' {
			p.pos++
			break
		}
		return value{}, p.syntax("',' or ']'")
	}
	p.depth--
	return v, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// number decodes an integer. A fraction or an exponent (even 1.0 or 1e3)
// is refused: the profile has no floating point.
func (p *parser) number() (value, *Error) {
	start := p.pos
	if p.data[p.pos] == '-' {
		p.pos++
	}
	switch {
	case p.pos < len(p.data) && p.data[p.pos] == '0':
		p.pos++
	case p.pos < len(p.data) && isDigit(p.data[p.pos]):
		for p.pos < len(p.data) && isDigit(p.data[p.pos]) {
			p.pos++
		}
	default:
		return value{}, p.syntax("a digit")
	}
	float := false
	if p.pos < len(p.data) && p.data[p.pos] == '.' {
		float = true
		p.pos++
		if p.pos >= len(p.data) || !isDigit(p.data[p.pos]) {
			return value{}, p.syntax("a digit after '.'")
		}
		for p.pos < len(p.data) && isDigit(p.data[p.pos]) {
			p.pos++
		}
	}
	if p.pos < len(p.data) && (p.data[p.pos] == 'e' || p.data[p.pos] == 'E') {
		float = true
		p.pos++
		if p.pos < len(p.data) && (p.data[p.pos] == '+' || p.data[p.pos] == '-') {
			p.pos++
		}
		if p.pos >= len(p.data) || !isDigit(p.data[p.pos]) {
			return value{}, p.syntax("a digit in the exponent")
		}
		for p.pos < len(p.data) && isDigit(p.data[p.pos]) {
			p.pos++
		}
	}
	text := string(p.data[start:p.pos])
	if float {
		return value{}, p.fail("floating point is not allowed: %s (use an integer)", text)
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return value{}, p.fail("integer %s does not fit in 64 bits", text)
	}
	return value{kind: kindInt, n: n}, nil
}

func hexVal(c byte) (rune, bool) {
	switch {
	case c >= '0' && c <= '9':
		return rune(c - '0'), true
	case c >= 'a' && c <= 'f':
		return rune(c - 'a' + 10), true
	case c >= 'A' && c <= 'F':
		return rune(c - 'A' + 10), true
	}
	return 0, false
}

// hex4 decodes the 4 hex digits of a \u escape at p.pos.
func (p *parser) hex4() (rune, *Error) {
	if p.pos+4 > len(p.data) {
		p.pos = len(p.data)
		return 0, p.syntax("4 hex digits after \\u")
	}
	var r rune
	for i := range 4 {
		d, ok := hexVal(p.data[p.pos+i])
		if !ok {
			p.pos += i
			return 0, p.syntax("4 hex digits after \\u")
		}
		r = r<<4 | d
	}
	p.pos += 4
	return r, nil
}

// string decodes a string literal at p.pos (the opening quote).
func (p *parser) string() (string, *Error) {
	p.pos++ // "
	start := p.pos
	// Fast path: no escapes.
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		if c == '"' {
			s := string(p.data[start:p.pos])
			p.pos++
			return s, nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return "", p.fail("invalid JSON at byte %d: control character 0x%02x in a string (escape it)", p.pos, c)
		}
		if c < utf8.RuneSelf {
			p.pos++
			continue
		}
		r, n := utf8.DecodeRune(p.data[p.pos:])
		if r == utf8.RuneError && n <= 1 {
			return "", p.fail("invalid UTF-8 at byte %d", p.pos)
		}
		p.pos += n
	}
	b := append([]byte(nil), p.data[start:p.pos]...)
	for {
		if p.pos >= len(p.data) {
			return "", p.syntax("'\"' closing the string")
		}
		c := p.data[p.pos]
		switch {
		case c == '"':
			p.pos++
			return string(b), nil
		case c == '\\':
			p.pos++
			if p.pos >= len(p.data) {
				return "", p.syntax("an escape")
			}
			e := p.data[p.pos]
			p.pos++
			switch e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r, err := p.hex4()
				if err != nil {
					return "", err
				}
				switch {
				case utf16.IsSurrogate(r) && r < 0xDC00:
					at := p.pos
					if p.pos+2 > len(p.data) || p.data[p.pos] != '\\' || p.data[p.pos+1] != 'u' {
						return "", p.fail("invalid JSON at byte %d: lone surrogate \\u%04x", at-6, r)
					}
					p.pos += 2
					r2, err := p.hex4()
					if err != nil {
						return "", err
					}
					if r2 < 0xDC00 || r2 > 0xDFFF {
						return "", p.fail("invalid JSON at byte %d: lone surrogate \\u%04x", at-6, r)
					}
					r = utf16.DecodeRune(r, r2)
				case utf16.IsSurrogate(r):
					return "", p.fail("invalid JSON at byte %d: lone surrogate \\u%04x", p.pos-6, r)
				}
				b = utf8.AppendRune(b, r)
			default:
				p.pos--
				return "", p.syntax("an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)")
			}
		case c < 0x20:
			return "", p.fail("invalid JSON at byte %d: control character 0x%02x in a string (escape it)", p.pos, c)
		case c < utf8.RuneSelf:
			b = append(b, c)
			p.pos++
		default:
			r, n := utf8.DecodeRune(p.data[p.pos:])
			if r == utf8.RuneError && n <= 1 {
				return "", p.fail("invalid UTF-8 at byte %d", p.pos)
			}
			b = append(b, p.data[p.pos:p.pos+n]...)
			p.pos += n
		}
	}
}

// appendCanonical appends the RFC 8785 form of v.
func appendCanonical(b []byte, v *value) []byte {
	switch v.kind {
	case kindNull:
		return append(b, "null"...)
	case kindBool:
		if v.b {
			return append(b, "true"...)
		}
		return append(b, "false"...)
	case kindInt:
		return strconv.AppendInt(b, v.n, 10)
	case kindString:
		return appendString(b, v.s)
	case kindArray:
		b = append(b, '[')
		for i := range v.arr {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendCanonical(b, &v.arr[i])
		}
		return append(b, ']')
	default:
		b = append(b, '{')
		for i := range v.obj {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, v.obj[i].key)
			b = append(b, ':')
			b = appendCanonical(b, &v.obj[i].val)
		}
		return append(b, '}')
	}
}

// appendString appends s quoted as ECMAScript's JSON.stringify does: only
// " and \ and the controls below 0x20 are escaped (\b \f \n \r \t, the
// others as \u00xx in lowercase hex); everything else is literal UTF-8.
func appendString(b []byte, s string) []byte {
	const hexdigits = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"':
			b = append(b, '\\', '"')
		case '\\':
			b = append(b, '\\', '\\')
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexdigits[c>>4], hexdigits[c&0xF])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// Canonical returns the RFC 8785 (JCS) canonical form of a JSON document in
// the profile's value space: objects, arrays, strings, true/false/null and
// integers only. A number with a fraction or an exponent (even 1.0), an
// integer outside int64, invalid UTF-8 or a lone surrogate escape, a
// duplicate object key, nesting deeper than MaxDepth and trailing data
// after the value are refused with an *Error naming the JSON pointer where
// the problem is. Object keys are sorted by UTF-16 code units, there is no
// whitespace, strings are escaped as ECMAScript's JSON.stringify does and
// integers are written in plain decimal (-0 as 0).
func Canonical(doc []byte) ([]byte, error) {
	v, err := parse(doc)
	if err != nil {
		return nil, err
	}
	return appendCanonical(make([]byte, 0, len(doc)), &v), nil
}

// ID is the content address of a schema (or any profile JSON document):
// the lowercase hex SHA-256 of Canonical(doc). Documents that differ only
// in whitespace, key order or string escaping have the same ID.
func ID(doc []byte) (string, error) {
	c, err := Canonical(doc)
	if err != nil {
		return "", err
	}
	return hashID(c), nil
}

func hashID(canonical []byte) string {
	sum := sha256.Sum256(canonical)
	return hex.EncodeToString(sum[:])
}
