package market_test

import (
	"strconv"
	"testing"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/market"
	"github.com/citychain/citychain/chain/tx"
)

// TestClearAndSettle is the README's worked example, end to end: three
// offers and three bids, cleared at gate closure, delivered in part, and
// settled once metering anchors the interval. Every amount is computed by
// hand (prices in uscn per kWh, so cost = Wh × price / 1000).
func TestClearAndSettle(t *testing.T) {
	w := newWorld(t, testParams())
	i := w.next() + 2
	w.submit(w.invA.read(t, w.nowMs(), 1_000_000), w.invB.read(t, w.nowMs(), 2_000_000)) // baselines

	start := map[string]uint64{}
	for name, a := range map[string]tx.Address{"alice": apptest.Alice.Addr, "bob": apptest.Bob.Addr, "carol": carol.Addr, "dave": dave.Addr, "erin": erin.Addr, "grid": apptest.GridOp.Addr} {
		start[name] = w.bal(a)
	}
	supply := w.Supply(tx.DenomSCoin)

	a1 := w.order(apptest.Alice, &tx.MsgOffer{Device: "inv-a", Interval: i, Wh: 100_000, MinPrice: 10_000})
	b1 := w.order(apptest.Bob, &tx.MsgOffer{Device: "inv-b", Interval: i, Wh: 100_000, MinPrice: 20_000})
	a2 := w.order(apptest.Alice, &tx.MsgOffer{Device: "inv-c", Interval: i, Wh: 100_000, MinPrice: 30_000})
	bc := w.order(carol, &tx.MsgBid{Interval: i, Wh: 150_000, MaxPrice: 35_000}) // escrow 5,250,000
	bd := w.order(dave, &tx.MsgBid{Interval: i, Wh: 100_000, MaxPrice: 25_000})  // escrow 2,500,000
	be := w.order(erin, &tx.MsgBid{Interval: i, Wh: 100_000, MaxPrice: 15_000})  // escrow 1,500,000
	if a1 >= b1 || b1 >= a2 || a2 >= bc || bc >= bd || bd >= be {
		t.Fatalf("order ids not increasing: %d %d %d %d %d %d", a1, b1, a2, bc, bd, be)
	}
	if got := w.bal(escrow); got != 9_250_000 {
		t.Fatalf("escrow after bids: got %d, want 9250000", got)
	}
	if got := start["carol"] - w.bal(carol.Addr); got != 5_250_000 {
		t.Fatalf("carol escrowed %d, want 5250000", got)
	}
	var bk market.BookView
	w.queryJSON("/market/book", []byte(strconv.FormatUint(i, 10)), &bk)
	if len(bk.Offers) != 3 || bk.Offers[0].ID != a1 || bk.Offers[1].ID != b1 || bk.Offers[2].ID != a2 ||
		len(bk.Bids) != 3 || bk.Bids[0].ID != bc || bk.Bids[1].ID != bd || bk.Bids[2].ID != be {
		t.Fatalf("book: got %+v", bk)
	}

	// Gate closure: the first block of interval i clears it.
	evs := w.enter(i)
	if !apptest.HasEvent(evs, "market.cleared", "interval", strconv.FormatUint(i, 10), "price", "22500", "volume_wh", "200000", "trades", "3") {
		t.Fatalf("no market.cleared event with price 22500, volume 200000, 3 trades: %v", evs)
	}
	c := w.clearing(i)
	if c == nil || !c.Crossed || c.Price != 22_500 || c.VolumeWh != 200_000 || c.Trades != 3 || c.Offers != 3 || c.Bids != 3 ||
		c.MarginalOffer != b1 || c.MarginalBid != bd || c.OfferWh != 300_000 || c.BidWh != 350_000 {
		t.Fatalf("clearing: got %+v", c)
	}
	// Trades: a1→carol 100 kWh (2,250,000), b1→carol 50 kWh (1,125,000),
	// b1→dave 50 kWh (1,125,000). Refunds: carol 5,250,000 − 3,375,000,
	// dave 2,500,000 − 1,125,000, erin everything.
	if got := start["carol"] - w.bal(carol.Addr); got != 3_375_000 {
		t.Errorf("carol pays %d after clearing, want 3375000", got)
	}
	if got := start["dave"] - w.bal(dave.Addr); got != 1_125_000 {
		t.Errorf("dave pays %d after clearing, want 1125000", got)
	}
	if got := w.bal(erin.Addr); got != start["erin"] {
		t.Errorf("erin: got %d, want her whole escrow back (%d)", got, start["erin"])
	}
	if got := w.bal(escrow); got != 4_500_000 {
		t.Errorf("escrow after clearing: got %d, want 4500000 (the trades' cost)", got)
	}
	for id, want := range map[uint64]struct {
		status string
		filled uint64
	}{a1: {market.StatusFilled, 100_000}, b1: {market.StatusFilled, 100_000}, a2: {market.StatusUnmatched, 0},
		bc: {market.StatusFilled, 150_000}, bd: {market.StatusPartial, 50_000}, be: {market.StatusUnmatched, 0}} {
		if o := w.getOrder(id); o.Status != want.status || o.FilledWh != want.filled {
			t.Errorf("order %d: got %s filled %d, want %s %d", id, o.Status, o.FilledWh, want.status, want.filled)
		}
	}
	var trades []market.Trade
	w.queryJSON("/market/trades", []byte(strconv.FormatUint(i, 10)), &trades)
	want := []struct {
		offer, bid, wh, cost uint64
	}{{a1, bc, 100_000, 2_250_000}, {b1, bc, 50_000, 1_125_000}, {b1, bd, 50_000, 1_125_000}}
	if len(trades) != 3 {
		t.Fatalf("trades: got %+v", trades)
	}
	for n, tr := range trades {
		if tr.OfferID != want[n].offer || tr.BidID != want[n].bid || tr.Wh != want[n].wh || tr.Cost != want[n].cost || tr.Price != 22_500 || tr.Settled {
			t.Errorf("trade %d: got %+v, want %+v", n+1, tr, want[n])
		}
	}
	if late := w.RunFail("cancel after clearing", w.Sign(dave, &tx.MsgCancel{OrderID: bd}), tx.CodeMarketOrderNotOpen, "partial"); late == nil {
		t.Fatal("no result")
	}

	// Delivery in interval i: inv-a all 100 kWh, inv-b 60 of its 100 kWh.
	w.submit(w.invA.read(t, w.nowMs(), 1_100_000), w.invB.read(t, w.nowMs(), 2_060_000))
	if s := w.settlements(i); s.Settlement != nil {
		t.Fatalf("settled before the anchor or deadline: %+v", s.Settlement)
	}
	w.enter(i + 1)
	w.anchor(i)
	s := w.settlements(i)
	if s.Settlement == nil || s.Settlement.Reason != "anchored" || s.Settlement.DeliveredWh != 160_000 || s.Settlement.TradedWh != 200_000 ||
		s.Settlement.Paid != 3_600_000 || s.Settlement.Fees != 36_000 || s.Settlement.Refunds != 900_000 || s.Settlement.Penalties != 90_000 {
		t.Fatalf("settlement: got %+v", s.Settlement)
	}
	// inv-b's 60 kWh go to its trades in order: 50 to carol, 10 to dave.
	// Dave's trade: paid 1,125,000 × 10/50 = 225,000, fee 1 % = 2,250,
	// refund 900,000, penalty 10 % of 900,000 = 90,000.
	wantS := []struct{ delivered, paid, fee, refund, penalty uint64 }{
		{100_000, 2_250_000, 22_500, 0, 0}, {50_000, 1_125_000, 11_250, 0, 0}, {10_000, 225_000, 2_250, 900_000, 90_000},
	}
	for n, tr := range s.Trades {
		g := wantS[n]
		if !tr.Settled || tr.DeliveredWh != g.delivered || tr.Paid != g.paid || tr.Fee != g.fee || tr.Refund != g.refund || tr.Penalty != g.penalty {
			t.Errorf("trade %d settled: got %+v, want %+v", n+1, tr, g)
		}
	}
	delta := func(name string, a tx.Address) int64 { return int64(w.bal(a)) - int64(start[name]) }
	for name, want := range map[string]int64{
		"alice": 2_227_500, "bob": 1_113_750 + 222_750 - 90_000, "carol": -3_375_000, "dave": -1_125_000 + 900_000 + 90_000,
		"erin": 0, "grid": 36_000,
	} {
		addr := map[string]tx.Address{"alice": apptest.Alice.Addr, "bob": apptest.Bob.Addr, "carol": carol.Addr, "dave": dave.Addr, "erin": erin.Addr, "grid": apptest.GridOp.Addr}[name]
		if got := delta(name, addr); got != want {
			t.Errorf("%s: balance changed by %d, want %d", name, got, want)
		}
	}
	if got := w.bal(escrow); got != 0 {
		t.Errorf("escrow after settlement: got %d, want 0", got)
	}
	if got := w.Supply(tx.DenomSCoin); got != supply {
		t.Errorf("supply: got %d, want %d", got, supply)
	}
	var mine []market.Trade
	w.queryJSON("/market/trades", []byte(apptest.Bob.Addr.String()), &mine)
	if len(mine) != 2 || !mine[0].Settled {
		t.Errorf("bob's trades: got %+v", mine)
	}
	var orders []market.Order
	w.queryJSON("/market/orders", []byte(apptest.Alice.Addr.String()), &orders)
	if len(orders) != 2 || orders[0].ID != a1 || orders[1].ID != a2 {
		t.Errorf("alice's orders: got %+v", orders)
	}
	// The clearing record is one provable key.
	if res := w.Query("/market/clearing", []byte(strconv.FormatUint(i, 10)), 0, true); res.Code != 0 || res.ProofOps == nil {
		t.Errorf("clearing with proof: code %d, proof %v", res.Code, res.ProofOps)
	}
}

