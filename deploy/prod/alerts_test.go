package prod

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/citychain/citychain/cmd/citychain/local"
)

type ruleFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Alert       string            `yaml:"alert"`
			Expr        string            `yaml:"expr"`
			For         string            `yaml:"for"`
			Labels      map[string]string `yaml:"labels"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

// promqlKeywords are PromQL words that are not metric names: operators,
// modifiers and aggregations (which may be followed by a grouping before
// their parenthesis).
var promqlKeywords = []string{"by", "without", "on", "ignoring", "group_left", "group_right", "bool",
	"and", "or", "unless", "offset", "inf", "nan",
	"sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk", "quantile"}

// promqlMetrics returns the metric names an expression selects: the
// identifiers outside strings, label matchers, ranges and grouping lists
// that are not functions, aggregations or keywords.
func promqlMetrics(expr string) []string {
	var b strings.Builder
	depth := map[byte]int{}
	for i := 0; i < len(expr); i++ {
		c := expr[i]
		switch {
		case c == '"' || c == '\'':
			j := strings.IndexByte(expr[i+1:], c)
			if j < 0 {
				return nil
			}
			i += j + 1
			b.WriteByte(' ')
			continue
		case c == '{' || c == '[':
			depth[c]++
		case c == '}':
			depth['{']--
			b.WriteByte(' ')
			continue
		case c == ']':
			depth['[']--
			b.WriteByte(' ')
			continue
		}
		if depth['{'] > 0 || depth['['] > 0 {
			continue
		}
		b.WriteByte(c)
	}
	s := b.String()
	var out []string
	isStart := func(c byte) bool { return c == '_' || c == ':' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
	isPart := func(c byte) bool { return isStart(c) || c >= '0' && c <= '9' }
	for i := 0; i < len(s); {
		c := s[i]
		if !isStart(c) || i > 0 && (isPart(s[i-1]) || s[i-1] == '.') {
			i++
			continue
		}
		j := i
		for j < len(s) && isPart(s[j]) {
			j++
		}
		word := s[i:j]
		k := j
		for k < len(s) && s[k] == ' ' {
			k++
		}
		next := byte(0)
		if k < len(s) {
			next = s[k]
		}
		switch {
		case slices.Contains([]string{"by", "without", "on", "ignoring", "group_left", "group_right"}, word) && next == '(':
			// a label list: skip to its closing parenthesis
			end := strings.IndexByte(s[k:], ')')
			if end < 0 {
				return out
			}
			j = k + end + 1
		case slices.Contains(promqlKeywords, word), next == '(':
		default:
			if !slices.Contains(out, word) {
				out = append(out, word)
			}
		}
		i = j
	}
	return out
}

func TestPromQLMetrics(t *testing.T) {
	for _, tc := range []struct {
		expr string
		want []string
	}{
		{`up{job="x"} == 0`, []string{"up"}},
		{`rate(a_total{code=~"5.."}[5m]) / on (instance) group_left () b > 0.05`, []string{"a_total", "b"}},
		{`histogram_quantile(0.99, sum by (le, route) (rate(c_bucket[5m]))) > 2`, []string{"c_bucket"}},
		{`x < on (chain_id) group_left () (max by (chain_id) (x) - 10)`, []string{"x"}},
		{`increase(y[1h]) == 0 and z offset 5m`, []string{"y", "z"}},
		{`1e3 * w`, []string{"w"}},
	} {
		if got := promqlMetrics(tc.expr); !slices.Equal(got, tc.want) {
			t.Errorf("promqlMetrics(%q): got %v, want %v", tc.expr, got, tc.want)
		}
	}
}

// metricDefs finds Prometheus metric definitions in Go sources: composite
// literals of prometheus.{Counter,Gauge,Histogram,Summary}Opts, their
// Namespace, Subsystem and Name from string literals or package constants,
// and params for identifiers that are neither (CometBFT passes its
// namespace as an argument). It maps each full name (histograms with
// _bucket, _sum, _count) to the file defining it.
func metricDefs(t *testing.T, files []string, params map[string]string, defs map[string]string) {
	t.Helper()
	fset := token.NewFileSet()
	byDir := map[string][]*ast.File{}
	names := map[*ast.File]string{}
	for _, p := range files {
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatalf("parse %s: %v", p, err)
		}
		byDir[filepath.Dir(p)] = append(byDir[filepath.Dir(p)], f)
		names[f] = p
	}
	for _, pkg := range byDir {
		consts := map[string]string{}
		for _, f := range pkg {
			for _, d := range f.Decls {
				g, ok := d.(*ast.GenDecl)
				if !ok || g.Tok != token.CONST {
					continue
				}
				for _, s := range g.Specs {
					vs := s.(*ast.ValueSpec)
					for i, n := range vs.Names {
						if i < len(vs.Values) {
							if l, ok := vs.Values[i].(*ast.BasicLit); ok && l.Kind == token.STRING {
								consts[n.Name], _ = strconv.Unquote(l.Value)
							}
						}
					}
				}
			}
		}
		value := func(e ast.Expr) string {
			switch x := e.(type) {
			case nil:
				return ""
			case *ast.BasicLit:
				s, _ := strconv.Unquote(x.Value)
				return s
			case *ast.Ident:
				if v, ok := consts[x.Name]; ok {
					return v
				}
				return params[x.Name]
			}
			return ""
		}
		define := func(f *ast.File, kind, ns, sub, name string) {
			var full []string
			for _, p := range []string{ns, sub, name} {
				if p != "" {
					full = append(full, p)
				}
			}
			n := strings.Join(full, "_")
			defs[n] = names[f]
			switch kind {
			case "Histogram":
				defs[n+"_bucket"], defs[n+"_sum"], defs[n+"_count"] = names[f], names[f], names[f]
			case "Summary":
				defs[n+"_sum"], defs[n+"_count"] = names[f], names[f]
			}
		}
		// Helpers that take the name as an argument (settlement's
		// c := func(name, help string) prometheus.Counter {...}): their
		// calls with a literal name define the metrics.
		type helper struct {
			arg           int
			kind, ns, sub string
		}
		helpers := map[string]helper{}
		findHelper := func(fname string, params *ast.FieldList, body *ast.BlockStmt) {
			var pnames []string
			for _, fl := range params.List {
				for _, n := range fl.Names {
					pnames = append(pnames, n.Name)
				}
			}
			ast.Inspect(body, func(n ast.Node) bool {
				kind, parts, ok := optsLit(n)
				if !ok {
					return true
				}
				if id, ok := parts["Name"].(*ast.Ident); ok {
					if i := slices.Index(pnames, id.Name); i >= 0 {
						helpers[fname] = helper{i, kind, value(parts["Namespace"]), value(parts["Subsystem"])}
					}
				}
				return true
			})
		}
		for _, f := range pkg {
			ast.Inspect(f, func(n ast.Node) bool {
				switch x := n.(type) {
				case *ast.FuncDecl:
					if x.Body != nil {
						findHelper(x.Name.Name, x.Type.Params, x.Body)
					}
				case *ast.AssignStmt:
					if len(x.Lhs) == 1 && len(x.Rhs) == 1 {
						id, ok1 := x.Lhs[0].(*ast.Ident)
						fl, ok2 := x.Rhs[0].(*ast.FuncLit)
						if ok1 && ok2 {
							findHelper(id.Name, fl.Type.Params, fl.Body)
						}
					}
				}
				return true
			})
		}
		for _, f := range pkg {
			ast.Inspect(f, func(n ast.Node) bool {
				if call, ok := n.(*ast.CallExpr); ok {
					if id, ok := call.Fun.(*ast.Ident); ok {
						if h, ok := helpers[id.Name]; ok && h.arg < len(call.Args) {
							if l, ok := call.Args[h.arg].(*ast.BasicLit); ok && l.Kind == token.STRING {
								name, _ := strconv.Unquote(l.Value)
								define(f, h.kind, h.ns, h.sub, name)
							}
						}
					}
					return true
				}
				kind, parts, ok := optsLit(n)
				if !ok {
					return true
				}
				if name := value(parts["Name"]); name != "" {
					define(f, kind, value(parts["Namespace"]), value(parts["Subsystem"]), name)
				}
				return true
			})
		}
	}
}

// optsLit reports whether n is a prometheus.{Counter,Gauge,Histogram,
// Summary}Opts literal, with its kind and fields.
func optsLit(n ast.Node) (kind string, parts map[string]ast.Expr, ok bool) {
	cl, ok := n.(*ast.CompositeLit)
	if !ok {
		return "", nil, false
	}
	sel, ok := cl.Type.(*ast.SelectorExpr)
	if !ok {
		return "", nil, false
	}
	kind = strings.TrimSuffix(sel.Sel.Name, "Opts")
	if !slices.Contains([]string{"Counter", "Gauge", "Histogram", "Summary"}, kind) {
		return "", nil, false
	}
	parts = map[string]ast.Expr{}
	for _, el := range cl.Elts {
		if kv, ok := el.(*ast.KeyValueExpr); ok {
			if k, ok := kv.Key.(*ast.Ident); ok {
				parts[k.Name] = kv.Value
			}
		}
	}
	return kind, parts, true
}

// definedMetrics are the metrics citychain's Go code and CometBFT v0.38
// (its metrics.gen.go files, namespace "cometbft" as in config.toml)
// define.
func definedMetrics(t *testing.T) map[string]string {
	t.Helper()
	root, err := local.FindRepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	defs := map[string]string{}
	var ours []string
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && p != root || d.Name() == "testdata" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") {
			ours = append(ours, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	metricDefs(t, ours, nil, defs)

	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/cometbft/cometbft")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -m github.com/cometbft/cometbft: %v", err)
	}
	cmtDir := string(bytes.TrimSpace(out))
	var cmt []string
	for _, sub := range []string{"consensus", "p2p", "mempool", "blocksync", "state", "statesync", "proxy"} {
		for _, f := range []string{"metrics.gen.go", "metrics.go"} {
			cmt = append(cmt, filepath.Join(cmtDir, sub, f))
		}
	}
	metricDefs(t, cmt, map[string]string{"namespace": "cometbft"}, defs)
	// Prometheus's own per-target metric.
	defs["up"] = "(Prometheus: 1 when the scrape succeeded)"
	return defs
}

// Every alert is well formed, documented in docs/operations.md, and uses
// only metrics the code (or CometBFT) defines.
func TestAlertRules(t *testing.T) {
	b, err := os.ReadFile("alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	var rf ruleFile
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&rf); err != nil {
		t.Fatalf("alerts.yml: %v", err)
	}
	root, err := local.FindRepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	ops, err := os.ReadFile(filepath.Join(root, "docs", "operations.md"))
	if err != nil {
		t.Fatal(err)
	}
	defs := definedMetrics(t)
	for _, want := range []string{"cometbft_consensus_height", "settlement_lag_seconds", "edge_outbox_full_alarm", "citychain_api_requests_total"} {
		if _, ok := defs[want]; !ok {
			t.Fatalf("metric scan found no %s (found %d metrics): the scan is broken", want, len(defs))
		}
	}
	seen := map[string]bool{}
	n := 0
	for _, g := range rf.Groups {
		for _, r := range g.Rules {
			n++
			if r.Alert == "" || seen[r.Alert] {
				t.Errorf("group %s: alert name %q empty or repeated", g.Name, r.Alert)
			}
			seen[r.Alert] = true
			if r.For != "" {
				if _, err := time.ParseDuration(r.For); err != nil {
					t.Errorf("%s: for %q: %v", r.Alert, r.For, err)
				}
			}
			if s := r.Labels["severity"]; s != "warning" && s != "critical" {
				t.Errorf("%s: severity %q, want warning or critical", r.Alert, s)
			}
			if r.Annotations["summary"] == "" {
				t.Errorf("%s: no summary", r.Alert)
			}
			if !bytes.Contains(ops, []byte("`"+r.Alert+"`")) {
				t.Errorf("%s: not described in docs/operations.md", r.Alert)
			}
			for _, m := range regexp.MustCompile(`job="([^"]+)"`).FindAllStringSubmatch(r.Expr, -1) {
				if !bytes.Contains(ops, []byte("job_name: "+m[1]+"\n")) {
					t.Errorf("%s: job %q has no scrape job in docs/operations.md", r.Alert, m[1])
				}
			}
			ms := promqlMetrics(r.Expr)
			if len(ms) == 0 {
				t.Errorf("%s: no metric in %q", r.Alert, r.Expr)
			}
			for _, m := range ms {
				if src, ok := defs[m]; !ok {
					t.Errorf("%s: metric %s is defined nowhere in the code or CometBFT", r.Alert, m)
				} else {
					t.Logf("%s: %s from %s", r.Alert, m, src)
				}
			}
		}
	}
	if n < 20 {
		t.Errorf("alerts.yml: %d rules", n)
	}
}
