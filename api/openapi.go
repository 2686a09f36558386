package api

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
)

// The OpenAPI document served at /openapi.json is assembled by New from
// openapi/core.json (info, security, the core endpoints and the shared
// schemas) and, in the order of the modules list, each module's fragment.
// A fragment is a JSON object with only "tags", "paths" and
// "components": {"schemas"}; its tags, paths and schemas are appended to
// the core document's, which keeps its own key order. Assembly fails on a
// tag, path or schema defined twice, a $ref to a component nobody defines
// and an operation tagged with a tag nobody declares.

//go:embed openapi/*.json
var openapiFS embed.FS

// openapiCore is the core document in openapiFS.
const openapiCore = "openapi/core.json"

// member is one member of a JSON object, in document order.
type member struct {
	key   string
	value json.RawMessage
}

// openapiPiece is what one file adds to the document.
type openapiPiece struct {
	file    string
	tags    []member // name, the tag object
	paths   []member
	schemas []member
}

// assembleOpenAPI reads core and the fragments of mods from fsys and
// returns the served document (indented by one space).
func assembleOpenAPI(fsys fs.FS, core string, mods []apiModule) ([]byte, error) {
	data, err := fs.ReadFile(fsys, core)
	if err != nil {
		return nil, err
	}
	top, err := decodeObject(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", core, err)
	}
	for _, k := range []string{"openapi", "info", "tags", "paths", "components"} {
		if lookup(top, k) == nil {
			return nil, fmt.Errorf("%s: no %q", core, k)
		}
	}
	comps, err := decodeObject(lookup(top, "components"))
	if err != nil {
		return nil, fmt.Errorf("%s: components: %w", core, err)
	}
	if lookup(comps, "schemas") == nil {
		return nil, fmt.Errorf("%s: no components.schemas", core)
	}
	corePiece, err := readPiece(core, lookup(top, "tags"), lookup(top, "paths"), lookup(comps, "schemas"))
	if err != nil {
		return nil, err
	}
	pieces := []openapiPiece{corePiece}
	for _, m := range mods {
		p, err := readFragment(fsys, m.openapi)
		if err != nil {
			return nil, fmt.Errorf("module %s: %w", m.name, err)
		}
		pieces = append(pieces, p)
	}

	// Merge in order; anything defined twice is an error.
	var errs []error
	var tags, paths, schemas []member
	tagFrom, pathFrom, schemaFrom := map[string]string{}, map[string]string{}, map[string]string{}
	merge := func(file, what string, from map[string]string, all *[]member, ms []member) {
		for _, m := range ms {
			if f, ok := from[m.key]; ok {
				errs = append(errs, fmt.Errorf("%s: %s %q is already defined in %s", file, what, m.key, f))
				continue
			}
			from[m.key] = file
			*all = append(*all, m)
		}
	}
	for _, p := range pieces {
		merge(p.file, "tag", tagFrom, &tags, p.tags)
		merge(p.file, "path", pathFrom, &paths, p.paths)
		merge(p.file, "schema", schemaFrom, &schemas, p.schemas)
	}

	// Every $ref names a defined component; every operation's tags are
	// declared.
	defined := map[string]bool{}
	for _, c := range comps {
		if c.key == "schemas" {
			continue
		}
		ms, err := decodeObject(c.value)
		if err != nil {
			return nil, fmt.Errorf("%s: components.%s: %w", core, c.key, err)
		}
		for _, m := range ms {
			defined["#/components/"+c.key+"/"+m.key] = true
		}
	}
	for name := range schemaFrom {
		defined["#/components/schemas/"+name] = true
	}
	for _, p := range pieces {
		errs = append(errs, checkPiece(p, defined, tagFrom)...)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("assemble the OpenAPI document: %w", err)
	}

	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range top {
		if i > 0 {
			b.WriteByte(',')
		}
		writeKey(&b, m.key)
		switch m.key {
		case "tags":
			b.WriteByte('[')
			for j, t := range tags {
				if j > 0 {
					b.WriteByte(',')
				}
				b.Write(t.value)
			}
			b.WriteByte(']')
		case "paths":
			writeObject(&b, paths)
		case "components":
			cs := slices.Clone(comps)
			for j := range cs {
				if cs[j].key == "schemas" {
					var sb bytes.Buffer
					writeObject(&sb, schemas)
					cs[j].value = sb.Bytes()
				}
			}
			writeObject(&b, cs)
		default:
			b.Write(m.value)
		}
	}
	b.WriteByte('}')
	var out bytes.Buffer
	if err := json.Indent(&out, b.Bytes(), "", " "); err != nil {
		return nil, fmt.Errorf("assemble the OpenAPI document: %w", err)
	}
	return out.Bytes(), nil
}

