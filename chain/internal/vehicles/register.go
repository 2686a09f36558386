package vehicles

import (
	"github.com/citychain/citychain/chain/internal/devices"
	"github.com/citychain/citychain/chain/internal/metering"
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/edge/reading"
)

// odometerDevice checks that id is an active ev_odometer owned by owner,
// bound to no vehicle, and installed in vin if its metadata names a VIN.
func (k *Keeper) odometerDevice(ctx *module.Context, id string, owner tx.Address, vin string) (*devices.Device, error) {
	dev := k.devices.Device(ctx, id)
	if dev == nil {
		return nil, ErrUnknownDevice.Wrapf("%q", id)
	}
	if dev.Kind != tx.KindEVOdometer || dev.Status != devices.StatusActive {
		return nil, ErrNotOdometer.Wrapf("%q is a %s device, %s", id, dev.Kind, dev.Status)
	}
	if vin := k.BoundVehicle(ctx, id); vin != "" {
		return nil, ErrDeviceBound.Wrapf("%q is bound to %s", id, vin)
	}
	if dev.Owner != owner {
		return nil, ErrDeviceOwner.Wrapf("%q belongs to %s, the vehicle to %s", id, dev.Owner, owner)
	}
	if dev.Metadata.VIN != "" && dev.Metadata.VIN != vin {
		return nil, ErrDeviceVIN.Wrapf("%q was registered as installed in %s, not %s", id, dev.Metadata.VIN, vin)
	}
	return dev, nil
}

func (k *Keeper) register(ctx *module.Context, signer tx.Address, m *tx.MsgVehicleRegister) error {
	if !k.roles.HasRole(ctx, signer, tx.RoleVehicleRegistrar) {
		return ErrNotRegistrar.Wrapf("%s", signer)
	}
	kv := k.kv(ctx)
	if old := k.vehicle(kv, m.VIN); old != nil {
		return ErrExists.Wrapf("%s was registered at height %d", m.VIN, old.RegisteredHeight)
	}
	if isModuleAccount(m.Owner) {
		return ErrInvalidRecipient.Wrapf("owner %s is a module account", m.Owner)
	}
	if _, err := k.odometerDevice(ctx, m.OdometerDevice, m.Owner, m.VIN); err != nil {
		return err
	}
	v := &Vehicle{
		VIN: m.VIN, Model: m.Model, Year: m.Year, Battery: m.Battery, Owner: m.Owner, Device: m.OdometerDevice,
		Status: StatusActive, RegisteredBy: signer, RegisteredHeight: ctx.Height, RegisteredTime: ctx.Time,
		Owners:  []Ownership{{Owner: m.Owner, FromHeight: ctx.Height, FromTime: ctx.Time}},
		Devices: []Binding{{Device: m.OdometerDevice, FromHeight: ctx.Height, By: signer}},
		Flags:   []Flag{}, Accidents: []Accident{}, Inspections: []Inspection{}, BatteryHealth: []BatteryHealth{},
	}
	c := k.counters(kv)
	c.Vehicles++
	k.seedOdometer(ctx, kv, v, &c)
	putJSON(kv, counterKey, c)
	k.putVehicle(kv, v)
	putJSON(kv, deviceKey(v.Device), v.VIN)
	kv.Set(ownerKey(v.Owner, v.VIN), []byte{1})
	ctx.Emit("vehicles.registered", "vin", v.VIN, "owner", v.Owner.String(), "device", v.Device, "by", signer.String())
	return nil
}

// seedOdometer starts the vehicle's series from what the chain already
// holds for its (new) device: the device's last accepted reading, and its
// fraud flag as evidence against the vehicle.
func (k *Keeper) seedOdometer(ctx *module.Context, kv store.KV, v *Vehicle, c *Counters) {
	st := k.metering.State(ctx, v.Device)
	if st == nil {
		return
	}
	if st.Fraud != nil {
		k.flag(ctx, v, c, Flag{Kind: FlagOdometerRollback, Device: v.Device, Seq: st.Fraud.Seq, ValueM: st.Fraud.Value,
			PreviousM: st.Fraud.Previous, Count: st.Fraud.Count})
	}
	if st.Accepted == 0 {
		return
	}
	if last := v.Odometer.Last; last != nil && (st.Value < last.ValueM || st.Interval <= last.Interval) {
		return // the new device's readings continue the series once above it
	}
	k.addPoint(kv, v, tx.OdometerPoint{Interval: st.Interval, ValueM: st.Value, TimeMs: st.TimeMs, Device: v.Device, Seq: st.Seq})
}

func (k *Keeper) bindOdometer(ctx *module.Context, signer tx.Address, m *tx.MsgVehicleBindOdometer) error {
	if !k.roles.HasRole(ctx, signer, tx.RoleVehicleRegistrar) {
		return ErrNotRegistrar.Wrapf("%s", signer)
	}
	kv := k.kv(ctx)
	v, err := k.active(kv, m.VIN)
	if err != nil {
		return err
	}
	if _, err := k.odometerDevice(ctx, m.Device, v.Owner, v.VIN); err != nil {
		return err
	}
	if err := k.room(ctx, len(v.Devices), "odometer devices"); err != nil {
		return err
	}
	kv.Delete(deviceKey(v.Device))
	prev := v.Device
	v.Device = m.Device
	v.Devices = append(v.Devices, Binding{Device: m.Device, FromHeight: ctx.Height, By: signer})
	c := k.counters(kv)
	k.seedOdometer(ctx, kv, v, &c)
	putJSON(kv, counterKey, c)
	k.putVehicle(kv, v)
	putJSON(kv, deviceKey(v.Device), v.VIN)
	ctx.Emit("vehicles.odometer_bound", "vin", v.VIN, "device", v.Device, "previous", prev, "by", signer.String())
	return nil
}

