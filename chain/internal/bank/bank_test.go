package bank_test

import (
	"math"
	"testing"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/tx"
)

var (
	alice    = apptest.Alice
	bob      = apptest.Bob
	treasury = apptest.Treasury
	kbank    = apptest.KBank
	stranger = apptest.Stranger
)

func coin(n uint64, denom string) tx.Coin { return tx.Coin{Amount: n, Denom: denom} }

func newChain(t *testing.T) *apptest.Harness {
	h := apptest.New(t, apptest.Options{})
	h.Block()
	return h
}

func TestSend(t *testing.T) {
	h := newChain(t)
	supply := h.Supply(tx.DenomSCoin)
	aliceBal := h.Balance(alice.Addr, tx.DenomSCoin)

	h.RunFail("insufficient funds", h.Sign(alice, &tx.MsgSend{To: bob.Addr, Amount: coin(aliceBal+1, tx.DenomSCoin)}),
		tx.CodeBankInsufficientFunds, alice.Addr.String(), "has 10000000000uscn", "needs 10000000001uscn")
	h.RunFail("no balance at all", h.Sign(treasury, &tx.MsgSend{To: bob.Addr, Amount: coin(1, tx.DenomKRW)}),
		tx.CodeBankInsufficientFunds, "has 0ukrw")
	h.RunFail("unknown denom", h.Sign(alice, &tx.MsgSend{To: bob.Addr, Amount: coin(1, "uxyz")}), tx.CodeBankUnknownDenom, `"uxyz"`)
	h.RunFail("self send", h.Sign(alice, &tx.MsgSend{To: alice.Addr, Amount: coin(1, tx.DenomSCoin)}), tx.CodeBankSelfSend, alice.Addr.String())
	h.RunFail("self send beyond balance", h.Sign(alice, &tx.MsgSend{To: alice.Addr, Amount: coin(aliceBal+1, tx.DenomSCoin)}), tx.CodeBankSelfSend)

	res := h.RunOK("send", h.Sign(alice, &tx.MsgSend{To: bob.Addr, Amount: coin(1234, tx.DenomSCoin)}))
	if !apptest.HasEvent(res.Events, "bank.transfer", "from", alice.Addr.String(), "to", bob.Addr.String(), "amount", "1234uscn") {
		t.Errorf("transfer event: %v", res.Events)
	}
	if !apptest.HasEvent(res.Events, "message", "action", tx.TypeBankSend, "sender", alice.Addr.String(), "index", "0") {
		t.Errorf("message event: %v", res.Events)
	}
	if got := h.Balance(alice.Addr, tx.DenomSCoin); got != aliceBal-1234 {
		t.Errorf("alice: got %d, want %d", got, aliceBal-1234)
	}
	if got := h.Supply(tx.DenomSCoin); got != supply {
		t.Errorf("a send changed the supply: %d -> %d", supply, got)
	}

	// Sending everything removes the balance entry.
	all := h.Balance(alice.Addr, tx.DenomKRW)
	h.RunOK("send all", h.Sign(alice, &tx.MsgSend{To: stranger.Addr, Amount: coin(all, tx.DenomKRW)}))
	apptest.RequireCode(t, "emptied balance", h.Query("/bank/balance", apptest.BalanceRequest(alice.Addr, tx.DenomKRW), 0, false), tx.CodeAppNotFound)
	if got := h.Balances(alice.Addr); len(got) != 1 || got[0].Denom != tx.DenomSCoin {
		t.Errorf("alice balances after sending all ukrw: got %v", got)
	}
	if a, ok := h.Account(stranger.Addr); !ok || a.Sequence != 0 {
		t.Errorf("recipient account: got %+v %v, want created", a, ok)
	}
}

