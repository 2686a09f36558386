package api

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"slices"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/citychain/citychain/chain/client"
)

// documentedOps is the set of "METHOD path" the paths of an OpenAPI
// document or fragment define.
func documentedOps(t *testing.T, file string, doc []byte) map[string]bool {
	t.Helper()
	var d struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	out := map[string]bool{}
	for p, item := range d.Paths {
		for m := range item {
			if slices.Contains(httpMethods, m) {
				out[strings.ToUpper(m)+" "+p] = true
			}
		}
	}
	return out
}

func routedOps(rs []route) map[string]bool {
	out := map[string]bool{}
	for _, rt := range rs {
		p := rt.pattern
		if p == "/{$}" {
			p = "/"
		}
		out[rt.method+" "+p] = true
	}
	return out
}

func diffOps(got, want map[string]bool) (missing, extra []string) {
	for k := range want {
		if !got[k] {
			missing = append(missing, k)
		}
	}
	for k := range got {
		if !want[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	return missing, extra
}

// TestOpenAPIModuleFragments checks the module list against the files:
// the core routes are exactly the paths of openapi/core.json and each
// module's routes exactly the paths of its own fragment, whose operations
// carry only the fragment's tags; every fragment in openapi/ is listed.
func TestOpenAPIModuleFragments(t *testing.T) {
	nc, _ := client.New("http://127.0.0.1:1")
	s, err := New(Config{}, nc)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	type piece struct {
		name, file string
		routes     []route
	}
	pieces := []piece{{"core", openapiCore, s.coreRoutes()}}
	names := map[string]bool{}
	for _, m := range modules {
		if names[m.name] {
			t.Errorf("module %s listed twice", m.name)
		}
		names[m.name] = true
		if want := "openapi/" + m.name + ".json"; m.openapi != want {
			t.Errorf("module %s: got fragment %s, want %s", m.name, m.openapi, want)
		}
		pieces = append(pieces, piece{m.name, m.openapi, m.routes(s)})
	}
	for _, p := range pieces {
		t.Run(p.name, func(t *testing.T) {
			data, err := fs.ReadFile(openapiFS, p.file)
			if err != nil {
				t.Fatal(err)
			}
			missing, extra := diffOps(documentedOps(t, p.file, data), routedOps(p.routes))
			if len(missing) > 0 || len(extra) > 0 {
				t.Errorf("%s routes not in %s: %v; documented there but not its routes: %v", p.name, p.file, missing, extra)
			}
			if p.name == "core" {
				return
			}
			var f struct {
				Tags  []struct{ Name string }
				Paths map[string]map[string]struct{ Tags []string }
			}
			if err := json.Unmarshal(data, &f); err != nil {
				t.Fatal(err)
			}
			own := map[string]bool{}
			for _, tg := range f.Tags {
				own[tg.Name] = true
			}
			if len(own) == 0 {
				t.Errorf("%s declares no tag", p.file)
			}
			for path, item := range f.Paths {
				for m, op := range item {
					for _, tg := range op.Tags {
						if !own[tg] {
							t.Errorf("%s: %s %s is tagged %q, not one of the fragment's own tags", p.file, m, path, tg)
						}
					}
				}
			}
		})
	}
	files, err := fs.Glob(openapiFS, "openapi/*.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		listed := f == openapiCore
		for _, m := range modules {
			listed = listed || m.openapi == f
		}
		if !listed {
			t.Errorf("%s is in openapi/ but no module lists it", f)
		}
	}
}

// TestOpenAPIAssembly: the served document is the core document with each
// module's tags, paths and schemas appended in the order of the list, the
// same bytes every time.
func TestOpenAPIAssembly(t *testing.T) {
	doc, err := assembleOpenAPI(openapiFS, openapiCore, modules)
	if err != nil {
		t.Fatal(err)
	}
	again, err := assembleOpenAPI(openapiFS, openapiCore, modules)
	if err != nil || !bytes.Equal(doc, again) {
		t.Fatalf("a second assembly differs (%v)", err)
	}
	var wantTags, wantPaths, wantSchemas []string
	for _, f := range append([]string{openapiCore}, moduleFiles()...) {
		data, err := fs.ReadFile(openapiFS, f)
		if err != nil {
			t.Fatal(err)
		}
		tags, paths, schemas := orderedNames(t, f, data)
		wantTags, wantPaths, wantSchemas = append(wantTags, tags...), append(wantPaths, paths...), append(wantSchemas, schemas...)
	}
	tags, paths, schemas := orderedNames(t, "assembled", doc)
	for _, c := range []struct {
		what      string
		got, want []string
	}{{"tags", tags, wantTags}, {"paths", paths, wantPaths}, {"schemas", schemas, wantSchemas}} {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s: got %v, want %v", c.what, c.got, c.want)
		}
	}
	core, _ := fs.ReadFile(openapiFS, openapiCore)
	for _, k := range []string{"openapi", "info", "servers", "security"} {
		var a, b any
		_ = json.Unmarshal(lookup(mustObject(t, doc), k), &a)
		_ = json.Unmarshal(lookup(mustObject(t, core), k), &b)
		if !jsonEqual(a, b) {
			t.Errorf("%s: got %v, want the core document's %v", k, a, b)
		}
	}
}

func moduleFiles() []string {
	var files []string
	for _, m := range modules {
		files = append(files, m.openapi)
	}
	return files
}

func mustObject(t *testing.T, data []byte) []member {
	t.Helper()
	ms, err := decodeObject(data)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func keys(ms []member) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.key)
	}
	return out
}

