package app_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/edge/reading"
	"github.com/citychain/citychain/edge/reading/readingtest"
)

// Issue 16, item 2: the signed readings of a transaction and of a block are
// bounded (metering params max_readings_per_tx, max_readings_per_block),
// so no transaction and no block costs the validators more signature
// verifications than that.

var (
	relay1 = apptest.NewKey("relay1")
	relay2 = apptest.NewKey("relay2")
)

// readingsChain has two settlement relays and tx.MaxReadingsPerMsg
// registered inverters, with a block budget of two full messages.
type readingsChain struct {
	*apptest.Harness
	keys []ed25519.PrivateKey
}

func newReadingsChain(t *testing.T) *readingsChain {
	t.Helper()
	accts := append(apptest.DemoAccounts(),
		apptest.Account{Key: relay1, Roles: []string{tx.RoleSettlement}, Coins: []tx.Coin{apptest.SCN(1)}},
		apptest.Account{Key: relay2, Roles: []string{tx.RoleSettlement}, Coins: []tx.Coin{apptest.SCN(1)}})
	c := &readingsChain{}
	var devs []tx.MsgDeviceRegister
	for i := range tx.MaxReadingsPerMsg {
		k := readingtest.Key(fmt.Sprintf("app-readings/%d", i))
		c.keys = append(c.keys, k)
		devs = append(devs, tx.MsgDeviceRegister{ID: fmt.Sprintf("inv-%03d", i), Kind: tx.KindSolarInverter,
			Owner: apptest.Alice.Addr, PubKey: tx.PubKey(k.Public().(ed25519.PublicKey))})
	}
	st := apptest.BuildAppState(accts, devs)
	st.Metering.Params.MaxReadingsPerBlock = 2 * tx.MaxReadingsPerMsg
	c.Harness = apptest.New(t, apptest.Options{AppState: apptest.MustJSON(t, st)})
	c.Block() // the genesis state committed: queries and sequences work
	return c
}

// batch is one full message: reading seq of every inverter, valid and new
// until a batch with that seq is applied.
func (c *readingsChain) batch(t *testing.T, seq uint64) *tx.MsgSubmitReadings {
	t.Helper()
	ms := c.BlockTime(c.Height+1).UnixMilli() - 1000
	m := &tx.MsgSubmitReadings{}
	for i, k := range c.keys {
		m.Readings = append(m.Readings, readingtest.Wire(t, k, reading.Reading{
			DeviceID: fmt.Sprintf("inv-%03d", i), KeyEpoch: 1, Seq: seq, TimeMs: ms, Kind: reading.KindEnergyWh, Value: 1000 * seq,
		}))
	}
	return m
}

// TestReadingsPerTxBound: a transaction carrying more than
// max_readings_per_tx readings (two full messages) is refused by CheckTx
// with metering/10, left out of the proposal, and a proposal carrying it
// is rejected; one full message passes.
func TestReadingsPerTxBound(t *testing.T) {
	c := newReadingsChain(t)
	seq := c.Seq(relay1)
	over := c.Sign(relay1, c.batch(t, 1), &tx.MsgSubmitReadings{Readings: c.batch(t, 2).Readings[:1]})
	apptest.RequireCode(t, "CheckTx of 151 readings", c.CheckTx(over), tx.CodeMeteringTooManyReadings,
		"151 signed readings, limit 150")
	c.SetSeq(relay1, seq)
	prep, err := c.App.PrepareProposal(context.Background(), &abci.RequestPrepareProposal{
		MaxTxBytes: apptest.MaxBlockTxBytes, Txs: [][]byte{over}, Height: c.Height + 1, Time: c.BlockTime(c.Height + 1),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(prep.Txs) != 0 {
		t.Errorf("PrepareProposal kept a transaction over max_readings_per_tx")
	}
	if st := c.ProcessProposal([][]byte{over}); st != abci.ResponseProcessProposal_REJECT {
		t.Errorf("ProcessProposal of a transaction over max_readings_per_tx: got %v, want REJECT", st)
	}
	c.RunOK("one full message", c.Sign(relay1, c.batch(t, 1)))
}

// TestProposalReadingsBudget: PrepareProposal keeps the block's readings
// within max_readings_per_block. A readings transaction that would pass it
// is left out, with every later transaction of its signer (their
// sequences follow), while other signers' transactions after it are still
// included; what was left out goes into the next block. ProcessProposal
// rejects a block over the budget.
func TestProposalReadingsBudget(t *testing.T) {
	c := newReadingsChain(t)
	a1 := c.Sign(relay1, c.batch(t, 1))
	b1 := c.Sign(relay2, c.batch(t, 2))
	a2 := c.Sign(relay1, c.batch(t, 3))                                       // a third full message: over the budget
	transfer := c.Sign(apptest.Bob, send(apptest.Alice.Addr, apptest.SCN(1))) // another signer: still in
	a3 := c.Sign(relay1, send(apptest.Alice.Addr, apptest.SCN(1)))            // relay1's next: waits with a2
	for _, raw := range [][]byte{a1, b1, a2, transfer, a3} {
		apptest.RequireOK(t, "CheckTx", c.Submit(raw))
	}
	if st := c.ProcessProposal([][]byte{a1, b1, a2}); st != abci.ResponseProcessProposal_REJECT {
		t.Errorf("ProcessProposal of 450 readings with a budget of 300: got %v, want REJECT", st)
	}

	b := c.Block() // PrepareProposal, ProcessProposal (must accept), FinalizeBlock, Commit, recheck
	if !equalTxs(b.Txs, [][]byte{a1, b1, transfer}) {
		t.Fatalf("first block: got %d transactions, want relay1's first batch, relay2's batch and bob's send", len(b.Txs))
	}
	for i := range b.Txs {
		apptest.RequireOK(t, fmt.Sprintf("first block, tx %d", i), b.TxResult(i))
	}
	if m := c.Mempool(); !equalTxs(m, [][]byte{a2, a3}) {
		t.Fatalf("mempool after the first block: got %d transactions, want relay1's two that were left out", len(m))
	}
	b = c.Block()
	if !equalTxs(b.Txs, [][]byte{a2, a3}) {
		t.Fatalf("second block: got %d transactions, want relay1's two left out before", len(b.Txs))
	}
	for i := range b.Txs {
		apptest.RequireOK(t, fmt.Sprintf("second block, tx %d", i), b.TxResult(i))
	}
}
