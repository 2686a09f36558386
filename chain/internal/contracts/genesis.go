package contracts

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Genesis is the module's genesis section. A new chain needs none: the
// parameters default (tx.DefaultContractsParams); Params, when set to
// other values, are stored. The lists carry a running chain's state as
// ExportGenesis writes it, each in store key order: contracts by id,
// instalments by (contract, milestone, subcontractor), arrears lines by
// (contract, tier, party). The due queue (unpaid instalments not yet
// missed) and the party index are rebuilt from them.
type Genesis struct {
	Params      *tx.ContractsParams `json:"params,omitempty"`
	Contracts   []tx.Contract       `json:"contracts,omitempty"`
	Instalments []tx.Instalment     `json:"instalments,omitempty"`
	Lines       []tx.ArrearsLine    `json:"lines,omitempty"`
}

// Parameter bounds.
const (
	MaxLateRates      = 64
	MaxLateRate       = 100_000 // 100 % a year, parts per 100,000
	MaxMaxDuePerBlock = 100_000
)

// ValidateParams checks the parameters: 1 to 64 rows of kind
// late_interest with valid, strictly increasing effective dates and rates
// of at most 100 % a year, and 1 to 100,000 due dates per block.
func ValidateParams(p tx.ContractsParams) error {
	var errs []error
	if len(p.LateRates) == 0 || len(p.LateRates) > MaxLateRates {
		errs = append(errs, fmt.Errorf("params.late_rates: %d rows, want 1 to %d", len(p.LateRates), MaxLateRates))
	}
	for i, r := range p.LateRates {
		f := fmt.Sprintf("params.late_rates[%d]", i)
		if r.Kind != tx.RuleLateInterest {
			errs = append(errs, fmt.Errorf("%s.kind %q: want %s", f, r.Kind, tx.RuleLateInterest))
		}
		if _, err := tx.ParseDate(f+".effective", r.Effective); err != nil {
			errs = append(errs, err)
		} else if i > 0 && r.Effective <= p.LateRates[i-1].Effective {
			errs = append(errs, fmt.Errorf("%s.effective %s: want after the previous row's %s", f, r.Effective, p.LateRates[i-1].Effective))
		}
		if r.Value > MaxLateRate {
			errs = append(errs, fmt.Errorf("%s.value %d: want at most %d (100 %% a year)", f, r.Value, MaxLateRate))
		}
	}
	if p.MaxDuePerBlock == 0 || p.MaxDuePerBlock > MaxMaxDuePerBlock {
		errs = append(errs, fmt.Errorf("params.max_due_per_block %d: want 1 to %d", p.MaxDuePerBlock, MaxMaxDuePerBlock))
	}
	return errors.Join(errs...)
}

// isDefault reports whether p are the default parameters.
func isDefault(p tx.ContractsParams) bool {
	a, _ := json.Marshal(p)
	b, _ := json.Marshal(tx.DefaultContractsParams())
	return bytes.Equal(a, b)
}

// InitGenesis implements module.Module. No section (or an empty one)
// writes nothing.
func (k *Keeper) InitGenesis(ctx *module.Context, raw json.RawMessage) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var g Genesis
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		return ErrInvalidGenesis.Wrapf("%v", err)
	}
	p := tx.DefaultContractsParams()
	if g.Params != nil {
		if err := ValidateParams(*g.Params); err != nil {
			return ErrInvalidGenesis.Wrapf("%v", err)
		}
		p = *g.Params
	}
	if err := k.checkState(ctx, &g, p); err != nil {
		return ErrInvalidGenesis.Wrapf("%v", err)
	}
	writeState(k.kv(ctx), &g)
	return nil
}

// writeState writes a section's state and what is derived from it: the
// party index of each contract and the due queue of its unpaid
// instalments not yet missed.
func writeState(kv store.KV, g *Genesis) {
	if g.Params != nil && !isDefault(*g.Params) {
		store.PutJSON(kv, paramsKey, g.Params)
	}
	for i := range g.Contracts {
		c := &g.Contracts[i]
		putContract(kv, c)
		for _, p := range parties(c) {
			kv.Set(partyKey(p, c.ID), []byte{1})
		}
	}
	for i := range g.Instalments {
		in := &g.Instalments[i]
		putInstalment(kv, in)
		if in.PaidAt == 0 && !in.Missed {
			kv.Set(dueKey(in.Due, in.Contract, in.Milestone, in.Subcontractor), []byte{1})
		}
	}
	for _, l := range g.Lines {
		store.PutJSON(kv, lineKey(l.Contract, l.Tier, l.Party), l)
	}
}

