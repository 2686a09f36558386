// Package bank is the money module: balances of S-Coin (uscn) and the KRW
// deposit token (ukrw) in integer micro-units, transfers, minting by each
// denomination's issuer, burning, and total supply. All arithmetic is
// checked; supply changes only by mint and burn.
package bank

import (
	"fmt"
	"strings"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Accounts is what the bank needs of the auth module.
type Accounts interface {
	EnsureAccount(ctx *module.Context, addr tx.Address)
	HasRole(ctx *module.Context, addr tx.Address, role string) bool
}

// Keeper owns the bank module's state.
type Keeper struct {
	prefix   byte
	accounts Accounts
}

var _ module.Module = (*Keeper)(nil)

// NewKeeper returns the keeper for the module's key space under prefix.
func NewKeeper(prefix byte, accounts Accounts) *Keeper {
	return &Keeper{prefix: prefix, accounts: accounts}
}

// Name implements module.Module.
func (*Keeper) Name() string { return Codespace }

func (k *Keeper) kv(ctx *module.Context) store.KV { return ctx.Store(k.prefix) }

func mustAmount(b []byte, what string) uint64 {
	v, err := DecodeAmount(b)
	if err != nil {
		panic(fmt.Errorf("bank: corrupt %s: %w", what, err))
	}
	return v
}

// Balance returns addr's balance of denom.
func (k *Keeper) Balance(ctx *module.Context, addr tx.Address, denom string) uint64 {
	return mustAmount(k.kv(ctx).Get(balanceKey(addr, denom)), "balance")
}

// Balances returns every non-zero balance of addr, ordered by denomination.
func (k *Keeper) Balances(ctx *module.Context, addr tx.Address) []tx.Coin {
	return balances(k.kv(ctx), addr)
}

func balances(kv store.KV, addr tx.Address) []tx.Coin {
	var out []tx.Coin
	p := balancePrefix(addr)
	store.EachPrefix(kv, p, func(key, value []byte) bool {
		out = append(out, tx.Coin{Denom: string(key[len(p):]), Amount: mustAmount(value, "balance")})
		return true
	})
	return out
}

// Supply returns the total supply of denom.
func (k *Keeper) Supply(ctx *module.Context, denom string) uint64 {
	return mustAmount(k.kv(ctx).Get(supplyKey(denom)), "supply")
}

// HasDenom reports whether denom exists.
func (k *Keeper) HasDenom(ctx *module.Context, denom string) bool {
	return k.kv(ctx).Has(denomKey(denom))
}

func (k *Keeper) setBalance(ctx *module.Context, addr tx.Address, denom string, v uint64) {
	if v == 0 {
		k.kv(ctx).Delete(balanceKey(addr, denom))
		return
	}
	k.kv(ctx).Set(balanceKey(addr, denom), EncodeAmount(v))
}

func (k *Keeper) requireDenom(ctx *module.Context, denom string) error {
	if !k.HasDenom(ctx, denom) {
		return ErrUnknownDenom.Wrapf("%q", denom)
	}
	return nil
}

// Send moves amount from one account to another. It is the one way modules
// move money (escrow accounts included), so supply is conserved.
func (k *Keeper) Send(ctx *module.Context, from, to tx.Address, amount tx.Coin) error {
	if err := k.requireDenom(ctx, amount.Denom); err != nil {
		return err
	}
	if from == to {
		return ErrSelfSend.Wrapf("%s", from)
	}
	fromBal := k.Balance(ctx, from, amount.Denom)
	newFrom, ok := tx.SubUint64(fromBal, amount.Amount)
	if !ok {
		return ErrInsufficientFunds.Wrapf("%s has %s, needs %s", from, tx.Coin{Amount: fromBal, Denom: amount.Denom}, amount)
	}
	newTo, ok := tx.AddUint64(k.Balance(ctx, to, amount.Denom), amount.Amount)
	if !ok {
		return ErrOverflow.Wrapf("balance of %s would exceed 2^64-1 %s", to, amount.Denom)
	}
	k.setBalance(ctx, from, amount.Denom, newFrom)
	k.setBalance(ctx, to, amount.Denom, newTo)
	k.accounts.EnsureAccount(ctx, to)
	ctx.Emit("bank.transfer", "from", from.String(), "to", to.String(), "amount", amount.String())
	return nil
}

// Mint creates amount for to and raises the supply.
func (k *Keeper) Mint(ctx *module.Context, to tx.Address, amount tx.Coin) error {
	if err := k.requireDenom(ctx, amount.Denom); err != nil {
		return err
	}
	supply, ok := tx.AddUint64(k.Supply(ctx, amount.Denom), amount.Amount)
	if !ok {
		return ErrOverflow.Wrapf("supply of %s would exceed 2^64-1", amount.Denom)
	}
	bal, ok := tx.AddUint64(k.Balance(ctx, to, amount.Denom), amount.Amount)
	if !ok {
		return ErrOverflow.Wrapf("balance of %s would exceed 2^64-1 %s", to, amount.Denom)
	}
	k.kv(ctx).Set(supplyKey(amount.Denom), EncodeAmount(supply))
	k.setBalance(ctx, to, amount.Denom, bal)
	k.accounts.EnsureAccount(ctx, to)
	ctx.Emit("bank.mint", "to", to.String(), "amount", amount.String())
	return nil
}

// Burn destroys amount from from's balance and lowers the supply.
func (k *Keeper) Burn(ctx *module.Context, from tx.Address, amount tx.Coin) error {
	if err := k.requireDenom(ctx, amount.Denom); err != nil {
		return err
	}
	bal := k.Balance(ctx, from, amount.Denom)
	newBal, ok := tx.SubUint64(bal, amount.Amount)
	if !ok {
		return ErrInsufficientFunds.Wrapf("%s has %s, burns %s", from, tx.Coin{Amount: bal, Denom: amount.Denom}, amount)
	}
	// supply >= any balance, so this cannot underflow unless the store is broken
	supply := mustSub(k.Supply(ctx, amount.Denom), amount.Amount)
	k.kv(ctx).Set(supplyKey(amount.Denom), EncodeAmount(supply))
	k.setBalance(ctx, from, amount.Denom, newBal)
	ctx.Emit("bank.burn", "from", from.String(), "amount", amount.String())
	return nil
}

func mustSub(a, b uint64) uint64 {
	d, ok := tx.SubUint64(a, b)
	if !ok {
		panic(fmt.Errorf("bank: supply %d below burnt amount %d", a, b))
	}
	return d
}

// Handle implements module.Module.
func (k *Keeper) Handle(ctx *module.Context, signer tx.Address, msg tx.Msg) error {
	switch m := msg.(type) {
	case *tx.MsgSend:
		if err := notModuleAccount(m); err != nil {
			return err
		}
		return k.Send(ctx, signer, m.To, m.Amount)
	case *tx.MsgMint:
		if !k.accounts.HasRole(ctx, signer, tx.IssuerRole(m.Amount.Denom)) {
			return ErrNotIssuer.Wrapf("%s does not hold role %q", signer, tx.IssuerRole(m.Amount.Denom))
		}
		if err := notModuleAccount(m); err != nil {
			return err
		}
		return k.Mint(ctx, m.To, m.Amount)
	case *tx.MsgBurn:
		return k.Burn(ctx, signer, m.Amount)
	}
	return module.ErrInternal.Wrapf("bank cannot handle %s", msg.Type())
}

// notModuleAccount refuses a user's send or mint to a module account (see
// tx.ModuleAccountName): no key controls it, so the coins could never be
// moved out again, and the module's own books would stop adding up. Only
// the modules move money into their accounts, through Send.
func notModuleAccount(msg tx.Msg) error {
	var to tx.Address
	switch m := msg.(type) {
	case *tx.MsgSend:
		to = m.To
	case *tx.MsgMint:
		to = m.To
	}
	name := tx.ModuleAccountName(to)
	if name == "" {
		return nil
	}
	hint := "only the " + strings.SplitN(name, "/", 2)[0] + " module moves its funds"
	if name == tx.ModuleAccountMileage {
		hint = "fund the mileage budget with mileage/fund"
	}
	return ErrModuleAccount.Wrapf("%s to %s, the %q module account: %s", msg.Type(), to, name, hint)
}
