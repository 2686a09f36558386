package labour_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/labour"
	"github.com/citychain/citychain/chain/tx"
)

// simState is what the invariants look at after a block: the exported
// section, the ukrw balances of the module accounts and workers, the rule
// table, the projects' employers, and each late statement's interest as
// it stood after the previous block.
type simState struct {
	g         labour.Genesis
	escrow    uint64 // ukrw of labour/escrow
	withheld  uint64 // ukrw of labour/withheld
	workers   map[tx.Address]uint64
	rules     []tx.LabourRule
	employers map[string][]tx.Address
	now       int64
	interest  map[uint64]uint64 // late statement -> its interest if paid at the previous block; updated by check
}

// checkInvariants checks the simulation's invariants, each by its own
// error:
//   - escrow: the funds' balances add up to labour/escrow's ukrw;
//   - fund: per fund, deposits (and project funding) less paid less
//     withdrawn is the balance; owed is its pending and late statements'
//     gross; a project's pool paid exactly its statements' gross and
//     interest;
//   - minimum: every paid statement's gross is at least the minimum wage
//     in force on each of its shifts' dates for the shift's minutes;
//   - project: a project's statements are of countersigned contracts
//     naming it, of its prime or a subcontractor, to the contract's
//     worker;
//   - interest: a paid statement's interest is tx.LateInterest at its
//     payment; a late one's interest so far never decreases;
//   - wallets: each worker holds the net and interest of its paid
//     statements, labour/withheld the deductions.
func checkInvariants(s *simState) error {
	var errs []error
	fail := func(what, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{what}, args...)...))
	}
	var sum uint64
	type fundSums struct{ owed, paid uint64 }
	bySum := map[string]*fundSums{} // by fund; looked up only
	key := func(owner tx.Address, project string) string { return owner.String() + "/" + project }
	contracts := map[uint64]*tx.LabourContract{} // looked up only
	for i := range s.g.Contracts {
		contracts[s.g.Contracts[i].ID] = &s.g.Contracts[i]
	}
	shiftsOf := map[uint64][]tx.Shift{} // statement -> shifts; looked up only
	for _, sh := range s.g.Shifts {
		if sh.Statement != 0 {
			shiftsOf[sh.Statement] = append(shiftsOf[sh.Statement], sh)
		}
	}
	wallets := map[tx.Address]uint64{} // looked up only
	var withheld uint64
	for _, st := range s.g.Statements {
		fk := key(st.Employer, st.Project)
		if st.Project != "" {
			fk = key(tx.Address{}, st.Project)
		}
		if bySum[fk] == nil {
			bySum[fk] = &fundSums{}
		}
		c := contracts[st.Contract]
		switch st.Status {
		case tx.StatementPending, tx.StatementLate:
			bySum[fk].owed += st.GrossKRW
		case tx.StatementPaid:
			bySum[fk].paid += st.GrossKRW + st.InterestKRW
			wallets[st.Worker] += st.NetKRW + st.InterestKRW
			withheld += st.GrossKRW - st.NetKRW
			var least uint64
			for _, sh := range shiftsOf[st.ID] {
				w, _ := tx.RuleAt(s.rules, tx.RuleMinWage, sh.In)
				least += tx.MinimumGross(w, sh.Minutes)
			}
			if st.GrossKRW < least {
				fail("minimum", "statement %d pays %d won for shifts worth %d at the minimum wage", st.ID, st.GrossKRW, least)
			}
			if want := tx.LateInterest(s.rules, tx.RuleLateInterest, st.GrossKRW, st.Due, st.PaidAt); st.InterestKRW != want {
				fail("interest", "statement %d paid %d interest, tx.LateInterest gives %d", st.ID, st.InterestKRW, want)
			}
		}
		if st.Status == tx.StatementLate {
			now := tx.LateInterest(s.rules, tx.RuleLateInterest, st.GrossKRW, st.Due, s.now)
			if prev, ok := s.interest[st.ID]; ok && now < prev {
				fail("interest", "statement %d's interest fell from %d to %d", st.ID, prev, now)
			}
			s.interest[st.ID] = now
		}
		if st.Project != "" {
			switch {
			case c == nil || c.Project != st.Project || c.Countersigned == 0:
				fail("project", "statement %d of project %s: not of a countersigned contract naming it", st.ID, st.Project)
			case !slices.Contains(s.employers[st.Project], c.Employer) || st.Worker != c.Worker:
				fail("project", "statement %d of project %s: employer %s not on the project or worker %s not the contract's", st.ID, st.Project, c.Employer, st.Worker)
			}
		}
	}
	for _, f := range s.g.Funds {
		sum += f.BalanceKRW
		if f.DepositedKRW-f.PaidKRW-f.WithdrawnKRW != f.BalanceKRW || f.DepositedKRW < f.PaidKRW+f.WithdrawnKRW {
			fail("fund", "%s%s: deposited %d − paid %d − withdrawn %d ≠ balance %d", f.Owner, f.Project, f.DepositedKRW, f.PaidKRW, f.WithdrawnKRW, f.BalanceKRW)
		}
		want := fundSums{}
		if b := bySum[key(f.Owner, f.Project)]; b != nil {
			want = *b
		}
		if f.OwedKRW != want.owed {
			fail("fund", "%s%s: owed %d, its statements %d", f.Owner, f.Project, f.OwedKRW, want.owed)
		}
		if f.Project != "" && f.PaidKRW != want.paid {
			fail("project", "pool %s paid %d, its statements' gross and interest %d", f.Project, f.PaidKRW, want.paid)
		}
	}
	if sum*tx.UKRWPerWon != s.escrow {
		fail("escrow", "the funds hold %d won, labour/escrow %d ukrw", sum, s.escrow)
	}
	if withheld*tx.UKRWPerWon != s.withheld {
		fail("wallets", "labour/withheld holds %d ukrw, the deductions of paid statements %d won", s.withheld, withheld)
	}
	for a, have := range s.workers {
		if have != wallets[a]*tx.UKRWPerWon {
			fail("wallets", "worker %s holds %d ukrw, its paid statements %d won", a, have, wallets[a])
		}
	}
	return errors.Join(errs...)
}

