package metering_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	dbm "github.com/cosmos/cosmos-db"

	"github.com/citychain/citychain/chain/app"
	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/metering"
	"github.com/citychain/citychain/chain/tx"
)

// Issue 16, item 2: nobody makes the validators verify readings for free.

// snapshot is what a refused or failed submit must leave as it was: the
// devices' metering states (raw JSON) and the settlement account.
func snapshot(t *testing.T, h *apptest.Harness) string {
	t.Helper()
	var b strings.Builder
	for _, id := range []string{inv.id, ev.id} {
		fmt.Fprintf(&b, "%s=%s\n", id, h.Query("/metering/device", []byte(id), 0, false).Value)
	}
	return b.String()
}

// TestSubmitNeedsSettlementRole: only the settlement relay submits
// readings. A citizen holding a device's next signed reading cannot relay
// it first (which would move the seller's energy into another interval);
// the message is refused before any reading is decoded or verified.
func TestSubmitNeedsSettlementRole(t *testing.T) {
	h := newHarness(t)
	submit(t, h, inv.read(t, 1, now(h), 1000))
	before := snapshot(t, h)
	next := inv.read(t, 2, now(h), 1500) // valid and new
	for _, k := range []apptest.Key{apptest.Alice, apptest.Installer, apptest.Authority} {
		h.RunFail("submit by "+k.Name, h.Sign(k, &tx.MsgSubmitReadings{Readings: []tx.HexBytes{next}}),
			tx.CodeMeteringNotSettlement, k.Addr.String(), tx.RoleSettlement)
	}
	if got := snapshot(t, h); got != before {
		t.Fatalf("state after refused submits:\n%s\nwant unchanged:\n%s", got, before)
	}
	if o := submit(t, h, next); o.accepted["inv-1/2"] != "500" {
		t.Fatalf("the settlement relay's submit of the same reading: got %v %v, want accepted", o.accepted, o.rejected)
	}
}

// TestNothingNewIsRefused: a batch whose readings are all replayed (here
// one copy of every accepted reading, and forgeries of old sequence
// numbers) is refused by CheckTx with metering/9 naming the count per
// reason; forced into a block by a byzantine proposer it fails there too
// and changes nothing but the relay's sequence. One new reading among the
// replays is enough for the batch to pass.
func TestNothingNewIsRefused(t *testing.T) {
	h := newHarness(t)
	t0 := now(h)
	old := []tx.HexBytes{inv.read(t, 1, t0, 1000), inv.read(t, 2, t0+1, 1500), ev.read(t, 1, t0, 42_000)}
	submit(t, h, old...)
	forged := inv.read(t, 2, t0+1, 9_999_999)
	forged[len(forged)-1] ^= 0x01
	replays := append(append([]tx.HexBytes{}, old...), forged)

	before := snapshot(t, h)
	seq := h.Seq(settler)
	raw := h.Sign(settler, &tx.MsgSubmitReadings{Readings: replays})
	apptest.RequireCode(t, "CheckTx of a replayed batch", h.CheckTx(raw), tx.CodeMeteringNoNewReadings,
		"none of the 4 readings", "replayed 4")
	// Run proposes it anyway (a byzantine proposer may): the block fails it.
	h.RunFail("replayed batch", raw, tx.CodeMeteringNoNewReadings, "replayed 4")
	if got := snapshot(t, h); got != before {
		t.Fatalf("state after a failed replayed batch:\n%s\nwant unchanged:\n%s", got, before)
	}
	if a, _ := h.Account(settler.Addr); a.Sequence != seq+1 {
		t.Fatalf("relay sequence after the failed batch in a block: got %d, want %d (consumed, as for any failed transaction)", a.Sequence, seq+1)
	}

	b := h.Block(h.Sign(settler, &tx.MsgSubmitReadings{Readings: append(replays, inv.read(t, 3, now(h), 1600))}))
	res := b.TxResult(0)
	apptest.RequireOK(t, "one new reading among replays", res)
	accepted, rejected := fates(res.Events)
	if accepted != 1 || rejected[metering.ReasonReplayed] != 4 || !apptest.HasEvent(res.Events, "metering.reading_accepted", "seq", "3", "delta", "100") {
		t.Fatalf("one new reading among replays: got %d accepted, rejected %v, want inv-1/3 accepted and 4 replayed", accepted, rejected)
	}
}