// readFragment reads a module's fragment: "tags", "paths" and
// "components" with only "schemas", nothing else.
func readFragment(fsys fs.FS, file string) (openapiPiece, error) {
	data, err := fs.ReadFile(fsys, file)
	if err != nil {
		return openapiPiece{}, err
	}
	top, err := decodeObject(data)
	if err != nil {
		return openapiPiece{}, fmt.Errorf("%s: %w", file, err)
	}
	var comps []member
	for _, m := range top {
		switch m.key {
		case "tags", "paths":
		case "components":
			if comps, err = decodeObject(m.value); err != nil {
				return openapiPiece{}, fmt.Errorf("%s: components: %w", file, err)
			}
			for _, c := range comps {
				if c.key != "schemas" {
					return openapiPiece{}, fmt.Errorf("%s: components.%s: a fragment defines only schemas (shared components go in %s)", file, c.key, openapiCore)
				}
			}
		default:
			return openapiPiece{}, fmt.Errorf("%s: %q: a fragment holds only tags, paths and components.schemas", file, m.key)
		}
	}
	return readPiece(file, lookup(top, "tags"), lookup(top, "paths"), lookup(comps, "schemas"))
}

// readPiece decodes a file's tags (an array of objects with a name), paths
// and schemas (objects); any of them may be absent.
func readPiece(file string, tags, paths, schemas json.RawMessage) (openapiPiece, error) {
	p := openapiPiece{file: file}
	if tags != nil {
		var ts []json.RawMessage
		if err := json.Unmarshal(tags, &ts); err != nil {
			return p, fmt.Errorf("%s: tags: %w", file, err)
		}
		for _, t := range ts {
			var tag struct {
				Name string `json:"name"`
			}
			if err := json.Unmarshal(t, &tag); err != nil || tag.Name == "" {
				return p, fmt.Errorf("%s: tag %s: want an object with a name", file, t)
			}
			p.tags = append(p.tags, member{tag.Name, t})
		}
	}
	var err error
	if paths != nil {
		if p.paths, err = decodeObject(paths); err != nil {
			return p, fmt.Errorf("%s: paths: %w", file, err)
		}
	}
	if schemas != nil {
		if p.schemas, err = decodeObject(schemas); err != nil {
			return p, fmt.Errorf("%s: components.schemas: %w", file, err)
		}
	}
	return p, nil
}

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// checkPiece reports the $refs of a piece's paths and schemas that name no
// defined component, and its operations' undeclared tags.
func checkPiece(p openapiPiece, defined map[string]bool, tags map[string]string) []error {
	var msgs []string
	check := func(where string, raw json.RawMessage) {
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			msgs = append(msgs, fmt.Sprintf("%s: %v", where, err))
			return
		}
		for _, ref := range refs(v, nil) {
			if !defined[ref] {
				msgs = append(msgs, fmt.Sprintf("%s: $ref %q: no such component", where, ref))
			}
		}
	}
	for _, m := range p.paths {
		check("path "+m.key, m.value)
		var ops map[string]struct {
			Tags []string `json:"tags"`
		}
		if err := json.Unmarshal(m.value, &ops); err != nil {
			continue // reported by check
		}
		for _, method := range httpMethods {
			for _, t := range ops[method].Tags {
				if _, ok := tags[t]; !ok {
					msgs = append(msgs, fmt.Sprintf("path %s: %s is tagged %q, which no tags list declares", m.key, method, t))
				}
			}
		}
	}
	for _, m := range p.schemas {
		check("schema "+m.key, m.value)
	}
	slices.Sort(msgs)
	msgs = slices.Compact(msgs)
	errs := make([]error, len(msgs))
	for i, s := range msgs {
		errs[i] = fmt.Errorf("%s: %s", p.file, s)
	}
	return errs
}

// refs appends the values of every "$ref" in v.
func refs(v any, out []string) []string {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && k == "$ref" {
				out = append(out, s)
				continue
			}
			out = refs(x, out)
		}
	case []any:
		for _, x := range v {
			out = refs(x, out)
		}
	}
	return out
}

// decodeObject reads a JSON object's members in document order; a key
// given twice is an error.
func decodeObject(data []byte) ([]member, error) {
	if data == nil {
		return nil, errors.New("missing")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := t.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("got %v, want a JSON object", t)
	}
	var ms []member
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		k := t.(string) // a key, in an object
		if seen[k] {
			return nil, fmt.Errorf("key %q given twice", k)
		}
		seen[k] = true
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		ms = append(ms, member{k, v})
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the object")
	}
	return ms, nil
}

// lookup is the value of key in ms, nil when absent.
func lookup(ms []member, key string) json.RawMessage {
	for _, m := range ms {
		if m.key == key {
			return m.value
		}
	}
	return nil
}

func writeKey(b *bytes.Buffer, k string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(k) // a string always encodes, ending with a newline
	b.Truncate(b.Len() - 1)
	b.WriteByte(':')
}

func writeObject(b *bytes.Buffer, ms []member) {
	b.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			b.WriteByte(',')
		}
		writeKey(b, m.key)
		b.Write(m.value)
	}
	b.WriteByte('}')
}
