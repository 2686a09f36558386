package determinism_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/citychain/citychain/chain/determinism"
)

// TestAnalyzer runs the analyzer over packages with planted violations of
// every rule (each marked with a `// want` comment), the loops and calls the
// rules allow, annotated exceptions, and bare, misspelt and unused markers.
func TestAnalyzer(t *testing.T) {
	for _, pkg := range []string{"maporder", "wallclock", "floats", "goroutines", "random", "output", "markers"} {
		t.Run(pkg, func(t *testing.T) {
			analysistest.Run(t, analysistest.TestData(), determinism.Analyzer, pkg)
		})
	}
}
