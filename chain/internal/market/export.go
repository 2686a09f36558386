package market

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
)

var _ module.Exporter = (*Keeper)(nil)

// ExportGenesis implements module.Exporter: the module's state as a genesis
// section, read in key order. Records (params, orders, pending intervals,
// clearings, trades, settlements, the order counter) are written out;
// indexes (the book, owners' orders, open-order counts, accounts' trades,
// unsettled intervals) are not: InitGenesis rebuilds them.
func (k *Keeper) ExportGenesis(ctx *module.Context) (json.RawMessage, error) {
	kv := k.kv(ctx)
	g := Genesis{NextOrderID: 1}
	var hasParams, found bool
	var err error
	decode := func(key, value []byte, v any) bool {
		if err = json.Unmarshal(value, v); err != nil {
			err = fmt.Errorf("key %x: %w", key, err)
		}
		return err == nil
	}
	store.Each(kv, nil, nil, func(key, value []byte) bool {
		found = true
		switch key[0] {
		case prefixParams:
			hasParams = true
			return decode(key, value, &g.Params)
		case prefixNextOrder:
			if len(value) != 8 {
				err = fmt.Errorf("key %x: next order id of %d bytes, want 8", key, len(value))
				return false
			}
			g.NextOrderID = binary.BigEndian.Uint64(value)
		case prefixOrder:
			g.Orders = append(g.Orders, Order{})
			return decode(key, value, &g.Orders[len(g.Orders)-1])
		case prefixPending:
			if len(key) != 9 || len(value) != 16 {
				err = fmt.Errorf("key %x: a pending interval record of %d bytes, want 16", key, len(value))
				return false
			}
			g.Pending = append(g.Pending, PendingInterval{Interval: binary.BigEndian.Uint64(key[1:]),
				OfferWh: binary.BigEndian.Uint64(value[:8]), BidWh: binary.BigEndian.Uint64(value[8:])})
		case prefixClearing:
			g.Clearings = append(g.Clearings, Clearing{})
			return decode(key, value, &g.Clearings[len(g.Clearings)-1])
		case prefixTrade:
			g.Trades = append(g.Trades, Trade{})
			return decode(key, value, &g.Trades[len(g.Trades)-1])
		case prefixSettlement:
			g.Settlements = append(g.Settlements, Settlement{})
			return decode(key, value, &g.Settlements[len(g.Settlements)-1])
		case prefixBook, prefixOwnerOrder, prefixOpenCount, prefixAccountTr, prefixUnsettled:
			// indexes: rebuilt by InitGenesis, checked below
		default:
			err = fmt.Errorf("key %x: no market key family has prefix %#02x", key, key[0])
			return false
		}
		return true
	})
	switch {
	case err != nil:
		return nil, fmt.Errorf("export market state: %w", err)
	case !found:
		return nil, nil
	case !hasParams:
		return nil, fmt.Errorf("export market state: no params are stored (the chain started without a market section), which a section cannot reproduce")
	}
	raw, err := json.Marshal(g)
	if err != nil {
		return nil, err
	}
	return raw, nil
}
