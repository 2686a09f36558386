package client

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/citychain/citychain/chain/tx"
)

// Typed queries of the market module (see read.go). Clients relay the
// market's answers as the chain writes them (chain/internal/market).

func interval(i uint64) []byte { return []byte(strconv.FormatUint(i, 10)) }

// MarketParams reads the market parameters (/market/params).
func (c *Client) MarketParams(ctx context.Context, o ReadOpts) (json.RawMessage, *QueryResult, error) {
	return readRaw(ctx, c, "/market/params", nil, o)
}

// MarketOrder reads one order (/market/order).
func (c *Client) MarketOrder(ctx context.Context, id uint64, o ReadOpts) (json.RawMessage, *QueryResult, error) {
	return readRaw(ctx, c, "/market/order", []byte(strconv.FormatUint(id, 10)), o)
}

// MarketClearing reads an interval's clearing: price, volume, counts
// (/market/clearing); nil while the interval is not cleared.
func (c *Client) MarketClearing(ctx context.Context, i uint64, o ReadOpts) (json.RawMessage, *QueryResult, error) {
	return readRaw(ctx, c, "/market/clearing", interval(i), o)
}

// MarketOrderList is a page of an account's orders as /market/orders
// answers it, oldest first, each as the chain wrote it; Next, when set, is
// the After of the next page; Height is the state height it was read at.
type MarketOrderList struct {
	Orders []json.RawMessage `json:"orders"`
	Next   string            `json:"next,omitempty"`
	Height int64             `json:"-"`
}

// MarketTradeList is a page of trades as /market/trades answers it, each
// as the chain wrote it.
type MarketTradeList struct {
	Trades []json.RawMessage `json:"trades"`
	Next   string            `json:"next,omitempty"`
	Height int64             `json:"-"`
}

// MarketBook is a page of an interval's open orders as /market/book
// answers it: offers, then bids, each side in matching order (a page may
// end inside the offers, and the next then starts with the rest of them).
type MarketBook struct {
	Interval uint64            `json:"interval"`
	Offers   []json.RawMessage `json:"offers"`
	Bids     []json.RawMessage `json:"bids"`
	Next     string            `json:"next,omitempty"`
	Height   int64             `json:"-"`
}

// MarketSettlement is an interval's delivery settlement (null while
// pending) and a page of its trades as /market/settlements answers it.
type MarketSettlement struct {
	Interval   uint64            `json:"interval"`
	Settlement json.RawMessage   `json:"settlement"`
	Trades     []json.RawMessage `json:"trades"`
	Next       string            `json:"next,omitempty"`
	Height     int64             `json:"-"`
}

// MarketOrders is a page of an account's orders, oldest first
// (/market/orders).
func (c *Client) MarketOrders(ctx context.Context, req tx.MarketOrdersRequest, height int64) (*MarketOrderList, error) {
	p, h, err := pageAnswer[MarketOrderList](ctx, c, "/market/orders", requestJSON(req), height)
	if err != nil {
		return nil, err
	}
	p.Height = h
	return p, nil
}

// MarketTrades is a page of an interval's trades, or of an account's as
// seller or buyer (/market/trades).
func (c *Client) MarketTrades(ctx context.Context, req tx.MarketTradesRequest, height int64) (*MarketTradeList, error) {
	p, h, err := pageAnswer[MarketTradeList](ctx, c, "/market/trades", requestJSON(req), height)
	if err != nil {
		return nil, err
	}
	p.Height = h
	return p, nil
}

// MarketBook is a page of an interval's open orders in matching order
// (/market/book).
func (c *Client) MarketBook(ctx context.Context, req tx.MarketIntervalRequest, height int64) (*MarketBook, error) {
	p, h, err := pageAnswer[MarketBook](ctx, c, "/market/book", requestJSON(req), height)
	if err != nil {
		return nil, err
	}
	p.Height = h
	return p, nil
}

// MarketSettlement is an interval's delivery settlement and a page of its
// trades (/market/settlements).
func (c *Client) MarketSettlement(ctx context.Context, req tx.MarketIntervalRequest, height int64) (*MarketSettlement, error) {
	p, h, err := pageAnswer[MarketSettlement](ctx, c, "/market/settlements", requestJSON(req), height)
	if err != nil {
		return nil, err
	}
	p.Height = h
	return p, nil
}
