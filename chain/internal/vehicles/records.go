package vehicles

import (
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
)

func (k *Keeper) recordBattery(ctx *module.Context, signer tx.Address, m *tx.MsgVehicleRecordBattery) error {
	if !k.roles.HasRole(ctx, signer, tx.RoleInspector) {
		return ErrNotInspector.Wrapf("%s", signer)
	}
	kv := k.kv(ctx)
	v, err := k.active(kv, m.VIN)
	if err != nil {
		return err
	}
	if err := k.room(ctx, len(v.BatteryHealth), "battery measurements"); err != nil {
		return err
	}
	v.BatteryHealth = append(v.BatteryHealth, BatteryHealth{SOHBP: m.SOHBP, DocHash: m.DocHash, By: signer, Height: ctx.Height, Time: ctx.Time})
	k.putVehicle(kv, v)
	ctx.Emit("vehicles.battery_recorded", "vin", v.VIN, "soh_bp", module.U64(m.SOHBP), "by", signer.String())
	return nil
}

func (k *Keeper) recordInspection(ctx *module.Context, signer tx.Address, m *tx.MsgVehicleRecordInspection) error {
	if !k.roles.HasRole(ctx, signer, tx.RoleInspector) {
		return ErrNotInspector.Wrapf("%s", signer)
	}
	kv := k.kv(ctx)
	v, err := k.active(kv, m.VIN)
	if err != nil {
		return err
	}
	if err := k.room(ctx, len(v.Inspections), "inspections"); err != nil {
		return err
	}
	if m.SOHBP != 0 {
		if err := k.room(ctx, len(v.BatteryHealth), "battery measurements"); err != nil {
			return err
		}
		v.BatteryHealth = append(v.BatteryHealth, BatteryHealth{SOHBP: m.SOHBP, DocHash: m.DocHash, By: signer, Height: ctx.Height, Time: ctx.Time})
	}
	v.Inspections = append(v.Inspections, Inspection{DocHash: m.DocHash, Result: m.Result, OdometerM: m.OdometerM,
		Defects: m.Defects, SOHBP: m.SOHBP, By: signer, Height: ctx.Height, Time: ctx.Time})
	k.putVehicle(kv, v)
	ctx.Emit("vehicles.inspection_recorded", "vin", v.VIN, "result", m.Result, "odometer_m", module.U64(m.OdometerM),
		"defects", module.U64(m.Defects), "doc_hash", m.DocHash.String(), "by", signer.String())
	return nil
}

func (k *Keeper) recordAccident(ctx *module.Context, signer tx.Address, m *tx.MsgVehicleRecordAccident) error {
	if !k.roles.HasRole(ctx, signer, tx.RoleInsurer) && !k.roles.HasRole(ctx, signer, tx.RoleRepairShop) {
		return ErrNotAccidentRecorder.Wrapf("%s", signer)
	}
	if m.OccurredAt > ctx.Time.Unix() {
		return ErrFutureTime.Wrapf("occurred_at %d is after the block time %d", m.OccurredAt, ctx.Time.Unix())
	}
	kv := k.kv(ctx)
	v, err := k.active(kv, m.VIN)
	if err != nil {
		return err
	}
	if err := k.room(ctx, len(v.Accidents), "accidents"); err != nil {
		return err
	}
	v.Accidents = append(v.Accidents, Accident{OccurredAt: m.OccurredAt, Severity: m.Severity, Summary: m.Summary,
		DocHash: m.DocHash, By: signer, Height: ctx.Height, Time: ctx.Time})
	k.putVehicle(kv, v)
	ctx.Emit("vehicles.accident_recorded", "vin", v.VIN, "severity", m.Severity, "occurred_at", module.U64(uint64(m.OccurredAt)),
		"by", signer.String())
	return nil
}

func (k *Keeper) recycle(ctx *module.Context, signer tx.Address, m *tx.MsgVehicleRecycle) error {
	if !k.roles.HasRole(ctx, signer, tx.RoleInspector) && !k.roles.HasRole(ctx, signer, tx.RoleVehicleRegistrar) {
		return ErrNotRecycler.Wrapf("%s", signer)
	}
	kv := k.kv(ctx)
	v, err := k.active(kv, m.VIN)
	if err != nil {
		return err
	}
	// Every open proposal, accepted by the owner or not, is voided.
	for _, id := range proposals(kv, v.VIN) {
		k.close(ctx, k.transfer(kv, id), TransferVoided)
	}
	v.OpenTransfer = 0
	v.Status = StatusRecycled
	v.Recycling = &Recycling{Reason: m.Reason, By: signer, Height: ctx.Height, Time: ctx.Time}
	k.putVehicle(kv, v)
	c := k.counters(kv)
	c.Recycled++
	putJSON(kv, counterKey, c)
	ctx.Emit("vehicles.recycled", "vin", v.VIN, "passport_id", v.Battery.PassportID, "reason", m.Reason, "by", signer.String())
	return nil
}
