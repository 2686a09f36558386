package vehicles

import (
	"math/bits"
	"time"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
)

func (k *Keeper) createProgramme(ctx *module.Context, signer tx.Address, m *tx.MsgVehicleCreateProgramme) error {
	if !k.roles.HasRole(ctx, signer, tx.RoleAgency) {
		return ErrNotAgency.Wrapf("%s", signer)
	}
	kv := k.kv(ctx)
	if kv.Has(programmeKey(m.ID)) {
		return ErrProgrammeExists.Wrapf("%q", m.ID)
	}
	if err := k.bank.Send(ctx, signer, EscrowAddress, m.Budget); err != nil {
		return err
	}
	p := Programme{
		ID: m.ID, Name: m.Name, Agency: signer, Amount: m.Amount, Budget: m.Budget, Remaining: m.Budget,
		HoldingPeriodSeconds: m.HoldingPeriodSeconds, Height: ctx.Height, Time: ctx.Time,
	}
	putJSON(kv, programmeKey(p.ID), p)
	ctx.Emit("vehicles.programme_created", "programme", p.ID, "agency", signer.String(), "amount", p.Amount.String(),
		"budget", p.Budget.String(), "holding_period_seconds", module.U64(p.HoldingPeriodSeconds))
	return nil
}

func (k *Keeper) approveSubsidy(ctx *module.Context, signer tx.Address, m *tx.MsgVehicleApproveSubsidy) error {
	kv := k.kv(ctx)
	var p Programme
	if !getJSON(kv, programmeKey(m.Programme), &p) {
		return ErrUnknownProgramme.Wrapf("%q", m.Programme)
	}
	if signer != p.Agency {
		return ErrNotProgrammeAgency.Wrapf("%s; programme %q belongs to %s", signer, p.ID, p.Agency)
	}
	v, err := k.active(kv, m.VIN)
	if err != nil {
		return err
	}
	if v.Subsidy != nil {
		return ErrVehicleSubsidised.Wrapf("%s received %s from programme %q at height %d", v.VIN, v.Subsidy.Amount, v.Subsidy.Programme, v.Subsidy.Height)
	}
	var cs CitizenSubsidy
	if getJSON(kv, citizenKey(v.Owner), &cs) {
		return ErrCitizenSubsidised.Wrapf("%s received one for %s from programme %q at height %d", v.Owner, cs.VIN, cs.Programme, cs.Height)
	}
	if p.Remaining.Amount < p.Amount.Amount {
		return ErrBudgetExhausted.Wrapf("programme %q has %s left, a subsidy is %s", p.ID, p.Remaining, p.Amount)
	}
	if err := k.bank.Send(ctx, EscrowAddress, v.Owner, p.Amount); err != nil {
		panic("vehicles: pay a subsidy within the programme's escrowed budget: " + err.Error())
	}
	p.Remaining.Amount -= p.Amount.Amount
	p.Approved++
	putJSON(kv, programmeKey(p.ID), p)
	v.Subsidy = &Subsidy{
		Programme: p.ID, Amount: p.Amount, Holder: v.Owner, Agency: signer, Height: ctx.Height, Time: ctx.Time,
		HoldingUntil: ctx.Time.Add(time.Duration(p.HoldingPeriodSeconds) * time.Second), Status: SubsidyHeld,
	}
	k.putVehicle(kv, v)
	putJSON(kv, citizenKey(v.Owner), CitizenSubsidy{Address: v.Owner, VIN: v.VIN, Programme: p.ID, Height: ctx.Height})
	c := k.counters(kv)
	c.Subsidies++
	putJSON(kv, counterKey, c)
	ctx.Emit("vehicles.subsidy_approved", "programme", p.ID, "vin", v.VIN, "owner", v.Owner.String(),
		"amount", p.Amount.String(), "holding_until", module.U64(uint64(v.Subsidy.HoldingUntil.Unix())))
	return nil
}

// Clawback is the part of a subsidy a sale at unix second now claws back:
// amount × (holding_until − now) ÷ holding period, rounded down; 0 from
// the end of the holding period on.
func Clawback(amount uint64, holdingUntil, now int64, holdingSeconds uint64) uint64 {
	if now >= holdingUntil || holdingSeconds == 0 {
		return 0
	}
	left := min(uint64(holdingUntil-now), holdingSeconds)
	hi, lo := bits.Mul64(amount, left)
	q, _ := bits.Div64(hi, lo, holdingSeconds) // hi < holdingSeconds since left <= holdingSeconds
	return q
}

// clawback takes back the pro-rata rest of the vehicle's subsidy from the
// seller into the programme's budget, when the seller holds it within the
// holding period. It returns the amount (nil: nothing was owed).
func (k *Keeper) clawback(ctx *module.Context, v *Vehicle, seller tx.Address, transfer uint64) (*tx.Coin, error) {
	s := v.Subsidy
	if s == nil || s.Status != SubsidyHeld || s.Holder != seller {
		return nil, nil
	}
	kv := k.kv(ctx)
	var p Programme
	if !getJSON(kv, programmeKey(s.Programme), &p) {
		panic("vehicles: subsidy of an unknown programme " + s.Programme)
	}
	owed := Clawback(s.Amount.Amount, s.HoldingUntil.Unix(), ctx.Time.Unix(), p.HoldingPeriodSeconds)
	if owed == 0 {
		return nil, nil
	}
	amt := tx.Coin{Amount: owed, Denom: s.Amount.Denom}
	if err := k.bank.Send(ctx, seller, EscrowAddress, amt); err != nil {
		return nil, ErrClawback.Wrapf("%s owes %s of the %s subsidy (programme %q, held until %s): %v",
			seller, amt, s.Amount, p.ID, s.HoldingUntil.UTC().Format(time.RFC3339), err)
	}
	p.Remaining.Amount += owed // at most what was paid out of the budget
	p.ClawedBack += owed
	putJSON(kv, programmeKey(p.ID), p)
	s.Status, s.ClawedBack, s.ClawbackTransfer = SubsidyClawedBack, &amt, transfer
	ctx.Emit("vehicles.subsidy_clawed_back", "programme", p.ID, "vin", v.VIN, "from", seller.String(),
		"amount", amt.String(), "transfer", module.U64(transfer))
	return &amt, nil
}
