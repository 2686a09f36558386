package mileage

import (
	"encoding/json"
	"fmt"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
)

var _ module.Exporter = (*Keeper)(nil)

// ExportGenesis implements module.Exporter: the module's state as a genesis
// section, read in key order. Every record is written out; the award expiry
// queue is not (InitGenesis rebuilds it from the lots).
func (k *Keeper) ExportGenesis(ctx *module.Context) (json.RawMessage, error) {
	var g Genesis
	var hasParams bool
	// addressed decodes a record keyed by an address and a number.
	addressed := func(key, value []byte, a *tx.Address, v any) error {
		if n := 1 + len(tx.Address{}) + 8; len(key) != n {
			return fmt.Errorf("%d bytes, want %d", len(key), n)
		}
		copy(a[:], key[1:])
		return json.Unmarshal(value, v)
	}
	return module.ExportSection(Codespace, k.kv(ctx), &g, func(key, value []byte) error {
		switch key[0] {
		case prefixParams:
			hasParams = true
			return json.Unmarshal(value, &g.Params)
		case prefixCursor:
			g.Cursor = &Cursor{}
			return json.Unmarshal(value, g.Cursor)
		case prefixTotals:
			g.Totals = &Totals{}
			return json.Unmarshal(value, g.Totals)
		case prefixAccount:
			return module.AppendJSON(&g.Accounts, value)
		case prefixLot:
			g.Lots = append(g.Lots, AccountLot{})
			l := &g.Lots[len(g.Lots)-1]
			return addressed(key, value, &l.Address, &l.Lot)
		case prefixHistory:
			g.History = append(g.History, AccountHistoryItem{})
			h := &g.History[len(g.History)-1]
			return addressed(key, value, &h.Address, &h.HistoryEntry)
		case prefixMerchant:
			return module.AppendJSON(&g.RegisteredMerchants, value)
		case prefixVehicle:
			return module.AppendJSON(&g.EnrolledVehicles, value)
		case prefixVPeriod:
			return module.AppendJSON(&g.VehiclePeriods, value)
		case prefixPeriod:
			return module.AppendJSON(&g.Periods, value)
		case prefixExpiry:
			// the expiry queue: rebuilt from the lots by InitGenesis (App.Export checks the rebuild)
		default:
			return module.ErrUnknownKey
		}
		return nil
	}, module.RequireParams(&hasParams))
}
