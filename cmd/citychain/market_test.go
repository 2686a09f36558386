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
	var page orderPage
	if err := json.Unmarshal([]byte(mustCLI(t, home, rpc, "query", "market", "orders", "alice")), &page); err != nil {
		t.Fatal(err)
	}
	orders := page.Orders
	if len(orders) != 1 || orders[0].Side != "bid" || orders[0].Escrow != 5_000 || orders[0].Status != "open" || page.Next != "" {
		t.Fatalf("alice's orders: got %+v, want one open bid escrowing 5000 uscn", page)
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
	if out := mustCLI(t, home, rpc, "query", "market", "params", "--prove", "--trust-genesis", node.GenesisFile(home)); !strings.Contains(out, "proof verified") || !strings.Contains(out, `"grid_fee_bps": 200`) {
		t.Fatalf("params: %s", out)
	}
	if _, err := cli(t, home, rpc, "tx", "market", "bid", "soon", "1", "1", "--from", "alice"); err == nil || !strings.Contains(err.Error(), `"next"`) {
		t.Fatalf("bad INTERVAL: got %v", err)
	}
	if out := mustCLI(t, home, rpc, "query", "market", "settlements", iv); !strings.Contains(out, `"trades": []`) {
		t.Fatalf("settlements: %s", out)
	}

	// Paging: two more bids, for an interval well ahead, then alice's
	// orders one a page, by hand (--after the previous next) and --all.
	later := strconv.FormatUint(orders[0].Interval+4, 10)
	for range 2 {
		mustCLI(t, home, rpc, "tx", "market", "bid", later, "1000", "5000", "--from", "alice")
	}
	var ids []uint64
	after := ""
	for range 4 {
		args := []string{"query", "market", "orders", "alice", "--limit", "1"}
		if after != "" {
			args = append(args, "--after", after)
		}
		var p orderPage
		if err := json.Unmarshal([]byte(mustCLI(t, home, rpc, args...)), &p); err != nil {
			t.Fatal(err)
		}
		if len(p.Orders) != 1 {
			t.Fatalf("orders after %q: got %+v, want one order a page", after, p)
		}
		ids = append(ids, p.Orders[0].ID)
		if after = p.Next; after == "" {
			break
		}
		if after != strconv.FormatUint(p.Orders[0].ID, 10) {
			t.Fatalf("orders: next %q, want the id of the page's order %d", after, p.Orders[0].ID)
		}
	}
	var all orderPage
	if err := json.Unmarshal([]byte(mustCLI(t, home, rpc, "query", "market", "orders", "alice", "--limit", "1", "--all")), &all); err != nil {
		t.Fatal(err)
	}
	if len(ids) != 3 || ids[0] >= ids[1] || ids[1] >= ids[2] || len(all.Orders) != 3 || all.Next != "" ||
		all.Orders[0].ID != ids[0] || all.Orders[1].ID != ids[1] || all.Orders[2].ID != ids[2] {
		t.Fatalf("paged by hand %v, with --all %+v; want the three orders in id order both ways", ids, all)
	}
	var book struct {
		Bids []struct {
			ID uint64 `json:"id"`
		} `json:"bids"`
		Next string `json:"next"`
	}
	if err := json.Unmarshal([]byte(mustCLI(t, home, rpc, "query", "market", "book", later, "--limit", "1", "--all")), &book); err != nil {
		t.Fatal(err)
	}
	if len(book.Bids) != 2 || book.Bids[0].ID != ids[1] || book.Bids[1].ID != ids[2] || book.Next != "" {
		t.Fatalf("book of %s with --all: got %+v, want the two bids", later, book)
	}
	if out, err := cli(t, home, rpc, "query", "market", "orders", "alice", "--limit", "1001"); err == nil || !strings.Contains(err.Error(), "want at most 1000") {
		t.Fatalf("--limit 1001: got %v %s, want it refused", err, out)
	}
	if out, err := cli(t, home, rpc, "query", "market", "book", later, "--after", "zz"); err == nil || !strings.Contains(err.Error(), "34 hex characters") {
		t.Fatalf("--after zz: got %v %s, want the node's refusal", err, out)
	}
	if out, err := cli(t, home, rpc, "query", "market", "orders", "alice", "--after", "1", "--all"); err == nil || !strings.Contains(err.Error(), "after") {
		t.Fatalf("--after with --all: got %v %s, want them refused together", err, out)
	}
}

// orderPage is a page of /market/orders as the CLI prints it.
type orderPage struct {
	Orders []struct {
		ID       uint64 `json:"id"`
		Side     string `json:"side"`
		Interval uint64 `json:"interval"`
		Escrow   uint64 `json:"escrow"`
		Status   string `json:"status"`
	} `json:"orders"`
	Next string `json:"next"`
}
