package devices

import (
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
)

// Codespace of the devices module's errors.
const Codespace = tx.CodespaceDevice

// Result codes, declared in chain/tx. Frozen: a released code never
// changes meaning.
var (
	ErrExists          = module.NewError(tx.CodeDeviceExists, "device already registered")
	ErrUnknown         = module.NewError(tx.CodeDeviceUnknown, "unknown device")
	ErrNotInstaller    = module.NewError(tx.CodeDeviceNotInstaller, "signer is not an installer")
	ErrNotOwner        = module.NewError(tx.CodeDeviceNotOwner, "signer is not the device owner")
	ErrRevoked         = module.NewError(tx.CodeDeviceRevoked, "device is revoked")
	ErrSameKey         = module.NewError(tx.CodeDeviceSameKey, "new key equals the current key")
	ErrSameOwner       = module.NewError(tx.CodeDeviceSameOwner, "new owner equals the current owner")
	ErrInvalidGenesis  = module.NewError(tx.CodeDeviceInvalidGenesis, "invalid devices genesis")
	ErrBoundToVehicle  = module.NewError(tx.CodeDeviceBoundToVehicle, "device is bound to a vehicle")
	ErrOwnerAlone      = module.NewError(tx.CodeDeviceOwnerAlone, "the owner alone may not rotate or revoke a device key")
	ErrNotItsInstaller = module.NewError(tx.CodeDeviceNotItsInstaller, "signer is not the device's installer of record")
	ErrNotAuthority    = module.NewError(tx.CodeDeviceNotAuthority, "signer is not an authority")
	ErrSameInstaller   = module.NewError(tx.CodeDeviceSameInstaller, "new installer equals the installer of record")
)
