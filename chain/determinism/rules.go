package determinism

import (
	"go/ast"
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"golang.org/x/tools/go/ast/inspector"
)

// bannedImports maps an import path to its rule and reason. Packages under
// os/ and net/ are banned with their parent.
var bannedImports = map[string][2]string{
	"math/rand":    {"random", "randomness differs between nodes"},
	"math/rand/v2": {"random", "randomness differs between nodes"},
	"crypto/rand":  {"random", "randomness differs between nodes"},
	"hash/maphash": {"random", "its seed is random per process"},
	"os":           {"io", "state transitions do no I/O"},
	"net":          {"io", "state transitions do no I/O"},
	"io/ioutil":    {"io", "state transitions do no I/O"},
	"syscall":      {"io", "state transitions do no I/O"},
	"log":          {"io", "the global logger is I/O; use the injected *slog.Logger"},
	"log/syslog":   {"io", "state transitions do no I/O"},
}

func (c *checker) checkImport(imp *ast.ImportSpec) {
	path, err := strconv.Unquote(imp.Path.Value)
	if err != nil {
		return
	}
	r, ok := bannedImports[path]
	if !ok {
		for _, parent := range []string{"os", "net"} {
			if strings.HasPrefix(path, parent+"/") {
				r, ok = bannedImports[parent], true
			}
		}
	}
	if ok {
		c.report(imp.Pos(), r[0], "import of %s: %s", path, r[1])
	}
}

// bannedFuncs maps a function's types.Func.FullName to its rule and reason.
var bannedFuncs = map[string][2]string{
	"time.Now":          {"wallclock", "reads the wall clock; use the block time (ctx.Time)"},
	"time.Since":        {"wallclock", "reads the wall clock; use the block time (ctx.Time)"},
	"time.Until":        {"wallclock", "reads the wall clock; use the block time (ctx.Time)"},
	"time.Sleep":        {"wallclock", "waits on the wall clock"},
	"time.After":        {"wallclock", "is a wall-clock timer"},
	"time.AfterFunc":    {"wallclock", "is a wall-clock timer"},
	"time.Tick":         {"wallclock", "is a wall-clock timer"},
	"time.NewTicker":    {"wallclock", "is a wall-clock timer"},
	"time.NewTimer":     {"wallclock", "is a wall-clock timer"},
	"time.LoadLocation": {"wallclock", "reads the machine's time zone database; use UTC"},
	"(time.Time).Local": {"wallclock", "uses the machine's time zone; use UTC"},

	"maps.Keys":                  {"maprange", "iterates in random order; wrap it in slices.Sorted(...)"},
	"maps.Values":                {"maprange", "iterates in random order; wrap it in slices.Sorted(...)"},
	"maps.All":                   {"maprange", "iterates in random order"},
	"(reflect.Value).MapKeys":    {"maprange", "returns the keys in random order"},
	"(reflect.Value).MapRange":   {"maprange", "iterates in random order"},
	"(*reflect.MapIter).Next":    {"maprange", "iterates in random order"},
	"(*sync.Map).Range":          {"maprange", "iterates in random order"},
	"fmt.Print":                  {"io", "writes to standard output; emit an event or return an error"},
	"fmt.Printf":                 {"io", "writes to standard output; emit an event or return an error"},
	"fmt.Println":                {"io", "writes to standard output; emit an event or return an error"},
	"log/slog.Debug":             {"io", "logs through the global logger; use the injected *slog.Logger"},
	"log/slog.DebugContext":      {"io", "logs through the global logger; use the injected *slog.Logger"},
	"log/slog.Info":              {"io", "logs through the global logger; use the injected *slog.Logger"},
	"log/slog.InfoContext":       {"io", "logs through the global logger; use the injected *slog.Logger"},
	"log/slog.Warn":              {"io", "logs through the global logger; use the injected *slog.Logger"},
	"log/slog.WarnContext":       {"io", "logs through the global logger; use the injected *slog.Logger"},
	"log/slog.Error":             {"io", "logs through the global logger; use the injected *slog.Logger"},
	"log/slog.ErrorContext":      {"io", "logs through the global logger; use the injected *slog.Logger"},
	"log/slog.Log":               {"io", "logs through the global logger; use the injected *slog.Logger"},
	"log/slog.LogAttrs":          {"io", "logs through the global logger; use the injected *slog.Logger"},
	"log/slog.Default":           {"io", "is the global logger; use the injected *slog.Logger"},
	"log/slog.SetDefault":        {"io", "sets the global logger; use the injected *slog.Logger"},
	"log/slog.SetLogLoggerLevel": {"io", "sets the global logger's level; use the injected *slog.Logger"},
}

