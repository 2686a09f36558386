package node

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/keyring"
	"github.com/citychain/citychain/chain/tx"
)

// TestLabourHistory imports the devnet's labour history into a real app
// for a genesis on each day of a week, early and late in the day (KST),
// and checks what the first block does with it: worker 1's statement of
// the last pay day is paid on time, worker 2's turns late at that block,
// the weeks since close with their pay due after the genesis, the escrow
// holds the fund's balance; then the shop's deposit pays worker 2 with
// tx.LateInterest for at least six days late.
func TestLabourHistory(t *testing.T) {
	monday := time.Date(2026, 11, 30, 0, 0, 0, 0, tx.KST)
	for d := range 7 {
		for _, hm := range []time.Duration{30 * time.Minute, 23*time.Hour + 30*time.Minute} {
			now := monday.AddDate(0, 0, d).Add(hm)
			t.Run(now.Format("Mon-15:04"), func(t *testing.T) { checkLabourHistory(t, now) })
		}
	}
}

func checkLabourHistory(t *testing.T, now time.Time) {
	kr, err := keyring.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	st, err := BuildAppState(kr, DemoAccounts())
	if err == nil {
		err = addAccounts(kr, st, CivicAccounts())
	}
	if err == nil {
		err = addLabourHistory(kr, st, now)
	}
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	h := apptest.New(t, apptest.Options{AppState: raw, GenesisTime: now})
	b := h.Block()
	block := h.BlockTime(b.Height).Unix()

	stmt := func(id uint64) tx.WageStatement {
		var s tx.WageStatement
		h.QueryJSON(t, "/labour/statement", []byte(fmt.Sprintf(`{"id":%d}`, id)), &s)
		return s
	}
	onTime, late := stmt(3), stmt(4)
	if onTime.Status != tx.StatementPaid || onTime.DaysLate != 0 || onTime.GrossKRW != 185_760 {
		t.Errorf("worker 1's pay-day statement %+v, want 185,760 won paid on time", onTime)
	}
	if late.Status != tx.StatementLate || late.Due != onTime.Due || tx.DaysLate(late.Due, block) != historyPayDayAgo || late.GrossKRW != 247_680 {
		t.Errorf("worker 2's pay-day statement %+v at the first block, want 247,680 won late %d days", late, historyPayDayAgo)
	}
	if !apptest.HasEvent(b.Result.Events, "labour.late", "id", "4") {
		t.Errorf("no labour.late event for statement 4 at the first block: %v", b.Result.Events)
	}
	var stats tx.LabourStats
	h.QueryJSON(t, "/labour/stats", nil, &stats)
	// The first week and week X (paid), then the weeks closed at the first
	// block: their pay is due after the genesis.
	for id := uint64(5); id <= stats.Statements; id++ {
		if s := stmt(id); s.Status != tx.StatementPending || s.Due <= now.Unix() || s.GrossKRW == 0 {
			t.Errorf("statement %d closed at the first block: %+v, want pending, due after the genesis", id, s)
		}
	}
	if stats.Statements < 4 || stats.Late != 1 || stats.Paid != 3 || stats.Active != 2 {
		t.Errorf("stats %+v", stats)
	}
	if got := h.Balance(tx.ModuleAddress(tx.ModuleAccountLabourEscrow), tx.DenomKRW); got != historyLeftover*tx.UKRWPerWon {
		t.Errorf("labour/escrow holds %d ukrw, want the fund's %d won", got, historyLeftover)
	}
	term, ok := h.Device(ShopTerminal)
	shop, _ := kr.Get("shop")
	if !ok || term.Kind != tx.KindWorkTerminal || term.Owner != shop.Address {
		t.Errorf("the shop's terminal %+v", term)
	}

	sk := apptest.Key{Name: "shop", Priv: shop.Private, Pub: shop.PubKey, Addr: shop.Address}
	b = h.Block(h.Sign(sk, &tx.MsgLabourDeposit{AmountKRW: 1_000_000}))
	apptest.RequireOK(t, "deposit", b.TxResult(0))
	paid := stmt(4)
	want := tx.LateInterest(tx.DefaultLabourRules(), tx.RuleLateInterest, paid.GrossKRW, paid.Due, h.BlockTime(b.Height).Unix())
	if paid.Status != tx.StatementPaid || paid.DaysLate < historyPayDayAgo || paid.InterestKRW == 0 || paid.InterestKRW != want {
		t.Errorf("worker 2's statement after the deposit %+v, want paid with %d won interest", paid, want)
	}
}