// fates counts the accepted readings and the rejected ones by reason.
func fates(evs []abci.Event) (accepted int, rejected map[string]int) {
	rejected = map[string]int{}
	for _, e := range evs {
		switch e.Type {
		case "metering.reading_accepted":
			accepted++
		case "metering.reading_rejected":
			for _, a := range e.Attributes {
				if a.Key == "reason" {
					rejected[a.Value]++
				}
			}
		}
	}
	return accepted, rejected
}

// TestReplayedReadingsAreNotVerified: a reading at or below the device's
// last accepted sequence is rejected as replayed before its signature is
// looked at (a broken signature still says replayed, not bad_signature),
// and a second copy of the same bytes in one message as duplicate; neither
// changes anything.
func TestReplayedReadingsAreNotVerified(t *testing.T) {
	h := newHarness(t)
	submit(t, h, inv.read(t, 5, now(h), 1000))
	before := state(t, h, inv.id)

	broken := inv.read(t, 5, now(h), 1000)
	broken[len(broken)-1] ^= 0x01
	older := inv.read(t, 3, now(h), 999_999)
	older[len(older)-2] ^= 0x10
	newer := inv.read(t, 6, now(h), 1200)
	o := submit(t, h, broken, older, newer, newer)
	if o.rejected["inv-1/5"] != metering.ReasonReplayed || o.rejected["inv-1/3"] != metering.ReasonReplayed {
		t.Fatalf("replayed readings with broken signatures: got %v, want replayed (not verified)", o.rejected)
	}
	if o.accepted["inv-1/6"] != "200" {
		t.Fatalf("the new reading: got accepted %v, want delta 200", o.accepted)
	}
	// The second copy of seq 6 comes out as duplicate (its events share the
	// key "inv-1/6" with the accepted one, so count the rejection events).
	b := h.Block(h.Sign(settler, &tx.MsgSubmitReadings{Readings: []tx.HexBytes{inv.read(t, 7, now(h), 1300), broken, broken}}))
	res := b.TxResult(0)
	apptest.RequireOK(t, "batch with a duplicate", res)
	if !apptest.HasEvent(res.Events, "metering.reading_rejected", "seq", "5", "reason", metering.ReasonReplayed) ||
		!apptest.HasEvent(res.Events, "metering.reading_rejected", "seq", "5", "reason", metering.ReasonDuplicate) {
		t.Fatalf("events %v: want the first copy replayed and the second duplicate", res.Events)
	}
	st := state(t, h, inv.id)
	if st.Seq != 7 || st.Value != 1300 || st.Accepted != before.Accepted+2 || st.Fraud != nil {
		t.Fatalf("state: got %+v, want seq 7, value 1300, two more accepted", st)
	}
}

