// Package devices is the registry of metering devices: solar inverters and
// EV odometer units, each with an owner account, an installer of record and
// an ed25519 key that signs its readings. Installers register devices; the
// installer of record or an authority (never the owner alone) rotates a key,
// which starts a new key epoch of the same meter, or revokes the device; a
// revoked device stays revoked.
package devices

import (
	"slices"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Device statuses.
const (
	StatusActive  = "active"
	StatusRevoked = "revoked"
)

// Device is a registered device (declared in chain/tx, which clients
// import).
type Device = tx.Device

// KeyEpoch is one key of the device's history. A key is valid from the block
// (height and time) that set it until (excluding) the block of the next
// rotation or revocation.
type KeyEpoch = tx.DeviceKey

// Roles is what the devices module needs of the auth module.
type Roles interface {
	HasRole(ctx *module.Context, addr tx.Address, role string) bool
	IsAuthority(ctx *module.Context, addr tx.Address) bool
	EnsureAccount(ctx *module.Context, addr tx.Address)
}

// Bindings tells which devices are bound to a vehicle (the vehicles
// module): their owner follows the vehicle's title, so they cannot be
// transferred on their own.
type Bindings interface {
	BoundVehicle(ctx *module.Context, device string) (vin string)
}

// Keeper owns the devices module's state.
type Keeper struct {
	prefix   byte
	roles    Roles
	bindings Bindings
}

var _ module.Module = (*Keeper)(nil)

// NewKeeper returns the keeper for the module's key space under prefix.
func NewKeeper(prefix byte, roles Roles) *Keeper { return &Keeper{prefix: prefix, roles: roles} }

// Name implements module.Module.
func (*Keeper) Name() string { return Codespace }

func (k *Keeper) kv(ctx *module.Context) store.KV { return ctx.Store(k.prefix) }

// SetBindings wires the keeper that binds devices to vehicles (set once,
// when the app wires its modules).
func (k *Keeper) SetBindings(b Bindings) { k.bindings = b }

// Device returns the device with id, or nil.
func (k *Keeper) Device(ctx *module.Context, id string) *Device {
	return getDevice(k.kv(ctx), id)
}

func getDevice(kv store.KV, id string) *Device {
	var d Device
	if !store.GetJSON(kv, deviceKey(id), &d) {
		return nil
	}
	return &d
}

func (k *Keeper) put(ctx *module.Context, d *Device) { store.PutJSON(k.kv(ctx), deviceKey(d.ID), d) }

// Register adds a device at key epoch 1 with no installer of record (as at
// genesis without one): only an authority manages its key until it
// reassigns it to an installer.
func (k *Keeper) Register(ctx *module.Context, m *tx.MsgDeviceRegister) error {
	return k.register(ctx, tx.Address{}, m)
}

// register adds a device at key epoch 1 with installer as its installer of
// record.
func (k *Keeper) register(ctx *module.Context, installer tx.Address, m *tx.MsgDeviceRegister) error {
	if k.kv(ctx).Has(deviceKey(m.ID)) {
		return ErrExists.Wrapf("%q", m.ID)
	}
	d := &Device{
		ID: m.ID, Kind: m.Kind, Owner: m.Owner, Installer: installer, Status: StatusActive,
		KeyEpoch: 1, PubKey: m.PubKey, Metadata: m.Metadata, Registered: ctx.Height,
		Keys: []KeyEpoch{{Epoch: 1, PubKey: m.PubKey, FromHeight: ctx.Height, FromTime: ctx.Time}},
	}
	k.put(ctx, d)
	k.kv(ctx).Set(ownerKey(m.Owner, m.ID), []byte{1})
	k.roles.EnsureAccount(ctx, m.Owner)
	ctx.Emit("devices.registered", "device", m.ID, "kind", m.Kind, "owner", m.Owner.String(), "key_epoch", "1",
		"installer", addrAttr(installer))
	return nil
}

// addrAttr is an address as an event attribute: empty for none.
func addrAttr(a tx.Address) string {
	if a.IsZero() {
		return ""
	}
	return a.String()
}

// mayManageKey: the device's installer of record while it holds the
// installer role, or an authority. Never the owner alone (a device key is
// the meter's, not its owner's), and never another installer.
func (k *Keeper) mayManageKey(ctx *module.Context, signer tx.Address, d *Device) error {
	if k.roles.IsAuthority(ctx, signer) {
		return nil
	}
	if !d.Installer.IsZero() && signer == d.Installer {
		if k.roles.HasRole(ctx, signer, tx.RoleInstaller) {
			return nil
		}
		return ErrNotInstaller.Wrapf("%s installed %q but no longer holds role %q", signer, d.ID, tx.RoleInstaller)
	}
	record := "none: only an authority, or an installer it reassigns the device to (devices/reassign_installer)"
	if !d.Installer.IsZero() {
		record = d.Installer.String()
	}
	if signer == d.Owner {
		return ErrOwnerAlone.Wrapf("%s owns %q, but its key is rotated or revoked by its installer of record (%s) or an authority", signer, d.ID, record)
	}
	return ErrNotItsInstaller.Wrapf("%s is neither the installer of record of %q (%s) nor an authority", signer, d.ID, record)
}

func (k *Keeper) active(ctx *module.Context, id string) (*Device, error) {
	d := k.Device(ctx, id)
	if d == nil {
		return nil, ErrUnknown.Wrapf("%q", id)
	}
	if d.Status == StatusRevoked {
		return nil, ErrRevoked.Wrapf("%q was revoked at height %d", id, d.RevokedHeight)
	}
	return d, nil
}

// Handle implements module.Module.
func (k *Keeper) Handle(ctx *module.Context, signer tx.Address, msg tx.Msg) error {
	switch m := msg.(type) {
	case *tx.MsgDeviceRegister:
		if !k.roles.HasRole(ctx, signer, tx.RoleInstaller) {
			return ErrNotInstaller.Wrapf("%s does not hold role %q", signer, tx.RoleInstaller)
		}
		return k.register(ctx, signer, m)
	case *tx.MsgDeviceRevoke:
		d, err := k.active(ctx, m.ID)
		if err != nil {
			return err
		}
		if err := k.mayManageKey(ctx, signer, d); err != nil {
			return err
		}
		d.Status, d.RevokedHeight, d.RevokeReason = StatusRevoked, ctx.Height, m.Reason
		d.Keys[len(d.Keys)-1].ToHeight = ctx.Height
		d.Keys[len(d.Keys)-1].ToTime = ctx.Time
		k.put(ctx, d)
		ctx.Emit("devices.revoked", "device", d.ID, "reason", m.Reason)
		return nil
	case *tx.MsgDeviceRotate:
		d, err := k.active(ctx, m.ID)
		if err != nil {
			return err
		}
		if err := k.mayManageKey(ctx, signer, d); err != nil {
			return err
		}
		for _, old := range d.Keys {
			if slices.Equal(old.PubKey, m.PubKey) {
				return ErrSameKey.Wrapf("%q already used key %s at epoch %d", d.ID, m.PubKey, old.Epoch)
			}
		}
		d.Keys[len(d.Keys)-1].ToHeight = ctx.Height
		d.Keys[len(d.Keys)-1].ToTime = ctx.Time
		d.KeyEpoch++
		d.PubKey = m.PubKey
		d.Keys = append(d.Keys, KeyEpoch{Epoch: d.KeyEpoch, PubKey: m.PubKey, FromHeight: ctx.Height, FromTime: ctx.Time})
		k.put(ctx, d)
		ctx.Emit("devices.key_rotated", "device", d.ID, "key_epoch", module.U64(uint64(d.KeyEpoch)))
		return nil
	case *tx.MsgDeviceTransfer:
		d, err := k.active(ctx, m.ID)
		if err != nil {
			return err
		}
		if signer != d.Owner {
			return ErrNotOwner.Wrapf("%s does not own %q", signer, d.ID)
		}
		if m.NewOwner == d.Owner {
			return ErrSameOwner.Wrapf("%q already belongs to %s", d.ID, d.Owner)
		}
		if k.bindings != nil {
			if vin := k.bindings.BoundVehicle(ctx, d.ID); vin != "" {
				return ErrBoundToVehicle.Wrapf("%q is the odometer of vehicle %s: it moves with the vehicle's title (vehicles/propose_transfer)", d.ID, vin)
			}
		}
		k.setOwner(ctx, d, m.NewOwner)
		return nil
	case *tx.MsgDeviceReassignInstaller:
		return k.reassignInstaller(ctx, signer, m)
	}
	return module.ErrInternal.Wrapf("devices cannot handle %s", msg.Type())
}

// SetOwner moves an active device to a new owner: the vehicles module calls
// it when the title of the vehicle the device is bound to moves.
func (k *Keeper) SetOwner(ctx *module.Context, id string, owner tx.Address) error {
	d, err := k.active(ctx, id)
	if err != nil {
		return err
	}
	if d.Owner != owner {
		k.setOwner(ctx, d, owner)
	}
	return nil
}

func (k *Keeper) setOwner(ctx *module.Context, d *Device, owner tx.Address) {
	k.kv(ctx).Delete(ownerKey(d.Owner, d.ID))
	k.kv(ctx).Set(ownerKey(owner, d.ID), []byte{1})
	prev := d.Owner
	d.Owner = owner
	k.put(ctx, d)
	k.roles.EnsureAccount(ctx, owner)
	ctx.Emit("devices.transferred", "device", d.ID, "from", prev.String(), "to", owner.String())
}

// reassignInstaller makes m.Installer the installer of record of an active
// device: an authority's act, to an account holding the installer role.
func (k *Keeper) reassignInstaller(ctx *module.Context, signer tx.Address, m *tx.MsgDeviceReassignInstaller) error {
	if !k.roles.IsAuthority(ctx, signer) {
		return ErrNotAuthority.Wrapf("%s may not reassign the installer of %q", signer, m.ID)
	}
	d, err := k.active(ctx, m.ID)
	if err != nil {
		return err
	}
	if !k.roles.HasRole(ctx, m.Installer, tx.RoleInstaller) {
		return ErrNotInstaller.Wrapf("installer %s does not hold role %q", m.Installer, tx.RoleInstaller)
	}
	if m.Installer == d.Installer {
		return ErrSameInstaller.Wrapf("%s is already the installer of record of %q", m.Installer, d.ID)
	}
	prev := d.Installer
	d.Installer = m.Installer
	k.put(ctx, d)
	ctx.Emit("devices.installer_reassigned", "device", d.ID, "from", addrAttr(prev), "to", m.Installer.String(), "by", signer.String())
	return nil
}
