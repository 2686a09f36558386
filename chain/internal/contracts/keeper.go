// Package contracts is the public-works subcontract module: contract money
// in escrow with a breakdown fixed at creation, milestones approved by the
// supervising agency releasing money directly to subcontractors and to the
// project's labour pool, the four grounds of direct payment of the
// Subcontracting Act art. 14 as state transitions, late-payment interest,
// per-milestone disputes and a public arrears view. See docs/contracts.md.
package contracts

import (
	"encoding/json"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Codespace of the contracts module's errors.
const Codespace = tx.CodespaceContracts

// Auth is what the contracts module needs of the auth module.
type Auth interface {
	HasRole(ctx *module.Context, addr tx.Address, role string) bool
	EnsureAccount(ctx *module.Context, addr tx.Address)
}

// Bank moves ukrw.
type Bank interface {
	Balance(ctx *module.Context, addr tx.Address, denom string) uint64
	Send(ctx *module.Context, from, to tx.Address, amount tx.Coin) error
}

// Labour is what the contracts module needs of the labour module.
type Labour interface {
	FundProject(ctx *module.Context, project string, amountKRW uint64) error
	ProjectTotals(ctx *module.Context, project string) (owed, paid uint64)
}

// Keeper owns the contracts module's state.
type Keeper struct {
	prefix byte
	auth   Auth
	bank   Bank
	labour Labour
}

var _ module.Module = (*Keeper)(nil)

// NewKeeper returns the keeper for the module's key space under prefix.
func NewKeeper(prefix byte, auth Auth, bank Bank, labour Labour) *Keeper {
	return &Keeper{prefix: prefix, auth: auth, bank: bank, labour: labour}
}

// Name implements module.Module.
func (*Keeper) Name() string { return Codespace }

func (k *Keeper) kv(ctx *module.Context) store.KV { return ctx.Store(k.prefix) }

// InitGenesis implements module.Module.
func (k *Keeper) InitGenesis(ctx *module.Context, raw json.RawMessage) error { return nil }

// ExportGenesis implements module.Exporter.
func (k *Keeper) ExportGenesis(ctx *module.Context) (json.RawMessage, error) { return nil, nil }

// Handle implements module.Module.
func (k *Keeper) Handle(ctx *module.Context, signer tx.Address, msg tx.Msg) error {
	return module.NewError(tx.CodeTxNoRoute, "contracts: not implemented yet")
}

// Query implements module.Module.
func (k *Keeper) Query(q *module.Query) (*module.QueryResult, error) {
	return nil, module.NewError(tx.CodeAppUnknownQuery, "contracts: not implemented yet")
}

// ProjectEmployer implements labour.Projects: whether project exists and
// employer is its prime or one of its subcontractors.
func (k *Keeper) ProjectEmployer(ctx *module.Context, project string, employer tx.Address) (exists, employs bool) {
	return false, false
}
