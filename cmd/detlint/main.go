// Command detlint runs the determinism analyzer (chain/determinism) over Go
// packages: `detlint ./chain/app ./chain/internal/...`. It exits non-zero
// when anything is reported; docs/chain.md ("Determinism lint") lists the
// rules and how to mark a proven-safe exception.
package main

import (
	"golang.org/x/tools/go/analysis/singlechecker"

	"github.com/citychain/citychain/chain/determinism"
)

func main() { singlechecker.Main(determinism.Analyzer) }
