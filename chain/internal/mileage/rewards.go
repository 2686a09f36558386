package mileage

import (
	"github.com/citychain/citychain/chain/internal/devices"
	"github.com/citychain/citychain/chain/internal/metering"
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// period is the reward period containing the block time.
func (k *Keeper) period(ctx *module.Context, p Params) uint64 {
	return unix(ctx) / k.metering.Params(ctx).IntervalSeconds / p.PeriodIntervals
}

// enroll enrols a vehicle from period from (the next period; the genesis
// period at genesis, where signer is zero), or changes an enrolled
// vehicle's baseline from that period.
func (k *Keeper) enroll(ctx *module.Context, signer tx.Address, m *tx.MsgMileageEnrollVehicle, from uint64) error {
	dev := k.devices.Device(ctx, m.Device)
	if dev == nil {
		return ErrUnknownDevice.Wrapf("%q", m.Device)
	}
	if dev.Kind != tx.KindEVOdometer || dev.Status != devices.StatusActive {
		return ErrNotVehicle.Wrapf("%q is a %s device, %s", m.Device, dev.Kind, dev.Status)
	}
	kv := k.kv(ctx)
	v := k.vehicle(kv, m.Device)
	official := signer.IsZero() || k.roles.HasRole(ctx, signer, tx.RoleAgency) || k.roles.HasRole(ctx, signer, tx.RoleVehicleRegistrar)
	switch {
	case official:
	case signer == dev.Owner && v != nil:
		return ErrAlreadyEnrolled.Wrapf("%q since period %d", m.Device, v.FromPeriod)
	case signer == dev.Owner && m.BaselineKm != 0:
		return ErrNotAllowed.Wrapf("the owner may enrol %q only with baseline_km 0; baselines are set by an agency or vehicle registrar", m.Device)
	case signer != dev.Owner:
		return ErrNotAllowed.Wrapf("%s is not the owner of %q, an agency or a vehicle registrar", signer, m.Device)
	}
	update := v != nil
	if v == nil {
		v = &Vehicle{Device: m.Device, FromPeriod: from, EnrolledBy: signer, Height: ctx.Height}
	}
	if n := len(v.Baselines); n > 0 && v.Baselines[n-1].FromPeriod >= from {
		v.Baselines[n-1] = Baseline{FromPeriod: from, Km: m.BaselineKm}
	} else {
		v.Baselines = append(v.Baselines, Baseline{FromPeriod: from, Km: m.BaselineKm})
	}
	putJSON(kv, vehicleKey(m.Device), v)
	typ := "mileage.vehicle_enrolled"
	if update {
		typ = "mileage.baseline_changed"
	}
	ctx.Emit(typ, "device", m.Device, "from_period", module.U64(from), "baseline_km", module.U64(m.BaselineKm),
		"by", signer.String())
	return nil
}

// settleVehicles settles every vehicle period that has ended, in period
// order and, within a period, in device-id order, at most
// MaxVehiclesPerBlock steps per block (a step is one enrolled vehicle, or
// closing one period). Where it stops, a cursor keeps its place, so no
// period or vehicle is skipped and none is settled twice.
func (k *Keeper) settleVehicles(ctx *module.Context, p Params) error {
	kv := k.kv(ctx)
	mp := k.metering.Params(ctx)
	curInterval := unix(ctx) / mp.IntervalSeconds
	var c Cursor
	if !getJSON(kv, cursorKey, &c) {
		c = Cursor{Period: k.period(ctx, p)} // genesis without a mileage section
	}
	start := c
	for steps := uint64(0); steps < p.MaxVehiclesPerBlock; steps++ {
		due, ok := tx.MulUint64(c.Period+1, p.PeriodIntervals)
		if ok {
			due, ok = tx.AddUint64(due, p.SettleDelayIntervals)
		}
		if !ok || curInterval < due {
			break
		}
		v := k.nextVehicle(kv, c.After)
		if v == nil {
			k.closePeriod(ctx, c.Period)
			c = Cursor{Period: c.Period + 1}
			continue
		}
		c.After = v.Device
		if v.FromPeriod > c.Period {
			continue
		}
		k.settleVehicle(ctx, p, mp, v, c.Period)
	}
	if c != start {
		putJSON(kv, cursorKey, c)
	}
	return nil
}

// nextVehicle is the enrolled vehicle with the smallest id above after.
func (k *Keeper) nextVehicle(kv store.KV, after string) *Vehicle {
	start := []byte{prefixVehicle}
	if after != "" {
		start = append(vehicleKey(after), 0x00) // ids never contain 0x00
	}
	var v *Vehicle
	store.Each(kv, start, store.PrefixEnd([]byte{prefixVehicle}), func(_, value []byte) bool {
		v = &Vehicle{}
		getJSONBytes(value, v)
		return false
	})
	return v
}

func (k *Keeper) summary(kv store.KV, period uint64) PeriodSummary {
	s := PeriodSummary{Period: period}
	getJSON(kv, periodKey(period), &s)
	return s
}

func (k *Keeper) closePeriod(ctx *module.Context, period uint64) {
	kv := k.kv(ctx)
	s := k.summary(kv, period)
	s.Settled, s.Height = true, ctx.Height
	putJSON(kv, periodKey(period), s)
	ctx.Emit("mileage.period_settled", "period", module.U64(period), "vehicles", module.U64(s.Vehicles),
		"distance_m", module.U64(s.DistanceM), "reward", module.U64(s.Reward), "paid", module.U64(s.Paid),
		"unpaid", module.U64(s.Unpaid), "forfeited", module.U64(s.Forfeited))
}

// Reward computes a vehicle's reward for one period from its distance in
// metres, its baseline in km (0: none) and whether the bonus is allowed
// (see README for the formula and a worked example).
func Reward(p Params, distanceM, baselineKm uint64, bonusAllowed bool) (r VehiclePeriod) {
	r.DistanceM, r.BaselineKm = distanceM, baselineKm
	r.CountedM = min(distanceM, p.MaxKmPerPeriod*1000)
	r.PerKm = r.CountedM * p.UscnPerKm / 1000 // bounded by Params.Validate
	baselineM := baselineKm * 1000            // baselineKm <= MaxBaselineKm
	if baselineM > 0 && distanceM < baselineM {
		r.ReductionBP = (baselineM - distanceM) * 10_000 / baselineM
	}
	if bonusAllowed && distanceM > 0 {
		for _, t := range p.BonusTiers {
			if r.ReductionBP >= t.MinReductionBP {
				r.Bonus = t.BonusUscn
			}
		}
	}
	r.Reward = r.PerKm + r.Bonus // bounded by Params.Validate
	return r
}

// settleVehicle settles one vehicle's period and pays what the budget can.
func (k *Keeper) settleVehicle(ctx *module.Context, p Params, mp metering.Params, v *Vehicle, period uint64) {
	kv := k.kv(ctx)
	if kv.Has(vperiodKey(v.Device, period)) {
		panic("mileage: vehicle period settled twice: " + v.Device)
	}
	// Baselines that no longer apply (a later one starts at or before this
	// period) are dropped; periods are settled in order.
	pruned := false
	for len(v.Baselines) > 1 && v.Baselines[1].FromPeriod <= period {
		v.Baselines, pruned = v.Baselines[1:], true
	}
	if pruned {
		putJSON(kv, vehicleKey(v.Device), v)
	}
	var baselineKm uint64
	if len(v.Baselines) > 0 && v.Baselines[0].FromPeriod <= period {
		baselineKm = v.Baselines[0].Km
	}
	first := period * p.PeriodIntervals // period is ended, so this is below the current interval
	var distance uint64
	for i := first; i < first+p.PeriodIntervals; i++ {
		distance = sat(distance, k.metering.Delta(ctx, v.Device, i))
	}
	startSec := first * mp.IntervalSeconds
	endSec := (first + p.PeriodIntervals) * mp.IntervalSeconds
	st := k.metering.State(ctx, v.Device)
	// The bonus needs evidence the odometer reported after the period ended.
	reported := st != nil && st.TimeMs >= 0 && uint64(st.TimeMs)/1000 >= endSec
	r := Reward(p, distance, baselineKm, reported)
	r.Device, r.Period, r.SettleHeight = v.Device, period, ctx.Height
	dev := k.devices.Device(ctx, v.Device)
	r.Owner = dev.Owner

	t := k.totals(ctx)
	s := k.summary(kv, period)
	s.Vehicles++
	s.DistanceM = sat(s.DistanceM, distance)
	switch {
	case st.FlaggedSince(int64(startSec)):
		r.PerKm, r.Bonus, r.Reward = 0, 0, 0
		r.Status = StatusForfeited
		s.Forfeited++
		t.Forfeited = sat(t.Forfeited, 1)
	case r.Reward == 0:
		r.Status = StatusNoReward
	case isModuleAccount(r.Owner):
		r.Unpaid, r.Status = r.Reward, StatusNoOwner
	default:
		budget := k.bank.Balance(ctx, BudgetAddress, tx.DenomSCoin)
		r.Paid = min(budget, r.Reward)
		r.Unpaid = r.Reward - r.Paid
		switch {
		case r.Unpaid == 0:
			r.Status = StatusPaid
		case r.Paid > 0:
			r.Status = StatusPartial
		default:
			r.Status = StatusUnpaid
		}
		if r.Paid > 0 {
			if err := k.bank.Send(ctx, BudgetAddress, r.Owner, scn(r.Paid)); err != nil {
				panic("mileage: pay a vehicle reward within the budget: " + err.Error())
			}
		}
	}
	if r.Reward > 0 {
		acct := k.Account(ctx, r.Owner)
		acct.VehiclePaid = sat(acct.VehiclePaid, r.Paid)
		acct.VehicleUnpaid = sat(acct.VehicleUnpaid, r.Unpaid)
		k.addHistory(ctx, &acct, HistoryEntry{Kind: KindVehicleReward, Amount: r.Paid, Unpaid: r.Unpaid,
			Counterparty: BudgetAddress, Device: v.Device, Period: period})
		putJSON(kv, accountKey(r.Owner), acct)
	}
	s.Reward = sat(s.Reward, r.Reward)
	s.Paid = sat(s.Paid, r.Paid)
	s.Unpaid = sat(s.Unpaid, r.Unpaid)
	putJSON(kv, periodKey(period), s)
	t.VehiclePaid = sat(t.VehiclePaid, r.Paid)
	t.VehicleUnpaid = sat(t.VehicleUnpaid, r.Unpaid)
	putJSON(kv, totalsKey, t)
	putJSON(kv, vperiodKey(v.Device, period), r)
	ctx.Emit("mileage.vehicle_settled", "device", v.Device, "period", module.U64(period), "owner", r.Owner.String(),
		"distance_m", module.U64(distance), "baseline_km", module.U64(baselineKm), "reduction_bp", module.U64(r.ReductionBP),
		"per_km", module.U64(r.PerKm), "bonus", module.U64(r.Bonus), "reward", module.U64(r.Reward),
		"paid", module.U64(r.Paid), "unpaid", module.U64(r.Unpaid), "status", r.Status)
}