func TestMint(t *testing.T) {
	h := newChain(t)
	supply := h.Supply(tx.DenomSCoin)
	h.RunFail("mint by non-issuer", h.Sign(alice, &tx.MsgMint{To: alice.Addr, Amount: coin(5, tx.DenomSCoin)}),
		tx.CodeBankNotIssuer, alice.Addr.String(), `"issuer/uscn"`)
	h.RunFail("mint by the other denomination's issuer", h.Sign(kbank, &tx.MsgMint{To: kbank.Addr, Amount: coin(5, tx.DenomSCoin)}),
		tx.CodeBankNotIssuer, `"issuer/uscn"`)
	h.RunFail("mint by the authority", h.Sign(apptest.Authority, &tx.MsgMint{To: bob.Addr, Amount: coin(5, tx.DenomKRW)}),
		tx.CodeBankNotIssuer, `"issuer/ukrw"`)
	// An issuer role for a denomination that does not exist mints nothing.
	h.RunOK("grant issuer/uxyz", h.Sign(apptest.Authority, &tx.MsgRoleGrant{Address: alice.Addr, Role: tx.IssuerRole("uxyz")}))
	h.RunFail("mint unknown denom", h.Sign(alice, &tx.MsgMint{To: alice.Addr, Amount: coin(5, "uxyz")}), tx.CodeBankUnknownDenom, `"uxyz"`)

	res := h.RunOK("mint", h.Sign(treasury, &tx.MsgMint{To: stranger.Addr, Amount: coin(777, tx.DenomSCoin)}))
	if !apptest.HasEvent(res.Events, "bank.mint", "to", stranger.Addr.String(), "amount", "777uscn") ||
		!apptest.HasEvent(res.Events, "auth.account_created", "address", stranger.Addr.String()) {
		t.Errorf("mint events: %v", res.Events)
	}
	if got := h.Supply(tx.DenomSCoin); got != supply+777 {
		t.Errorf("supply after mint: got %d, want %d", got, supply+777)
	}
	if got := h.Balance(stranger.Addr, tx.DenomSCoin); got != 777 {
		t.Errorf("minted balance: got %d", got)
	}

	// Up to exactly 2^64-1, and not one unit more.
	room := math.MaxUint64 - h.Supply(tx.DenomSCoin)
	h.RunFail("mint past 2^64", h.Sign(treasury, &tx.MsgMint{To: bob.Addr, Amount: coin(room+1, tx.DenomSCoin)}),
		tx.CodeBankOverflow, "supply of uscn would exceed 2^64-1")
	h.RunFail("mint the maximum amount", h.Sign(treasury, &tx.MsgMint{To: bob.Addr, Amount: coin(math.MaxUint64, tx.DenomSCoin)}), tx.CodeBankOverflow)
	h.RunOK("mint to the limit", h.Sign(treasury, &tx.MsgMint{To: bob.Addr, Amount: coin(room, tx.DenomSCoin)}))
	if got := h.Supply(tx.DenomSCoin); got != math.MaxUint64 {
		t.Fatalf("supply at the limit: got %d", got)
	}
	h.RunFail("mint one more", h.Sign(treasury, &tx.MsgMint{To: alice.Addr, Amount: coin(1, tx.DenomSCoin)}), tx.CodeBankOverflow)
	// Transfers near the limit still work and cannot overflow a balance.
	bobBal := h.Balance(bob.Addr, tx.DenomSCoin)
	h.RunOK("send at the limit", h.Sign(alice, &tx.MsgSend{To: bob.Addr, Amount: coin(1, tx.DenomSCoin)}))
	if got := h.Balance(bob.Addr, tx.DenomSCoin); got != bobBal+1 {
		t.Errorf("bob near the limit: got %d, want %d", got, bobBal+1)
	}
	h.RunOK("burn at the limit", h.Sign(bob, &tx.MsgBurn{Amount: coin(1, tx.DenomSCoin)}))
	h.RunOK("mint after burn", h.Sign(treasury, &tx.MsgMint{To: alice.Addr, Amount: coin(1, tx.DenomSCoin)}))
	if got := h.Supply(tx.DenomSCoin); got != math.MaxUint64 {
		t.Errorf("supply after burn and mint: got %d", got)
	}
}

func TestBurn(t *testing.T) {
	h := newChain(t)
	supply := h.Supply(tx.DenomKRW)
	bal := h.Balance(alice.Addr, tx.DenomKRW)
	h.RunFail("burn more than balance", h.Sign(alice, &tx.MsgBurn{Amount: coin(bal+1, tx.DenomKRW)}),
		tx.CodeBankInsufficientFunds, alice.Addr.String(), "burns")
	h.RunFail("burn without balance", h.Sign(treasury, &tx.MsgBurn{Amount: coin(1, tx.DenomKRW)}), tx.CodeBankInsufficientFunds, "has 0ukrw")
	h.RunFail("burn unknown denom", h.Sign(alice, &tx.MsgBurn{Amount: coin(1, "uabc")}), tx.CodeBankUnknownDenom, `"uabc"`)
	res := h.RunOK("burn", h.Sign(alice, &tx.MsgBurn{Amount: coin(500, tx.DenomKRW)}))
	if !apptest.HasEvent(res.Events, "bank.burn", "from", alice.Addr.String(), "amount", "500ukrw") {
		t.Errorf("burn events: %v", res.Events)
	}
	if got := h.Supply(tx.DenomKRW); got != supply-500 {
		t.Errorf("supply after burn: got %d, want %d", got, supply-500)
	}
	h.RunOK("burn all", h.Sign(alice, &tx.MsgBurn{Amount: coin(bal-500, tx.DenomKRW)}))
	if got := h.Supply(tx.DenomKRW); got != supply-bal {
		t.Errorf("supply after burning all: got %d, want %d", got, supply-bal)
	}
	apptest.RequireCode(t, "burnt balance", h.Query("/bank/balance", apptest.BalanceRequest(alice.Addr, tx.DenomKRW), 0, false), tx.CodeAppNotFound)

	// Mint, send, burn in one transaction: all or nothing, supply moves by
	// exactly mint minus burn.
	scn := h.Supply(tx.DenomSCoin)
	h.RunOK("mint+burn", h.Sign(treasury,
		&tx.MsgMint{To: treasury.Addr, Amount: coin(1000, tx.DenomSCoin)},
		&tx.MsgSend{To: bob.Addr, Amount: coin(10, tx.DenomSCoin)},
		&tx.MsgBurn{Amount: coin(300, tx.DenomSCoin)}))
	if got := h.Supply(tx.DenomSCoin); got != scn+700 {
		t.Errorf("supply after mint 1000 burn 300: got %d, want %d", got, scn+700)
	}
	h.RunFail("mint then overdrawn burn", h.Sign(treasury,
		&tx.MsgMint{To: treasury.Addr, Amount: coin(1000, tx.DenomSCoin)},
		&tx.MsgBurn{Amount: coin(math.MaxUint64, tx.DenomSCoin)}), tx.CodeBankInsufficientFunds, "message 1 (bank/burn)")
	if got := h.Supply(tx.DenomSCoin); got != scn+700 {
		t.Errorf("supply after a failed mint+burn: got %d, want %d", got, scn+700)
	}
}

