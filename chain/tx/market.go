package tx

import (
	"errors"
	"fmt"
)

// Message types of the energy market module.
const (
	TypeMarketOffer  = "market/offer"
	TypeMarketBid    = "market/bid"
	TypeMarketCancel = "market/cancel"
)

// MsgOffer offers energy from a solar inverter for a future delivery
// interval (interval = floor(unix time / metering interval_seconds)). Only
// the owner of an active solar_inverter device may send it. MinPrice is in
// uscn per kWh; Wh is the energy offered.
type MsgOffer struct {
	Device   string `json:"device"`
	Interval uint64 `json:"interval"`
	Wh       uint64 `json:"wh"`
	MinPrice uint64 `json:"min_price"`
}

// Type implements Msg.
func (*MsgOffer) Type() string { return TypeMarketOffer }

// ValidateBasic implements Msg. A minimum price of zero is allowed (the
// seller takes any price).
func (m *MsgOffer) ValidateBasic() error {
	var errs []error
	if err := ValidateDeviceID(m.Device); err != nil {
		errs = append(errs, fmt.Errorf("device: %w", err))
	}
	if m.Interval == 0 {
		errs = append(errs, errors.New("interval: want a delivery interval number, got 0"))
	}
	if m.Wh == 0 {
		errs = append(errs, errors.New("wh: want a positive amount of energy, got 0"))
	}
	return errors.Join(errs...)
}

// MsgBid bids for energy in a future delivery interval. Any account may send
// it; the maximum cost ceil(Wh × MaxPrice / 1000) uscn is escrowed by the
// market module until clearing (the unmatched part) and delivery settlement
// (the matched part). MaxPrice is in uscn per kWh.
type MsgBid struct {
	Interval uint64 `json:"interval"`
	Wh       uint64 `json:"wh"`
	MaxPrice uint64 `json:"max_price"`
}

// Type implements Msg.
func (*MsgBid) Type() string { return TypeMarketBid }

// ValidateBasic implements Msg.
func (m *MsgBid) ValidateBasic() error {
	var errs []error
	if m.Interval == 0 {
		errs = append(errs, errors.New("interval: want a delivery interval number, got 0"))
	}
	if m.Wh == 0 {
		errs = append(errs, errors.New("wh: want a positive amount of energy, got 0"))
	}
	if m.MaxPrice == 0 {
		errs = append(errs, errors.New("max_price: want a positive price in uscn per kWh, got 0"))
	}
	return errors.Join(errs...)
}

// MsgCancel withdraws an open order before its interval's gate closure; a
// bid's escrow is refunded. Only the order's owner may send it.
type MsgCancel struct {
	OrderID uint64 `json:"order_id"`
}

// Type implements Msg.
func (*MsgCancel) Type() string { return TypeMarketCancel }

// ValidateBasic implements Msg.
func (m *MsgCancel) ValidateBasic() error {
	if m.OrderID == 0 {
		return errors.New("order_id: want an order id (they start at 1), got 0")
	}
	return nil
}

// MarketMsgs is the market module's part of the transaction contract.
var MarketMsgs = ModuleMsgs{
	Module: "market",
	Msgs: []MsgDef{
		{TypeMarketOffer, func() Msg { return &MsgOffer{} }, "the owner of an active solar device"},
		{TypeMarketBid, func() Msg { return &MsgBid{} }, "any account (the maximum cost is escrowed)"},
		{TypeMarketCancel, func() Msg { return &MsgCancel{} }, "the order's owner"},
	},
}

// CodespaceMarket is the codespace of the market module's result codes.
const CodespaceMarket = "market"

// Result codes of the market module (see Code). Frozen: a released code
// never changes meaning.
var (
	CodeMarketInvalidGenesis = Code{CodespaceMarket, 2}  // invalid market genesis
	CodeMarketUnknownDevice  = Code{CodespaceMarket, 3}  // unknown device
	CodeMarketNotSolar       = Code{CodespaceMarket, 4}  // device is not a solar inverter
	CodeMarketDeviceInactive = Code{CodespaceMarket, 5}  // device is revoked
	CodeMarketNotDeviceOwner = Code{CodespaceMarket, 6}  // signer does not own the device
	CodeMarketDeviceFlagged  = Code{CodespaceMarket, 7}  // device has a metering fraud flag
	CodeMarketGateClosed     = Code{CodespaceMarket, 8}  // gate closed: the interval has started
	CodeMarketBeyondHorizon  = Code{CodespaceMarket, 9}  // interval beyond the order horizon
	CodeMarketOrderTooLarge  = Code{CodespaceMarket, 10} // order energy above the per-order limit
	CodeMarketTooManyOrders  = Code{CodespaceMarket, 11} // too many open orders
	CodeMarketPriceTooHigh   = Code{CodespaceMarket, 12} // price above the market's price cap
	CodeMarketOverflow       = Code{CodespaceMarket, 13} // amount overflow
	CodeMarketUnknownOrder   = Code{CodespaceMarket, 14} // unknown order
	CodeMarketNotOrderOwner  = Code{CodespaceMarket, 15} // signer does not own the order
	CodeMarketOrderNotOpen   = Code{CodespaceMarket, 16} // order is not open
)
