package mileage

import (
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

func requireSCoin(c tx.Coin) error {
	if c.Denom != tx.DenomSCoin {
		return ErrWrongDenom.Wrapf("amount %s: want %s", c, tx.DenomSCoin)
	}
	return nil
}

// isModuleAccount reports whether a is one of the chain's module accounts
// (tx.ModuleAccountName): the mileage budget and held account, and the
// other modules' escrows. No key controls them, so none may receive an
// award, be a merchant or be paid a vehicle reward.
func isModuleAccount(a tx.Address) bool { return tx.ModuleAccountName(a) != "" }

// fund moves S-Coin from the signer to the budget.
func (k *Keeper) fund(ctx *module.Context, signer tx.Address, m *tx.MsgMileageFund) error {
	if err := requireSCoin(m.Amount); err != nil {
		return err
	}
	if err := k.bank.Send(ctx, signer, BudgetAddress, m.Amount); err != nil {
		return err
	}
	t := k.totals(ctx)
	t.Funded = sat(t.Funded, m.Amount.Amount)
	putJSON(k.kv(ctx), totalsKey, t)
	ctx.Emit("mileage.funded", "from", signer.String(), "amount", m.Amount.String())
	return nil
}

// award pays an award from the budget into the recipient's mileage balance.
func (k *Keeper) award(ctx *module.Context, signer tx.Address, m *tx.MsgMileageAward) error {
	if !k.roles.HasRole(ctx, signer, tx.RoleMileageIssuer) {
		return ErrNotIssuer.Wrapf("%s does not hold role %q", signer, tx.RoleMileageIssuer)
	}
	if err := requireSCoin(m.Amount); err != nil {
		return err
	}
	if m.To == signer {
		return ErrInvalidRecipient.Wrapf("issuer %s cannot award itself", signer)
	}
	if isModuleAccount(m.To) {
		return ErrInvalidRecipient.Wrapf("%s is the %q module account", m.To, tx.ModuleAccountName(m.To))
	}
	if bal := k.bank.Balance(ctx, BudgetAddress, tx.DenomSCoin); bal < m.Amount.Amount {
		return ErrBudgetInsufficient.Wrapf("budget %s holds %s, award needs %s", BudgetAddress, scn(bal), m.Amount)
	}
	if err := k.bank.Send(ctx, BudgetAddress, HeldAddress, m.Amount); err != nil {
		return err
	}
	p := k.Params(ctx)
	var expires uint64
	if p.AwardExpirySeconds > 0 {
		expires = mustAdd(unix(ctx), p.AwardExpirySeconds, "expiry time")
	}
	kv := k.kv(ctx)
	t := k.totals(ctx)
	id := t.NextAwardID
	t.NextAwardID = mustAdd(t.NextAwardID, 1, "award id")
	t.Awarded = sat(t.Awarded, m.Amount.Amount)
	putJSON(kv, totalsKey, t)

	putJSON(kv, lotKey(m.To, id), Lot{
		ID: id, Amount: m.Amount.Amount, Remaining: m.Amount.Amount, ReasonCode: m.ReasonCode,
		Issuer: signer, Height: ctx.Height, ExpiresAt: expires,
	})
	if expires > 0 {
		kv.Set(expiryKey(expires, id), m.To[:])
	}
	k.roles.EnsureAccount(ctx, m.To)
	acct := k.Account(ctx, m.To)
	acct.Balance = mustAdd(acct.Balance, m.Amount.Amount, "mileage balance")
	acct.Awarded = sat(acct.Awarded, m.Amount.Amount)
	acct.OpenAwards++
	k.addHistory(ctx, &acct, HistoryEntry{Kind: KindAward, Amount: m.Amount.Amount, Counterparty: signer,
		ReasonCode: m.ReasonCode, Memo: m.Memo, AwardID: id})
	putJSON(kv, accountKey(m.To), acct)
	ctx.Emit("mileage.awarded", "award_id", module.U64(id), "issuer", signer.String(), "to", m.To.String(),
		"amount", m.Amount.String(), "reason_code", m.ReasonCode, "memo", m.Memo, "expires_at", module.U64(expires))
	return nil
}

// spend moves part of the signer's mileage balance to a registered merchant
// as plain S-Coin, consuming the signer's awards oldest first.
func (k *Keeper) spend(ctx *module.Context, signer tx.Address, m *tx.MsgMileageSpend) error {
	if err := requireSCoin(m.Amount); err != nil {
		return err
	}
	kv := k.kv(ctx)
	merch := k.merchant(kv, m.Merchant)
	if merch == nil {
		return ErrUnknownMerchant.Wrapf("%s", m.Merchant)
	}
	if m.Merchant == signer {
		return ErrSelfSpend.Wrapf("%s", signer)
	}
	acct := k.Account(ctx, signer)
	if acct.Balance < m.Amount.Amount {
		return ErrInsufficient.Wrapf("%s has %s of mileage, spends %s", signer, scn(acct.Balance), m.Amount)
	}
	closed := k.consumeLots(ctx, signer, m.Amount.Amount)
	if err := k.bank.Send(ctx, HeldAddress, m.Merchant, m.Amount); err != nil {
		return err
	}
	acct.Balance -= m.Amount.Amount
	acct.Spent = sat(acct.Spent, m.Amount.Amount)
	acct.OpenAwards = mustSub(acct.OpenAwards, closed, "open awards")
	k.addHistory(ctx, &acct, HistoryEntry{Kind: KindSpend, Amount: m.Amount.Amount, Counterparty: m.Merchant, Memo: m.Memo})
	putJSON(kv, accountKey(signer), acct)

	macct := k.Account(ctx, m.Merchant)
	macct.Received = sat(macct.Received, m.Amount.Amount)
	k.addHistory(ctx, &macct, HistoryEntry{Kind: KindReceived, Amount: m.Amount.Amount, Counterparty: signer, Memo: m.Memo})
	putJSON(kv, accountKey(m.Merchant), macct)
	merch.Received = sat(merch.Received, m.Amount.Amount)
	putJSON(kv, merchantKey(m.Merchant), merch)

	t := k.totals(ctx)
	t.Spent = sat(t.Spent, m.Amount.Amount)
	putJSON(kv, totalsKey, t)
	ctx.Emit("mileage.spent", "from", signer.String(), "merchant", m.Merchant.String(), "category", merch.Category,
		"amount", m.Amount.String(), "memo", m.Memo)
	return nil
}

// consumeLots takes amount from addr's lots, oldest first, and returns how
// many lots it closed. The caller checked the balance, which is the sum of
// the lots' remaining amounts.
func (k *Keeper) consumeLots(ctx *module.Context, addr tx.Address, amount uint64) (closed uint64) {
	kv := k.kv(ctx)
	var lots []Lot
	var sum uint64
	store.EachPrefix(kv, lotPrefix(addr), func(_, value []byte) bool {
		var l Lot
		getJSONBytes(value, &l)
		lots = append(lots, l)
		sum = mustAdd(sum, l.Remaining, "lots")
		return sum < amount
	})
	need := amount
	for _, l := range lots {
		take := min(l.Remaining, need)
		need -= take
		l.Remaining -= take
		if l.Remaining == 0 {
			kv.Delete(lotKey(addr, l.ID))
			if l.ExpiresAt > 0 {
				kv.Delete(expiryKey(l.ExpiresAt, l.ID))
			}
			closed++
		} else {
			putJSON(kv, lotKey(addr, l.ID), l)
		}
	}
	if need != 0 {
		panic("mileage: the lots of " + addr.String() + " do not cover its balance")
	}
	return closed
}

// registerMerchant registers a merchant; signer is zero at genesis.
func (k *Keeper) registerMerchant(ctx *module.Context, signer tx.Address, m *tx.MsgMileageRegisterMerchant) error {
	if isModuleAccount(m.Address) {
		return ErrInvalidRecipient.Wrapf("%s is the %q module account", m.Address, tx.ModuleAccountName(m.Address))
	}
	kv := k.kv(ctx)
	if old := k.merchant(kv, m.Address); old != nil {
		return ErrMerchantExists.Wrapf("%s is registered as %q (%s)", m.Address, old.Name, old.Category)
	}
	putJSON(kv, merchantKey(m.Address), Merchant{
		Address: m.Address, Name: m.Name, Category: m.Category, RegisteredBy: signer, Height: ctx.Height,
	})
	ctx.Emit("mileage.merchant_registered", "address", m.Address.String(), "name", m.Name, "category", m.Category,
		"by", signer.String())
	return nil
}

// expireAwards returns the unspent part of every award past its expiry to
// the budget, oldest expiry first (ties by award id), at most
// MaxExpiriesPerBlock per block; the rest waits for the next block.
func (k *Keeper) expireAwards(ctx *module.Context, p Params) error {
	kv := k.kv(ctx)
	now := unix(ctx)
	type due struct {
		at, id uint64
		addr   tx.Address
	}
	var list []due
	store.EachPrefix(kv, []byte{prefixExpiry}, func(key, value []byte) bool {
		at := u64key(key[1:9])
		if at > now || uint64(len(list)) >= p.MaxExpiriesPerBlock {
			return false
		}
		var a tx.Address
		copy(a[:], value)
		list = append(list, due{at: at, id: u64key(key[9:17]), addr: a})
		return true
	})
	if len(list) == 0 {
		return nil
	}
	t := k.totals(ctx)
	for _, d := range list {
		var l Lot
		if !getJSON(kv, lotKey(d.addr, d.id), &l) {
			panic("mileage: expiry entry without its award lot")
		}
		kv.Delete(lotKey(d.addr, d.id))
		kv.Delete(expiryKey(d.at, d.id))
		if err := k.bank.Send(ctx, HeldAddress, BudgetAddress, scn(l.Remaining)); err != nil {
			return err
		}
		acct := k.Account(ctx, d.addr)
		acct.Balance = mustSub(acct.Balance, l.Remaining, "mileage balance")
		acct.Expired = sat(acct.Expired, l.Remaining)
		acct.OpenAwards = mustSub(acct.OpenAwards, 1, "open awards")
		k.addHistory(ctx, &acct, HistoryEntry{Kind: KindExpire, Amount: l.Remaining, Counterparty: l.Issuer,
			ReasonCode: l.ReasonCode, AwardID: l.ID})
		putJSON(kv, accountKey(d.addr), acct)
		t.Expired = sat(t.Expired, l.Remaining)
		ctx.Emit("mileage.expired", "address", d.addr.String(), "award_id", module.U64(l.ID),
			"amount", scn(l.Remaining).String(), "expires_at", module.U64(d.at))
	}
	putJSON(kv, totalsKey, t)
	return nil
}
