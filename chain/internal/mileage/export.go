package mileage

import (
	"encoding/json"
	"fmt"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

var _ module.Exporter = (*Keeper)(nil)

// ExportGenesis implements module.Exporter: the module's state as a genesis
// section, read in key order. Every record is written out; the award expiry
// queue is not (InitGenesis rebuilds it from the lots).
func (k *Keeper) ExportGenesis(ctx *module.Context) (json.RawMessage, error) {
	kv := k.kv(ctx)
	var g Genesis
	var hasParams, found bool
	var err error
	decode := func(key, value []byte, v any) bool {
		if err = json.Unmarshal(value, v); err != nil {
			err = fmt.Errorf("key %x: %w", key, err)
		}
		return err == nil
	}
	address := func(key []byte) (tx.Address, uint64, bool) {
		var a tx.Address
		if len(key) != 1+len(a)+8 {
			err = fmt.Errorf("key %x: %d bytes, want %d", key, len(key), 1+len(a)+8)
			return a, 0, false
		}
		copy(a[:], key[1:])
		return a, u64key(key[1+len(a):]), true
	}
	store.Each(kv, nil, nil, func(key, value []byte) bool {
		found = true
		switch key[0] {
		case prefixParams:
			hasParams = true
			return decode(key, value, &g.Params)
		case prefixCursor:
			g.Cursor = &Cursor{}
			return decode(key, value, g.Cursor)
		case prefixTotals:
			g.Totals = &Totals{}
			return decode(key, value, g.Totals)
		case prefixAccount:
			g.Accounts = append(g.Accounts, Account{})
			return decode(key, value, &g.Accounts[len(g.Accounts)-1])
		case prefixLot:
			a, _, ok := address(key)
			g.Lots = append(g.Lots, AccountLot{Address: a})
			return ok && decode(key, value, &g.Lots[len(g.Lots)-1].Lot)
		case prefixHistory:
			a, _, ok := address(key)
			g.History = append(g.History, AccountHistoryItem{Address: a})
			return ok && decode(key, value, &g.History[len(g.History)-1].HistoryEntry)
		case prefixMerchant:
			g.RegisteredMerchants = append(g.RegisteredMerchants, Merchant{})
			return decode(key, value, &g.RegisteredMerchants[len(g.RegisteredMerchants)-1])
		case prefixVehicle:
			g.EnrolledVehicles = append(g.EnrolledVehicles, Vehicle{})
			return decode(key, value, &g.EnrolledVehicles[len(g.EnrolledVehicles)-1])
		case prefixVPeriod:
			g.VehiclePeriods = append(g.VehiclePeriods, VehiclePeriod{})
			return decode(key, value, &g.VehiclePeriods[len(g.VehiclePeriods)-1])
		case prefixPeriod:
			g.Periods = append(g.Periods, PeriodSummary{})
			return decode(key, value, &g.Periods[len(g.Periods)-1])
		case prefixExpiry:
			// the expiry queue: rebuilt from the lots by InitGenesis, checked below
		default:
			err = fmt.Errorf("key %x: no mileage key family has prefix %#02x", key, key[0])
			return false
		}
		return true
	})
	switch {
	case err != nil:
		return nil, fmt.Errorf("export mileage state: %w", err)
	case !found:
		return nil, nil
	case !hasParams:
		return nil, fmt.Errorf("export mileage state: no params are stored (the chain started without a mileage section), which a section cannot reproduce")
	}
	raw, err := json.Marshal(g)
	if err != nil {
		return nil, err
	}
	return raw, nil
}
