package market_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/market"
	"github.com/citychain/citychain/chain/tx"
)

// pageLimits are the page sizes the paging tests walk with (0: the
// default).
var pageLimits = []uint64{1, 4, 0, tx.MaxListLimit}

// walk pages through a list query from the first page: query reads the
// page after a cursor and returns its item count and next. It fails the
// test on a page over the limit or a list that does not end.
func walk(t *testing.T, limit uint64, query func(pr tx.PageRequest) (n int, next string)) {
	t.Helper()
	size := cmp.Or(limit, tx.DefaultListLimit)
	pr := tx.PageRequest{Limit: limit}
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatalf("limit %d: the list does not end", limit)
		}
		n, next := query(pr)
		if uint64(n) > size {
			t.Fatalf("limit %d, after %q: got %d items, want at most %d", limit, pr.After, n, size)
		}
		if next == "" {
			return
		}
		if n == 0 || next == pr.After {
			t.Fatalf("limit %d, after %q: next %q after %d items, want a page that advances", limit, pr.After, next, n)
		}
		pr.After = next
	}
}

// TestListPages fills an interval's book, an account's orders and an
// interval's trades beyond a page and pages through each with several
// limits: every item exactly once, in the store's order (the book in
// matching order, orders by id, trades by sequence), each page within its
// limit, an empty next at the end. A limit above the maximum, a cursor the
// query did not issue and a trades request naming both an account and an
// interval are refused with the bad query code.
func TestListPages(t *testing.T) {
	p := testParams()
	p.MaxOpenOrders = 40
	w := newWorld(t, p)
	i := w.next() + 2

	// 24 offers (alice, two inverters) and 30 bids (carol, dave), prices
	// with ties, all in one block.
	var txs [][]byte
	for n := range 24 {
		dev := []string{"inv-a", "inv-c"}[n%2]
		txs = append(txs, w.Sign(apptest.Alice, &tx.MsgOffer{Device: dev, Interval: i, Wh: 1_000 + uint64(n), MinPrice: 10_000 + uint64(n%5)*1_000}))
	}
	for n := range 30 {
		who := []apptest.Key{carol, dave}[n%2]
		txs = append(txs, w.Sign(who, &tx.MsgBid{Interval: i, Wh: 1_000 + uint64(n), MaxPrice: 30_000 - uint64(n%7)*1_000}))
	}
	b := w.Block(txs...)
	var placed []market.Order
	for n := range txs {
		res := b.TxResult(n)
		if res.Code != 0 {
			t.Fatalf("order %d: %s/%d %s", n, res.Codespace, res.Code, res.Log)
		}
		v, _ := apptest.Attr(res.Events, "market.order_placed", "order_id")
		id, _ := strconv.ParseUint(v, 10, 64)
		placed = append(placed, w.getOrder(id))
	}

	// The book: offers by ascending price, bids by descending, ties by id.
	var offers, bids []uint64
	sorted := slices.Clone(placed)
	slices.SortStableFunc(sorted, func(a, b market.Order) int {
		if a.Side != b.Side {
			return cmp.Compare(map[string]int{market.SideOffer: 0, market.SideBid: 1}[a.Side], map[string]int{market.SideOffer: 0, market.SideBid: 1}[b.Side])
		}
		if a.Price != b.Price {
			if a.Side == market.SideBid {
				return cmp.Compare(b.Price, a.Price)
			}
			return cmp.Compare(a.Price, b.Price)
		}
		return cmp.Compare(a.ID, b.ID)
	})
	for _, o := range sorted {
		if o.Side == market.SideOffer {
			offers = append(offers, o.ID)
		} else {
			bids = append(bids, o.ID)
		}
	}
	var alices []uint64
	for _, o := range placed {
		if o.Owner == apptest.Alice.Addr {
			alices = append(alices, o.ID)
		}
	}
	slices.Sort(alices)

	for _, limit := range pageLimits {
		t.Run(fmt.Sprintf("book limit %d", limit), func(t *testing.T) {
			var gotOffers, gotBids []uint64
			walk(t, limit, func(pr tx.PageRequest) (int, string) {
				var v market.BookView
				w.queryJSON("/market/book", apptest.MustJSON(t, tx.MarketIntervalRequest{Interval: i, PageRequest: pr}), &v)
				if len(gotBids) > 0 && len(v.Offers) > 0 {
					t.Fatalf("after %q: offers after bids", pr.After)
				}
				for _, o := range v.Offers {
					gotOffers = append(gotOffers, o.ID)
				}
				for _, o := range v.Bids {
					gotBids = append(gotBids, o.ID)
				}
				return len(v.Offers) + len(v.Bids), v.Next
			})
			if !slices.Equal(gotOffers, offers) || !slices.Equal(gotBids, bids) {
				t.Fatalf("paged book: got offers %v bids %v, want offers %v bids %v", gotOffers, gotBids, offers, bids)
			}
		})
		t.Run(fmt.Sprintf("orders limit %d", limit), func(t *testing.T) {
			var got []uint64
			walk(t, limit, func(pr tx.PageRequest) (int, string) {
				var v market.OrderPage
				w.queryJSON("/market/orders", apptest.MustJSON(t, tx.MarketOrdersRequest{Owner: apptest.Alice.Addr, PageRequest: pr}), &v)
				for _, o := range v.Orders {
					got = append(got, o.ID)
				}
				return len(v.Orders), v.Next
			})
			if !slices.Equal(got, alices) {
				t.Fatalf("paged orders: got %v, want %v", got, alices)
			}
		})
	}
	// The older plain requests: the first page, with the default limit.
	var bk market.BookView
	w.queryJSON("/market/book", []byte(strconv.FormatUint(i, 10)), &bk)
	if len(bk.Offers) != len(offers) || len(bk.Bids) != len(bids) || bk.Next != "" {
		t.Fatalf("plain book request: got %d offers, %d bids, next %q; want the whole book (under a page)", len(bk.Offers), len(bk.Bids), bk.Next)
	}
	var plain []market.Order
	w.queryJSON("/market/orders", []byte(apptest.Alice.Addr.String()), &plain)
	if len(plain) != len(alices) {
		t.Fatalf("plain orders request: got %d orders, want %d", len(plain), len(alices))
	}

	// Clear the interval: its trades, the interval's and each account's.
	w.enter(i)
	c := w.clearing(i)
	if c == nil || c.Trades < 10 {
		t.Fatalf("clearing: got %+v, want at least 10 trades", c)
	}
	all := func(req tx.MarketTradesRequest) []market.Trade {
		t.Helper()
		req.Limit = tx.MaxListLimit
		var v market.TradePage
		w.queryJSON("/market/trades", apptest.MustJSON(t, req), &v)
		if v.Next != "" {
			t.Fatalf("trades %+v: a next after %d trades", req, len(v.Trades))
		}
		out := make([]market.Trade, len(v.Trades))
		for n, tr := range v.Trades {
			out[n] = *tr
		}
		return out
	}
	ofInterval := all(tx.MarketTradesRequest{Interval: &i})
	if uint64(len(ofInterval)) != c.Trades {
		t.Fatalf("interval trades: got %d, want %d", len(ofInterval), c.Trades)
	}
	for n, tr := range ofInterval {
		if tr.Seq != ofInterval[0].Seq+uint64(n) {
			t.Fatalf("interval trades: trade %d has seq %d, want sequence order", n, tr.Seq)
		}
	}
	carols := all(tx.MarketTradesRequest{Account: &carol.Addr})
	var want []market.Trade
	for _, tr := range ofInterval {
		if tr.Buyer == carol.Addr || tr.Seller == carol.Addr {
			want = append(want, tr)
		}
	}
	if len(carols) < 2 || !slices.Equal(carols, want) {
		t.Fatalf("carol's trades: got %d, want her %d of the interval's", len(carols), len(want))
	}
	for _, limit := range pageLimits {
		for _, c := range []struct {
			name string
			req  tx.MarketTradesRequest
			want []market.Trade
		}{{"interval", tx.MarketTradesRequest{Interval: &i}, ofInterval}, {"account", tx.MarketTradesRequest{Account: &carol.Addr}, carols}} {
			t.Run(fmt.Sprintf("trades of %s limit %d", c.name, limit), func(t *testing.T) {
				var got []market.Trade
				walk(t, limit, func(pr tx.PageRequest) (int, string) {
					req := c.req
					req.PageRequest = pr
					var v market.TradePage
					w.queryJSON("/market/trades", apptest.MustJSON(t, req), &v)
					for _, tr := range v.Trades {
						got = append(got, *tr)
					}
					return len(v.Trades), v.Next
				})
				if !slices.Equal(got, c.want) {
					t.Fatalf("paged trades: got %d, want the %d exactly once in order", len(got), len(c.want))
				}
			})
		}
		t.Run(fmt.Sprintf("settlements limit %d", limit), func(t *testing.T) {
			var got []market.Trade
			walk(t, limit, func(pr tx.PageRequest) (int, string) {
				var v market.SettlementView
				w.queryJSON("/market/settlements", apptest.MustJSON(t, tx.MarketIntervalRequest{Interval: i, PageRequest: pr}), &v)
				if v.Interval != i || v.Settlement != nil {
					t.Fatalf("after %q: got interval %d settlement %+v, want %d pending", pr.After, v.Interval, v.Settlement, i)
				}
				for _, tr := range v.Trades {
					got = append(got, *tr)
				}
				return len(v.Trades), v.Next
			})
			if !slices.Equal(got, ofInterval) {
				t.Fatalf("paged settlement trades: got %d, want the %d exactly once in order", len(got), len(ofInterval))
			}
		})
	}

	over := tx.PageRequest{Limit: tx.MaxListLimit + 1}
	for _, c := range []struct {
		name, path string
		req        any
		log        string
	}{
		{"book over the limit", "/market/book", tx.MarketIntervalRequest{Interval: i, PageRequest: over}, "limit 1001: want at most 1000"},
		{"orders over the limit", "/market/orders", tx.MarketOrdersRequest{Owner: apptest.Alice.Addr, PageRequest: over}, "limit 1001"},
		{"trades over the limit", "/market/trades", tx.MarketTradesRequest{Interval: &i, PageRequest: over}, "limit 1001"},
		{"settlements over the limit", "/market/settlements", tx.MarketIntervalRequest{Interval: i, PageRequest: over}, "limit 1001"},
		{"book cursor not hex", "/market/book", tx.MarketIntervalRequest{Interval: i, PageRequest: tx.PageRequest{After: "zz"}}, "34 hex characters"},
		{"book cursor too short", "/market/book", tx.MarketIntervalRequest{Interval: i, PageRequest: tx.PageRequest{After: "0102"}}, "34 hex characters"},
		{"orders cursor not an id", "/market/orders", tx.MarketOrdersRequest{Owner: apptest.Alice.Addr, PageRequest: tx.PageRequest{After: "x"}}, "want an order id"},
		{"account trades cursor", "/market/trades", tx.MarketTradesRequest{Account: &carol.Addr, PageRequest: tx.PageRequest{After: "00"}}, "32 hex characters"},
		{"interval trades cursor", "/market/trades", tx.MarketTradesRequest{Interval: &i, PageRequest: tx.PageRequest{After: "-1"}}, "want a trade sequence number"},
		{"trades of both", "/market/trades", tx.MarketTradesRequest{Interval: &i, Account: &carol.Addr}, "one of account and interval"},
		{"trades of neither", "/market/trades", tx.MarketTradesRequest{}, "one of account and interval"},
		{"unknown field", "/market/book", map[string]any{"interval": i, "cursor": "x"}, `unknown field "cursor"`},
	} {
		apptest.RequireCode(t, c.name, w.Query(c.path, apptest.MustJSON(t, c.req), 0, false), tx.CodeAppBadQuery, c.log)
	}
}

