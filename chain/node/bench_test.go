package node

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cometbft/cometbft/abci/example/kvstore"
	abci "github.com/cometbft/cometbft/abci/types"
	cfg "github.com/cometbft/cometbft/config"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	"github.com/cometbft/cometbft/types"

	"github.com/citychain/citychain/chain/app"
	"github.com/citychain/citychain/chain/keyring"
	"github.com/citychain/citychain/chain/tx"
)

// Throughput benchmarks: committed transactions per second through one
// validator, driven over RPC by concurrent senders. BenchmarkKVStore runs
// CometBFT's own kvstore example through the same node, config and harness,
// with transactions of the same size: the baseline. .ci/bench.sh prints
// both and their ratio.

const (
	benchSenders = 8
	benchTxs     = 16000 // per run, split across the senders
)

func benchPort(b *testing.B) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// benchNode creates a single-validator home with the senders funded and
// starts it; newApp nil means the citychain app.
func benchNode(b *testing.B, senders []string, newApp func(string) (abci.Application, error)) (*Node, *keyring.Keyring) {
	b.Helper()
	home := b.TempDir()
	pub, _, err := InitValidator(ValidatorHome{
		Home: home, Moniker: "bench", LocalNetwork: true,
		RPCListen: fmt.Sprintf("tcp://127.0.0.1:%d", benchPort(b)),
		P2PListen: fmt.Sprintf("tcp://127.0.0.1:%d", benchPort(b)),
	})
	if err != nil {
		b.Fatal(err)
	}
	c, err := LoadConfig(home)
	if err != nil {
		b.Fatal(err)
	}
	// Room for the whole run in the mempool, for both apps alike.
	c.Mempool.Size = 2 * benchTxs
	c.Mempool.MaxTxsBytes = 1 << 30
	c.RPC.MaxOpenConnections = 0
	cfg.WriteConfigFile(filepath.Join(home, "config", "config.toml"), c)

	kr, err := keyring.Open(KeyringDir(home))
	if err != nil {
		b.Fatal(err)
	}
	var accounts []Account
	for _, s := range senders {
		accounts = append(accounts, Account{Name: s, Coins: []tx.Coin{scn(1_000_000)}})
	}
	accounts = append(accounts, DemoAccounts()...)
	st, err := BuildAppState(kr, accounts)
	if err != nil {
		b.Fatal(err)
	}
	g, err := NewGenesis("citychain-bench", []types.GenesisValidator{{Address: pub.Address(), PubKey: pub, Power: 10}}, st)
	if err != nil {
		b.Fatal(err)
	}
	if err := g.SaveAs(GenesisFile(home)); err != nil {
		b.Fatal(err)
	}
	// Each sender pipelines its whole share; lift the per-account mempool
	// cap (50 by default) so the run measures throughput, not the cap.
	n, err := Start(Options{Home: home, CometLogLevel: "none", NewApp: newApp, App: app.Config{MaxPendingPerAccount: benchTxs}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = n.Stop() })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := n.WaitForHeight(ctx, 1); err != nil {
		b.Fatal(err)
	}
	return n, kr
}

