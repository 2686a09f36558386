// Package determinism is a go/analysis pass that rejects what can make a
// state transition differ between two nodes replaying the same blocks: map
// iteration order, the wall clock, floating point, goroutines and channels,
// randomness and I/O. `make lint` runs it (cmd/detlint) over chain/app and
// chain/internal/...; docs/chain.md ("Determinism lint") lists the rules,
// how to mark a proven-safe exception with //determinism:ok <reason>, and
// the current exceptions.
package determinism

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
)

// Marker is the comment that marks a proven-safe exception. It goes on the
// offending line or alone on the line just above it, followed by the reason.
const Marker = "//determinism:ok"

// Analyzer reports non-deterministic constructs in the packages it is run on.
var Analyzer = &analysis.Analyzer{
	Name: "determinism",
	Doc: `report non-deterministic constructs in state-transition code

Reported: range over a map (unless the loop only appends the key or value to
a slice that the next uses of it sort), maps.Keys/Values/All outside
slices.Sorted, reflect map iteration and sync.Map.Range; the wall clock
(time.Now, Since, Until, timers, the local time zone); floating point (any
float or complex value, type or constant); go statements, channels and
select; math/rand, math/rand/v2, crypto/rand and hash/maphash; I/O (os, net,
io/ioutil, syscall, log, fmt.Print*, print/println) and the global slog
logger. Test files are not checked.

A proven-safe exception is marked with a comment
	//determinism:ok <reason>
on the offending line or alone on the line just above it. The reason is
mandatory; a bare marker, and a marker that suppresses nothing, are errors.`,
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

// finding is one report before the markers are applied.
type finding struct {
	pos  token.Pos
	rule string
	msg  string
}

// checker collects the findings of one package.
type checker struct {
	pass     *analysis.Pass
	findings []finding
	seen     map[lineRule]bool // one finding per line and rule
}

type lineRule struct {
	file string
	line int
	rule string
}

func (c *checker) report(pos token.Pos, rule, format string, args ...any) {
	p := c.pass.Fset.Position(pos)
	k := lineRule{p.Filename, p.Line, rule}
	if c.seen[k] {
		return
	}
	c.seen[k] = true
	c.findings = append(c.findings, finding{pos: pos, rule: rule, msg: fmt.Sprintf(format, args...)})
}

func isTestFile(fset *token.FileSet, f *ast.File) bool {
	return strings.HasSuffix(fset.File(f.Pos()).Name(), "_test.go")
}

func run(pass *analysis.Pass) (any, error) {
	if strings.HasSuffix(pass.Pkg.Path(), ".test") {
		return nil, nil // the generated main package of a test binary
	}
	c := &checker{pass: pass, seen: map[lineRule]bool{}}
	var files []*ast.File
	for _, f := range pass.Files {
		if !isTestFile(pass.Fset, f) {
			files = append(files, f)
		}
	}
	if len(files) == 0 {
		return nil, nil
	}
	for _, f := range files {
		for _, imp := range f.Imports {
			c.checkImport(imp)
		}
	}

	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	for fc := range insp.Root().Children() {
		if f, ok := fc.Node().(*ast.File); !ok || isTestFile(pass.Fset, f) {
			continue
		}
		for cur := range fc.Preorder() {
			switch n := cur.Node().(type) {
			case *ast.ImportSpec:
				continue // checked above; its path is not an expression to check
			case *ast.RangeStmt:
				c.checkRange(cur, n)
			case *ast.GoStmt:
				c.report(n.Pos(), "goroutine", "go statement: goroutines are not allowed in state transitions")
			case *ast.SelectStmt:
				c.report(n.Pos(), "channel", "select statement: channels are not allowed in state transitions")
			case *ast.Ident:
				c.checkUse(cur, n)
			}
			if e, ok := cur.Node().(ast.Expr); ok {
				c.checkExprType(e)
			}
		}
	}

	for _, f := range files {
		c.applyMarkers(f)
	}
	return nil, nil
}

// checkExprType reports float, complex and channel values and types.
func (c *checker) checkExprType(e ast.Expr) {
	tv, ok := c.pass.TypesInfo.Types[e]
	if !ok || tv.Type == nil {
		return
	}
	if anyCore(tv.Type, isFloat) && !isIntegralUntyped(tv) {
		c.report(e.Pos(), "float", "floating point (%s): use integers (fixed-point units); float results can differ between platforms", types.TypeString(tv.Type, types.RelativeTo(c.pass.Pkg)))
	}
	if anyCore(tv.Type, isChan) {
		c.report(e.Pos(), "channel", "channel (%s): channels are not allowed in state transitions", types.TypeString(tv.Type, types.RelativeTo(c.pass.Pkg)))
	}
}

func isFloat(t types.Type) bool {
	b, ok := t.(*types.Basic)
	return ok && b.Info()&(types.IsFloat|types.IsComplex) != 0
}

// isIntegralUntyped reports an untyped constant with an integer value, such
// as 1e6: it is exact, and where it is used as a float that use is reported.
func isIntegralUntyped(tv types.TypeAndValue) bool {
	b, ok := tv.Type.(*types.Basic)
	if !ok || b.Info()&types.IsUntyped == 0 || tv.Value == nil {
		return false
	}
	return constant.ToInt(tv.Value).Kind() == constant.Int
}

func isChan(t types.Type) bool { _, ok := t.(*types.Chan); return ok }

func isMap(t types.Type) bool { _, ok := t.(*types.Map); return ok }

// anyCore reports whether pred holds for t's underlying type or, for a type
// parameter, for any type its constraint allows.
func anyCore(t types.Type, pred func(types.Type) bool) bool {
	t = types.Unalias(t)
	if tp, ok := t.(*types.TypeParam); ok {
		iface, ok := tp.Constraint().Underlying().(*types.Interface)
		if !ok {
			return false
		}
		for i := 0; i < iface.NumEmbeddeds(); i++ {
			switch e := iface.EmbeddedType(i).(type) {
			case *types.Union:
				for j := 0; j < e.Len(); j++ {
					if anyCore(e.Term(j).Type(), pred) {
						return true
					}
				}
			default:
				if anyCore(e, pred) {
					return true
				}
			}
		}
		return false
	}
	return pred(t.Underlying())
}

// ---- markers ----

type marker struct {
	pos    token.Pos
	line   int
	alone  bool // nothing but the comment on its line: it also covers the next line
	reason string
	used   bool
}

// applyMarkers reports the findings in f that no marker with a reason
// covers, then every bare, misspelt or unused marker.
func (c *checker) applyMarkers(f *ast.File) {
	fset := c.pass.Fset
	tf := fset.File(f.Pos())
	src, _ := c.pass.ReadFile(tf.Name())
	var markers []*marker
	byLine := map[int][]*marker{}
	for _, g := range f.Comments {
		for _, cm := range g.List {
			text := cm.Text
			if rest, ok := strings.CutPrefix(text, Marker); ok {
				if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
					continue // some other directive, e.g. //determinism:okay
				}
				line := tf.Line(cm.Pos())
				m := &marker{pos: cm.Pos(), line: line, alone: aloneOnLine(src, tf, cm.Pos()), reason: strings.TrimSpace(rest)}
				markers = append(markers, m)
				if m.reason == "" {
					continue
				}
				byLine[line] = append(byLine[line], m)
				if m.alone {
					byLine[line+1] = append(byLine[line+1], m)
				}
				continue
			}
			if strings.HasPrefix(strings.TrimSpace(strings.TrimPrefix(text, "//")), "determinism:ok") {
				c.pass.Report(analysis.Diagnostic{Pos: cm.Pos(), Category: "marker",
					Message: "misspelt marker: write " + Marker + " <reason>, with no space after //"})
			}
		}
	}

	for _, fd := range c.findings {
		if fset.File(fd.pos) != tf {
			continue
		}
		if ms := byLine[tf.Line(fd.pos)]; len(ms) > 0 {
			for _, m := range ms {
				m.used = true
			}
			continue
		}
		c.pass.Report(analysis.Diagnostic{Pos: fd.pos, Category: fd.rule, Message: fd.msg})
	}
	for _, m := range markers {
		switch {
		case m.reason == "":
			c.pass.Report(analysis.Diagnostic{Pos: m.pos, Category: "marker",
				Message: Marker + " needs a reason: " + Marker + " <why this is deterministic>"})
		case !m.used:
			c.pass.Report(analysis.Diagnostic{Pos: m.pos, Category: "marker",
				Message: Marker + " suppresses nothing on its line or the next; remove it"})
		}
	}
}

// aloneOnLine reports whether only blanks precede pos on its line.
func aloneOnLine(src []byte, tf *token.File, pos token.Pos) bool {
	start := tf.Offset(tf.LineStart(tf.Line(pos)))
	end := tf.Offset(pos)
	if src == nil || end > len(src) || start > end {
		return false
	}
	return len(bytes.TrimSpace(src[start:end])) == 0
}
