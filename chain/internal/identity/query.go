package identity

import (
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Query implements module.Module. Paths (see README):
//
//	params                                           -> Params (provable once stored; the defaults otherwise)
//	identity    data: id (40 hex)                    -> Identity, provable
//	by_key      data: device key address (40 hex)    -> the id (20 raw bytes) of the identity the key was added to, provable
//	facility    data: facility id                    -> Facility, provable
//	facilities  data: {"after","limit"} or ""        -> tx.FacilityPage (after: a facility id)
//	barred      data: {"facility","pseudonym"}       -> Bar, provable, absence too (not barred)
//	bars        data: {"facility","after","limit"}   -> tx.BarPage (after: a pseudonym, hex)
//	stats                                            -> Stats: identities by status, facilities by kind, bars
func (k *Keeper) Query(q *module.Query) (*module.QueryResult, error) {
	kv := q.Store(k.prefix)
	full := func(key []byte) *module.QueryResult {
		return &module.QueryResult{Key: append([]byte{k.prefix}, key...)}
	}
	switch q.Path {
	case "params":
		if kv.Has(paramsKey) {
			return full(paramsKey), nil
		}
		return module.JSON(DefaultParams())
	case "identity", "by_key":
		a, err := tx.ParseAddress(string(q.Data))
		if err != nil {
			return nil, module.ErrBadQuery.Wrapf("%v", err)
		}
		if q.Path == "by_key" {
			return full(keyIndexKey(a)), nil
		}
		return full(identityKey(a)), nil
	case "facility":
		if err := tx.ValidateFacilityID(string(q.Data)); err != nil {
			return nil, module.ErrBadQuery.Wrapf("%v", err)
		}
		return full(facilityKey(string(q.Data))), nil
	case "facilities":
		var req tx.PageRequest
		if _, err := q.ListRequest(&req, "facilities"); err != nil {
			return nil, err
		}
		limit, err := module.ListLimit(req)
		if err != nil {
			return nil, err
		}
		pfx := []byte{prefixFacility}
		start := pfx
		if req.After != "" {
			if err := tx.ValidateFacilityID(req.After); err != nil {
				return nil, module.ErrBadQuery.Wrapf("after: %v", err)
			}
			start = module.After(pfx, []byte(req.After))
		}
		page := tx.FacilityPage{Facilities: []Facility{}}
		next := module.EachPage(kv, pfx, start, store.PrefixEnd(pfx), limit, func(_, v []byte) bool {
			var f Facility
			store.DecodeJSON(v, &f)
			page.Facilities = append(page.Facilities, f)
			return true
		})
		page.Next = string(next)
		return module.JSON(page)
	case "barred":
		var req tx.BarredRequest
		if err := q.DecodeRequest(&req, "barred"); err != nil {
			return nil, err
		}
		if err := tx.ValidateFacilityID(req.Facility); err != nil {
			return nil, module.ErrBadQuery.Wrapf("%v", err)
		}
		return full(barKey(req.Facility, req.Pseudonym)), nil
	case "bars":
		var req tx.BarsRequest
		if err := q.DecodeRequest(&req, "bars"); err != nil {
			return nil, err
		}
		if err := tx.ValidateFacilityID(req.Facility); err != nil {
			return nil, module.ErrBadQuery.Wrapf("%v", err)
		}
		limit, err := module.ListLimit(req.PageRequest)
		if err != nil {
			return nil, err
		}
		if !kv.Has(facilityKey(req.Facility)) {
			return nil, module.ErrNotFound.Wrapf("facility %q is not registered", req.Facility)
		}
		pfx := barPrefix(req.Facility)
		start := pfx
		if req.After != "" {
			p, err := tx.ParseHash32(req.After)
			if err != nil {
				return nil, module.ErrBadQuery.Wrapf("after: %v; want the next of a previous page", err)
			}
			start = module.After(pfx, p[:])
		}
		page := tx.BarPage{Facility: req.Facility, Bars: []Bar{}}
		next := module.EachPage(kv, pfx, start, store.PrefixEnd(pfx), limit, func(_, v []byte) bool {
			var b Bar
			store.DecodeJSON(v, &b)
			page.Bars = append(page.Bars, b)
			return true
		})
		if next != nil {
			var p tx.Hash32
			copy(p[:], next)
			page.Next = p.String()
		}
		return module.JSON(page)
	case "stats":
		return module.JSON(stats(kv))
	}
	return nil, module.ErrUnknownQuery.Wrapf("identity/%s", q.Path)
}
