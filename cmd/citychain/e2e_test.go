package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/cmd/citychain/local"
)

// startDevnet creates a devnet home in a temp dir and runs its node in this
// process on free loopback ports.
func startDevnet(t *testing.T) (home, rpc string) {
	t.Helper()
	home = t.TempDir()
	return home, local.Devnet(t, home, node.DevnetOptions{TimeoutCommit: 150 * time.Millisecond}).RPCAddress()
}

// cli runs the citychain command in-process, as a user would type it.
func cli(t *testing.T, home, rpc string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	root := newRootCmd(&out)
	root.SetArgs(append([]string{"--home", home, "--node", rpc}, args...))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	err := root.ExecuteContext(ctx)
	return out.String(), err
}

func mustCLI(t *testing.T, home, rpc string, args ...string) string {
	t.Helper()
	out, err := cli(t, home, rpc, args...)
	if err != nil {
		t.Fatalf("citychain %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func TestDevnetEndToEnd(t *testing.T) {
	home, rpc := startDevnet(t)

	// A new account, funded from the treasury, its balance proven.
	var key struct{ Address, Pubkey string }
	if err := json.Unmarshal([]byte(mustCLI(t, home, rpc, "keys", "add", "dave", "-o", "json")), &key); err != nil {
		t.Fatal(err)
	}
	out := mustCLI(t, home, rpc, "tx", "bank", "send", "treasury", "dave", "2500000uscn")
	if !strings.Contains(out, "committed at height") || !strings.Contains(out, "tx hash") {
		t.Fatalf("send output: got %q, want the height and tx hash", out)
	}
	var bal struct {
		Height int64
		Result struct{ Address, Amount string }
		Proof  struct {
			Verified     bool  `json:"verified"`
			HeaderHeight int64 `json:"header_height"`
		}
	}
	if err := json.Unmarshal([]byte(mustCLI(t, home, rpc, "query", "bank", "balance", "dave", "--prove", "--trust-genesis", node.GenesisFile(home), "-o", "json")), &bal); err != nil {
		t.Fatal(err)
	}
	if bal.Result.Amount != "2500000uscn" || bal.Result.Address != key.Address {
		t.Fatalf("balance: got %+v, want 2500000uscn of %s", bal.Result, key.Address)
	}
	if !bal.Proof.Verified || bal.Proof.HeaderHeight != bal.Height+1 {
		t.Fatalf("proof: got %+v at height %d, want verified against header height+1", bal.Proof, bal.Height)
	}
	// Text output says the proof was verified; an absent balance is proven absent.
	out = mustCLI(t, home, rpc, "query", "bank", "balance", "dave", "--denom", "ukrw", "--prove", "--trust-genesis", node.GenesisFile(home))
	if !strings.Contains(out, `"amount": "0ukrw"`) || !strings.Contains(out, "is absent") || !strings.Contains(out, "proof verified") {
		t.Fatalf("absent balance: got %q", out)
	}

	// The new account can spend; an overdraft is rejected with its code.
	mustCLI(t, home, rpc, "tx", "bank", "send", "dave", "alice", "500000uscn")
	if _, err := cli(t, home, rpc, "tx", "bank", "send", "dave", "alice", "9000000uscn"); err == nil ||
		!strings.Contains(err.Error(), "bank code 2") || !strings.Contains(err.Error(), "insufficient funds") {
		t.Fatalf("overdraft: got %v, want bank code 2 insufficient funds", err)
	}
	out = mustCLI(t, home, rpc, "query", "account", "dave", "-o", "json")
	if !strings.Contains(out, `"sequence": 1`) {
		t.Fatalf("account after one included and one rejected tx: got %s, want sequence 1", out)
	}

	// Minting is for the issuer only.
	if _, err := cli(t, home, rpc, "tx", "bank", "mint", "dave", "5uscn", "--from", "alice"); err == nil || !strings.Contains(err.Error(), "bank code 4") {
		t.Fatalf("mint by alice: got %v, want bank code 4", err)
	}
	mustCLI(t, home, rpc, "tx", "bank", "mint", "dave", "5uscn", "--from", "treasury")

	// Roles: only an authority grants.
	if _, err := cli(t, home, rpc, "tx", "role", "grant", "dave", "installer", "--from", "alice"); err == nil || !strings.Contains(err.Error(), "auth code 5") {
		t.Fatalf("grant by alice: got %v, want auth code 5", err)
	}
	mustCLI(t, home, rpc, "tx", "role", "grant", "dave", "installer", "--from", "authority")
	if out := mustCLI(t, home, rpc, "query", "role", "dave", "--prove", "--trust-genesis", node.GenesisFile(home)); !strings.Contains(out, `"installer"`) || !strings.Contains(out, "proof verified") {
		t.Fatalf("role query: got %q", out)
	}

	// Devices: register, rotate (never by the owner alone), transfer,
	// reassign the installer, revoke.
	devKey := func(seed byte) string { // a real ed25519 key: the chain refuses non-points and small-order keys
		return hex.EncodeToString(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize)).Public().(ed25519.PublicKey))
	}
	pub1, pub2 := devKey(0xab), devKey(0xcd)
	mustCLI(t, home, rpc, "tx", "device", "register", "inv-001", "--kind", "solar_inverter", "--owner", "alice",
		"--pubkey", pub1, "--serial", "SN1", "--rated-power-w", "5000", "--from", "installer")
	if _, err := cli(t, home, rpc, "tx", "device", "register", "inv-001", "--owner", "alice", "--pubkey", pub1, "--from", "installer"); err == nil ||
		!strings.Contains(err.Error(), "devices code 2") {
		t.Fatalf("duplicate device: got %v, want devices code 2", err)
	}
	if _, err := cli(t, home, rpc, "tx", "device", "rotate", "inv-001", "--pubkey", pub2, "--from", "alice"); err == nil || !strings.Contains(err.Error(), "devices code 11") {
		t.Fatalf("rotate by the owner alone: got %v, want devices code 11", err)
	}
	mustCLI(t, home, rpc, "tx", "device", "rotate", "inv-001", "--pubkey", pub2, "--from", "installer")
	mustCLI(t, home, rpc, "tx", "device", "transfer", "inv-001", "bob", "--from", "alice")
	var dev struct {
		Result struct {
			Owner    string `json:"owner"`
			KeyEpoch int    `json:"key_epoch"`
			PubKey   string `json:"pubkey"`
			Status   string `json:"status"`
		}
		Proof struct{ Verified bool }
	}
	if err := json.Unmarshal([]byte(mustCLI(t, home, rpc, "query", "device", "inv-001", "--prove", "--trust-genesis", node.GenesisFile(home), "-o", "json")), &dev); err != nil {
		t.Fatal(err)
	}
	bob := strings.TrimSpace(strings.Split(strings.Split(mustCLI(t, home, rpc, "keys", "show", "bob"), "address:")[1], "\n")[0])
	if dev.Result.KeyEpoch != 2 || dev.Result.PubKey != pub2 || dev.Result.Owner != bob || dev.Result.Status != "active" || !dev.Proof.Verified {
		t.Fatalf("device: got %+v, want epoch 2, key %s, owner %s, active, verified", dev, pub2, bob)
	}
	if out := mustCLI(t, home, rpc, "query", "devices", "bob"); !strings.Contains(out, "inv-001") {
		t.Fatalf("devices of bob: got %s", out)
	}
	if out := mustCLI(t, home, rpc, "query", "devices", "alice"); strings.Contains(out, "inv-001") {
		t.Fatalf("devices of alice after transfer: got %s", out)
	}
	if _, err := cli(t, home, rpc, "tx", "device", "reassign-installer", "inv-001", "dave", "--from", "installer"); err == nil || !strings.Contains(err.Error(), "devices code 13") {
		t.Fatalf("reassign by an installer: got %v, want devices code 13", err)
	}
	mustCLI(t, home, rpc, "tx", "device", "reassign-installer", "inv-001", "dave", "--from", "authority")
	if _, err := cli(t, home, rpc, "tx", "device", "revoke", "inv-001", "--from", "installer"); err == nil || !strings.Contains(err.Error(), "devices code 12") {
		t.Fatalf("revoke by the former installer: got %v, want devices code 12", err)
	}
	mustCLI(t, home, rpc, "tx", "device", "revoke", "inv-001", "--reason", "stolen", "--from", "dave")
	if _, err := cli(t, home, rpc, "tx", "device", "rotate", "inv-001", "--pubkey", pub1, "--from", "bob"); err == nil || !strings.Contains(err.Error(), "devices code 6") {
		t.Fatalf("rotate revoked: got %v, want devices code 6", err)
	}

	// Bad input on the command line names what was wrong.
	if _, err := cli(t, home, rpc, "tx", "bank", "send", "treasury", "dave", "12.5uscn"); err == nil || !strings.Contains(err.Error(), "AMOUNT") {
		t.Fatalf("bad amount: got %v", err)
	}

	// Supply: the genesis file's balances (demo and civic accounts, the
	// seeded shop history's workers) plus the 5uscn minted.
	raw, err := os.ReadFile(node.GenesisFile(home))
	if err != nil {
		t.Fatal(err)
	}
	var gen struct {
		AppState struct {
			Bank struct {
				Balances []struct {
					Coins []tx.Coin `json:"coins"`
				} `json:"balances"`
			} `json:"bank"`
		} `json:"app_state"`
	}
	if err := json.Unmarshal(raw, &gen); err != nil {
		t.Fatalf("genesis: %v", err)
	}
	var want uint64 = 5
	for _, b := range gen.AppState.Bank.Balances {
		for _, c := range b.Coins {
			if c.Denom == tx.DenomSCoin {
				want += c.Amount
			}
		}
	}
	if want < 1_000_000_000_000_000 {
		t.Fatalf("genesis uscn %d: the demo accounts alone hold more", want)
	}
	out = mustCLI(t, home, rpc, "query", "bank", "supply", "uscn", "--prove", "--trust-genesis", node.GenesisFile(home), "-o", "json")
	if !strings.Contains(out, fmt.Sprintf(`"supply": "%duscn"`, want)) || !strings.Contains(out, `"verified": true`) {
		t.Fatalf("supply: got %s", out)
	}
}

