package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/cmd/citychain/local"
)

// TestAuthorityProposalsCLI: on a devnet whose genesis names a second
// authority and a threshold of 2, `tx role grant` by one authority prints
// a pending proposal with its id, which `query auth proposals` lists and
// `tx auth approve ID` by the other runs.
func TestAuthorityProposalsCLI(t *testing.T) {
	home := t.TempDir()
	rpc := local.CouncilDevnet(t, home, node.DevnetOptions{TimeoutCommit: 150 * time.Millisecond}, []string{"authority2"}, 2).RPCAddress()

	mustCLI(t, home, rpc, "keys", "add", "dave")
	out := mustCLI(t, home, rpc, "tx", "role", "grant", "dave", "installer", "--from", "authority")
	m := regexp.MustCompile(`pending: proposal ([0-9a-f]{64}) has 1 of 2 approvals`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("grant output: %q, want a pending proposal", out)
	}
	id := m[1]
	if out := mustCLI(t, home, rpc, "query", "role", "dave"); strings.Contains(out, "installer") {
		t.Fatalf("dave holds the role after one approval: %q", out)
	}
	var page struct {
		Threshold   int
		Authorities int
		Proposals   []struct {
			ID        string
			State     string
			Approvals []string
		}
	}
	if err := json.Unmarshal([]byte(mustCLI(t, home, rpc, "query", "auth", "proposals")), &page); err != nil {
		t.Fatal(err)
	}
	if page.Threshold != 2 || page.Authorities != 2 || len(page.Proposals) != 1 || page.Proposals[0].ID != id || page.Proposals[0].State != "pending" {
		t.Fatalf("query auth proposals: %+v", page)
	}
	if _, err := cli(t, home, rpc, "tx", "auth", "approve", id, "--from", "authority"); err == nil || !strings.Contains(err.Error(), "auth code 12") {
		t.Fatalf("second approval by the same authority: got %v, want auth code 12", err)
	}
	if _, err := cli(t, home, rpc, "tx", "auth", "approve", id[:10], "--from", "authority2"); err == nil || !strings.Contains(err.Error(), "ID") {
		t.Fatalf("a short id: got %v, want an error naming ID", err)
	}
	out = mustCLI(t, home, rpc, "tx", "auth", "approve", id, "--from", "authority2", "-o", "json")
	var res struct{ Status, Proposal string }
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Status != "executed" || res.Proposal != id {
		t.Fatalf("approve output: %q (%v)", out, err)
	}
	if out := mustCLI(t, home, rpc, "query", "role", "dave", "--prove", "--trust-genesis", node.GenesisFile(home)); !strings.Contains(out, `"installer"`) {
		t.Fatalf("dave's roles after the second approval: %q", out)
	}
	if out := mustCLI(t, home, rpc, "query", "auth", "proposal", id); !strings.Contains(out, `"state": "executed"`) {
		t.Fatalf("query auth proposal: %q", out)
	}
}