// TestTieBreak: offers at the same price match in order id order, and so
// do bids at the same price, through the store's book order.
func TestTieBreak(t *testing.T) {
	w := newWorld(t, testParams())
	i := w.next() + 2
	o1 := w.order(apptest.Bob, &tx.MsgOffer{Device: "inv-b", Interval: i, Wh: 1_000, MinPrice: 5_000})
	o2 := w.order(apptest.Alice, &tx.MsgOffer{Device: "inv-a", Interval: i, Wh: 1_000, MinPrice: 5_000})
	b1 := w.order(carol, &tx.MsgBid{Interval: i, Wh: 800, MaxPrice: 7_000})
	b2 := w.order(dave, &tx.MsgBid{Interval: i, Wh: 800, MaxPrice: 7_000})
	b3 := w.order(erin, &tx.MsgBid{Interval: i, Wh: 800, MaxPrice: 7_000})
	w.enter(i)
	var trades []market.Trade
	w.queryJSON("/market/trades", []byte(strconv.FormatUint(i, 10)), &trades)
	type pair struct{ o, b, wh uint64 }
	want := []pair{{o1, b1, 800}, {o1, b2, 200}, {o2, b2, 600}, {o2, b3, 400}}
	if len(trades) != len(want) {
		t.Fatalf("trades: got %+v, want %v", trades, want)
	}
	for n, tr := range trades {
		if (pair{tr.OfferID, tr.BidID, tr.Wh}) != want[n] || tr.Price != 6_000 {
			t.Errorf("trade %d: got %d→%d %d Wh at %d, want %v at 6000", n+1, tr.OfferID, tr.BidID, tr.Wh, tr.Price, want[n])
		}
	}
	// Rounding: each bid bought 800 Wh... except b3 (400 Wh): cost
	// ceil(400 × 6000 / 1000) = 2400; escrow ceil(800 × 7000 / 1000) = 5600.
	if o := w.getOrder(b3); o.Status != market.StatusPartial || o.Refunded != 5_600-2_400 {
		t.Errorf("b3: got %+v", o)
	}
}

