package devices

import "github.com/citychain/citychain/chain/internal/module"

// Codespace of the devices module's errors.
const Codespace = "devices"

// Result codes. Frozen: a released code never changes meaning.
var (
	ErrExists         = module.NewError(Codespace, 2, "device already registered")
	ErrUnknown        = module.NewError(Codespace, 3, "unknown device")
	ErrNotInstaller   = module.NewError(Codespace, 4, "signer is not an installer")
	ErrNotOwner       = module.NewError(Codespace, 5, "signer is not the device owner")
	ErrRevoked        = module.NewError(Codespace, 6, "device is revoked")
	ErrSameKey        = module.NewError(Codespace, 7, "new key equals the current key")
	ErrSameOwner      = module.NewError(Codespace, 8, "new owner equals the current owner")
	ErrInvalidGenesis = module.NewError(Codespace, 9, "invalid devices genesis")
	ErrBoundToVehicle = module.NewError(Codespace, 10, "device is bound to a vehicle")
)
