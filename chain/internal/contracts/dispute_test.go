package contracts_test

import (
	"testing"

	"github.com/citychain/citychain/chain/tx"
)

// TestDispute (S5): a dispute freezes only its own milestone: milestone 3
// stays deliverable and approvable while milestone 2 is frozen; only the
// arbiter resolves, release paying the milestone as an approval does and
// refund returning its money to the owner.
func TestDispute(t *testing.T) {
	h := newChain(t, nil)
	create(t, h, newMsg("dam-1"))
	dispute := func(i uint32) *tx.MsgContractsDispute {
		return &tx.MsgContractsDispute{Contract: "dam-1", Milestone: i, Reason: hash("claim")}
	}
	resolve := func(i uint32, outcome string) *tx.MsgContractsResolve {
		return &tx.MsgContractsResolve{Contract: "dam-1", Milestone: i, Outcome: outcome}
	}
	fail(t, h, "dispute by an outsider", outsider, dispute(1), tx.CodeContractsNotParty, "only the owner, the prime, a subcontractor or the supervisor")
	fail(t, h, "dispute by the arbiter", arbiter, dispute(1), tx.CodeContractsNotParty)
	h.RunOK("deliver milestone 2", h.Sign(prime, deliverMsg("dam-1", 1)))
	res := h.RunOK("sub1 disputes milestone 2", h.Sign(sub1, dispute(1)))
	if event(t, res.Events, "contracts.disputed", "by") != sub1.Addr.String() {
		t.Error("no disputed event")
	}
	c := contract(t, h, "dam-1")
	if m := c.Milestones[1]; m.Status != tx.MilestoneFrozen || m.Delivered == 0 || m.DisputedBy != sub1.Addr || m.Dispute != hash("claim") {
		t.Fatalf("milestone 2: %+v", m)
	}
	fail(t, h, "approve a frozen milestone", supervisor, approveMsg("dam-1", 1), tx.CodeContractsFrozen, "only the arbiter")
	fail(t, h, "deliver a frozen milestone", prime, deliverMsg("dam-1", 1), tx.CodeContractsFrozen)
	fail(t, h, "dispute it again", owner, dispute(1), tx.CodeContractsFrozen, "disputed already")
	fail(t, h, "resolve by the supervisor", supervisor, resolve(1, tx.OutcomeRelease), tx.CodeContractsNotParty, "only the arbiter")
	fail(t, h, "resolve by the owner", owner, resolve(1, tx.OutcomeRefund), tx.CodeContractsNotParty, "only the arbiter")
	fail(t, h, "resolve a milestone not frozen", arbiter, resolve(2, tx.OutcomeRelease), tx.CodeContractsMilestoneState, "open", "frozen")

	// Milestone 3 stays payable.
	deliverApprove(t, h, "dam-1", 2)
	if c := contract(t, h, "dam-1"); c.Milestones[2].Status != tx.MilestoneApproved || c.Milestones[1].Status != tx.MilestoneFrozen {
		t.Fatalf("milestones: %+v", c.Milestones)
	}

	// Release: as an approval, with the delivery it had.
	primeBefore := ukrw(h, prime.Addr)
	res = h.RunOK("release milestone 2", h.Sign(arbiter, resolve(1, tx.OutcomeRelease)))
	if event(t, res.Events, "contracts.resolved", "outcome") != tx.OutcomeRelease || event(t, res.Events, "contracts.approved", "released_krw") != "6300000" {
		t.Errorf("events %v", res.Events)
	}
	if got := ukrw(h, prime.Addr) - primeBefore; got != 6_300_000*million {
		t.Errorf("prime received %d ukrw", got)
	}
	c = contract(t, h, "dam-1")
	if m := c.Milestones[1]; m.Status != tx.MilestoneApproved || m.Approved != h.BlockTime(h.Height).Unix() {
		t.Errorf("released milestone: %+v", m)
	}
	if in := instalment(t, h, "dam-1", 1, sub1.Addr); in == nil || in.PrincipalKRW != 3_000_000 {
		t.Errorf("instalment of the released milestone: %+v", in)
	}

	// Refund: milestone 1, never delivered, disputed by the supervisor.
	h.RunOK("supervisor disputes milestone 1", h.Sign(supervisor, dispute(0)))
	if m := contract(t, h, "dam-1").Milestones[0]; m.Status != tx.MilestoneFrozen || m.Delivered != 0 {
		t.Fatalf("milestone 1 frozen undelivered: %+v", m)
	}
	ownerBefore, escrowBefore := ukrw(h, owner.Addr), ukrw(h, escrow)
	res = h.RunOK("refund milestone 1", h.Sign(arbiter, resolve(0, tx.OutcomeRefund)))
	if event(t, res.Events, "contracts.refunded", "amount_krw") != "6300000" {
		t.Errorf("events %v", res.Events)
	}
	if got := ukrw(h, owner.Addr) - ownerBefore; got != 6_300_000*million {
		t.Errorf("owner got back %d ukrw", got)
	}
	if got := escrowBefore - ukrw(h, escrow); got != 6_300_000*million {
		t.Errorf("escrow paid out %d ukrw", got)
	}
	c = contract(t, h, "dam-1")
	if c.Milestones[0].Status != tx.MilestoneRefunded || c.EscrowKRW != 0 || c.RefundedKRW != 6_300_000 || c.ReleasedKRW != 21_000_000-6_300_000 {
		t.Errorf("after the refund: %+v", c)
	}
	if in := instalment(t, h, "dam-1", 0, sub1.Addr); in != nil {
		t.Errorf("instalment of a refunded milestone: %+v", in)
	}
	fail(t, h, "resolve twice", arbiter, resolve(0, tx.OutcomeRelease), tx.CodeContractsMilestoneState, "refunded")
	fail(t, h, "dispute a refunded milestone", owner, dispute(0), tx.CodeContractsMilestoneState, "refunded")
	fail(t, h, "dispute an approved milestone", owner, dispute(2), tx.CodeContractsMilestoneState, "approved")
}
