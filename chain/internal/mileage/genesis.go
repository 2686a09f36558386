package mileage

import (
	"bytes"
	"encoding/json"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
)

// Params are the module's genesis parameters. Amounts are uscn.
type Params struct {
	// PeriodIntervals is the length of a vehicle reward period in metering
	// intervals: period p covers intervals [p·L, (p+1)·L).
	PeriodIntervals uint64 `json:"period_intervals"`
	// SettleDelayIntervals is how many intervals after a period's end its
	// rewards wait for late readings before they are settled.
	SettleDelayIntervals uint64 `json:"settle_delay_intervals"`
	// UscnPerKm is the reward per km an electric vehicle drove in a period
	// (computed on metres: distance_m × uscn_per_km / 1000, rounded down).
	UscnPerKm uint64 `json:"uscn_per_km"`
	// MaxKmPerPeriod caps the distance rewarded per vehicle and period.
	MaxKmPerPeriod uint64 `json:"max_km_per_period"`
	// BonusTiers reward a reduction of the distance against the vehicle's
	// baseline: the tier with the highest min_reduction_bp not above the
	// reduction (in basis points) applies. Strictly increasing.
	BonusTiers []BonusTier `json:"bonus_tiers"`
	// AwardExpirySeconds is how long an award stays spendable; 0: for ever.
	AwardExpirySeconds uint64 `json:"award_expiry_seconds"`
	// MaxVehiclesPerBlock bounds the vehicle-periods settled per block
	// (each reads PeriodIntervals metering deltas).
	MaxVehiclesPerBlock uint64 `json:"max_vehicles_per_block"`
	// MaxExpiriesPerBlock bounds the awards expired per block.
	MaxExpiriesPerBlock uint64 `json:"max_expiries_per_block"`
}

// BonusTier is one step of the reduction bonus.
type BonusTier struct {
	MinReductionBP uint64 `json:"min_reduction_bp"` // 1..10000 (0.01 % .. 100 %)
	BonusUscn      uint64 `json:"bonus_uscn"`
}

// Parameter bounds.
const (
	MaxPeriodIntervals    = 100_000
	MaxBonusTiers         = 16
	MaxAwardExpirySeconds = 100 * 365 * 24 * 3600
	maxWorkPerBlock       = 10_000
)

// DefaultParams: 30-day periods of 15-minute intervals settled an hour after
// they end, 0.01 S-Coin per km up to 10,000 km, the reduction bonus tiers of
// Seoul's car-mileage programme (2, 3, 5 and 7 S-Coin for a reduction above
// 0 %, from 10 %, 20 % and 30 %), awards valid five years.
func DefaultParams() Params {
	return Params{
		PeriodIntervals: 2880, SettleDelayIntervals: 4,
		UscnPerKm: 10_000, MaxKmPerPeriod: 10_000,
		BonusTiers: []BonusTier{
			{MinReductionBP: 1, BonusUscn: 2_000_000},
			{MinReductionBP: 1_000, BonusUscn: 3_000_000},
			{MinReductionBP: 2_000, BonusUscn: 5_000_000},
			{MinReductionBP: 3_000, BonusUscn: 7_000_000},
		},
		AwardExpirySeconds:  5 * 365 * 24 * 3600,
		MaxVehiclesPerBlock: 100, MaxExpiriesPerBlock: 100,
	}
}

