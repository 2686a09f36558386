package mileage_test

import (
	"fmt"
	"testing"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/mileage"
	"github.com/citychain/citychain/chain/tx"
)

var (
	busCard  = apptest.NewKey("t-money") // a transit merchant
	guOffice = apptest.NewKey("jung-gu") // a district office taking local taxes
	shop     = apptest.NewKey("bakery")  // a neighbourhood shop, not registered
)

func uscn(n uint64) tx.Coin { return tx.Coin{Amount: n, Denom: tx.DenomSCoin} }

func citizenSetup(expiry uint64) setup {
	p := testParams()
	p.AwardExpirySeconds = expiry
	return setup{intervalSeconds: 60, params: p, budget: 10_000_000, merchants: []tx.MsgMileageRegisterMerchant{
		{Address: busCard.Addr, Name: "T-money top-up", Category: tx.MerchantTransit},
	}}
}

func TestAwardAndSpend(t *testing.T) {
	h := citizenSetup(0).start(t)
	award := func(k apptest.Key, to tx.Address, amount uint64) []byte {
		return h.Sign(k, &tx.MsgMileageAward{To: to, Amount: uscn(amount), ReasonCode: "voting", Memo: "m-Voting 2025-03"})
	}
	h.RunFail("award by a citizen", award(apptest.Alice, apptest.Bob.Addr, 100), tx.CodeMileageNotIssuer, "mileage_issuer")
	h.RunFail("award by the treasury", award(apptest.Treasury, apptest.Bob.Addr, 100), tx.CodeMileageNotIssuer)
	h.RunFail("issuer awards itself", award(apptest.Agency, apptest.Agency.Addr, 100), tx.CodeMileageInvalidRecipient, "itself")
	h.RunFail("award to the budget", award(apptest.Agency, mileage.BudgetAddress, 100), tx.CodeMileageInvalidRecipient, "module account")
	h.RunFail("award to the held account", award(apptest.Agency, mileage.HeldAddress, 100), tx.CodeMileageInvalidRecipient)
	h.RunFail("award beyond the budget", award(apptest.Agency, apptest.Alice.Addr, 10_000_001), tx.CodeMileageBudgetInsufficient, "10000000uscn")

	aliceBank := h.Balance(apptest.Alice.Addr, "uscn")
	res := h.RunOK("award", award(apptest.Agency, apptest.Alice.Addr, 3_000_000))
	if !apptest.HasEvent(res.Events, "mileage.awarded", "award_id", "0", "issuer", apptest.Agency.Addr.String(),
		"to", apptest.Alice.Addr.String(), "amount", "3000000uscn", "reason_code", "voting", "memo", "m-Voting 2025-03", "expires_at", "0") {
		t.Fatalf("award events: %v", res.Events)
	}
	h.RunOK("award to a new account", award(apptest.Agency, apptest.Stranger.Addr, 500_000))
	if _, ok := h.Account(apptest.Stranger.Addr); !ok {
		t.Fatal("an award must create the recipient's account so it can spend")
	}
	if a := account(t, h, apptest.Alice.Addr); a.Balance != 3_000_000 || a.Awarded != 3_000_000 || a.OpenAwards != 1 || a.History != 1 {
		t.Fatalf("alice: %+v", a)
	}
	if b := h.Balance(apptest.Alice.Addr, "uscn"); b != aliceBank {
		t.Fatalf("alice's bank balance changed: %d -> %d (mileage is held, not paid out)", aliceBank, b)
	}
	if b := budget(t, h); b.Budget.Amount != 6_500_000 || b.Held.Amount != 3_500_000 || b.Totals.Awarded != 3_500_000 || b.Totals.NextAwardID != 2 {
		t.Fatalf("budget: %+v", b)
	}

	// Merchants.
	reg := func(k apptest.Key, addr tx.Address, cat string) []byte {
		return h.Sign(k, &tx.MsgMileageRegisterMerchant{Address: addr, Name: "Jung-gu office", Category: cat})
	}
	h.RunFail("merchant registered by a citizen", reg(apptest.Alice, guOffice.Addr, tx.MerchantLocalTax), tx.CodeMileageNotAgency, "agency")
	res = h.RunOK("register", reg(apptest.Agency, guOffice.Addr, tx.MerchantLocalTax))
	if !apptest.HasEvent(res.Events, "mileage.merchant_registered", "address", guOffice.Addr.String(), "category", "local_tax", "by", apptest.Agency.Addr.String()) {
		t.Fatalf("register events: %v", res.Events)
	}
	h.RunFail("register twice", reg(apptest.Agency, guOffice.Addr, tx.MerchantDonation), tx.CodeMileageMerchantExists, "Jung-gu office")
	h.RunFail("register the budget", reg(apptest.Agency, mileage.BudgetAddress, tx.MerchantMerchant), tx.CodeMileageInvalidRecipient)
	seq := h.Seq(apptest.Agency)
	apptest.RequireCode(t, "bad category", h.CheckTx(reg(apptest.Agency, shop.Addr, "casino")), tx.CodeTxInvalidMsg, "category")
	h.SetSeq(apptest.Agency, seq)

	// Spending.
	spend := func(k apptest.Key, m tx.Address, amount uint64) []byte {
		return h.Sign(k, &tx.MsgMileageSpend{Merchant: m, Amount: uscn(amount), Memo: "card 1234"})
	}
	h.RunFail("spend at an unregistered shop", spend(apptest.Alice, shop.Addr, 100), tx.CodeMileageUnknownMerchant, shop.Addr.String())
	h.RunFail("overspend", spend(apptest.Alice, busCard.Addr, 3_000_001), tx.CodeMileageInsufficient, "3000000uscn")
	h.RunFail("spend without mileage", spend(apptest.Bob, busCard.Addr, 1), tx.CodeMileageInsufficient)
	res = h.RunOK("spend", spend(apptest.Alice, busCard.Addr, 1_250_000))
	if !apptest.HasEvent(res.Events, "mileage.spent", "from", apptest.Alice.Addr.String(), "merchant", busCard.Addr.String(),
		"category", "transit", "amount", "1250000uscn", "memo", "card 1234") {
		t.Fatalf("spend events: %v", res.Events)
	}
	if b := h.Balance(busCard.Addr, "uscn"); b != 1_250_000 {
		t.Fatalf("merchant received %d", b)
	}
	h.RunOK("spend the rest at the district office", spend(apptest.Alice, guOffice.Addr, 1_750_000))
	h.RunFail("nothing left", spend(apptest.Alice, guOffice.Addr, 1), tx.CodeMileageInsufficient)
	if a := account(t, h, apptest.Alice.Addr); a.Balance != 0 || a.Spent != 3_000_000 || a.OpenAwards != 0 || a.History != 3 {
		t.Fatalf("alice after spending: %+v", a)
	}
	if a := account(t, h, busCard.Addr); a.Received != 1_250_000 || a.History != 1 {
		t.Fatalf("merchant account: %+v", a)
	}

	// A merchant with mileage of its own cannot spend it at itself.
	h.RunOK("award a merchant", award(apptest.Agency, busCard.Addr, 10))
	h.RunFail("merchant spends at itself", h.Sign(busCard, &tx.MsgMileageSpend{Merchant: busCard.Addr, Amount: uscn(10)}), tx.CodeMileageSelfSpend)

	// Wrong denominations and bad fields are invalid messages.
	for name, m := range map[string]tx.Msg{
		"award in ukrw":     &tx.MsgMileageAward{To: apptest.Bob.Addr, Amount: tx.Coin{Amount: 1, Denom: "ukrw"}, ReasonCode: "voting"},
		"spend in ukrw":     &tx.MsgMileageSpend{Merchant: busCard.Addr, Amount: tx.Coin{Amount: 1, Denom: "ukrw"}},
		"fund in ukrw":      &tx.MsgMileageFund{Amount: tx.Coin{Amount: 1, Denom: "ukrw"}},
		"reason with caps":  &tx.MsgMileageAward{To: apptest.Bob.Addr, Amount: uscn(1), ReasonCode: "Voting"},
		"empty reason":      &tx.MsgMileageAward{To: apptest.Bob.Addr, Amount: uscn(1)},
		"zero award":        &tx.MsgMileageAward{To: apptest.Bob.Addr, Amount: uscn(0), ReasonCode: "voting"},
		"memo with newline": &tx.MsgMileageSpend{Merchant: busCard.Addr, Amount: uscn(1), Memo: "a\nb"},
		"no merchant name":  &tx.MsgMileageRegisterMerchant{Address: shop.Addr, Category: tx.MerchantMerchant},
	} {
		seq := h.Seq(apptest.Agency)
		apptest.RequireCode(t, name, h.CheckTx(h.Sign(apptest.Agency, m)), tx.CodeTxInvalidMsg)
		h.SetSeq(apptest.Agency, seq)
	}
	h.RunFail("fund beyond the balance", h.Sign(apptest.Bob, &tx.MsgMileageFund{Amount: apptest.SCN(1_000_000)}), tx.CodeBankInsufficientFunds)

	// Queries.
	var hist mileage.HistoryPage
	h.QueryJSON(t, "/mileage/history", apptest.MustJSON(t, mileage.HistoryRequest{Address: apptest.Alice.Addr, Start: 1, Limit: 1}), &hist)
	if hist.Total != 3 || len(hist.Entries) != 1 || hist.Entries[0].Kind != mileage.KindSpend || hist.Entries[0].Counterparty != busCard.Addr || hist.Entries[0].N != 1 {
		t.Fatalf("history page: %+v", hist)
	}
	var merchants mileage.MerchantsPage
	h.QueryJSON(t, "/mileage/merchants", nil, &merchants)
	if len(merchants.Merchants) != 2 || merchants.Next != nil {
		t.Fatalf("merchants: %+v", merchants)
	}
	var p mileage.Params
	h.QueryJSON(t, "/mileage/params", nil, &p)
	if p.PeriodIntervals != 2 || len(p.BonusTiers) != 4 {
		t.Fatalf("params: %+v", p)
	}
	res2 := h.Query("/mileage/account", []byte(apptest.Alice.Addr.String()), 0, true)
	if res2.Code != 0 || res2.ProofOps == nil {
		t.Fatalf("account query with proof: %s/%d %s", res2.Codespace, res2.Code, res2.Log)
	}
	for _, c := range []struct {
		path string
		data string
		code tx.Code
	}{
		{"/mileage/account", "nothex", tx.CodeAppBadQuery},
		{"/mileage/history", `{"address":"` + apptest.Alice.Addr.String() + `","limit":101}`, tx.CodeAppBadQuery},
		{"/mileage/history", `{"addr":"x"}`, tx.CodeAppBadQuery},
		{"/mileage/vehicle", "ev-none", tx.CodeAppNotFound},
		{"/mileage/vehicle", "EV", tx.CodeAppBadQuery},
		{"/mileage/period", "x", tx.CodeAppBadQuery},
		{"/mileage/merchant", shop.Addr.String(), tx.CodeAppNotFound},
		{"/mileage/merchants", "zz", tx.CodeAppBadQuery},
		{"/mileage/nothing", "", tx.CodeAppUnknownQuery},
	} {
		apptest.RequireCode(t, c.path+" "+c.data, h.Query(c.path, []byte(c.data), 0, false), c.code)
	}
}

