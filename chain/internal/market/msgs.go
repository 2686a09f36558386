package market

import (
	"encoding/binary"

	"github.com/citychain/citychain/chain/internal/devices"
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Handle implements module.Module.
func (k *Keeper) Handle(ctx *module.Context, signer tx.Address, msg tx.Msg) error {
	switch m := msg.(type) {
	case *tx.MsgOffer:
		return k.offer(ctx, signer, m)
	case *tx.MsgBid:
		return k.bid(ctx, signer, m)
	case *tx.MsgCancel:
		return k.cancel(ctx, signer, m)
	}
	return module.ErrInternal.Wrapf("market cannot handle %s", msg.Type())
}

// pending is what an interval still to clear has on its book.
type pending struct{ offerWh, bidWh uint64 }

func getPending(kv store.KV, interval uint64) (pending, bool) {
	b := kv.Get(pendingKey(interval))
	if b == nil {
		return pending{}, false
	}
	if len(b) != 16 {
		panic("market: corrupt pending interval record")
	}
	return pending{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])}, true
}

func putPending(kv store.KV, interval uint64, p pending) {
	kv.Set(pendingKey(interval), u64(u64(nil, p.offerWh), p.bidWh))
}

// checkOrder applies the rules every new order shares and returns the
// interval's updated book totals.
func (k *Keeper) checkOrder(ctx *module.Context, p Params, owner tx.Address, side string, interval, wh, price uint64) (pending, error) {
	cur := k.meter.CurrentInterval(ctx)
	if interval <= cur {
		return pending{}, ErrGateClosed.Wrapf("interval %d: the block is in interval %d; orders are for later intervals only", interval, cur)
	}
	if last, ok := tx.AddUint64(cur, p.HorizonIntervals); ok && interval > last {
		return pending{}, ErrBeyondHorizon.Wrapf("interval %d: orders are accepted up to interval %d (%d ahead of %d)", interval, last, p.HorizonIntervals, cur)
	}
	if wh > p.MaxOrderWh {
		return pending{}, ErrOrderTooLarge.Wrapf("wh %d: at most %d Wh per order", wh, p.MaxOrderWh)
	}
	if price > p.MaxPrice {
		return pending{}, ErrPriceTooHigh.Wrapf("price %d uscn/kWh: at most %d", price, p.MaxPrice)
	}
	kv := k.kv(ctx)
	if n := getU64(kv, openCountKey(owner)); n >= p.MaxOpenOrders {
		return pending{}, ErrTooManyOrders.Wrapf("%s has %d open orders, the limit is %d", owner, n, p.MaxOpenOrders)
	}
	pd, _ := getPending(kv, interval)
	var ok bool
	if side == SideOffer {
		pd.offerWh, ok = tx.AddUint64(pd.offerWh, wh)
	} else {
		pd.bidWh, ok = tx.AddUint64(pd.bidWh, wh)
	}
	if !ok {
		return pending{}, ErrOverflow.Wrapf("interval %d: the %ss' total energy would exceed 2^64-1 Wh", interval, side)
	}
	return pd, nil
}

// place stores a new open order.
func (k *Keeper) place(ctx *module.Context, o *Order, pd pending) {
	kv := k.kv(ctx)
	o.ID = getU64(kv, nextOrderKey)
	if o.ID == 0 {
		o.ID = 1
	}
	putU64(kv, nextOrderKey, o.ID+1) // 2^64 orders cannot be placed
	o.Status, o.Height = StatusOpen, ctx.Height
	putJSON(kv, orderKey(o.ID), o)
	side := sideAsk
	if o.Side == SideBid {
		side = sideBid
	}
	kv.Set(bookKey(o.Interval, side, o.Price, o.ID), []byte{1})
	kv.Set(ownerOrderKey(o.Owner, o.ID), []byte{1})
	putU64(kv, openCountKey(o.Owner), getU64(kv, openCountKey(o.Owner))+1) // bounded by MaxOpenOrders
	putPending(kv, o.Interval, pd)
	ctx.Emit("market.order_placed", "order_id", module.U64(o.ID), "side", o.Side, "owner", o.Owner.String(),
		"device", o.Device, "interval", module.U64(o.Interval), "wh", module.U64(o.Wh), "price", module.U64(o.Price),
		"escrow", module.U64(o.Escrow))
}

