package market

import (
	"encoding/binary"
	"strconv"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// MaxListed bounds the orders or trades one account query returns: the
// latest MaxListed.
const MaxListed = 1000

// BookView is the answer of /market/book: an interval's open orders in
// matching order.
type BookView struct {
	Interval uint64   `json:"interval"`
	Offers   []*Order `json:"offers"`
	Bids     []*Order `json:"bids"`
}

// SettlementView is the answer of /market/settlements: the settlement (nil
// while pending) and the interval's trades with their settlement fields.
type SettlementView struct {
	Interval   uint64      `json:"interval"`
	Settlement *Settlement `json:"settlement"`
	Trades     []*Trade    `json:"trades"`
}

func parseInterval(data []byte) (uint64, error) {
	n, err := strconv.ParseUint(string(data), 10, 64)
	if err != nil {
		return 0, module.ErrBadQuery.Wrapf("interval %q: want a decimal number", data)
	}
	return n, nil
}

// Query implements module.Module. Paths:
//
//	params       -> Params JSON, provable
//	order        data: order id (decimal) -> Order JSON, provable
//	book         data: interval (decimal) -> BookView (open orders)
//	clearing     data: interval (decimal) -> Clearing JSON, provable
//	orders       data: address (hex) -> [Order], the latest 1000
//	trades       data: address (hex) -> [Trade] of the account, the latest 1000;
//	             or interval (decimal) -> [Trade] of the interval
//	settlements  data: interval (decimal) -> SettlementView
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
		i, err := parseInterval(q.Data)
		if err != nil {
			return nil, err
		}
		v := BookView{Interval: i, Offers: loadBook(kv, i, sideAsk), Bids: loadBook(kv, i, sideBid)}
		return module.JSON(v)
	case "orders":
		addr, err := tx.ParseAddress(string(q.Data))
		if err != nil {
			return nil, module.ErrBadQuery.Wrapf("%v", err)
		}
		var ids []uint64
		p := ownerOrderPrefix(addr)
		store.EachPrefix(kv, p, func(key, _ []byte) bool {
			ids = append(ids, binary.BigEndian.Uint64(key[len(p):]))
			return true
		})
		out := []*Order{}
		for _, id := range latest(ids) {
			out = append(out, getOrder(kv, id))
		}
		return module.JSON(out)
	case "trades":
		if len(q.Data) == 2*tx.AddressLen {
			addr, err := tx.ParseAddress(string(q.Data))
			if err != nil {
				return nil, module.ErrBadQuery.Wrapf("%v", err)
			}
			var keys [][2]uint64
			p := accountTradePrefix(addr)
			store.EachPrefix(kv, p, func(key, _ []byte) bool {
				keys = append(keys, [2]uint64{binary.BigEndian.Uint64(key[len(p):]), binary.BigEndian.Uint64(key[len(p)+8:])})
				return true
			})
			out := []*Trade{}
			for _, ks := range latest(keys) {
				var t Trade
				if getJSON(kv, tradeKey(ks[0], ks[1]), &t) {
					out = append(out, &t)
				}
			}
			return module.JSON(out)
		}
		i, err := parseInterval(q.Data)
		if err != nil {
			return nil, module.ErrBadQuery.Wrapf("trades: want an address (40 hex) or an interval (decimal), got %q", q.Data)
		}
		out := intervalTrades(kv, i)
		if out == nil {
			out = []*Trade{}
		}
		return module.JSON(out)
	case "settlements":
		i, err := parseInterval(q.Data)
		if err != nil {
			return nil, err
		}
		v := SettlementView{Interval: i, Trades: intervalTrades(kv, i)}
		if v.Trades == nil {
			v.Trades = []*Trade{}
		}
		var s Settlement
		if getJSON(kv, settlementKey(i), &s) {
			v.Settlement = &s
		}
		return module.JSON(v)
	}
	return nil, module.ErrUnknownQuery.Wrapf("market/%s", q.Path)
}

func latest[T any](s []T) []T {
	if len(s) > MaxListed {
		return s[len(s)-MaxListed:]
	}
	return s
}
