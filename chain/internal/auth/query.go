package auth

import (
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Query implements module.Module. Paths:
//
//	account  data: address (hex)   -> Account JSON, provable
//	roles    data: address (hex)   -> sorted role names JSON, provable
//	members  data: role name       -> addresses holding the role
func (k *Keeper) Query(q *module.Query) (*module.QueryResult, error) {
	kv := q.Store(k.prefix)
	switch q.Path {
	case "account", "roles":
		addr, err := tx.ParseAddress(string(q.Data))
		if err != nil {
			return nil, module.ErrBadQuery.Wrapf("%v", err)
		}
		key := accountKey(addr)
		if q.Path == "roles" {
			key = rolesKey(addr)
		}
		return &module.QueryResult{Key: append([]byte{k.prefix}, key...)}, nil
	case "members":
		role := string(q.Data)
		if err := tx.ValidateRole(role); err != nil {
			return nil, module.ErrBadQuery.Wrapf("%v", err)
		}
		members := []tx.Address{}
		store.EachPrefix(kv, membersPrefix(role), func(key, _ []byte) bool {
			var a tx.Address
			copy(a[:], key[len(membersPrefix(role)):])
			members = append(members, a)
			return true
		})
		return module.JSON(members)
	}
	return nil, module.ErrUnknownQuery.Wrapf("auth/%s", q.Path)
}
