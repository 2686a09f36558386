package market

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Genesis is the module's section of the genesis app state. A new chain
// sets Params only; the other fields carry a running chain's state, as
// ExportGenesis writes it (see export.go), and are absent from a new
// chain's genesis. Lists are in store key order.
type Genesis struct {
	Params Params `json:"params"`
	// NextOrderID is the id the next order gets (1 when none was placed).
	// Every export sets it; a section that sets it continues a chain, so
	// the genesis-only check that params.grid_operator holds its role is
	// not made again (fees keep going to the operator fixed at the
	// original genesis, whatever its roles since).
	NextOrderID uint64 `json:"next_order_id,omitempty"`
	// Orders are every order, open or closed, by id.
	Orders []Order `json:"orders,omitempty"`
	// Pending are the intervals still to clear, by interval, with the
	// offered and bid energy of their open orders.
	Pending []PendingInterval `json:"pending,omitempty"`
	// Clearings, Trades (by interval and sequence) and Settlements are the
	// history of the cleared intervals.
	Clearings   []Clearing   `json:"clearings,omitempty"`
	Trades      []Trade      `json:"trades,omitempty"`
	Settlements []Settlement `json:"settlements,omitempty"`
}

// PendingInterval is an interval still to clear: the total energy of its
// open offers and bids. An interval whose orders were all cancelled stays
// pending (with zero totals) until it clears.
type PendingInterval struct {
	Interval uint64 `json:"interval"`
	OfferWh  uint64 `json:"offer_wh"`
	BidWh    uint64 `json:"bid_wh"`
}

// Bounds of the parameters, checked by Validate at genesis. Each keeps a
// per-order, per-account or per-block cost bounded whatever the genesis
// says; the README explains them.
const (
	// HorizonIntervalsMax: orders up to about a year of 15-minute
	// intervals ahead.
	HorizonIntervalsMax = 35_136
	// MaxOpenOrdersMax: an account's open orders, each a book entry the
	// clearing reads, and what /market/orders lists.
	MaxOpenOrdersMax = 1_000
	// MaxOrderWhMax: 1 GWh per order, beyond any one inverter's interval.
	MaxOrderWhMax = 1_000_000_000
	// MaxPriceMax: 10^12 uscn (1,000,000 SCN) per kWh. With MaxOrderWhMax
	// the largest escrow, ceil(wh × price / 1000) ≤ 10^18 uscn, fits in
	// 64 bits, so no valid order's escrow can overflow.
	MaxPriceMax = 1_000_000_000_000
	// DeliveryDeadlineIntervalsMax: a buyer's escrow for an unsettled
	// trade is held at most about 30 days of 15-minute intervals.
	DeliveryDeadlineIntervalsMax = 2_880
	// MaxIntervalsPerBlockMax: the intervals one block clears (and,
	// separately, settles); each is a whole book.
	MaxIntervalsPerBlockMax = 64
	// BpsMax is 100 %.
	BpsMax = 10_000
)

// Validate checks the parameters on their own: every bound above, a grid
// operator when there is a grid fee, and no module account as the grid
// operator. The error names each field, its value and the bound.
func (p Params) Validate() error {
	var errs []error
	between := func(name string, v, lo, hi uint64) {
		if v < lo || v > hi {
			errs = append(errs, fmt.Errorf("params.%s: %d, want %d to %d", name, v, lo, hi))
		}
	}
	between("horizon_intervals", p.HorizonIntervals, 1, HorizonIntervalsMax)
	between("max_open_orders", p.MaxOpenOrders, 1, MaxOpenOrdersMax)
	between("max_order_wh", p.MaxOrderWh, 1, MaxOrderWhMax)
	between("max_price", p.MaxPrice, 1, MaxPriceMax)
	between("delivery_deadline_intervals", p.DeliveryDeadlineIntervals, 0, DeliveryDeadlineIntervalsMax)
	between("max_intervals_per_block", p.MaxIntervalsPerBlock, 1, MaxIntervalsPerBlockMax)
	between("grid_fee_bps", p.GridFeeBps, 0, BpsMax)
	between("penalty_bps", p.PenaltyBps, 0, BpsMax)
	if p.GridFeeBps > 0 && p.GridOperator.IsZero() {
		errs = append(errs, fmt.Errorf("params.grid_operator: none, want the address that receives the grid fee when grid_fee_bps is %d", p.GridFeeBps))
	}
	if name := tx.ModuleAccountName(p.GridOperator); name != "" {
		errs = append(errs, fmt.Errorf("params.grid_operator: %s is the %q module account, which no key controls", p.GridOperator, name))
	}
	return errors.Join(errs...)
}