// sim is one seeded run.
type sim struct {
	t         *testing.T
	r         *rand.Rand
	w         *world
	employers []apptest.Key
	workers   []apptest.Key
	interest  map[uint64]uint64
	counts    map[string]int // outcomes, for the log
}

var simProjects = map[string][]int{"road-1": {0, 1}, "hall-2": {2}} // project -> employer indexes

func newSim(t *testing.T, seed uint64) *sim {
	s := &sim{t: t, r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		interest: map[uint64]uint64{}, counts: map[string]int{}}
	var members []member
	for i := range 4 {
		k := apptest.NewKey(fmt.Sprintf("sim-employer-%d", i))
		s.employers = append(s.employers, k)
		members = append(members, member{addr: k.Addr, won: 20_000_000})
	}
	for i := range 8 {
		k := apptest.NewKey(fmt.Sprintf("sim-worker-%d", i))
		s.workers = append(s.workers, k)
		members = append(members, member{addr: k.Addr})
	}
	members = append(members, member{addr: ministry.Addr, roles: []string{tx.RoleLabourMinistry}})
	p := tx.LabourParams{MaxPaymentsPerBlock: 4} // small: the budget binds
	s.w = newWorld(t, kst(2025, 12, 1, 8, 0), 50_000_000, &labour.Genesis{Params: &p}, members...)
	for name, idx := range simProjects {
		for _, i := range idx {
			s.w.proj.employers[name] = append(s.w.proj.employers[name], s.employers[i].Addr)
		}
	}
	return s
}

func (s *sim) pick(n int) int { return s.r.IntN(n) }

// try runs m, counting its outcome by type and code.
func (s *sim) try(signer tx.Address, m tx.Msg) bool {
	err := s.w.run(signer, m)
	if err == nil {
		s.counts[m.Type()+" ok"]++
		return true
	}
	s.counts[fmt.Sprintf("%s refused", m.Type())]++
	return false
}

