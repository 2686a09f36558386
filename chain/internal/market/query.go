package market

import (
	"encoding/binary"
	"encoding/hex"
	"strconv"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// BookView is the answer of /market/book: a page of an interval's open
// orders, offers then bids, each side in matching order; Next, when set,
// is the After of the next page.
type BookView struct {
	Interval uint64   `json:"interval"`
	Offers   []*Order `json:"offers"`
	Bids     []*Order `json:"bids"`
	Next     string   `json:"next,omitempty"`
}

// SettlementView is the answer of /market/settlements: the settlement (nil
// while pending) and a page of the interval's trades with their settlement
// fields; Next, when set, is the After of the next page.
type SettlementView struct {
	Interval   uint64      `json:"interval"`
	Settlement *Settlement `json:"settlement"`
	Trades     []*Trade    `json:"trades"`
	Next       string      `json:"next,omitempty"`
}

// OrderPage is the answer of /market/orders to a paged request.
type OrderPage struct {
	Orders []*Order `json:"orders"`
	Next   string   `json:"next,omitempty"`
}

// TradePage is the answer of /market/trades to a paged request.
type TradePage struct {
	Trades []*Trade `json:"trades"`
	Next   string   `json:"next,omitempty"`
}

func parseInterval(data []byte) (uint64, error) {
	n, err := strconv.ParseUint(string(data), 10, 64)
	if err != nil {
		return 0, module.ErrBadQuery.Wrapf("interval %q: want a decimal number", data)
	}
	return n, nil
}

// Query implements module.Module. Paths (the lists take a paged request,
// tx.PageRequest; their older plain data asks for the first page with the
// default limit, and /market/orders and /market/trades then answer a bare
// array as they used to):
//
//	params       -> Params JSON, provable
//	order        data: order id (decimal) -> Order JSON, provable
//	book         data: {"interval","after","limit"} or interval (decimal) -> BookView
//	clearing     data: interval (decimal) -> Clearing JSON, provable
//	orders       data: {"owner","after","limit"} -> OrderPage, or address (hex) -> [Order]
//	trades       data: {"account" or "interval","after","limit"} -> TradePage,
//	             or address (hex) or interval (decimal) -> [Trade]
//	settlements  data: {"interval","after","limit"} or interval (decimal) -> SettlementView
func (k *Keeper) Query(q *module.Query) (*module.QueryResult, error) {
	full := func(key []byte) *module.QueryResult {
		return &module.QueryResult{Key: append([]byte{k.prefix}, key...)}
	}
	kv := q.Store(k.prefix)
	switch q.Path {
	case "params":
		return full(paramsKey), nil
	case "order":
		id, err := strconv.ParseUint(string(q.Data), 10, 64)
		if err != nil {
			return nil, module.ErrBadQuery.Wrapf("order id %q: want a decimal number", q.Data)
		}
		return full(orderKey(id)), nil
	case "clearing":
		i, err := parseInterval(q.Data)
		if err != nil {
			return nil, err
		}
		return full(clearingKey(i)), nil
	case "book":
		req, err := intervalRequest(q, "book")
		if err != nil {
			return nil, err
		}
		return bookPage(kv, req)
	case "settlements":
		req, err := intervalRequest(q, "settlements")
		if err != nil {
			return nil, err
		}
		v := SettlementView{Interval: req.Interval}
		if v.Trades, v.Next, err = intervalTradePage(kv, req.Interval, req.PageRequest); err != nil {
			return nil, err
		}
		var s Settlement
		if getJSON(kv, settlementKey(req.Interval), &s) {
			v.Settlement = &s
		}
		return module.JSON(v)
	case "orders":
		var req tx.MarketOrdersRequest
		paged, err := q.ListRequest(&req, "orders")
		if err != nil {
			return nil, err
		}
		if !paged {
			if req.Owner, err = tx.ParseAddress(string(q.Data)); err != nil {
				return nil, module.ErrBadQuery.Wrapf("%v", err)
			}
		}
		page, err := orderPage(kv, req)
		if err != nil {
			return nil, err
		}
		if !paged {
			return module.JSON(page.Orders)
		}
		return module.JSON(page)
	case "trades":
		var req tx.MarketTradesRequest
		paged, err := q.ListRequest(&req, "trades")
		if err != nil {
			return nil, err
		}
		if !paged {
			if len(q.Data) == 2*tx.AddressLen {
				a, err := tx.ParseAddress(string(q.Data))
				if err != nil {
					return nil, module.ErrBadQuery.Wrapf("%v", err)
				}
				req.Account = &a
			} else {
				i, err := parseInterval(q.Data)
				if err != nil {
					return nil, module.ErrBadQuery.Wrapf("trades: want an address (40 hex) or an interval (decimal), got %q", q.Data)
				}
				req.Interval = &i
			}
		}
		var page TradePage
		switch {
		case (req.Account == nil) == (req.Interval == nil):
			return nil, module.ErrBadQuery.Wrapf("trades request: want one of account and interval")
		case req.Account != nil:
			page.Trades, page.Next, err = accountTradePage(kv, *req.Account, req.PageRequest)
		default:
			page.Trades, page.Next, err = intervalTradePage(kv, *req.Interval, req.PageRequest)
		}
		if err != nil {
			return nil, err
		}
		if !paged {
			return module.JSON(page.Trades)
		}
		return module.JSON(page)
	}
	return nil, module.ErrUnknownQuery.Wrapf("market/%s", q.Path)
}

// intervalRequest reads the request of /market/book or /market/settlements:
// JSON, or an interval (decimal) for the first page.
func intervalRequest(q *module.Query, what string) (tx.MarketIntervalRequest, error) {
	var req tx.MarketIntervalRequest
	paged, err := q.ListRequest(&req, what)
	if err != nil || paged {
		return req, err
	}
	req.Interval, err = parseInterval(q.Data)
	return req, err
}

// bookKeyLen is the length of a book key after its interval: side(1),
// price key(8), order id(8).
const bookKeyLen = 17

// bookPage is a page of an interval's open orders in book key order:
// offers (ascending price), then bids (descending price), ties by order id.
func bookPage(kv store.KV, req tx.MarketIntervalRequest) (*module.QueryResult, error) {
	limit, err := module.ListLimit(req.PageRequest)
	if err != nil {
		return nil, err
	}
	p := u64([]byte{prefixBook}, req.Interval)
	start := p
	if req.After != "" {
		after, err := module.HexCursor("after", req.After, bookKeyLen)
		if err != nil {
			return nil, err
		}
		start = module.After(p, after)
	}
	v := BookView{Interval: req.Interval, Offers: []*Order{}, Bids: []*Order{}}
	next := module.EachPage(kv, p, start, store.PrefixEnd(p), limit, func(key, _ []byte) bool {
		o := getOrder(kv, binary.BigEndian.Uint64(key[len(key)-8:]))
		if o == nil {
			return false
		}
		if key[len(p)] == sideAsk {
			v.Offers = append(v.Offers, o)
		} else {
			v.Bids = append(v.Bids, o)
		}
		return true
	})
	if next != nil {
		v.Next = hex.EncodeToString(next)
	}
	return module.JSON(v)
}

// orderPage is a page of an account's orders by id.
func orderPage(kv store.KV, req tx.MarketOrdersRequest) (*OrderPage, error) {
	limit, err := module.ListLimit(req.PageRequest)
	if err != nil {
		return nil, err
	}
	p := ownerOrderPrefix(req.Owner)
	start := p
	if req.After != "" {
		id, err := strconv.ParseUint(req.After, 10, 64)
		if err != nil {
			return nil, module.ErrBadQuery.Wrapf("after %q: want an order id (decimal), the next of a previous page", req.After)
		}
		start = module.After(p, u64(nil, id))
	}
	page := &OrderPage{Orders: []*Order{}}
	next := module.EachPage(kv, p, start, store.PrefixEnd(p), limit, func(key, _ []byte) bool {
		o := getOrder(kv, binary.BigEndian.Uint64(key[len(p):]))
		if o != nil {
			page.Orders = append(page.Orders, o)
		}
		return o != nil
	})
	if next != nil {
		page.Next = strconv.FormatUint(binary.BigEndian.Uint64(next), 10)
	}
	return page, nil
}

// intervalTradePage is a page of an interval's trades by sequence.
func intervalTradePage(kv store.KV, interval uint64, pr tx.PageRequest) ([]*Trade, string, error) {
	limit, err := module.ListLimit(pr)
	if err != nil {
		return nil, "", err
	}
	p := tradePrefix(interval)
	start := p
	if pr.After != "" {
		seq, err := strconv.ParseUint(pr.After, 10, 64)
		if err != nil {
			return nil, "", module.ErrBadQuery.Wrapf("after %q: want a trade sequence number (decimal), the next of a previous page", pr.After)
		}
		start = module.After(p, u64(nil, seq))
	}
	out := []*Trade{}
	next := module.EachPage(kv, p, start, store.PrefixEnd(p), limit, func(_, value []byte) bool {
		var t Trade
		store.DecodeJSON(value, &t)
		out = append(out, &t)
		return true
	})
	if next == nil {
		return out, "", nil
	}
	return out, strconv.FormatUint(binary.BigEndian.Uint64(next), 10), nil
}

// accountTradePage is a page of an account's trades by interval and
// sequence.
func accountTradePage(kv store.KV, a tx.Address, pr tx.PageRequest) ([]*Trade, string, error) {
	limit, err := module.ListLimit(pr)
	if err != nil {
		return nil, "", err
	}
	p := accountTradePrefix(a)
	start := p
	if pr.After != "" {
		after, err := module.HexCursor("after", pr.After, 16)
		if err != nil {
			return nil, "", err
		}
		start = module.After(p, after)
	}
	out := []*Trade{}
	next := module.EachPage(kv, p, start, store.PrefixEnd(p), limit, func(key, _ []byte) bool {
		var t Trade
		if !getJSON(kv, tradeKey(binary.BigEndian.Uint64(key[len(p):]), binary.BigEndian.Uint64(key[len(p)+8:])), &t) {
			return false
		}
		out = append(out, &t)
		return true
	})
	return out, hex.EncodeToString(next), nil
}