// Validate checks the parameters against the metering interval length,
// so that no reward computation can overflow.
func (p Params) Validate(intervalSeconds uint64) error {
	if p.PeriodIntervals == 0 || p.PeriodIntervals > MaxPeriodIntervals {
		return ErrInvalidGenesis.Wrapf("params.period_intervals: %d, want 1 to %d", p.PeriodIntervals, MaxPeriodIntervals)
	}
	if _, ok := tx.MulUint64(p.PeriodIntervals+p.SettleDelayIntervals, intervalSeconds); !ok || p.SettleDelayIntervals > MaxPeriodIntervals {
		return ErrInvalidGenesis.Wrapf("params.settle_delay_intervals: %d is too large", p.SettleDelayIntervals)
	}
	maxM, ok := tx.MulUint64(p.MaxKmPerPeriod, 1000)
	if !ok {
		return ErrInvalidGenesis.Wrapf("params.max_km_per_period: %d is too large", p.MaxKmPerPeriod)
	}
	maxPerKm, ok := tx.MulUint64(maxM, p.UscnPerKm)
	if !ok {
		return ErrInvalidGenesis.Wrapf("params: max_km_per_period × 1000 × uscn_per_km passes 2^64-1")
	}
	if len(p.BonusTiers) > MaxBonusTiers {
		return ErrInvalidGenesis.Wrapf("params.bonus_tiers: %d tiers, want at most %d", len(p.BonusTiers), MaxBonusTiers)
	}
	var prev uint64
	for i, t := range p.BonusTiers {
		if t.MinReductionBP == 0 || t.MinReductionBP > 10_000 || t.MinReductionBP <= prev {
			return ErrInvalidGenesis.Wrapf("params.bonus_tiers[%d].min_reduction_bp: %d, want 1 to 10000 and above the previous tier's", i, t.MinReductionBP)
		}
		prev = t.MinReductionBP
		if _, ok := tx.AddUint64(maxPerKm/1000, t.BonusUscn); !ok {
			return ErrInvalidGenesis.Wrapf("params.bonus_tiers[%d].bonus_uscn: %d is too large", i, t.BonusUscn)
		}
	}
	if p.AwardExpirySeconds > MaxAwardExpirySeconds {
		return ErrInvalidGenesis.Wrapf("params.award_expiry_seconds: %d, want at most %d (100 years)", p.AwardExpirySeconds, uint64(MaxAwardExpirySeconds))
	}
	if p.MaxVehiclesPerBlock == 0 || p.MaxVehiclesPerBlock > maxWorkPerBlock {
		return ErrInvalidGenesis.Wrapf("params.max_vehicles_per_block: %d, want 1 to %d", p.MaxVehiclesPerBlock, maxWorkPerBlock)
	}
	if p.MaxExpiriesPerBlock == 0 || p.MaxExpiriesPerBlock > maxWorkPerBlock {
		return ErrInvalidGenesis.Wrapf("params.max_expiries_per_block: %d, want 1 to %d", p.MaxExpiriesPerBlock, maxWorkPerBlock)
	}
	return nil
}

// Genesis is the module's section of the genesis app state.
type Genesis struct {
	Params Params `json:"params"`
	// Merchants registered at genesis.
	Merchants []tx.MsgMileageRegisterMerchant `json:"merchants,omitempty"`
	// Vehicles enrolled at genesis, from the genesis period on.
	Vehicles []tx.MsgMileageEnrollVehicle `json:"vehicles,omitempty"`
}

// DefaultGenesis has the default parameters and nothing registered.
func DefaultGenesis() Genesis { return Genesis{Params: DefaultParams()} }

// InitGenesis implements module.Module. It runs after the devices and
// metering modules' genesis.
func (k *Keeper) InitGenesis(ctx *module.Context, raw json.RawMessage) error {
	g := DefaultGenesis()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		return ErrInvalidGenesis.Wrapf("%v", err)
	}
	if err := g.Params.Validate(k.metering.Params(ctx).IntervalSeconds); err != nil {
		return err
	}
	kv := k.kv(ctx)
	putJSON(kv, paramsKey, g.Params)
	period := k.period(ctx, g.Params)
	putJSON(kv, cursorKey, Cursor{Period: period})
	for i, m := range g.Merchants {
		if err := m.ValidateBasic(); err != nil {
			return ErrInvalidGenesis.Wrapf("merchants[%d]: %v", i, err)
		}
		if err := k.registerMerchant(ctx, tx.Address{}, &m); err != nil {
			return ErrInvalidGenesis.Wrapf("merchants[%d]: %v", i, err)
		}
	}
	for i, m := range g.Vehicles {
		if err := m.ValidateBasic(); err != nil {
			return ErrInvalidGenesis.Wrapf("vehicles[%d]: %v", i, err)
		}
		if err := k.enroll(ctx, tx.Address{}, &m, period); err != nil {
			return ErrInvalidGenesis.Wrapf("vehicles[%d]: %v", i, err)
		}
	}
	return nil
}
