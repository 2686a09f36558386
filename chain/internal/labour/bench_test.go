package labour_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/labour"
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// payDay is a committed state on the eve of a pay day: n workers, each
// with a countersigned weekly contract (Monday to Friday, 3 h a day at
// 10,320 won, paid on the Monday after) of one employer whose fund holds
// enough, and one week of shifts (five each), seeded through the genesis
// section (as a devnet seeds a shop's history). The week closes at
// Monday 00:00 KST, when its pay is due.
type payDay struct {
	w       *world
	n       int
	closes  time.Time
	workers []tx.Address
}

var (
	payDayOnce sync.Once
	payDay10k  *payDay
)

var benchEmployer = apptest.NewKey("bench-employer")

func newPayDay(tb testing.TB, n int) *payDay {
	tb.Helper()
	week := kst(2026, 1, 5, 0, 0)
	g := &labour.Genesis{}
	var workers []tx.Address
	sched := days(180, 0, weekdays...)
	for i := range n {
		worker := apptest.NewKey(fmt.Sprintf("bench-worker-%d", i)).Addr
		workers = append(workers, worker)
		id := uint64(i + 1)
		m := offerMsg(apptest.Key{Addr: worker, Name: "bench"}, "2026-01-05", sched, 10_320)
		g.Contracts = append(g.Contracts, tx.LabourContract{ID: id, Employer: benchEmployer.Addr, MsgLabourOffer: *m, Status: tx.LabourActive,
			Countersigned: week.Add(-24 * time.Hour).Unix(), Shifts: 5, LastEvent: week.AddDate(0, 0, 4).Add(12 * time.Hour).Unix(), ClosedThrough: week.Unix()})
		for d := range 5 {
			in := week.AddDate(0, 0, d).Add(9 * time.Hour).Unix()
			g.Shifts = append(g.Shifts, tx.Shift{Contract: id, ID: uint64(d + 1), In: in, Out: in + 3*3600, InBy: labour.ByWorker, OutBy: labour.ByWorker, Minutes: 180})
		}
	}
	const fund = 10_000_000_000 // 10 billion won: enough for 10,000 weeks of 185,760
	g.Funds = []tx.LabourFund{{Owner: benchEmployer.Addr, BalanceKRW: fund, DepositedKRW: fund}}
	w := newWorld(tb, week.Add(-time.Hour), 0, nil, member{addr: benchEmployer.Addr, won: 1_000_000_000})
	// The escrow holds the fund: minted at genesis as the bank would
	// for an exported chain.
	ctx := w.ctx(w.state)
	if err := w.bank.Mint(ctx, labour.EscrowAddress, apptest.KRW(fund)); err != nil {
		tb.Fatal(err)
	}
	if err := w.k.InitGenesis(ctx, apptest.MustJSON(tb, g)); err != nil {
		tb.Fatal(err)
	}
	w.commit()
	return &payDay{w: w, n: n, closes: week.AddDate(0, 0, 7), workers: workers}
}

func payDayState(b *testing.B) *payDay {
	payDayOnce.Do(func() { payDay10k = newPayDay(b, 10_000) })
	return payDay10k
}

// run runs the end-of-block work of the blocks of the pay day, 5 s apart
// from the week's closing, until no payment waits, and returns the number
// of blocks. Each block's writes go into the tree's working version, as
// the app's do (not timed when b is set: the baseline's are not either);
// the caller rolls them back.
func (p *payDay) run(tb testing.TB, b *testing.B) int {
	for i := 0; ; i++ {
		c := store.NewCache(p.w.tree)
		ctx := module.NewContext(c, apptest.ChainID, int64(2+i), p.closes.Add(time.Duration(i)*5*time.Second))
		if err := p.w.k.EndBlock(ctx); err != nil {
			tb.Fatal(err)
		}
		if b != nil {
			b.StopTimer()
		}
		c.Write()
		st := getStatsOf(p.w.k, p.w.tree)
		if b != nil {
			b.StartTimer()
		}
		if st.Paid == uint64(p.n) {
			return i + 1
		}
		if i > 10+p.n {
			tb.Fatalf("the pay day does not end: %+v", st)
		}
	}
}

func getStatsOf(k *labour.Keeper, kv store.KV) tx.LabourStats {
	res, err := k.Query(&module.Query{Path: "stats", Store: func(p byte) store.KV { return store.NewPrefixed(kv, []byte{p}) }})
	if err != nil {
		panic(err)
	}
	var st tx.LabourStats
	if err := jsonUnmarshal(res.Value, &st); err != nil {
		panic(err)
	}
	return st
}

// TestPayDaySetup: the benchmark's pay day at 300 workers and the default
// budget of 2,000 ends in one block after the closings (600 units of
// work); every worker is paid the week's gross less the deductions.
func TestPayDaySetup(t *testing.T) {
	p := newPayDay(t, 300)
	blocks := p.run(t, nil)
	defer p.w.tree.Rollback()
	if blocks != 1 {
		t.Fatalf("%d blocks", blocks)
	}
	bank := p.w.bank
	ctx := module.NewContext(p.w.tree, apptest.ChainID, 9, p.closes)
	for _, a := range p.workers {
		if got := bank.Balance(ctx, a, tx.DenomKRW) / tx.UKRWPerWon; got != 167_711 {
			t.Fatalf("worker %s holds %d won, want the net of 185,760", a, got)
		}
	}
}

// BenchmarkPayDay measures the end-of-block work of a pay day of 10,000
// workers: each week closed (its shifts read, the allowance checked, a
// statement written) and paid (the deductions, a bank transfer to the
// worker, the statement, its events), over as many blocks as the budget
// of 2,000 units a block needs, per worker.
func BenchmarkPayDay(b *testing.B) {
	p := payDayState(b)
	var blocks int
	for b.Loop() {
		blocks = p.run(b, b)
		b.StopTimer()
		p.w.tree.Rollback()
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(p.n), "ns/worker")
	b.ReportMetric(float64(blocks), "blocks")
}

// BenchmarkBankTransfers is the baseline: 10,000 plain bank.Send of ukrw
// from the employer to the workers in the same store setup, per transfer.
func BenchmarkBankTransfers(b *testing.B) {
	p := payDayState(b)
	for b.Loop() {
		kv := store.NewCache(p.w.tree)
		ctx := module.NewContext(kv, apptest.ChainID, 2, p.closes)
		for _, a := range p.workers {
			if err := p.w.bank.Send(ctx, benchEmployer.Addr, a, apptest.KRW(50_000)); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		kv.Write()
		p.w.tree.Rollback()
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(p.n), "ns/worker")
}
