package bank

import (
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// BalanceRequest asks for one balance (declared in chain/tx, which clients
// import).
type BalanceRequest = tx.BalanceRequest

// Query implements module.Module. Paths:
//
//	balance   data: BalanceRequest JSON -> amount, 8 bytes big-endian, provable
//	balances  data: address (hex)       -> JSON array of coins
//	supply    data: denom               -> amount, 8 bytes big-endian, provable
//	supplies                            -> JSON array of coins, every denomination
func (k *Keeper) Query(q *module.Query) (*module.QueryResult, error) {
	kv := q.Store(k.prefix)
	switch q.Path {
	case "balance":
		var req BalanceRequest
		if err := q.DecodeRequest(&req, "balance"); err != nil {
			return nil, err
		}
		if err := tx.ValidateDenom(req.Denom); err != nil {
			return nil, module.ErrBadQuery.Wrapf("%v", err)
		}
		return &module.QueryResult{Key: append([]byte{k.prefix}, balanceKey(req.Address, req.Denom)...)}, nil
	case "balances":
		addr, err := tx.ParseAddress(string(q.Data))
		if err != nil {
			return nil, module.ErrBadQuery.Wrapf("%v", err)
		}
		out := balances(kv, addr)
		if out == nil {
			out = []tx.Coin{}
		}
		return module.JSON(out)
	case "supply":
		if err := tx.ValidateDenom(string(q.Data)); err != nil {
			return nil, module.ErrBadQuery.Wrapf("%v", err)
		}
		return &module.QueryResult{Key: append([]byte{k.prefix}, supplyKey(string(q.Data))...)}, nil
	case "supplies":
		out := []tx.Coin{}
		store.EachPrefix(kv, []byte{prefixSupply}, func(key, value []byte) bool {
			out = append(out, tx.Coin{Denom: string(key[1:]), Amount: mustAmount(value, "supply")})
			return true
		})
		return module.JSON(out)
	}
	return nil, module.ErrUnknownQuery.Wrapf("bank/%s", q.Path)
}
