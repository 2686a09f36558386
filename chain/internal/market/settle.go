package market

import (
	"math"

	"github.com/citychain/citychain/chain/internal/devices"
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
)

// delivered is the energy a device delivered in an interval: its metered
// delta, or nothing if the device is unknown or revoked, or carried a
// metering fraud flag at any time from the interval's start until now (a
// flag cleared later does not make the interval's readings trustworthy).
func (k *Keeper) delivered(ctx *module.Context, id string, interval uint64) uint64 {
	d := k.devices.Device(ctx, id)
	if d == nil || d.Status != devices.StatusActive {
		return 0
	}
	if st := k.meter.State(ctx, id); st != nil {
		since, ok := tx.MulUint64(interval, k.meter.Params(ctx).IntervalSeconds)
		if st.Fraud != nil || !ok || since > math.MaxInt64 || st.FlaggedSince(int64(since)) {
			return 0
		}
	}
	return k.meter.Delta(ctx, id, interval)
}

// ownerMoved reports whether a trade's device now belongs to another
// account than the trade's seller, and to whom.
func (k *Keeper) ownerMoved(ctx *module.Context, t *Trade) (tx.Address, bool) {
	d := k.devices.Device(ctx, t.Device)
	if d == nil || d.Owner == t.Seller {
		return tx.Address{}, false
	}
	return d.Owner, true
}

// settle pays out an interval's trades against delivery. Each device's
// delivered energy is allocated to its trades in trade order (the offers'
// matching order), each trade taking min(its Wh, what is left), so the
// energy settled as delivered never exceeds what the device metered. For a
// trade of cost C (uscn held in escrow), Wh traded and D delivered:
//
//	paid    = floor(C × D / Wh)            (C when everything was delivered)
//	fee     = floor(paid × grid_fee_bps / 10000)   to the grid operator
//	seller gets paid − fee; buyer gets refund = C − paid
//	penalty = floor(refund × penalty_bps / 10000), from seller to buyer,
//	          at most the seller's balance
//
// so every uscn of the escrow ends as seller payment, fee or refund. A
// trade whose device has changed hands since clearing is voided: nothing
// delivered, paid or penalised, the whole cost refunded to the buyer.
func (k *Keeper) settle(ctx *module.Context, p Params, interval uint64, reason string) error {
	kv := k.kv(ctx)
	trades := intervalTrades(kv, interval)
	s := &Settlement{Interval: interval, Reason: reason, Trades: uint64(len(trades)), Height: ctx.Height}
	left := map[string]uint64{} // lookups only, never iterated
	for _, t := range trades {
		var d uint64
		if owner, moved := k.ownerMoved(ctx, t); moved {
			// The device changed hands after clearing: the chain cannot
			// tell which of the interval's energy was metered before the
			// transfer, and the new owner's must never pay the old one.
			t.Void = VoidDeviceTransferred
			s.Voided++
			ctx.Emit("market.trade_voided", "interval", module.U64(interval), "trade", module.U64(t.Seq), "device", t.Device,
				"seller", t.Seller.String(), "device_owner", owner.String(), "reason", t.Void)
		} else {
			rem, seen := left[t.Device]
			if !seen {
				rem = k.delivered(ctx, t.Device, interval)
			}
			d = min(rem, t.Wh)
			left[t.Device] = rem - d
		}

		paid, _ := mulDiv(t.Cost, d, t.Wh, false) // <= Cost since d <= Wh
		fee := bps(paid, p.GridFeeBps)
		refund := t.Cost - paid
		if err := k.send(ctx, k.Escrow, t.Seller, paid-fee); err != nil {
			return err
		}
		if err := k.send(ctx, k.Escrow, p.GridOperator, fee); err != nil {
			return err
		}
		if err := k.send(ctx, k.Escrow, t.Buyer, refund); err != nil {
			return err
		}
		if refund > 0 {
			ctx.Emit("market.refund", "account", t.Buyer.String(), "amount", tx.Coin{Amount: refund, Denom: Denom}.String(),
				"interval", module.U64(interval), "trade", module.U64(t.Seq), "reason", "undelivered")
		}
		var penalty uint64
		if due := bps(refund, p.PenaltyBps); due > 0 && t.Seller != t.Buyer && t.Void == "" {
			penalty = min(due, k.bank.Balance(ctx, t.Seller, Denom))
			if err := k.send(ctx, t.Seller, t.Buyer, penalty); err != nil {
				return err
			}
			ctx.Emit("market.penalty", "interval", module.U64(interval), "trade", module.U64(t.Seq),
				"seller", t.Seller.String(), "buyer", t.Buyer.String(), "due", module.U64(due), "paid", module.U64(penalty))
		}

		t.Settled, t.DeliveredWh, t.Paid, t.Fee, t.Refund, t.Penalty, t.SettledHeight = true, d, paid, fee, refund, penalty, ctx.Height
		putJSON(kv, tradeKey(interval, t.Seq), t)
		ctx.Emit("market.trade_settled", "interval", module.U64(interval), "trade", module.U64(t.Seq), "device", t.Device,
			"seller", t.Seller.String(), "buyer", t.Buyer.String(), "wh", module.U64(t.Wh), "delivered_wh", module.U64(d),
			"paid", module.U64(paid), "fee", module.U64(fee), "refund", module.U64(refund), "penalty", module.U64(penalty))

		// The sums are bounded by the interval's escrow and energy totals.
		s.TradedWh += t.Wh
		s.DeliveredWh += d
		s.Paid += paid
		s.Fees += fee
		s.Refunds += refund
		s.Penalties += penalty
	}
	kv.Delete(unsettledKey(interval))
	putJSON(kv, settlementKey(interval), s)
	ctx.Emit("market.settled", "interval", module.U64(interval), "reason", reason, "trades", module.U64(s.Trades),
		"traded_wh", module.U64(s.TradedWh), "delivered_wh", module.U64(s.DeliveredWh), "paid", module.U64(s.Paid),
		"fees", module.U64(s.Fees), "refunds", module.U64(s.Refunds), "penalties", module.U64(s.Penalties),
		"voided", module.U64(s.Voided))
	return nil
}
