package market

import "github.com/citychain/citychain/chain/internal/module"

// Codespace of the market module's errors.
const Codespace = "market"

// Result codes. Frozen: a released code never changes meaning.
var (
	ErrInvalidGenesis = module.NewError(Codespace, 2, "invalid market genesis")
	ErrUnknownDevice  = module.NewError(Codespace, 3, "unknown device")
	ErrNotSolar       = module.NewError(Codespace, 4, "device is not a solar inverter")
	ErrDeviceInactive = module.NewError(Codespace, 5, "device is revoked")
	ErrNotDeviceOwner = module.NewError(Codespace, 6, "signer does not own the device")
	ErrDeviceFlagged  = module.NewError(Codespace, 7, "device has a metering fraud flag")
	ErrGateClosed     = module.NewError(Codespace, 8, "gate closed: the interval has started")
	ErrBeyondHorizon  = module.NewError(Codespace, 9, "interval beyond the order horizon")
	ErrOrderTooLarge  = module.NewError(Codespace, 10, "order energy above the per-order limit")
	ErrTooManyOrders  = module.NewError(Codespace, 11, "too many open orders")
	ErrPriceTooHigh   = module.NewError(Codespace, 12, "price above the market's price cap")
	ErrOverflow       = module.NewError(Codespace, 13, "amount overflow")
	ErrUnknownOrder   = module.NewError(Codespace, 14, "unknown order")
	ErrNotOrderOwner  = module.NewError(Codespace, 15, "signer does not own the order")
	ErrOrderNotOpen   = module.NewError(Codespace, 16, "order is not open")
)