// drive broadcasts every sender's transactions in order, concurrently, and
// returns the committed transactions per second: from the first broadcast
// until the mempool is empty and every transaction is in a block.
func drive(b *testing.B, n *Node, batches [][][]byte) float64 {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	rpc := n.RPCAddress()
	probe, err := rpchttp.New(rpc, "/websocket")
	if err != nil {
		b.Fatal(err)
	}
	st, err := probe.Status(ctx)
	if err != nil {
		b.Fatal(err)
	}
	h0 := st.SyncInfo.LatestBlockHeight
	total := 0
	for _, txs := range batches {
		total += len(txs)
	}

	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, len(batches))
	for _, txs := range batches {
		wg.Add(1)
		go func(txs [][]byte) {
			defer wg.Done()
			c, err := rpchttp.New(rpc, "/websocket")
			if err != nil {
				errs <- err
				return
			}
			for _, raw := range txs {
				for {
					res, err := c.BroadcastTxSync(ctx, raw)
					if err != nil && strings.Contains(err.Error(), "mempool is full") {
						time.Sleep(5 * time.Millisecond)
						continue
					}
					if err != nil {
						errs <- err
						return
					}
					if res.Code != 0 {
						errs <- fmt.Errorf("CheckTx code %d: %s", res.Code, res.Log)
						return
					}
					break
				}
			}
		}(txs)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	// Count transactions in blocks after h0 until all are committed.
	committed, next := 0, h0+1
	for committed < total {
		st, err := probe.Status(ctx)
		if err != nil {
			b.Fatal(err)
		}
		for ; next <= st.SyncInfo.LatestBlockHeight; next++ {
			h := next
			res, err := probe.BlockResults(ctx, &h)
			if err != nil && strings.Contains(err.Error(), "could not find results") {
				break // the block is stored but not yet applied; poll again
			}
			if err != nil {
				b.Fatal(err)
			}
			for _, r := range res.TxsResults {
				if r.Code != 0 {
					b.Fatalf("block %d: tx failed: code %d %s", h, r.Code, r.Log)
				}
			}
			committed += len(res.TxsResults)
		}
		if time.Since(start) > 5*time.Minute {
			b.Fatalf("only %d of %d transactions committed after 5 minutes", committed, total)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return float64(total) / time.Since(start).Seconds()
}

func senderNames() []string {
	var out []string
	for i := range benchSenders {
		out = append(out, fmt.Sprintf("sender%d", i))
	}
	return out
}

// BenchmarkTransfers: signed bank transfers, each from one of eight senders
// with consecutive sequence numbers, to distinct recipients.
func BenchmarkTransfers(b *testing.B) {
	for range b.N {
		b.StopTimer()
		n, kr := benchNode(b, senderNames(), nil)
		var batches [][][]byte
		for _, name := range senderNames() {
			k, err := kr.Get(name)
			if err != nil {
				b.Fatal(err)
			}
			var txs [][]byte
			for seq := range uint64(benchTxs / benchSenders) {
				to := tx.AddressOf(ed25519.PublicKey(sha256.New().Sum([]byte(fmt.Sprintf("%s-%d", name, seq)))[:32]))
				raw, err := tx.Build(k.Private, "citychain-bench", seq, "", &tx.MsgSend{To: to, Amount: tx.Coin{Amount: 1, Denom: tx.DenomSCoin}})
				if err != nil {
					b.Fatal(err)
				}
				txs = append(txs, raw)
			}
			batches = append(batches, txs)
		}
		b.StartTimer()
		rate := drive(b, n, batches)
		b.ReportMetric(rate, "tx/s")
		b.ReportMetric(float64(len(batches[0][0])), "bytes/tx")
	}
}

// BenchmarkKVStore: the same harness against CometBFT's kvstore example,
// transactions of the same size as a transfer.
func BenchmarkKVStore(b *testing.B) {
	size := len(mustTransferSize(b))
	for range b.N {
		b.StopTimer()
		n, _ := benchNode(b, nil, func(dir string) (abci.Application, error) {
			return kvstore.NewPersistentApplication(filepath.Join(dir, "kvstore")), nil
		})
		var batches [][][]byte
		for s := range benchSenders {
			var txs [][]byte
			for i := range benchTxs / benchSenders {
				key := fmt.Sprintf("k%d-%d-", s, i)
				val := strings.Repeat("v", size-len(key)-1)
				txs = append(txs, []byte(key+"="+val))
			}
			batches = append(batches, txs)
		}
		b.StartTimer()
		rate := drive(b, n, batches)
		b.ReportMetric(rate, "tx/s")
		b.ReportMetric(float64(len(batches[0][0])), "bytes/tx")
	}
}

func mustTransferSize(b *testing.B) []byte {
	seed := make([]byte, 32)
	raw, err := tx.Build(ed25519.NewKeyFromSeed(seed), "citychain-bench", 1234, "", &tx.MsgSend{To: tx.Address{1}, Amount: tx.Coin{Amount: 1, Denom: tx.DenomSCoin}})
	if err != nil {
		b.Fatal(err)
	}
	return raw
}
