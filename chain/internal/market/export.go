package market

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/citychain/citychain/chain/internal/module"
)

var _ module.Exporter = (*Keeper)(nil)

// ExportGenesis implements module.Exporter: the module's state as a genesis
// section, read in key order. Records (params, orders, pending intervals,
// clearings, trades, settlements, the order counter) are written out;
// indexes (the book, owners' orders, open-order counts, accounts' trades,
// unsettled intervals) are not: InitGenesis rebuilds them.
func (k *Keeper) ExportGenesis(ctx *module.Context) (json.RawMessage, error) {
	g := Genesis{NextOrderID: 1}
	var hasParams bool
	return module.ExportSection(Codespace, k.kv(ctx), &g, func(key, value []byte) error {
		switch key[0] {
		case prefixParams:
			hasParams = true
			return json.Unmarshal(value, &g.Params)
		case prefixNextOrder:
			if len(value) != 8 {
				return fmt.Errorf("next order id of %d bytes, want 8", len(value))
			}
			g.NextOrderID = binary.BigEndian.Uint64(value)
		case prefixOrder:
			return module.AppendJSON(&g.Orders, value)
		case prefixPending:
			if len(key) != 9 || len(value) != 16 {
				return fmt.Errorf("a pending interval record of %d bytes, want 16", len(value))
			}
			g.Pending = append(g.Pending, PendingInterval{Interval: binary.BigEndian.Uint64(key[1:]),
				OfferWh: binary.BigEndian.Uint64(value[:8]), BidWh: binary.BigEndian.Uint64(value[8:])})
		case prefixClearing:
			return module.AppendJSON(&g.Clearings, value)
		case prefixTrade:
			return module.AppendJSON(&g.Trades, value)
		case prefixSettlement:
			return module.AppendJSON(&g.Settlements, value)
		case prefixBook, prefixOwnerOrder, prefixOpenCount, prefixAccountTr, prefixUnsettled:
			// indexes: rebuilt by InitGenesis (App.Export checks the rebuild)
		default:
			return module.ErrUnknownKey
		}
		return nil
	}, module.RequireParams(&hasParams))
}
