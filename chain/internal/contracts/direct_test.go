package contracts_test

import (
	"testing"
	"time"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
)

// TestMissedInstalments: two instalments the prime let pass their due
// dates make the subcontractor paid directly (ground missed_instalments)
// in the end-of-block work of the block that passes the second, with no
// transaction filed; the next approval pays it from the escrow, and the
// prime still owes the missed ones, with interest.
func TestMissedInstalments(t *testing.T) {
	h := newChain(t, nil)
	m := newMsg("tunnel-1")
	m.Milestones[0].Due, m.Milestones[1].Due = "2025-03-10", "2025-03-20"
	create(t, h, m)
	deliverApprove(t, h, "tunnel-1", 0)
	deliverApprove(t, h, "tunnel-1", 1)
	// Pay sub2's first instalment on time: only sub1 misses two.
	h.RunOK("pay sub2", h.Sign(prime, &tx.MsgContractsPaySub{Contract: "tunnel-1", Milestone: 0, Subcontractor: sub2.Addr}))

	first, _ := tx.ParseDate("due", "2025-03-11") // the first block of the day after the due date
	h.Skip(time.Duration(first-nextTime(h)) * time.Second)
	b := h.Block()
	if len(b.Txs) != 0 {
		t.Fatalf("the block carries %d transactions", len(b.Txs))
	}
	if !apptest.HasEvent(b.Result.Events, "contracts.missed", "subcontractor", sub1.Addr.String(), "milestone", "0", "missed", "1") ||
		apptest.HasEvent(b.Result.Events, "contracts.missed", "subcontractor", sub2.Addr.String()) {
		t.Fatalf("first due date: events %v", b.Result.Events)
	}
	if apptest.HasEvent(b.Result.Events, "contracts.direct_payment") {
		t.Fatal("direct payment after one missed instalment")
	}
	c := contract(t, h, "tunnel-1")
	if s := c.Subcontractors[0]; s.Missed != 1 || s.Direct {
		t.Fatalf("sub1 after one missed instalment: %+v", s)
	}
	if l := line(t, h, "tunnel-1", tx.TierSubcontract, sub1.Addr); l.OverdueKRW != 3_000_000 || l.OwedKRW != 6_000_000 {
		t.Errorf("sub1 line after one missed: %+v", l)
	}

	second, _ := tx.ParseDate("due", "2025-03-21")
	h.Skip(time.Duration(second-nextTime(h)) * time.Second)
	b = h.Block()
	if len(b.Txs) != 0 {
		t.Fatalf("the block carries %d transactions", len(b.Txs))
	}
	if !apptest.HasEvent(b.Result.Events, "contracts.direct_payment", "contract", "tunnel-1", "subcontractor", sub1.Addr.String(), "ground", tx.GroundMissed) ||
		!apptest.HasEvent(b.Result.Events, "contracts.missed", "subcontractor", sub2.Addr.String(), "milestone", "1", "missed", "1") {
		t.Fatalf("second due date: events %v", b.Result.Events)
	}
	if apptest.HasEvent(b.Result.Events, "contracts.direct_payment", "subcontractor", sub2.Addr.String()) {
		t.Fatal("sub2 missed one instalment and is paid directly")
	}
	c = contract(t, h, "tunnel-1")
	if s := c.Subcontractors[0]; s.Missed != 2 || !s.Direct || s.Ground != tx.GroundMissed {
		t.Fatalf("sub1 after two missed instalments: %+v", s)
	}
	if s := c.Subcontractors[1]; s.Missed != 1 || s.Direct {
		t.Fatalf("sub2: %+v", s)
	}

	// The next approval pays sub1 from the escrow; sub2 still through
	// the prime.
	sub1Before, primeBefore := ukrw(h, sub1.Addr), ukrw(h, prime.Addr)
	res := deliverApprove(t, h, "tunnel-1", 2)
	if got := ukrw(h, sub1.Addr) - sub1Before; got != 4_000_000*million {
		t.Errorf("sub1 received %d ukrw directly, want 4,000,000 won", got)
	}
	if got := ukrw(h, prime.Addr) - primeBefore; got != (2_000_000+2_400_000)*million {
		t.Errorf("prime received %d ukrw, want equipment and materials 2,000,000 + sub2's 2,400,000 won", got)
	}
	if !apptest.HasEvent(res.Events, "contracts.paid_direct", "subcontractor", sub1.Addr.String(), "amount_krw", "4000000", "ground", tx.GroundMissed) {
		t.Errorf("no paid_direct event in %v", res.Events)
	}
	if in := instalment(t, h, "tunnel-1", 2, sub1.Addr); in != nil {
		t.Errorf("an instalment through the prime for a direct subcontractor: %+v", in)
	}
	if l := line(t, h, "tunnel-1", tx.TierSubcontract, sub1.Addr); l.PaidKRW != 4_000_000 || l.OwedKRW != 6_000_000 || l.OverdueKRW != 6_000_000 {
		t.Errorf("sub1 line: %+v", l)
	}
	// The prime still owes the missed instalments, with interest.
	in := instalment(t, h, "tunnel-1", 0, sub1.Addr)
	res = h.RunOK("pay the missed one", h.Sign(prime, &tx.MsgContractsPaySub{Contract: "tunnel-1", Milestone: 0, Subcontractor: sub1.Addr}))
	want := tx.LateInterest(tx.DefaultContractsParams().LateRates, tx.RuleLateInterest, 3_000_000, in.Due, h.BlockTime(h.Height).Unix())
	if want == 0 || event(t, res.Events, "contracts.instalment_paid", "interest_krw") != itoa(want) {
		t.Errorf("interest: events %v, want %d", res.Events, want)
	}
}

