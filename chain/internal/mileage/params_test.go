package mileage_test

import (
	"strings"
	"testing"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/mileage"
)

// TestGenesisParamBounds: every parameter is checked at InitGenesis, and
// a genesis outside a bound is refused naming the field, the value and
// the bound; parameters at their bounds are accepted.
func TestGenesisParamBounds(t *testing.T) {
	for _, c := range []struct {
		name string
		mut  func(*mileage.Params)
		want string // "": accepted
	}{
		{"test params", func(*mileage.Params) {}, ""},
		{"period 0", func(p *mileage.Params) { p.PeriodIntervals = 0 }, "params.period_intervals: 0, want 1 to 100000"},
		{"period too long", func(p *mileage.Params) { p.PeriodIntervals = mileage.MaxPeriodIntervals + 1 }, "params.period_intervals: 100001, want 1 to 100000"},
		{"settle delay too long", func(p *mileage.Params) { p.SettleDelayIntervals = mileage.MaxPeriodIntervals + 1 }, "params.settle_delay_intervals: 100001, want at most 100000"},
		{"distance cap past 2^64 m", func(p *mileage.Params) { p.MaxKmPerPeriod = 1 << 60 }, "params.max_km_per_period: 1152921504606846976, want at most 18446744073709551"},
		{"reward overflows", func(p *mileage.Params) { p.UscnPerKm = 1 << 62 }, "params: max_km_per_period 100 × 1000 × uscn_per_km 4611686018427387904 passes 2^64-1"},
		{"too many tiers", func(p *mileage.Params) {
			p.BonusTiers = nil
			for i := range mileage.MaxBonusTiers + 1 {
				p.BonusTiers = append(p.BonusTiers, mileage.BonusTier{MinReductionBP: uint64(i + 1)})
			}
		}, "params.bonus_tiers: 17 tiers, want at most 16"},
		{"tiers unsorted", func(p *mileage.Params) { p.BonusTiers[1].MinReductionBP = 1 }, "params.bonus_tiers[1].min_reduction_bp: 1, want 2 to 10000"},
		{"tier above 100%", func(p *mileage.Params) { p.BonusTiers[3].MinReductionBP = 10_001 }, "params.bonus_tiers[3].min_reduction_bp: 10001"},
		{"bonus overflows", func(p *mileage.Params) { p.BonusTiers[0].BonusUscn = 1<<64 - 1 }, "params.bonus_tiers[0].bonus_uscn: 18446744073709551615, want at most 18446744073708551615"},
		{"expiry too long", func(p *mileage.Params) { p.AwardExpirySeconds = mileage.MaxAwardExpirySeconds + 1 }, "params.award_expiry_seconds: 3153600001, want at most 3153600000"},
		{"no settlement", func(p *mileage.Params) { p.MaxVehiclesPerBlock = 0 }, "params.max_vehicles_per_block: 0, want 1 to 10000"},
		{"unbounded settlement", func(p *mileage.Params) { p.MaxVehiclesPerBlock = 10_001 }, "params.max_vehicles_per_block: 10001, want 1 to 10000"},
		{"no expiry work", func(p *mileage.Params) { p.MaxExpiriesPerBlock = 0 }, "params.max_expiries_per_block: 0, want 1 to 10000"},
		{"unbounded expiry work", func(p *mileage.Params) { p.MaxExpiriesPerBlock = 10_001 }, "params.max_expiries_per_block: 10001"},
		{"everything at its bound", func(p *mileage.Params) {
			p.PeriodIntervals, p.SettleDelayIntervals = mileage.MaxPeriodIntervals, mileage.MaxPeriodIntervals
			p.AwardExpirySeconds, p.MaxVehiclesPerBlock, p.MaxExpiriesPerBlock = mileage.MaxAwardExpirySeconds, 10_000, 10_000
		}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := testParams()
			c.mut(&p)
			a := apptest.Open(t, apptest.Options{})
			_, err := a.App.InitChain(t.Context(), initChain(setup{intervalSeconds: 60, params: p}.appState(t)))
			if c.want == "" {
				if err != nil {
					t.Fatalf("genesis %+v: got %v, want accepted", p, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "invalid mileage genesis") {
				t.Fatalf("genesis %+v: got %v, want an error naming %q", p, err, c.want)
			}
		})
	}
}
