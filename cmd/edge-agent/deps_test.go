package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportsNoChainCode keeps the gateway binary small: the edge agent may
// import the reading contract but nothing of the chain, settlement, API or
// simulators.
func TestImportsNoChainCode(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"/chain/", "/settlement", "/api", "/simulators", "/deploy", "/cmd/citychain", "github.com/cometbft/", "github.com/cosmos/"} {
			if strings.HasPrefix(dep, "github.com/citychain/citychain") && strings.Contains(dep, banned) ||
				!strings.HasPrefix(dep, "github.com/citychain/") && strings.HasPrefix(dep, banned) {
				t.Errorf("edge-agent depends on %s", dep)
			}
		}
	}
}
