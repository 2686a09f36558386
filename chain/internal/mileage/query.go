package mileage

import (
	"strconv"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Query page sizes.
const (
	DefaultPageLimit = 50
	MaxPageLimit     = 100
)

// HistoryRequest pages through an account's history from entry Start
// (declared in chain/tx, which clients import).
type HistoryRequest = tx.MileageHistoryRequest

// HistoryPage is the answer to a history query.
type HistoryPage struct {
	Address tx.Address     `json:"address"`
	Total   uint64         `json:"total"`
	Entries []HistoryEntry `json:"entries"`
}

// VehicleRequest pages through a vehicle's settled periods from period From
// (declared in chain/tx).
type VehicleRequest = tx.MileageVehicleRequest

// VehicleAnswer is the answer to a vehicle query.
type VehicleAnswer struct {
	Vehicle *Vehicle        `json:"vehicle"`
	Periods []VehiclePeriod `json:"periods"`
}

// MerchantsPage lists merchants in address order; Next, when set, is the
// After of the next page.
type MerchantsPage struct {
	Merchants []Merchant  `json:"merchants"`
	Next      *tx.Address `json:"next,omitempty"`
}

// Budget is the answer to a budget query.
type Budget struct {
	BudgetAddress tx.Address `json:"budget_address"`
	Budget        tx.Coin    `json:"budget"`
	HeldAddress   tx.Address `json:"held_address"`
	Held          tx.Coin    `json:"held"`
	Totals        Totals     `json:"totals"`
	Cursor        Cursor     `json:"cursor"`
}

// Query implements module.Module. Paths (see README):
//
//	params     -> Params, provable
//	account    data: address (hex)                       -> Account, provable
//	history    data: {"address","start","limit"}         -> HistoryPage
//	vehicle    data: device id or {"device","from","limit"} -> VehicleAnswer
//	period     data: period (decimal)                    -> PeriodSummary, provable
//	merchant   data: address (hex)                       -> Merchant, provable
//	merchants  data: "" or the address to list after     -> MerchantsPage
//	budget                                               -> Budget
func (k *Keeper) Query(q *module.Query) (*module.QueryResult, error) {
	kv := q.Store(k.prefix)
	full := func(key []byte) *module.QueryResult {
		return &module.QueryResult{Key: append([]byte{k.prefix}, key...)}
	}
	switch q.Path {
	case "params":
		return full(paramsKey), nil
	case "account", "merchant":
		addr, err := tx.ParseAddress(string(q.Data))
		if err != nil {
			return nil, module.ErrBadQuery.Wrapf("%v", err)
		}
		if q.Path == "merchant" {
			return full(merchantKey(addr)), nil
		}
		return full(accountKey(addr)), nil
	case "period":
		n, err := strconv.ParseUint(string(q.Data), 10, 64)
		if err != nil {
			return nil, module.ErrBadQuery.Wrapf("period %q: want a decimal number", q.Data)
		}
		return full(periodKey(n)), nil
	case "history":
		var req HistoryRequest
		if err := q.DecodeRequest(&req, "history"); err != nil {
			return nil, err
		}
		limit, err := module.PageLimit(req.Limit, DefaultPageLimit, MaxPageLimit)
		if err != nil {
			return nil, err
		}
		var acct Account
		getJSON(kv, accountKey(req.Address), &acct)
		page := HistoryPage{Address: req.Address, Total: acct.History, Entries: []HistoryEntry{}}
		store.Each(kv, historyKey(req.Address, req.Start), store.PrefixEnd(historyPrefix(req.Address)), func(_, v []byte) bool {
			var e HistoryEntry
			getJSONBytes(v, &e)
			page.Entries = append(page.Entries, e)
			return uint64(len(page.Entries)) < limit
		})
		return module.JSON(page)
	case "vehicle":
		var req VehicleRequest
		if len(q.Data) > 0 && q.Data[0] == '{' {
			if err := q.DecodeRequest(&req, "vehicle"); err != nil {
				return nil, err
			}
		} else {
			req.Device = string(q.Data)
		}
		if err := tx.ValidateDeviceID(req.Device); err != nil {
			return nil, module.ErrBadQuery.Wrapf("%v", err)
		}
		limit, err := module.PageLimit(req.Limit, DefaultPageLimit, MaxPageLimit)
		if err != nil {
			return nil, err
		}
		ans := VehicleAnswer{Vehicle: k.vehicle(kv, req.Device), Periods: []VehiclePeriod{}}
		if ans.Vehicle == nil {
			return nil, module.ErrNotFound.Wrapf("vehicle %q is not enrolled", req.Device)
		}
		store.Each(kv, vperiodKey(req.Device, req.From), store.PrefixEnd(vperiodPrefix(req.Device)), func(_, v []byte) bool {
			var r VehiclePeriod
			getJSONBytes(v, &r)
			ans.Periods = append(ans.Periods, r)
			return uint64(len(ans.Periods)) < limit
		})
		return module.JSON(ans)
	case "merchants":
		start := []byte{prefixMerchant}
		if len(q.Data) > 0 {
			after, err := tx.ParseAddress(string(q.Data))
			if err != nil {
				return nil, module.ErrBadQuery.Wrapf("after: %v", err)
			}
			start = append(merchantKey(after), 0x00)
		}
		page := MerchantsPage{Merchants: []Merchant{}}
		store.Each(kv, start, store.PrefixEnd([]byte{prefixMerchant}), func(_, v []byte) bool {
			if len(page.Merchants) == MaxPageLimit {
				last := page.Merchants[len(page.Merchants)-1].Address
				page.Next = &last
				return false
			}
			var m Merchant
			getJSONBytes(v, &m)
			page.Merchants = append(page.Merchants, m)
			return true
		})
		return module.JSON(page)
	case "budget":
		ctx := q.ReadContext()
		b := Budget{
			BudgetAddress: BudgetAddress, Budget: scn(k.bank.Balance(ctx, BudgetAddress, tx.DenomSCoin)),
			HeldAddress: HeldAddress, Held: scn(k.bank.Balance(ctx, HeldAddress, tx.DenomSCoin)),
		}
		getJSON(kv, totalsKey, &b.Totals)
		getJSON(kv, cursorKey, &b.Cursor)
		return module.JSON(b)
	}
	return nil, module.ErrUnknownQuery.Wrapf("mileage/%s", q.Path)
}
