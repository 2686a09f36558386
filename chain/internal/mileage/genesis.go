package mileage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
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

// Parameter bounds, checked at genesis by Validate (the README explains
// them).
const (
	// MaxPeriodIntervals bounds period_intervals and
	// settle_delay_intervals: each settlement step reads period_intervals
	// metering deltas.
	MaxPeriodIntervals = 100_000
	// MaxBonusTiers bounds the bonus tiers a settlement step walks.
	MaxBonusTiers = 16
	// MaxAwardExpirySeconds: an award is spendable at most a hundred years.
	MaxAwardExpirySeconds = 100 * 365 * 24 * 3600
	// maxWorkPerBlock bounds the vehicle periods settled and the awards
	// expired in one block.
	maxWorkPerBlock = 10_000
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
// so that no reward computation can overflow and the work of a block is
// bounded. The error names the field, its value and the bound.
func (p Params) Validate(intervalSeconds uint64) error {
	if p.PeriodIntervals == 0 || p.PeriodIntervals > MaxPeriodIntervals {
		return ErrInvalidGenesis.Wrapf("params.period_intervals: %d, want 1 to %d", p.PeriodIntervals, MaxPeriodIntervals)
	}
	if p.SettleDelayIntervals > MaxPeriodIntervals {
		return ErrInvalidGenesis.Wrapf("params.settle_delay_intervals: %d, want at most %d", p.SettleDelayIntervals, MaxPeriodIntervals)
	}
	if _, ok := tx.MulUint64(p.PeriodIntervals+p.SettleDelayIntervals, intervalSeconds); !ok {
		return ErrInvalidGenesis.Wrapf("params: (period_intervals %d + settle_delay_intervals %d) × interval_seconds %d passes 2^64-1",
			p.PeriodIntervals, p.SettleDelayIntervals, intervalSeconds)
	}
	maxM, ok := tx.MulUint64(p.MaxKmPerPeriod, 1000)
	if !ok {
		return ErrInvalidGenesis.Wrapf("params.max_km_per_period: %d, want at most %d (its metres within 2^64-1)", p.MaxKmPerPeriod, uint64(math.MaxUint64/1000))
	}
	maxPerKm, ok := tx.MulUint64(maxM, p.UscnPerKm)
	if !ok {
		return ErrInvalidGenesis.Wrapf("params: max_km_per_period %d × 1000 × uscn_per_km %d passes 2^64-1", p.MaxKmPerPeriod, p.UscnPerKm)
	}
	if len(p.BonusTiers) > MaxBonusTiers {
		return ErrInvalidGenesis.Wrapf("params.bonus_tiers: %d tiers, want at most %d", len(p.BonusTiers), MaxBonusTiers)
	}
	var prev uint64
	for i, t := range p.BonusTiers {
		if t.MinReductionBP == 0 || t.MinReductionBP > 10_000 || t.MinReductionBP <= prev {
			return ErrInvalidGenesis.Wrapf("params.bonus_tiers[%d].min_reduction_bp: %d, want %d to 10000 (above the previous tier's)", i, t.MinReductionBP, prev+1)
		}
		prev = t.MinReductionBP
		if _, ok := tx.AddUint64(maxPerKm/1000, t.BonusUscn); !ok {
			return ErrInvalidGenesis.Wrapf("params.bonus_tiers[%d].bonus_uscn: %d, want at most %d (with the largest per-km reward, within 2^64-1)",
				i, t.BonusUscn, uint64(math.MaxUint64)-maxPerKm/1000)
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

// Genesis is the module's section of the genesis app state. A new chain
// sets Params and registers Merchants and Vehicles; the fields after them
// carry a running chain's state, as ExportGenesis writes it (see
// export.go), and are absent from a new chain's genesis. Lists are in store
// key order.
type Genesis struct {
	Params Params `json:"params"`
	// Merchants registered at genesis.
	Merchants []tx.MsgMileageRegisterMerchant `json:"merchants,omitempty"`
	// Vehicles enrolled at genesis, from the genesis period on.
	Vehicles []tx.MsgMileageEnrollVehicle `json:"vehicles,omitempty"`

	// Cursor is the next vehicle period to settle; absent, the genesis
	// block's period.
	Cursor *Cursor `json:"cursor,omitempty"`
	// Totals are the running totals and the next award id (absent until
	// the first fund, award or settlement).
	Totals *Totals `json:"totals,omitempty"`
	// Accounts are the citizens' (and merchants') mileage accounts, by
	// address; Lots their open awards, by address and award id (the expiry
	// queue is rebuilt from them); History their history entries, by
	// address and number.
	Accounts []Account            `json:"accounts,omitempty"`
	Lots     []AccountLot         `json:"lots,omitempty"`
	History  []AccountHistoryItem `json:"history,omitempty"`
	// RegisteredMerchants are the merchants with what they received, by
	// address.
	RegisteredMerchants []Merchant `json:"registered_merchants,omitempty"`
	// EnrolledVehicles are the enrolled vehicles with their baselines, by
	// device id; VehiclePeriods their settled periods, by device and
	// period; Periods the period summaries, by period.
	EnrolledVehicles []Vehicle       `json:"enrolled_vehicles,omitempty"`
	VehiclePeriods   []VehiclePeriod `json:"vehicle_periods,omitempty"`
	Periods          []PeriodSummary `json:"periods,omitempty"`
}

// AccountLot is an open award of the account at Address.
type AccountLot struct {
	Address tx.Address `json:"address"`
	Lot
}

// AccountHistoryItem is a history entry of the account at Address.
type AccountHistoryItem struct {
	Address tx.Address `json:"address"`
	HistoryEntry
}

// DefaultGenesis has the default parameters and nothing registered.
func DefaultGenesis() Genesis { return Genesis{Params: DefaultParams()} }

// InitGenesis implements module.Module. It runs after the devices and
// metering modules' genesis. Exported state in the section is checked and
// written back first (the award expiry queue rebuilt from the lots), then
// the section's merchants are registered and its vehicles enrolled.
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
	if err := k.checkState(ctx, &g); err != nil {
		return ErrInvalidGenesis.Wrapf("%v", err)
	}
	kv := k.kv(ctx)
	putJSON(kv, paramsKey, g.Params)
	period := k.period(ctx, g.Params)
	cursor := Cursor{Period: period}
	if g.Cursor != nil {
		cursor = *g.Cursor
	}
	putJSON(kv, cursorKey, cursor)
	writeState(kv, &g)
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

// writeState writes a section's exported state, and the award expiry queue
// derived from the lots.
func writeState(kv store.KV, g *Genesis) {
	if g.Totals != nil {
		putJSON(kv, totalsKey, g.Totals)
	}
	for i := range g.Accounts {
		putJSON(kv, accountKey(g.Accounts[i].Address), &g.Accounts[i])
	}
	for i := range g.Lots {
		l := &g.Lots[i]
		putJSON(kv, lotKey(l.Address, l.ID), &l.Lot)
		if l.ExpiresAt > 0 {
			kv.Set(expiryKey(l.ExpiresAt, l.ID), l.Address[:])
		}
	}
	for i := range g.History {
		e := &g.History[i]
		putJSON(kv, historyKey(e.Address, e.N), &e.HistoryEntry)
	}
	for i := range g.RegisteredMerchants {
		putJSON(kv, merchantKey(g.RegisteredMerchants[i].Address), &g.RegisteredMerchants[i])
	}
	for i := range g.EnrolledVehicles {
		putJSON(kv, vehicleKey(g.EnrolledVehicles[i].Device), &g.EnrolledVehicles[i])
	}
	for i := range g.VehiclePeriods {
		r := &g.VehiclePeriods[i]
		putJSON(kv, vperiodKey(r.Device, r.Period), r)
	}
	for i := range g.Periods {
		putJSON(kv, periodKey(g.Periods[i].Period), &g.Periods[i])
	}
}

// ascending checks that the store key of the i-th entry of a list, which
// entry names, comes after the previous entry's: lists are in key order,
// without duplicates.
func ascending(field string, i int, prev, key []byte, entry string) error {
	if i > 0 && bytes.Compare(key, prev) <= 0 {
		return fmt.Errorf("%s[%d]: %s is not after %s[%d] in key order; want the entries ascending and unique", field, i, entry, field, i-1)
	}
	return nil
}

func deviceID(field string, id string) error {
	if id == "" || strings.IndexByte(id, 0) >= 0 {
		return fmt.Errorf("%s: device id %q, want a non-empty id without NUL bytes", field, id)
	}
	return nil
}

// checkState checks a section's exported state: every list in key order;
// each account's balance, open awards and history count equal to its lots
// and history entries; award ids below totals.next_award_id; periods only
// of enrolled vehicles; and the held account holding at least the sum of
// the mileage balances. It returns the first problem, naming the field and
// the value.
func (k *Keeper) checkState(ctx *module.Context, g *Genesis) error {
	enrolled := make(map[string]bool, len(g.EnrolledVehicles)) // lookups only
	var prev []byte
	for i := range g.EnrolledVehicles {
		v := &g.EnrolledVehicles[i]
		f := fmt.Sprintf("enrolled_vehicles[%d]", i)
		if err := deviceID(f+".device", v.Device); err != nil {
			return err
		}
		key := vehicleKey(v.Device)
		if err := ascending("enrolled_vehicles", i, prev, key, "device "+v.Device); err != nil {
			return err
		}
		prev, enrolled[v.Device] = key, true
	}
	if c := g.Cursor; c != nil && c.After != "" && !enrolled[c.After] {
		return fmt.Errorf("cursor.after: %q is not an enrolled vehicle", c.After)
	}
	for i := range g.VehiclePeriods {
		r := &g.VehiclePeriods[i]
		f := fmt.Sprintf("vehicle_periods[%d]", i)
		if !enrolled[r.Device] {
			return fmt.Errorf("%s.device: %q is not an enrolled vehicle", f, r.Device)
		}
		key := vperiodKey(r.Device, r.Period)
		if err := ascending("vehicle_periods", i, prev, key, fmt.Sprintf("device %s period %d", r.Device, r.Period)); err != nil {
			return err
		}
		prev = key
	}
	for i := range g.Periods {
		key := periodKey(g.Periods[i].Period)
		if err := ascending("periods", i, prev, key, fmt.Sprintf("period %d", g.Periods[i].Period)); err != nil {
			return err
		}
		prev = key
	}
	for i := range g.RegisteredMerchants {
		m := &g.RegisteredMerchants[i]
		if isModuleAccount(m.Address) {
			return fmt.Errorf("registered_merchants[%d].address: %s is the %q module account", i, m.Address, tx.ModuleAccountName(m.Address))
		}
		key := merchantKey(m.Address)
		if err := ascending("registered_merchants", i, prev, key, "address "+m.Address.String()); err != nil {
			return err
		}
		prev = key
	}

	// The accounts' lots and history, counted per account.
	index := make(map[tx.Address]int, len(g.Accounts)) // lookups only
	for i := range g.Accounts {
		key := accountKey(g.Accounts[i].Address)
		if err := ascending("accounts", i, prev, key, "address "+g.Accounts[i].Address.String()); err != nil {
			return err
		}
		prev, index[g.Accounts[i].Address] = key, i
	}
	type sums struct{ remaining, lots, history uint64 }
	got := make([]sums, len(g.Accounts))
	for i := range g.Lots {
		l := &g.Lots[i]
		f := fmt.Sprintf("lots[%d]", i)
		key := lotKey(l.Address, l.ID)
		if err := ascending("lots", i, prev, key, fmt.Sprintf("address %s award %d", l.Address, l.ID)); err != nil {
			return err
		}
		prev = key
		n, ok := index[l.Address]
		switch {
		case !ok:
			return fmt.Errorf("%s.address: %s has no account", f, l.Address)
		case g.Totals == nil:
			return fmt.Errorf("%s: award %d, but totals (with next_award_id) are absent", f, l.ID)
		case l.ID >= g.Totals.NextAwardID:
			return fmt.Errorf("%s.id: award %d, want below totals.next_award_id %d", f, l.ID, g.Totals.NextAwardID)
		case l.Remaining > l.Amount:
			return fmt.Errorf("%s.remaining: %d, want at most the award's amount %d", f, l.Remaining, l.Amount)
		}
		s := &got[n]
		if s.remaining, ok = tx.AddUint64(s.remaining, l.Remaining); !ok {
			return fmt.Errorf("%s.remaining: the lots of %s pass 2^64-1 uscn", f, l.Address)
		}
		s.lots++
	}
	for i := range g.History {
		e := &g.History[i]
		f := fmt.Sprintf("history[%d]", i)
		key := historyKey(e.Address, e.N)
		if err := ascending("history", i, prev, key, fmt.Sprintf("address %s entry %d", e.Address, e.N)); err != nil {
			return err
		}
		prev = key
		n, ok := index[e.Address]
		if !ok {
			return fmt.Errorf("%s.address: %s has no account", f, e.Address)
		}
		if s := &got[n]; e.N != s.history {
			return fmt.Errorf("%s.n: %d, want %d (the entries of %s numbered 0, 1, ... in order)", f, e.N, s.history, e.Address)
		}
		got[n].history++
	}
	var balances uint64
	for i := range g.Accounts {
		a, s, f := &g.Accounts[i], got[i], fmt.Sprintf("accounts[%d]", i)
		switch {
		case a.Balance != s.remaining:
			return fmt.Errorf("%s.balance: %d for %s, but its lots hold %d", f, a.Balance, a.Address, s.remaining)
		case a.OpenAwards != s.lots:
			return fmt.Errorf("%s.open_awards: %d for %s, but it has %d lots", f, a.OpenAwards, a.Address, s.lots)
		case a.History != s.history:
			return fmt.Errorf("%s.history: %d for %s, but history holds %d of its entries", f, a.History, a.Address, s.history)
		}
		var ok bool
		if balances, ok = tx.AddUint64(balances, a.Balance); !ok {
			return fmt.Errorf("%s.balance: the mileage balances pass 2^64-1 uscn", f)
		}
	}
	if balances > 0 {
		if held := k.bank.Balance(ctx, HeldAddress, tx.DenomSCoin); held < balances {
			return fmt.Errorf("the held account %s holds %s, but the accounts' mileage balances add up to %s", HeldAddress, scn(held), scn(balances))
		}
	}
	return nil
}
