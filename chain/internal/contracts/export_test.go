package contracts_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/bank"
	"github.com/citychain/citychain/chain/internal/contracts"
	"github.com/citychain/citychain/chain/tx"
)

// lateParams change the late rate on 2025-04-01 and mark one due
// instalment per block.
func lateParams() *tx.ContractsParams {
	return &tx.ContractsParams{
		LateRates: []tx.LabourRule{
			{Kind: tx.RuleLateInterest, Effective: "2000-01-01", Value: 15_500},
			{Kind: tx.RuleLateInterest, Effective: "2025-04-01", Value: 12_000},
		},
		MaxDuePerBlock: 1,
	}
}

// busy runs three contracts through every kind of state: milestones
// open, delivered, approved, frozen delivered and undelivered, released
// and refunded by the arbiter; instalments unpaid, missed, paid late
// across a rate change; subcontractors direct on each ground.
func busy(t *testing.T) *apptest.Harness {
	t.Helper()
	h := newChain(t, contracts.Genesis{Params: lateParams()})
	a := newMsg("a-1")
	a.Milestones[0].Due = "2025-03-05"
	create(t, h, a)
	create(t, h, newMsg("b-1"))
	create(t, h, newMsg("c-1"))
	deliverApprove(t, h, "a-1", 0)
	h.RunOK("deliver a-1/1", h.Sign(prime, deliverMsg("a-1", 1)))
	h.RunOK("dispute a-1/2", h.Sign(owner, &tx.MsgContractsDispute{Contract: "a-1", Milestone: 2, Reason: hash("a")}))
	for _, k := range []apptest.Key{owner, prime, sub1} {
		h.RunOK("agree", h.Sign(k, &tx.MsgContractsAgreeDirect{Contract: "b-1", Subcontractor: sub1.Addr}))
	}
	h.RunOK("agree", h.Sign(owner, &tx.MsgContractsAgreeDirect{Contract: "b-1", Subcontractor: sub2.Addr}))
	deliverApprove(t, h, "b-1", 0)
	h.RunOK("attest", h.Sign(court, &tx.MsgContractsAttest{Contract: "b-1", Ground: tx.GroundInsolvency, Evidence: hash("court")}))
	h.RunOK("dispute b-1/1", h.Sign(sub2, &tx.MsgContractsDispute{Contract: "b-1", Milestone: 1, Reason: hash("b")}))
	h.RunOK("refund b-1/1", h.Sign(arbiter, &tx.MsgContractsResolve{Contract: "b-1", Milestone: 1, Outcome: tx.OutcomeRefund}))
	h.RunOK("deliver b-1/2", h.Sign(prime, deliverMsg("b-1", 2)))
	h.RunOK("dispute b-1/2", h.Sign(supervisor, &tx.MsgContractsDispute{Contract: "b-1", Milestone: 2, Reason: hash("b2")}))
	h.RunOK("release b-1/2", h.Sign(arbiter, &tx.MsgContractsResolve{Contract: "b-1", Milestone: 2, Outcome: tx.OutcomeRelease}))
	h.RunOK("attest", h.Sign(guarantor, &tx.MsgContractsAttest{Contract: "c-1", Ground: tx.GroundGuaranteeBreach, Evidence: hash("g")}))
	h.RunOK("request", h.Sign(sub2, &tx.MsgContractsRequestDirect{Contract: "c-1", Ground: tx.GroundGuaranteeBreach}))
	deliverApprove(t, h, "c-1", 0)
	h.Skip(days(40)) // every instalment so far missed, one a block
	for range 5 {
		h.Block()
	}
	h.RunOK("pay late", h.Sign(prime, &tx.MsgContractsPaySub{Contract: "a-1", Milestone: 0, Subcontractor: sub2.Addr}))
	deliverApprove(t, h, "c-1", 1) // owed to sub1, not yet due
	return h
}