// subTally is what a section's instalments and milestones say of one
// subcontractor of a contract.
type subTally struct {
	released uint64 // its shares of the approved milestones
	owed     uint64 // unpaid instalments' principal
	paid     uint64 // paid instalments' principal
	overdue  uint64 // missed unpaid instalments' principal
	missed   uint32 // missed instalments, paid or not
}

// checkState checks a section's state as a running chain writes it: each
// list in key order without duplicates; every contract as its creation
// message would be accepted (tx.MsgContractsCreate.ValidateBasic, the
// owner no other party), its milestones' statuses and times, its escrow,
// released and refunded amounts equal to what its milestones' statuses
// say; every instalment of an approved milestone and a subcontractor of
// its contract, its principal the subcontractor's share of the milestone,
// its due date from the milestone's dates and, when paid, its interest
// tx.LateInterest; each subcontractor's owed, paid and missed counts
// equal to its instalments' and releases'; the arrears lines exactly
// those the contracts and instalments give (no line of zeros); and the
// contracts escrow account holding Σ escrow_krw × 10^6 ukrw exactly.
func (k *Keeper) checkState(ctx *module.Context, g *Genesis, p tx.ContractsParams) error {
	byID := make(map[string]*tx.Contract, len(g.Contracts)) // lookups only
	shareOf := make(map[string][]shares, len(g.Contracts))  // each milestone's shares, by contract; lookups only
	var escrow uint64
	for i := range g.Contracts {
		c := &g.Contracts[i]
		f := fmt.Sprintf("contracts[%d] (%s)", i, c.ID)
		if i > 0 && c.ID <= g.Contracts[i-1].ID {
			return fmt.Errorf("%s.id: want after the previous contract's %q (ascending, unique)", f, g.Contracts[i-1].ID)
		}
		sh := make([]shares, len(c.Milestones))
		for m := range c.Milestones {
			sh[m] = milestoneShares(c, uint32(m))
		}
		if err := checkContract(c, sh); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		shareOf[c.ID] = sh
		var ok bool
		if escrow, ok = tx.AddUint64(escrow, c.EscrowKRW); !ok {
			return fmt.Errorf("%s.escrow_krw: the contracts' escrow passes 2^64-1", f)
		}
		byID[c.ID] = c
	}

	type subRef struct {
		id  string
		sub tx.Address
	}
	tally := map[subRef]*subTally{} // lookups only
	for i := range g.Contracts {
		c := &g.Contracts[i]
		for m := range c.Milestones {
			if c.Milestones[m].Status != tx.MilestoneApproved {
				continue
			}
			sh := shareOf[c.ID][m]
			for j, s := range c.Subcontractors {
				t := tally[subRef{c.ID, s.Address}]
				if t == nil {
					t = &subTally{}
					tally[subRef{c.ID, s.Address}] = t
				}
				t.released += sh.subs[j]
			}
		}
	}
	for i := range g.Instalments {
		in := &g.Instalments[i]
		f := fmt.Sprintf("instalments[%d] (%s/%d/%s)", i, in.Contract, in.Milestone, in.Subcontractor)
		if i > 0 {
			prev := &g.Instalments[i-1]
			if bytes.Compare(instalmentKey(prev.Contract, prev.Milestone, prev.Subcontractor),
				instalmentKey(in.Contract, in.Milestone, in.Subcontractor)) >= 0 {
				return fmt.Errorf("%s: out of store key order or a duplicate of instalments[%d]", f, i-1)
			}
		}
		c := byID[in.Contract]
		if c == nil {
			return fmt.Errorf("%s.contract: not in contracts", f)
		}
		if uint64(in.Milestone) >= uint64(len(c.Milestones)) || c.Milestones[in.Milestone].Status != tx.MilestoneApproved {
			return fmt.Errorf("%s.milestone: want an approved milestone of %s", f, c.ID)
		}
		j := subIndex(c, in.Subcontractor)
		if j < 0 {
			return fmt.Errorf("%s.subcontractor: not a subcontractor of %s", f, c.ID)
		}
		ms := &c.Milestones[in.Milestone]
		if want := shareOf[c.ID][in.Milestone].subs[j]; in.PrincipalKRW != want || want == 0 {
			return fmt.Errorf("%s.principal_krw %d: the subcontractor's share of the milestone is %d", f, in.PrincipalKRW, want)
		}
		if want := instalmentDue(ms); in.Due != want {
			return fmt.Errorf("%s.due %d: the milestone's dates make it %d", f, in.Due, want)
		}
		t := tally[subRef{c.ID, in.Subcontractor}]
		switch {
		case in.PaidAt == 0 && in.InterestKRW != 0:
			return fmt.Errorf("%s.interest_krw %d: unpaid, want none", f, in.InterestKRW)
		case in.PaidAt != 0 && in.PaidAt < ms.Approved:
			return fmt.Errorf("%s.paid_at %d: before the milestone's approval %d", f, in.PaidAt, ms.Approved)
		case in.PaidAt != 0:
			if want := tx.LateInterest(p.LateRates, tx.RuleLateInterest, in.PrincipalKRW, in.Due, in.PaidAt); in.InterestKRW != want {
				return fmt.Errorf("%s.interest_krw %d: the late-payment rates make it %d", f, in.InterestKRW, want)
			}
			t.paid += in.PrincipalKRW
		default:
			t.owed += in.PrincipalKRW
			if in.Missed {
				t.overdue += in.PrincipalKRW
			}
		}
		if in.Missed {
			t.missed++
		}
	}

	var want []tx.ArrearsLine // in key order
	for i := range g.Contracts {
		c := &g.Contracts[i]
		var prime uint64
		for m := range c.Milestones {
			if c.Milestones[m].Status == tx.MilestoneApproved {
				prime += shareOf[c.ID][m].prime
			}
		}
		lines := []tx.ArrearsLine{{Contract: c.ID, Tier: tx.TierPrime, Party: c.Prime, PaidKRW: prime}}
		for j := range c.Subcontractors {
			s := &c.Subcontractors[j]
			f := fmt.Sprintf("contract %s subcontractor %s", c.ID, s.Address)
			t := tally[subRef{c.ID, s.Address}]
			if t == nil {
				t = &subTally{}
			}
			switch {
			case s.OwedKRW != t.owed:
				return fmt.Errorf("%s: owed_krw %d, its unpaid instalments add up to %d", f, s.OwedKRW, t.owed)
			case s.Missed != t.missed:
				return fmt.Errorf("%s: missed %d, %d of its instalments are missed", f, s.Missed, t.missed)
			case s.PaidKRW < t.paid || s.PaidKRW+s.OwedKRW != t.released:
				return fmt.Errorf("%s: paid_krw %d and owed_krw %d, but its shares of the approved milestones add up to %d (%d paid by the prime)",
					f, s.PaidKRW, s.OwedKRW, t.released, t.paid)
			case !s.Direct && s.Missed >= tx.MissedForDirectPay:
				return fmt.Errorf("%s: %d missed instalments but not paid directly", f, s.Missed)
			}
			lines = append(lines, tx.ArrearsLine{Contract: c.ID, Tier: tx.TierSubcontract, Party: s.Address,
				OwedKRW: s.OwedKRW, PaidKRW: s.PaidKRW, OverdueKRW: t.overdue})
		}
		slices.SortFunc(lines, func(a, b tx.ArrearsLine) int {
			return bytes.Compare(lineKey(a.Contract, a.Tier, a.Party), lineKey(b.Contract, b.Tier, b.Party))
		})
		for _, l := range lines {
			if l.OwedKRW != 0 || l.PaidKRW != 0 || l.OverdueKRW != 0 {
				want = append(want, l)
			}
		}
	}
	for i, l := range g.Lines {
		if i >= len(want) || l != want[i] {
			return fmt.Errorf("lines[%d]: %+v, but the contracts and instalments give %s", i, l, lineAt(want, i))
		}
	}
	if len(g.Lines) < len(want) {
		return fmt.Errorf("lines: %d, but the contracts and instalments give %d; the first missing is %+v", len(g.Lines), len(want), want[len(g.Lines)])
	}

	have := k.bank.Balance(ctx, EscrowAddress, tx.DenomKRW)
	if escrow > math.MaxUint64/tx.UKRWPerWon || have != escrow*tx.UKRWPerWon {
		return fmt.Errorf("the contracts escrow %s holds %d%s, but the contracts' escrow_krw add up to %d won", EscrowAddress, have, tx.DenomKRW, escrow)
	}
	return nil
}

