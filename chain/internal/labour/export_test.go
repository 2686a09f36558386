package labour_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/labour"
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// TestNoSection: a chain that never used the module (a refused labour
// message changes nothing) exports no labour section; the queries answer
// the built-in table and empty statistics.
func TestNoSection(t *testing.T) {
	c := newChain(t)
	c.fail("withdraw", shop, &tx.MsgLabourWithdraw{AmountKRW: 5}, tx.CodeLabourInsufficient)
	if s := c.section(); s != "" {
		t.Fatalf("exported %s", s)
	}
	if r := query[tx.LabourRules](c, "rules", struct{}{}); len(r.Rules) != len(tx.DefaultLabourRules()) || r.Params != labour.DefaultParams() {
		t.Fatalf("rules %+v", r)
	}
	if st := c.stats(); st != (tx.LabourStats{}) {
		t.Fatalf("stats %+v", st)
	}
}

// busy is a chain with a rule added, parameters set, a paid weekly
// statement, a late one, a monthly statement taking weeks, an open shift,
// a disputed correction, an offer not countersigned and an ended one.
func busy(t *testing.T) *chain {
	p := tx.LabourParams{MaxPaymentsPerBlock: 50}
	c := newChainWith(t, &labour.Genesis{Params: &p})
	c.ok("rule", ministry, &tx.MsgLabourSetRule{Kind: tx.RuleMinWage, Effective: "2027-01-01", Value: 11_000})
	c.ok("deposit", shop, &tx.MsgLabourDeposit{AmountKRW: 300_000})
	week := kst(2025, 3, 3, 0, 0)
	c1 := c.hire(shop, worker1, offerMsg(worker1, "2025-03-03", days(180, 0, weekdays...), 12_000))
	m2 := offerMsg(worker2, "2025-03-03", days(240, 30, "mon", "wed"), 11_000)
	m2.PayCycle, m2.PayDay = tx.PayMonthly, 5
	c2 := c.hire(shop, worker2, m2)
	c3 := c.hire(shop2, worker3, offerMsg(worker3, "2025-03-03", days(120, 0, "tue"), 15_000))
	c.ok("an offer waiting", shop, offerMsg(worker3, "2025-04-07", days(60, 0, "sat"), 10_030))
	c.ok("an offer withdrawn", shop2, offerMsg(worker1, "2025-04-07", days(60, 0, "sat"), 10_030))
	c.ok("withdraw it", shop2, &tx.MsgLabourEnd{Contract: 5, End: "2025-04-07"})
	for wk := range 2 {
		w := week.AddDate(0, 0, 7*wk)
		for d := range 5 {
			day := w.AddDate(0, 0, d)
			c.shiftAt(worker1, c1, day.Add(9*time.Hour), day.Add(12*time.Hour))
			if d == 0 || d == 2 {
				c.shiftAt(worker2, c2, day.Add(13*time.Hour), day.Add(17*time.Hour+30*time.Minute))
			}
			if d == 1 {
				c.shiftAt(worker3, c3, day.Add(18*time.Hour), day.Add(20*time.Hour))
			}
		}
	}
	c.ok("a disputed correction", shop, &tx.MsgLabourCorrect{Contract: c1, Shift: 10, In: kst(2025, 3, 14, 9, 0).Unix(), Out: kst(2025, 3, 14, 10, 0).Unix()})
	c.okAt(kst(2025, 3, 17, 9, 0), "an open shift", worker1, &tx.MsgLabourClock{Contract: c1, Action: tx.ClockIn})
	return c
}

// TestExportRoundTrip: a busy chain exports, imports into a fresh app with
// the same state hash (derived keys included: App.Export checks them),
// and the import exports byte for byte the same section; the imported
// chain goes on (its queues rebuilt: the open week closes, the late
// statement is paid on a deposit).
func TestExportRoundTrip(t *testing.T) {
	c := busy(t)
	exp, sections := c.h.ExportSections(t)
	g := apptest.DecodeSection[labour.Genesis](t, sections, labour.Codespace)
	if g.Params == nil || len(g.Rules) != 1 || len(g.Contracts) != 5 || len(g.Accruals) != 1 || len(g.Funds) != 2 {
		t.Fatalf("exported %s", sections[labour.Codespace])
	}
	var late, paid int
	for _, s := range g.Statements {
		switch s.Status {
		case tx.StatementLate:
			late++
		case tx.StatementPaid:
			paid++
		}
	}
	if late == 0 || paid == 0 {
		t.Fatalf("statements %+v: want paid and late ones", g.Statements)
	}
	h := c.h.ExportRoundTrip(t)
	ic := &chain{t: t, h: h, now: exp.Time}
	_, again := ic.h.ExportSections(t)
	if string(again[labour.Codespace]) != string(sections[labour.Codespace]) {
		t.Fatalf("the import exports\n%s\nthe export was\n%s", again[labour.Codespace], sections[labour.Codespace])
	}
	ic.okAt(kst(2025, 3, 17, 12, 0), "out", worker1, &tx.MsgLabourClock{Contract: 1, Action: tx.ClockOut})
	if st := ic.stats(); st.Late != 3 {
		t.Fatalf("stats %+v: want 3 late statements", st)
	}
	ic.okAt(kst(2025, 3, 18, 9, 0), "deposit", shop2, &tx.MsgLabourDeposit{AmountKRW: 100_000})
	ic.okAt(kst(2025, 3, 18, 10, 0), "deposit", shop, &tx.MsgLabourDeposit{AmountKRW: 1_000_000})
	ic.at(kst(2025, 3, 24, 0, 0))
	if st := ic.stats(); st.Late != 0 || st.Paid != 5 { // the monthly statement is due on 5 April
		t.Fatalf("stats %+v", st)
	}
	ic.h.ExportRoundTrip(t)
}

