// Package labour is the part-time work module: employment contracts with
// every field the Part-time Act (art. 17) requires, countersigned by the
// worker; timesheets signed by the worker or a workplace terminal; pay
// computed at consensus and paid from the employer's escrow (or a
// public-works project's labour pool) in end-of-block work. See
// docs/labour.md.
package labour

import (
	"encoding/json"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Codespace of the labour module's errors.
const Codespace = tx.CodespaceLabour

// Auth is what the labour module needs of the auth module.
type Auth interface {
	HasRole(ctx *module.Context, addr tx.Address, role string) bool
	EnsureAccount(ctx *module.Context, addr tx.Address)
}

// Bank moves ukrw.
type Bank interface {
	Balance(ctx *module.Context, addr tx.Address, denom string) uint64
	Send(ctx *module.Context, from, to tx.Address, amount tx.Coin) error
}

// Devices finds workplace terminals.
type Devices interface {
	Device(ctx *module.Context, id string) *tx.Device
}

// Projects is what the labour module needs of the contracts module: whether
// a public-works project exists and employer is its prime or one of its
// subcontractors.
type Projects interface {
	ProjectEmployer(ctx *module.Context, project string, employer tx.Address) (exists, employs bool)
}

// Keeper owns the labour module's state.
type Keeper struct {
	prefix   byte
	auth     Auth
	bank     Bank
	devices  Devices
	projects Projects
}

var _ module.Module = (*Keeper)(nil)

// NewKeeper returns the keeper for the module's key space under prefix.
func NewKeeper(prefix byte, auth Auth, bank Bank, devices Devices) *Keeper {
	return &Keeper{prefix: prefix, auth: auth, bank: bank, devices: devices}
}

// SetProjects gives the keeper the contracts module (built after it).
func (k *Keeper) SetProjects(p Projects) { k.projects = p }

// Name implements module.Module.
func (*Keeper) Name() string { return Codespace }

func (k *Keeper) kv(ctx *module.Context) store.KV { return ctx.Store(k.prefix) }

// InitGenesis implements module.Module.
func (k *Keeper) InitGenesis(ctx *module.Context, raw json.RawMessage) error { return nil }

// ExportGenesis implements module.Exporter.
func (k *Keeper) ExportGenesis(ctx *module.Context) (json.RawMessage, error) { return nil, nil }

// Handle implements module.Module.
func (k *Keeper) Handle(ctx *module.Context, signer tx.Address, msg tx.Msg) error {
	return module.NewError(tx.CodeTxNoRoute, "labour: not implemented yet")
}

// Query implements module.Module.
func (k *Keeper) Query(q *module.Query) (*module.QueryResult, error) {
	return nil, module.NewError(tx.CodeAppUnknownQuery, "labour: not implemented yet")
}

// FundProject moves amountKRW won from the contracts escrow into project's
// labour pool (called by the contracts module when a milestone is
// released).
func (k *Keeper) FundProject(ctx *module.Context, project string, amountKRW uint64) error {
	return module.NewError(tx.CodeTxNoRoute, "labour: not implemented yet")
}

// ProjectTotals returns the labour tier of a project's arrears view: the
// wages owed (late statements' principal) and paid from its labour pool.
func (k *Keeper) ProjectTotals(ctx *module.Context, project string) (owed, paid uint64) { return 0, 0 }
