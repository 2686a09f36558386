package app

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"

	"github.com/citychain/citychain/chain/internal/auth"
	"github.com/citychain/citychain/chain/internal/bank"
	"github.com/citychain/citychain/chain/internal/devices"
	"github.com/citychain/citychain/chain/internal/labour"
	"github.com/citychain/citychain/chain/internal/market"
	"github.com/citychain/citychain/chain/internal/metering"
	"github.com/citychain/citychain/chain/internal/mileage"
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/validators"
	"github.com/citychain/citychain/chain/internal/vehicles"
	"github.com/citychain/citychain/chain/tx"
)

// decodeGenesis splits the genesis app state into module sections. Every
// top-level key must name a wired module.
func decodeGenesis(raw []byte, mods []module.Module) (map[string]json.RawMessage, error) {
	sections := map[string]json.RawMessage{}
	if len(bytes.TrimSpace(raw)) == 0 {
		return sections, nil
	}
	if err := json.Unmarshal(raw, &sections); err != nil {
		return nil, ErrInvalidGenesis.Wrapf("app_state: %v", err)
	}
	known := make(map[string]bool, len(mods))
	for _, m := range mods {
		known[m.Name()] = true
	}
	for _, name := range slices.Sorted(maps.Keys(sections)) {
		if !known[name] {
			return nil, ErrInvalidGenesis.Wrapf("app_state has a section %q but no module of that name exists", name)
		}
	}
	return sections, nil
}

// AppState is the genesis app state ("app_state" of a genesis file): one
// section per module, in module-list order. The node, the devnet and
// testnet, and the test harness all build this one type. A module without a
// field here starts from the state its InitGenesis writes for no section.
type AppState struct {
	Auth     auth.Genesis     `json:"auth"`
	Bank     bank.Genesis     `json:"bank"`
	Devices  devices.Genesis  `json:"devices"`
	Metering metering.Genesis `json:"metering"`
	Market   market.Genesis   `json:"market"`
	Mileage  mileage.Genesis  `json:"mileage"`
	Vehicles vehicles.Genesis `json:"vehicles"`
	// Labour is left out unless set (a devnet seeds a shop's history in
	// it: chain/node/labour_history.go); without it the module starts
	// empty with its default parameters.
	Labour *labour.Genesis `json:"labour,omitempty"`
	// Validators is left out unless set: the parameters then take their
	// defaults (the validators themselves are the genesis file's).
	Validators *validators.Genesis `json:"validators,omitempty"`
}

// DefaultAppState is the state a generated network starts from before its
// accounts are added: the S-Coin and KRW denominations, and every module's
// default parameters.
func DefaultAppState() *AppState {
	return &AppState{
		Auth:     auth.Genesis{Authorities: []tx.Address{}, Accounts: []auth.GenesisAccount{}},
		Bank:     bank.Genesis{Denoms: []string{tx.DenomSCoin, tx.DenomKRW}, Balances: []bank.GenesisBalance{}},
		Devices:  devices.Genesis{Devices: []tx.MsgDeviceRegister{}},
		Metering: metering.Genesis{Params: metering.DefaultParams()},
		Market:   market.DefaultGenesis(tx.Address{}),
		Mileage:  mileage.DefaultGenesis(),
		Vehicles: vehicles.DefaultGenesis(),
	}
}

// AddAccount adds a genesis account: an authority or not, with roles and
// coins. The first grid operator added receives the market's grid fee; the
// first installer added is the installer of record of the genesis devices.
func (st *AppState) AddAccount(addr tx.Address, authority bool, roles []string, coins []tx.Coin) {
	if authority {
		st.Auth.Authorities = append(st.Auth.Authorities, addr)
	}
	st.Auth.Accounts = append(st.Auth.Accounts, auth.GenesisAccount{Address: addr, Roles: roles})
	if slices.Contains(roles, tx.RoleGridOperator) && st.Market.Params.GridOperator.IsZero() {
		st.Market = market.DefaultGenesis(addr)
	}
	if slices.Contains(roles, tx.RoleInstaller) && st.Devices.Installer.IsZero() {
		st.Devices.Installer = addr
	}
	st.Fund(addr, coins...)
}

// Fund adds a genesis balance (a module's keyless account, or an account
// added with AddAccount).
func (st *AppState) Fund(addr tx.Address, coins ...tx.Coin) {
	if len(coins) > 0 {
		st.Bank.Balances = append(st.Bank.Balances, bank.GenesisBalance{Address: addr, Coins: coins})
	}
}
