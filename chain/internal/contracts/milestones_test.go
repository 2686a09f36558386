package contracts_test

import (
	"testing"
	"time"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/tx"
)

// TestDeliverApprove: only the prime delivers, only the supervisor
// approves, in that order; the approval releases equipment and materials
// to the prime (tier prime) and each subcontractor's share through the
// prime as an instalment it owes (tier subcontract, owed), never to the
// subcontractor directly before a ground of art. 14 holds.
func TestDeliverApprove(t *testing.T) {
	h := newChain(t, nil)
	create(t, h, newMsg("hall-1"))
	fail(t, h, "approve before delivery", supervisor, approveMsg("hall-1", 0), tx.CodeContractsMilestoneState, "hall-1 milestone 0 (foundations)", "open")
	fail(t, h, "deliver by the supervisor", supervisor, deliverMsg("hall-1", 0), tx.CodeContractsNotParty, "only the prime")
	fail(t, h, "deliver by a subcontractor", sub1, deliverMsg("hall-1", 0), tx.CodeContractsNotParty, "only the prime")
	fail(t, h, "deliver an unknown milestone", prime, deliverMsg("hall-1", 3), tx.CodeContractsUnknownMilestone, "milestone 3", "0 to 2")
	fail(t, h, "deliver of an unknown contract", prime, deliverMsg("hall-2", 0), tx.CodeContractsUnknown, `"hall-2"`)

	res := h.RunOK("deliver", h.Sign(prime, deliverMsg("hall-1", 0)))
	delivered := h.BlockTime(h.Height).Unix()
	if event(t, res.Events, "contracts.delivered", "milestone") != "0" {
		t.Error("no delivered event")
	}
	fail(t, h, "deliver twice", prime, deliverMsg("hall-1", 0), tx.CodeContractsMilestoneState, "delivered")
	fail(t, h, "approve by the prime", prime, approveMsg("hall-1", 0), tx.CodeContractsNotParty, "only the supervisor")
	fail(t, h, "approve by the owner", owner, approveMsg("hall-1", 0), tx.CodeContractsNotParty, "only the supervisor")

	primeBefore, sub1Before, escrowBefore := ukrw(h, prime.Addr), ukrw(h, sub1.Addr), ukrw(h, escrow)
	res = h.RunOK("approve", h.Sign(supervisor, approveMsg("hall-1", 0)))
	approved := h.BlockTime(h.Height).Unix()
	// 30 % of 3,000,000 + 2,000,000 to the prime; 30 % of 10,000,000 and
	// 6,000,000 to the prime for the subcontractors.
	const primeShare, s1, s2 = 1_500_000, 3_000_000, 1_800_000
	if got := event(t, res.Events, "contracts.approved", "released_krw"); got != "6300000" {
		t.Errorf("released_krw %s, want 6300000", got)
	}
	if got, want := ukrw(h, prime.Addr), primeBefore+(primeShare+s1+s2)*million; got != want {
		t.Errorf("prime holds %d ukrw, want %d", got, want)
	}
	if got := ukrw(h, sub1.Addr); got != sub1Before {
		t.Errorf("sub1 was paid %d ukrw before any direct-payment ground", got-sub1Before)
	}
	if got, want := ukrw(h, escrow), escrowBefore-6_300_000*million; got != want {
		t.Errorf("escrow %d, want %d", got, want)
	}
	c := contract(t, h, "hall-1")
	if m := c.Milestones[0]; m.Status != tx.MilestoneApproved || m.Delivered != delivered || m.Approved != approved {
		t.Errorf("milestone 0: %+v", m)
	}
	if c.EscrowKRW != 21_000_000-6_300_000 || c.ReleasedKRW != 6_300_000 || c.Subcontractors[0].OwedKRW != s1 || c.Subcontractors[1].OwedKRW != s2 {
		t.Errorf("contract: %+v", c)
	}
	for _, want := range []tx.Instalment{
		{Contract: "hall-1", Milestone: 0, Subcontractor: sub1.Addr, PrincipalKRW: s1, Due: approved + 15*86400},
		{Contract: "hall-1", Milestone: 0, Subcontractor: sub2.Addr, PrincipalKRW: s2, Due: approved + 15*86400},
	} {
		if got := instalment(t, h, "hall-1", 0, want.Subcontractor); got == nil || *got != want {
			t.Errorf("instalment: got %+v, want %+v", got, want)
		}
	}
	if l := line(t, h, "hall-1", tx.TierPrime, prime.Addr); l.PaidKRW != primeShare || l.OwedKRW != 0 {
		t.Errorf("prime line %+v", l)
	}
	if l := line(t, h, "hall-1", tx.TierSubcontract, sub1.Addr); l.OwedKRW != s1 || l.PaidKRW != 0 || l.OverdueKRW != 0 {
		t.Errorf("sub1 line %+v", l)
	}
	fail(t, h, "approve twice", supervisor, approveMsg("hall-1", 0), tx.CodeContractsMilestoneState, "approved")
	fail(t, h, "deliver an approved milestone", prime, deliverMsg("hall-1", 0), tx.CodeContractsMilestoneState, "approved")

	// The last milestone takes what the others' floors leave: all three
	// release the whole contract.
	deliverApprove(t, h, "hall-1", 1)
	deliverApprove(t, h, "hall-1", 2)
	if c := contract(t, h, "hall-1"); c.EscrowKRW != 0 || c.ReleasedKRW != 21_000_000 || c.Subcontractors[0].OwedKRW != 10_000_000 {
		t.Errorf("after all milestones: %+v", c)
	}
	if got := ukrw(h, escrow); got != 0 {
		t.Errorf("escrow holds %d after every milestone", got)
	}
}

