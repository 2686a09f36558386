//go:build faults

// Package faults is the fault-tolerance suite: one real multi-process
// network (cmd/citychain/testnet: four validators, Mosquitto, InfluxDB, the
// settlement service, simulated devices behind edge agents, the city API)
// under steady load, and a sequence of faults — validators killed, stopped
// and partitioned, the broker, settlement, an agent and InfluxDB killed or
// cut off, a transaction flood, a flood of useless signed readings — each
// followed by the same checks: the network recovers, every interval is
// anchored exactly once, `citychain audit` is clean, no reading is lost or
// doubled and every committed transfer is applied exactly once. Build tag faults; `make test-faults`
// runs it. docs/reliability.md describes the scenarios and the results.
package faults

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/keyring"
	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/cmd/citychain/local"
	"github.com/citychain/citychain/cmd/citychain/testnet"
)

// TestFaults starts one network, puts it under load (the edge agents'
// readings and a stream of signed transfers) and runs every scenario on
// it, in order, each checked by suite.run.
func TestFaults(t *testing.T) {
	began := time.Now()
	repo, err := local.FindRepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(repo, "bin")
	for _, b := range []string{"citychain", "edge-agent"} {
		if _, err := os.Stat(filepath.Join(bin, b)); err != nil {
			t.Fatalf("%v (run make build first)", err)
		}
	}
	// The network lives in a directory of its own under .tmp (runs may
	// overlap), kept after a failed run for its logs.
	if err := os.MkdirAll(filepath.Join(repo, ".tmp"), 0o700); err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp(filepath.Join(repo, ".tmp"), "faults-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("network homes and logs kept in %s", dir)
			return
		}
		os.RemoveAll(dir)
	})
	logf, err := os.Create(filepath.Join(dir, "harness.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logf.Close() })
	logger := slog.New(slog.NewTextHandler(logf, nil))

	ctx, cancel := context.WithCancel(context.Background())
	cfg := testnet.Config{
		Dir: dir, Validators: 4, Inverters: 8, EVs: 2, IntervalSeconds: 20, Speed: 60,
		TimeoutCommit: 500 * time.Millisecond, Bin: bin, Logger: logger,
	}
	net, err := testnet.Start(ctx, cfg)
	if err != nil {
		cancel()
		if errors.Is(err, local.ErrNotInstalled) {
			local.SkipOrFail(t, err)
		}
		t.Fatalf("start the network: %v (logs in %s)", err, filepath.Join(dir, "logs"))
	}
	t.Cleanup(func() {
		if err := net.Close(); err != nil {
			t.Errorf("close the network: %v", err)
		}
	})
	t.Cleanup(cancel) // runs first: the load stops before the network
	t.Logf("network up in %s: %d validators, %d agents, logs in %s", time.Since(began).Round(time.Second),
		len(net.Validators), len(net.Agents), filepath.Join(dir, "logs"))

	s := &suite{net: net, cfg: cfg, ctx: ctx, bin: bin}
	if s.load, err = startLoad(ctx, net, dir, logger); err != nil {
		t.Fatalf("start the transfer load: %v", err)
	}
	for _, sc := range []struct {
		name  string
		fault func(*testing.T)
	}{
		{"validator-kill", s.validatorKill},
		{"two-stopped", s.twoStopped},
		{"validator-cut", s.validatorCut},
		{"mosquitto-kill", s.mosquittoKill},
		{"settlement-kill", s.settlementKill},
		{"agent-offline", s.agentOffline},
		{"influx-outage", s.influxOutage},
		{"tx-flood", s.txFlood},
		{"reading-flood", s.readingFlood},
	} {
		s.run(t, sc.name, sc.fault)
	}
	s.summary(t)
	t.Logf("fault suite: %s wall time", time.Since(began).Round(time.Second))
}

// Transfer load: a few senders with a handful of transactions in flight
// each, well under the chain's per-account mempool cap.
const (
	loadSenders  = 4
	loadInFlight = 4
	loadFunding  = 1_000_000_000 // uscn each load account receives at the start
	loadMaxSend  = 1_000_000     // uscn, the largest transfer
	loadRound    = 200 * time.Millisecond
	loadResend   = 2 * time.Second
)

// load submits signed bank transfers between accounts it creates (funded
// once from the treasury, so nothing else knows their keys), tracking each
// sender's sequence numbers itself: a transaction is signed once and its
// exact bytes are resubmitted, to any running validator, until the
// account's committed sequence passes it; then the transaction index says
// whether it succeeded. Every committed transfer is recorded.
type load struct {
	net     *testnet.Network
	chainID string
	log     *slog.Logger
	senders []*sender
	initial *snapshot

	mu        sync.Mutex
	clients   map[string]*client.Client
	committed map[string][]transfer // by sender address, in seq order
	failures  []string
	reported  int // failures already returned by reconcile
	lastH     int64
	count     int
}

// transfer is one committed MsgSend.
type transfer struct {
	from, to tx.Address
	amount   uint64
	seq      uint64
	height   int64
	hash     string
}

type sender struct {
	l    *load
	idx  int
	key  ed25519.PrivateKey
	addr tx.Address
	to   tx.Address
	next uint64 // the sequence number the next new transaction gets
	// pending are signed, not yet decided, in seq order.
	pending []*pendingTx
	// decided: every seq below it is decided (committed or failed).
	decided atomic.Uint64
	dead    bool // a definite rejection: it broadcasts nothing more
}

type pendingTx struct {
	seq    uint64
	raw    []byte
	hash   []byte
	amount uint64
	sent   time.Time
}

// startLoad funds the load accounts, takes the initial snapshot and starts
// the senders; they run until ctx ends.
func startLoad(ctx context.Context, net *testnet.Network, dir string, logger *slog.Logger) (*load, error) {
	l := &load{net: net, log: logger.With("part", "load"), clients: map[string]*client.Client{}, committed: map[string][]transfer{}}
	kr, err := keyring.Open(net.Keys)
	if err != nil {
		return nil, err
	}
	treasury, err := kr.Get("treasury")
	if err != nil {
		return nil, err
	}
	own, err := keyring.Open(filepath.Join(dir, "load-keys"))
	if err != nil {
		return nil, err
	}
	var msgs []tx.Msg
	for i := range loadSenders {
		k, err := own.Add(fmt.Sprintf("load%d", i+1))
		if err != nil {
			return nil, err
		}
		l.senders = append(l.senders, &sender{l: l, idx: i, key: k.Private, addr: k.Address})
		msgs = append(msgs, &tx.MsgSend{To: k.Address, Amount: tx.Coin{Amount: loadFunding, Denom: tx.DenomSCoin}})
	}
	for i, sd := range l.senders {
		sd.to = l.senders[(i+1)%len(l.senders)].addr
	}
	c := l.client(net.RPC())
	fctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if l.chainID, err = c.ChainID(fctx); err != nil {
		return nil, err
	}
	if _, err := c.Submit(fctx, treasury.Private, "fault suite load accounts", msgs...); err != nil {
		return nil, fmt.Errorf("fund the load accounts: %w", err)
	}
	if l.initial, err = l.snapshot(fctx, net.RPC()); err != nil {
		return nil, err
	}
	for _, sd := range l.senders {
		sd.next = l.initial.seqs[sd.addr]
		sd.decided.Store(sd.next)
		go sd.run(ctx)
	}
	return l, nil
}

func (l *load) client(url string) *client.Client {
	l.mu.Lock()
	defer l.mu.Unlock()
	if c, ok := l.clients[url]; ok {
		return c
	}
	c, err := client.New(url)
	if err != nil {
		panic(err) // only for a malformed URL, which the testnet never returns
	}
	// Proofs are verified from the testnet's genesis (every home has it).
	trust, err := client.TrustGenesisFile(node.GenesisFile(l.net.Validators[0].Home))
	if err == nil {
		err = c.SetTrust(trust)
	}
	if err != nil {
		panic(err) // the testnet wrote the genesis; unreadable means a broken run
	}
	l.clients[url] = c
	return c
}

// nodes lists the RPC URLs of the running validators.
func (l *load) nodes() []string {
	var out []string
	for _, v := range l.net.Validators {
		if v.Running() {
			out = append(out, v.RPCURL)
		}
	}
	return out
}

func (sd *sender) run(ctx context.Context) {
	for round := 0; ; round++ {
		if nodes := sd.l.nodes(); len(nodes) > 0 {
			// Rotate over the validators: one that is cut off or lagging
			// is only one of several ways in.
			sd.step(ctx, sd.l.client(nodes[(round+sd.idx)%len(nodes)]))
		}
		if !sleep(ctx, loadRound) {
			return
		}
	}
}

// step is one round against one node: decide what the node's committed
// state settles, sign new transfers up to the in-flight limit, and
// resubmit what is undecided.
func (sd *sender) step(ctx context.Context, c *client.Client) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if acc, err := c.Account(ctx, sd.addr); err == nil {
		sd.decide(ctx, c, acc.Sequence)
	}
	if sd.dead {
		return
	}
	due := false
	for len(sd.pending) < loadInFlight {
		amount := 1 + rand.Uint64N(loadMaxSend)
		raw, err := tx.Build(sd.key, sd.l.chainID, sd.next, "fault suite load", &tx.MsgSend{To: sd.to, Amount: tx.Coin{Amount: amount, Denom: tx.DenomSCoin}})
		if err != nil {
			sd.l.fail(fmt.Sprintf("build transfer %s seq %d: %v", sd.addr, sd.next, err))
			sd.dead = true
			return
		}
		h := tx.Hash(raw)
		sd.pending = append(sd.pending, &pendingTx{seq: sd.next, raw: raw, hash: h[:], amount: amount})
		sd.next++
		due = true
	}
	for _, p := range sd.pending {
		due = due || time.Since(p.sent) >= loadResend
	}
	if !due {
		return
	}
	// Resubmit every undecided one, in seq order, so a node that lost its
	// mempool gets them back in an order it can admit.
	for _, p := range sd.pending {
		p.sent = time.Now()
		_, err := c.Broadcast(ctx, p.raw)
		var te *client.TxError
		if errors.As(err, &te) && definite(te) {
			sd.l.fail(fmt.Sprintf("transfer %s seq %d rejected: %v", sd.addr, p.seq, te))
			sd.dead = true
			return
		}
		// Any other error (node unreachable, already in its cache, mempool
		// full, a wrong sequence while the mempool refills) is retried.
	}
}

