package devices

import (
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Query implements module.Module. Paths:
//
//	device    data: device id      -> Device JSON, provable
//	by_owner  data: address (hex)  -> JSON array of Device
func (k *Keeper) Query(q *module.Query) (*module.QueryResult, error) {
	kv := q.Store(k.prefix)
	switch q.Path {
	case "device":
		if err := tx.ValidateDeviceID(string(q.Data)); err != nil {
			return nil, module.ErrBadQuery.Wrapf("%v", err)
		}
		return &module.QueryResult{Key: append([]byte{k.prefix}, deviceKey(string(q.Data))...)}, nil
	case "by_owner":
		addr, err := tx.ParseAddress(string(q.Data))
		if err != nil {
			return nil, module.ErrBadQuery.Wrapf("%v", err)
		}
		out := []*Device{}
		p := ownerPrefix(addr)
		store.EachPrefix(kv, p, func(key, _ []byte) bool {
			if d := getDevice(kv, string(key[len(p):])); d != nil {
				out = append(out, d)
			}
			return true
		})
		return module.JSON(out)
	}
	return nil, module.ErrUnknownQuery.Wrapf("devices/%s", q.Path)
}
