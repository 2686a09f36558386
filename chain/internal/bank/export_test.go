package bank_test

import (
	"strings"
	"testing"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/bank"
	"github.com/citychain/citychain/chain/tx"
)

// TestExportRoundTrip: balances moved by sends, mints (one to a new
// account) and burns, a balance sent away entirely; the export imported
// gives the same balances and supplies, and the imported chain goes on.
func TestExportRoundTrip(t *testing.T) {
	h := newChain(t)
	h.RunOK("send", h.Sign(alice, &tx.MsgSend{To: bob.Addr, Amount: coin(1234, tx.DenomSCoin)}))
	h.RunOK("mint to a new account", h.Sign(treasury, &tx.MsgMint{To: stranger.Addr, Amount: coin(5_000_000, tx.DenomSCoin)}))
	h.RunOK("mint ukrw", h.Sign(kbank, &tx.MsgMint{To: bob.Addr, Amount: coin(77, tx.DenomKRW)}))
	h.RunOK("burn", h.Sign(treasury, &tx.MsgBurn{Amount: coin(999, tx.DenomSCoin)}))
	h.RunOK("send all ukrw", h.Sign(alice, &tx.MsgSend{To: stranger.Addr, Amount: coin(h.Balance(alice.Addr, tx.DenomKRW), tx.DenomKRW)}))
	h.RunOK("burn all ukrw", h.Sign(stranger, &tx.MsgBurn{Amount: coin(h.Balance(stranger.Addr, tx.DenomKRW), tx.DenomKRW)}))
	supply := h.Supply(tx.DenomSCoin)

	imported := h.ExportRoundTrip(t)

	imported.Block()
	if got := imported.Supply(tx.DenomSCoin); got != supply {
		t.Errorf("imported uscn supply: got %d, want %d", got, supply)
	}
	if got := imported.Balances(alice.Addr); len(got) != 1 || got[0].Denom != tx.DenomSCoin {
		t.Errorf("imported alice balances: got %v, want uscn only", got)
	}
	imported.RunOK("send on the imported chain", imported.Sign(stranger, &tx.MsgSend{To: alice.Addr, Amount: coin(5_000_000, tx.DenomSCoin)}))
	imported.RunFail("stranger spent everything", imported.Sign(stranger, &tx.MsgSend{To: alice.Addr, Amount: coin(1, tx.DenomSCoin)}),
		tx.CodeBankInsufficientFunds, "has 0uscn")
}

// TestImportRejectsCorruptSection: a section whose supplies are not what
// its balances mint, or with a balance of an unknown denomination, is
// refused.
func TestImportRejectsCorruptSection(t *testing.T) {
	h := newChain(t)
	h.RunOK("burn", h.Sign(treasury, &tx.MsgBurn{Amount: coin(10, tx.DenomSCoin)}))
	exp, sections := h.ExportSections(t)
	cases := []struct {
		name string
		edit func(g *bank.Genesis)
		want []string
	}{
		{"supply off by one", func(g *bank.Genesis) {
			for i := range g.Supplies {
				if g.Supplies[i].Denom == tx.DenomSCoin {
					g.Supplies[i].Amount++
				}
			}
		}, []string{"invalid bank genesis", "supplies[1]", "but the balances sum to"}},
		{"supply missing", func(g *bank.Genesis) { g.Supplies = g.Supplies[:1] }, []string{"invalid bank genesis", `no supply of denomination "uscn"`}},
		{"unknown denomination", func(g *bank.Genesis) {
			g.Balances[0].Coins = append(g.Balances[0].Coins, coin(1, "uxyz"))
		}, []string{"invalid bank genesis", "balance of", `unknown denomination: "uxyz"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := apptest.ImportSections(exp, apptest.EditSection(t, sections, "bank", c.edit))
			for _, w := range c.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Fatalf("import: got %v, want an error mentioning %q", err, w)
				}
			}
		})
	}
}
