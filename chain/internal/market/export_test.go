package market_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/citychain/citychain/chain/app"
	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/market"
	"github.com/citychain/citychain/chain/tx"
)

// exportSection exports h's committed state and returns the app state and
// the market's section of it.
func exportSection(t *testing.T, h *apptest.Harness) (*app.Exported, map[string]json.RawMessage, market.Genesis) {
	t.Helper()
	exp, err := h.App.Export(0)
	if err != nil {
		t.Fatalf("export at height %d: %v", h.Height, err)
	}
	var sections map[string]json.RawMessage
	if err := json.Unmarshal(exp.AppState, &sections); err != nil {
		t.Fatal(err)
	}
	var g market.Genesis
	dec := json.NewDecoder(strings.NewReader(string(sections[market.Codespace])))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		t.Fatalf("decode the exported market section: %v", err)
	}
	return exp, sections, g
}

// TestExportRoundTrip runs the seeded market simulation and, every 20
// blocks, exports the committed state as genesis and imports it into a
// fresh application, which must hold the same keys and values. The exports
// must have caught the market busy: open offers and bids, cancelled and
// cleared orders, intervals pending (some emptied by cancels), cleared
// intervals with trades waiting for settlement, and settlements.
func TestExportRoundTrip(t *testing.T) {
	s := newSim(t, 7)
	seen := map[string]int{}
	for n := 1; s.next() < s.first+6; n++ {
		s.step()
		if n%20 != 0 {
			continue
		}
		_, _, g := exportSection(t, s.Harness)
		for _, o := range g.Orders {
			seen[o.Side+"/"+o.Status]++
		}
		for _, p := range g.Pending {
			if p.OfferWh == 0 && p.BidWh == 0 {
				seen["pending, emptied"]++
			} else {
				seen["pending"]++
			}
		}
		for _, tr := range g.Trades {
			if tr.Settled {
				seen["trade settled"]++
			} else {
				seen["trade unsettled"]++
			}
		}
		seen["settlement"] += len(g.Settlements)
		s.ExportRoundTrip(t)
	}
	for _, what := range []string{"offer/open", "bid/open", "bid/cancelled", "offer/filled", "bid/partial", "bid/unmatched",
		"pending", "trade settled", "trade unsettled", "settlement"} {
		if seen[what] == 0 {
			t.Errorf("no export caught %q (%v)", what, seen)
		}
	}
	t.Logf("exported: %v", seen)
}

// TestExportAfterTheGridOperatorLostItsRole: fees keep going to the
// operator fixed at genesis after an authority revoked its role, and the
// export still imports (the role check is for a new chain's genesis).
func TestExportAfterTheGridOperatorLostItsRole(t *testing.T) {
	s := newSim(t, 3)
	for s.next() < s.first+2 {
		s.step()
	}
	s.RunOK("revoke", s.Sign(apptest.Authority, &tx.MsgRoleRevoke{Address: apptest.GridOp.Addr, Role: tx.RoleGridOperator}))
	s.ExportRoundTrip(t)
}

// TestExportRejectsCorruptSections imports exports edited by hand: each
// is refused, naming the field and the value.
func TestExportRejectsCorruptSections(t *testing.T) {
	s := newSim(t, 7)
	for s.next() < s.first+4 {
		s.step()
	}
	exp, sections, g := exportSection(t, s.Harness)
	if len(g.Pending) == 0 || len(g.Settlements) == 0 {
		t.Fatalf("the export has %d pending intervals and %d settlements; the cases need both", len(g.Pending), len(g.Settlements))
	}
	cases := []struct {
		name string
		edit func(g *market.Genesis)
		want string
	}{
		{"pending total off by one", func(g *market.Genesis) { g.Pending[0].OfferWh++ },
			"pending[0].offer_wh: "},
		{"a settlement dropped", func(g *market.Genesis) { g.Settlements = g.Settlements[:len(g.Settlements)-1] },
			"settled: true, but interval"},
		{"open bids' escrow above what the escrow holds", func(g *market.Genesis) {
			for i := range g.Orders {
				if o := &g.Orders[i]; o.Side == market.SideBid && o.Status == market.StatusOpen {
					o.Price, o.Escrow = 1_000_000_000, 1_000_000*o.Wh // ceil(wh × 1e9 / 1000)
					return
				}
			}
			t.Fatal("no open bid in the export")
		}, "the market escrow"},
		{"next order id below an order", func(g *market.Genesis) { g.NextOrderID = g.Orders[len(g.Orders)-1].ID },
			"want below next_order_id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var edited market.Genesis
			if err := json.Unmarshal(sections[market.Codespace], &edited); err != nil {
				t.Fatal(err)
			}
			c.edit(&edited)
			st := map[string]json.RawMessage{}
			for name, raw := range sections {
				st[name] = raw
			}
			st[market.Codespace] = apptest.MustJSON(t, edited)
			initFails(t, exp, apptest.MustJSON(t, st), c.want)
		})
	}
	t.Run("an unknown field", func(t *testing.T) {
		st := map[string]json.RawMessage{}
		for name, raw := range sections {
			st[name] = raw
		}
		st[market.Codespace] = json.RawMessage(strings.Replace(string(sections[market.Codespace]), `"orders":`, `"orderz":[],"orders":`, 1))
		initFails(t, exp, apptest.MustJSON(t, st), `unknown field "orderz"`)
	})
}

// initFails runs InitChain of appState on a fresh application, with the
// export's time and validators, and fails t unless it is refused with an
// error containing want.
func initFails(t *testing.T, exp *app.Exported, appState []byte, want string) {
	t.Helper()
	h := apptest.Open(t, apptest.Options{})
	_, err := h.App.InitChain(context.Background(), &abci.RequestInitChain{
		Time: exp.Time, ChainId: exp.ChainID, InitialHeight: 1, AppStateBytes: appState, Validators: exp.Validators,
	})
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("InitChain: got %v, want an error containing %q", err, want)
	}
	t.Logf("refused: %v", err)
}