func lineAt(lines []tx.ArrearsLine, i int) string {
	if i >= len(lines) {
		return "no more lines"
	}
	return fmt.Sprintf("%+v", lines[i])
}

// checkMilestone checks a milestone's delivery, approval and dispute
// against its status.
func checkMilestone(ms *tx.ContractMilestone) error {
	frozen := !ms.Dispute.IsZero() || !ms.DisputedBy.IsZero()
	switch ms.Status {
	case tx.MilestoneOpen:
		if ms.Delivered != 0 || ms.Approved != 0 || frozen {
			return errors.New("open, want no delivery, approval or dispute")
		}
	case tx.MilestoneDelivered:
		if ms.Delivered == 0 || ms.Approved != 0 || frozen {
			return errors.New("delivered, want a delivery time and no approval or dispute")
		}
	case tx.MilestoneFrozen, tx.MilestoneRefunded:
		if ms.Approved != 0 || ms.Dispute.IsZero() || ms.DisputedBy.IsZero() {
			return fmt.Errorf("%s, want a dispute and its party, and no approval", ms.Status)
		}
	case tx.MilestoneApproved:
		if ms.Delivered == 0 || ms.Approved < ms.Delivered {
			return errors.New("approved, want a delivery time and an approval not before it")
		}
	default:
		return fmt.Errorf("status %q: want %s, %s, %s, %s or %s", ms.Status, tx.MilestoneOpen, tx.MilestoneDelivered,
			tx.MilestoneApproved, tx.MilestoneFrozen, tx.MilestoneRefunded)
	}
	return nil
}

