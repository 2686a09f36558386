package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/cometbft/cometbft/types"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/chain/tx"
)

// TestProveTrustRoot: ?prove=true is verified from the trust root the API
// was started with and says what that was; without a trust root, or with
// one the node's chain does not follow from, the proof is not verified
// and the answer says why.
func TestProveTrustRoot(t *testing.T) {
	c := getChain(t)
	g, err := types.GenesisDocFromFile(node.GenesisFile(c.home))
	if err != nil {
		t.Fatal(err)
	}
	const path = "/v1/supply/uscn?prove=true"

	t.Run("genesis", func(t *testing.T) {
		ts := startServer(t, c, nil)
		var r StateResponse
		ts.getJSON(t, path, &r)
		p := r.Proof
		if p == nil || !p.Verified || p.TrustRoot == nil || len(p.HeaderHash) != 64 {
			t.Fatalf("got proof %+v, want verified with the trust root and header hash", p)
		}
		want := upperHex(g.ValidatorHash())
		if tr := p.TrustRoot; tr.Kind != "genesis" || tr.ChainID != g.ChainID || tr.Height != 1 || tr.ValidatorsHash != want || len(tr.Hash) != 64 {
			t.Fatalf("got trust root %+v, want the genesis of %s with validators hash %s", tr, g.ChainID, want)
		}
	})
	t.Run("no trust root", func(t *testing.T) {
		ts := startServer(t, c, func(cfg *Config) { cfg.Trust = nil })
		var r StateResponse
		ts.getJSON(t, path, &r)
		if p := r.Proof; p == nil || p.Verified || p.ICS23 == "" || !strings.Contains(p.Error, "no trust root") || !strings.Contains(p.Error, "--trust-genesis") {
			t.Fatalf("got proof %+v, want the proof unverified, saying there is no trust root and how to give one", p)
		}
		vin := "WVWZZZ1J0XW000001"
		d, err := tx.VINCheckDigit(vin)
		if err != nil {
			t.Fatal(err)
		}
		vin = vin[:8] + string(d) + vin[9:]
		code, hdr, body := ts.do(t, "GET", "/v1/vehicles/"+vin+"/report?prove=true", nil)
		if p := wantProblem(t, "report without a trust root", code, hdr, body, http.StatusServiceUnavailable); !strings.Contains(p.Detail, "--trust-genesis") {
			t.Fatalf("got problem %+v, want the detail to say how to give a trust root", p)
		}
	})
	t.Run("a genesis the node's chain does not follow from", func(t *testing.T) {
		// Another devnet's genesis: same chain id, other validators.
		other := t.TempDir()
		if _, err := node.EnsureDevnet(other, node.DevnetOptions{}); err != nil {
			t.Fatal(err)
		}
		trust, err := client.TrustGenesisFile(node.GenesisFile(other))
		if err != nil {
			t.Fatal(err)
		}
		ts := startServer(t, c, func(cfg *Config) { cfg.Trust = &trust })
		var r StateResponse
		ts.getJSON(t, path, &r)
		if p := r.Proof; p == nil || p.Verified || p.TrustRoot != nil || !strings.Contains(p.Error, "NOT ON THE TRUSTED CHAIN") || !strings.Contains(p.Error, "validators hash") {
			t.Fatalf("got proof %+v, want it refused: the node is not on the trusted chain", p)
		}
	})
	t.Run("bad trust config", func(t *testing.T) {
		nc, err := client.New(c.rpc)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := New(Config{Trust: &client.TrustConfig{Height: 5}}, nc); err == nil || !strings.Contains(err.Error(), "trust root") {
			t.Fatalf("New with a height and no hash: got %v, want a trust root error", err)
		}
	})
}
