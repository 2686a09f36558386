package market_test

import (
	"strconv"
	"testing"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/market"
	"github.com/citychain/citychain/chain/tx"
)

// TestOfferStopsAtTransfer: alice offers inv-a's energy for interval i and
// then transfers inv-a to dave before the gate closes. At gate closure the
// offer is cancelled (market.order_cancelled, reason device_transferred),
// nothing trades on it, carol's bid is refunded whole, and the energy dave's
// device meters in i pays alice nothing.
func TestOfferStopsAtTransfer(t *testing.T) {
	w := newWorld(t, testParams())
	i := w.next() + 2
	w.submit(w.invA.read(t, w.nowMs(), 1_000)) // baseline
	offer := w.order(apptest.Alice, &tx.MsgOffer{Device: "inv-a", Interval: i, Wh: 10_000, MinPrice: 100_000})
	w.order(carol, &tx.MsgBid{Interval: i, Wh: 10_000, MaxPrice: 100_000}) // escrow 1,000,000
	w.ok("alice sells her inverter to dave", apptest.Alice, &tx.MsgDeviceTransfer{ID: "inv-a", NewOwner: dave.Addr})
	alice0, carol0, dave0 := w.bal(apptest.Alice.Addr), w.bal(carol.Addr), w.bal(dave.Addr)

	evs := w.enter(i)
	if !apptest.HasEvent(evs, "market.order_cancelled", "order_id", strconv.FormatUint(offer, 10), "owner", apptest.Alice.Addr.String(),
		"reason", market.CancelDeviceTransferred, "device", "inv-a", "device_owner", dave.Addr.String()) {
		t.Fatalf("no cancellation of offer %d at gate closure: %v", offer, evs)
	}
	if o := w.getOrder(offer); o.Status != market.StatusCancelled || o.FilledWh != 0 {
		t.Fatalf("offer after gate closure: %+v", o)
	}
	if c := w.clearing(i); c == nil || c.Trades != 0 || c.Offers != 0 || c.OfferWh != 0 || c.Bids != 1 {
		t.Fatalf("clearing: got %+v, want no offer and no trade", c)
	}
	if got := w.bal(carol.Addr); got != carol0+1_000_000 {
		t.Errorf("carol after clearing: got %d, want her escrow back (%d)", got, carol0+1_000_000)
	}
	w.submit(w.invA.read(t, w.nowMs(), 1_000+10_000)) // dave's 10 kWh in interval i
	w.enter(i + 1)
	w.anchor(i)
	w.enter(i + 4)
	if got := w.bal(apptest.Alice.Addr); got != alice0 {
		t.Errorf("alice after interval %d: got %d, want %d (nothing for dave's energy)", i, got, alice0)
	}
	if got := w.bal(dave.Addr); got != dave0 {
		t.Errorf("dave: got %d, want %d (he sold nothing)", got, dave0)
	}
	if got := w.bal(escrow); got != 0 {
		t.Errorf("escrow: got %d, want 0", got)
	}
	// The cancelled offer no longer counts against alice's open orders.
	for n := uint64(0); n < testParams().MaxOpenOrders; n++ {
		w.order(apptest.Alice, &tx.MsgOffer{Device: "inv-c", Interval: w.next() + 2, Wh: 1, MinPrice: 1})
	}
}

// TestTradeVoidedAtTransfer: alice's offer on inv-c clears against carol's
// bid, and bob's on inv-b against dave's; during the interval inv-c meters
// its 10 kWh and alice transfers it to erin. At settlement alice's trade is
// voided (market.trade_voided, trade void device_transferred): alice is
// paid nothing and owes no penalty, carol gets the whole cost back. Bob's
// trade in the same interval is paid as usual.
func TestTradeVoidedAtTransfer(t *testing.T) {
	w := newWorld(t, testParams())
	i := w.next() + 2
	w.submit(w.invC.read(t, w.nowMs(), 1_000), w.invB.read(t, w.nowMs(), 5_000)) // baselines
	w.order(apptest.Alice, &tx.MsgOffer{Device: "inv-c", Interval: i, Wh: 10_000, MinPrice: 100_000})
	w.order(carol, &tx.MsgBid{Interval: i, Wh: 10_000, MaxPrice: 100_000})
	w.order(apptest.Bob, &tx.MsgOffer{Device: "inv-b", Interval: i, Wh: 10_000, MinPrice: 100_000})
	w.order(dave, &tx.MsgBid{Interval: i, Wh: 10_000, MaxPrice: 100_000})
	w.enter(i)
	if c := w.clearing(i); c == nil || c.Trades != 2 {
		t.Fatalf("clearing: got %+v, want 2 trades", c)
	}
	w.submit(w.invC.read(t, w.nowMs(), 1_000+10_000), w.invB.read(t, w.nowMs(), 5_000+10_000))
	alice0, carol0, bob0, grid0 := w.bal(apptest.Alice.Addr), w.bal(carol.Addr), w.bal(apptest.Bob.Addr), w.bal(apptest.GridOp.Addr)
	w.ok("alice sells inv-c to erin mid-interval", apptest.Alice, &tx.MsgDeviceTransfer{ID: "inv-c", NewOwner: erin.Addr})
	evs := w.enter(i + 3) // no anchor: settles at the deadline (2 intervals)
	if !apptest.HasEvent(evs, "market.trade_voided", "interval", strconv.FormatUint(i, 10), "device", "inv-c", "seller", apptest.Alice.Addr.String(),
		"device_owner", erin.Addr.String(), "reason", market.VoidDeviceTransferred) {
		t.Fatalf("no market.trade_voided event: %v", evs)
	}
	s := w.settlements(i)
	if s.Settlement == nil || len(s.Trades) != 2 || s.Settlement.Voided != 1 {
		t.Fatalf("settlement: got %+v, want 2 trades, 1 voided", s)
	}
	var voided, paid *market.Trade
	for n := range s.Trades {
		switch s.Trades[n].Device {
		case "inv-c":
			voided = s.Trades[n]
		case "inv-b":
			paid = s.Trades[n]
		}
	}
	if voided == nil || voided.Void != market.VoidDeviceTransferred || voided.DeliveredWh != 0 || voided.Paid != 0 ||
		voided.Fee != 0 || voided.Penalty != 0 || voided.Refund != voided.Cost || voided.Cost != 1_000_000 {
		t.Fatalf("alice's trade: got %+v, want voided with the whole cost refunded", voided)
	}
	if paid == nil || paid.Void != "" || paid.DeliveredWh != 10_000 || paid.Paid != 1_000_000 || paid.Fee != 10_000 {
		t.Fatalf("bob's trade: got %+v, want paid in full", paid)
	}
	if got := w.bal(apptest.Alice.Addr); got != alice0 {
		t.Errorf("alice: got %d, want %d (paid nothing, no penalty)", got, alice0)
	}
	if got := w.bal(carol.Addr); got != carol0+1_000_000 {
		t.Errorf("carol: got %d, want %d (the whole cost back)", got, carol0+1_000_000)
	}
	if got := w.bal(apptest.Bob.Addr); got != bob0+1_000_000-10_000 {
		t.Errorf("bob: got %d, want %d", got, bob0+1_000_000-10_000)
	}
	if got := w.bal(apptest.GridOp.Addr); got != grid0+10_000 {
		t.Errorf("grid operator: got %d, want %d", got, grid0+10_000)
	}
	if got := w.bal(escrow); got != 0 {
		t.Errorf("escrow: got %d, want 0", got)
	}
}
