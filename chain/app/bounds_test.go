package app_test

import (
	"bytes"
	"fmt"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/citychain/citychain/chain/app"
	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/tx"
)

// TestCheckTxPendingCap: one account may have at most MaxPendingPerAccount
// transactions in the mempool; the next is rejected with tx/10 while
// another account still gets in; a commit releases the count, and so does a
// recheck that evicts pending transactions.
func TestCheckTxPendingCap(t *testing.T) {
	const limit = 5
	h := apptest.New(t, apptest.Options{Config: app.Config{MaxPendingPerAccount: limit}})
	h.Block()
	for i := range limit {
		apptest.RequireOK(t, fmt.Sprintf("alice pending %d", i), h.Submit(h.Sign(alice, send(bob.Addr, apptest.SCN(1)))))
	}
	over := h.Sign(alice, send(bob.Addr, apptest.SCN(1)))
	apptest.RequireCode(t, "alice over the cap", h.Submit(over), tx.CodeTxTooManyPending,
		"account "+alice.Addr.String()+" has 5 transactions pending in the mempool (limit 5); wait for a block")
	// The rejection consumed nothing: the same bytes pass once there is room.
	apptest.RequireOK(t, "bob is not capped by alice", h.Submit(h.Sign(bob, send(alice.Addr, apptest.SCN(1)))))

	b := h.Block()
	if len(b.Txs) != limit+1 {
		t.Fatalf("block: got %d txs, want alice's %d and bob's", len(b.Txs), limit)
	}
	if len(h.Mempool()) != 0 {
		t.Fatalf("mempool after the block: %d txs left", len(h.Mempool()))
	}
	apptest.RequireOK(t, "alice's rejected tx after the commit", h.Submit(over))
	for i := 1; i < limit; i++ {
		apptest.RequireOK(t, fmt.Sprintf("alice pending %d after the commit", i), h.Submit(h.Sign(alice, send(bob.Addr, apptest.SCN(1)))))
	}
	apptest.RequireCode(t, "alice over the cap again", h.CheckTx(h.Sign(alice, send(bob.Addr, apptest.SCN(1)))), tx.CodeTxTooManyPending)

	// Another proposer's block uses the sequence of alice's first pending
	// transaction, so the recheck evicts it: her other four stay and count,
	// leaving room for exactly one more.
	committed, _ := h.Account(alice.Addr)
	other := apptest.SignSeq(t, alice, apptest.ChainID, committed.Sequence, send(apptest.Stranger.Addr, apptest.SCN(1)))
	pb := h.ProposeBlock([][]byte{other})
	apptest.RequireOK(t, "other proposer's tx", pb.TxResult(0))
	if dropped := h.Recheck(pb.Txs); len(dropped) != 1 || !bytes.Equal(dropped[0], over) {
		t.Fatalf("recheck dropped %d txs, want alice's stale one", len(dropped))
	}
	h.SetSeq(alice, committed.Sequence+limit)
	apptest.RequireOK(t, "alice's fifth after the eviction", h.Submit(h.Sign(alice, send(bob.Addr, apptest.SCN(1)))))
	apptest.RequireCode(t, "alice over the cap after the eviction", h.CheckTx(h.Sign(alice, send(bob.Addr, apptest.SCN(1)))), tx.CodeTxTooManyPending, "has 5 transactions pending")
	if b := h.Block(); len(b.Txs) != limit {
		t.Fatalf("block after the eviction: got %d txs, want alice's %d", len(b.Txs), limit)
	}
}

// TestCheckTxPendingCapDefault: the default cap is 50.
func TestCheckTxPendingCapDefault(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	for i := range app.DefaultMaxPendingPerAccount {
		apptest.RequireOK(t, fmt.Sprintf("pending %d", i), h.Submit(h.Sign(alice, send(bob.Addr, apptest.SCN(1)))))
	}
	apptest.RequireCode(t, "51st", h.CheckTx(h.Sign(alice, send(bob.Addr, apptest.SCN(1)))), tx.CodeTxTooManyPending, "has 50 transactions pending", "(limit 50)")
}

// TestProposalUnknownSigner: a transaction whose signer has no committed
// account never gets into a block. PrepareProposal drops it (also when an
// earlier mempool transaction creates the account: it waits for the next
// block), ProcessProposal rejects a proposal carrying it, and an honest
// proposal is accepted by every other validator.
func TestProposalUnknownSigner(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	h.Block()
	stranger := apptest.Stranger
	unknown := apptest.SignSeq(t, stranger, apptest.ChainID, 0, send(alice.Addr, apptest.SCN(1)))
	good := h.Sign(alice, send(bob.Addr, apptest.SCN(1)))
	apptest.RequireOK(t, "alice's tx", h.Submit(good))
	apptest.RequireCode(t, "CheckTx of an unknown signer", h.CheckTx(unknown), tx.CodeAuthUnknownAccount, stranger.Addr.String())
	if st := h.ProcessProposal([][]byte{good, unknown}); st != abci.ResponseProcessProposal_REJECT {
		t.Errorf("ProcessProposal with an unknown signer: got %v, want REJECT", st)
	}
	if st := h.ProcessProposal([][]byte{good}); st != abci.ResponseProcessProposal_ACCEPT {
		t.Errorf("ProcessProposal without it: got %v, want ACCEPT", st)
	}

	// Funding the stranger and its first transaction, both in the mempool:
	// the stranger's waits one block.
	fund := h.Sign(alice, send(stranger.Addr, apptest.SCN(5)))
	apptest.RequireOK(t, "fund", h.Submit(fund))
	apptest.RequireOK(t, "stranger's tx admitted by the mempool view", h.Submit(unknown))
	b := h.Block()
	if len(b.Txs) != 2 || !bytes.Equal(b.Txs[0], good) || !bytes.Equal(b.Txs[1], fund) {
		t.Fatalf("first block: got %d txs, want alice's two (the stranger's dropped)", len(b.Txs))
	}
	if m := h.Mempool(); len(m) != 1 || !bytes.Equal(m[0], unknown) {
		t.Fatalf("mempool after the first block: %d txs, want the stranger's", len(m))
	}
	b = h.Block()
	if len(b.Txs) != 1 || !bytes.Equal(b.Txs[0], unknown) {
		t.Fatalf("second block: got %d txs, want the stranger's", len(b.Txs))
	}
	apptest.RequireOK(t, "stranger's tx once its account is committed", b.TxResult(0))

	// A byzantine majority's block with an unknown signer still executes
	// nothing for it.
	other := apptest.NewKey("never-funded")
	res := h.Deliver([][]byte{apptest.SignSeq(t, other, apptest.ChainID, 0, send(alice.Addr, apptest.SCN(1)))})
	apptest.RequireCode(t, "FinalizeBlock of an unknown signer", res.TxResults[0], tx.CodeAuthUnknownAccount)
	if _, ok := h.Account(other.Addr); ok {
		t.Error("an unknown signer's delivered tx created its account")
	}
}