// TestDirectGrounds: one case per ground of art. 14(1) besides missed
// instalments: each makes the subcontractor paid directly at the step the
// law names, refuses the steps before it with their codes, and the next
// approval pays the subcontractor from the escrow.
func TestDirectGrounds(t *testing.T) {
	agree := func(id string, sub apptest.Key) *tx.MsgContractsAgreeDirect {
		return &tx.MsgContractsAgreeDirect{Contract: id, Subcontractor: sub.Addr}
	}
	attest := func(id, ground string) *tx.MsgContractsAttest {
		return &tx.MsgContractsAttest{Contract: id, Ground: ground, Evidence: hash("evidence " + ground)}
	}
	request := func(id, ground string) *tx.MsgContractsRequestDirect {
		return &tx.MsgContractsRequestDirect{Contract: id, Ground: ground}
	}
	for _, c := range []struct {
		ground string
		steps  func(t *testing.T, h *apptest.Harness, id string) // the last makes sub1 direct
	}{
		{tx.GroundAgreement, func(t *testing.T, h *apptest.Harness, id string) {
			fail(t, h, "agree by an outsider", outsider, agree(id, sub1), tx.CodeContractsNotParty, "only the owner, the prime or that subcontractor")
			fail(t, h, "agree by another subcontractor", sub2, agree(id, sub1), tx.CodeContractsNotParty)
			fail(t, h, "agree for an unknown subcontractor", owner, agree(id, sub3), tx.CodeContractsUnknownSub, sub3.Addr.String())
			h.RunOK("owner agrees", h.Sign(owner, agree(id, sub1)))
			fail(t, h, "owner agrees twice", owner, agree(id, sub1), tx.CodeContractsAlreadyDirect, "owner agreed already")
			h.RunOK("prime agrees", h.Sign(prime, agree(id, sub1)))
			if s := contract(t, h, id).Subcontractors[0]; s.Direct || len(s.Agreed) != 2 {
				t.Fatalf("after two of three: %+v", s)
			}
			res := h.RunOK("sub agrees", h.Sign(sub1, agree(id, sub1)))
			if !apptest.HasEvent(res.Events, "contracts.direct_payment", "ground", tx.GroundAgreement) {
				t.Errorf("the third signature: events %v", res.Events)
			}
		}},
		{tx.GroundInsolvency, func(t *testing.T, h *apptest.Harness, id string) {
			fail(t, h, "request before the attestation", sub1, request(id, tx.GroundInsolvency), tx.CodeContractsNoGround, "insolvency", "not attested")
			fail(t, h, "attest by the guarantor", guarantor, attest(id, tx.GroundInsolvency), tx.CodeContractsNotParty, tx.RoleCourtRegistry)
			fail(t, h, "attest by the owner", owner, attest(id, tx.GroundInsolvency), tx.CodeContractsNotParty, tx.RoleCourtRegistry)
			h.RunOK("court attests", h.Sign(court, attest(id, tx.GroundInsolvency)))
			fail(t, h, "request on another ground", sub1, request(id, tx.GroundGuaranteeBreach), tx.CodeContractsNoGround)
			fail(t, h, "request by an outsider", outsider, request(id, tx.GroundInsolvency), tx.CodeContractsUnknownSub)
			fail(t, h, "request by the prime", prime, request(id, tx.GroundInsolvency), tx.CodeContractsUnknownSub)
			if s := contract(t, h, id).Subcontractors[0]; s.Direct {
				t.Fatalf("direct on the attestation alone: %+v", s)
			}
			h.RunOK("sub requests", h.Sign(sub1, request(id, tx.GroundInsolvency)))
		}},
		{tx.GroundGuaranteeBreach, func(t *testing.T, h *apptest.Harness, id string) {
			fail(t, h, "attest by another guarantor", guarantor2, attest(id, tx.GroundGuaranteeBreach), tx.CodeContractsNotParty, "only the contract's guarantor")
			fail(t, h, "attest by the court registry", court, attest(id, tx.GroundGuaranteeBreach), tx.CodeContractsNotParty, "only the contract's guarantor")
			fail(t, h, "request before the attestation", sub1, request(id, tx.GroundGuaranteeBreach), tx.CodeContractsNoGround)
			h.RunOK("guarantor attests", h.Sign(guarantor, attest(id, tx.GroundGuaranteeBreach)))
			h.RunOK("sub requests", h.Sign(sub1, request(id, tx.GroundGuaranteeBreach)))
		}},
	} {
		t.Run(c.ground, func(t *testing.T) {
			h := newChain(t, nil)
			id := "g-" + c.ground[:5]
			create(t, h, newMsg(id))
			deliverApprove(t, h, id, 0) // through the prime
			c.steps(t, h, id)
			got := contract(t, h, id)
			if s := got.Subcontractors[0]; !s.Direct || s.Ground != c.ground {
				t.Fatalf("sub1: %+v, want direct on %s", s, c.ground)
			}
			if s := got.Subcontractors[1]; s.Direct {
				t.Fatalf("sub2 direct: %+v", s)
			}
			fail(t, h, "agree once direct", owner, agree(id, sub1), tx.CodeContractsAlreadyDirect, "paid directly already")
			if c.ground != tx.GroundAgreement {
				fail(t, h, "request once direct", sub1, request(id, c.ground), tx.CodeContractsAlreadyDirect, "paid directly already")
			}
			// The instalment the prime owes from before stays the prime's.
			if in := instalment(t, h, id, 0, sub1.Addr); in == nil || in.PaidAt != 0 {
				t.Fatalf("milestone 0 instalment: %+v", in)
			}
			before := ukrw(h, sub1.Addr)
			deliverApprove(t, h, id, 1)
			if got := ukrw(h, sub1.Addr) - before; got != 3_000_000*million {
				t.Errorf("sub1 received %d ukrw at the next approval, want 3,000,000 won", got)
			}
			if in := instalment(t, h, id, 1, sub1.Addr); in != nil {
				t.Errorf("instalment through the prime after direct: %+v", in)
			}
			if in := instalment(t, h, id, 1, sub2.Addr); in == nil {
				t.Error("sub2 not owed by the prime")
			}
		})
	}
}

func itoa(v uint64) string { return module.U64(v) }
