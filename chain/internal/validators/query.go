package validators

import "github.com/citychain/citychain/chain/internal/module"

// Query implements module.Module. Paths:
//
//	set     no data  -> Set JSON, provable
//	params  no data  -> Params JSON, provable
func (k *Keeper) Query(q *module.Query) (*module.QueryResult, error) {
	switch q.Path {
	case "set":
		return &module.QueryResult{Key: append([]byte{k.prefix}, setKey...)}, nil
	case "params":
		return &module.QueryResult{Key: append([]byte{k.prefix}, paramsKey...)}, nil
	}
	return nil, module.ErrUnknownQuery.Wrapf("validators/%s", q.Path)
}