// sortedIterators take a map iterator and return a sorted slice.
var sortedIterators = map[string]bool{
	"slices.Sorted": true, "slices.SortedFunc": true, "slices.SortedStableFunc": true,
}

// checkUse reports a use (a call or a reference) of a banned function or
// variable.
func (c *checker) checkUse(cur inspector.Cursor, id *ast.Ident) {
	switch obj := c.pass.TypesInfo.Uses[id].(type) {
	case *types.Func:
		name := obj.FullName()
		r, ok := bannedFuncs[name]
		if !ok {
			return
		}
		if strings.HasPrefix(name, "maps.") && c.insideSorted(cur) {
			return
		}
		c.report(id.Pos(), r[0], "%s %s", name, r[1])
	case *types.Builtin:
		if obj.Name() == "print" || obj.Name() == "println" {
			c.report(id.Pos(), "io", "%s writes to standard error; emit an event or return an error", obj.Name())
		}
	case *types.Var:
		if obj.Pkg() != nil && obj.Pkg().Path() == "time" && obj.Name() == "Local" && obj.Parent() == obj.Pkg().Scope() {
			c.report(id.Pos(), "wallclock", "time.Local is the machine's time zone; use UTC")
		}
	}
}

// insideSorted reports whether the identifier at cur names the function of
// a call that is the first argument of slices.Sorted (or SortedFunc,
// SortedStableFunc), as in slices.Sorted(maps.Keys(m)).
func (c *checker) insideSorted(cur inspector.Cursor) bool {
	fun := cur
	if sel, ok := cur.Parent().Node().(*ast.SelectorExpr); ok && sel.Sel == cur.Node() {
		fun = cur.Parent()
	}
	call, ok := fun.Parent().Node().(*ast.CallExpr)
	if !ok || call.Fun != fun.Node() {
		return false
	}
	outer, ok := fun.Parent().Parent().Node().(*ast.CallExpr)
	if !ok || len(outer.Args) == 0 || outer.Args[0] != call {
		return false
	}
	fn := c.callee(outer)
	return fn != nil && sortedIterators[fn.FullName()]
}

// callee is the package function or method a call calls, or nil.
func (c *checker) callee(call *ast.CallExpr) *types.Func {
	var id *ast.Ident
	switch f := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		id = f
	case *ast.SelectorExpr:
		id = f.Sel
	case *ast.IndexExpr: // explicit instantiation: slices.SortFunc[[]T](...)
		return c.callee(&ast.CallExpr{Fun: f.X})
	case *ast.IndexListExpr:
		return c.callee(&ast.CallExpr{Fun: f.X})
	default:
		return nil
	}
	fn, _ := c.pass.TypesInfo.Uses[id].(*types.Func)
	return fn
}

// ---- range over a map ----

func (c *checker) checkRange(cur inspector.Cursor, rs *ast.RangeStmt) {
	t := c.pass.TypesInfo.TypeOf(rs.X)
	if t == nil || !anyCore(t, isMap) {
		return
	}
	if c.collectsThenSorts(cur, rs) {
		return
	}
	c.report(rs.Pos(), "maprange", "range over a map (%s): iteration order is random; "+
		"append the keys to a slice and sort it right after the loop, use slices.Sorted(maps.Keys(m)), "+
		"or mark a proven-safe loop with %s <reason>", types.TypeString(t, types.RelativeTo(c.pass.Pkg)), Marker)
}

// sorters sort a slice given as their first argument.
var sorters = map[string]bool{
	"slices.Sort": true, "slices.SortFunc": true, "slices.SortStableFunc": true,
	"sort.Strings": true, "sort.Ints": true, "sort.Float64s": true,
	"sort.Slice": true, "sort.SliceStable": true, "sort.Sort": true, "sort.Stable": true,
}

