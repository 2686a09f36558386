package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/citychain/citychain/chain/node"
)

// TestMileageCLI runs the mileage commands against a devnet node: the
// devnet's mileage budget is funded at genesis and its agency key is both
// an agency and a mileage issuer.
func TestMileageCLI(t *testing.T) {
	home, rpc := startDevnet(t)
	fails := func(want string, args ...string) {
		t.Helper()
		if _, err := cli(t, home, rpc, args...); err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("citychain %s: got %v, want an error with %q", strings.Join(args, " "), err, want)
		}
	}
	mustCLI(t, home, rpc, "tx", "mileage", "register-merchant", "gridop", "T-money top-up", "transit", "--from", "agency")
	mustCLI(t, home, rpc, "tx", "mileage", "award", "alice", "2000000uscn", "voting", "m-Voting 2025", "--from", "agency")
	fails("mileage code 2", "tx", "mileage", "award", "bob", "1uscn", "voting", "--from", "alice")
	fails("reason_code", "tx", "mileage", "award", "bob", "1uscn", "Voting!", "--from", "agency")
	fails("mileage code 6", "tx", "mileage", "spend", "bob", "1uscn", "--from", "alice")
	fails("mileage code 7", "tx", "mileage", "spend", "gridop", "2000001uscn", "--from", "alice")
	mustCLI(t, home, rpc, "tx", "mileage", "spend", "gridop", "500000uscn", "bus card", "--from", "alice")
	mustCLI(t, home, rpc, "tx", "mileage", "fund", "3uscn", "--from", "bob")
	fails("metering code 8", "tx", "metering", "clear-fraud", "ev-none", "--reason", "inspected", "--from", "registrar")
	fails("reason", "tx", "metering", "clear-fraud", "ev-none", "--from", "registrar")

	var acct struct {
		Result struct {
			Balance, Awarded, Spent uint64
		}
		Proof struct{ Verified bool }
	}
	if err := json.Unmarshal([]byte(mustCLI(t, home, rpc, "query", "mileage", "account", "alice", "--prove", "--trust-genesis", node.GenesisFile(home), "-o", "json")), &acct); err != nil {
		t.Fatal(err)
	}
	if acct.Result.Balance != 1_500_000 || acct.Result.Awarded != 2_000_000 || acct.Result.Spent != 500_000 || !acct.Proof.Verified {
		t.Fatalf("account: %+v", acct)
	}
	var hist struct {
		Total   uint64
		Entries []struct{ Kind, Memo string }
	}
	if err := json.Unmarshal([]byte(mustCLI(t, home, rpc, "query", "mileage", "history", "alice", "-o", "json")), &hist); err != nil {
		t.Fatal(err)
	}
	if hist.Total != 2 || hist.Entries[0].Kind != "award" || hist.Entries[1].Kind != "spend" || hist.Entries[1].Memo != "bus card" {
		t.Fatalf("history: %+v", hist)
	}
	out := mustCLI(t, home, rpc, "query", "mileage", "merchants", "-o", "json")
	if !strings.Contains(out, "T-money top-up") {
		t.Fatalf("merchants: %s", out)
	}
	var b struct {
		Budget string `json:"budget"`
		Held   string `json:"held"`
		Totals struct{ Funded, Awarded uint64 }
	}
	if err := json.Unmarshal([]byte(mustCLI(t, home, rpc, "query", "mileage", "budget", "-o", "json")), &b); err != nil {
		t.Fatal(err)
	}
	if b.Budget != "999998000003uscn" || b.Held != "1500000uscn" || b.Totals.Funded != 3 || b.Totals.Awarded != 2_000_000 {
		t.Fatalf("budget: %+v", b)
	}
	if out := mustCLI(t, home, rpc, "query", "mileage", "params", "-o", "json"); !strings.Contains(out, "bonus_tiers") {
		t.Fatalf("params: %s", out)
	}
	fails("not found", "query", "mileage", "vehicle", "ev-none")
}
