package tx

import (
	"errors"
	"fmt"
	"time"

	"github.com/citychain/citychain/edge/reading"
)

// Message types of the devices module.
const (
	TypeDeviceRegister = "devices/register"
	TypeDeviceRevoke   = "devices/revoke"
	TypeDeviceRotate   = "devices/rotate_key"
	TypeDeviceTransfer = "devices/transfer"
	// TypeDeviceReassignInstaller names a new installer of record.
	TypeDeviceReassignInstaller = "devices/reassign_installer"
)

// Device kinds, as edge/reading names them (with the reading kind each
// measures: reading.Kind.MeasuredBy).
const (
	KindSolarInverter = reading.DeviceSolarInverter
	KindEVOdometer    = reading.DeviceEVOdometer
)

// MaxDeviceID bounds a device id in bytes.
const MaxDeviceID = 64

// ValidateDeviceID checks a device id: 1 to 64 bytes of [a-z0-9._-]. The
// same rule holds for the id inside a signed reading.
func ValidateDeviceID(id string) error {
	if len(id) == 0 || len(id) > MaxDeviceID {
		return fmt.Errorf("device id %q: want 1 to %d characters", id, MaxDeviceID)
	}
	for _, c := range []byte(id) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return fmt.Errorf("device id %q: want only a-z, 0-9, '.', '_' and '-'", id)
		}
	}
	return nil
}

// ValidateDeviceKind checks a device kind against the known kinds.
func ValidateDeviceKind(kind string) error {
	switch kind {
	case KindSolarInverter, KindEVOdometer, KindWorkTerminal:
		return nil
	}
	return fmt.Errorf("device kind %q: want %s, %s or %s", kind, KindSolarInverter, KindEVOdometer, KindWorkTerminal)
}

// DeviceMetadata describes the physical device. All fields are optional;
// strings are at most 128 bytes.
type DeviceMetadata struct {
	SerialNumber string `json:"serial_number,omitempty"`
	Manufacturer string `json:"manufacturer,omitempty"`
	Model        string `json:"model,omitempty"`
	RatedPowerW  uint64 `json:"rated_power_w,omitempty"`
	VIN          string `json:"vin,omitempty"`
	Site         string `json:"site,omitempty"`
}

// Validate checks field lengths and the VIN format.
func (d DeviceMetadata) Validate() error {
	var errs []error
	for _, f := range [...]struct{ name, v string }{
		{"serial_number", d.SerialNumber}, {"manufacturer", d.Manufacturer}, {"model", d.Model}, {"site", d.Site},
	} {
		if len(f.v) > 128 {
			errs = append(errs, fmt.Errorf("metadata.%s: %d bytes, limit 128", f.name, len(f.v)))
		}
	}
	if d.VIN != "" {
		if len(d.VIN) != 17 {
			errs = append(errs, fmt.Errorf("metadata.vin %q: want 17 characters", d.VIN))
		} else {
			for _, c := range d.VIN {
				if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') || c == 'I' || c == 'O' || c == 'Q' {
					errs = append(errs, fmt.Errorf("metadata.vin %q: want A-Z and 0-9 without I, O, Q", d.VIN))
					break
				}
			}
		}
	}
	return errors.Join(errs...)
}

// requireDeviceKey refuses a device key no key generation makes (see
// ValidatePubKey): a small-order key would let anyone sign the device's
// readings.
func requireDeviceKey(field string, k PubKey) error {
	return ValidatePubKey(field, k)
}

// MsgDeviceRegister registers a metering device; only an installer may send
// it, and it becomes the device's installer of record. The device starts at
// key epoch 1.
type MsgDeviceRegister struct {
	ID       string         `json:"id"`
	Kind     string         `json:"kind"`
	Owner    Address        `json:"owner"`
	PubKey   PubKey         `json:"pubkey"`
	Metadata DeviceMetadata `json:"metadata"`
}

// Type implements Msg.
func (*MsgDeviceRegister) Type() string { return TypeDeviceRegister }

// ValidateBasic implements Msg.
func (m *MsgDeviceRegister) ValidateBasic() error {
	return errors.Join(ValidateDeviceID(m.ID), ValidateDeviceKind(m.Kind),
		requireAddress("owner", m.Owner), requireDeviceKey("pubkey", m.PubKey), m.Metadata.Validate())
}

// MsgDeviceRevoke revokes a device: no reading of it is accepted any more.
// The installer of record (holding the installer role) or an authority may
// send it, never the owner alone; it cannot be undone.
type MsgDeviceRevoke struct {
	ID     string `json:"id"`
	Reason string `json:"reason"`
}

// Type implements Msg.
func (*MsgDeviceRevoke) Type() string { return TypeDeviceRevoke }

// ValidateBasic implements Msg.
func (m *MsgDeviceRevoke) ValidateBasic() error {
	var err error
	if len(m.Reason) > 256 {
		err = fmt.Errorf("reason: %d bytes, limit 256", len(m.Reason))
	}
	return errors.Join(ValidateDeviceID(m.ID), err)
}