// TestInstalmentDue: the prime owes a subcontractor's share by the
// earliest of the end of the milestone's due date, delivery + 60 days
// and approval + 15 days; each case makes another the earliest.
func TestInstalmentDue(t *testing.T) {
	h := newChain(t, nil)
	// The chain starts on 2025-03-01 (KST).
	m := newMsg("due-1")
	m.Milestones[0].Due = "2025-03-05"
	create(t, h, m)
	deliverApprove(t, h, "due-1", 0)
	end, _ := tx.ParseDate("due", "2025-03-05")
	if in := instalment(t, h, "due-1", 0, sub1.Addr); in == nil || in.Due != end+86400-1 {
		t.Errorf("due date the earliest: %+v, want due %d (2025-03-05 23:59:59 KST)", in, end+86400-1)
	}

	create(t, h, newMsg("due-2"))
	h.RunOK("deliver", h.Sign(prime, deliverMsg("due-2", 0)))
	delivered := h.BlockTime(h.Height).Unix()
	h.Skip(days(50))
	h.RunOK("approve", h.Sign(supervisor, approveMsg("due-2", 0)))
	if in := instalment(t, h, "due-2", 0, sub1.Addr); in == nil || in.Due != delivered+60*86400 {
		t.Errorf("delivery + 60 days the earliest: %+v, want due %d", in, delivered+60*86400)
	}

	create(t, h, newMsg("due-3"))
	res := deliverApprove(t, h, "due-3", 0)
	approved := h.BlockTime(h.Height).Unix()
	if in := instalment(t, h, "due-3", 0, sub2.Addr); in == nil || in.Due != approved+15*86400 {
		t.Errorf("approval + 15 days the earliest: %+v, want due %d", in, approved+15*86400)
	}
	if !apptest.HasEvent(res.Events, "contracts.instalment", "contract", "due-3", "subcontractor", sub2.Addr.String(), "principal_krw", "1800000") {
		t.Errorf("no instalment event in %v", res.Events)
	}
}

