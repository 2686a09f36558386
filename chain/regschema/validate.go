package regschema

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Validate checks a record (a JSON document) against the schema. The record
// must itself be profile JSON (integers only, no duplicate keys; see
// Canonical). The error is an *Error whose Path is a JSON pointer into the
// record, e.g. "/age": "want an integer, got a string".
//
// The error is the first one in a fixed order, depth first:
//
//   - at any value: its type;
//   - at an object: its members in sorted key order (an undeclared one is
//     refused, additionalProperties being false; a declared one is
//     validated in turn), then the required properties in sorted order (a
//     missing one is reported at the pointer it would have);
//   - at a string: const, enum, minLength, maxLength, pattern, format;
//   - at an integer: const, enum, minimum, exclusiveMinimum, maximum,
//     exclusiveMaximum, multipleOf;
//   - at a boolean: const;
//   - at an array: maxItems, minItems, each item in order, uniqueItems
//     (reported at the first item that repeats an earlier one).
func (s *Schema) Validate(record []byte) error {
	v, err := parse(record)
	if err != nil {
		return err
	}
	w := walker{stack: make([]pathSeg, 0, 8)}
	if e := w.validate(s.root, &v); e != nil {
		return e
	}
	return nil
}

// walker validates one record; stack is where it is in the record, built
// into a JSON pointer only on error.
type walker struct {
	stack []pathSeg
}

func (w *walker) fail(format string, args ...any) *Error {
	return errAt(pointer(w.stack), format, args...)
}

func (w *walker) key(k string) { w.stack = append(w.stack, pathSeg{key: k, isKey: true}) }
func (w *walker) index(i int)  { w.stack = append(w.stack, pathSeg{index: i}) }
func (w *walker) pop()         { w.stack = w.stack[:len(w.stack)-1] }

func (n *node) kindOK(v *value) bool {
	switch n.typ {
	case "object":
		return v.kind == kindObject
	case "array":
		return v.kind == kindArray
	}
	return n.sameType(v)
}

func (w *walker) validate(n *node, v *value) *Error {
	if !n.kindOK(v) {
		return w.fail("want %s, got %s", n.article(), v.kind.article())
	}
	switch n.typ {
	case "object":
		return w.object(n, v)
	case "array":
		return w.array(n, v)
	}
	if n.constVal != nil && !equalValues(n.constVal, v) {
		return w.fail("want %s", short(n.constVal))
	}
	if n.enum != nil && !inEnum(n.enum, v) {
		return w.fail("want one of %s", enumList(n.enum))
	}
	switch n.typ {
	case "string":
		return w.string(n, v.s)
	case "integer":
		return w.integer(n, v.n)
	}
	return nil
}

func (w *walker) object(n *node, v *value) *Error {
	j := 0
	for i := range v.obj {
		m := &v.obj[i]
		for j < len(n.props) && compareUTF16(n.props[j].name, m.key) < 0 {
			j++
		}
		w.key(m.key)
		if j == len(n.props) || n.props[j].name != m.key {
			return w.fail("property %q is not in the schema (additionalProperties is false)", m.key)
		}
		if err := w.validate(n.props[j].node, &m.val); err != nil {
			return err
		}
		w.pop()
	}
	for _, r := range n.required {
		if _, ok := v.get(r); !ok {
			w.key(r)
			return w.fail("required property %q is missing", r)
		}
	}
	return nil
}

func (w *walker) array(n *node, v *value) *Error {
	l := int64(len(v.arr))
	if n.maxItems >= 0 && l > n.maxItems {
		return w.fail("want at most %d items, got %d", n.maxItems, l)
	}
	if n.minItems >= 0 && l < n.minItems {
		return w.fail("want at least %d items, got %d", n.minItems, l)
	}
	for i := range v.arr {
		w.index(i)
		if err := w.validate(n.items, &v.arr[i]); err != nil {
			return err
		}
		w.pop()
	}
	if n.unique && len(v.arr) > 1 {
		if i, j := firstRepeat(v.arr); i >= 0 {
			w.index(i)
			return w.fail("item %d repeats item %d (uniqueItems)", i, j)
		}
	}
	return nil
}

func inEnum(enum []value, v *value) bool {
	for i := range enum {
		if equalValues(&enum[i], v) {
			return true
		}
	}
	return false
}

// firstRepeat returns the smallest index i whose item equals an earlier
// item j (the first such j), or -1. Items are compared by their canonical
// form, which is unique for equal JSON values.
func firstRepeat(items []value) (int, int) {
	type entry struct {
		enc []byte
		i   int
	}
	es := make([]entry, len(items))
	for i := range items {
		es[i] = entry{appendCanonical(nil, &items[i]), i}
	}
	slices.SortFunc(es, func(a, b entry) int {
		if c := bytes.Compare(a.enc, b.enc); c != 0 {
			return c
		}
		return a.i - b.i
	})
	bi, bj := -1, -1
	for k := 1; k < len(es); k++ {
		// In a run of equal items the indexes ascend: the run's second
		// entry is the first repeat of the run's first.
		if bytes.Equal(es[k].enc, es[k-1].enc) && (k == 1 || !bytes.Equal(es[k-1].enc, es[k-2].enc)) {
			if bi < 0 || es[k].i < bi {
				bi, bj = es[k].i, es[k-1].i
			}
		}
	}
	return bi, bj
}

func (w *walker) string(n *node, s string) *Error {
	if n.minLen >= 0 || n.maxLen >= 0 {
		l := int64(utf8.RuneCountInString(s))
		if n.minLen >= 0 && l < n.minLen {
			return w.fail("want at least %d characters, got %d", n.minLen, l)
		}
		if n.maxLen >= 0 && l > n.maxLen {
			return w.fail("want at most %d characters, got %d", n.maxLen, l)
		}
	}
	if n.pattern != nil && !n.pattern.MatchString(s) {
		return w.fail("does not match pattern %q", n.patternSrc)
	}
	if n.formatCheck != nil {
		if r := n.formatCheck(s); r != "" {
			return w.fail("format %q: %s", n.format, r)
		}
	}
	return nil
}

func (w *walker) integer(n *node, x int64) *Error {
	if n.minimum != nil && x < *n.minimum {
		return w.fail("want at least %d, got %d", *n.minimum, x)
	}
	if n.exclMin != nil && x <= *n.exclMin {
		return w.fail("want more than %d, got %d", *n.exclMin, x)
	}
	if n.maximum != nil && x > *n.maximum {
		return w.fail("want at most %d, got %d", *n.maximum, x)
	}
	if n.exclMax != nil && x >= *n.exclMax {
		return w.fail("want less than %d, got %d", *n.exclMax, x)
	}
	if n.multipleOf > 0 && x%n.multipleOf != 0 {
		return w.fail("want a multiple of %d, got %d", n.multipleOf, x)
	}
	return nil
}

// short returns v's canonical JSON, cut to 64 bytes for a message.
func short(v *value) string {
	b := appendCanonical(nil, v)
	if len(b) > 64 {
		cut := 61
		for cut > 0 && !utf8.RuneStart(b[cut]) {
			cut--
		}
		return string(b[:cut]) + "..."
	}
	return string(b)
}

// enumList lists up to 8 enum entries for a message.
func enumList(enum []value) string {
	var b strings.Builder
	for i := range enum {
		if i > 0 {
			b.WriteString(", ")
		}
		if i == 8 {
			fmt.Fprintf(&b, "... (%d in all)", len(enum))
			break
		}
		b.WriteString(short(&enum[i]))
	}
	return b.String()
}
