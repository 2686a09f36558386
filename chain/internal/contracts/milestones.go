package contracts

import (
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Day is a day in seconds.
const day = 86400

// create creates a contract: the signer (role agency) is its owner and
// moves the pools' total into the escrow. Nothing of the contract changes
// afterwards but its milestones' statuses, its subcontractors' direct
// payment state and its escrow counters.
func (k *Keeper) create(ctx *module.Context, signer tx.Address, m *tx.MsgContractsCreate) error {
	kv := k.kv(ctx)
	if !k.auth.HasRole(ctx, signer, tx.RoleAgency) {
		return ErrNotAgency.Wrapf("%s creating contract %s", signer, m.ID)
	}
	if kv.Has(contractKey(m.ID)) {
		return ErrExists.Wrapf("id %q: its terms are never replaced", m.ID)
	}
	for _, p := range []struct {
		field, role string
		addr        tx.Address
	}{
		{"supervisor", tx.RoleWorksSupervisor, m.Supervisor},
		{"arbiter", tx.RoleArbitrator, m.Arbiter},
		{"guarantor", tx.RoleGuarantor, m.Guarantor},
	} {
		if !k.auth.HasRole(ctx, p.addr, p.role) {
			return ErrBadParty.Wrapf("%s %s: lacks the %s role", p.field, p.addr, p.role)
		}
	}
	for _, p := range []struct {
		field string
		addr  tx.Address
	}{{"prime", m.Prime}, {"supervisor", m.Supervisor}, {"arbiter", m.Arbiter}, {"guarantor", m.Guarantor}} {
		if p.addr == signer {
			return ErrBadParty.Wrapf("%s %s: is the owner (the signer)", p.field, p.addr)
		}
	}
	for i, s := range m.Subcontractors {
		if s.Address == signer {
			return ErrBadParty.Wrapf("subcontractors[%d].address %s: is the owner (the signer)", i, s.Address)
		}
	}
	total, _ := m.Pools.Total() // ValidateBasic checked it
	if have := k.bank.Balance(ctx, signer, tx.DenomKRW); have < total*tx.UKRWPerWon {
		return ErrInsufficient.Wrapf("owner %s has %d%s, the pools' total is %d won (%d%s)", signer, have, tx.DenomKRW,
			total, total*tx.UKRWPerWon, tx.DenomKRW)
	}
	if err := k.bank.Send(ctx, signer, EscrowAddress, tx.WonCoin(total)); err != nil {
		return err
	}
	c := &tx.Contract{
		ID: m.ID, Owner: signer, Prime: m.Prime, Supervisor: m.Supervisor, Arbiter: m.Arbiter, Guarantor: m.Guarantor,
		Pools: m.Pools, Subcontractors: make([]tx.ContractSub, len(m.Subcontractors)),
		Milestones: make([]tx.ContractMilestone, len(m.Milestones)), Terms: m.Terms, Created: ctx.Time.Unix(),
		EscrowKRW: total,
	}
	for i, s := range m.Subcontractors {
		c.Subcontractors[i] = tx.ContractSub{Subcontractor: s}
	}
	for i, ms := range m.Milestones {
		c.Milestones[i] = tx.ContractMilestone{Milestone: ms, Status: tx.MilestoneOpen}
	}
	putContract(kv, c)
	for _, p := range parties(c) {
		kv.Set(partyKey(p, c.ID), []byte{1})
	}
	ctx.Emit("contracts.created", "contract", c.ID, "owner", signer.String(), "prime", c.Prime.String(),
		"total_krw", module.U64(total))
	return nil
}

// deliver records the prime's delivery of an open milestone.
func (k *Keeper) deliver(ctx *module.Context, signer tx.Address, m *tx.MsgContractsDeliver) error {
	kv := k.kv(ctx)
	c, err := found(kv, m.Contract, m.Milestone)
	if err != nil {
		return err
	}
	if signer != c.Prime {
		return ErrNotParty.Wrapf("%s delivers %s: only the prime %s may", signer, milestoneRef(c, m.Milestone), c.Prime)
	}
	ms := &c.Milestones[m.Milestone]
	switch ms.Status {
	case tx.MilestoneOpen:
	case tx.MilestoneFrozen:
		return ErrFrozen.Wrapf("%s: only the arbiter %s acts on it", milestoneRef(c, m.Milestone), c.Arbiter)
	default:
		return ErrMilestoneState.Wrapf("%s is %s, want %s", milestoneRef(c, m.Milestone), ms.Status, tx.MilestoneOpen)
	}
	ms.Status, ms.Delivered = tx.MilestoneDelivered, ctx.Time.Unix()
	putContract(kv, c)
	ctx.Emit("contracts.delivered", "contract", c.ID, "milestone", module.U64(uint64(m.Milestone)))
	return nil
}

// approve approves a delivered milestone and releases its money.
func (k *Keeper) approve(ctx *module.Context, signer tx.Address, m *tx.MsgContractsApprove) error {
	kv := k.kv(ctx)
	c, err := found(kv, m.Contract, m.Milestone)
	if err != nil {
		return err
	}
	if signer != c.Supervisor {
		return ErrNotParty.Wrapf("%s approves %s: only the supervisor %s may", signer, milestoneRef(c, m.Milestone), c.Supervisor)
	}
	switch ms := &c.Milestones[m.Milestone]; ms.Status {
	case tx.MilestoneDelivered:
	case tx.MilestoneFrozen:
		return ErrFrozen.Wrapf("%s: only the arbiter %s acts on it", milestoneRef(c, m.Milestone), c.Arbiter)
	default:
		return ErrMilestoneState.Wrapf("%s is %s, want %s", milestoneRef(c, m.Milestone), ms.Status, tx.MilestoneDelivered)
	}
	return k.release(ctx, kv, c, m.Milestone)
}

// shares is what one milestone releases: to the labour pool, to the prime
// (equipment and materials) and to each subcontractor, in won.
type shares struct {
	labour, prime uint64
	subs          []uint64 // by subcontractor index
	total         uint64
}

// milestoneShares is what milestone i of c releases:
// tx.MilestoneShare of each pool and of each subcontractor's share (the
// subcontract pool is the sum of the shares, so its parts over all
// milestones add up to it exactly).
func milestoneShares(c *tx.Contract, i uint32) shares {
	ms := make([]tx.Milestone, len(c.Milestones))
	for j := range c.Milestones {
		ms[j] = c.Milestones[j].Milestone
	}
	n := int(i)
	s := shares{
		labour: tx.MilestoneShare(ms, n, c.Pools.Labour),
		prime:  tx.MilestoneShare(ms, n, c.Pools.Equipment) + tx.MilestoneShare(ms, n, c.Pools.Materials),
		subs:   make([]uint64, len(c.Subcontractors)),
	}
	s.total = s.labour + s.prime
	for j := range c.Subcontractors {
		s.subs[j] = tx.MilestoneShare(ms, n, c.Subcontractors[j].ShareKRW)
		s.total += s.subs[j]
	}
	return s
}

// instalmentDue is when the prime must pay a subcontractor for milestone
// ms: the earliest of the end of its due date (23:59:59 KST), delivery +
// 60 days and approval + 15 days (Subcontracting Act art. 13). Interest
// runs from the day after the due's KST date.
func instalmentDue(ms *tx.ContractMilestone) int64 {
	end, _ := tx.ParseDate("due", ms.Due) // checked at creation
	return min(end+day-1, ms.Delivered+tx.PaymentTermDays*day, ms.Approved+tx.PrimePaidTermDays*day)
}

// release approves milestone i of c at the block time and releases its
// money from the escrow: the labour share to the project's labour pool,
// equipment and materials to the prime, each subcontractor's share to it
// when it is paid directly, else to the prime with an instalment the
// prime owes it.
func (k *Keeper) release(ctx *module.Context, kv store.KV, c *tx.Contract, i uint32) error {
	now := ctx.Time.Unix()
	ms := &c.Milestones[i]
	ms.Status, ms.Approved = tx.MilestoneApproved, now
	sh := milestoneShares(c, i)
	if sh.total > c.EscrowKRW {
		return module.ErrInternal.Wrapf("%s releases %d won, the contract's escrow holds %d", milestoneRef(c, i), sh.total, c.EscrowKRW)
	}
	if sh.labour > 0 {
		if err := k.labour.FundProject(ctx, c.ID, sh.labour); err != nil {
			return err
		}
	}
	if sh.prime > 0 {
		if err := k.bank.Send(ctx, EscrowAddress, c.Prime, tx.WonCoin(sh.prime)); err != nil {
			return module.ErrInternal.Wrapf("release to the prime: %v", err)
		}
		l := getLine(kv, c.ID, tx.TierPrime, c.Prime)
		l.PaidKRW += sh.prime
		putLine(kv, l)
	}
	due := instalmentDue(ms)
	for j, amt := range sh.subs {
		if amt == 0 {
			continue
		}
		s := &c.Subcontractors[j]
		l := getLine(kv, c.ID, tx.TierSubcontract, s.Address)
		if s.Direct {
			if err := k.bank.Send(ctx, EscrowAddress, s.Address, tx.WonCoin(amt)); err != nil {
				return module.ErrInternal.Wrapf("release to subcontractor %s: %v", s.Address, err)
			}
			s.PaidKRW += amt
			l.PaidKRW += amt
			ctx.Emit("contracts.paid_direct", "contract", c.ID, "milestone", module.U64(uint64(i)),
				"subcontractor", s.Address.String(), "amount_krw", module.U64(amt), "ground", s.Ground)
		} else {
			if err := k.bank.Send(ctx, EscrowAddress, c.Prime, tx.WonCoin(amt)); err != nil {
				return module.ErrInternal.Wrapf("release to the prime for subcontractor %s: %v", s.Address, err)
			}
			putInstalment(kv, &tx.Instalment{Contract: c.ID, Milestone: i, Subcontractor: s.Address, PrincipalKRW: amt, Due: due})
			kv.Set(dueKey(due, c.ID, i, s.Address), []byte{1})
			s.OwedKRW += amt
			l.OwedKRW += amt
			ctx.Emit("contracts.instalment", "contract", c.ID, "milestone", module.U64(uint64(i)),
				"subcontractor", s.Address.String(), "principal_krw", module.U64(amt), "due", module.U64(uint64(due)))
		}
		putLine(kv, l)
	}
	c.EscrowKRW -= sh.total
	c.ReleasedKRW += sh.total
	putContract(kv, c)
	ctx.Emit("contracts.approved", "contract", c.ID, "milestone", module.U64(uint64(i)), "released_krw", module.U64(sh.total),
		"labour_krw", module.U64(sh.labour), "prime_krw", module.U64(sh.prime))
	return nil
}

// dispute freezes an open or delivered milestone.
func (k *Keeper) dispute(ctx *module.Context, signer tx.Address, m *tx.MsgContractsDispute) error {
	kv := k.kv(ctx)
	c, err := found(kv, m.Contract, m.Milestone)
	if err != nil {
		return err
	}
	if signer != c.Owner && signer != c.Prime && signer != c.Supervisor && subIndex(c, signer) < 0 {
		return ErrNotParty.Wrapf("%s disputes %s: only the owner, the prime, a subcontractor or the supervisor may",
			signer, milestoneRef(c, m.Milestone))
	}
	ms := &c.Milestones[m.Milestone]
	switch ms.Status {
	case tx.MilestoneOpen, tx.MilestoneDelivered:
	case tx.MilestoneFrozen:
		return ErrFrozen.Wrapf("%s is disputed already: only the arbiter %s acts on it", milestoneRef(c, m.Milestone), c.Arbiter)
	default:
		return ErrMilestoneState.Wrapf("%s is %s, want %s or %s", milestoneRef(c, m.Milestone), ms.Status,
			tx.MilestoneOpen, tx.MilestoneDelivered)
	}
	// Delivered (non-zero or not) keeps whether it was delivered.
	ms.Status, ms.Dispute, ms.DisputedBy = tx.MilestoneFrozen, m.Reason, signer
	putContract(kv, c)
	ctx.Emit("contracts.disputed", "contract", c.ID, "milestone", module.U64(uint64(m.Milestone)),
		"by", signer.String(), "reason", m.Reason.String())
	return nil
}

// resolve resolves a frozen milestone: release approves and releases it
// (delivered now if it never was), refund returns its money to the owner.
func (k *Keeper) resolve(ctx *module.Context, signer tx.Address, m *tx.MsgContractsResolve) error {
	kv := k.kv(ctx)
	c, err := found(kv, m.Contract, m.Milestone)
	if err != nil {
		return err
	}
	if signer != c.Arbiter {
		return ErrNotParty.Wrapf("%s resolves %s: only the arbiter %s may", signer, milestoneRef(c, m.Milestone), c.Arbiter)
	}
	ms := &c.Milestones[m.Milestone]
	if ms.Status != tx.MilestoneFrozen {
		return ErrMilestoneState.Wrapf("%s is %s, want %s", milestoneRef(c, m.Milestone), ms.Status, tx.MilestoneFrozen)
	}
	ctx.Emit("contracts.resolved", "contract", c.ID, "milestone", module.U64(uint64(m.Milestone)), "outcome", m.Outcome)
	if m.Outcome == tx.OutcomeRelease {
		if ms.Delivered == 0 {
			ms.Delivered = ctx.Time.Unix()
		}
		return k.release(ctx, kv, c, m.Milestone)
	}
	sh := milestoneShares(c, m.Milestone)
	if sh.total > c.EscrowKRW {
		return module.ErrInternal.Wrapf("%s refunds %d won, the contract's escrow holds %d", milestoneRef(c, m.Milestone), sh.total, c.EscrowKRW)
	}
	if sh.total > 0 {
		if err := k.bank.Send(ctx, EscrowAddress, c.Owner, tx.WonCoin(sh.total)); err != nil {
			return module.ErrInternal.Wrapf("refund to the owner: %v", err)
		}
	}
	ms.Status = tx.MilestoneRefunded
	c.EscrowKRW -= sh.total
	c.RefundedKRW += sh.total
	putContract(kv, c)
	ctx.Emit("contracts.refunded", "contract", c.ID, "milestone", module.U64(uint64(m.Milestone)), "amount_krw", module.U64(sh.total))
	return nil
}
