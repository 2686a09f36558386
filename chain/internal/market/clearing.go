package market

import (
	"encoding/binary"
	"fmt"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Fill is one match of the auction: Wh of the Offer-th offer sold to the
// Bid-th bid (indexes into the sorted books).
type Fill struct {
	Offer, Bid int
	Wh         uint64
}

// Book is one side of an interval's book, in matching order: offers by
// ascending minimum price, bids by descending maximum price, each tie broken
// by ascending order id.
type Book []*Order

// Match runs the uniform-price double auction on sorted books. It walks the
// offers upwards and the bids downwards, matching as much energy as the
// current pair allows, while the bid's maximum is at least the offer's
// minimum. The last matched pair is the marginal pair; the clearing price is
// the midpoint of its two prices, rounded down:
//
//	price = a + (b - a) / 2   (a: marginal offer's minimum, b: marginal bid's maximum)
//
// Every matched offer's minimum is at most a and every matched bid's maximum
// at least b (the books are sorted), and a <= price <= b, so nobody trades
// at a price worse than their limit. ok is false when nothing crosses.
func Match(offers, bids Book) (fills []Fill, price uint64, marginalOffer, marginalBid int, ok bool) {
	i, j := 0, 0
	var ra, rb uint64
	if len(offers) > 0 {
		ra = offers[0].Wh
	}
	if len(bids) > 0 {
		rb = bids[0].Wh
	}
	for i < len(offers) && j < len(bids) && bids[j].Price >= offers[i].Price {
		q := min(ra, rb)
		fills = append(fills, Fill{Offer: i, Bid: j, Wh: q})
		marginalOffer, marginalBid = i, j
		ra -= q
		rb -= q
		if ra == 0 {
			if i++; i < len(offers) {
				ra = offers[i].Wh
			}
		}
		if rb == 0 {
			if j++; j < len(bids) {
				rb = bids[j].Wh
			}
		}
	}
	if len(fills) == 0 {
		return nil, 0, 0, 0, false
	}
	a, b := offers[marginalOffer].Price, bids[marginalBid].Price
	return fills, a + (b-a)/2, marginalOffer, marginalBid, true
}

// loadBook reads one side of an interval's open orders in matching order
// (the book keys sort that way).
func loadBook(kv store.KV, interval uint64, side byte) Book {
	var out Book
	p := bookSidePrefix(interval, side)
	var ids []uint64
	store.EachPrefix(kv, p, func(key, _ []byte) bool {
		ids = append(ids, binary.BigEndian.Uint64(key[len(key)-8:]))
		return true
	})
	out = make(Book, len(ids))
	for n, id := range ids {
		o := getOrder(kv, id)
		if o == nil || o.Status != StatusOpen {
			panic(fmt.Errorf("market: book entry for order %d without an open order", id))
		}
		out[n] = o
	}
	return out
}

// EndBlock implements module.EndBlocker: it clears every interval whose
// gate has closed and that has not cleared yet, oldest first, then settles
// the cleared intervals whose delivery is known (anchored) or overdue, at
// most Params.MaxIntervalsPerBlock of each per block.
func (k *Keeper) EndBlock(ctx *module.Context) error {
	p := k.Params(ctx)
	cur := k.meter.CurrentInterval(ctx)
	kv := k.kv(ctx)

	var due []uint64
	end := store.PrefixEnd([]byte{prefixPending})
	if cur < ^uint64(0) {
		end = pendingKey(cur + 1)
	}
	store.Each(kv, []byte{prefixPending}, end, func(key, _ []byte) bool {
		due = append(due, binary.BigEndian.Uint64(key[1:]))
		return uint64(len(due)) < p.MaxIntervalsPerBlock
	})
	for _, i := range due {
		if err := k.Clear(ctx, p, i); err != nil {
			return fmt.Errorf("clear interval %d: %w", i, err)
		}
	}

	type ready struct {
		interval uint64
		reason   string
	}
	var settle []ready
	store.EachPrefix(kv, []byte{prefixUnsettled}, func(key, _ []byte) bool {
		i := binary.BigEndian.Uint64(key[1:])
		switch {
		case k.meter.Anchor(ctx, i) != nil:
			settle = append(settle, ready{i, "anchored"})
		case cur > i && cur-i > p.DeliveryDeadlineIntervals:
			settle = append(settle, ready{i, "deadline"})
		}
		return uint64(len(settle)) < p.MaxIntervalsPerBlock
	})
	for _, r := range settle {
		if err := k.settle(ctx, p, r.interval, r.reason); err != nil {
			return fmt.Errorf("settle interval %d: %w", r.interval, err)
		}
	}
	return nil
}

// Clear runs interval's auction over its open orders: it records the
// clearing and its trades, closes every order, refunds each bid's escrow
// above the cost of what it bought, and queues the interval for delivery
// settlement when anything traded.
func (k *Keeper) Clear(ctx *module.Context, p Params, interval uint64) error {
	kv := k.kv(ctx)
	pd, ok := getPending(kv, interval)
	if !ok {
		return fmt.Errorf("interval %d is not waiting to clear", interval)
	}
	offers := k.dropTransferred(ctx, loadBook(kv, interval, sideAsk), &pd)
	bids := loadBook(kv, interval, sideBid)
	fills, price, mo, mb, crossed := Match(offers, bids)

	c := &Clearing{
		Interval: interval, Crossed: crossed, Price: price, Offers: uint64(len(offers)), Bids: uint64(len(bids)),
		OfferWh: pd.offerWh, BidWh: pd.bidWh, Height: ctx.Height,
	}
	if crossed {
		c.MarginalOffer, c.MarginalBid = offers[mo].ID, bids[mb].ID
	}
	// cost[j] is what bid j has bought so far: ceil(filled × price / 1000),
	// so the costs of a bid's trades add up to exactly that and never
	// exceed its escrow ceil(wh × max / 1000).
	cost := make([]uint64, len(bids))
	for n, f := range fills {
		o, b := offers[f.Offer], bids[f.Bid]
		before := cost[f.Bid]
		o.FilledWh += f.Wh // at most o.Wh
		b.FilledWh += f.Wh
		after, ok := costOf(b.FilledWh, price)
		if !ok || after > b.Escrow {
			return fmt.Errorf("bid %d: cost of %d Wh at %d exceeds its escrow %d", b.ID, b.FilledWh, price, b.Escrow)
		}
		cost[f.Bid] = after
		c.VolumeWh += f.Wh // at most the interval's offered total, which fits
		t := &Trade{
			Interval: interval, Seq: uint64(n + 1), OfferID: o.ID, BidID: b.ID, Device: o.Device,
			Seller: o.Owner, Buyer: b.Owner, Wh: f.Wh, Price: price, Cost: after - before,
		}
		putJSON(kv, tradeKey(interval, t.Seq), t)
		kv.Set(accountTradeKey(t.Seller, interval, t.Seq), []byte{1})
		kv.Set(accountTradeKey(t.Buyer, interval, t.Seq), []byte{1})
		ctx.Emit("market.trade", "interval", module.U64(interval), "trade", module.U64(t.Seq),
			"offer_id", module.U64(o.ID), "bid_id", module.U64(b.ID), "device", t.Device,
			"seller", t.Seller.String(), "buyer", t.Buyer.String(), "wh", module.U64(t.Wh),
			"price", module.U64(price), "cost", module.U64(t.Cost))
	}
	c.Trades = uint64(len(fills))

	for _, o := range offers {
		k.closeCleared(kv, o, sideAsk)
	}
	for j, b := range bids {
		b.Refunded = b.Escrow - cost[j] // cost[j] <= Escrow, checked above
		if err := k.send(ctx, k.Escrow, b.Owner, b.Refunded); err != nil {
			return err
		}
		if b.Refunded > 0 {
			ctx.Emit("market.refund", "account", b.Owner.String(), "amount", tx.Coin{Amount: b.Refunded, Denom: Denom}.String(),
				"order_id", module.U64(b.ID), "reason", "unmatched")
		}
		k.closeCleared(kv, b, sideBid)
	}

	kv.Delete(pendingKey(interval))
	putJSON(kv, clearingKey(interval), c)
	if c.Trades > 0 {
		kv.Set(unsettledKey(interval), []byte{1})
	}
	ctx.Emit("market.cleared", "interval", module.U64(interval), "crossed", fmt.Sprint(crossed),
		"price", module.U64(price), "volume_wh", module.U64(c.VolumeWh), "trades", module.U64(c.Trades),
		"offers", module.U64(c.Offers), "bids", module.U64(c.Bids))
	return nil
}

// dropTransferred cancels, at gate closure, every offer whose device no
// longer belongs to the offer's owner (devices/transfer since the offer was
// placed): the energy of the interval about to start is the new owner's,
// and must never be sold for, or paid to, the old one. Offers escrow
// nothing, so nothing is refunded. It returns the offers left, in order,
// and takes the cancelled energy off pd.
func (k *Keeper) dropTransferred(ctx *module.Context, offers Book, pd *pending) Book {
	kv := k.kv(ctx)
	kept := offers[:0]
	for _, o := range offers {
		d := k.devices.Device(ctx, o.Device)
		if d != nil && d.Owner == o.Owner {
			kept = append(kept, o)
			continue
		}
		owner := ""
		if d != nil {
			owner = d.Owner.String()
		}
		kv.Delete(bookKey(o.Interval, sideAsk, o.Price, o.ID))
		k.closeOpen(kv, o.Owner)
		pd.offerWh -= o.Wh // the total includes this offer
		o.Status, o.Refunded = StatusCancelled, o.Escrow
		putJSON(kv, orderKey(o.ID), o)
		ctx.Emit("market.order_cancelled", "order_id", module.U64(o.ID), "owner", o.Owner.String(), "interval", module.U64(o.Interval),
			"reason", CancelDeviceTransferred, "device", o.Device, "device_owner", owner)
	}
	return kept
}

// closeCleared takes a cleared order off the book with its final status.
func (k *Keeper) closeCleared(kv store.KV, o *Order, side byte) {
	switch {
	case o.FilledWh == o.Wh:
		o.Status = StatusFilled
	case o.FilledWh > 0:
		o.Status = StatusPartial
	default:
		o.Status = StatusUnmatched
	}
	kv.Delete(bookKey(o.Interval, side, o.Price, o.ID))
	k.closeOpen(kv, o.Owner)
	putJSON(kv, orderKey(o.ID), o)
}