// definite reports a rejection that resubmitting cannot change.
func definite(te *client.TxError) bool {
	switch {
	case errors.Is(te, tx.CodeAuthUnknownAccount) || errors.Is(te, tx.CodeAuthWrongSequence): // unknown account on a lagging node, wrong sequence
		return false
	case errors.Is(te, tx.CodeTxTooManyPending): // too many pending for the account
		return false
	}
	return true
}

// decide settles the pending transactions below the node's committed
// sequence: each was included (only this sender signs for the account, and
// it signed exactly one transaction per number), and the node's
// transaction index gives its height and result.
func (sd *sender) decide(ctx context.Context, c *client.Client, committed uint64) {
	for len(sd.pending) > 0 && sd.pending[0].seq < committed {
		p := sd.pending[0]
		res, err := c.RPC().Tx(ctx, p.hash, false)
		if err != nil {
			return // not indexed on this node yet: another round, maybe another node
		}
		hash := strings.ToUpper(hex.EncodeToString(p.hash))
		if tx.CodeAuthWrongSequence.Matches(res.TxResult.Codespace, res.TxResult.Code) {
			// A block held it ahead of an earlier sequence (a proposer's
			// mempool lists transactions in the order CheckTx answered,
			// which for RPC and peers at once is not always sequence
			// order); a wrong sequence consumes nothing, and the committed
			// sequence says the same bytes were included again later: the
			// index shows that result once this node has indexed it.
			return
		}
		if res.TxResult.Code != 0 {
			sd.l.fail(fmt.Sprintf("transfer %s seq %d (%s) failed in block %d: %s code %d: %s",
				sd.addr, p.seq, hash, res.Height, res.TxResult.Codespace, res.TxResult.Code, res.TxResult.Log))
		} else {
			sd.l.record(transfer{from: sd.addr, to: sd.to, amount: p.amount, seq: p.seq, height: res.Height, hash: hash})
		}
		sd.pending = sd.pending[1:]
		sd.decided.Store(p.seq + 1)
	}
}

