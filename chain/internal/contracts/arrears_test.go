package contracts_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	ics23 "github.com/cosmos/ics23/go"

	"github.com/citychain/citychain/chain/app"
	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// TestArrearsView (S7): every line of the arrears view is provable against
// the app hash, present (owed 0 too) or absent (owed 0, paid 0), and the
// tiers add up to the lines: prime, subcontract (owed, overdue and paid)
// and labour (the labour module's project totals).
func TestArrearsView(t *testing.T) {
	h := newChain(t, nil)
	m := newMsg("view-1")
	m.Milestones[0].Due = "2025-03-10"
	create(t, h, m)
	deliverApprove(t, h, "view-1", 0)
	h.RunOK("pay sub2", h.Sign(prime, &tx.MsgContractsPaySub{Contract: "view-1", Milestone: 0, Subcontractor: sub2.Addr}))
	next, _ := tx.ParseDate("due", "2025-03-11")
	h.Skip(time.Duration(next-nextTime(h)) * time.Second)
	h.Block() // sub1's instalment missed
	create(t, h, newMsg("view-2"))
	height := h.Height
	h.Block() // the queried height's app hash is the one FinalizeBlock returned for it

	want := map[string]tx.ArrearsLine{
		"prime":       {Contract: "view-1", Tier: tx.TierPrime, Party: prime.Addr, PaidKRW: 1_500_000},
		"sub1 missed": {Contract: "view-1", Tier: tx.TierSubcontract, Party: sub1.Addr, OwedKRW: 3_000_000, OverdueKRW: 3_000_000},
		"sub2 paid":   {Contract: "view-1", Tier: tx.TierSubcontract, Party: sub2.Addr, PaidKRW: 1_800_000},
	}
	for _, c := range []struct {
		name  string
		req   tx.ArrearsLineRequest
		found bool
	}{
		{"prime", tx.ArrearsLineRequest{Contract: "view-1", Tier: tx.TierPrime, Party: prime.Addr}, true},
		{"sub1 missed", tx.ArrearsLineRequest{Contract: "view-1", Tier: tx.TierSubcontract, Party: sub1.Addr}, true},
		{"sub2 paid", tx.ArrearsLineRequest{Contract: "view-1", Tier: tx.TierSubcontract, Party: sub2.Addr}, true},
		{"not a subcontractor", tx.ArrearsLineRequest{Contract: "view-1", Tier: tx.TierSubcontract, Party: sub3.Addr}, false},
		{"the prime in the subcontract tier", tx.ArrearsLineRequest{Contract: "view-1", Tier: tx.TierSubcontract, Party: prime.Addr}, false},
		{"nothing released yet", tx.ArrearsLineRequest{Contract: "view-2", Tier: tx.TierSubcontract, Party: sub1.Addr}, false},
		{"no such contract", tx.ArrearsLineRequest{Contract: "view-9", Tier: tx.TierPrime, Party: prime.Addr}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := h.Query("/contracts/line", apptest.MustJSON(t, c.req), height, true)
			var value []byte
			if c.found {
				apptest.RequireOK(t, "line", res)
				var l tx.ArrearsLine
				if err := json.Unmarshal(res.Value, &l); err != nil || l != want[c.name] {
					t.Fatalf("line %s (%v), want %+v", res.Value, err, want[c.name])
				}
				value = res.Value
			} else {
				apptest.RequireCode(t, "absent line", res, tx.CodeAppNotFound, "no value")
			}
			p := proofOf(t, res)
			if err := store.VerifyProof(h.Hashes[height], p, res.Key, value); err != nil {
				t.Fatalf("proof: %v", err)
			}
			if err := store.VerifyProof(h.Hashes[height+1], p, res.Key, value); err == nil {
				t.Error("the proof verifies against another height's app hash")
			}
			if c.found {
				tampered := bytes.Replace(bytes.Clone(value), []byte(`"paid_krw":`), []byte(`"paid_krw":1`), 1)
				if err := store.VerifyProof(h.Hashes[height], p, res.Key, tampered); err == nil {
					t.Error("a tampered line verifies")
				}
				if err := store.VerifyProof(h.Hashes[height], p, res.Key, nil); err == nil {
					t.Error("a present line verifies as absent")
				}
			} else if err := store.VerifyProof(h.Hashes[height], p, res.Key, []byte(`{}`)); err == nil {
				t.Error("an absence proof verifies as membership")
			}
		})
	}

	a := arrears(t, h, "view-1")
	wantTiers := []tx.ArrearsTier{
		{Tier: tx.TierPrime, PaidKRW: 1_500_000},
		{Tier: tx.TierSubcontract, OwedKRW: 3_000_000, OverdueKRW: 3_000_000, PaidKRW: 1_800_000},
		{Tier: tx.TierLabour},
	}
	if a.Contract != "view-1" || len(a.Tiers) != 3 {
		t.Fatalf("arrears %+v", a)
	}
	for i, w := range wantTiers {
		if a.Tiers[i] != w {
			t.Errorf("tier %d: %+v, want %+v", i, a.Tiers[i], w)
		}
	}

	// Bad requests name what was wrong.
	for _, c := range []struct {
		path, req, logHas string
	}{
		{"/contracts/line", `{"contract":"view-1","tier":"labour","party":"` + prime.Addr.String() + `"}`, "/labour/project_line"},
		{"/contracts/line", `{"contract":"View!","tier":"prime","party":"` + prime.Addr.String() + `"}`, "a-z"},
		{"/contracts/arrears", `{"id":"view-1","x":1}`, "unknown field"},
		{"/contracts/contracts", `{"limit":1001}`, "limit"},
	} {
		apptest.RequireCode(t, c.req, h.Query(c.path, []byte(c.req), 0, false), tx.CodeAppBadQuery, c.logHas)
	}
	apptest.RequireCode(t, "arrears of no contract", h.Query("/contracts/arrears", []byte(`{"id":"view-9"}`), 0, false), tx.CodeAppNotFound, "view-9")
}

// proofOf decodes the one ICS23 proof of a query answered with prove.
func proofOf(t *testing.T, res *abci.ResponseQuery) *ics23.CommitmentProof {
	t.Helper()
	if res.ProofOps == nil || len(res.ProofOps.Ops) != 1 {
		t.Fatalf("query %x: got proof ops %v, want exactly one", res.Key, res.ProofOps)
	}
	op := res.ProofOps.Ops[0]
	if op.Type != app.ProofOpType || !bytes.Equal(op.Key, res.Key) {
		t.Fatalf("proof op: got type %q key %x, want %q %x", op.Type, op.Key, app.ProofOpType, res.Key)
	}
	var p ics23.CommitmentProof
	if err := p.Unmarshal(op.Data); err != nil {
		t.Fatalf("decode proof: %v", err)
	}
	return &p
}
