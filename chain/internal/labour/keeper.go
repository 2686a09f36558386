// Package labour is the part-time work module: employment contracts with
// every field the Part-time Act (art. 17) requires, countersigned by the
// worker; timesheets signed by the worker or a workplace terminal; pay
// computed at consensus and paid from the employer's escrow (or a
// public-works project's labour pool) in end-of-block work. See README.md
// and docs/labour.md.
package labour

import (
	"cmp"
	"slices"

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

// The module accounts: the escrow holding every fund (employers' funds and
// projects' labour pools), the insurance shares withheld from wages, and
// the contracts module's escrow that FundProject draws on.
var (
	EscrowAddress   = tx.ModuleAddress(tx.ModuleAccountLabourEscrow)
	WithheldAddress = tx.ModuleAddress(tx.ModuleAccountLabourWithheld)
	ContractsEscrow = tx.ModuleAddress(tx.ModuleAccountContractsEscrow)
)

const (
	weekSeconds       = int64(7 * 86400)
	maxShiftSeconds   = int64(tx.MaxDayMinutes * 60) // a shift open this long expires
	maxParamsPerBlock = uint32(100_000)              // the largest max_payments_per_block
)

// Keeper owns the labour module's state.
type Keeper struct {
	prefix   byte
	auth     Auth
	bank     Bank
	devices  Devices
	projects Projects
}

var (
	_ module.Module     = (*Keeper)(nil)
	_ module.EndBlocker = (*Keeper)(nil)
	_ module.Exporter   = (*Keeper)(nil)
)

// NewKeeper returns the keeper for the module's key space under prefix.
func NewKeeper(prefix byte, auth Auth, bank Bank, devices Devices) *Keeper {
	return &Keeper{prefix: prefix, auth: auth, bank: bank, devices: devices}
}

// SetProjects gives the keeper the contracts module (built after it).
func (k *Keeper) SetProjects(p Projects) { k.projects = p }

// Name implements module.Module.
func (*Keeper) Name() string { return Codespace }

func (k *Keeper) kv(ctx *module.Context) store.KV { return ctx.Store(k.prefix) }

// DefaultParams are the parameters of a chain whose genesis sets none.
func DefaultParams() tx.LabourParams { return tx.LabourParams{MaxPaymentsPerBlock: 2000} }

// Params returns the module's parameters: the stored ones, or the
// defaults.
func (k *Keeper) Params(ctx *module.Context) tx.LabourParams { return params(k.kv(ctx)) }

func params(kv store.KV) tx.LabourParams {
	var p tx.LabourParams
	if store.GetJSON(kv, []byte{prefixParams}, &p) {
		return p
	}
	return DefaultParams()
}

// Rules returns the effective rule table: tx.DefaultLabourRules and the
// rows added since (genesis or labour/set_rule), in (effective, kind)
// order, so each kind's rows are in date order as tx.RuleAt and
// tx.LateInterest want.
func (k *Keeper) Rules(ctx *module.Context) []tx.LabourRule { return rules(k.kv(ctx)) }

func rules(kv store.KV) []tx.LabourRule {
	out := tx.DefaultLabourRules()
	store.EachPrefix(kv, []byte{prefixRule}, func(_, v []byte) bool {
		var r tx.LabourRule
		store.DecodeJSON(v, &r)
		out = append(out, r)
		return true
	})
	sortRules(out)
	return out
}

// sortRules sorts rows by effective date, then kind (in tx.RuleKinds
// order).
func sortRules(rows []tx.LabourRule) {
	slices.SortStableFunc(rows, func(a, b tx.LabourRule) int {
		return cmp.Or(cmp.Compare(a.Effective, b.Effective),
			cmp.Compare(slices.Index(tx.RuleKinds, a.Kind), slices.Index(tx.RuleKinds, b.Kind)))
	})
}

// Contract returns contract id, or nil.
func (k *Keeper) Contract(ctx *module.Context, id uint64) *tx.LabourContract {
	return getContract(k.kv(ctx), id)
}

// Statement returns statement id, or nil.
func (k *Keeper) Statement(ctx *module.Context, id uint64) *tx.WageStatement {
	return getStatement(k.kv(ctx), id)
}

// Fund returns the fund of owner (project "") or of project, or nil.
func (k *Keeper) Fund(ctx *module.Context, owner tx.Address, project string) *tx.LabourFund {
	return getFund(k.kv(ctx), fundID(owner, project))
}

func getContract(kv store.KV, id uint64) *tx.LabourContract {
	var c tx.LabourContract
	if !store.GetJSON(kv, contractKey(id), &c) {
		return nil
	}
	return &c
}

func getShift(kv store.KV, contract, id uint64) *tx.Shift {
	var s tx.Shift
	if !store.GetJSON(kv, shiftKey(contract, id), &s) {
		return nil
	}
	return &s
}

func getStatement(kv store.KV, id uint64) *tx.WageStatement {
	var s tx.WageStatement
	if !store.GetJSON(kv, statementKey(id), &s) {
		return nil
	}
	return &s
}

func getFund(kv store.KV, id []byte) *tx.LabourFund {
	var f tx.LabourFund
	if !store.GetJSON(kv, fundKey(id), &f) {
		return nil
	}
	return &f
}

func getStats(kv store.KV) tx.LabourStats {
	var s tx.LabourStats
	store.GetJSON(kv, []byte{prefixStats}, &s)
	return s
}

// Handle implements module.Module. Every message runs in a batch whose
// cached funds and statistics are written when it succeeds (the app drops
// the transaction's writes when it fails).
func (k *Keeper) Handle(ctx *module.Context, signer tx.Address, msg tx.Msg) error {
	b := k.begin(ctx)
	var err error
	switch m := msg.(type) {
	case *tx.MsgLabourSetRule:
		err = b.setRule(signer, m)
	case *tx.MsgLabourDeposit:
		err = b.deposit(signer, m)
	case *tx.MsgLabourWithdraw:
		err = b.withdraw(signer, m)
	case *tx.MsgLabourOffer:
		err = b.offer(signer, m)
	case *tx.MsgLabourCountersign:
		err = b.countersign(signer, m)
	case *tx.MsgLabourEnd:
		err = b.end(signer, m)
	case *tx.MsgLabourClock:
		err = b.clock(signer, m)
	case *tx.MsgLabourCorrect:
		err = b.correct(signer, m)
	default:
		return module.ErrInternal.Wrapf("labour cannot handle %s", msg.Type())
	}
	if err != nil {
		return err
	}
	return b.flush()
}