// TestCorruptGenesis: an edited export is refused with labour 2 naming
// what is wrong.
func TestCorruptGenesis(t *testing.T) {
	c := busy(t)
	exp, sections := c.h.ExportSections(t)
	for _, tc := range []struct {
		name string
		edit func(g *labour.Genesis)
		want string
	}{
		{"a fund's balance", func(g *labour.Genesis) { g.Funds[0].BalanceKRW++; g.Funds[0].DepositedKRW++ }, "labour/escrow"},
		{"a fund's owed", func(g *labour.Genesis) { g.Funds[0].OwedKRW++ }, "funds[0]: owed"},
		{"a fund that does not add up", func(g *labour.Genesis) { g.Funds[1].PaidKRW++ }, "funds[1]: balance"},
		{"a statement's gross", func(g *labour.Genesis) { g.Statements[0].GrossKRW++ }, "statements[0].gross_krw"},
		{"a statement's net", func(g *labour.Genesis) { g.Statements[0].NetKRW++ }, "statements[0].net_krw"},
		{"a statement's worker", func(g *labour.Genesis) { g.Statements[0].Worker = shop2.Addr }, "statements[0]: parties"},
		{"a statement id gap", func(g *labour.Genesis) { g.Statements[0].ID = 9 }, "statements[0].id"},
		{"a statement status", func(g *labour.Genesis) { g.Statements[0].Status = "lost" }, "statements[0].status"},
		{"a shift's minutes", func(g *labour.Genesis) { g.Shifts[0].Minutes += 60 }, "shifts[0].minutes"},
		{"a shift missing", func(g *labour.Genesis) { g.Shifts = g.Shifts[1:] }, "shifts[0]"},
		{"a shift's statement", func(g *labour.Genesis) { g.Shifts[0].Statement = 99 }, "shifts[0].statement"},
		{"a contract status", func(g *labour.Genesis) { g.Contracts[0].Status = "paused" }, "contracts[0].status"},
		{"a contract's week", func(g *labour.Genesis) { g.Contracts[0].ClosedThrough += 3600 }, "contracts[0].closed_through"},
		{"a contract id gap", func(g *labour.Genesis) { g.Contracts[1].ID = 7 }, "contracts[1].id"},
		{"an offer field", func(g *labour.Genesis) { g.Contracts[0].PayCycle = "yearly" }, "pay_cycle"},
		{"a rule before the built-in rows", func(g *labour.Genesis) { g.Rules[0].Effective = "2025-06-01" }, "rules[0]"},
		{"an accrual", func(g *labour.Genesis) { g.Accruals[0].Minutes++ }, "accruals[0]"},
		{"params", func(g *labour.Genesis) { g.Params.MaxPaymentsPerBlock = 0 }, "max_payments_per_block"},
		{"a retry of no fund", func(g *labour.Genesis) { g.Retry = []labour.FundRef{{Project: "nowhere"}} }, "retry[0]"},
	} {
		edited := apptest.EditSection(t, sections, labour.Codespace, tc.edit)
		err := apptest.ImportSections(exp, edited)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, tx.CodeLabourInvalidGenesis) {
			t.Errorf("%s: got %v, want labour 2 naming %q", tc.name, err, tc.want)
		}
	}
	bad := map[string]json.RawMessage{}
	for k, v := range sections {
		bad[k] = v
	}
	bad[labour.Codespace] = json.RawMessage(`{"contract":[]}`)
	apptest.RequireImportRefused(t, exp, bad, "unknown field")
}

// TestGenesisChecks: sections no running chain writes, refused directly.
func TestGenesisChecks(t *testing.T) {
	w := newWorld(t, time.Unix(0, 0), 0, nil)
	k := w.k
	ctx := module.NewContext(store.NewCache(w.state), "c", 1, time.Unix(0, 0))
	for _, c := range []struct{ name, section, want string }{
		{"unknown field", `{"parms":{}}`, "parms"},
		{"a rule of no kind", `{"rules":[{"kind":"bonus","effective":"2027-01-01","value":1}]}`, "rules[0]"},
		{"rules out of order", `{"rules":[{"kind":"min_wage","effective":"2028-01-01","value":12000},{"kind":"min_wage","effective":"2027-01-01","value":11000}]}`, "rules[1]"},
		{"a line of no statement", `{"lines":[{"project":"p","worker":"` + strings.Repeat("ab", 20) + `","owed_krw":1,"paid_krw":0}]}`, "lines[0]"},
	} {
		err := k.InitGenesis(ctx, json.RawMessage(c.section))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error naming %q", c.name, err, c.want)
		}
	}
	if err := k.InitGenesis(ctx, nil); err != nil {
		t.Fatal(err)
	}
}
