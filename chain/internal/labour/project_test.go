package labour_test

import (
	"testing"
	"time"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/labour"
	"github.com/citychain/citychain/chain/tx"
)

var (
	prime  = apptest.NewKey("prime")
	sub    = apptest.NewKey("sub")
	outfit = apptest.NewKey("outfit") // employs on no project
)

// TestProjectPool: a project's labour pool is funded only by the
// contracts module (FundProject from contracts/escrow) and pays only
// workers of contracts naming the project, offered by its prime or a
// subcontractor. A statement due while the pool is empty turns late (the
// prime's own fund does not pay it), is owed on the worker's project line
// and in the project's totals, and is paid with its interest when the
// pool is funded. The prime cannot withdraw the pool: labour/withdraw
// only touches the signer's own fund (S1).
func TestProjectPool(t *testing.T) {
	w := newWorld(t, kst(2026, 3, 2, 8, 0), 10_000_000, nil,
		member{addr: prime.Addr, won: 5_000_000}, member{addr: sub.Addr, won: 1_000_000}, member{addr: outfit.Addr, won: 1_000_000},
		member{addr: worker1.Addr}, member{addr: worker2.Addr})
	w.proj.employers["road-7"] = []tx.Address{prime.Addr, sub.Addr}
	w.proj.employers["bridge-2"] = []tx.Address{outfit.Addr}
	offer := func(worker apptest.Key, project string) *tx.MsgLabourOffer {
		m := offerMsg(worker, "2026-03-02", days(480, 60, weekdays...), 12_000)
		m.Project = project
		return m
	}
	w.refused("an employer not on the project", outfit.Addr, offer(worker1, "road-7"), tx.CodeLabourProjectEmployer)
	w.refused("an unknown project", prime.Addr, offer(worker1, "road-8"), tx.CodeLabourProjectEmployer)
	m1, m2 := offer(worker1, "road-7"), offer(worker2, "road-7")
	w.must("prime's offer", prime.Addr, m1)
	w.must("sub's offer", sub.Addr, m2)
	w.must("countersign 1", worker1.Addr, &tx.MsgLabourCountersign{Contract: 1, Terms: m1.Terms})
	w.must("countersign 2", worker2.Addr, &tx.MsgLabourCountersign{Contract: 2, Terms: m2.Terms})
	w.must("the prime's own fund", prime.Addr, &tx.MsgLabourDeposit{AmountKRW: 3_000_000})
	week := kst(2026, 3, 2, 0, 0)
	for d := range 5 {
		day := week.AddDate(0, 0, d)
		for i, k := range []apptest.Key{worker1, worker2} {
			w.at(day.Add(time.Duration(8+i) * time.Hour))
			w.must("in", k.Addr, &tx.MsgLabourClock{Contract: uint64(i + 1), Action: tx.ClockIn})
			w.at(day.Add(time.Duration(17+i) * time.Hour))
			w.must("out", k.Addr, &tx.MsgLabourClock{Contract: uint64(i + 1), Action: tx.ClockOut})
		}
	}
	w.block(week.AddDate(0, 0, 7))
	_, g := w.section()
	gross := uint64(2400*12_000/60 + 12_000*8) // 40 h and the allowance
	if len(g.Statements) != 2 || g.Statements[0].Status != tx.StatementLate || g.Statements[0].GrossKRW != gross || g.Statements[0].Project != "road-7" {
		t.Fatalf("statements %+v", g.Statements)
	}
	if owed, paid := w.k.ProjectTotals(w.ctx(w.state), "road-7"); owed != 2*gross || paid != 0 {
		t.Fatalf("totals %d %d", owed, paid)
	}
	if len(g.Lines) != 2 || g.Lines[0].OwedKRW != gross || g.Lines[0].PaidKRW != 0 {
		t.Fatalf("lines %+v", g.Lines)
	}
	if f := w.k.Fund(w.ctx(w.state), prime.Addr, ""); f.BalanceKRW != 3_000_000 || f.OwedKRW != 0 {
		t.Fatalf("the prime's fund paid a project's worker: %+v", f)
	}

	// The prime cannot draw on the pool: its withdraw touches its own fund.
	if err := w.fundProject("road-7", 600_000); err != nil {
		t.Fatal(err)
	}
	w.refused("the prime withdraws the pool's money", prime.Addr, &tx.MsgLabourWithdraw{AmountKRW: 3_000_001}, tx.CodeLabourInsufficient)
	w.refused("the sub withdraws from no fund of its own", sub.Addr, &tx.MsgLabourWithdraw{AmountKRW: 600_000}, tx.CodeLabourInsufficient)
	if f := w.k.Fund(w.ctx(w.state), tx.Address{}, "road-7"); f.BalanceKRW != 600_000 || f.DepositedKRW != 600_000 || f.Late != 2 {
		t.Fatalf("pool %+v", f)
	}
	if err := w.fundProject("road-7", 100_000_000); err == nil {
		t.Fatal("funded beyond the contracts escrow")
	}
	if err := w.fundProject("Road 7", 1); err == nil {
		t.Fatal("funded a bad project id")
	}
	// The funding in a message's block is retried in its end-of-block work:
	// two days late, worker 1 first (oldest first); the pool holds 600,000
	// and statement 1 needs its gross and interest; statement 2 then waits.
	w.block(week.AddDate(0, 0, 9))
	_, g = w.section()
	s1, s2 := g.Statements[0], g.Statements[1]
	interest := tx.LateInterest(tx.DefaultLabourRules(), tx.RuleLateInterest, gross, s1.Due, w.now.Unix())
	if s1.Status != tx.StatementPaid || s1.InterestKRW != interest || interest == 0 || s2.Status != tx.StatementLate {
		t.Fatalf("statements %+v %+v", s1, s2)
	}
	if owed, paid := w.k.ProjectTotals(w.ctx(w.state), "road-7"); owed != gross || paid != gross {
		t.Fatalf("totals %d %d", owed, paid)
	}
	if g.Lines[0].Worker != worker1.Addr && g.Lines[1].Worker != worker1.Addr {
		t.Fatalf("lines %+v", g.Lines)
	}
	w.reimport()
	if err := w.fundProject("road-7", 1_000_000); err != nil {
		t.Fatal(err)
	}
	w.block(week.AddDate(0, 0, 10))
	_, g = w.section()
	if g.Statements[1].Status != tx.StatementPaid || g.Funds[len(g.Funds)-1].Late != 0 {
		t.Fatalf("after the second funding: %+v", g.Statements[1])
	}
	if owed, paid := w.k.ProjectTotals(w.ctx(w.state), "road-7"); owed != 0 || paid != 2*gross {
		t.Fatalf("totals %d %d", owed, paid)
	}
	if got := w.krw(labour.ContractsEscrow); got != 10_000_000-1_600_000 {
		t.Fatalf("contracts escrow %d", got)
	}
	w.reimport()
}
