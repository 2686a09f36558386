package app_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// genBlocks generates n blocks of transactions (only the ones a proposal
// may carry: they decode and verify) from seed.
func genBlocks(t *testing.T, seed uint64, n int) [][][]byte {
	g := newGenerator(t, seed)
	out := make([][][]byte, n)
	for i := range out {
		for _, st := range g.block(12) {
			if !st.want.dropped {
				out[i] = append(out[i], st.raw)
			}
		}
	}
	return out
}

// TestDeterminism replays the same blocks into two fresh in-memory apps,
// one through the full proposal path and one as a replaying node does, and
// into a third on disk that is closed and reopened halfway: the app hash is
// the same at every height, and so are the transaction results.
func TestDeterminism(t *testing.T) {
	n := 40
	if testing.Short() {
		n = 16
	}
	blocks := genBlocks(t, 7, n)
	a := newSimHarness(t, "")
	b := newSimHarness(t, "")
	c := newSimHarness(t, t.TempDir())
	if !bytes.Equal(a.GenesisHash, b.GenesisHash) || !bytes.Equal(a.GenesisHash, c.GenesisHash) {
		t.Fatalf("genesis app hashes differ: %X %X %X", a.GenesisHash, b.GenesisHash, c.GenesisHash)
	}
	for i, txs := range blocks {
		ra := a.ProposeBlock(txs).Result
		rb := b.Deliver(txs)
		if i == n/2 {
			c.Reopen()
			info := c.Info()
			if info.LastBlockHeight != int64(i) || !bytes.Equal(info.LastBlockAppHash, a.Hashes[int64(i)]) {
				t.Fatalf("reopened app: Info got height %d hash %X, want %d %X", info.LastBlockHeight, info.LastBlockAppHash, i, a.Hashes[int64(i)])
			}
		}
		rc := c.Deliver(txs)
		height := int64(i + 1)
		if !bytes.Equal(ra.AppHash, rb.AppHash) || !bytes.Equal(ra.AppHash, rc.AppHash) {
			t.Fatalf("height %d: app hashes differ: %X %X %X", height, ra.AppHash, rb.AppHash, rc.AppHash)
		}
		for j := range txs {
			x, y, z := ra.TxResults[j], rb.TxResults[j], rc.TxResults[j]
			if x.Code != y.Code || x.Code != z.Code || x.Log != y.Log || x.Log != z.Log || len(x.Events) != len(z.Events) {
				t.Fatalf("height %d tx %d: results differ: %v / %v / %v", height, j, apptest.Of(x), apptest.Of(y), apptest.Of(z))
			}
			if !bytes.Equal(mustMarshal(t, x), mustMarshal(t, y)) || !bytes.Equal(mustMarshal(t, x), mustMarshal(t, z)) {
				t.Fatalf("height %d tx %d: encoded results differ", height, j)
			}
		}
	}
	// A different history gives a different hash (the test can fail).
	d := newSimHarness(t, "")
	for _, txs := range genBlocks(t, 8, 3) {
		d.Deliver(txs)
	}
	if bytes.Equal(d.Hashes[3], a.Hashes[3]) {
		t.Error("two different histories end in the same app hash")
	}
}

type marshaler interface{ Marshal() ([]byte, error) }

func mustMarshal(t *testing.T, m marshaler) []byte {
	t.Helper()
	b, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestBlockTimeIsState: the same transactions at a different block time
// give a different app hash (the time is stored), and the same time the
// same hash.
func TestBlockTimeIsState(t *testing.T) {
	a := apptest.New(t, apptest.Options{})
	b := apptest.New(t, apptest.Options{})
	a.Deliver(nil)
	b.Deliver(nil)
	if !bytes.Equal(a.Hashes[1], b.Hashes[1]) {
		t.Fatal("same empty block, different hashes")
	}
	c := apptest.New(t, apptest.Options{})
	other, err := c.App.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Height: 1, Time: apptest.BlockTime(1).Add(time.Nanosecond)})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(other.AppHash, a.Hashes[1]) {
		t.Error("a different block time gives the same app hash")
	}
	res := a.Query("/store", []byte{0x00, 0x02}, 1, false)
	if got := int64(binary.BigEndian.Uint64(res.Value)); got != apptest.BlockTime(1).UnixNano() {
		t.Errorf("stored block time: got %d, want %d", got, apptest.BlockTime(1).UnixNano())
	}
}

