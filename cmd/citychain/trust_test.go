package main

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/cometbft/cometbft/types"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/node"
)

// TestProveTrustRoot: --prove verifies from the trust root the user gives
// (a genesis file, or a trusted height and hash, by flag or environment),
// says what was trusted, and fails with a clear error without one or when
// the node's chain does not follow from it.
func TestProveTrustRoot(t *testing.T) {
	home, rpc := startDevnet(t)
	genesis := node.GenesisFile(home)
	g, err := types.GenesisDocFromFile(genesis)
	if err != nil {
		t.Fatal(err)
	}
	supply := []string{"query", "bank", "supply", "uscn", "--prove"}
	args := func(extra ...string) []string { return append(append([]string{}, supply...), extra...) }

	if _, err := cli(t, home, rpc, supply...); !errors.Is(err, client.ErrNoTrustRoot) || !strings.Contains(err.Error(), "--trust-genesis FILE") ||
		!strings.Contains(err.Error(), "--trust-height H --trust-hash HASH") {
		t.Fatalf("--prove without a trust root: got %v, want ErrNoTrustRoot saying how to give one", err)
	}

	out := mustCLI(t, home, rpc, args("--trust-genesis", genesis)...)
	if !strings.Contains(out, "proof verified") || !strings.Contains(out, "verified by the light client from the trust root: genesis of chain "+g.ChainID) ||
		!strings.Contains(out, "validators hash "+hexOf(g.ValidatorHash())) {
		t.Fatalf("text output: got %q, want the proof verified and the genesis trust root named", out)
	}

	type proofOut struct {
		Height int64
		Proof  struct {
			Verified     bool
			HeaderHeight int64  `json:"header_height"`
			HeaderHash   string `json:"header_hash"`
			TrustRoot    struct {
				Kind, Hash     string
				ChainID        string `json:"chain_id"`
				Height         int64
				ValidatorsHash string `json:"validators_hash"`
			} `json:"trust_root"`
		}
	}
	var p proofOut
	if err := json.Unmarshal([]byte(mustCLI(t, home, rpc, args("--trust-genesis", genesis, "-o", "json")...)), &p); err != nil {
		t.Fatal(err)
	}
	if tr := p.Proof.TrustRoot; !p.Proof.Verified || p.Proof.HeaderHeight != p.Height+1 || len(p.Proof.HeaderHash) != 64 ||
		tr.Kind != "genesis" || tr.ChainID != g.ChainID || tr.Height != 1 || tr.ValidatorsHash != hexOf(g.ValidatorHash()) {
		t.Fatalf("json output: got %+v, want verified from the genesis", p)
	}

	// The verified header, trusted next time.
	h, hash := strconv.FormatInt(p.Proof.HeaderHeight, 10), p.Proof.HeaderHash
	var q proofOut
	if err := json.Unmarshal([]byte(mustCLI(t, home, rpc, args("--trust-height", h, "--trust-hash", hash, "-o", "json")...)), &q); err != nil {
		t.Fatal(err)
	}
	if tr := q.Proof.TrustRoot; !q.Proof.Verified || tr.Kind != "header" || strconv.FormatInt(tr.Height, 10) != h || tr.Hash != hash || tr.ValidatorsHash != "" {
		t.Fatalf("json output from header %s: got %+v, want verified from that header", h, q)
	}

	// A trust store, used by one run after the other (each closes it).
	store := t.TempDir()
	for range 2 {
		if out := mustCLI(t, home, rpc, args("--trust-genesis", genesis, "--trust-store", store)...); !strings.Contains(out, "from the trust root: genesis") {
			t.Fatalf("--trust-store: got %q, want verified from the genesis", out)
		}
	}

	// From the environment; a trust root on the command line replaces it.
	t.Setenv(envTrustGenesis, genesis)
	if out := mustCLI(t, home, rpc, supply...); !strings.Contains(out, "from the trust root: genesis") {
		t.Fatalf("$%s: got %q, want verified from the genesis", envTrustGenesis, out)
	}
	t.Setenv(envTrustGenesis, "/nonexistent/genesis.json")
	if out := mustCLI(t, home, rpc, args("--trust-height", h, "--trust-hash", hash)...); !strings.Contains(out, "from the trust root: header "+h) {
		t.Fatalf("flags over a bad $%s: got %q, want verified from header %s", envTrustGenesis, out, h)
	}
	if _, err := cli(t, home, rpc, supply...); err == nil || !strings.Contains(err.Error(), "/nonexistent/genesis.json") {
		t.Fatalf("a bad $%s: got %v, want an error naming the file", envTrustGenesis, err)
	}
	t.Setenv(envTrustGenesis, "")

	// Another devnet's genesis: same chain id, other validators.
	other := t.TempDir()
	if _, err := node.EnsureDevnet(other, node.DevnetOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cli(t, home, rpc, args("--trust-genesis", node.GenesisFile(other))...); !errors.Is(err, client.ErrNotVerified) ||
		!errors.Is(err, client.ErrUntrusted) || !strings.Contains(err.Error(), "validators hash") {
		t.Fatalf("--prove from another devnet's genesis: got %v, want NOT ON THE TRUSTED CHAIN naming the validators hash", err)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--trust-height", h}, "--trust-hash"},
		{[]string{"--trust-height", h, "--trust-hash", "abc"}, `--trust-hash "abc"`},
		{[]string{"--trust-hash", hash}, "--trust-height 0"},
		{[]string{"--trust-genesis", genesis, "--trust-height", h, "--trust-hash", hash}, "not both"},
		{[]string{"--trust-genesis", genesis, "--trusting-period", "0s"}, "--trusting-period 0s"},
		{[]string{"--trust-genesis", genesis, "--trusting-period", "1ms"}, "older than the trusting period"},
	} {
		if _, err := cli(t, home, rpc, args(tc.args...)...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("--prove %s: got %v, want an error with %q", strings.Join(tc.args, " "), err, tc.want)
		}
	}
	report := []string{"query", "vehicles", "report", "1M8GDM9AXKP042788", "--prove"}
	if _, err := cli(t, home, rpc, report...); !errors.Is(err, client.ErrNoTrustRoot) {
		t.Fatalf("report --prove without a trust root: got %v, want ErrNoTrustRoot", err)
	}
	if _, err := cli(t, home, rpc, append(report, "--trust-genesis", genesis)...); !errors.Is(err, client.ErrNotFound) || !strings.Contains(err.Error(), "proven absent") {
		t.Fatalf("report --prove of an unregistered VIN: got %v, want its absence proven", err)
	}
}

func hexOf(b []byte) string { return strings.ToUpper(hex.EncodeToString(b)) }