func TestAwardsExpireOldestFirst(t *testing.T) {
	h := citizenSetup(60).start(t) // awards expire 60 s (12 blocks) after they are made
	award := func(amount uint64) uint64 {
		res := h.RunOK("award", h.Sign(apptest.Agency, &tx.MsgMileageAward{To: apptest.Alice.Addr, Amount: uscn(amount), ReasonCode: "energy_saving"}))
		at, _ := apptest.Attr(res.Events, "mileage.awarded", "expires_at")
		return num(t, at)
	}
	exp0 := award(1_000) // block 1, expires at block 13's time
	if exp0 != uint64(apptest.BlockTime(1).Unix())+60 {
		t.Fatalf("expires_at %d", exp0)
	}
	advanceTo(h, 4)
	award(2_000) // block 5, expires at block 17
	award(4_000) // block 6, expires at block 18
	h.RunOK("spend 1,500: all of award 0 and 500 of award 1", h.Sign(apptest.Alice, &tx.MsgMileageSpend{Merchant: busCard.Addr, Amount: uscn(1_500)}))
	if a := account(t, h, apptest.Alice.Addr); a.Balance != 5_500 || a.OpenAwards != 2 {
		t.Fatalf("after spend: %+v", a)
	}
	budget0 := budget(t, h).Budget.Amount
	evs := advanceTo(h, 16)
	if n := len(attrs(evs, "mileage.expired")); n != 0 {
		t.Fatalf("expired early: %v (award 0 was spent in full)", attrs(evs, "mileage.expired"))
	}
	evs = advanceTo(h, 17)
	if !apptest.HasEvent(evs, "mileage.expired", "address", apptest.Alice.Addr.String(), "award_id", "1", "amount", "1500uscn") {
		t.Fatalf("block 17: %v", attrs(evs, "mileage.expired"))
	}
	evs = advanceTo(h, 18)
	if !apptest.HasEvent(evs, "mileage.expired", "award_id", "2", "amount", "4000uscn") {
		t.Fatalf("block 18: %v", attrs(evs, "mileage.expired"))
	}
	a := account(t, h, apptest.Alice.Addr)
	b := budget(t, h)
	if a.Balance != 0 || a.Expired != 5_500 || a.OpenAwards != 0 || b.Held.Amount != 0 || b.Budget.Amount != budget0+5_500 || b.Totals.Expired != 5_500 {
		t.Fatalf("after expiry: account %+v budget %+v (budget before %d)", a, b, budget0)
	}
	h.RunFail("spend expired mileage", h.Sign(apptest.Alice, &tx.MsgMileageSpend{Merchant: busCard.Addr, Amount: uscn(1)}), tx.CodeMileageInsufficient)
	var hist mileage.HistoryPage
	h.QueryJSON(t, "/mileage/history", apptest.MustJSON(t, mileage.HistoryRequest{Address: apptest.Alice.Addr}), &hist)
	kinds := ""
	for _, e := range hist.Entries {
		kinds += fmt.Sprintf("%s:%d ", e.Kind, e.Amount)
	}
	if kinds != "award:1000 award:2000 award:4000 spend:1500 expire:1500 expire:4000 " {
		t.Fatalf("history: %s", kinds)
	}
}

