// Package contracts is the public-works subcontract module: contract money
// in escrow with a breakdown fixed at creation, milestones approved by the
// supervising agency releasing money directly to subcontractors and to the
// project's labour pool, the four grounds of direct payment of the
// Subcontracting Act art. 14 as state transitions, late-payment interest,
// per-milestone disputes and a public arrears view. See README.md and
// docs/contracts.md.
package contracts

import (
	"bytes"
	"slices"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

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
	// FundProject moves amountKRW won from the contracts escrow into the
	// project's labour pool.
	FundProject(ctx *module.Context, project string, amountKRW uint64) error
	// ProjectTotals is the labour tier of the project's arrears view:
	// wages owed (late) and paid from its labour pool. It reads single
	// keys only (the query view cannot iterate across modules).
	ProjectTotals(ctx *module.Context, project string) (owed, paid uint64)
}

// Keeper owns the contracts module's state.
type Keeper struct {
	prefix byte
	auth   Auth
	bank   Bank
	labour Labour
}

var (
	_ module.Module     = (*Keeper)(nil)
	_ module.EndBlocker = (*Keeper)(nil)
)

// EscrowAddress is the module account holding the contracts' unreleased
// money.
var EscrowAddress = tx.ModuleAddress(tx.ModuleAccountContractsEscrow)

// Party names in a subcontractor's Agreed list.
const (
	agreedOwner = "owner"
	agreedPrime = "prime"
	agreedSub   = "subcontractor"
)

// NewKeeper returns the keeper for the module's key space under prefix.
func NewKeeper(prefix byte, auth Auth, bank Bank, labour Labour) *Keeper {
	return &Keeper{prefix: prefix, auth: auth, bank: bank, labour: labour}
}

// Name implements module.Module.
func (*Keeper) Name() string { return Codespace }

func (k *Keeper) kv(ctx *module.Context) store.KV { return ctx.Store(k.prefix) }

// ProjectEmployer implements labour.Projects: whether project exists and
// employer is its prime or one of its subcontractors.
func (k *Keeper) ProjectEmployer(ctx *module.Context, project string, employer tx.Address) (exists, employs bool) {
	c := getContract(k.kv(ctx), project)
	if c == nil {
		return false, false
	}
	return true, c.Prime == employer || subIndex(c, employer) >= 0
}

// Contract returns contract id, or nil.
func (k *Keeper) Contract(ctx *module.Context, id string) *tx.Contract {
	return getContract(k.kv(ctx), id)
}

// Params returns the module's parameters: the stored ones, else
// tx.DefaultContractsParams.
func (k *Keeper) Params(ctx *module.Context) tx.ContractsParams { return params(k.kv(ctx)) }

func params(kv store.KV) tx.ContractsParams {
	var p tx.ContractsParams
	if !store.GetJSON(kv, paramsKey, &p) {
		return tx.DefaultContractsParams()
	}
	return p
}

// Handle implements module.Module.
func (k *Keeper) Handle(ctx *module.Context, signer tx.Address, msg tx.Msg) error {
	switch m := msg.(type) {
	case *tx.MsgContractsCreate:
		return k.create(ctx, signer, m)
	case *tx.MsgContractsDeliver:
		return k.deliver(ctx, signer, m)
	case *tx.MsgContractsApprove:
		return k.approve(ctx, signer, m)
	case *tx.MsgContractsPaySub:
		return k.paySub(ctx, signer, m)
	case *tx.MsgContractsAgreeDirect:
		return k.agreeDirect(ctx, signer, m)
	case *tx.MsgContractsAttest:
		return k.attest(ctx, signer, m)
	case *tx.MsgContractsRequestDirect:
		return k.requestDirect(ctx, signer, m)
	case *tx.MsgContractsDispute:
		return k.dispute(ctx, signer, m)
	case *tx.MsgContractsResolve:
		return k.resolve(ctx, signer, m)
	}
	return module.ErrInternal.Wrapf("contracts cannot handle %s", msg.Type())
}

// ---- state helpers ----

func getContract(kv store.KV, id string) *tx.Contract {
	var c tx.Contract
	if !store.GetJSON(kv, contractKey(id), &c) {
		return nil
	}
	return &c
}

func putContract(kv store.KV, c *tx.Contract) { store.PutJSON(kv, contractKey(c.ID), c) }

func getInstalment(kv store.KV, id string, milestone uint32, sub tx.Address) *tx.Instalment {
	var in tx.Instalment
	if !store.GetJSON(kv, instalmentKey(id, milestone, sub), &in) {
		return nil
	}
	return &in
}

func putInstalment(kv store.KV, in *tx.Instalment) {
	store.PutJSON(kv, instalmentKey(in.Contract, in.Milestone, in.Subcontractor), in)
}

// getLine returns a line, zero (with its names) when absent.
func getLine(kv store.KV, id, tier string, party tx.Address) tx.ArrearsLine {
	l := tx.ArrearsLine{Contract: id, Tier: tier, Party: party}
	store.GetJSON(kv, lineKey(id, tier, party), &l)
	return l
}

// putLine stores a line; a line of zeros is deleted (absent: owed 0, paid
// 0, overdue 0).
func putLine(kv store.KV, l tx.ArrearsLine) {
	key := lineKey(l.Contract, l.Tier, l.Party)
	if l.OwedKRW == 0 && l.PaidKRW == 0 && l.OverdueKRW == 0 {
		kv.Delete(key)
		return
	}
	store.PutJSON(kv, key, l)
}

// parties are the accounts a contract indexes under (owner, prime,
// supervisor, arbiter, guarantor, subcontractors), without repeats.
func parties(c *tx.Contract) []tx.Address {
	out := []tx.Address{c.Owner, c.Prime, c.Supervisor, c.Arbiter, c.Guarantor}
	for _, s := range c.Subcontractors {
		out = append(out, s.Address)
	}
	slices.SortFunc(out, func(a, b tx.Address) int { return bytes.Compare(a[:], b[:]) })
	return slices.Compact(out)
}

// subIndex is the index of addr among c's subcontractors, or -1.
func subIndex(c *tx.Contract, addr tx.Address) int {
	return slices.IndexFunc(c.Subcontractors, func(s tx.ContractSub) bool { return s.Address == addr })
}

// milestoneRef names milestone i of contract c in an error.
func milestoneRef(c *tx.Contract, i uint32) string {
	return c.ID + " milestone " + module.U64(uint64(i)) + " (" + c.Milestones[i].Name + ")"
}

// found returns contract id and its milestone i, or ErrUnknown /
// ErrUnknownMilestone.
func found(kv store.KV, id string, i uint32) (*tx.Contract, error) {
	c := getContract(kv, id)
	if c == nil {
		return nil, ErrUnknown.Wrapf("contract %q", id)
	}
	if uint64(i) >= uint64(len(c.Milestones)) {
		return nil, ErrUnknownMilestone.Wrapf("milestone %d of contract %s: it has milestones 0 to %d", i, id, len(c.Milestones)-1)
	}
	return c, nil
}
