package market

import (
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
)

// Codespace of the market module's errors.
const Codespace = tx.CodespaceMarket

// Result codes, declared in chain/tx. Frozen: a released code never
// changes meaning.
var (
	ErrInvalidGenesis = module.NewError(tx.CodeMarketInvalidGenesis, "invalid market genesis")
	ErrUnknownDevice  = module.NewError(tx.CodeMarketUnknownDevice, "unknown device")
	ErrNotSolar       = module.NewError(tx.CodeMarketNotSolar, "device is not a solar inverter")
	ErrDeviceInactive = module.NewError(tx.CodeMarketDeviceInactive, "device is revoked")
	ErrNotDeviceOwner = module.NewError(tx.CodeMarketNotDeviceOwner, "signer does not own the device")
	ErrDeviceFlagged  = module.NewError(tx.CodeMarketDeviceFlagged, "device has a metering fraud flag")
	ErrGateClosed     = module.NewError(tx.CodeMarketGateClosed, "gate closed: the interval has started")
	ErrBeyondHorizon  = module.NewError(tx.CodeMarketBeyondHorizon, "interval beyond the order horizon")
	ErrOrderTooLarge  = module.NewError(tx.CodeMarketOrderTooLarge, "order energy above the per-order limit")
	ErrTooManyOrders  = module.NewError(tx.CodeMarketTooManyOrders, "too many open orders")
	ErrPriceTooHigh   = module.NewError(tx.CodeMarketPriceTooHigh, "price above the market's price cap")
	ErrOverflow       = module.NewError(tx.CodeMarketOverflow, "amount overflow")
	ErrUnknownOrder   = module.NewError(tx.CodeMarketUnknownOrder, "unknown order")
	ErrNotOrderOwner  = module.NewError(tx.CodeMarketNotOrderOwner, "signer does not own the order")
	ErrOrderNotOpen   = module.NewError(tx.CodeMarketOrderNotOpen, "order is not open")
)