// TestKnownRollbackIsNotEvidence: a rollback counts in the fraud flag
// once. Relaying the same signed rollback again, or an older one, is no new
// evidence: the batch is refused (so it cannot be used to get a batch of
// junk admitted), the flag's count stays, and a cleared flag is not raised
// again by old evidence. A newer rollback counts.
func TestKnownRollbackIsNotEvidence(t *testing.T) {
	h := newHarness(t)
	submit(t, h, ev.read(t, 1, now(h), 100_000))
	rb := ev.read(t, 3, now(h), 90_000)
	if o := submit(t, h, rb); o.rejected["ev-1/3"] != metering.ReasonRolledBack {
		t.Fatalf("first rollback: got %v", o.rejected)
	}
	st := state(t, h, ev.id)
	if st.Fraud == nil || st.Fraud.Count != 1 || st.LastRollbackSeq != 3 {
		t.Fatalf("after the rollback: got %+v (fraud %+v), want count 1 and last_rollback_seq 3", st, st.Fraud)
	}
	before := snapshot(t, h)
	older := ev.read(t, 2, now(h), 80_000)
	h.RunFail("the same rollback again", h.Sign(settler, &tx.MsgSubmitReadings{Readings: []tx.HexBytes{rb, older}}),
		tx.CodeMeteringNoNewReadings, metering.ReasonKnownRollback+" 2")
	if got := snapshot(t, h); got != before {
		t.Fatalf("state after replaying known rollbacks:\n%s\nwant unchanged:\n%s", got, before)
	}

	h.RunOK("clear the flag", h.Sign(apptest.Registrar, &tx.MsgClearFraud{Device: ev.id, Reason: "meter inspected"}))
	h.RunFail("old rollback after the clear", h.Sign(settler, &tx.MsgSubmitReadings{Readings: []tx.HexBytes{rb}}),
		tx.CodeMeteringNoNewReadings, metering.ReasonKnownRollback+" 1")
	if st := state(t, h, ev.id); st.Fraud != nil {
		t.Fatalf("a cleared flag raised again by old evidence: %+v", st.Fraud)
	}

	// Two new rollbacks in one message, the higher first: it counts, the
	// lower one is then known.
	o := submit(t, h, ev.read(t, 6, now(h), 70_000), ev.read(t, 5, now(h), 60_000))
	if o.rejected["ev-1/6"] != metering.ReasonRolledBack || o.rejected["ev-1/5"] != metering.ReasonKnownRollback {
		t.Fatalf("two rollbacks: got %v, want seq 6 rolled_back and seq 5 known_rollback", o.rejected)
	}
	if st := state(t, h, ev.id); st.Fraud == nil || st.Fraud.Count != 1 || st.Fraud.Seq != 6 || st.LastRollbackSeq != 6 {
		t.Fatalf("after the new rollbacks: got %+v (fraud %+v), want a new flag at seq 6 counting 1", st, st.Fraud)
	}
}

// TestReadingLimitsGenesis: the reading bounds are checked at genesis and a
// wrong one is named with the range wanted.
func TestReadingLimitsGenesis(t *testing.T) {
	cases := []struct {
		name      string
		perTx     uint64
		perBlock  uint64
		wantInErr string
	}{
		{"per tx below one message", tx.MaxReadingsPerMsg - 1, 6000, "max_readings_per_tx 149: want 150"},
		{"per tx too high", metering.MaxMaxReadingsPerTx + 1, 6000, "max_readings_per_tx 1001"},
		{"per block below per tx", 300, 299, "max_readings_per_block 299: want max_readings_per_tx (300"},
		{"per block too high", 150, metering.MaxMaxReadingsPerBlock + 1, "max_readings_per_block 100001"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := apptest.BuildAppState(apptest.DemoAccounts(), nil)
			st.Metering.Params.MaxReadingsPerTx, st.Metering.Params.MaxReadingsPerBlock = c.perTx, c.perBlock
			a, err := app.New(dbm.NewMemDB(), app.Config{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			_, err = a.InitChain(context.Background(), &abci.RequestInitChain{
				ChainId: apptest.ChainID, Time: apptest.GenesisTime, InitialHeight: 1, AppStateBytes: apptest.MustJSON(t, st),
			})
			if err == nil || !strings.Contains(err.Error(), c.wantInErr) {
				t.Fatalf("InitChain: got %v, want an error naming %q", err, c.wantInErr)
			}
		})
	}
	// The defaults, and a genesis without the fields, load.
	p := metering.DefaultParams()
	if p.MaxReadingsPerTx != tx.MaxReadingsPerMsg || p.MaxReadingsPerBlock != 40*tx.MaxReadingsPerMsg {
		t.Fatalf("defaults: got %+v", p)
	}
	raw := apptest.MustJSON(t, map[string]any{"metering": json.RawMessage(`{"params":{"interval_seconds":60,"max_future_skew_seconds":30}}`)})
	h := apptest.New(t, apptest.Options{AppState: raw})
	h.Block()
	res := h.Query("/metering/params", nil, 0, false)
	if !bytes.Contains(res.Value, []byte(`"max_readings_per_tx":150`)) || !bytes.Contains(res.Value, []byte(`"max_readings_per_block":6000`)) {
		t.Fatalf("params of a genesis without the bounds: got %s, want the defaults", res.Value)
	}
}