// InitGenesis implements module.Module. A missing section leaves
// DefaultParams in force. A section with exported state (next_order_id
// set) writes it back, with the indexes rebuilt from it, after checking it
// is consistent and that the escrow covers it.
func (k *Keeper) InitGenesis(ctx *module.Context, raw json.RawMessage) error {
	g := Genesis{Params: DefaultParams()}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		return ErrInvalidGenesis.Wrapf("%v", err)
	}
	if err := g.Params.Validate(); err != nil {
		return ErrInvalidGenesis.Wrapf("%v", err)
	}
	if g.NextOrderID == 0 && g.Params.GridFeeBps > 0 && !k.roles.HasRole(ctx, g.Params.GridOperator, tx.RoleGridOperator) {
		return ErrInvalidGenesis.Wrapf("params.grid_operator: %s does not hold role %q", g.Params.GridOperator, tx.RoleGridOperator)
	}
	if err := k.checkState(ctx, &g); err != nil {
		return ErrInvalidGenesis.Wrapf("%v", err)
	}
	kv := k.kv(ctx)
	putJSON(kv, paramsKey, g.Params)
	writeState(kv, &g)
	return nil
}

// writeState writes a section's exported state and the indexes derived
// from it: the book and the open-order counts (from the open orders), each
// owner's orders, each account's trades, and the intervals cleared with
// trades but not settled.
func writeState(kv store.KV, g *Genesis) {
	if g.NextOrderID > 1 { // 1: no order was placed, and the key is absent
		putU64(kv, nextOrderKey, g.NextOrderID)
	}
	for i := range g.Orders {
		o := &g.Orders[i]
		putJSON(kv, orderKey(o.ID), o)
		kv.Set(ownerOrderKey(o.Owner, o.ID), []byte{1})
		if o.Status != StatusOpen {
			continue
		}
		side := sideAsk
		if o.Side == SideBid {
			side = sideBid
		}
		kv.Set(bookKey(o.Interval, side, o.Price, o.ID), []byte{1})
		putU64(kv, openCountKey(o.Owner), getU64(kv, openCountKey(o.Owner))+1)
	}
	for _, p := range g.Pending {
		putPending(kv, p.Interval, pending{offerWh: p.OfferWh, bidWh: p.BidWh})
	}
	settled := make(map[uint64]bool, len(g.Settlements)) // lookups only
	for _, s := range g.Settlements {
		settled[s.Interval] = true
	}
	for i := range g.Clearings {
		c := &g.Clearings[i]
		putJSON(kv, clearingKey(c.Interval), c)
		if c.Trades > 0 && !settled[c.Interval] {
			kv.Set(unsettledKey(c.Interval), []byte{1})
		}
	}
	for i := range g.Trades {
		t := &g.Trades[i]
		putJSON(kv, tradeKey(t.Interval, t.Seq), t)
		kv.Set(accountTradeKey(t.Seller, t.Interval, t.Seq), []byte{1})
		kv.Set(accountTradeKey(t.Buyer, t.Interval, t.Seq), []byte{1})
	}
	for i := range g.Settlements {
		putJSON(kv, settlementKey(g.Settlements[i].Interval), &g.Settlements[i])
	}
}

