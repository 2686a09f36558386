package devices

import (
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Query implements module.Module. Paths:
//
//	device    data: device id      -> Device JSON, provable
//	by_owner  data: {"owner","after","limit"} -> tx.DevicePage (in id order;
//	          after is a device id); or the older address (hex) -> JSON
//	          array of Device, the first page with the default limit
func (k *Keeper) Query(q *module.Query) (*module.QueryResult, error) {
	kv := q.Store(k.prefix)
	switch q.Path {
	case "device":
		if err := tx.ValidateDeviceID(string(q.Data)); err != nil {
			return nil, module.ErrBadQuery.Wrapf("%v", err)
		}
		return &module.QueryResult{Key: append([]byte{k.prefix}, deviceKey(string(q.Data))...)}, nil
	case "by_owner":
		var req tx.DevicesByOwnerRequest
		paged, err := q.ListRequest(&req, "by_owner")
		if err != nil {
			return nil, err
		}
		if !paged {
			if req.Owner, err = tx.ParseAddress(string(q.Data)); err != nil {
				return nil, module.ErrBadQuery.Wrapf("%v", err)
			}
		}
		page, err := ownerPage(kv, req)
		if err != nil {
			return nil, err
		}
		if !paged {
			return module.JSON(page.Devices)
		}
		return module.JSON(page)
	}
	return nil, module.ErrUnknownQuery.Wrapf("devices/%s", q.Path)
}

// ownerPage is a page of an owner's devices in id order.
func ownerPage(kv store.KV, req tx.DevicesByOwnerRequest) (*tx.DevicePage, error) {
	limit, err := module.ListLimit(req.PageRequest)
	if err != nil {
		return nil, err
	}
	p := ownerPrefix(req.Owner)
	start := p
	if req.After != "" {
		if err := tx.ValidateDeviceID(req.After); err != nil {
			return nil, module.ErrBadQuery.Wrapf("after: %v", err)
		}
		start = module.After(p, []byte(req.After))
	}
	page := &tx.DevicePage{Devices: []tx.Device{}}
	next := module.EachPage(kv, p, start, store.PrefixEnd(p), limit, func(key, _ []byte) bool {
		d := getDevice(kv, string(key[len(p):]))
		if d != nil {
			page.Devices = append(page.Devices, *d)
		}
		return d != nil
	})
	page.Next = string(next)
	return page, nil
}
