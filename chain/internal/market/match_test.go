package market_test

import (
	"math"
	"slices"
	"testing"

	"github.com/citychain/citychain/chain/internal/market"
)

type ord struct{ id, price, wh uint64 }

type fill struct{ offer, bid, wh uint64 }

func book(side string, os ...ord) market.Book {
	var b market.Book
	for _, o := range os {
		b = append(b, &market.Order{ID: o.id, Side: side, Price: o.price, Wh: o.wh})
	}
	return b
}

// TestMatch checks the auction against hand-computed cases. The books are
// given in matching order (the store keeps them so; see TestTieBreak for
// the order itself).
func TestMatch(t *testing.T) {
	const max = math.MaxUint64
	cases := []struct {
		name          string
		offers, bids  []ord
		want          []fill
		price         uint64
		marginalOffer uint64
		marginalBid   uint64
	}{
		{name: "no cross", offers: []ord{{1, 10, 100}}, bids: []ord{{2, 9, 100}}},
		{name: "no offers", bids: []ord{{2, 9, 100}}},
		{name: "no bids", offers: []ord{{1, 10, 100}}},
		{name: "both empty"},
		{
			name: "exact cross", offers: []ord{{1, 50, 100}}, bids: []ord{{2, 50, 100}},
			want: []fill{{1, 2, 100}}, price: 50, marginalOffer: 1, marginalBid: 2,
		},
		{
			// o1 fills b4 by 100; o2 fills the rest of b4 (50) and half of
			// b5 (50); o3 at 30 is above b5's 25: stop. Marginal pair o2 (20)
			// and b5 (25): price 20 + 5/2 = 22.
			name:   "partial fills on both sides",
			offers: []ord{{1, 10, 100}, {2, 20, 100}, {3, 30, 100}},
			bids:   []ord{{4, 35, 150}, {5, 25, 100}, {6, 15, 100}},
			want:   []fill{{1, 4, 100}, {2, 4, 50}, {2, 5, 50}}, price: 22, marginalOffer: 2, marginalBid: 5,
		},
		{
			// equal prices: the lower id comes first in the book
			name: "ties", offers: []ord{{1, 10, 50}, {2, 10, 50}}, bids: []ord{{3, 20, 60}},
			want: []fill{{1, 3, 50}, {2, 3, 10}}, price: 15, marginalOffer: 2, marginalBid: 3,
		},
		{
			// supply runs out: the next bid would pay the price but gets nothing
			name: "supply exhausted", offers: []ord{{1, 10, 100}}, bids: []ord{{2, 30, 100}, {3, 25, 100}},
			want: []fill{{1, 2, 100}}, price: 20, marginalOffer: 1, marginalBid: 2,
		},
		{
			name: "free energy", offers: []ord{{1, 0, 10}}, bids: []ord{{2, 1, 10}},
			want: []fill{{1, 2, 10}}, price: 0, marginalOffer: 1, marginalBid: 2,
		},
		{
			// a + (b-a)/2 never overflows
			name: "extreme prices and volumes", offers: []ord{{1, max - 1, max}}, bids: []ord{{2, max, max}},
			want: []fill{{1, 2, max}}, price: max - 1, marginalOffer: 1, marginalBid: 2,
		},
		{
			name: "extreme volumes split", offers: []ord{{1, 1, max}}, bids: []ord{{2, 3, max - 1}, {3, 3, 1}},
			want: []fill{{1, 2, max - 1}, {1, 3, 1}}, price: 2, marginalOffer: 1, marginalBid: 3,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			offers, bids := book(market.SideOffer, c.offers...), book(market.SideBid, c.bids...)
			fills, price, mo, mb, ok := market.Match(offers, bids)
			var got []fill
			for _, f := range fills {
				got = append(got, fill{offers[f.Offer].ID, bids[f.Bid].ID, f.Wh})
			}
			if !slices.Equal(got, c.want) {
				t.Fatalf("fills: got %v, want %v", got, c.want)
			}
			if ok != (len(c.want) > 0) {
				t.Fatalf("crossed: got %v, want %v", ok, len(c.want) > 0)
			}
			if !ok {
				return
			}
			if price != c.price || offers[mo].ID != c.marginalOffer || bids[mb].ID != c.marginalBid {
				t.Fatalf("price %d marginal %d/%d, want %d %d/%d", price, offers[mo].ID, bids[mb].ID, c.price, c.marginalOffer, c.marginalBid)
			}
			for _, f := range fills {
				if o, b := offers[f.Offer], bids[f.Bid]; o.Price > price || b.Price < price {
					t.Errorf("offer %d (min %d) or bid %d (max %d) trades at %d", o.ID, o.Price, b.ID, b.Price, price)
				}
			}
		})
	}
}
