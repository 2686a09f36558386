package market

import (
	"bytes"
	"encoding/json"
	"errors"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
)

// Genesis is the module's section of the genesis app state.
type Genesis struct {
	Params Params `json:"params"`
}

// Validate checks the parameters on their own.
func (p Params) Validate() error {
	var errs []error
	positive := func(name string, v uint64) {
		if v == 0 {
			errs = append(errs, errors.New(name+": want at least 1, got 0"))
		}
	}
	positive("params.horizon_intervals", p.HorizonIntervals)
	positive("params.max_open_orders", p.MaxOpenOrders)
	positive("params.max_order_wh", p.MaxOrderWh)
	positive("params.max_price", p.MaxPrice)
	positive("params.max_intervals_per_block", p.MaxIntervalsPerBlock)
	if p.GridFeeBps > 10_000 {
		errs = append(errs, errors.New("params.grid_fee_bps: want at most 10000 (100 %)"))
	}
	if p.PenaltyBps > 10_000 {
		errs = append(errs, errors.New("params.penalty_bps: want at most 10000 (100 %)"))
	}
	if p.GridFeeBps > 0 && p.GridOperator.IsZero() {
		errs = append(errs, errors.New("params.grid_operator: want the address that receives the grid fee when grid_fee_bps > 0"))
	}
	if p.GridOperator == tx.ModuleAddress(Codespace) {
		errs = append(errs, errors.New("params.grid_operator: must not be the market's own escrow account"))
	}
	return errors.Join(errs...)
}

// InitGenesis implements module.Module. A missing section leaves
// DefaultParams in force.
func (k *Keeper) InitGenesis(ctx *module.Context, raw json.RawMessage) error {
	g := Genesis{Params: DefaultParams()}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		return ErrInvalidGenesis.Wrapf("%v", err)
	}
	if err := g.Params.Validate(); err != nil {
		return ErrInvalidGenesis.Wrapf("%v", err)
	}
	if g.Params.GridFeeBps > 0 && !k.roles.HasRole(ctx, g.Params.GridOperator, tx.RoleGridOperator) {
		return ErrInvalidGenesis.Wrapf("params.grid_operator: %s does not hold role %q", g.Params.GridOperator, tx.RoleGridOperator)
	}
	putJSON(k.kv(ctx), paramsKey, g.Params)
	return nil
}

// DefaultGenesis is the genesis a generated network starts with:
// DefaultParams, and when gridOperator is set, a 2 % grid fee paid to it.
func DefaultGenesis(gridOperator tx.Address) Genesis {
	p := DefaultParams()
	if !gridOperator.IsZero() {
		p.GridOperator, p.GridFeeBps = gridOperator, 200
	}
	return Genesis{Params: p}
}