// TestExportRoundTrip: export → import → export gives the same bytes; the
// section holds the parameters set at genesis and the state in key order,
// and the import rebuilds the due queue (App.Export checks every key).
func TestExportRoundTrip(t *testing.T) {
	h := busy(t)
	exp, sections := h.ExportSections(t)
	g := apptest.DecodeSection[contracts.Genesis](t, sections, contracts.Codespace)
	if g.Params == nil || len(g.Params.LateRates) != 2 || len(g.Contracts) != 3 || len(g.Instalments) == 0 || len(g.Lines) == 0 {
		t.Fatalf("exported %+v", g)
	}
	var paidLate, missedUnpaid, unpaid bool
	for _, in := range g.Instalments {
		paidLate = paidLate || in.PaidAt != 0 && in.InterestKRW > 0
		missedUnpaid = missedUnpaid || in.Missed && in.PaidAt == 0
		unpaid = unpaid || !in.Missed && in.PaidAt == 0
	}
	if !paidLate || !missedUnpaid || !unpaid {
		t.Errorf("the busy chain lacks an instalment state (paid late %v, missed unpaid %v, unpaid %v): %+v", paidLate, missedUnpaid, unpaid, g.Instalments)
	}
	imported := h.ExportRoundTrip(t)
	again, err := imported.App.Export(0)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.AppState, exp.AppState) {
		t.Fatalf("export of the imported chain differs:\n%s\n%s", again.AppState, exp.AppState)
	}
	// The imported chain goes on: the queue it rebuilt marks c-1's
	// instalment missed when due, as the original does.
	imported.Block()
	in := instalment(t, imported, "c-1", 1, sub1.Addr)
	if in == nil || in.Missed || in.PaidAt != 0 {
		t.Fatalf("imported c-1/1 of sub1: %+v, want unpaid and not yet missed", in)
	}
	imported.Skip(time.Duration(in.Due-nextTime(imported)+1) * time.Second)
	imported.Block()
	if in := instalment(t, imported, "c-1", 1, sub1.Addr); !in.Missed {
		t.Errorf("imported chain: %+v not missed after its due", in)
	}
}

// TestExportEmpty: a chain without contracts on the default parameters
// exports no section (the golden app hashes stay), even when its genesis
// wrote the defaults out; the params query answers the defaults.
func TestExportEmpty(t *testing.T) {
	for _, section := range []any{nil, contracts.Genesis{Params: ptr(tx.DefaultContractsParams())}} {
		h := newChain(t, section)
		if _, sections := h.ExportSections(t); sections[contracts.Codespace] != nil {
			t.Fatalf("exports %s", sections[contracts.Codespace])
		}
		p := query[tx.ContractsParams](t, h, "params", struct{}{})
		if !bytes.Equal(apptest.MustJSON(t, p), apptest.MustJSON(t, tx.DefaultContractsParams())) {
			t.Fatalf("params %+v", p)
		}
	}
	h := newChain(t, contracts.Genesis{Params: lateParams()})
	if p := query[tx.ContractsParams](t, h, "params", struct{}{}); p.MaxDuePerBlock != 1 || len(p.LateRates) != 2 {
		t.Fatalf("params %+v", p)
	}
}

func ptr[T any](v T) *T { return &v }