// orderedNames are a document's tag names, paths and schema names in
// document order.
func orderedNames(t *testing.T, file string, data []byte) (tags, paths, schemas []string) {
	t.Helper()
	top := mustObject(t, data)
	var ts []struct{ Name string }
	if raw := lookup(top, "tags"); raw != nil {
		if err := json.Unmarshal(raw, &ts); err != nil {
			t.Fatalf("%s: tags: %v", file, err)
		}
	}
	for _, tg := range ts {
		tags = append(tags, tg.Name)
	}
	if raw := lookup(top, "paths"); raw != nil {
		paths = keys(mustObject(t, raw))
	}
	if raw := lookup(top, "components"); raw != nil {
		if raw := lookup(mustObject(t, raw), "schemas"); raw != nil {
			schemas = keys(mustObject(t, raw))
		}
	}
	return tags, paths, schemas
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// A fragment in the tests below: tag "x", path /v1/x answering schema X
// or a Problem.
const (
	fragX = `{"tags":[{"name":"x"}],
 "paths":{"/v1/x":{"get":{"tags":["x"],"responses":{
   "200":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/X"}}}},
   "400":{"content":{"application/problem+json":{"schema":{"$ref":"#/components/schemas/Problem"}}}}}}}},
 "components":{"schemas":{"X":{"type":"object","properties":{"proof":{"$ref":"#/components/schemas/Proof"}}}}}}`
	fragY = `{"tags":[{"name":"y"}],"paths":{"/v1/y":{"get":{"tags":["y"],"responses":{}}}}}`
)

// TestAssembleOpenAPIErrors: a broken fragment fails the assembly with an
// error naming the file and what is wrong.
func TestAssembleOpenAPIErrors(t *testing.T) {
	core, err := fs.ReadFile(openapiFS, openapiCore)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		frags []string // openapi/f0.json, openapi/f1.json, ...
		want  string   // in the error; "" for none
	}{
		{"two good fragments", []string{fragX, fragY}, ""},
		{"a fragment with nothing", []string{`{}`}, ""},
		{"dangling $ref in a path", []string{strings.Replace(fragX, "schemas/X", "schemas/Nope", 1)},
			`openapi/f0.json: path /v1/x: $ref "#/components/schemas/Nope": no such component`},
		{"dangling $ref in a schema", []string{strings.Replace(fragX, "schemas/Proof", "schemas/Proven", 1)},
			`openapi/f0.json: schema X: $ref "#/components/schemas/Proven": no such component`},
		{"$ref to another kind of component", []string{strings.Replace(fragX, "schemas/Problem", "responses/Problem", 1)},
			`$ref "#/components/responses/Problem": no such component`},
		{"$ref to a schema of a later fragment", []string{strings.Replace(fragY, `"responses":{}`, `"responses":{"200":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/X"}}}}}`, 1), fragX}, ""},
		{"path of the core document", []string{strings.Replace(fragY, "/v1/y", "/v1/status", 1)},
			`openapi/f0.json: path "/v1/status" is already defined in openapi/core.json`},
		{"path of an earlier fragment", []string{fragX, strings.Replace(fragY, "/v1/y", "/v1/x", 1)},
			`openapi/f1.json: path "/v1/x" is already defined in openapi/f0.json`},
		{"schema of the core document", []string{strings.Replace(fragX, `"X":{`, `"Problem":{`, 1)},
			`openapi/f0.json: schema "Problem" is already defined in openapi/core.json`},
		{"tag of the core document", []string{strings.ReplaceAll(fragY, `"y"`, `"network"`)},
			`openapi/f0.json: tag "network" is already defined in openapi/core.json`},
		{"undeclared tag", []string{strings.Replace(fragY, `"tags":["y"]`, `"tags":["z"]`, 1)},
			`openapi/f0.json: path /v1/y: get is tagged "z", which no tags list declares`},
		{"tag without a name", []string{strings.Replace(fragY, `{"name":"y"}`, `{}`, 1)}, `openapi/f0.json: tag {}`},
		{"other top-level key", []string{`{"info":{"title":"x"}}`}, `openapi/f0.json: "info": a fragment holds only`},
		{"other components", []string{`{"components":{"parameters":{}}}`}, `openapi/f0.json: components.parameters: a fragment defines only schemas`},
		{"key twice", []string{`{"paths":{"/v1/y":{},"/v1/y":{}}}`}, `openapi/f0.json: paths: key "/v1/y" given twice`},
		{"not JSON", []string{`{"paths":`}, `openapi/f0.json`},
		{"not an object", []string{`[]`}, `openapi/f0.json: got [, want a JSON object`},
		{"data after the object", []string{`{} {}`}, `openapi/f0.json: data after the object`},
		{"missing file", nil, `module m0: open openapi/f0.json`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{openapiCore: {Data: core}}
			var mods []apiModule
			n := max(len(tc.frags), 1)
			for i := range n {
				name, file := "m"+string(rune('0'+i)), "openapi/f"+string(rune('0'+i))+".json"
				mods = append(mods, apiModule{name: name, routes: func(*Server) []route { return nil }, openapi: file})
				if i < len(tc.frags) {
					fsys[file] = &fstest.MapFile{Data: []byte(tc.frags[i])}
				}
			}
			doc, err := assembleOpenAPI(fsys, openapiCore, mods)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				if !json.Valid(doc) {
					t.Fatalf("got invalid JSON %.200s", doc)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got error %v, want one containing %s", err, tc.want)
			}
		})
	}
}