// step sends a few random messages at the world's time, choosing from
// the state g as it was after the last block.
func (s *sim) step(g labour.Genesis) {
	// Workers of active contracts clock in and out in turn.
	for _, c := range g.Contracts {
		if c.Status != tx.LabourActive || s.pick(3) == 0 {
			continue
		}
		action := tx.ClockIn
		if c.Open != 0 {
			action = tx.ClockOut
		}
		s.try(c.Worker, &tx.MsgLabourClock{Contract: c.ID, Action: action})
	}
	n := 1 + s.pick(4)
	for range n {
		e := s.employers[s.pick(len(s.employers))]
		wk := s.workers[s.pick(len(s.workers))]
		switch s.pick(10) {
		case 0: // offer
			start := s.w.now.AddDate(0, 0, s.pick(10)-3)
			var names []string
			for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat"} {
				if s.pick(2) == 0 {
					names = append(names, d)
				}
			}
			if len(names) == 0 {
				names = []string{"mon"}
			}
			m := offerMsg(wk, start.Format(time.DateOnly), days(uint32(60+30*s.pick(12)), uint32(30*s.pick(2)), names...), uint64(10_250+s.pick(900)))
			m.Terms = commit(fmt.Sprint("terms", s.r.Uint64()))
			switch s.pick(3) {
			case 0:
				m.PayCycle, m.PayDay = tx.PayDaily, 0
			case 1:
				m.PayCycle, m.PayDay = tx.PayMonthly, uint32(1+s.pick(28))
			default:
				m.PayDay = uint32(1 + s.pick(7))
			}
			if s.pick(4) == 0 {
				m.End = start.AddDate(0, 0, 7+s.pick(40)).Format(time.DateOnly)
			}
			if s.pick(3) == 0 {
				m.Project = []string{"road-1", "hall-2"}[s.pick(2)]
			}
			s.try(e.Addr, m)
		case 1, 2: // countersign an offer (sometimes with other terms)
			for _, c := range g.Contracts {
				if c.Status == tx.LabourOffered && s.pick(2) == 0 {
					terms := c.Terms
					if s.pick(6) == 0 {
						terms = commit("misread")
					}
					s.try(c.Worker, &tx.MsgLabourCountersign{Contract: c.ID, Terms: terms})
					break
				}
			}
		case 3, 4, 5: // a clock event out of turn, or on any contract
			if len(g.Contracts) == 0 {
				continue
			}
			c := g.Contracts[s.pick(len(g.Contracts))]
			s.try(c.Worker, &tx.MsgLabourClock{Contract: c.ID, Action: []string{tx.ClockIn, tx.ClockOut}[s.pick(2)]})
		case 6: // correct one of the last shifts, by a few minutes either way
			if len(g.Shifts) == 0 {
				continue
			}
			sh := g.Shifts[len(g.Shifts)-1-s.pick(min(len(g.Shifts), 8))]
			if sh.Out == 0 {
				continue
			}
			c := g.Contracts[sh.Contract-1]
			by := c.Worker
			if s.pick(2) == 0 {
				by = c.Employer
			}
			in := sh.In + int64(s.pick(1200)) - 600
			out := min(sh.Out+int64(s.pick(3600))-1800, s.w.now.Unix())
			s.try(by, &tx.MsgLabourCorrect{Contract: c.ID, Shift: sh.ID, In: in, Out: max(out, in+60)})
		case 7: // deposit or withdraw (the last employer rarely deposits)
			if e.Addr == s.employers[3].Addr && s.pick(4) != 0 {
				continue
			}
			if s.pick(3) == 0 {
				s.try(e.Addr, &tx.MsgLabourWithdraw{AmountKRW: uint64(1 + s.pick(500_000))})
			} else {
				s.try(e.Addr, &tx.MsgLabourDeposit{AmountKRW: uint64(1 + s.pick(2_000_000))})
			}
		case 8: // the contracts module funds a pool, or an employer tries the pool
			project := []string{"road-1", "hall-2"}[s.pick(2)]
			if s.pick(4) == 0 {
				s.try(s.employers[simProjects[project][0]].Addr, &tx.MsgLabourWithdraw{AmountKRW: uint64(1 + s.pick(100_000))})
			} else if err := s.w.fundProject(project, uint64(1+s.pick(400_000))); err == nil {
				s.counts["fund project ok"]++
			}
		case 9: // end a contract, or the ministry adds a minimum wage row
			if s.pick(5) == 0 {
				eff := s.w.now.AddDate(0, 0, 3+s.pick(60))
				s.try(ministry.Addr, &tx.MsgLabourSetRule{Kind: tx.RuleMinWage, Effective: eff.In(tx.KST).Format(time.DateOnly), Value: uint64(10_320 + s.pick(500))})
				continue
			}
			if len(g.Contracts) == 0 || s.pick(2) == 0 {
				continue
			}
			c := g.Contracts[s.pick(len(g.Contracts))]
			s.try([]tx.Address{c.Employer, c.Worker}[s.pick(2)], &tx.MsgLabourEnd{Contract: c.ID, End: s.w.now.AddDate(0, 0, s.pick(20)).In(tx.KST).Format(time.DateOnly)})
		}
	}
}

// state reads what the invariants need.
func (s *sim) state() *simState {
	_, g := s.w.section()
	st := &simState{g: g, workers: map[tx.Address]uint64{}, employers: s.w.proj.employers, now: s.w.now.Unix(), interest: s.interest}
	ctx := s.w.ctx(s.w.state)
	st.escrow = s.w.bank.Balance(ctx, labour.EscrowAddress, tx.DenomKRW)
	st.withheld = s.w.bank.Balance(ctx, labour.WithheldAddress, tx.DenomKRW)
	for _, k := range s.workers {
		st.workers[k.Addr] = s.w.bank.Balance(ctx, k.Addr, tx.DenomKRW)
	}
	st.rules = s.w.k.Rules(ctx)
	return st
}

