package contracts

import (
	"slices"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
)

// paySub pays an instalment the prime owes a subcontractor: the principal
// plus the interest accrued to the block's date, from the prime's ukrw.
func (k *Keeper) paySub(ctx *module.Context, signer tx.Address, m *tx.MsgContractsPaySub) error {
	kv := k.kv(ctx)
	c, err := found(kv, m.Contract, m.Milestone)
	if err != nil {
		return err
	}
	if signer != c.Prime {
		return ErrNotParty.Wrapf("%s pays an instalment of %s: only the prime %s may", signer, c.ID, c.Prime)
	}
	j := subIndex(c, m.Subcontractor)
	if j < 0 {
		return ErrUnknownSub.Wrapf("subcontractor %s of contract %s", m.Subcontractor, c.ID)
	}
	in := getInstalment(kv, c.ID, m.Milestone, m.Subcontractor)
	if in == nil || in.PaidAt != 0 {
		return ErrNothingOwed.Wrapf("%s, subcontractor %s", milestoneRef(c, m.Milestone), m.Subcontractor)
	}
	now := ctx.Time.Unix()
	interest := tx.LateInterest(params(kv).LateRates, tx.RuleLateInterest, in.PrincipalKRW, in.Due, now)
	amount := in.PrincipalKRW + interest
	if have := k.bank.Balance(ctx, signer, tx.DenomKRW); have < amount*tx.UKRWPerWon {
		return ErrInsufficient.Wrapf("prime %s has %d%s, the instalment is %d won principal + %d won interest (%d days late)",
			signer, have, tx.DenomKRW, in.PrincipalKRW, interest, tx.DaysLate(in.Due, now))
	}
	if err := k.bank.Send(ctx, signer, m.Subcontractor, tx.WonCoin(amount)); err != nil {
		return err
	}
	if !in.Missed {
		kv.Delete(dueKey(in.Due, c.ID, in.Milestone, in.Subcontractor))
	}
	in.PaidAt, in.InterestKRW = now, interest
	putInstalment(kv, in)
	s := &c.Subcontractors[j]
	s.OwedKRW -= in.PrincipalKRW
	s.PaidKRW += in.PrincipalKRW
	putContract(kv, c)
	l := getLine(kv, c.ID, tx.TierSubcontract, s.Address)
	l.OwedKRW -= in.PrincipalKRW
	l.PaidKRW += in.PrincipalKRW
	if in.Missed {
		l.OverdueKRW -= in.PrincipalKRW
	}
	putLine(kv, l)
	ctx.Emit("contracts.instalment_paid", "contract", c.ID, "milestone", module.U64(uint64(in.Milestone)),
		"subcontractor", s.Address.String(), "principal_krw", module.U64(in.PrincipalKRW),
		"interest_krw", module.U64(interest), "days_late", module.U64(tx.DaysLate(in.Due, now)))
	return nil
}

// agreeDirect records one party's signature of a three-party direct
// payment agreement; with the third the subcontractor is paid directly.
func (k *Keeper) agreeDirect(ctx *module.Context, signer tx.Address, m *tx.MsgContractsAgreeDirect) error {
	kv := k.kv(ctx)
	c := getContract(kv, m.Contract)
	if c == nil {
		return ErrUnknown.Wrapf("contract %q", m.Contract)
	}
	j := subIndex(c, m.Subcontractor)
	if j < 0 {
		return ErrUnknownSub.Wrapf("subcontractor %s of contract %s", m.Subcontractor, c.ID)
	}
	var party string
	switch signer {
	case c.Owner:
		party = agreedOwner
	case c.Prime:
		party = agreedPrime
	case m.Subcontractor:
		party = agreedSub
	default:
		return ErrNotParty.Wrapf("%s agrees to pay %s directly: only the owner, the prime or that subcontractor may", signer, m.Subcontractor)
	}
	s := &c.Subcontractors[j]
	if s.Direct {
		return ErrAlreadyDirect.Wrapf("subcontractor %s of %s is paid directly already (ground %s)", s.Address, c.ID, s.Ground)
	}
	if slices.Contains(s.Agreed, party) {
		return ErrAlreadyDirect.Wrapf("the %s agreed already to pay %s directly", party, s.Address)
	}
	s.Agreed = append(s.Agreed, party)
	ctx.Emit("contracts.agreed", "contract", c.ID, "subcontractor", s.Address.String(), "party", party)
	if len(s.Agreed) == 3 {
		makeDirect(ctx, c, j, tx.GroundAgreement)
	}
	putContract(k.kv(ctx), c)
	return nil
}

// attest records a ground against the contract's prime: insolvency by a
// court_registry, guarantee_breach by the contract's guarantor. A ground
// attested twice is recorded once (the event names each evidence).
func (k *Keeper) attest(ctx *module.Context, signer tx.Address, m *tx.MsgContractsAttest) error {
	kv := k.kv(ctx)
	c := getContract(kv, m.Contract)
	if c == nil {
		return ErrUnknown.Wrapf("contract %q", m.Contract)
	}
	switch m.Ground {
	case tx.GroundInsolvency:
		if !k.auth.HasRole(ctx, signer, tx.RoleCourtRegistry) {
			return ErrNotParty.Wrapf("%s attests %s: lacks the %s role", signer, m.Ground, tx.RoleCourtRegistry)
		}
	case tx.GroundGuaranteeBreach:
		if signer != c.Guarantor || !k.auth.HasRole(ctx, signer, tx.RoleGuarantor) {
			return ErrNotParty.Wrapf("%s attests %s: only the contract's guarantor %s (role %s) may", signer, m.Ground, c.Guarantor, tx.RoleGuarantor)
		}
	}
	if !slices.Contains(c.Attested, m.Ground) {
		c.Attested = append(c.Attested, m.Ground)
		putContract(kv, c)
	}
	ctx.Emit("contracts.attested", "contract", c.ID, "ground", m.Ground, "by", signer.String(), "evidence", m.Evidence.String())
	return nil
}

// requestDirect is a subcontractor's request for direct payment on an
// attested ground.
func (k *Keeper) requestDirect(ctx *module.Context, signer tx.Address, m *tx.MsgContractsRequestDirect) error {
	kv := k.kv(ctx)
	c := getContract(kv, m.Contract)
	if c == nil {
		return ErrUnknown.Wrapf("contract %q", m.Contract)
	}
	j := subIndex(c, signer)
	if j < 0 {
		return ErrUnknownSub.Wrapf("signer %s is not a subcontractor of %s", signer, c.ID)
	}
	if !slices.Contains(c.Attested, m.Ground) {
		return ErrNoGround.Wrapf("ground %s: not attested against the prime of %s", m.Ground, c.ID)
	}
	if s := &c.Subcontractors[j]; s.Direct {
		return ErrAlreadyDirect.Wrapf("subcontractor %s of %s is paid directly already (ground %s)", s.Address, c.ID, s.Ground)
	}
	makeDirect(ctx, c, j, m.Ground)
	putContract(kv, c)
	return nil
}

// makeDirect makes subcontractor j of c paid directly on ground: every
// later release pays it from the escrow. Instalments the prime owes it
// already stay the prime's to pay.
func makeDirect(ctx *module.Context, c *tx.Contract, j int, ground string) {
	s := &c.Subcontractors[j]
	s.Direct, s.Ground = true, ground
	ctx.Emit("contracts.direct_payment", "contract", c.ID, "subcontractor", s.Address.String(), "ground", ground)
}
