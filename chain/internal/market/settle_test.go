package market_test

import (
	"testing"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/tx"
)

// TestSettlementCases: one seller device sells 10 kWh to carol at
// 100,000 uscn/kWh (cost 1,000,000 uscn, fee 1 %, penalty 10 % of the
// undelivered value); what it delivers decides the outcome.
func TestSettlementCases(t *testing.T) {
	type want struct {
		reason    string
		delivered uint64
		paid      uint64
		refund    uint64
		penalty   uint64
	}
	cases := []struct {
		name   string
		seller apptest.Key
		dev    func(w *world) *meter
		// during runs in a block of the delivery interval; after in a
		// block of the next interval, before any anchor.
		during, after func(t *testing.T, w *world, m *meter)
		anchor        bool
		want          want
	}{
		{
			name: "full delivery, anchored", seller: apptest.Bob, dev: func(w *world) *meter { return w.invB },
			during: func(t *testing.T, w *world, m *meter) { w.submit(m.read(t, w.nowMs(), 1_000+10_000)) },
			anchor: true, want: want{"anchored", 10_000, 1_000_000, 0, 0},
		},
		{
			name: "more delivered than sold", seller: apptest.Bob, dev: func(w *world) *meter { return w.invB },
			during: func(t *testing.T, w *world, m *meter) { w.submit(m.read(t, w.nowMs(), 1_000+25_000)) },
			anchor: true, want: want{"anchored", 10_000, 1_000_000, 0, 0},
		},
		{
			name: "shortfall, anchored", seller: apptest.Bob, dev: func(w *world) *meter { return w.invB },
			during: func(t *testing.T, w *world, m *meter) { w.submit(m.read(t, w.nowMs(), 1_000+2_500)) },
			anchor: true, want: want{"anchored", 2_500, 250_000, 750_000, 75_000},
		},
		{
			name: "no reading by the deadline", seller: apptest.Bob, dev: func(w *world) *meter { return w.invB },
			want: want{"deadline", 0, 0, 1_000_000, 100_000},
		},
		{
			name: "reading but no anchor: settles at the deadline", seller: apptest.Bob, dev: func(w *world) *meter { return w.invB },
			during: func(t *testing.T, w *world, m *meter) { w.submit(m.read(t, w.nowMs(), 1_000+4_000)) },
			want:   want{"deadline", 4_000, 400_000, 600_000, 60_000},
		},
		{
			name: "device revoked after clearing", seller: apptest.Bob, dev: func(w *world) *meter { return w.invB },
			during: func(t *testing.T, w *world, m *meter) {
				w.submit(m.read(t, w.nowMs(), 1_000+10_000))
				w.ok("revoke", apptest.Installer, &tx.MsgDeviceRevoke{ID: m.id, Reason: "tampered"})
			},
			anchor: true, want: want{"anchored", 0, 0, 1_000_000, 100_000},
		},
		{
			name: "fraud flag after delivery", seller: apptest.Bob, dev: func(w *world) *meter { return w.invB },
			during: func(t *testing.T, w *world, m *meter) {
				w.submit(m.read(t, w.nowMs(), 1_000+10_000))
				w.submit(m.read(t, w.nowMs(), 900)) // rolled back: flagged
			},
			anchor: true, want: want{"anchored", 0, 0, 1_000_000, 100_000},
		},
		{
			name: "penalty capped at the seller's balance", seller: frank, dev: func(w *world) *meter { return w.invF },
			want: want{"deadline", 0, 0, 1_000_000, 50_000},
		},
		{
			name: "reading of another interval does not count", seller: apptest.Bob, dev: func(w *world) *meter { return w.invB },
			after:  func(t *testing.T, w *world, m *meter) { w.submit(m.read(t, w.nowMs(), 1_000+10_000)) },
			anchor: true, want: want{"anchored", 0, 0, 1_000_000, 100_000},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t, testParams())
			m := c.dev(w)
			i := w.next() + 2
			w.submit(m.read(t, w.nowMs(), 1_000)) // baseline
			w.order(c.seller, &tx.MsgOffer{Device: m.id, Interval: i, Wh: 10_000, MinPrice: 100_000})
			w.order(carol, &tx.MsgBid{Interval: i, Wh: 10_000, MaxPrice: 100_000})
			seller0, carol0, grid0 := w.bal(c.seller.Addr), w.bal(carol.Addr), w.bal(apptest.GridOp.Addr)
			supply := w.Supply(tx.DenomSCoin)
			w.enter(i)
			if c.during != nil {
				c.during(t, w, m)
			}
			w.enter(i + 1)
			if c.after != nil {
				c.after(t, w, m)
			}
			if c.anchor {
				w.anchor(i)
			} else {
				if s := w.settlements(i).Settlement; s != nil {
					t.Fatalf("settled before the deadline: %+v", s)
				}
				w.enter(i + 3) // deadline 2: settles in the first block of i+3
			}
			s := w.settlements(i)
			if s.Settlement == nil || len(s.Trades) != 1 {
				t.Fatalf("not settled: %+v", s)
			}
			tr := s.Trades[0]
			fee := tr.Paid / 100
			got := want{s.Settlement.Reason, tr.DeliveredWh, tr.Paid, tr.Refund, tr.Penalty}
			if got != c.want || tr.Fee != fee {
				t.Fatalf("got %+v fee %d, want %+v fee %d", got, tr.Fee, c.want, fee)
			}
			if got, want := int64(w.bal(c.seller.Addr)), int64(seller0)+int64(tr.Paid)-int64(fee)-int64(c.want.penalty); got != want {
				t.Errorf("seller: got %d, want %d (paid %d, fee %d, penalty %d)", got, want, tr.Paid, fee, c.want.penalty)
			}
			if got, want := w.bal(carol.Addr), carol0+c.want.refund+c.want.penalty; got != want {
				t.Errorf("carol: got %d, want %d", got, want)
			}
			if got := w.bal(apptest.GridOp.Addr) - grid0; got != fee {
				t.Errorf("grid operator: got %d, want %d", got, fee)
			}
			if got := w.bal(escrow); got != 0 {
				t.Errorf("escrow: got %d, want 0", got)
			}
			if got := w.Supply(tx.DenomSCoin); got != supply {
				t.Errorf("supply: got %d, want %d", got, supply)
			}
		})
	}
}

// TestOversold: a device that sold more than it produced, across two
// trades, delivers to them in trade order and never more than it metered.
func TestOversold(t *testing.T) {
	w := newWorld(t, testParams())
	i := w.next() + 2
	w.submit(w.invB.read(t, w.nowMs(), 0))
	w.order(apptest.Bob, &tx.MsgOffer{Device: "inv-b", Interval: i, Wh: 6_000, MinPrice: 1_000})
	w.order(apptest.Bob, &tx.MsgOffer{Device: "inv-b", Interval: i, Wh: 6_000, MinPrice: 2_000})
	w.order(carol, &tx.MsgBid{Interval: i, Wh: 6_000, MaxPrice: 3_000})
	w.order(dave, &tx.MsgBid{Interval: i, Wh: 6_000, MaxPrice: 3_000})
	w.enter(i)
	w.submit(w.invB.read(t, w.nowMs(), 7_000)) // 7 kWh metered, 12 sold
	w.enter(i + 1)
	w.anchor(i)
	s := w.settlements(i)
	if len(s.Trades) != 2 || s.Trades[0].DeliveredWh != 6_000 || s.Trades[1].DeliveredWh != 1_000 || s.Settlement.DeliveredWh != 7_000 {
		t.Fatalf("got %+v / %+v", s.Settlement, s.Trades)
	}
}
