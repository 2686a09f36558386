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

// MarketOrders is an account's latest orders (/market/orders).
func (c *Client) MarketOrders(ctx context.Context, owner tx.Address, height int64) (json.RawMessage, error) {
	return answer[json.RawMessage](ctx, c, "/market/orders", []byte(owner.String()), height)
}

// MarketTrades is an interval's trades (/market/trades).
func (c *Client) MarketTrades(ctx context.Context, i uint64, height int64) (json.RawMessage, error) {
	return answer[json.RawMessage](ctx, c, "/market/trades", interval(i), height)
}

// MarketTradesOf is an account's latest trades as seller or buyer
// (/market/trades).
func (c *Client) MarketTradesOf(ctx context.Context, addr tx.Address, height int64) (json.RawMessage, error) {
	return answer[json.RawMessage](ctx, c, "/market/trades", []byte(addr.String()), height)
}

// MarketBook is an interval's open orders in matching order (/market/book).
func (c *Client) MarketBook(ctx context.Context, i uint64, height int64) (json.RawMessage, error) {
	return answer[json.RawMessage](ctx, c, "/market/book", interval(i), height)
}

// MarketSettlement is an interval's delivery settlement and its trades
// (/market/settlements).
func (c *Client) MarketSettlement(ctx context.Context, i uint64, height int64) (json.RawMessage, error) {
	return answer[json.RawMessage](ctx, c, "/market/settlements", interval(i), height)
}