// TestSimulation runs three seeds of 300 blocks of random employers,
// workers, offers, countersignatures, clock events, corrections, deposits,
// withdrawals, pool funding and minimum-wage rows, with blocks minutes to
// days apart, checking the invariants after every block and the export
// round trip every 25 blocks.
func TestSimulation(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			s := newSim(t, seed)
			var paid, late, lateSeen, projectPaid, withInterest int
			st := s.state()
			for b := range 300 {
				s.step(st.g)
				var d time.Duration
				switch s.pick(10) {
				case 0:
					d = time.Duration(1+s.pick(4)) * 24 * time.Hour // days skipped
				case 1, 2, 3:
					d = time.Duration(1+s.pick(12)) * time.Hour
				default:
					d = time.Duration(5+s.pick(240)) * time.Minute
				}
				s.w.block(s.w.now.Add(d))
				st = s.state()
				if err := checkInvariants(st); err != nil {
					t.Fatalf("block %d at %v: %v", b, s.w.now, err)
				}
				if b%25 == 24 {
					s.w.reimport()
				}
				paid, late, projectPaid, withInterest = 0, 0, 0, 0
				for _, x := range st.g.Statements {
					switch x.Status {
					case tx.StatementPaid:
						paid++
						if x.Project != "" {
							projectPaid++
						}
						if x.InterestKRW > 0 {
							withInterest++
						}
					case tx.StatementLate:
						late++
					}
				}
				lateSeen = max(lateSeen, late)
			}
			t.Logf("seed %d: %d statements paid (%d from a pool, %d with interest), %d late at most, %d at the end, until %v; %v",
				seed, paid, projectPaid, withInterest, lateSeen, late, s.w.now, s.counts)
			if paid == 0 || projectPaid == 0 || withInterest == 0 || lateSeen == 0 || s.counts["labour/correct ok"] == 0 {
				t.Fatalf("the simulation did too little: %v", s.counts)
			}
		})
	}
}

// TestInvariantsCatch: each invariant fails on a state that breaks it
// (a simulated state after 150 blocks, edited).
func TestInvariantsCatch(t *testing.T) {
	s := newSim(t, 2)
	st := s.state()
	for range 150 {
		s.step(st.g)
		s.w.block(s.w.now.Add(time.Duration(5+s.pick(600)) * time.Minute))
		st = s.state()
		if err := checkInvariants(st); err != nil {
			t.Fatal(err)
		}
	}
	find := func(ok func(x tx.WageStatement) bool) int {
		for i, x := range st.g.Statements {
			if ok(x) {
				return i
			}
		}
		t.Fatal("no statement to break")
		return 0
	}
	withShifts := map[uint64]bool{}
	for _, sh := range st.g.Shifts {
		withShifts[sh.Statement] = true
	}
	for _, c := range []struct {
		want  string
		spoil func(x *simState)
	}{
		{"escrow:", func(x *simState) { x.escrow += tx.UKRWPerWon }},
		{"fund:", func(x *simState) { x.g.Funds[0].PaidKRW++ }},
		{"fund:", func(x *simState) { x.g.Funds[0].OwedKRW++ }},
		{"minimum:", func(x *simState) {
			i := find(func(v tx.WageStatement) bool {
				return v.Status == tx.StatementPaid && withShifts[v.ID] && v.GrossKRW > 1000
			})
			x.g.Statements[i].GrossKRW = 1000
		}},
		{"project:", func(x *simState) {
			i := find(func(v tx.WageStatement) bool { return v.Status == tx.StatementPaid && v.Project != "" })
			x.g.Contracts[x.g.Statements[i].Contract-1].Project = ""
		}},
		{"project:", func(x *simState) {
			find(func(v tx.WageStatement) bool { return v.Project != "" })
			x.employers = map[string][]tx.Address{} // the project employs nobody
		}},
		{"interest:", func(x *simState) {
			i := find(func(v tx.WageStatement) bool { return v.Status == tx.StatementPaid && v.InterestKRW > 0 })
			x.g.Statements[i].InterestKRW--
		}},
		{"interest:", func(x *simState) {
			i := find(func(v tx.WageStatement) bool { return v.Status == tx.StatementLate })
			x.interest[x.g.Statements[i].ID] = 1 << 40 // as if it stood higher a block ago
		}},
		{"wallets:", func(x *simState) { x.workers[s.workers[0].Addr] += tx.UKRWPerWon }},
		{"wallets:", func(x *simState) { x.withheld++ }},
	} {
		x := s.state()
		x.interest = map[uint64]uint64{}
		c.spoil(x)
		if err := checkInvariants(x); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("broken for %q: got %v", c.want, err)
		}
	}
}