// TestGenesisRefused: InitGenesis refuses (contracts 2) a section a
// running chain could not have written, naming what is wrong.
func TestGenesisRefused(t *testing.T) {
	h := busy(t)
	exp, sections := h.ExportSections(t)
	edit := func(f func(g *contracts.Genesis)) map[string]json.RawMessage {
		return apptest.EditSection(t, sections, contracts.Codespace, f)
	}
	paid := func(g *contracts.Genesis) *tx.Instalment {
		for i := range g.Instalments {
			if g.Instalments[i].PaidAt != 0 {
				return &g.Instalments[i]
			}
		}
		t.Fatal("no paid instalment")
		return nil
	}
	for _, c := range []struct {
		name     string
		sections map[string]json.RawMessage
		want     string
	}{
		{"escrow counter", edit(func(g *contracts.Genesis) { g.Contracts[0].EscrowKRW++ }), "contracts[0] (a-1): escrow_krw"},
		{"released counter", edit(func(g *contracts.Genesis) { g.Contracts[1].ReleasedKRW-- }), "released_krw"},
		{"milestone status", edit(func(g *contracts.Genesis) { g.Contracts[0].Milestones[1].Status = "done" }), `milestones[1]: status "done"`},
		{"delivered without a time", edit(func(g *contracts.Genesis) { g.Contracts[0].Milestones[1].Delivered = 0 }), "milestones[1]: delivered"},
		{"a changed breakdown", edit(func(g *contracts.Genesis) { g.Contracts[2].Subcontractors[0].ShareKRW++ }), "shares add up"},
		{"contracts out of order", edit(func(g *contracts.Genesis) { g.Contracts[0], g.Contracts[1] = g.Contracts[1], g.Contracts[0] }), "ascending"},
		{"owner a party", edit(func(g *contracts.Genesis) { g.Contracts[0].Owner = g.Contracts[0].Arbiter }), "owner"},
		{"ground without direct", edit(func(g *contracts.Genesis) { g.Contracts[1].Subcontractors[0].Direct = false }), "subcontractors[0].ground"},
		{"ground not attested", edit(func(g *contracts.Genesis) { g.Contracts[2].Attested = nil }), "not attested"},
		{"two agreements from the owner", edit(func(g *contracts.Genesis) { g.Contracts[1].Subcontractors[1].Agreed = []string{"owner", "owner"} }), "agreed[1]"},
		{"missed count", edit(func(g *contracts.Genesis) { g.Contracts[0].Subcontractors[0].Missed = 0 }), "missed 0"},
		{"owed counter", edit(func(g *contracts.Genesis) { g.Contracts[0].Subcontractors[0].OwedKRW++ }), "owed_krw"},
		{"interest", edit(func(g *contracts.Genesis) { paid(g).InterestKRW++ }), "interest_krw"},
		{"principal", edit(func(g *contracts.Genesis) { g.Instalments[0].PrincipalKRW-- }), "principal_krw"},
		{"due", edit(func(g *contracts.Genesis) { g.Instalments[0].Due++ }), "instalments[0]"},
		{"an instalment of an open milestone", edit(func(g *contracts.Genesis) { g.Instalments[0].Milestone = 1 }), "approved milestone"},
		{"a line changed", edit(func(g *contracts.Genesis) { g.Lines[0].PaidKRW++ }), "lines[0]"},
		{"a line dropped", edit(func(g *contracts.Genesis) { g.Lines = g.Lines[:len(g.Lines)-1] }), "the first missing"},
		{"bad params", edit(func(g *contracts.Genesis) { g.Params.MaxDuePerBlock = 0 }), "params.max_due_per_block"},
		{"rates out of order", edit(func(g *contracts.Genesis) { g.Params.LateRates[1].Effective = "1999-01-01" }), "params.late_rates[1].effective"},
		{"the escrow short", apptest.EditSection(t, sections, "bank", func(g *bank.Genesis) {
			for i := range g.Balances {
				b := &g.Balances[i]
				for j := range b.Coins {
					if b.Coins[j].Denom != tx.DenomKRW {
						continue
					}
					switch b.Address {
					case escrow:
						b.Coins[j].Amount--
					case owner.Addr:
						b.Coins[j].Amount++
					}
				}
			}
		}), "the contracts escrow"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := apptest.ImportSections(exp, c.sections)
			if !errors.Is(err, tx.CodeContractsInvalidGenesis) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want contracts 2 naming %q", err, c.want)
			}
		})
	}
	if err := apptest.ImportSections(exp, sections); err != nil {
		t.Fatalf("the unedited export: %v", err)
	}
}

// TestDueBudget: end-of-block work marks at most max_due_per_block due
// instalments a block, oldest first; the rest wait.
func TestDueBudget(t *testing.T) {
	h := newChain(t, contracts.Genesis{Params: lateParams()})
	create(t, h, newMsg("q-1"))
	deliverApprove(t, h, "q-1", 0) // two instalments due together
	deliverApprove(t, h, "q-1", 1) // two more, a few blocks later
	h.Skip(days(16))
	var marked []string
	for range 4 {
		b := h.Block()
		var n int
		for _, e := range b.Result.Events {
			if e.Type == "contracts.missed" {
				n++
				m, _ := apptest.Attr([]abci.Event{e}, "contracts.missed", "milestone")
				marked = append(marked, m)
			}
		}
		if n != 1 {
			t.Fatalf("block %d marked %d instalments, want 1 (max_due_per_block)", b.Height, n)
		}
	}
	if strings.Join(marked, ",") != "0,0,1,1" {
		t.Errorf("marked milestones %v, want the oldest due first", marked)
	}
	if b := h.Block(); apptest.HasEvent(b.Result.Events, "contracts.missed") {
		t.Error("a fifth instalment missed")
	}
}