// MsgDeviceRotate replaces a device's key; the key epoch increases by one.
// The new key continues the same meter: sequence, value and time never go
// back across key epochs. A reading of an earlier epoch is accepted only if
// it was signed before that epoch ended (relayed late). The installer of
// record (holding the installer role) or an authority may send it, never
// the owner alone.
type MsgDeviceRotate struct {
	ID     string `json:"id"`
	PubKey PubKey `json:"pubkey"`
}

// Type implements Msg.
func (*MsgDeviceRotate) Type() string { return TypeDeviceRotate }

// ValidateBasic implements Msg.
func (m *MsgDeviceRotate) ValidateBasic() error {
	return errors.Join(ValidateDeviceID(m.ID), requireDeviceKey("pubkey", m.PubKey))
}

// MsgDeviceTransfer gives a device to a new owner; only the owner may send it.
type MsgDeviceTransfer struct {
	ID       string  `json:"id"`
	NewOwner Address `json:"new_owner"`
}

// Type implements Msg.
func (*MsgDeviceTransfer) Type() string { return TypeDeviceTransfer }

// ValidateBasic implements Msg.
func (m *MsgDeviceTransfer) ValidateBasic() error {
	return errors.Join(ValidateDeviceID(m.ID), requireAddress("new_owner", m.NewOwner))
}

// MsgDeviceReassignInstaller makes another installer the installer of
// record of a device (the one that installed it left, or a genesis device
// gets one). It is an authority action (k of n authorities approve it); the new installer must hold the
// installer role.
type MsgDeviceReassignInstaller struct {
	ID        string  `json:"id"`
	Installer Address `json:"installer"`
}

// Type implements Msg.
func (*MsgDeviceReassignInstaller) Type() string { return TypeDeviceReassignInstaller }

// ValidateBasic implements Msg.
func (m *MsgDeviceReassignInstaller) ValidateBasic() error {
	return errors.Join(ValidateDeviceID(m.ID), requireAddress("installer", m.Installer))
}

// SigningKey returns the key a reading of key epoch epoch, signed at
// signedMs (unix milliseconds), must verify against: the current key for
// the current epoch; an earlier epoch's key only if the reading was signed
// before that epoch ended (a reading relayed late). It reports false for an
// unknown or future epoch, and for an earlier epoch's reading signed after
// the epoch ended. It does not look at the device's status.
func (d *Device) SigningKey(epoch uint32, signedMs int64) (PubKey, bool) {
	switch {
	case epoch == 0 || epoch > d.KeyEpoch || int(epoch) > len(d.Keys):
		return nil, false
	case epoch == d.KeyEpoch:
		return d.PubKey, true
	}
	k := d.Keys[epoch-1]
	if k.Epoch != epoch || k.ToTime.IsZero() || !time.UnixMilli(signedMs).Before(k.ToTime) {
		return nil, false
	}
	return k.PubKey, true
}

// DeviceKeyManagers describes who may rotate or revoke a device's key.
const DeviceKeyManagers = "the device's installer of record (holding role " + RoleInstaller + ") or an authority"

// DeviceMsgs is the devices module's part of the transaction contract.
var DeviceMsgs = ModuleMsgs{
	Module: "devices",
	Msgs: []MsgDef{
		{TypeDeviceRegister, func() Msg { return &MsgDeviceRegister{} }, RoleInstaller},
		{TypeDeviceRevoke, func() Msg { return &MsgDeviceRevoke{} }, DeviceKeyManagers},
		{TypeDeviceRotate, func() Msg { return &MsgDeviceRotate{} }, DeviceKeyManagers},
		{TypeDeviceTransfer, func() Msg { return &MsgDeviceTransfer{} }, "the device's owner"},
		{TypeDeviceReassignInstaller, func() Msg { return &MsgDeviceReassignInstaller{} }, SignerAuthorities},
	},
}

// CodespaceDevice is the codespace of the devices module's result codes.
const CodespaceDevice = "devices"

// Result codes of the devices module (see Code). Frozen: a released code
// never changes meaning.
var (
	CodeDeviceExists          = Code{CodespaceDevice, 2}  // device already registered
	CodeDeviceUnknown         = Code{CodespaceDevice, 3}  // unknown device
	CodeDeviceNotInstaller    = Code{CodespaceDevice, 4}  // signer is not an installer
	CodeDeviceNotOwner        = Code{CodespaceDevice, 5}  // signer is not the device owner
	CodeDeviceRevoked         = Code{CodespaceDevice, 6}  // device is revoked
	CodeDeviceSameKey         = Code{CodespaceDevice, 7}  // new key equals the current key
	CodeDeviceSameOwner       = Code{CodespaceDevice, 8}  // new owner equals the current owner
	CodeDeviceInvalidGenesis  = Code{CodespaceDevice, 9}  // invalid devices genesis
	CodeDeviceBoundToVehicle  = Code{CodespaceDevice, 10} // device is bound to a vehicle
	CodeDeviceOwnerAlone      = Code{CodespaceDevice, 11} // the owner alone may not rotate or revoke the device's key
	CodeDeviceNotItsInstaller = Code{CodespaceDevice, 12} // signer is not the device's installer of record (nor an authority)
	CodeDeviceNotAuthority    = Code{CodespaceDevice, 13} // signer is not an authority
	CodeDeviceSameInstaller   = Code{CodespaceDevice, 14} // new installer equals the installer of record
)