// TestPaySubcontractor: the prime pays an instalment on time without
// interest; late, with tx.LateInterest at 15.5 % a year (S3: 10,000,000
// won twenty days late → 84,931 won); only the prime pays, only what is
// owed and unpaid, and only with the money.
func TestPaySubcontractor(t *testing.T) {
	h := newChain(t, nil)
	m := newMsg("pier-1")
	m.Milestones = []tx.Milestone{{Name: "all", Due: "2026-12-31", WeightBP: 10_000}}
	create(t, h, m)
	deliverApprove(t, h, "pier-1", 0)
	pay := func(sub apptest.Key) *tx.MsgContractsPaySub {
		return &tx.MsgContractsPaySub{Contract: "pier-1", Milestone: 0, Subcontractor: sub.Addr}
	}
	fail(t, h, "pay by the owner", owner, pay(sub2), tx.CodeContractsNotParty, "only the prime")
	fail(t, h, "pay a stranger", prime, pay(sub3), tx.CodeContractsUnknownSub, sub3.Addr.String())
	fail(t, h, "pay an unreleased milestone", prime, &tx.MsgContractsPaySub{Contract: "pier-1", Milestone: 1, Subcontractor: sub2.Addr},
		tx.CodeContractsUnknownMilestone)

	// On time: sub2 gets its 6,000,000 won, no interest.
	primeBefore := ukrw(h, prime.Addr)
	res := h.RunOK("pay sub2 on time", h.Sign(prime, pay(sub2)))
	if got := ukrw(h, sub2.Addr); got != 6_000_000*million {
		t.Errorf("sub2 holds %d ukrw, want 6,000,000 won", got)
	}
	if got := ukrw(h, prime.Addr); got != primeBefore-6_000_000*million {
		t.Errorf("prime paid %d ukrw, want 6,000,000 won", primeBefore-got)
	}
	if in := instalment(t, h, "pier-1", 0, sub2.Addr); in == nil || in.PaidAt != h.BlockTime(h.Height).Unix() || in.InterestKRW != 0 {
		t.Errorf("paid on time: %+v", in)
	}
	if event(t, res.Events, "contracts.instalment_paid", "interest_krw") != "0" {
		t.Error("on-time payment with interest")
	}
	if l := line(t, h, "pier-1", tx.TierSubcontract, sub2.Addr); l.OwedKRW != 0 || l.PaidKRW != 6_000_000 {
		t.Errorf("sub2 line %+v", l)
	}
	fail(t, h, "pay twice", prime, pay(sub2), tx.CodeContractsNothingOwed, sub2.Addr.String())

	// Late: sub1's 10,000,000 won, 20 days after its due date.
	in := instalment(t, h, "pier-1", 0, sub1.Addr)
	if c := contract(t, h, "pier-1"); c.Subcontractors[0].Missed != 0 {
		t.Fatalf("missed before a block passed the due: %+v", c.Subcontractors[0])
	}
	// To the 20th day after the due date; a block marks it missed.
	h.Skip(days(20) + time.Duration(tx.DayStart(in.Due)-tx.DayStart(nextTime(h)))*time.Second)
	b := h.Block()
	if !apptest.HasEvent(b.Result.Events, "contracts.missed", "contract", "pier-1", "subcontractor", sub1.Addr.String(), "missed", "1") {
		t.Errorf("no missed event at the end of the block after the due date: %v", b.Result.Events)
	}
	if got := tx.DaysLate(in.Due, nextTime(h)); got != 20 {
		t.Fatalf("the next block is %d days late, want 20", got)
	}
	if l := line(t, h, "pier-1", tx.TierSubcontract, sub1.Addr); l.OwedKRW != 10_000_000 || l.OverdueKRW != 10_000_000 {
		t.Errorf("sub1 line once missed %+v", l)
	}
	primeBefore = ukrw(h, prime.Addr)
	res = h.RunOK("pay sub1 late", h.Sign(prime, pay(sub1)))
	const interest = 84_931
	if got := event(t, res.Events, "contracts.instalment_paid", "interest_krw"); got != "84931" {
		t.Errorf("interest_krw %s, want 84931", got)
	}
	if got := ukrw(h, sub1.Addr); got != (10_000_000+interest)*million {
		t.Errorf("sub1 holds %d ukrw, want 10,084,931 won", got)
	}
	if got := ukrw(h, prime.Addr); got != primeBefore-(10_000_000+interest)*million {
		t.Errorf("prime paid %d ukrw", primeBefore-got)
	}
	in = instalment(t, h, "pier-1", 0, sub1.Addr)
	if in.InterestKRW != interest || !in.Missed || in.PaidAt != h.BlockTime(h.Height).Unix() {
		t.Errorf("paid late: %+v", in)
	}
	if l := line(t, h, "pier-1", tx.TierSubcontract, sub1.Addr); l.OwedKRW != 0 || l.OverdueKRW != 0 || l.PaidKRW != 10_000_000 {
		t.Errorf("sub1 line %+v", l)
	}
	// One missed instalment is not two: sub1 stays paid through the prime.
	if c := contract(t, h, "pier-1"); c.Subcontractors[0].Missed != 1 || c.Subcontractors[0].Direct {
		t.Errorf("sub1 after one missed instalment: %+v", c.Subcontractors[0])
	}
}

// TestPayWithoutMoney: a prime that lacks principal + interest is refused
// with contracts 6 and nothing moves.
func TestPayWithoutMoney(t *testing.T) {
	h := newChain(t, nil)
	m := newMsg("poor-1")
	m.Prime = poorPrime.Addr
	m.Pools.Equipment, m.Pools.Materials = 0, 0
	m.Subcontractors = m.Subcontractors[:1]
	m.Pools.Subcontract = m.Subcontractors[0].ShareKRW
	m.Milestones = []tx.Milestone{{Name: "all", Due: "2026-12-31", WeightBP: 10_000}}
	create(t, h, m)
	h.RunOK("deliver", h.Sign(poorPrime, deliverMsg("poor-1", 0)))
	h.RunOK("approve", h.Sign(supervisor, approveMsg("poor-1", 0)))
	// The prime spends part of the released money.
	h.RunOK("spend", h.Sign(poorPrime, &tx.MsgSend{To: outsider.Addr, Amount: apptest.KRW(1)}))
	fail(t, h, "pay without the money", poorPrime, &tx.MsgContractsPaySub{Contract: "poor-1", Subcontractor: sub1.Addr},
		tx.CodeContractsInsufficient, "10000000 won principal")
}