// checkState checks a section's exported state: ids and intervals
// ascending, orders and trades that add up, every pending interval's
// totals equal to its open orders', and the escrow account holding at
// least the open bids' escrow plus the unsettled trades' cost. It returns
// the first problem, naming the field and the value.
func (k *Keeper) checkState(ctx *module.Context, g *Genesis) error {
	if len(g.Orders) > 0 && g.NextOrderID == 0 {
		return fmt.Errorf("next_order_id: 0 with %d orders, want above the last order id %d", len(g.Orders), g.Orders[len(g.Orders)-1].ID)
	}
	var need uint64 // what the escrow must hold
	add := func(v uint64, what string) error {
		var ok bool
		if need, ok = tx.AddUint64(need, v); !ok {
			return fmt.Errorf("%s: the escrow needed passes 2^64-1 uscn", what)
		}
		return nil
	}
	open := map[uint64]pending{} // interval -> open orders' totals; lookups only
	var last uint64
	for i := range g.Orders {
		o := &g.Orders[i]
		f := fmt.Sprintf("orders[%d]", i)
		if err := checkOrder(f, o, last, g.NextOrderID); err != nil {
			return err
		}
		last = o.ID
		if o.Status != StatusOpen {
			continue
		}
		sum, ok := open[o.Interval], true
		if o.Side == SideOffer {
			sum.offerWh, ok = tx.AddUint64(sum.offerWh, o.Wh)
		} else {
			sum.bidWh, ok = tx.AddUint64(sum.bidWh, o.Wh)
		}
		if !ok {
			return fmt.Errorf("%s.wh: interval %d's open %ss pass 2^64-1 Wh", f, o.Interval, o.Side)
		}
		open[o.Interval] = sum
		if err := add(o.Escrow, f+".escrow"); err != nil {
			return err
		}
	}

	cleared := make(map[uint64]*Clearing, len(g.Clearings)) // lookups only
	for i := range g.Clearings {
		c := &g.Clearings[i]
		if i > 0 && c.Interval <= g.Clearings[i-1].Interval {
			return fmt.Errorf("clearings[%d].interval: %d, want above the previous clearing's %d", i, c.Interval, g.Clearings[i-1].Interval)
		}
		cleared[c.Interval] = c
	}
	isPending := make(map[uint64]bool, len(g.Pending)) // lookups only
	for i, p := range g.Pending {
		f := fmt.Sprintf("pending[%d]", i)
		switch sum := open[p.Interval]; {
		case i > 0 && p.Interval <= g.Pending[i-1].Interval:
			return fmt.Errorf("%s.interval: %d, want above the previous pending interval %d", f, p.Interval, g.Pending[i-1].Interval)
		case cleared[p.Interval] != nil:
			return fmt.Errorf("%s.interval: %d has cleared (clearings holds it), so it cannot be pending", f, p.Interval)
		case p.OfferWh != sum.offerWh:
			return fmt.Errorf("%s.offer_wh: %d for interval %d, but its open offers add up to %d Wh", f, p.OfferWh, p.Interval, sum.offerWh)
		case p.BidWh != sum.bidWh:
			return fmt.Errorf("%s.bid_wh: %d for interval %d, but its open bids add up to %d Wh", f, p.BidWh, p.Interval, sum.bidWh)
		}
		isPending[p.Interval] = true
	}
	for i := range g.Orders {
		if o := &g.Orders[i]; o.Status == StatusOpen && !isPending[o.Interval] {
			return fmt.Errorf("orders[%d]: order %d is open for interval %d, which pending does not list", i, o.ID, o.Interval)
		}
	}

	settled := make(map[uint64]bool, len(g.Settlements)) // lookups only
	for i, s := range g.Settlements {
		f := fmt.Sprintf("settlements[%d]", i)
		switch c := cleared[s.Interval]; {
		case i > 0 && s.Interval <= g.Settlements[i-1].Interval:
			return fmt.Errorf("%s.interval: %d, want above the previous settlement's %d", f, s.Interval, g.Settlements[i-1].Interval)
		case c == nil || c.Trades == 0:
			return fmt.Errorf("%s.interval: %d did not clear with trades, so it has nothing to settle", f, s.Interval)
		}
		settled[s.Interval] = true
	}
	var seq uint64
	for i := range g.Trades {
		t := &g.Trades[i]
		f := fmt.Sprintf("trades[%d]", i)
		if i == 0 || t.Interval != g.Trades[i-1].Interval {
			if i > 0 && t.Interval < g.Trades[i-1].Interval {
				return fmt.Errorf("%s.interval: %d, want at least the previous trade's %d", f, t.Interval, g.Trades[i-1].Interval)
			}
			seq = 0
		}
		c := cleared[t.Interval]
		switch seq++; {
		case c == nil:
			return fmt.Errorf("%s.interval: %d has no clearing", f, t.Interval)
		case t.Seq != seq:
			return fmt.Errorf("%s.seq: %d in interval %d, want %d (1, 2, ... in order)", f, t.Seq, t.Interval, seq)
		case t.Seq > c.Trades:
			return fmt.Errorf("%s.seq: %d, but interval %d's clearing counts %d trades", f, t.Seq, t.Interval, c.Trades)
		case t.Settled != settled[t.Interval]:
			return fmt.Errorf("%s.settled: %t, but interval %d has a settlement: %t", f, t.Settled, t.Interval, settled[t.Interval])
		case t.Void != "" && t.Void != VoidDeviceTransferred:
			return fmt.Errorf("%s.void: %q, want %q or none", f, t.Void, VoidDeviceTransferred)
		case t.Void != "" && (!t.Settled || t.DeliveredWh != 0 || t.Paid != 0 || t.Fee != 0 || t.Penalty != 0 || t.Refund != t.Cost):
			return fmt.Errorf("%s.void: %q, but the trade is settled %t with delivered_wh %d, paid %d, fee %d, penalty %d and refund %d of cost %d; a voided trade is settled, pays nothing and refunds its cost",
				f, t.Void, t.Settled, t.DeliveredWh, t.Paid, t.Fee, t.Penalty, t.Refund, t.Cost)
		}
		if !t.Settled {
			if err := add(t.Cost, f+".cost"); err != nil {
				return err
			}
		}
	}
	n := 0 // the trades of each clearing, counted in trade order
	for i := range g.Clearings {
		c := &g.Clearings[i]
		var got uint64
		for ; n < len(g.Trades) && g.Trades[n].Interval <= c.Interval; n++ {
			if g.Trades[n].Interval == c.Interval {
				got++
			}
		}
		if got != c.Trades {
			return fmt.Errorf("clearings[%d].trades: %d for interval %d, but trades holds %d of its trades", i, c.Trades, c.Interval, got)
		}
	}

	if have := k.bank.Balance(ctx, k.Escrow, Denom); have < need {
		return fmt.Errorf("the market escrow %s holds %d%s, but the open bids' escrow and the unsettled trades' cost add up to %d%s",
			k.Escrow, have, Denom, need, Denom)
	}
	return nil
}