// FuzzListQueries sends arbitrary data to the paged list queries (the
// market's and /devices/by_owner): each answers a page that decodes, or
// refuses the data as a bad query, and never panics.
func FuzzListQueries(f *testing.F) {
	h := apptest.New(f, apptest.Options{AppState: genesis(f, accounts(), []tx.MsgDeviceRegister{
		{ID: "inv-a", Kind: tx.KindSolarInverter, Owner: apptest.Alice.Addr, PubKey: newMeter("inv-a", 0).pub()},
	}, testParams())})
	h.Block()
	i := uint64(apptest.BlockTime(h.Height+1).Unix())/intervalSeconds + 2
	for n := range 3 {
		h.RunOK("bid", h.Sign(carol, &tx.MsgBid{Interval: i, Wh: 1_000, MaxPrice: 10_000 + uint64(n)}))
	}
	paths := []string{"/market/book", "/market/orders", "/market/trades", "/market/settlements", "/devices/by_owner"}
	for _, seed := range []string{
		strconv.FormatUint(i, 10), carol.Addr.String(), `{"interval":` + strconv.FormatUint(i, 10) + `,"limit":1}`,
		`{"owner":"` + carol.Addr.String() + `","after":"1","limit":2}`, `{"account":"` + carol.Addr.String() + `","after":"00"}`,
		`{"interval":1,"after":"0000000000000000000000000000000000","limit":1000}`, `{"limit":1001}`, `{`, "",
	} {
		for p := range paths {
			f.Add(uint8(p), []byte(seed))
		}
	}
	f.Fuzz(func(t *testing.T, p uint8, data []byte) {
		path := paths[int(p)%len(paths)]
		// The harness's Query reports to f, not t: ask the app itself.
		res, err := h.App.Query(context.Background(), &abci.RequestQuery{Path: path, Data: data})
		if err != nil {
			t.Fatalf("%s %q: %v", path, data, err)
		}
		switch {
		case res.Code == 0:
			var v any
			if err := json.Unmarshal(res.Value, &v); err != nil {
				t.Fatalf("%s %q: answer %q does not decode: %v", path, data, res.Value, err)
			}
		case !tx.CodeAppBadQuery.Matches(res.Codespace, res.Code):
			t.Fatalf("%s %q: got %s/%d %s, want an answer or a bad query", path, data, res.Codespace, res.Code, res.Log)
		}
	})
}