// TestSendToModuleAccount: a bank/send or bank/mint to any module account
// (the market escrow, the mileage budget and held account, the subsidy
// escrow, the labour escrow and withheld account, the contracts escrow) is
// refused with bank code 8 naming the module account, and
// changes no balance or supply: coins there could never be moved out, and
// the modules' books would stop adding up. The modules' own moves into
// and out of their accounts still work.
func TestSendToModuleAccount(t *testing.T) {
	h := newChain(t)
	if got := tx.ModuleAccounts(); len(got) != 7 {
		t.Fatalf("module accounts: %v", got)
	}
	for _, name := range tx.ModuleAccounts() {
		addr := tx.ModuleAddress(name)
		if got := tx.ModuleAccountName(addr); got != name {
			t.Fatalf("ModuleAccountName(%s): got %q, want %q", addr, got, name)
		}
		before := h.Balance(addr, tx.DenomSCoin)
		aliceBal, supply := h.Balance(alice.Addr, tx.DenomSCoin), h.Supply(tx.DenomSCoin)
		h.RunFail("send to "+name, h.Sign(alice, &tx.MsgSend{To: addr, Amount: coin(1000, tx.DenomSCoin)}),
			tx.CodeBankModuleAccount, "bank/send", addr.String(), `"`+name+`" module account`)
		h.RunFail("mint to "+name, h.Sign(treasury, &tx.MsgMint{To: addr, Amount: coin(1000, tx.DenomSCoin)}),
			tx.CodeBankModuleAccount, "bank/mint", `"`+name+`"`)
		// One message of a transaction refused: none of its messages applies.
		h.RunFail("send to "+name+" after a good send", h.Sign(alice,
			&tx.MsgSend{To: bob.Addr, Amount: coin(1, tx.DenomSCoin)},
			&tx.MsgSend{To: addr, Amount: coin(1, tx.DenomSCoin)}), tx.CodeBankModuleAccount, "message 1 (bank/send)")
		if got := h.Balance(addr, tx.DenomSCoin); got != before {
			t.Errorf("%s balance: got %d, want %d", name, got, before)
		}
		if got := h.Balance(alice.Addr, tx.DenomSCoin); got != aliceBal {
			t.Errorf("alice after refused sends to %s: got %d, want %d", name, got, aliceBal)
		}
		if got := h.Supply(tx.DenomSCoin); got != supply {
			t.Errorf("supply after a refused mint to %s: got %d, want %d", name, got, supply)
		}
	}
	h.RunFail("mileage budget hint", h.Sign(alice, &tx.MsgSend{To: tx.ModuleAddress("mileage"), Amount: coin(5, tx.DenomSCoin)}),
		tx.CodeBankModuleAccount, "mileage/fund")
	if got := tx.ModuleAccountName(alice.Addr); got != "" {
		t.Errorf("ModuleAccountName(alice): got %q", got)
	}

	// The modules still move money into their accounts themselves.
	budget := h.Balance(tx.ModuleAddress("mileage"), tx.DenomSCoin)
	h.RunOK("mileage/fund", h.Sign(alice, &tx.MsgMileageFund{Amount: coin(5, tx.DenomSCoin)}))
	if got := h.Balance(tx.ModuleAddress("mileage"), tx.DenomSCoin); got != budget+5 {
		t.Errorf("budget after mileage/fund: got %d, want %d", got, budget+5)
	}
	escrow := h.Balance(tx.ModuleAddress("market"), tx.DenomSCoin)
	next := uint64(apptest.BlockTime(h.Height+1).Unix())/900 + 2 // the default 15-minute intervals
	h.RunOK("market/bid escrows", h.Sign(bob, &tx.MsgBid{Interval: next, Wh: 1000, MaxPrice: 7000}))
	if got := h.Balance(tx.ModuleAddress("market"), tx.DenomSCoin); got != escrow+7000 {
		t.Errorf("market escrow after a bid: got %d, want %d", got, escrow+7000)
	}
}
