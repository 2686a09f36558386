// Package auth is the accounts and roles module: accounts (address, public
// key, sequence number for replay protection), the authorities named in
// genesis, and the roles they grant (treasury, issuer per denomination,
// installer, grid operator, vehicle registrar, agency, ...).
package auth

import (
	"slices"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Account is the state of one account (declared in chain/tx, which clients
// import).
type Account = tx.Account

// Keeper owns the auth module's state.
type Keeper struct {
	prefix byte
}

var _ module.Module = (*Keeper)(nil)

// NewKeeper returns the keeper for the module's key space under prefix.
func NewKeeper(prefix byte) *Keeper { return &Keeper{prefix: prefix} }

// Name implements module.Module.
func (*Keeper) Name() string { return Codespace }

func (k *Keeper) kv(ctx *module.Context) store.KV { return ctx.Store(k.prefix) }

// Account returns the account at addr, or nil.
func (k *Keeper) Account(ctx *module.Context, addr tx.Address) *Account {
	return getAccount(k.kv(ctx), addr)
}

func getAccount(kv store.KV, addr tx.Address) *Account {
	var a Account
	if !store.GetJSON(kv, accountKey(addr), &a) {
		return nil
	}
	return &a
}

func (k *Keeper) setAccount(ctx *module.Context, a *Account) {
	store.PutJSON(k.kv(ctx), accountKey(a.Address), a)
}

// EnsureAccount creates the account at addr if it does not exist. Receiving
// funds creates an account; only existing accounts can sign transactions.
func (k *Keeper) EnsureAccount(ctx *module.Context, addr tx.Address) {
	if !k.kv(ctx).Has(accountKey(addr)) {
		k.setAccount(ctx, &Account{Address: addr})
		ctx.Emit("auth.account_created", "address", addr.String())
	}
}

// Ante checks a transaction's signer against its account and consumes its
// sequence number: the account must exist, its public key (once set) must be
// the signer's, and the sequence must be exactly the account's next one. The
// signature itself has been verified by the caller.
func (k *Keeper) Ante(ctx *module.Context, t *tx.Tx) error {
	addr := t.Signer()
	acc := k.Account(ctx, addr)
	if acc == nil && tx.OpensAccount(t) {
		// Its message opens the account when it succeeds (Open); until
		// then the key has none, so a refused one can be sent again.
		return nil
	}
	if acc == nil {
		return ErrUnknownAccount.Wrapf("%s has no account; it must first receive funds", addr)
	}
	if acc.PubKey != nil && !slices.Equal(acc.PubKey, t.Body.Signer) {
		return ErrPubKeyMismatch.Wrapf("account %s", addr)
	}
	if t.Body.Sequence != acc.Sequence {
		return ErrWrongSequence.Wrapf("account %s expects sequence %d, got %d", addr, acc.Sequence, t.Body.Sequence)
	}
	if acc.Sequence == ^uint64(0) {
		return ErrSequenceOverflow.Wrapf("account %s", addr)
	}
	acc.PubKey = t.Body.Signer
	acc.Sequence++
	k.setAccount(ctx, acc)
	return nil
}

// Open opens the account of key at sequence 1, for a message that opens
// its signer's account (tx.ModuleMsgs.Opening) once it has succeeded: the
// transaction that carried it consumed sequence 0. It fails if the
// account exists.
func (k *Keeper) Open(ctx *module.Context, key tx.PubKey) error {
	addr := key.Address()
	if k.kv(ctx).Has(accountKey(addr)) {
		return ErrWrongSequence.Wrapf("account %s already exists", addr)
	}
	k.setAccount(ctx, &Account{Address: addr, PubKey: slices.Clone(key), Sequence: 1})
	ctx.Emit("auth.account_created", "address", addr.String())
	return nil
}

// Roles returns the roles held by addr, sorted.
func (k *Keeper) Roles(ctx *module.Context, addr tx.Address) []string {
	return getRoles(k.kv(ctx), addr)
}

func getRoles(kv store.KV, addr tx.Address) []string {
	var roles []string
	store.GetJSON(kv, rolesKey(addr), &roles)
	return roles
}

// HasRole reports whether addr holds role.
func (k *Keeper) HasRole(ctx *module.Context, addr tx.Address, role string) bool {
	_, found := slices.BinarySearch(k.Roles(ctx, addr), role)
	return found
}

// RequireRole returns ErrMissingRole unless addr holds role.
func (k *Keeper) RequireRole(ctx *module.Context, addr tx.Address, role string) error {
	if !k.HasRole(ctx, addr, role) {
		return ErrMissingRole.Wrapf("%s does not hold role %q", addr, role)
	}
	return nil
}

// IsAuthority reports whether addr is an authority: one of the n whose
// approvals run authority actions (see Gate).
func (k *Keeper) IsAuthority(ctx *module.Context, addr tx.Address) bool {
	return k.kv(ctx).Has(authorityKey(addr))
}

// Grant gives role to addr.
func (k *Keeper) Grant(ctx *module.Context, addr tx.Address, role string) error {
	roles := k.Roles(ctx, addr)
	i, found := slices.BinarySearch(roles, role)
	if found {
		return ErrRoleHeld.Wrapf("%s already holds %q", addr, role)
	}
	roles = slices.Insert(roles, i, role)
	k.putRoles(ctx, addr, roles)
	k.kv(ctx).Set(memberKey(role, addr), []byte{1})
	k.EnsureAccount(ctx, addr)
	ctx.Emit("auth.role_granted", "address", addr.String(), "role", role)
	return nil
}

// Revoke takes role from addr.
func (k *Keeper) Revoke(ctx *module.Context, addr tx.Address, role string) error {
	roles := k.Roles(ctx, addr)
	i, found := slices.BinarySearch(roles, role)
	if !found {
		return ErrRoleNotHeld.Wrapf("%s does not hold %q", addr, role)
	}
	roles = slices.Delete(roles, i, i+1)
	k.putRoles(ctx, addr, roles)
	k.kv(ctx).Delete(memberKey(role, addr))
	ctx.Emit("auth.role_revoked", "address", addr.String(), "role", role)
	return nil
}

func (k *Keeper) putRoles(ctx *module.Context, addr tx.Address, roles []string) {
	if len(roles) == 0 {
		k.kv(ctx).Delete(rolesKey(addr))
		return
	}
	store.PutJSON(k.kv(ctx), rolesKey(addr), roles)
}

// Handle implements module.Module.
func (k *Keeper) Handle(ctx *module.Context, signer tx.Address, msg tx.Msg) error {
	switch m := msg.(type) {
	case *tx.MsgRoleGrant:
		if !k.IsAuthority(ctx, signer) {
			return ErrNotAuthority.Wrapf("%s may not grant roles", signer)
		}
		return k.Grant(ctx, m.Address, m.Role)
	case *tx.MsgRoleRevoke:
		if !k.IsAuthority(ctx, signer) {
			return ErrNotAuthority.Wrapf("%s may not revoke roles", signer)
		}
		return k.Revoke(ctx, m.Address, m.Role)
	case *tx.MsgProposalWithdraw:
		return k.withdraw(ctx, signer, m.ID)
	case *tx.MsgProposalApprove:
		// The app passes every message through Gate, which takes approvals.
		return module.ErrInternal.Wrapf("auth/approve must go through the gate")
	}
	return module.ErrInternal.Wrapf("auth cannot handle %s", msg.Type())
}
