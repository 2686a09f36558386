package tx

import (
	"strings"
	"testing"
)

// TestContractsValidateBasic: each contracts message's stateless checks,
// each refusal naming its field; the valid forms pass.
func TestContractsValidateBasic(t *testing.T) {
	a := func(b byte) Address { return Address{b} }
	create := func(f func(m *MsgContractsCreate)) *MsgContractsCreate {
		m := &MsgContractsCreate{
			ID: "bridge-1", Prime: a(1), Supervisor: a(2), Arbiter: a(3), Guarantor: a(4),
			Pools:          ContractPools{Subcontract: 300, Labour: 100, Equipment: 50, Materials: 25},
			Subcontractors: []Subcontractor{{Address: a(5), ShareKRW: 200, Scope: Hash32{1}}, {Address: a(6), ShareKRW: 100, Scope: Hash32{2}}},
			Milestones:     []Milestone{{Name: "a", Due: "2026-01-31", WeightBP: 4000}, {Name: "b", Due: "2026-01-31", WeightBP: 6000}},
			Terms:          Hash32{9},
		}
		f(m)
		return m
	}
	ms := MsgContractsMilestone{Contract: "bridge-1", Milestone: 1}
	for _, c := range []struct {
		name string
		msg  Msg
		want []string // empty: valid
	}{
		{"create", create(func(*MsgContractsCreate) {}), nil},
		{"create without subcontractors", create(func(m *MsgContractsCreate) { m.Subcontractors, m.Pools.Subcontract = nil, 0 }), nil},
		{"bad id", create(func(m *MsgContractsCreate) { m.ID = "Bridge 1" }), []string{"id: ", "a-z"}},
		{"empty id", create(func(m *MsgContractsCreate) { m.ID = "" }), []string{"id: "}},
		{"id too long", create(func(m *MsgContractsCreate) { m.ID = strings.Repeat("a", 33) }), []string{"id: ", "32"}},
		{"no parties", create(func(m *MsgContractsCreate) {
			m.Prime, m.Supervisor, m.Arbiter, m.Guarantor = Address{}, Address{}, Address{}, Address{}
		}),
			[]string{"prime:", "supervisor:", "arbiter:", "guarantor:"}},
		{"no money", create(func(m *MsgContractsCreate) {
			m.Pools, m.Subcontractors = ContractPools{}, nil
		}), []string{"pools: want a positive total"}},
		{"pools too large", create(func(m *MsgContractsCreate) { m.Pools.Labour = MaxKRW }), []string{"pools: more than"}},
		{"shares off the pool", create(func(m *MsgContractsCreate) { m.Pools.Subcontract = 301 }), []string{"shares add up to 300 won, the subcontract pool is 301"}},
		{"zero share", create(func(m *MsgContractsCreate) { m.Subcontractors[1].ShareKRW = 0; m.Pools.Subcontract = 200 }), []string{"subcontractors[1].share_krw 0"}},
		{"no scope", create(func(m *MsgContractsCreate) { m.Subcontractors[0].Scope = Hash32{} }), []string{"subcontractors[0].scope"}},
		{"no sub address", create(func(m *MsgContractsCreate) { m.Subcontractors[0].Address = Address{} }), []string{"subcontractors[0].address"}},
		{"prime as sub", create(func(m *MsgContractsCreate) { m.Subcontractors[1].Address = a(1) }), []string{"subcontractors[1].address: is the prime"}},
		{"sub twice", create(func(m *MsgContractsCreate) { m.Subcontractors[1].Address = a(5) }), []string{"subcontractors[1].address: listed twice"}},
		{"too many subs", create(func(m *MsgContractsCreate) {
			m.Subcontractors = nil
			for i := range MaxSubcontractors + 1 {
				m.Subcontractors = append(m.Subcontractors, Subcontractor{Address: Address{7, byte(i)}, ShareKRW: 1, Scope: Hash32{1}})
			}
			m.Pools.Subcontract = MaxSubcontractors + 1
		}), []string{"subcontractors: 65, limit 64"}},
		{"no milestones", create(func(m *MsgContractsCreate) { m.Milestones = nil }), []string{"milestones: 0, want 1 to 64"}},
		{"weights", create(func(m *MsgContractsCreate) { m.Milestones[1].WeightBP = 5999 }), []string{"weights add up to 9999 basis points"}},
		{"zero weight", create(func(m *MsgContractsCreate) { m.Milestones[0].WeightBP, m.Milestones[1].WeightBP = 0, 10_000 }), []string{"milestones[0].weight_bp"}},
		{"milestone name", create(func(m *MsgContractsCreate) { m.Milestones[1].Name = strings.Repeat("x", 65) }), []string{"milestones[1].name"}},
		{"bad due", create(func(m *MsgContractsCreate) { m.Milestones[0].Due = "2026-02-30" }), []string{"milestones[0].due", "YYYY-MM-DD"}},
		{"dues out of order", create(func(m *MsgContractsCreate) { m.Milestones[1].Due = "2026-01-30" }), []string{"milestones[1].due 2026-01-30: before the previous milestone's 2026-01-31"}},
		{"no terms", create(func(m *MsgContractsCreate) { m.Terms = Hash32{} }), []string{"terms:"}},
		{"deliver", &MsgContractsDeliver{ms}, nil},
		{"deliver bad contract", &MsgContractsDeliver{MsgContractsMilestone{Contract: "x_y"}}, []string{"contract: "}},
		{"approve", &MsgContractsApprove{ms}, nil},
		{"approve no contract", &MsgContractsApprove{}, []string{"contract: "}},
		{"pay", &MsgContractsPaySub{Contract: "c", Subcontractor: a(5)}, nil},
		{"pay nobody", &MsgContractsPaySub{Contract: "c"}, []string{"subcontractor:"}},
		{"agree", &MsgContractsAgreeDirect{Contract: "c", Subcontractor: a(5)}, nil},
		{"agree bad", &MsgContractsAgreeDirect{Contract: "C"}, []string{"contract: ", "subcontractor:"}},
		{"attest", &MsgContractsAttest{Contract: "c", Ground: GroundInsolvency, Evidence: Hash32{1}}, nil},
		{"attest agreement", &MsgContractsAttest{Contract: "c", Ground: GroundAgreement}, []string{`ground "agreement"`, "evidence:"}},
		{"request", &MsgContractsRequestDirect{Contract: "c", Ground: GroundGuaranteeBreach}, nil},
		{"request missed", &MsgContractsRequestDirect{Contract: "c", Ground: GroundMissed}, []string{`ground "missed_instalments"`, "need no request"}},
		{"dispute", &MsgContractsDispute{Contract: "c", Reason: Hash32{1}}, nil},
		{"dispute without reason", &MsgContractsDispute{Contract: "c"}, []string{"reason:"}},
		{"resolve", &MsgContractsResolve{Contract: "c", Outcome: OutcomeRefund}, nil},
		{"resolve bad outcome", &MsgContractsResolve{Contract: "c", Outcome: "split"}, []string{`outcome "split"`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.msg.ValidateBasic()
			if len(c.want) == 0 {
				if err != nil {
					t.Fatalf("got %v, want valid", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("got valid, want an error naming %q", c.want)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
		})
	}
}

// TestMilestoneShare: each milestone takes the floor of its weight, the
// last what is left, so the parts add up to the amount exactly, for any
// weights and amounts up to MaxKRW.
func TestMilestoneShare(t *testing.T) {
	ms := []Milestone{{WeightBP: 3333}, {WeightBP: 3333}, {WeightBP: 3334}}
	for _, c := range []struct {
		amount uint64
		want   []uint64
	}{
		{100, []uint64{33, 33, 34}},
		{1, []uint64{0, 0, 1}},
		{0, []uint64{0, 0, 0}},
		{10_000_000, []uint64{3_333_000, 3_333_000, 3_334_000}},
		{9_999, []uint64{3332, 3332, 3335}},
		{MaxKRW, []uint64{3_333_000_000_000, 3_333_000_000_000, 3_334_000_000_000}},
	} {
		for i, w := range c.want {
			if got := MilestoneShare(ms, i, c.amount); got != w {
				t.Errorf("MilestoneShare(%d, milestone %d): got %d, want %d", c.amount, i, got, w)
			}
		}
	}
	// Every weight split and amount adds up exactly.
	for _, weights := range [][]uint32{{10_000}, {1, 9999}, {9999, 1}, {7, 13, 9980}, {2500, 2500, 2500, 2500}, {1, 1, 1, 9997}} {
		ms := make([]Milestone, len(weights))
		for i, w := range weights {
			ms[i].WeightBP = w
		}
		for _, amount := range []uint64{0, 1, 2, 3, 7, 999, 10_001, 123_456_789, MaxKRW - 1, MaxKRW} {
			var sum uint64
			for i := range ms {
				part := MilestoneShare(ms, i, amount)
				if part > amount {
					t.Fatalf("weights %v amount %d: milestone %d takes %d", weights, amount, i, part)
				}
				sum += part
			}
			if sum != amount {
				t.Errorf("weights %v amount %d: the parts add up to %d", weights, amount, sum)
			}
		}
	}
}

// TestContractsLateInterest (S3): 10,000,000 won twenty days late at
// 15.5 % a year is 84,931 won (floor of 84,931.5); on the due date and
// before, nothing; the default parameters carry the 15,500 row.
func TestContractsLateInterest(t *testing.T) {
	rows := []LabourRule{{Kind: RuleLateInterest, Effective: "2000-01-01", Value: 15_500}}
	if d := DefaultContractsParams(); len(d.LateRates) != 1 || d.LateRates[0] != rows[0] || d.MaxDuePerBlock != 2_000 {
		t.Fatalf("DefaultContractsParams %+v", d)
	}
	due, _ := ParseDate("due", "2026-03-10")
	due += 86400 - 1 // the end of the due date, as an instalment's due
	for _, c := range []struct {
		paid string
		want uint64
	}{
		{"2026-03-09", 0},
		{"2026-03-10", 0},
		{"2026-03-11", 4_246}, // one day: floor(10,000,000 × 15,500 / 36,500,000)
		{"2026-03-30", 84_931},
	} {
		paid, _ := ParseDate("paid", c.paid)
		paid += 12 * 3600 // noon
		if got := LateInterest(rows, RuleLateInterest, 10_000_000, due, paid); got != c.want {
			t.Errorf("paid %s: got %d, want %d", c.paid, got, c.want)
		}
	}
	// A rate change part way: 10 days at 15.5 %, 10 at 12 %.
	two := append(rows, LabourRule{Kind: RuleLateInterest, Effective: "2026-03-21", Value: 12_000})
	paid, _ := ParseDate("paid", "2026-03-30")
	if got, want := LateInterest(two, RuleLateInterest, 10_000_000, due, paid), uint64(10_000_000*(10*15_500+10*12_000)/36_500_000); got != want {
		t.Errorf("across a rate change: got %d, want %d", got, want)
	}
}
