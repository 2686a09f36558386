package auth

import (
	"bytes"
	"encoding/json"
	"errors"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
)

// Genesis is the module's section of the genesis app state.
type Genesis struct {
	// Authorities may grant and revoke roles.
	Authorities []tx.Address `json:"authorities"`
	// Accounts to create, with their roles.
	Accounts []GenesisAccount `json:"accounts"`
}

// GenesisAccount is an account created at genesis.
type GenesisAccount struct {
	Address tx.Address `json:"address"`
	Roles   []string   `json:"roles,omitempty"`
}

// InitGenesis implements module.Module.
func (k *Keeper) InitGenesis(ctx *module.Context, raw json.RawMessage) error {
	var g Genesis
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		return ErrInvalidGenesis.Wrapf("%v", err)
	}
	if len(g.Authorities) == 0 {
		return ErrInvalidGenesis.Wrapf("authorities: want at least one")
	}
	for _, a := range g.Authorities {
		k.kv(ctx).Set(authorityKey(a), []byte{1})
		k.EnsureAccount(ctx, a)
	}
	for _, acc := range g.Accounts {
		k.EnsureAccount(ctx, acc.Address)
		for _, r := range acc.Roles {
			if err := tx.ValidateRole(r); err != nil {
				return ErrInvalidGenesis.Wrapf("account %s: %v", acc.Address, err)
			}
			if err := k.Grant(ctx, acc.Address, r); err != nil && !errors.Is(err, ErrRoleHeld) {
				return err
			}
		}
	}
	return nil
}