// TestRestart commits blocks on disk, closes and reopens: Info reports the
// same height and app hash, queries answer the same at every height, proofs
// still verify, and the chain goes on.
func TestRestart(t *testing.T) {
	dir := t.TempDir()
	h := newSimHarness(t, dir)
	const n = 12
	for _, txs := range genBlocks(t, 3, n) {
		h.Block(txs...)
	}
	type answer struct {
		code  uint32
		value []byte
	}
	queries := []struct {
		path string
		data []byte
	}{
		{"/bank/balance", apptest.BalanceRequest(apptest.Treasury.Addr, tx.DenomSCoin)},
		{"/bank/supply", []byte(tx.DenomKRW)},
		{"/bank/balances", []byte(alice.Addr.String())},
		{"/auth/account", []byte(simUsers[1].Addr.String())},
		{"/auth/members", []byte(tx.RoleInstaller)},
		{"/devices/device", []byte("g0")},
		{"/devices/by_owner", []byte(simUsers[0].Addr.String())},
	}
	ask := func() map[int64][]answer {
		out := map[int64][]answer{}
		for height := int64(1); height <= n; height++ {
			for _, q := range queries {
				r := h.Query(q.path, q.data, height, false)
				out[height] = append(out[height], answer{r.Code, r.Value})
			}
		}
		return out
	}
	before := ask()
	hash := h.Hashes[n]
	h.Reopen()
	info := h.Info()
	if info.LastBlockHeight != n || !bytes.Equal(info.LastBlockAppHash, hash) {
		t.Fatalf("after reopen: Info got height %d hash %X, want %d %X", info.LastBlockHeight, info.LastBlockAppHash, n, hash)
	}
	after := ask()
	for height := int64(1); height <= n; height++ {
		for i, q := range queries {
			x, y := before[height][i], after[height][i]
			if x.code != y.code || !bytes.Equal(x.value, y.value) {
				t.Errorf("height %d %s: got %d %s after reopen, want %d %s", height, q.path, y.code, y.value, x.code, x.value)
			}
		}
	}
	res := h.Query("/devices/device", []byte("g0"), 5, true)
	if err := store.VerifyProof(h.Hashes[5], proofOf(t, res), res.Key, res.Value); err != nil {
		t.Errorf("proof at height 5 after reopen: %v", err)
	}
	// The chain goes on: the mempool view starts from the committed state.
	b := h.Block(h.Sign(alice, send(bob.Addr, apptest.SCN(1))))
	apptest.RequireOK(t, "send after restart", b.TxResult(0))
	if b.Height != n+1 {
		t.Errorf("first block after restart: got height %d, want %d", b.Height, n+1)
	}
}

// TestCrashBeforeCommit: a crash after FinalizeBlock and before Commit
// loses the staged block; Info reports the previous height, so CometBFT
// replays the block, and FinalizeBlock then gives the same app hash.
func TestCrashBeforeCommit(t *testing.T) {
	dir := t.TempDir()
	h := newSimHarness(t, dir)
	blocks := genBlocks(t, 11, 6)
	for _, txs := range blocks[:5] {
		h.Deliver(txs)
	}
	committed := bytes.Clone(h.Hashes[5])
	staged := bytes.Clone(h.Finalize(blocks[5]).AppHash)
	// Staged state is invisible to queries and to Info.
	if info := h.Info(); info.LastBlockHeight != 5 || !bytes.Equal(info.LastBlockAppHash, committed) {
		t.Fatalf("Info between FinalizeBlock and Commit: got %d %X, want 5 %X", info.LastBlockHeight, info.LastBlockAppHash, committed)
	}
	if res := h.Query("/bank/supply", []byte(tx.DenomSCoin), 0, false); res.Height != 5 {
		t.Fatalf("query between FinalizeBlock and Commit answered at height %d, want 5", res.Height)
	}
	h.Reopen() // the crash: nothing of block 6 was committed
	info := h.Info()
	if info.LastBlockHeight != 5 || !bytes.Equal(info.LastBlockAppHash, committed) {
		t.Fatalf("Info after the crash: got height %d hash %X, want 5 %X", info.LastBlockHeight, info.LastBlockAppHash, committed)
	}
	if got := h.Finalize(blocks[5]).AppHash; !bytes.Equal(got, staged) {
		t.Fatalf("replayed block 6: app hash %X, before the crash %X", got, staged)
	}
	h.Commit()
	// The same history without a crash ends in the same state.
	ref := newSimHarness(t, "")
	for _, txs := range blocks {
		ref.Deliver(txs)
	}
	if !bytes.Equal(ref.Hashes[6], h.Hashes[6]) {
		t.Fatalf("height 6: crashed-and-replayed %X, uninterrupted %X", h.Hashes[6], ref.Hashes[6])
	}
}