// checkOrder checks one order on its own: ids ascending below next, a
// known side and status, and amounts that agree with them.
func checkOrder(f string, o *Order, prev, next uint64) error {
	switch {
	case o.ID <= prev:
		return fmt.Errorf("%s.id: %d, want above the previous order's %d (ids ascending from 1)", f, o.ID, prev)
	case o.ID >= next:
		return fmt.Errorf("%s.id: %d, want below next_order_id %d", f, o.ID, next)
	case o.Owner.IsZero():
		return fmt.Errorf("%s.owner: want an address", f)
	case o.FilledWh > o.Wh:
		return fmt.Errorf("%s.filled_wh: %d, want at most wh %d", f, o.FilledWh, o.Wh)
	case o.Refunded > o.Escrow:
		return fmt.Errorf("%s.refunded: %d, want at most escrow %d", f, o.Refunded, o.Escrow)
	}
	switch o.Side {
	case SideOffer:
		if o.Device == "" || o.Escrow != 0 {
			return fmt.Errorf("%s: an offer has a device and no escrow, got device %q escrow %d", f, o.Device, o.Escrow)
		}
	case SideBid:
		if cost, ok := costOf(o.Wh, o.Price); o.Device != "" || !ok || o.Escrow != cost {
			return fmt.Errorf("%s.escrow: %d, want ceil(wh %d × price %d / 1000) = %d and no device (got %q)", f, o.Escrow, o.Wh, o.Price, cost, o.Device)
		}
	default:
		return fmt.Errorf("%s.side: %q, want %q or %q", f, o.Side, SideOffer, SideBid)
	}
	var ok bool
	switch o.Status {
	case StatusOpen:
		ok = o.FilledWh == 0 && o.Refunded == 0
	case StatusCancelled:
		ok = o.FilledWh == 0 && o.Refunded == o.Escrow
	case StatusFilled:
		ok = o.FilledWh == o.Wh
	case StatusPartial:
		ok = o.FilledWh > 0 && o.FilledWh < o.Wh
	case StatusUnmatched:
		ok = o.FilledWh == 0
	default:
		return fmt.Errorf("%s.status: %q, want one of %s, %s, %s, %s, %s", f, o.Status,
			StatusOpen, StatusCancelled, StatusFilled, StatusPartial, StatusUnmatched)
	}
	if !ok {
		return fmt.Errorf("%s: status %s with filled_wh %d of %d and refunded %d of escrow %d do not agree", f, o.Status, o.FilledWh, o.Wh, o.Refunded, o.Escrow)
	}
	return nil
}

// DefaultGenesis is the genesis a generated network starts with:
// DefaultParams, and when gridOperator is set, a 2 % grid fee paid to it.
func DefaultGenesis(gridOperator tx.Address) Genesis {
	p := DefaultParams()
	if !gridOperator.IsZero() {
		p.GridOperator, p.GridFeeBps = gridOperator, 200
	}
	return Genesis{Params: p}
}