// collectsThenSorts reports whether rs is the one map loop the rule allows:
// its body is nothing but statements s = append(s, k) (k the loop's key or
// value), and each such slice s is sorted by a later statement of the same
// block, with no other use of s in between.
func (c *checker) collectsThenSorts(cur inspector.Cursor, rs *ast.RangeStmt) bool {
	loopVars := map[types.Object]bool{}
	for _, e := range []ast.Expr{rs.Key, rs.Value} {
		if id, ok := e.(*ast.Ident); ok && id.Name != "_" {
			if obj := c.objOf(id); obj != nil {
				loopVars[obj] = true
			}
		}
	}
	if len(rs.Body.List) == 0 {
		return false
	}
	pending := map[types.Object]bool{}
	for _, st := range rs.Body.List {
		s := c.appendTarget(st, loopVars)
		if s == nil {
			return false
		}
		pending[s] = true
	}

	var list []ast.Stmt
	switch p := cur.Parent().Node().(type) {
	case *ast.BlockStmt:
		list = p.List
	case *ast.CaseClause:
		list = p.Body
	case *ast.CommClause:
		list = p.Body
	default:
		return false
	}
	i := 0
	for i < len(list) && list[i] != ast.Stmt(rs) {
		i++
	}
	for _, st := range list[min(i+1, len(list)):] {
		if s := c.sorted(st); s != nil && pending[s] {
			delete(pending, s)
			if len(pending) == 0 {
				return true
			}
			continue
		}
		if c.mentions(st, pending) {
			return false
		}
	}
	return false
}

// appendTarget returns s when st is `s = append(s, k)` with k in loopVars.
func (c *checker) appendTarget(st ast.Stmt, loopVars map[types.Object]bool) types.Object {
	as, ok := st.(*ast.AssignStmt)
	if !ok || as.Tok != token.ASSIGN || len(as.Lhs) != 1 || len(as.Rhs) != 1 {
		return nil
	}
	lhs, ok := as.Lhs[0].(*ast.Ident)
	if !ok {
		return nil
	}
	call, ok := as.Rhs[0].(*ast.CallExpr)
	if !ok || call.Ellipsis.IsValid() || len(call.Args) != 2 {
		return nil
	}
	fn, ok := ast.Unparen(call.Fun).(*ast.Ident)
	if !ok {
		return nil
	}
	if b, ok := c.pass.TypesInfo.Uses[fn].(*types.Builtin); !ok || b.Name() != "append" {
		return nil
	}
	dst, ok := call.Args[0].(*ast.Ident)
	if !ok {
		return nil
	}
	elem, ok := call.Args[1].(*ast.Ident)
	if !ok {
		return nil
	}
	s := c.objOf(lhs)
	if s == nil || s != c.objOf(dst) || loopVars[s] || !loopVars[c.objOf(elem)] {
		return nil
	}
	return s
}

// sorted returns s when st is a call sorting s (or a conversion T(s)).
func (c *checker) sorted(st ast.Stmt) types.Object {
	es, ok := st.(*ast.ExprStmt)
	if !ok {
		return nil
	}
	call, ok := es.X.(*ast.CallExpr)
	if !ok || len(call.Args) == 0 {
		return nil
	}
	if fn := c.callee(call); fn == nil || !sorters[fn.FullName()] {
		return nil
	}
	arg := ast.Unparen(call.Args[0])
	if conv, ok := arg.(*ast.CallExpr); ok && len(conv.Args) == 1 && c.pass.TypesInfo.Types[conv.Fun].IsType() {
		arg = ast.Unparen(conv.Args[0])
	}
	if id, ok := arg.(*ast.Ident); ok {
		return c.objOf(id)
	}
	return nil
}

// mentions reports whether n refers to any of objs.
func (c *checker) mentions(n ast.Node, objs map[types.Object]bool) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && objs[c.objOf(id)] {
			found = true
		}
		return !found
	})
	return found
}

func (c *checker) objOf(id *ast.Ident) types.Object {
	if obj := c.pass.TypesInfo.Defs[id]; obj != nil {
		return obj
	}
	return c.pass.TypesInfo.Uses[id]
}