// TestNewRejectsBrokenOpenAPI: the server does not start with a document
// that does not assemble.
func TestNewRejectsBrokenOpenAPI(t *testing.T) {
	core, _ := fs.ReadFile(openapiFS, openapiCore)
	fsys := fstest.MapFS{
		openapiCore:           {Data: core},
		"openapi/broken.json": {Data: []byte(strings.Replace(fragX, "schemas/X", "schemas/Nope", 1))},
	}
	nc, _ := client.New("http://127.0.0.1:1")
	mods := []apiModule{{name: "broken", routes: func(*Server) []route { return nil }, openapi: "openapi/broken.json"}}
	if s, err := newServer(Config{}, nc, fsys, mods); err == nil || !strings.Contains(err.Error(), `openapi/broken.json: path /v1/x: $ref "#/components/schemas/Nope"`) {
		if s != nil {
			_ = s.Close()
		}
		t.Fatalf("got error %v; want one naming the dangling $ref", err)
	}
	s, err := newServer(Config{}, nc, openapiFS, modules)
	if err != nil {
		t.Fatalf("got %v with the real fragments", err)
	}
	defer s.Close()
	if !bytes.Contains(s.openapiDoc, []byte(`"/v1/vehicles/{vin}/{view}"`)) {
		t.Fatalf("the real document misses a module's path")
	}
}
