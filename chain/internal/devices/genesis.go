package devices

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
)

// Genesis is the module's section of the genesis app state.
type Genesis struct {
	// Devices are registered at genesis, at key epoch 1.
	Devices []tx.MsgDeviceRegister `json:"devices"`
	// Installer is the installer of record of every device in Devices; it
	// must hold the installer role. Without one, those devices have no
	// installer of record: only an authority rotates or revokes their keys,
	// or reassigns them to an installer.
	Installer tx.Address `json:"installer,omitzero"`
	// Records are devices as the registry holds them (an exported chain):
	// their key history, revocation and owner, written as they are after
	// Devices.
	Records []Device `json:"records,omitempty"`
}

var _ module.Exporter = (*Keeper)(nil)

// InitGenesis implements module.Module.
func (k *Keeper) InitGenesis(ctx *module.Context, raw json.RawMessage) error {
	var g Genesis
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		return ErrInvalidGenesis.Wrapf("%v", err)
	}
	if !g.Installer.IsZero() && !k.roles.HasRole(ctx, g.Installer, tx.RoleInstaller) {
		return ErrInvalidGenesis.Wrapf("installer %s: does not hold role %q (grant it in the auth section)", g.Installer, tx.RoleInstaller)
	}
	for i := range g.Devices {
		d := &g.Devices[i]
		if err := d.ValidateBasic(); err != nil {
			return ErrInvalidGenesis.Wrapf("device %d: %v", i, err)
		}
		if err := k.register(ctx, g.Installer, d); err != nil {
			return ErrInvalidGenesis.Wrapf("device %d: %v", i, err)
		}
	}
	for i := range g.Records {
		d := &g.Records[i]
		if err := validateRecord(d); err != nil {
			return ErrInvalidGenesis.Wrapf("records[%d] (device %q): %v", i, d.ID, err)
		}
		if k.kv(ctx).Has(deviceKey(d.ID)) {
			return ErrInvalidGenesis.Wrapf("records[%d]: device %q is already registered", i, d.ID)
		}
		k.put(ctx, d)
		k.kv(ctx).Set(ownerKey(d.Owner, d.ID), []byte{1})
		k.roles.EnsureAccount(ctx, d.Owner)
	}
	return nil
}

