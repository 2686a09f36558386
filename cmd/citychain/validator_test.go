package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cometbft/cometbft/types"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/cmd/citychain/local"
)

// TestAddValidator: a running devnet gains a second validator the way an
// operator adds one. A new home is made with `citychain init` from the
// devnet's genesis, started as a full node and caught up; the authority's
// `tx validator set-power` makes it a validator; from two blocks later it
// signs every commit (with equal power the chain cannot advance without
// it); `set-power ... 0` removes it and the devnet goes on alone.
func TestAddValidator(t *testing.T) {
	home, rpc := startDevnet(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := client.New(rpc)
	if err != nil {
		t.Fatal(err)
	}

	devnet, err := node.ShowValidator(home)
	if err != nil {
		t.Fatal(err)
	}
	devCfg, err := node.LoadConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	peer := devnet.NodeID + "@" + strings.TrimPrefix(devCfg.P2P.ListenAddress, "tcp://")

	// Bad input is refused, naming the flag.
	newHome := filepath.Join(t.TempDir(), "fifth")
	if _, err := cli(t, newHome, rpc, "init", "--genesis", node.GenesisFile(home), "--moniker", "fifth", "--persistent-peers", "nope"); err == nil ||
		!strings.Contains(err.Error(), "--persistent-peers") || !strings.Contains(err.Error(), `"nope"`) {
		t.Fatalf("init with a bad peer: got %v, want an error naming --persistent-peers and the value", err)
	}
	var id node.Identity
	out := mustCLI(t, newHome, rpc, "init", "--genesis", node.GenesisFile(home), "--moniker", "fifth", "--persistent-peers", peer,
		"--rpc-laddr", "tcp://"+local.FreeAddr(t), "--p2p-laddr", "tcp://"+local.FreeAddr(t),
		"--timeout-commit", "150ms", "--local-network", "-o", "json")
	if err := json.Unmarshal([]byte(out), &id); err != nil {
		t.Fatalf("init output: %v\n%s", err, out)
	}
	if len(id.PubKey) != 64 || len(id.NodeID) != 40 || id.PubKey == devnet.PubKey {
		t.Fatalf("init identity: got %+v, want a new 32-byte key and a node id", id)
	}
	if out := mustCLI(t, newHome, rpc, "show-validator"); !strings.Contains(out, id.PubKey) || !strings.Contains(out, id.NodeID) {
		t.Fatalf("show-validator: got %q, want the key and node id init printed", out)
	}
	// An existing home is never rewritten, and the devnet's validator key
	// copied into a new home is refused (it would double-sign).
	if _, err := cli(t, home, rpc, "init", "--genesis", node.GenesisFile(home), "--moniker", "again"); err == nil ||
		!strings.Contains(err.Error(), "already holds a node home") {
		t.Fatalf("init over the devnet home: got %v, want a refusal", err)
	}
	copied := t.TempDir()
	key, err := os.ReadFile(devCfg.PrivValidatorKeyFile())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(copied, "config"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(copied, "config", "priv_validator_key.json"), key, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := cli(t, copied, rpc, "init", "--genesis", node.GenesisFile(home), "--moniker", "copy"); err == nil ||
		!strings.Contains(err.Error(), "double-sign") {
		t.Fatalf("init with the devnet's key: got %v, want a double-sign refusal", err)
	}

	full, err := node.Start(node.Options{Home: newHome, CometLogLevel: "none"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := full.Stop(); err != nil {
			t.Error(err)
		}
	})
	st, err := c.RPC().Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := full.WaitForHeight(ctx, st.SyncInfo.LatestBlockHeight); err != nil {
		t.Fatalf("the full node did not catch up: %v", err)
	}

	if _, err := cli(t, home, rpc, "tx", "validator", "set-power", id.PubKey, "10", "--from", "alice"); err == nil ||
		!strings.Contains(err.Error(), "validators code 2") {
		t.Fatalf("set-power by alice: got %v, want validators code 2", err)
	}
	if _, err := cli(t, home, rpc, "tx", "validator", "set-power", id.PubKey[:60], "10", "--from", "authority"); err == nil ||
		!strings.Contains(err.Error(), "PUBKEY_HEX") {
		t.Fatalf("set-power with a short key: got %v, want an error naming PUBKEY_HEX", err)
	}
	out = mustCLI(t, home, rpc, "tx", "validator", "set-power", id.PubKey, "10", "--name", "fifth", "--from", "authority", "-o", "json")
	var res struct{ Height int64 }
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Height == 0 {
		t.Fatalf("set-power output: %q (%v)", out, err)
	}
	added := res.Height

	var q struct {
		Height int64
		Result struct {
			Validators []struct {
				PubKey string `json:"pub_key"`
				Power  uint64
				Name   string
			}
			TotalPower uint64 `json:"total_power"`
		}
		Proof struct{ Verified bool }
	}
	if err := json.Unmarshal([]byte(mustCLI(t, home, rpc, "query", "validators", "--prove", "--trust-genesis", node.GenesisFile(home), "-o", "json")), &q); err != nil {
		t.Fatal(err)
	}
	if len(q.Result.Validators) != 2 || q.Result.TotalPower != 20 || !q.Proof.Verified {
		t.Fatalf("query validators: got %+v, want two validators of total power 20, proof verified", q)
	}

	// CometBFT's set from added+2 holds the new key; the commit of every
	// block from then on carries its signature.
	waitBlock(ctx, t, c, added+4)
	if !inValidatorSet(ctx, t, c, added+2, id.Address) {
		t.Fatalf("/validators at height %d does not list %s", added+2, id.Address)
	}
	if inValidatorSet(ctx, t, c, added+1, id.Address) {
		t.Fatalf("/validators at height %d already lists %s; updates apply from H+2", added+1, id.Address)
	}
	for h := added + 3; h <= added+4; h++ {
		if !signedBy(ctx, t, c, h, id.Address) {
			t.Fatalf("block %d: last commit has no signature of the new validator %s", h, id.Address)
		}
	}

	out = mustCLI(t, home, rpc, "tx", "validator", "set-power", id.PubKey, "0", "--from", "authority", "-o", "json")
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	waitBlock(ctx, t, c, res.Height+3)
	if inValidatorSet(ctx, t, c, res.Height+2, id.Address) {
		t.Fatalf("/validators at height %d still lists the removed validator", res.Height+2)
	}
	if _, err := cli(t, home, rpc, "tx", "validator", "set-power", devnet.PubKey, "0", "--from", "authority"); err == nil ||
		!strings.Contains(err.Error(), "validators code 4") {
		t.Fatalf("removing the last validator: got %v, want validators code 4", err)
	}
}

func waitBlock(ctx context.Context, t *testing.T, c *client.Client, h int64) {
	t.Helper()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		st, err := c.RPC().Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.SyncInfo.LatestBlockHeight >= h {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("wait for block %d: %v (at %d)", h, ctx.Err(), st.SyncInfo.LatestBlockHeight)
		case <-tick.C:
		}
	}
}

func inValidatorSet(ctx context.Context, t *testing.T, c *client.Client, h int64, addr string) bool {
	t.Helper()
	res, err := c.RPC().Validators(ctx, &h, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range res.Validators {
		if strings.EqualFold(v.Address.String(), addr) {
			return true
		}
	}
	return false
}

func signedBy(ctx context.Context, t *testing.T, c *client.Client, h int64, addr string) bool {
	t.Helper()
	b, err := c.RPC().Block(ctx, &h)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range b.Block.LastCommit.Signatures {
		if s.BlockIDFlag == types.BlockIDFlagCommit && strings.EqualFold(s.ValidatorAddress.String(), addr) {
			return true
		}
	}
	return false
}