func (l *load) record(tr transfer) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.committed[tr.from.String()] = append(l.committed[tr.from.String()], tr)
	l.lastH = max(l.lastH, tr.height)
	l.count++
}

func (l *load) fail(msg string) {
	l.log.Error(msg)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failures = append(l.failures, msg)
}

// committedCount is how many transfers committed so far.
func (l *load) committedCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.count
}

// lastHeight is the highest block a recorded transfer committed in.
func (l *load) lastHeight() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lastH
}

// snapshot is the load accounts' state at one height, every value proven
// against a signed header.
type snapshot struct {
	height   int64
	supply   uint64
	balances map[tx.Address]uint64
	seqs     map[tx.Address]uint64
}

func (l *load) snapshot(ctx context.Context, rpc string) (*snapshot, error) {
	c := l.client(rpc)
	proven := func(path string, data []byte, h int64) ([]byte, int64, error) {
		res, err := c.Query(ctx, path, data, h, true)
		if err != nil {
			return nil, 0, err
		}
		if _, err := c.Verify(ctx, res); err != nil {
			return nil, 0, fmt.Errorf("%s %s: proof not verified: %w", path, data, err)
		}
		return res.Value, res.Height, nil
	}
	v, h, err := proven("/bank/supply", []byte(tx.DenomSCoin), 0)
	if err != nil {
		return nil, err
	}
	snap := &snapshot{height: h, balances: map[tx.Address]uint64{}, seqs: map[tx.Address]uint64{}}
	if snap.supply, err = amount(v); err != nil {
		return nil, err
	}
	for _, sd := range l.senders {
		data, _ := json.Marshal(map[string]string{"address": sd.addr.String(), "denom": tx.DenomSCoin})
		v, _, err := proven("/bank/balance", data, h)
		if err != nil {
			return nil, err
		}
		if snap.balances[sd.addr], err = amount(v); err != nil {
			return nil, err
		}
		v, _, err = proven("/auth/account", []byte(sd.addr.String()), h)
		if err != nil {
			return nil, err
		}
		var acc client.Account
		if v != nil {
			if err := json.Unmarshal(v, &acc); err != nil {
				return nil, fmt.Errorf("account %s: %w", sd.addr, err)
			}
		}
		snap.seqs[sd.addr] = acc.Sequence
	}
	return snap, nil
}

