package contracts_test

import (
	"testing"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/tx"
)

// TestCreate: the owner's creation moves the pools' total into the
// escrow, stores the breakdown with every milestone open, and indexes the
// contract under each party.
func TestCreate(t *testing.T) {
	h := newChain(t, nil)
	m := newMsg("bridge-1")
	before := ukrw(h, owner.Addr)
	res := create(t, h, m)
	if got := event(t, res.Events, "contracts.created", "total_krw"); got != "21000000" {
		t.Errorf("created total_krw %s, want 21000000", got)
	}
	if got, want := ukrw(h, escrow), total(m)*million; got != want {
		t.Errorf("escrow holds %d ukrw, want %d", got, want)
	}
	if got, want := ukrw(h, owner.Addr), before-total(m)*million; got != want {
		t.Errorf("owner holds %d ukrw, want %d", got, want)
	}
	c := contract(t, h, "bridge-1")
	if c.Owner != owner.Addr || c.Prime != prime.Addr || c.EscrowKRW != 21_000_000 || c.ReleasedKRW != 0 || c.RefundedKRW != 0 ||
		len(c.Subcontractors) != 2 || len(c.Milestones) != 3 || c.Terms != m.Terms || c.Created != h.BlockTime(h.Height).Unix() {
		t.Fatalf("contract %+v", c)
	}
	for i, ms := range c.Milestones {
		if ms.Status != tx.MilestoneOpen || ms.Milestone != m.Milestones[i] {
			t.Errorf("milestone %d: %+v", i, ms)
		}
	}
	for i, s := range c.Subcontractors {
		if s.Subcontractor != m.Subcontractors[i] || s.Direct || s.Missed != 0 || s.OwedKRW != 0 || s.PaidKRW != 0 {
			t.Errorf("subcontractor %d: %+v", i, s)
		}
	}
	for _, k := range []apptest.Key{owner, prime, supervisor, arbiter, guarantor, sub1, sub2} {
		page := query[tx.ContractPage](t, h, "contracts", tx.ContractsRequest{Party: k.Addr})
		if len(page.Contracts) != 1 || page.Contracts[0].ID != "bridge-1" {
			t.Errorf("contracts of %s: %+v", k.Name, page)
		}
	}
	if page := query[tx.ContractPage](t, h, "contracts", tx.ContractsRequest{Party: outsider.Addr}); len(page.Contracts) != 0 {
		t.Errorf("contracts of an outsider: %+v", page)
	}
}

// TestCreateRefused: each refusal of a creation answers its code, names
// what was wrong and moves nothing.
func TestCreateRefused(t *testing.T) {
	h := newChain(t, nil)
	with := func(edit func(m *tx.MsgContractsCreate)) *tx.MsgContractsCreate {
		m := newMsg("road-7")
		edit(m)
		return m
	}
	for _, c := range []struct {
		name   string
		signer apptest.Key
		msg    *tx.MsgContractsCreate
		code   tx.Code
		logHas []string
	}{
		{"not an agency", prime, newMsg("road-7"), tx.CodeContractsNotAgency, []string{"agency", prime.Addr.String()}},
		{"supervisor without the role", owner, with(func(m *tx.MsgContractsCreate) { m.Supervisor = outsider.Addr }),
			tx.CodeContractsBadParty, []string{"supervisor", tx.RoleWorksSupervisor}},
		{"arbiter without the role", owner, with(func(m *tx.MsgContractsCreate) { m.Arbiter = supervisor.Addr }),
			tx.CodeContractsBadParty, []string{"arbiter", tx.RoleArbitrator}},
		{"guarantor without the role", owner, with(func(m *tx.MsgContractsCreate) { m.Guarantor = court.Addr }),
			tx.CodeContractsBadParty, []string{"guarantor", tx.RoleGuarantor}},
		{"the owner as prime", owner, with(func(m *tx.MsgContractsCreate) { m.Prime = owner.Addr }),
			tx.CodeContractsBadParty, []string{"prime", "owner"}},
		{"the owner as subcontractor", owner, with(func(m *tx.MsgContractsCreate) { m.Subcontractors[1].Address = owner.Addr }),
			tx.CodeContractsBadParty, []string{"subcontractors[1].address", "owner"}},
		{"the owner lacks the money", agency2, newMsg("road-7"), tx.CodeContractsInsufficient, []string{"21000000 won", agency2.Addr.String()}},
		{"bad message", owner, with(func(m *tx.MsgContractsCreate) { m.Milestones[2].WeightBP = 3999 }),
			tx.CodeTxInvalidMsg, []string{"weights add up to 9999"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			seq := h.Seq(c.signer)
			fail(t, h, c.name, c.signer, c.msg, c.code, c.logHas...)
			if c.code == tx.CodeTxInvalidMsg {
				h.SetSeq(c.signer, seq)
			}
			if res := h.Query("/contracts/contract", apptest.MustJSON(t, tx.ContractRequest{ID: "road-7"}), 0, false); !tx.CodeAppNotFound.Matches(res.Codespace, res.Code) {
				t.Fatalf("a refused creation left contract road-7: %s", res.Value)
			}
		})
	}
}

// TestCreateTwice (S5): a second contracts/create with the same id is
// refused with contracts 4, whoever sends it and whatever its terms, and
// changes nothing: the breakdown is fixed at creation.
func TestCreateTwice(t *testing.T) {
	h := newChain(t, nil)
	create(t, h, newMsg("school-3"))
	deliverApprove(t, h, "school-3", 0)
	m := newMsg("school-3")
	m.Pools.Equipment = 1 // other terms
	m.Subcontractors = m.Subcontractors[:1]
	m.Pools.Subcontract = m.Subcontractors[0].ShareKRW
	m.Terms = hash("other terms")
	fail(t, h, "create again", owner, m, tx.CodeContractsExists, `"school-3"`)
	fail(t, h, "create again, same terms", owner, newMsg("school-3"), tx.CodeContractsExists, `"school-3"`)
	fail(t, h, "create again by another agency", agency2, newMsg("school-3"), tx.CodeContractsExists, `"school-3"`)
	if c := contract(t, h, "school-3"); c.Pools != newMsg("school-3").Pools || len(c.Subcontractors) != 2 || c.Milestones[0].Status != tx.MilestoneApproved {
		t.Fatalf("contract after the refused creations: %+v", c)
	}
}
