package market_test

import (
	"encoding/json"
	"maps"
	"strings"
	"testing"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/market"
	"github.com/citychain/citychain/chain/tx"
)

// TestExportRoundTrip runs the seeded market simulation and, every 20
// blocks, exports the committed state as genesis and imports it into a
// fresh application, which must hold the same keys and values. The exports
// must have caught the market busy: open offers and bids, cancelled and
// cleared orders, intervals pending (some emptied by cancels), cleared
// intervals with trades waiting for settlement, and settlements.
func TestExportRoundTrip(t *testing.T) {
	s := newSim(t, 5) // a seed whose exports also hold a trade voided by a device transfer
	seen := map[string]int{}
	for n := 1; s.next() < s.first+6; n++ {
		s.step()
		if n%20 != 0 {
			continue
		}
		_, sections := s.ExportSections(t)
		g := apptest.DecodeSection[market.Genesis](t, sections, market.Codespace)
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
			if tr.Void != "" {
				seen["trade voided"]++
			}
		}
		seen["settlement"] += len(g.Settlements)
		s.ExportRoundTrip(t)
	}
	apptest.RequireExportsCaught(t, seen, "offer/open", "bid/open", "bid/cancelled", "offer/filled", "bid/partial", "bid/unmatched",
		"pending", "trade settled", "trade unsettled", "trade voided", "settlement")
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
	exp, sections := s.ExportSections(t)
	g := apptest.DecodeSection[market.Genesis](t, sections, market.Codespace)
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
		{"a paid trade marked voided", func(g *market.Genesis) {
			for i := range g.Trades {
				if tr := &g.Trades[i]; tr.Settled && tr.Paid > 0 {
					tr.Void = market.VoidDeviceTransferred
					return
				}
			}
			t.Fatal("no paid trade in the export")
		}, `.void: "device_transferred", but the trade is settled true`},
		{"an unknown void reason", func(g *market.Genesis) {
			for i := range g.Trades {
				if tr := &g.Trades[i]; tr.Settled {
					tr.Void = "sold"
					return
				}
			}
		}, `.void: "sold", want "device_transferred" or none`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			apptest.RequireImportRefused(t, exp, apptest.EditSection(t, sections, market.Codespace, c.edit), c.want)
		})
	}
	t.Run("an unknown field", func(t *testing.T) {
		st := maps.Clone(sections)
		st[market.Codespace] = json.RawMessage(strings.Replace(string(sections[market.Codespace]), `"orders":`, `"orderz":[],"orders":`, 1))
		apptest.RequireImportRefused(t, exp, st, `unknown field "orderz"`)
	})
}