// At most max_expiries_per_block awards expire per block; the rest follow,
// oldest first, in the next blocks.
func TestExpiryIsBounded(t *testing.T) {
	s := citizenSetup(10)
	s.params.MaxExpiriesPerBlock = 2
	h := s.start(t)
	var txs [][]byte
	for i := 0; i < 5; i++ {
		txs = append(txs, h.Sign(apptest.Agency, &tx.MsgMileageAward{To: apptest.Bob.Addr, Amount: uscn(uint64(100 + i)), ReasonCode: "donation"}))
	}
	h.Block(txs...) // block 1: five awards expiring at block 3's time
	var ids []string
	for h.Height < 6 {
		for _, a := range attrs(h.Block().Result.Events, "mileage.expired") {
			ids = append(ids, fmt.Sprintf("%d:%s", h.Height, a["award_id"]))
		}
	}
	if fmt.Sprint(ids) != "[3:0 3:1 4:2 4:3 5:4]" {
		t.Fatalf("expiries by block: %v", ids)
	}
	if a := account(t, h, apptest.Bob.Addr); a.Balance != 0 || a.Expired != 510 {
		t.Fatalf("bob: %+v", a)
	}
}

func TestGenesisValidation(t *testing.T) {
	bad := map[string]func(*mileage.Params){
		"period 0":         func(p *mileage.Params) { p.PeriodIntervals = 0 },
		"period too long":  func(p *mileage.Params) { p.PeriodIntervals = mileage.MaxPeriodIntervals + 1 },
		"tiers unsorted":   func(p *mileage.Params) { p.BonusTiers[1].MinReductionBP = 1 },
		"tier above 100%":  func(p *mileage.Params) { p.BonusTiers[3].MinReductionBP = 10_001 },
		"reward overflows": func(p *mileage.Params) { p.UscnPerKm = 1 << 62 },
		"no settlement":    func(p *mileage.Params) { p.MaxVehiclesPerBlock = 0 },
		"expiry too long":  func(p *mileage.Params) { p.AwardExpirySeconds = mileage.MaxAwardExpirySeconds + 1 },
	}
	for name, mut := range bad {
		t.Run(name, func(t *testing.T) {
			p := testParams()
			mut(&p)
			if err := p.Validate(60); err == nil {
				t.Fatalf("%+v: valid", p)
			}
		})
	}
	if err := mileage.DefaultParams().Validate(900); err != nil {
		t.Fatalf("default params: %v", err)
	}
	// An enrolment of an unknown device fails the genesis.
	s := citizenSetup(0)
	s.enrolled = []tx.MsgMileageEnrollVehicle{{Device: "ev-ghost"}}
	raw := s.appState(t)
	a := apptest.Open(t, apptest.Options{})
	if _, err := a.App.InitChain(t.Context(), initChain(raw)); err == nil {
		t.Fatal("genesis enrolling an unknown device: accepted")
	}
}