// TestStandardRPC checks the plain CometBFT RPC endpoints a non-Go client
// uses: /status, /broadcast_tx_sync, /tx and /abci_query.
func TestStandardRPC(t *testing.T) {
	home, rpc := startDevnet(t)
	get := func(path string) map[string]any {
		t.Helper()
		resp, err := http.Get(rpc + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var v map[string]any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("GET %s: %v: %s", path, err, b)
		}
		if v["error"] != nil {
			t.Fatalf("GET %s: %v", path, v["error"])
		}
		return v["result"].(map[string]any)
	}
	st := get("/status")
	if net := st["node_info"].(map[string]any)["network"]; net != node.DevnetChainID {
		t.Fatalf("status network: got %v, want %s", net, node.DevnetChainID)
	}
	// Build a signed transfer with the CLI's keys and submit it by hand.
	raw := signedTransfer(t, home, rpc)
	br := get("/broadcast_tx_sync?tx=0x" + raw.hex)
	if code := br["code"].(float64); code != 0 {
		t.Fatalf("broadcast_tx_sync code: got %v, want 0 (%v)", code, br["log"])
	}
	if br["hash"] != raw.hash {
		t.Fatalf("hash: got %v, want %s", br["hash"], raw.hash)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(rpc + "/tx?hash=0x" + raw.hash)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var v struct {
			Result *struct {
				Height   string
				TxResult struct{ Code int } `json:"tx_result"`
			}
		}
		_ = json.Unmarshal(b, &v)
		if v.Result != nil {
			if v.Result.TxResult.Code != 0 {
				t.Fatalf("tx result code %d", v.Result.TxResult.Code)
			}
			if h, _ := strconv.Atoi(v.Result.Height); h < 1 {
				t.Fatalf("tx height %q", v.Result.Height)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("tx %s not found: %s", raw.hash, b)
		}
		time.Sleep(100 * time.Millisecond)
	}
	q := get(`/abci_query?path="/bank/supplies"`)
	resp := q["response"].(map[string]any)
	if resp["value"] == nil || resp["code"] != nil && resp["code"].(float64) != 0 {
		t.Fatalf("abci_query: got %v", resp)
	}
}
