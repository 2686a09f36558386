package client_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cometbft/cometbft/types"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/keyring"
	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/chain/tx"
)

// devnet is one single-validator devnet node on free loopback ports.
type devnet struct {
	home, p2p string
	node      *node.Node
	keys      *keyring.Keyring
}

func startDevnet(ctx context.Context, t *testing.T) *devnet {
	t.Helper()
	d := &devnet{home: t.TempDir(), p2p: freeListen(t)}
	if _, err := node.EnsureDevnet(d.home, node.DevnetOptions{RPCListen: freeListen(t), P2PListen: d.p2p, TimeoutCommit: 100 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	n, err := node.Start(node.Options{Home: d.home, CometLogLevel: "none"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = n.Stop() })
	if err := n.WaitForHeight(ctx, 3); err != nil {
		t.Fatal(err)
	}
	d.node = n
	if d.keys, err = keyring.Open(node.KeyringDir(d.home)); err != nil {
		t.Fatal(err)
	}
	return d
}

// client is a client of url verifying from trust (none when nil).
func newClient(t *testing.T, url string, trust *client.TrustConfig) *client.Client {
	t.Helper()
	c, err := client.New(url)
	if err != nil {
		t.Fatal(err)
	}
	if trust != nil {
		if err := c.SetTrust(*trust); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func genesisTrust(t *testing.T, home string) *client.TrustConfig {
	t.Helper()
	cfg, err := client.TrustGenesisFile(node.GenesisFile(home))
	if err != nil {
		t.Fatal(err)
	}
	return &cfg
}

func (d *devnet) submit(ctx context.Context, t *testing.T, from string, msgs ...tx.Msg) int64 {
	t.Helper()
	k, err := d.keys.Get(from)
	if err != nil {
		t.Fatal(err)
	}
	res, err := newClient(t, d.node.RPCAddress(), nil).Submit(ctx, k.Private, "light client test", msgs...)
	if err != nil {
		t.Fatalf("%s: %s: %v", from, msgs[0].Type(), err)
	}
	return res.Height
}

// nodeReported is how proofs were verified before the light client: the
// commit of the header after the state checked against the validator set
// the queried node reports for it. A lying node passes it.
func nodeReported(ctx context.Context, c *client.Client, res *client.QueryResult) error {
	h := res.Height + 1
	for {
		st, err := c.RPC().Status(ctx)
		if err != nil {
			return err
		}
		if st.SyncInfo.LatestBlockHeight >= h {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	com, err := c.RPC().Commit(ctx, &h)
	if err != nil {
		return err
	}
	vals, err := c.RPC().Validators(ctx, &h, nil, nil)
	if err != nil {
		return err
	}
	set := &types.ValidatorSet{Validators: vals.Validators}
	if !bytes.Equal(set.Hash(), com.ValidatorsHash) {
		return fmt.Errorf("validators hash %X, header names %X", set.Hash(), com.ValidatorsHash)
	}
	if err := set.VerifyCommitLight(com.ChainID, com.Commit.BlockID, h, com.Commit); err != nil {
		return err
	}
	return store.VerifyProof(com.AppHash, res.Proof, res.Key, res.Value)
}

// proxy is an RPC endpoint relaying each JSON-RPC request to the node
// route names for its method and height (0 without one); route "" answers
// that the height is not available (as a pruned node does).
func proxy(t *testing.T, route func(method string, height int64) string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var req struct {
			ID     json.RawMessage
			Method string
			Params map[string]json.RawMessage
		}
		if err := json.Unmarshal(body, &req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var hs string
		_ = json.Unmarshal(req.Params["height"], &hs)
		h, _ := strconv.ParseInt(hs, 10, 64)
		to := route(req.Method, h)
		w.Header().Set("Content-Type", "application/json")
		if to == "" {
			fmt.Fprintf(w, `{"jsonrpc":"2.0","id":%s,"error":{"code":-32603,"message":"Internal error","data":"height %d is not available, lowest height is 3"}}`, req.ID, h)
			return
		}
		resp, err := http.Post(to, "application/json", bytes.NewReader(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func blockMethod(m string) bool {
	return m == "commit" || m == "validators" || m == "block" || m == "header"
}

// liar is an RPC endpoint with the honest chain's history below cutoff and
// the forged chain's blocks from cutoff on, answering state queries and
// status from the forged chain: a node that follows the city's chain, then
// presents state and headers signed by validators of its own.
func liar(t *testing.T, honest, forged string, cutoff int64) string {
	return proxy(t, func(method string, h int64) string {
		if blockMethod(method) && h > 0 && h < cutoff {
			return honest
		}
		return forged
	})
}

// pruned is url without its blocks below 3.
func pruned(t *testing.T, url string) string {
	return proxy(t, func(method string, h int64) string {
		if blockMethod(method) && h > 0 && h < 3 {
			return ""
		}
		return url
	})
}

func commitHash(ctx context.Context, t *testing.T, url string, h int64) []byte {
	t.Helper()
	com, err := newClient(t, url, nil).RPC().Commit(ctx, &h)
	if err != nil {
		t.Fatal(err)
	}
	return com.Hash()
}

// TestLightClientTrustRoot verifies proofs from a trust root the caller
// holds. Two devnets share a chain id; B plays the lying node. Its answers
// pass the old check against the validators the node reports, and fail
// the light client from A's trust root with ErrUntrusted.
func TestLightClientTrustRoot(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	a, b := startDevnet(ctx, t), startDevnet(ctx, t)
	aURL, bURL := a.node.RPCAddress(), b.node.RPCAddress()

	// On B, an address nobody funded on A holds 12,345 uscn.
	mark := tx.Address{0xAB, 0xCD}
	b.submit(ctx, t, "treasury", &tx.MsgSend{To: mark, Amount: tx.Coin{Amount: 12_345, Denom: tx.DenomSCoin}})
	proven := client.ReadOpts{Prove: true}
	gA := genesisTrust(t, a.home)
	genA, err := types.GenesisDocFromFile(node.GenesisFile(a.home))
	if err != nil {
		t.Fatal(err)
	}

	t.Run("no trust root", func(t *testing.T) {
		c := newClient(t, aURL, nil)
		_, res, err := c.Balance(ctx, mark, tx.DenomSCoin, proven)
		if err != nil {
			t.Fatal(err)
		}
		if v, err := c.Verify(ctx, res); !errors.Is(err, client.ErrNoTrustRoot) {
			t.Fatalf("verify without a trust root: got %+v, %v; want ErrNoTrustRoot", v, err)
		}
		if err := c.SetTrust(client.TrustConfig{}); !errors.Is(err, client.ErrNoTrustRoot) {
			t.Fatalf("an empty trust config: got %v, want ErrNoTrustRoot", err)
		}
	})
	t.Run("bad trust config", func(t *testing.T) {
		c := newClient(t, aURL, nil)
		for _, tc := range []struct {
			cfg  client.TrustConfig
			want string
		}{
			{client.TrustConfig{Height: 2}, "32-byte"},
			{client.TrustConfig{Height: 2, Hash: []byte{1, 2}}, "32-byte"},
			{client.TrustConfig{Hash: make([]byte, 32)}, "height 0"},
			{client.TrustConfig{Genesis: genA, Height: 2, Hash: make([]byte, 32)}, "not both"},
			{client.TrustConfig{Height: 2, Hash: make([]byte, 32), TrustingPeriod: -time.Hour}, "trusting period"},
		} {
			if err := c.SetTrust(tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("SetTrust(%+v): got %v, want an error with %q", tc.cfg, err, tc.want)
			}
		}
	})
	t.Run("genesis", func(t *testing.T) {
		// A's node is its own witness here, and the second time a witness.
		for _, witnesses := range [][]string{nil, {aURL}} {
			cfg := *gA
			cfg.Witnesses = witnesses
			c := newClient(t, aURL, &cfg)
			n, res, err := c.Balance(ctx, mark, tx.DenomSCoin, proven)
			if err != nil {
				t.Fatal(err)
			}
			v, err := c.Verify(ctx, res)
			if err != nil {
				t.Fatalf("verify from A's genesis (witnesses %v): %v", witnesses, err)
			}
			r := v.Trusted
			if n != 0 || res.Found() || v.HeaderHeight != res.Height+1 || r.Kind != "genesis" || r.Height != 1 || r.ChainID != node.DevnetChainID ||
				!bytes.Equal(r.ValidatorsHash, genA.ValidatorHash()) || !bytes.Equal(r.Hash, commitHash(ctx, t, aURL, 1)) ||
				!bytes.Equal(v.HeaderHash, commitHash(ctx, t, aURL, v.HeaderHeight)) || v.SignedPower != 10 || v.TotalPower != 10 {
				t.Fatalf("got balance %d, verification %+v; want 0 proven absent at the next header, from A's genesis (validators %X, block 1), 10 of 10 signed",
					n, v, genA.ValidatorHash())
			}
			if got := c.Trusted(); got == nil || got.String() != r.String() || !strings.Contains(r.String(), "genesis of chain "+node.DevnetChainID) {
				t.Fatalf("Trusted: got %v, want %s", got, r)
			}
		}
	})
	t.Run("trusted header", func(t *testing.T) {
		c := newClient(t, aURL, &client.TrustConfig{Height: 2, Hash: commitHash(ctx, t, aURL, 2)})
		_, res, err := c.Supply(ctx, tx.DenomSCoin, proven)
		if err != nil {
			t.Fatal(err)
		}
		v, err := c.Verify(ctx, res)
		if err != nil || v.Trusted.Kind != "header" || v.Trusted.Height != 2 || !strings.Contains(v.Trusted.String(), "header 2 of chain") {
			t.Fatalf("verify from A's header 2: got %+v, %v", v, err)
		}
		// An older state is verified backwards from the trusted header.
		_, res, err = c.Supply(ctx, tx.DenomSCoin, client.ReadOpts{Height: 1, Prove: true})
		if err != nil {
			t.Fatal(err)
		}
		if v, err := c.Verify(ctx, res); err != nil || v.HeaderHeight != 2 {
			t.Fatalf("verify state 1 against header 2: got %+v, %v", v, err)
		}
	})
	t.Run("trusted header of another chain", func(t *testing.T) {
		c := newClient(t, aURL, &client.TrustConfig{Height: 2, Hash: commitHash(ctx, t, bURL, 2)})
		_, res, err := c.Supply(ctx, tx.DenomSCoin, proven)
		if err != nil {
			t.Fatal(err)
		}
		if v, err := c.Verify(ctx, res); !errors.Is(err, client.ErrUntrusted) || !strings.Contains(err.Error(), "block 2 with hash") {
			t.Fatalf("verify from B's header 2 on A: got %+v, %v; want ErrUntrusted naming block 2's hash", v, err)
		} else {
			t.Log(err)
		}
	})
	t.Run("expired trust root", func(t *testing.T) {
		cfg := *gA
		cfg.TrustingPeriod = time.Millisecond
		c := newClient(t, aURL, &cfg)
		_, res, err := c.Supply(ctx, tx.DenomSCoin, proven)
		if err != nil {
			t.Fatal(err)
		}
		if v, err := c.Verify(ctx, res); !errors.Is(err, client.ErrTrustExpired) || !strings.Contains(err.Error(), "trusting period 1ms") {
			t.Fatalf("verify from a genesis older than the trusting period: got %+v, %v; want ErrTrustExpired", v, err)
		} else {
			t.Log(err)
		}
	})
	t.Run("another chain with the same chain id", func(t *testing.T) {
		c := newClient(t, bURL, gA)
		n, res, err := c.Balance(ctx, mark, tx.DenomSCoin, proven)
		if err != nil || n != 12_345 {
			t.Fatalf("B's balance: got %d, %v; want 12345", n, err)
		}
		if err := nodeReported(ctx, c, res); err != nil {
			t.Fatalf("the old check against B's own validators: got %v, want a pass (the hole)", err)
		}
		if v, err := c.Verify(ctx, res); !errors.Is(err, client.ErrUntrusted) || !strings.Contains(err.Error(), "validators hash") {
			t.Fatalf("verify B's answer from A's genesis: got %+v, %v; want ErrUntrusted naming the validators hash", v, err)
		} else {
			t.Log(err)
		}
	})
	t.Run("witness on another chain", func(t *testing.T) {
		cfg := *gA
		cfg.Witnesses = []string{bURL}
		c := newClient(t, aURL, &cfg)
		_, res, err := c.Supply(ctx, tx.DenomSCoin, proven)
		if err != nil {
			t.Fatal(err)
		}
		if v, err := c.Verify(ctx, res); !errors.Is(err, client.ErrUntrusted) {
			t.Fatalf("verify with a witness that disagrees: got %+v, %v; want ErrUntrusted", v, err)
		} else {
			t.Log(err)
		}
	})
	t.Run("lying node", func(t *testing.T) {
		// The liar serves A's blocks 1 and 2, then B's: the trust root
		// checks out, the state it presents does not.
		c := newClient(t, liar(t, aURL, bURL, 3), gA)
		n, res, err := c.Balance(ctx, mark, tx.DenomSCoin, proven)
		if err != nil || n != 12_345 {
			t.Fatalf("the liar's balance: got %d, %v; want 12345", n, err)
		}
		if err := nodeReported(ctx, c, res); err != nil {
			t.Fatalf("the old check against the liar's validators: got %v, want a pass (the hole)", err)
		}
		v, err := c.Verify(ctx, res)
		if !errors.Is(err, client.ErrUntrusted) || !strings.Contains(err.Error(), fmt.Sprintf("header %d", res.Height+1)) || !strings.Contains(err.Error(), "genesis of chain") {
			t.Fatalf("verify the liar's answer from A's genesis: got %+v, %v; want ErrUntrusted naming the header and the trust root", v, err)
		}
		t.Log(err)
		// The truth, from A: nothing there.
		ca := newClient(t, aURL, gA)
		n, res, err = ca.Balance(ctx, mark, tx.DenomSCoin, proven)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ca.Verify(ctx, res); err != nil || n != 0 {
			t.Fatalf("A's balance: got %d, %v; want 0, verified", n, err)
		}
	})
}

// TestLightClientFollowsValidatorChanges verifies a proof from the genesis
// after the validator set was replaced: a second node joins and becomes a
// validator, then the genesis validator is removed. The genesis validators
// signed none of the later headers, so the light client cannot skip to
// them; it bisects to the change and follows it.
func TestLightClientFollowsValidatorChanges(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	a := startDevnet(ctx, t)
	dev, err := node.ShowValidator(a.home)
	if err != nil {
		t.Fatal(err)
	}
	home2 := t.TempDir()
	id, err := node.Join(node.JoinOptions{Home: home2, Moniker: "second", Genesis: node.GenesisFile(a.home),
		PersistentPeers: dev.NodeID + "@" + strings.TrimPrefix(a.p2p, "tcp://"), RPCListen: freeListen(t), P2PListen: freeListen(t),
		TimeoutCommit: 100 * time.Millisecond, LocalNetwork: true})
	if err != nil {
		t.Fatal(err)
	}
	second, err := node.Start(node.Options{Home: home2, CometLogLevel: "none"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = second.Stop() })

	setPower := func(pubHex string, power uint64) int64 {
		t.Helper()
		pub, err := hex.DecodeString(pubHex)
		if err != nil {
			t.Fatal(err)
		}
		return a.submit(ctx, t, "authority", &tx.MsgValidatorSetPower{PubKey: tx.PubKey(pub), Power: power, Name: "light test"})
	}
	setPower(id.PubKey, 10)
	removed := setPower(dev.PubKey, 0)
	// From removed+2 the second node alone signs.
	if err := second.WaitForHeight(ctx, removed+4); err != nil {
		t.Fatal(err)
	}

	c := newClient(t, a.node.RPCAddress(), genesisTrust(t, a.home))
	set, res, err := c.ValidatorSet(ctx, client.ReadOpts{Prove: true})
	if err != nil {
		t.Fatal(err)
	}
	v, err := c.Verify(ctx, res)
	if err != nil {
		t.Fatalf("verify after the validator set changed: %v", err)
	}
	genA, err := types.GenesisDocFromFile(node.GenesisFile(a.home))
	if err != nil {
		t.Fatal(err)
	}
	h := v.HeaderHeight
	com, err := c.RPC().Commit(ctx, &h)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(com.ValidatorsHash, genA.ValidatorHash()) || v.Trusted.Kind != "genesis" || v.SignedPower != 10 || v.TotalPower != 10 ||
		!bytes.Contains(set, []byte(id.PubKey)) || bytes.Contains(set, []byte(dev.PubKey)) {
		t.Fatalf("got verification %+v of set %s (header validators %X); want the second node's set, not the genesis set %X, verified from the genesis",
			v, set, com.ValidatorsHash, genA.ValidatorHash())
	}
	// A state from before the change verifies too (between trusted headers).
	_, res, err = c.Supply(ctx, tx.DenomSCoin, client.ReadOpts{Height: removed - 1, Prove: true})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := c.Verify(ctx, res); err != nil || v.HeaderHeight != removed {
		t.Fatalf("verify state %d: got %+v, %v", removed-1, v, err)
	}
}

// TestLightClientTrustStore: with a store directory, trust carries over
// to a later client with the same trust root, which goes on from the
// latest verified header without going back to the root (here: a node
// pruned below block 3, which cannot show the genesis' first block); a
// different trust root empties the store and starts from itself.
func TestLightClientTrustStore(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a := startDevnet(ctx, t)
	url, dir := a.node.RPCAddress(), t.TempDir()
	verify := func(c *client.Client) (*client.Verification, error) {
		t.Helper()
		_, res, err := c.Supply(ctx, tx.DenomSCoin, client.ReadOpts{Prove: true})
		if err != nil {
			t.Fatal(err)
		}
		return c.Verify(ctx, res)
	}
	withStore := func(cfg *client.TrustConfig) *client.TrustConfig { cfg.StoreDir = dir; return cfg }

	first := newClient(t, url, withStore(genesisTrust(t, a.home)))
	v1, err := verify(first)
	if err != nil {
		t.Fatal(err)
	}
	if err := first.RefreshTrust(ctx); err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if c, _ := client.New(url); c.SetTrust(*withStore(genesisTrust(t, a.home))) == nil {
		t.Fatal("a second client opened the store directory in use")
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	if v, err := verify(newClient(t, pruned(t, url), genesisTrust(t, a.home))); err == nil || !strings.Contains(err.Error(), "first block (1)") {
		t.Fatalf("from the genesis, in memory, through a pruned node: got %+v, %v; want the first block not found", v, err)
	}
	again := newClient(t, pruned(t, url), withStore(genesisTrust(t, a.home)))
	v2, err := verify(again)
	if err != nil || v2.Trusted.Kind != "genesis" || !bytes.Equal(v2.Trusted.Hash, v1.Trusted.Hash) || v2.HeaderHeight < v1.HeaderHeight {
		t.Fatalf("from the store, through a pruned node: got %+v, %v; want verified from the genesis root the store holds", v2, err)
	}
	if err := again.Close(); err != nil {
		t.Fatal(err)
	}

	other := newClient(t, url, withStore(&client.TrustConfig{Height: 4, Hash: commitHash(ctx, t, url, 4)}))
	defer other.Close()
	if v, err := verify(other); err != nil || v.Trusted.Kind != "header" || v.Trusted.Height != 4 {
		t.Fatalf("another trust root with the store: got %+v, %v; want verified from header 4", v, err)
	}
}