// TestRoundingNeverExceedsEscrow: tiny volumes at odd prices, where every
// cost rounds up, split across trades: a bid's trades cost exactly
// ceil(filled × price / 1000) in total and never more than its escrow.
func TestRoundingNeverExceedsEscrow(t *testing.T) {
	w := newWorld(t, testParams())
	i := w.next() + 2
	w.order(apptest.Alice, &tx.MsgOffer{Device: "inv-a", Interval: i, Wh: 1, MinPrice: 1})
	w.order(apptest.Bob, &tx.MsgOffer{Device: "inv-b", Interval: i, Wh: 1, MinPrice: 1})
	w.order(apptest.Alice, &tx.MsgOffer{Device: "inv-c", Interval: i, Wh: 1, MinPrice: 1})
	bid := w.order(carol, &tx.MsgBid{Interval: i, Wh: 3, MaxPrice: 1}) // escrow ceil(3/1000) = 1
	w.enter(i)
	var trades []market.Trade
	w.queryJSON("/market/trades", []byte(strconv.FormatUint(i, 10)), &trades)
	var sum uint64
	for _, tr := range trades {
		sum += tr.Cost
	}
	if len(trades) != 3 || sum != 1 {
		t.Fatalf("3 trades of 1 Wh at 1 uscn/kWh: got %d trades costing %d in total, want 3 costing 1 (the escrow)", len(trades), sum)
	}
	if o := w.getOrder(bid); o.Escrow != 1 || o.Refunded != 0 {
		t.Fatalf("bid: got %+v", o)
	}
}
