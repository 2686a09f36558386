package main

import (
	"testing"

	"github.com/citychain/citychain/chain/tx"
)

// TestCLIModules: the CLI lists every chain module once, in module-list
// order, and each module's commands build.
func TestCLIModules(t *testing.T) {
	mods, rows := tx.Modules(), cliModules()
	if len(mods) != len(rows) {
		t.Fatalf("the CLI lists %d modules, the chain has %d", len(rows), len(mods))
	}
	g := &globals{}
	for i, r := range rows {
		if r.name != mods[i].Module {
			t.Errorf("CLI row %d is %q, the module list has %q there", i, r.name, mods[i].Module)
		}
		if r.tx != nil && len(r.tx(g, &txFlags{})) == 0 || r.query != nil && len(r.query(g, &queryFlags{})) == 0 {
			t.Errorf("module %s: a command list is empty", r.name)
		}
	}
}
