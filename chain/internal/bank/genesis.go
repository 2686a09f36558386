package bank

import (
	"bytes"
	"encoding/json"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
)

// Genesis is the module's section of the genesis app state.
type Genesis struct {
	// Denoms are the denominations that exist, e.g. uscn and ukrw.
	Denoms []string `json:"denoms"`
	// Balances are minted at genesis; the supply is their sum.
	Balances []GenesisBalance `json:"balances"`
}

// GenesisBalance funds one account at genesis.
type GenesisBalance struct {
	Address tx.Address `json:"address"`
	Coins   []tx.Coin  `json:"coins"`
}

// InitGenesis implements module.Module.
func (k *Keeper) InitGenesis(ctx *module.Context, raw json.RawMessage) error {
	var g Genesis
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		return ErrInvalidGenesis.Wrapf("%v", err)
	}
	for _, d := range g.Denoms {
		if err := tx.ValidateDenom(d); err != nil {
			return ErrInvalidGenesis.Wrapf("%v", err)
		}
		k.kv(ctx).Set(denomKey(d), []byte{1})
		k.kv(ctx).Set(supplyKey(d), EncodeAmount(0))
	}
	for _, b := range g.Balances {
		for _, c := range b.Coins {
			if err := k.Mint(ctx, b.Address, c); err != nil {
				return ErrInvalidGenesis.Wrapf("balance of %s: %v", b.Address, err)
			}
		}
	}
	return nil
}