func (k *Keeper) offer(ctx *module.Context, signer tx.Address, m *tx.MsgOffer) error {
	d := k.devices.Device(ctx, m.Device)
	switch {
	case d == nil:
		return ErrUnknownDevice.Wrapf("%q", m.Device)
	case d.Kind != tx.KindSolarInverter:
		return ErrNotSolar.Wrapf("%q is a %s; only a %s can offer energy", m.Device, d.Kind, tx.KindSolarInverter)
	case d.Status != devices.StatusActive:
		return ErrDeviceInactive.Wrapf("%q was revoked at height %d", m.Device, d.RevokedHeight)
	case d.Owner != signer:
		return ErrNotDeviceOwner.Wrapf("%s does not own %q", signer, m.Device)
	}
	if st := k.meter.State(ctx, m.Device); st != nil && st.Fraud != nil {
		return ErrDeviceFlagged.Wrapf("%q was flagged at height %d", m.Device, st.Fraud.Height)
	}
	p := k.Params(ctx)
	pd, err := k.checkOrder(ctx, p, signer, SideOffer, m.Interval, m.Wh, m.MinPrice)
	if err != nil {
		return err
	}
	k.place(ctx, &Order{Side: SideOffer, Owner: signer, Device: m.Device, Interval: m.Interval, Wh: m.Wh, Price: m.MinPrice}, pd)
	return nil
}

func (k *Keeper) bid(ctx *module.Context, signer tx.Address, m *tx.MsgBid) error {
	p := k.Params(ctx)
	pd, err := k.checkOrder(ctx, p, signer, SideBid, m.Interval, m.Wh, m.MaxPrice)
	if err != nil {
		return err
	}
	escrow, ok := costOf(m.Wh, m.MaxPrice)
	if !ok {
		return ErrOverflow.Wrapf("escrow of %d Wh at %d uscn/kWh exceeds 2^64-1 uscn", m.Wh, m.MaxPrice)
	}
	if err := k.send(ctx, signer, k.Escrow, escrow); err != nil {
		return err
	}
	k.place(ctx, &Order{Side: SideBid, Owner: signer, Interval: m.Interval, Wh: m.Wh, Price: m.MaxPrice, Escrow: escrow}, pd)
	return nil
}

func (k *Keeper) cancel(ctx *module.Context, signer tx.Address, m *tx.MsgCancel) error {
	kv := k.kv(ctx)
	o := getOrder(kv, m.OrderID)
	switch {
	case o == nil:
		return ErrUnknownOrder.Wrapf("%d", m.OrderID)
	case o.Owner != signer:
		return ErrNotOrderOwner.Wrapf("order %d belongs to %s, not %s", o.ID, o.Owner, signer)
	case o.Status != StatusOpen:
		return ErrOrderNotOpen.Wrapf("order %d is %s", o.ID, o.Status)
	}
	if cur := k.meter.CurrentInterval(ctx); o.Interval <= cur {
		return ErrGateClosed.Wrapf("order %d is for interval %d; the block is in interval %d", o.ID, o.Interval, cur)
	}
	if err := k.send(ctx, k.Escrow, o.Owner, o.Escrow); err != nil {
		return err
	}
	side := sideAsk
	pd, _ := getPending(kv, o.Interval)
	if o.Side == SideBid {
		side = sideBid
		pd.bidWh -= o.Wh // the total includes this order
	} else {
		pd.offerWh -= o.Wh
	}
	putPending(kv, o.Interval, pd)
	kv.Delete(bookKey(o.Interval, side, o.Price, o.ID))
	k.closeOpen(kv, o.Owner)
	o.Status, o.Refunded = StatusCancelled, o.Escrow
	putJSON(kv, orderKey(o.ID), o)
	ctx.Emit("market.order_cancelled", "order_id", module.U64(o.ID), "owner", o.Owner.String(), "interval", module.U64(o.Interval),
		"reason", CancelByOwner)
	if o.Escrow > 0 {
		ctx.Emit("market.refund", "account", o.Owner.String(), "amount", tx.Coin{Amount: o.Escrow, Denom: Denom}.String(),
			"order_id", module.U64(o.ID), "reason", "cancelled")
	}
	return nil
}

// closeOpen counts one open order of owner less.
func (k *Keeper) closeOpen(kv store.KV, owner tx.Address) {
	n := getU64(kv, openCountKey(owner))
	if n == 0 {
		panic("market: open order count below zero")
	}
	if n == 1 {
		kv.Delete(openCountKey(owner))
		return
	}
	putU64(kv, openCountKey(owner), n-1)
}