// amount decodes a stored 8-byte big-endian amount (absent: 0).
func amount(v []byte) (uint64, error) {
	if v == nil {
		return 0, nil
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("stored amount is %d bytes, want 8", len(v))
	}
	n, err := strconv.ParseUint(hex.EncodeToString(v), 16, 64)
	return n, err
}

// reconcile waits until every transaction the snapshot's sequences count
// as included is decided, then checks that the balances are the initial
// ones plus exactly the committed transfers up to the snapshot's height,
// that no transfer failed or was rejected, and that the S-Coin supply is
// unchanged.
func (l *load) reconcile(ctx context.Context, snap *snapshot) error {
	for _, sd := range l.senders {
		for sd.decided.Load() < snap.seqs[sd.addr] {
			if !sleep(ctx, 100*time.Millisecond) {
				return fmt.Errorf("transfers of %s up to seq %d not decided (at %d): %w", sd.addr, snap.seqs[sd.addr], sd.decided.Load(), ctx.Err())
			}
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var errs []error
	for _, f := range l.failures[l.reported:] {
		errs = append(errs, errors.New(f))
	}
	l.reported = len(l.failures)
	want := map[tx.Address]uint64{}
	for a, b := range l.initial.balances {
		want[a] = b
	}
	applied := 0
	for _, sd := range l.senders {
		s0, s1 := l.initial.seqs[sd.addr], snap.seqs[sd.addr]
		trs := l.committed[sd.addr.String()]
		n := 0
		for _, tr := range trs {
			if tr.seq >= s1 {
				if tr.height <= snap.height {
					errs = append(errs, fmt.Errorf("transfer %s seq %d at height %d, but the account's sequence at height %d is %d", tr.hash, tr.seq, tr.height, snap.height, s1))
				}
				continue
			}
			if tr.height > snap.height {
				errs = append(errs, fmt.Errorf("transfer %s seq %d at height %d counted by the sequence at height %d", tr.hash, tr.seq, tr.height, snap.height))
			}
			want[tr.from] -= tr.amount
			want[tr.to] += tr.amount
			n++
		}
		if uint64(n) != s1-s0 {
			errs = append(errs, fmt.Errorf("sender %s: %d transfers recorded committed, its sequence went from %d to %d", sd.addr, n, s0, s1))
		}
		applied += n
	}
	for a, w := range want {
		if got := snap.balances[a]; got != w {
			errs = append(errs, fmt.Errorf("balance of %s at height %d: got %d uscn, want %d (initial plus %d committed transfers)", a, snap.height, got, w, applied))
		}
	}
	if snap.supply != l.initial.supply {
		errs = append(errs, fmt.Errorf("S-Coin supply at height %d: got %d, want %d (at height %d)", snap.height, snap.supply, l.initial.supply, l.initial.height))
	}
	return errors.Join(errs...)
}