// validateRecord checks a device record: what registration checks, a key
// history of epochs 1, 2, ... whose last key is the current one, each key
// valid (in heights and in times) from the end of the previous one, an end
// for every replaced key, and a status that agrees with the revocation
// fields. The installer of record may be none (a genesis device without
// one) and need not hold the installer role any more (it then cannot act
// until it holds it again).
func validateRecord(d *Device) error {
	reg := tx.MsgDeviceRegister{ID: d.ID, Kind: d.Kind, Owner: d.Owner, PubKey: d.PubKey, Metadata: d.Metadata}
	if err := reg.ValidateBasic(); err != nil {
		return err
	}
	if d.Registered < 0 {
		return fmt.Errorf("registered_height %d: want 0 or more", d.Registered)
	}
	if len(d.Keys) == 0 || d.KeyEpoch != uint32(len(d.Keys)) {
		return fmt.Errorf("key_epoch %d with %d keys: want one key per epoch, epochs 1 to key_epoch", d.KeyEpoch, len(d.Keys))
	}
	from := d.Registered
	var fromTime time.Time
	for i, ke := range d.Keys {
		last := i == len(d.Keys)-1
		switch {
		case ke.Epoch != uint32(i+1):
			return fmt.Errorf("keys[%d].epoch %d: want %d", i, ke.Epoch, i+1)
		case len(ke.PubKey) != 32:
			return fmt.Errorf("keys[%d].pubkey: want a 32-byte ed25519 key", i)
		case ke.FromHeight != from:
			return fmt.Errorf("keys[%d].from_height %d: want %d, where the previous key ends (the registration for the first)", i, ke.FromHeight, from)
		case ke.ToHeight != 0 && ke.ToHeight < ke.FromHeight:
			return fmt.Errorf("keys[%d].to_height %d: before its from_height %d", i, ke.ToHeight, ke.FromHeight)
		case !last && ke.ToHeight == 0:
			return fmt.Errorf("keys[%d].to_height: a replaced key needs one", i)
		case ke.FromTime.IsZero():
			return fmt.Errorf("keys[%d].from_time: want the time of the block that set the key", i)
		case i > 0 && !ke.FromTime.Equal(fromTime):
			return fmt.Errorf("keys[%d].from_time %s: want %s, where the previous key ends", i, ke.FromTime.Format(time.RFC3339Nano), fromTime.Format(time.RFC3339Nano))
		case (ke.ToHeight == 0) != ke.ToTime.IsZero():
			return fmt.Errorf("keys[%d]: to_height %d with to_time %q: a key that ended has both, a current one neither", i, ke.ToHeight, timeAttr(ke.ToTime))
		case ke.ToTime.Before(ke.FromTime) && !ke.ToTime.IsZero():
			return fmt.Errorf("keys[%d].to_time %s: before its from_time %s", i, ke.ToTime.Format(time.RFC3339Nano), ke.FromTime.Format(time.RFC3339Nano))
		}
		for _, prev := range d.Keys[:i] {
			if slices.Equal(prev.PubKey, ke.PubKey) {
				return fmt.Errorf("keys[%d].pubkey %s: already the key of epoch %d", i, ke.PubKey, prev.Epoch)
			}
		}
		from, fromTime = ke.ToHeight, ke.ToTime
	}
	cur := d.Keys[len(d.Keys)-1]
	if !slices.Equal(cur.PubKey, d.PubKey) {
		return fmt.Errorf("pubkey %s: want the last key of the history, %s", d.PubKey, cur.PubKey)
	}
	switch d.Status {
	case StatusActive:
		if d.RevokedHeight != 0 || d.RevokeReason != "" || cur.ToHeight != 0 {
			return fmt.Errorf("status %q with revoked_height %d, revoke_reason %q and the last key ending at %d: an active device has none",
				d.Status, d.RevokedHeight, d.RevokeReason, cur.ToHeight)
		}
	case StatusRevoked:
		if cur.ToHeight != d.RevokedHeight {
			return fmt.Errorf("revoked_height %d: want the height the last key ends at, %d", d.RevokedHeight, cur.ToHeight)
		}
	default:
		return fmt.Errorf("status %q: want %q or %q", d.Status, StatusActive, StatusRevoked)
	}
	return nil
}

// ExportGenesis implements module.Exporter: every device as a record. The
// owner index is rebuilt from the records' owners.
func (k *Keeper) ExportGenesis(ctx *module.Context) (json.RawMessage, error) {
	kv := k.kv(ctx)
	g := Genesis{Devices: []tx.MsgDeviceRegister{}}
	var owners int
	return module.ExportSection(Codespace, kv, &g, func(key, value []byte) error {
		switch key[0] {
		case prefixDevice:
			var d Device
			if e := json.Unmarshal(value, &d); e != nil {
				return fmt.Errorf("device %q: %v", key[1:], e)
			}
			if b, _ := json.Marshal(&d); !bytes.Equal(b, value) {
				return fmt.Errorf("device %q: stored value %s does not encode back to itself (%s)", key[1:], value, b)
			}
			if d.ID != string(key[1:]) {
				return fmt.Errorf("device stored under %q has id %q", key[1:], d.ID)
			}
			if e := validateRecord(&d); e != nil {
				return fmt.Errorf("device %q: %v", d.ID, e)
			}
			g.Records = append(g.Records, d)
		case prefixOwner:
			n := len(tx.Address{})
			if len(key) <= 1+n || !bytes.Equal(value, []byte{1}) {
				return fmt.Errorf("owner index entry = %x: want 0x02, a 20-byte address and a device id = 01", value)
			}
			var owner tx.Address
			copy(owner[:], key[1:])
			id := string(key[1+n:])
			if d := getDevice(kv, id); d == nil || d.Owner != owner {
				return fmt.Errorf("owner index lists device %q under %s, which does not own it", id, owner)
			}
			owners++
		default:
			return module.ErrUnknownKey
		}
		return nil
	}, func() error {
		if owners != len(g.Records) {
			return fmt.Errorf("the owner index has %d entries for %d devices", owners, len(g.Records))
		}
		return nil
	})
}

// timeAttr is a time as written in a record: RFC 3339, empty for none.
func timeAttr(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339Nano)
}