// active returns the vehicle with vin unless it is unknown or recycled.
func (k *Keeper) active(kv store.KV, vin string) (*Vehicle, error) {
	v := k.vehicle(kv, vin)
	if v == nil {
		return nil, ErrUnknownVehicle.Wrapf("%s", vin)
	}
	if v.Status == StatusRecycled {
		return nil, ErrRecycled.Wrapf("%s was recycled at height %d", vin, v.Recycling.Height)
	}
	return v, nil
}

// room checks that a list of n records may grow by one.
func (k *Keeper) room(ctx *module.Context, n int, what string) error {
	if max := k.Params(ctx).MaxRecords; uint64(n) >= max {
		return ErrTooManyRecords.Wrapf("%d %s, the limit is %d", n, what, max)
	}
	return nil
}

// flag raises (or, for the same device and kind as the last flag, counts)
// a permanent flag on the vehicle. The caller stores the vehicle.
func (k *Keeper) flag(ctx *module.Context, v *Vehicle, c *Counters, f Flag) {
	if n := len(v.Flags); n > 0 && v.Flags[n-1].Kind == f.Kind && v.Flags[n-1].Device == f.Device {
		v.Flags[n-1].Count++
		return
	}
	if n := uint64(len(v.Flags)); n >= k.Params(ctx).MaxRecords && n > 0 {
		v.Flags[n-1].Count++ // the list is full: the evidence is counted on the last flag
		return
	}
	if !v.Flagged() {
		c.Flagged++
	}
	if f.Count == 0 {
		f.Count = 1
	}
	f.Height, f.Time = ctx.Height, ctx.Time
	v.Flags = append(v.Flags, f)
	ctx.Emit("vehicles.flagged", "vin", v.VIN, "kind", f.Kind, "device", f.Device, "seq", module.U64(f.Seq),
		"value_m", module.U64(f.ValueM), "previous_m", module.U64(f.PreviousM))
}

// addPoint records p as the newest point of the vehicle's series: it
// replaces the last point when in the same interval, otherwise the last
// point is sealed into the digest. The caller stores the vehicle.
func (k *Keeper) addPoint(kv store.KV, v *Vehicle, p tx.OdometerPoint) {
	o := &v.Odometer
	if o.Last != nil && o.Last.Interval != p.Interval {
		o.Digest = tx.OdometerDigest(o.Digest, *o.Last)
	}
	if o.Last == nil || o.Last.Interval != p.Interval {
		o.Points++
	}
	o.Last = &p
	putJSON(kv, odometerKey(v.VIN, p.Interval), p)
}

// OdometerReading implements metering.Odometers: metering calls it for each
// signed ev_odometer reading it is about to accept. A reading of a device
// bound to a vehicle extends the vehicle's series; one below the vehicle's
// odometer (a replacement device whose counter starts lower) or older than
// its last point is refused, and a lower one flags the vehicle for ever.
func (k *Keeper) OdometerReading(ctx *module.Context, r reading.Reading, interval uint64) string {
	kv := k.kv(ctx)
	vin := k.BoundVehicle(ctx, r.DeviceID)
	if vin == "" {
		return ""
	}
	v := k.vehicle(kv, vin)
	if v.Status == StatusRecycled {
		return ""
	}
	if last := v.Odometer.Last; last != nil {
		if r.Value < last.ValueM {
			c := k.counters(kv)
			k.flag(ctx, v, &c, Flag{Kind: FlagOdometerRollback, Device: r.DeviceID, Seq: r.Seq, ValueM: r.Value, PreviousM: last.ValueM})
			putJSON(kv, counterKey, c)
			k.putVehicle(kv, v)
			return metering.ReasonRolledBack
		}
		if interval < last.Interval {
			return metering.ReasonTimeRegressed
		}
	}
	k.addPoint(kv, v, tx.OdometerPoint{Interval: interval, ValueM: r.Value, TimeMs: r.TimeMs, Device: r.DeviceID, Seq: r.Seq})
	k.putVehicle(kv, v)
	return ""
}

// OdometerRollback implements metering.Odometers: metering rejected a
// reading of the device whose value went below the device's last one.
func (k *Keeper) OdometerRollback(ctx *module.Context, r reading.Reading, previous uint64) {
	kv := k.kv(ctx)
	vin := k.BoundVehicle(ctx, r.DeviceID)
	if vin == "" {
		return
	}
	v := k.vehicle(kv, vin)
	c := k.counters(kv)
	k.flag(ctx, v, &c, Flag{Kind: FlagOdometerRollback, Device: r.DeviceID, Seq: r.Seq, ValueM: r.Value, PreviousM: previous})
	putJSON(kv, counterKey, c)
	k.putVehicle(kv, v)
}

// isModuleAccount reports whether a is one of the chain's module accounts
// (tx.ModuleAccountName; no key controls them).
func isModuleAccount(a tx.Address) bool { return tx.ModuleAccountName(a) != "" }
