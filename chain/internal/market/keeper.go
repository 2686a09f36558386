// Package market is the solar energy market: per delivery interval (the
// metering interval), owners of solar inverters offer energy and any account
// bids for it with the maximum cost escrowed in S-Coin; at gate closure (the
// interval's start) a uniform-price double auction clears the interval and
// refunds unmatched escrow; once the interval's readings are complete (its
// metering anchor) or the delivery deadline has passed, each trade is settled
// against the energy the seller's device metered: the seller is paid for what
// was delivered (minus a grid fee), the buyer refunded for the rest, and an
// optional shortfall penalty moves from seller to buyer. All money moves
// through bank.Send; all arithmetic is integer and checked.
package market

import (
	"github.com/citychain/citychain/chain/internal/devices"
	"github.com/citychain/citychain/chain/internal/metering"
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Denom is the denomination the market trades in.
const Denom = tx.DenomSCoin

// Params are the module's genesis parameters.
type Params struct {
	// HorizonIntervals: an order is accepted for interval i while
	// current < i <= current + HorizonIntervals.
	HorizonIntervals uint64 `json:"horizon_intervals"`
	// MaxOpenOrders bounds the open orders (offers and bids) of an account.
	MaxOpenOrders uint64 `json:"max_open_orders"`
	// MaxOrderWh bounds the energy of one order.
	MaxOrderWh uint64 `json:"max_order_wh"`
	// MaxPrice bounds an offer's minimum and a bid's maximum price, in uscn
	// per kWh.
	MaxPrice uint64 `json:"max_price"`
	// DeliveryDeadlineIntervals: interval i settles once metering has
	// anchored it, or at the latest in the first block whose interval is
	// above i + DeliveryDeadlineIntervals; readings missing by then count as
	// nothing delivered.
	DeliveryDeadlineIntervals uint64 `json:"delivery_deadline_intervals"`
	// GridFeeBps is the grid fee, in basis points of each seller payment,
	// paid to GridOperator.
	GridFeeBps uint64 `json:"grid_fee_bps"`
	// GridOperator receives the grid fees. Fixed at genesis; it must hold
	// the grid_operator role at genesis when GridFeeBps > 0.
	GridOperator tx.Address `json:"grid_operator"`
	// PenaltyBps is the shortfall penalty, in basis points of the value of
	// the energy a seller sold but did not deliver, paid by the seller to
	// the buyer as far as the seller's balance allows.
	PenaltyBps uint64 `json:"penalty_bps"`
	// MaxIntervalsPerBlock bounds the intervals one block clears, and
	// separately the intervals one block settles; the rest wait, in order,
	// for the next block.
	MaxIntervalsPerBlock uint64 `json:"max_intervals_per_block"`
}

// DefaultParams: a day of 15-minute intervals ahead, 32 open orders per
// account, at most 1 MWh per order, prices up to 1,000 SCN per kWh, one hour
// (4 intervals) for readings to arrive, no grid fee (no operator is known
// here; chain/node sets one), a 5 % shortfall penalty, 4 intervals cleared
// and 4 settled per block at most.
func DefaultParams() Params {
	return Params{
		HorizonIntervals: 96, MaxOpenOrders: 32, MaxOrderWh: 1_000_000, MaxPrice: 1_000_000_000,
		DeliveryDeadlineIntervals: 4, GridFeeBps: 0, PenaltyBps: 500, MaxIntervalsPerBlock: 4,
	}
}

// Order sides.
const (
	SideOffer = "offer"
	SideBid   = "bid"
)

// Order statuses.
const (
	StatusOpen      = "open"      // in the book
	StatusCancelled = "cancelled" // withdrawn before gate closure
	StatusFilled    = "filled"    // cleared, fully matched
	StatusPartial   = "partial"   // cleared, partly matched
	StatusUnmatched = "unmatched" // cleared, not matched
)

// Why an order was cancelled (the market.order_cancelled event's reason).
const (
	CancelByOwner = "owner" // market/cancel
	// CancelDeviceTransferred: at gate closure, the offer's device belonged
	// to another account than the offer's owner.
	CancelDeviceTransferred = "device_transferred"
)

// VoidDeviceTransferred is why a trade was voided at settlement: its
// device belonged to another account than the trade's seller (it changed
// hands after the interval cleared). Nothing is paid to the seller, the
// buyer is refunded in full, no penalty is due.
const VoidDeviceTransferred = "device_transferred"

// Order is an offer or a bid.
type Order struct {
	ID       uint64     `json:"id"`
	Side     string     `json:"side"`
	Owner    tx.Address `json:"owner"`
	Device   string     `json:"device,omitempty"`
	Interval uint64     `json:"interval"`
	Wh       uint64     `json:"wh"`
	// Price is the offer's minimum or the bid's maximum, uscn per kWh.
	Price uint64 `json:"price"`
	// Escrow is what a bid escrowed: ceil(Wh × Price / 1000) uscn.
	Escrow uint64 `json:"escrow"`
	Status string `json:"status"`
	// FilledWh is the matched energy, set at clearing.
	FilledWh uint64 `json:"filled_wh"`
	// Refunded is the escrow returned at cancellation or clearing.
	Refunded uint64 `json:"refunded"`
	Height   int64  `json:"height"`
}

// Clearing is the outcome of an interval's auction.
type Clearing struct {
	Interval uint64 `json:"interval"`
	// Crossed is false when no bid met any offer; Price is then 0.
	Crossed  bool   `json:"crossed"`
	Price    uint64 `json:"price"`
	VolumeWh uint64 `json:"volume_wh"`
	Trades   uint64 `json:"trades"`
	Offers   uint64 `json:"offers"`
	Bids     uint64 `json:"bids"`
	OfferWh  uint64 `json:"offer_wh"`
	BidWh    uint64 `json:"bid_wh"`
	// MarginalOffer and MarginalBid are the last matched pair, whose prices
	// set Price.
	MarginalOffer uint64 `json:"marginal_offer,omitempty"`
	MarginalBid   uint64 `json:"marginal_bid,omitempty"`
	Height        int64  `json:"height"`
}

// Trade is one match of an offer and a bid at the clearing price.
type Trade struct {
	Interval uint64     `json:"interval"`
	Seq      uint64     `json:"seq"`
	OfferID  uint64     `json:"offer_id"`
	BidID    uint64     `json:"bid_id"`
	Device   string     `json:"device"`
	Seller   tx.Address `json:"seller"`
	Buyer    tx.Address `json:"buyer"`
	Wh       uint64     `json:"wh"`
	Price    uint64     `json:"price"`
	// Cost is the part of the bid's escrow held for this trade until
	// settlement (the trade's Wh at Price, rounded so a bid's trades sum to
	// ceil(filled × price / 1000)).
	Cost uint64 `json:"cost"`
	// Set at settlement.
	Settled       bool   `json:"settled"`
	DeliveredWh   uint64 `json:"delivered_wh"`
	Paid          uint64 `json:"paid"` // to the seller, before the fee
	Fee           uint64 `json:"fee"`
	Refund        uint64 `json:"refund"`
	Penalty       uint64 `json:"penalty"`
	SettledHeight int64  `json:"settled_height,omitempty"`
	// Void, when set at settlement, is why the trade paid the seller
	// nothing (VoidDeviceTransferred).
	Void string `json:"void,omitempty"`
}

// Settlement summarises an interval's delivery settlement.
type Settlement struct {
	Interval uint64 `json:"interval"`
	// Reason is "anchored" (metering anchored the interval) or "deadline".
	Reason      string `json:"reason"`
	Trades      uint64 `json:"trades"`
	TradedWh    uint64 `json:"traded_wh"`
	DeliveredWh uint64 `json:"delivered_wh"`
	Paid        uint64 `json:"paid"`
	Fees        uint64 `json:"fees"`
	Refunds     uint64 `json:"refunds"`
	Penalties   uint64 `json:"penalties"`
	// Voided counts the trades voided because their device changed hands.
	Voided uint64 `json:"voided,omitempty"`
	Height int64  `json:"height"`
}

// Bank is what the market needs of the bank module.
type Bank interface {
	Send(ctx *module.Context, from, to tx.Address, amount tx.Coin) error
	Balance(ctx *module.Context, addr tx.Address, denom string) uint64
}

// Devices is what the market needs of the devices module.
type Devices interface {
	Device(ctx *module.Context, id string) *devices.Device
}

// Metering is what the market needs of the metering module.
type Metering interface {
	CurrentInterval(ctx *module.Context) uint64
	Delta(ctx *module.Context, id string, interval uint64) uint64
	Anchor(ctx *module.Context, interval uint64) *metering.Anchor
	State(ctx *module.Context, id string) *metering.DeviceState
	Params(ctx *module.Context) metering.Params
}

// Roles is what the market needs of the auth module.
type Roles interface {
	HasRole(ctx *module.Context, addr tx.Address, role string) bool
}

// Keeper owns the market module's state.
type Keeper struct {
	prefix  byte
	bank    Bank
	devices Devices
	meter   Metering
	roles   Roles
	// Escrow is the account holding bids' escrow: tx.ModuleAddress("market").
	Escrow tx.Address
}

var (
	_ module.Module     = (*Keeper)(nil)
	_ module.EndBlocker = (*Keeper)(nil)
)

// NewKeeper returns the keeper for the module's key space under prefix.
func NewKeeper(prefix byte, bank Bank, devs Devices, meter Metering, roles Roles) *Keeper {
	return &Keeper{prefix: prefix, bank: bank, devices: devs, meter: meter, roles: roles, Escrow: tx.ModuleAddress(tx.ModuleAccountMarket)}
}

// Name implements module.Module.
func (*Keeper) Name() string { return Codespace }

func (k *Keeper) kv(ctx *module.Context) store.KV { return ctx.Store(k.prefix) }

func getJSON(kv store.KV, key []byte, v any) bool { return store.GetJSON(kv, key, v) }

func putJSON(kv store.KV, key []byte, v any) { store.PutJSON(kv, key, v) }

func getU64(kv store.KV, key []byte) uint64 { return store.GetUint64(kv, key) }

func putU64(kv store.KV, key []byte, v uint64) { kv.Set(key, u64(nil, v)) }

// Params returns the module parameters.
func (k *Keeper) Params(ctx *module.Context) Params {
	var p Params
	if !getJSON(k.kv(ctx), paramsKey, &p) {
		return DefaultParams()
	}
	return p
}

// Order returns the order with id, or nil.
func (k *Keeper) Order(ctx *module.Context, id uint64) *Order { return getOrder(k.kv(ctx), id) }

func getOrder(kv store.KV, id uint64) *Order {
	var o Order
	if !getJSON(kv, orderKey(id), &o) {
		return nil
	}
	return &o
}

// Clearing returns an interval's clearing, or nil before it cleared.
func (k *Keeper) Clearing(ctx *module.Context, interval uint64) *Clearing {
	var c Clearing
	if !getJSON(k.kv(ctx), clearingKey(interval), &c) {
		return nil
	}
	return &c
}

// Trades returns an interval's trades in sequence order.
func (k *Keeper) Trades(ctx *module.Context, interval uint64) []*Trade {
	return intervalTrades(k.kv(ctx), interval)
}

func intervalTrades(kv store.KV, interval uint64) []*Trade {
	var out []*Trade
	store.EachPrefix(kv, tradePrefix(interval), func(_, value []byte) bool {
		var t Trade
		store.DecodeJSON(value, &t)
		out = append(out, &t)
		return true
	})
	return out
}

// Settlement returns an interval's settlement, or nil.
func (k *Keeper) Settlement(ctx *module.Context, interval uint64) *Settlement {
	var s Settlement
	if !getJSON(k.kv(ctx), settlementKey(interval), &s) {
		return nil
	}
	return &s
}

// send moves a positive amount of uscn; zero is a no-op.
func (k *Keeper) send(ctx *module.Context, from, to tx.Address, amount uint64) error {
	if amount == 0 {
		return nil
	}
	return k.bank.Send(ctx, from, to, tx.Coin{Amount: amount, Denom: Denom})
}
