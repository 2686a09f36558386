package main

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/cmd/citychain/local"
)

// startMarketDevnet is startDevnet with a home directory whose removal
// retries: a file under config/ is occasionally still being written just
// after the node stops, which makes t.TempDir's cleanup fail the test.
func startMarketDevnet(t *testing.T) (home, rpc string) {
	t.Helper()
	home, err := os.MkdirTemp("", "citychain-market-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for range 20 {
			if err = os.RemoveAll(home); err == nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Errorf("remove %s: %v", home, err)
	})
	return home, local.Devnet(t, home, node.DevnetOptions{TimeoutCommit: 150 * time.Millisecond}).RPCAddress()
}

// TestMarketCLI bids for the next interval through the command line, finds
// the order in the account's orders and the interval's book, cancels it and
// reads the parameters with a verified proof.
func TestMarketCLI(t *testing.T) {
	home, rpc := startMarketDevnet(t)

	// "next" is computed from the latest block; if the block that includes
	// the bid is already in that interval, the gate has closed: try again.
	var err error
	for range 3 {
		if _, err = cli(t, home, rpc, "tx", "market", "bid", "next", "1000", "5000", "--from", "alice"); err == nil || !strings.Contains(err.Error(), "gate closed") {
			break
		}
	}
	if err != nil {
		t.Fatalf("bid: %v", err)
	}
	var orders []struct {
		ID       uint64 `json:"id"`
		Side     string `json:"side"`
		Interval uint64 `json:"interval"`
		Escrow   uint64 `json:"escrow"`
		Status   string `json:"status"`
	}
	if err := json.Unmarshal([]byte(mustCLI(t, home, rpc, "query", "market", "orders", "alice")), &orders); err != nil {
		t.Fatal(err)
	}
	if len(orders) != 1 || orders[0].Side != "bid" || orders[0].Escrow != 5_000 || orders[0].Status != "open" {
		t.Fatalf("alice's orders: got %+v, want one open bid escrowing 5000 uscn", orders)
	}
	id, iv := strconv.FormatUint(orders[0].ID, 10), strconv.FormatUint(orders[0].Interval, 10)
	if out := mustCLI(t, home, rpc, "query", "market", "book", iv); !strings.Contains(out, `"id": `+id) {
		t.Fatalf("book of interval %s: got %s, want order %s", iv, out, id)
	}
	if out, err := cli(t, home, rpc, "tx", "market", "cancel", id, "--from", "bob"); err == nil || !strings.Contains(err.Error(), "does not own the order") {
		t.Fatalf("bob cancels alice's order: got %v %s, want a rejection", err, out)
	}
	// The order may have cleared meanwhile (30-second intervals): then the
	// cancel is rejected as not open.
	if out, err := cli(t, home, rpc, "tx", "market", "cancel", id, "--from", "alice"); err != nil && !strings.Contains(err.Error(), "not open") {
		t.Fatalf("cancel: %v %s", err, out)
	}
	if out := mustCLI(t, home, rpc, "query", "market", "order", id); !strings.Contains(out, `"status": "cancelled"`) && !strings.Contains(out, `"status": "unmatched"`) {
		t.Fatalf("order after cancel: %s", out)
	}
	if out := mustCLI(t, home, rpc, "query", "market", "params", "--prove"); !strings.Contains(out, "proof verified") || !strings.Contains(out, `"grid_fee_bps": 200`) {
		t.Fatalf("params: %s", out)
	}
	if _, err := cli(t, home, rpc, "tx", "market", "bid", "soon", "1", "1", "--from", "alice"); err == nil || !strings.Contains(err.Error(), `"next"`) {
		t.Fatalf("bad INTERVAL: got %v", err)
	}
	if out := mustCLI(t, home, rpc, "query", "market", "settlements", iv); !strings.Contains(out, `"trades": []`) {
		t.Fatalf("settlements: %s", out)
	}
}
