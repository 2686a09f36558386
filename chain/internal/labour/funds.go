package labour

import (
	"strconv"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// setRule adds a row to the rule table: the signer holds labour_ministry;
// the row takes effect after the block's KST date and after every row of
// its kind.
func (b *batch) setRule(signer tx.Address, m *tx.MsgLabourSetRule) error {
	if !b.k.auth.HasRole(b.ctx, signer, tx.RoleLabourMinistry) {
		return ErrNotMinistry.Wrapf("%s does not hold %s", signer, tx.RoleLabourMinistry)
	}
	if today := tx.DateOf(b.now); m.Effective <= today {
		return ErrRuleDate.Wrapf("effective %s: want a date after the block's date %s", m.Effective, today)
	}
	for _, r := range b.rules() {
		if r.Kind == m.Kind && r.Effective >= m.Effective {
			return ErrRuleDate.Wrapf("effective %s: want a date after the %s row of %s", m.Effective, r.Kind, r.Effective)
		}
	}
	r := tx.LabourRule{Kind: m.Kind, Effective: m.Effective, Value: m.Value}
	store.PutJSON(b.kv, ruleKey(r.Kind, r.Effective), &r)
	b.ctx.Emit("labour.rule", "kind", r.Kind, "effective", r.Effective, "value", module.U64(r.Value))
	return nil
}

// deposit moves the signer's ukrw into its own fund.
func (b *batch) deposit(signer tx.Address, m *tx.MsgLabourDeposit) error {
	amount := tx.WonCoin(m.AmountKRW)
	if have := b.k.bank.Balance(b.ctx, signer, tx.DenomKRW); have < amount.Amount {
		return ErrInsufficient.Wrapf("amount_krw %d: %s holds %s", m.AmountKRW, signer, tx.Coin{Amount: have, Denom: tx.DenomKRW})
	}
	if err := b.k.bank.Send(b.ctx, signer, EscrowAddress, amount); err != nil {
		return ErrInsufficient.Wrapf("amount_krw %d: %v", m.AmountKRW, err)
	}
	id := fundID(signer, "")
	f := b.fund(id, signer, "")
	b.credit(id, f, m.AmountKRW)
	b.ctx.Emit("labour.deposit", "owner", signer.String(), "amount_krw", module.U64(m.AmountKRW), "balance_krw", module.U64(f.BalanceKRW))
	return nil
}

// credit adds won to fund id's balance and deposits; a fund with late
// statements is marked for a retry in this block's end-of-block work.
func (b *batch) credit(id []byte, f *tx.LabourFund, won uint64) {
	f.BalanceKRW += won
	f.DepositedKRW += won
	b.st().EscrowKRW += won
	if f.Late > 0 {
		b.setQueued(retryKey(id), nil, true)
	}
}

// withdraw takes won back from the signer's own fund: at most its balance
// less what its statements owe. It never touches a project's pool.
func (b *batch) withdraw(signer tx.Address, m *tx.MsgLabourWithdraw) error {
	id := fundID(signer, "")
	if getFund(b.kv, id) == nil {
		return ErrInsufficient.Wrapf("amount_krw %d: %s has no fund", m.AmountKRW, signer)
	}
	f := b.fund(id, signer, "")
	free := uint64(0)
	if f.BalanceKRW > f.OwedKRW {
		free = f.BalanceKRW - f.OwedKRW
	}
	if m.AmountKRW > free {
		return ErrInsufficient.Wrapf("amount_krw %d: the fund of %s holds %d won, %d owed to its workers: at most %d free",
			m.AmountKRW, signer, f.BalanceKRW, f.OwedKRW, free)
	}
	if err := b.k.bank.Send(b.ctx, EscrowAddress, signer, tx.WonCoin(m.AmountKRW)); err != nil {
		return module.ErrInternal.Wrapf("withdraw %d won: %v", m.AmountKRW, err)
	}
	f.BalanceKRW -= m.AmountKRW
	f.WithdrawnKRW += m.AmountKRW
	b.st().EscrowKRW -= m.AmountKRW
	b.ctx.Emit("labour.withdraw", "owner", signer.String(), "amount_krw", module.U64(m.AmountKRW), "balance_krw", module.U64(f.BalanceKRW))
	return nil
}

// FundProject moves amountKRW won from the contracts escrow into project's
// labour pool (called by the contracts module when a milestone's labour
// share is released). A pool with late statements retries them in this
// block's end-of-block work (or the next block's when called from the
// contracts module's own). Nothing is changed when it fails.
func (k *Keeper) FundProject(ctx *module.Context, project string, amountKRW uint64) error {
	if err := tx.ValidateProjectID(project); err != nil {
		return ErrProjectEmployer.Wrapf("%v", err)
	}
	if amountKRW == 0 {
		return nil
	}
	if amountKRW > tx.MaxKRW {
		return ErrInsufficient.Wrapf("amount_krw %d: want at most %d", amountKRW, uint64(tx.MaxKRW))
	}
	if have := k.bank.Balance(ctx, ContractsEscrow, tx.DenomKRW); have < amountKRW*tx.UKRWPerWon {
		return ErrInsufficient.Wrapf("fund project %s with %d won: the contracts escrow holds %s", project, amountKRW, tx.Coin{Amount: have, Denom: tx.DenomKRW})
	}
	if err := k.bank.Send(ctx, ContractsEscrow, EscrowAddress, tx.WonCoin(amountKRW)); err != nil {
		return err
	}
	b := k.begin(ctx)
	id := fundID(tx.Address{}, project)
	f := b.fund(id, tx.Address{}, project)
	b.credit(id, f, amountKRW)
	ctx.Emit("labour.funded", "project", project, "amount_krw", module.U64(amountKRW), "balance_krw", module.U64(f.BalanceKRW))
	return b.flush()
}

// ProjectTotals returns the labour tier of a project's arrears view: the
// wages owed (late statements' gross) and paid from its labour pool.
func (k *Keeper) ProjectTotals(ctx *module.Context, project string) (owed, paid uint64) {
	return totals(k.kv(ctx), project)
}

func i64(v int64) string { return strconv.FormatInt(v, 10) }
