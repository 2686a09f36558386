package api

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"sort"
	"strings"
)

//go:embed web
var webFS embed.FS

func (s *Server) openapi(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(s.openapiDoc)
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	b, err := webFS.ReadFile("web/index.html")
	if err != nil {
		s.problem(w, r, http.StatusInternalServerError, "internal error", "dashboard missing from the build", nil)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(b)
}

// asset serves one file of the embedded web/assets directory; names are
// one path segment of [a-z0-9._-], nothing else is reachable.
func (s *Server) asset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	ok := name != "" && !strings.HasPrefix(name, ".")
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			ok = false
		}
	}
	var b []byte
	var err error
	if ok {
		b, err = fs.ReadFile(webFS, path.Join("web/assets", name))
	}
	if !ok || err != nil {
		s.problem(w, r, http.StatusNotFound, "not found", fmt.Sprintf("no asset %q", name), nil)
		return
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "public, max-age=60")
	_, _ = w.Write(b)
}

// docs renders the OpenAPI document as a readable reference page.
func (s *Server) docs(w http.ResponseWriter, r *http.Request) {
	page, err := renderDocs(s.openapiDoc)
	if err != nil {
		s.problem(w, r, http.StatusInternalServerError, "internal error", err.Error(), nil)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'self'")
	_, _ = w.Write(page)
}

type docParam struct {
	Name, In, Type, Description string
	Required                    bool
}

type docOp struct {
	Method, Path, Summary, Description, Anchor string
	Public                                     bool
	Params                                     []docParam
	Body                                       string
	Responses                                  []docResp
}

type docResp struct{ Code, Description string }

type openapiDoc struct {
	Info struct {
		Title, Version, Description string
	} `json:"info"`
	Paths map[string]map[string]struct {
		Summary     string `json:"summary"`
		Description string `json:"description"`
		Tags        []string
		Security    *[]map[string][]string `json:"security"`
		Parameters  []struct {
			Name        string `json:"name"`
			In          string `json:"in"`
			Required    bool   `json:"required"`
			Description string `json:"description"`
			Schema      struct {
				Type any `json:"type"`
			} `json:"schema"`
		} `json:"parameters"`
		RequestBody *struct {
			Content map[string]struct {
				Example any `json:"example"`
			} `json:"content"`
		} `json:"requestBody"`
		Responses map[string]struct {
			Description string `json:"description"`
		} `json:"responses"`
	} `json:"paths"`
}

var docsTmpl = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}} — reference</title>
<link rel="stylesheet" href="/assets/docs.css"></head><body>
<header><h1>{{.Title}} <small>{{.Version}}</small></h1><p>{{.Description}}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1) · <a href="/">dashboard</a></p></header>
<nav><ul>{{range .Ops}}<li><a href="#{{.Anchor}}"><code class="m {{.Method}}">{{.Method}}</code> {{.Path}}</a></li>{{end}}</ul></nav>
<main>{{range .Ops}}<section id="{{.Anchor}}"><h2><code class="m {{.Method}}">{{.Method}}</code> <code>{{.Path}}</code>{{if .Public}} <span class="pub">no key</span>{{end}}</h2>
<p><strong>{{.Summary}}</strong></p>{{if .Description}}<p>{{.Description}}</p>{{end}}
{{if .Params}}<table><tr><th>parameter</th><th>in</th><th>type</th><th></th><th>description</th></tr>{{range .Params}}<tr><td><code>{{.Name}}</code></td><td>{{.In}}</td><td>{{.Type}}</td><td>{{if .Required}}required{{end}}</td><td>{{.Description}}</td></tr>{{end}}</table>{{end}}
{{if .Body}}<p>Request body:</p><pre>{{.Body}}</pre>{{end}}
<table class="resp">{{range .Responses}}<tr><td><code>{{.Code}}</code></td><td>{{.Description}}</td></tr>{{end}}</table></section>{{end}}</main></body></html>
`))

func renderDocs(doc []byte) ([]byte, error) {
	var d openapiDoc
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	var ops []docOp
	for p, methods := range d.Paths {
		for m, op := range methods {
			o := docOp{Method: strings.ToUpper(m), Path: p, Summary: op.Summary, Description: op.Description,
				Public: op.Security != nil && len(*op.Security) == 0}
			o.Anchor = strings.NewReplacer("/", "-", "{", "", "}", "", "$", "").Replace(strings.ToLower(o.Method) + p)
			for _, pr := range op.Parameters {
				o.Params = append(o.Params, docParam{Name: pr.Name, In: pr.In, Type: fmt.Sprint(pr.Schema.Type), Description: pr.Description, Required: pr.Required})
			}
			if op.RequestBody != nil {
				for _, c := range op.RequestBody.Content {
					if c.Example != nil {
						b, _ := json.MarshalIndent(c.Example, "", "  ")
						o.Body = string(b)
					}
				}
			}
			for code, rs := range op.Responses {
				o.Responses = append(o.Responses, docResp{code, rs.Description})
			}
			sort.Slice(o.Responses, func(i, j int) bool { return o.Responses[i].Code < o.Responses[j].Code })
			ops = append(ops, o)
		}
	}
	sort.Slice(ops, func(i, j int) bool {
		if ops[i].Path != ops[j].Path {
			return ops[i].Path < ops[j].Path
		}
		return ops[i].Method < ops[j].Method
	})
	var b bytes.Buffer
	err := docsTmpl.Execute(&b, map[string]any{"Title": d.Info.Title, "Version": d.Info.Version, "Description": d.Info.Description, "Ops": ops})
	return b.Bytes(), err
}