// checkContract checks one contract on its own; sh are its milestones'
// shares.
func checkContract(c *tx.Contract, sh []shares) error {
	m := tx.MsgContractsCreate{ID: c.ID, Prime: c.Prime, Supervisor: c.Supervisor, Arbiter: c.Arbiter, Guarantor: c.Guarantor,
		Pools: c.Pools, Terms: c.Terms}
	for _, s := range c.Subcontractors {
		m.Subcontractors = append(m.Subcontractors, s.Subcontractor)
	}
	for _, ms := range c.Milestones {
		m.Milestones = append(m.Milestones, ms.Milestone)
	}
	if err := m.ValidateBasic(); err != nil {
		return err
	}
	if c.Owner.IsZero() {
		return errors.New("owner: want an address")
	}
	for _, p := range []tx.Address{c.Prime, c.Supervisor, c.Arbiter, c.Guarantor} {
		if p == c.Owner {
			return fmt.Errorf("owner %s: is another party too", c.Owner)
		}
	}
	if subIndex(c, c.Owner) >= 0 {
		return fmt.Errorf("owner %s: is a subcontractor too", c.Owner)
	}
	var escrow, released, refunded uint64
	for i := range c.Milestones {
		ms := &c.Milestones[i]
		if err := checkMilestone(ms); err != nil {
			return fmt.Errorf("milestones[%d]: %w", i, err)
		}
		total := sh[i].total
		switch ms.Status {
		case tx.MilestoneApproved:
			released += total
		case tx.MilestoneRefunded:
			refunded += total
		default:
			escrow += total
		}
	}
	if c.EscrowKRW != escrow || c.ReleasedKRW != released || c.RefundedKRW != refunded {
		return fmt.Errorf("escrow_krw %d, released_krw %d, refunded_krw %d: its milestones' statuses make them %d, %d, %d",
			c.EscrowKRW, c.ReleasedKRW, c.RefundedKRW, escrow, released, refunded)
	}
	for i, s := range c.Subcontractors {
		f := fmt.Sprintf("subcontractors[%d]", i)
		switch {
		case s.Direct && s.Ground != tx.GroundAgreement && s.Ground != tx.GroundMissed && s.Ground != tx.GroundInsolvency && s.Ground != tx.GroundGuaranteeBreach:
			return fmt.Errorf("%s.ground %q: paid directly, want one of the four grounds", f, s.Ground)
		case !s.Direct && s.Ground != "":
			return fmt.Errorf("%s.ground %q: not paid directly, want none", f, s.Ground)
		case s.Direct && (s.Ground == tx.GroundInsolvency || s.Ground == tx.GroundGuaranteeBreach) && !slices.Contains(c.Attested, s.Ground):
			return fmt.Errorf("%s.ground %s: not attested", f, s.Ground)
		case len(s.Agreed) == 3 && !s.Direct:
			return fmt.Errorf("%s.agreed: all three agreed but it is not paid directly", f)
		}
		for a, party := range s.Agreed {
			if party != agreedOwner && party != agreedPrime && party != agreedSub || slices.Contains(s.Agreed[:a], party) {
				return fmt.Errorf("%s.agreed[%d] %q: want %s, %s or %s, once each", f, a, party, agreedOwner, agreedPrime, agreedSub)
			}
		}
	}
	for i, g := range c.Attested {
		if g != tx.GroundInsolvency && g != tx.GroundGuaranteeBreach || slices.Contains(c.Attested[:i], g) {
			return fmt.Errorf("attested[%d] %q: want %s or %s, once each", i, g, tx.GroundInsolvency, tx.GroundGuaranteeBreach)
		}
	}
	return nil
}
