package contracts_test

import (
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/contracts"
	"github.com/citychain/citychain/chain/tx"
)

// simParams: the late rate drops on 2025-05-01, and at most three due
// instalments are marked a block, so the budget binds.
func simParams() *tx.ContractsParams {
	return &tx.ContractsParams{
		LateRates: []tx.LabourRule{
			{Kind: tx.RuleLateInterest, Effective: "2000-01-01", Value: 15_500},
			{Kind: tx.RuleLateInterest, Effective: "2025-05-01", Value: 12_000},
		},
		MaxDuePerBlock: 3,
	}
}

// TestSimulation drives, over three seeds, a few hundred random blocks of
// contract work: creations (some by an agency without the money),
// deliveries, approvals, disputes and resolutions, subcontractor payments
// on time and late, agreements, attestations and requests for direct
// payment, by the right parties and by wrong ones, and skipped days. After
// every block it reads the whole module state through the app's queries
// and checks the invariants (see checkWorld). At the end the state
// survives an export round trip.
func TestSimulation(t *testing.T) {
	seeds, blocks := 3, 300
	if testing.Short() {
		seeds, blocks = 1, 100
	}
	seen := map[string]int{}
	for seed := 1; seed <= seeds; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { simulate(t, uint64(seed), blocks, seen) })
	}
	for _, o := range []string{
		tx.TypeContractsCreate, tx.TypeContractsDeliver, tx.TypeContractsApprove, tx.TypeContractsPaySub,
		tx.TypeContractsAgreeDirect, tx.TypeContractsAttest, tx.TypeContractsRequestDirect, tx.TypeContractsDispute,
		tx.TypeContractsResolve, "contracts/3", "contracts/4", "contracts/6", "contracts/9", "contracts/10", "contracts/11",
		"contracts/12", "contracts/13", "contracts/14", "contracts/15",
		"paid late", "missed", "direct " + tx.GroundMissed, "direct " + tx.GroundAgreement, "direct " + tx.GroundInsolvency,
		"direct " + tx.GroundGuaranteeBreach, "paid direct", "released", "refunded", "due budget reached",
	} {
		if seen[o] == 0 {
			t.Errorf("no seed reached %q (%v)", o, seen)
		}
	}
	t.Logf("outcomes: %v", seen)
}

// world is the module's state after a block, read through the app.
type world struct {
	time        int64
	escrow      uint64 // ukrw of the contracts escrow
	contracts   []tx.Contract
	instalments map[string][]tx.Instalment // by contract
	lines       map[string][]tx.ArrearsLine
	arrears     map[string]tx.ContractArrears
	// funded is what the labour module's pool of each project received.
	funded map[string]uint64
}

func readWorld(t testing.TB, h *apptest.Harness) *world {
	t.Helper()
	w := &world{time: h.BlockTime(h.Height).Unix(), escrow: ukrw(h, escrow), instalments: map[string][]tx.Instalment{},
		lines: map[string][]tx.ArrearsLine{}, arrears: map[string]tx.ContractArrears{}, funded: map[string]uint64{}}
	for after := ""; ; {
		page := query[tx.ContractPage](t, h, "contracts", tx.ContractsRequest{After: after, Limit: 7})
		w.contracts = append(w.contracts, page.Contracts...)
		if after = page.Next; after == "" {
			break
		}
	}
	for _, c := range w.contracts {
		w.instalments[c.ID] = query[tx.InstalmentList](t, h, "instalments", tx.InstalmentsRequest{Contract: c.ID}).Instalments
		w.lines[c.ID] = append(w.lines[c.ID], line(t, h, c.ID, tx.TierPrime, c.Prime))
		for _, s := range c.Subcontractors {
			w.lines[c.ID] = append(w.lines[c.ID], line(t, h, c.ID, tx.TierSubcontract, s.Address))
		}
		w.arrears[c.ID] = arrears(t, h, c.ID)
		w.funded[c.ID] = labourFund(t, h, c.ID).DepositedKRW
	}
	return w
}

// blockEvents are a block's events in order: each transaction's, then the
// end-of-block work's.
func blockEvents(b *apptest.Block) []abci.Event {
	var evs []abci.Event
	for _, r := range b.Result.TxResults {
		evs = append(evs, r.Events...)
	}
	return append(evs, b.Result.Events...)
}

func countEvents(evs []abci.Event, typ string) int {
	n := 0
	for _, e := range evs {
		if e.Type == typ {
			n++
		}
	}
	return n
}

func attrs(e abci.Event) map[string]string {
	m := map[string]string{}
	for _, a := range e.Attributes {
		m[a.Key] = a.Value
	}
	return m
}

// checkWorld checks the invariants of cur, the state after a block whose
// events are evs, against prev, the state before it, and created, the
// total of every contract created so far (won):
//   - the escrow's ukrw = Σ escrow_krw × 10^6 = (created − Σ released −
//     Σ refunded) × 10^6;
//   - per contract released + refunded + escrow = its total, and each
//     equal to the shares of its approved, refunded and other milestones;
//     the project's labour pool received exactly the labour shares of the
//     approved milestones;
//   - every paid instalment's interest = tx.LateInterest of its principal
//     from its due to its payment (so never negative), no interest on an
//     unpaid one; a paid or missed instalment stays so;
//   - a subcontractor paid directly is never paid through the prime
//     afterwards: no instalment appears for it after it became direct
//     (in an earlier block, or earlier in the block's events), and one
//     that missed two instalments is direct;
//   - a frozen milestone releases (or refunds) only by the arbiter's
//     resolution of it in the block;
//   - the arrears lines equal what the contracts and instalments say, and
//     the prime and subcontract tiers equal the sums of the lines;
//   - an unpaid instalment the block time passed is missed, unless the
//     block marked max_due_per_block of them (the rest wait).
func checkWorld(prev, cur *world, evs []abci.Event, created uint64, p *tx.ContractsParams) error {
	rates, maxDue := p.LateRates, p.MaxDuePerBlock
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	var escrowSum, released, refunded uint64
	for i := range cur.contracts {
		c := &cur.contracts[i]
		escrowSum += c.EscrowKRW
		released += c.ReleasedKRW
		refunded += c.RefundedKRW
		total, _ := c.Pools.Total()
		if c.ReleasedKRW+c.RefundedKRW+c.EscrowKRW != total {
			add("%s: released %d + refunded %d + escrow %d ≠ total %d", c.ID, c.ReleasedKRW, c.RefundedKRW, c.EscrowKRW, total)
		}
		var byStatus [3]uint64 // approved, refunded, other
		for m := range c.Milestones {
			n := shareOf(c, m)
			switch c.Milestones[m].Status {
			case tx.MilestoneApproved:
				byStatus[0] += n
			case tx.MilestoneRefunded:
				byStatus[1] += n
			default:
				byStatus[2] += n
			}
		}
		if byStatus != [3]uint64{c.ReleasedKRW, c.RefundedKRW, c.EscrowKRW} {
			add("%s: milestones' shares by status %v, counters released %d refunded %d escrow %d", c.ID, byStatus, c.ReleasedKRW, c.RefundedKRW, c.EscrowKRW)
		}
		var labour uint64
		for m := range c.Milestones {
			if c.Milestones[m].Status == tx.MilestoneApproved {
				labour += tx.MilestoneShare(milestonesOf(c), m, c.Pools.Labour)
			}
		}
		if cur.funded[c.ID] != labour {
			add("%s: the labour pool received %d won, its approved milestones' labour shares are %d", c.ID, cur.funded[c.ID], labour)
		}
	}
	if cur.escrow != escrowSum*tx.UKRWPerWon {
		add("escrow account holds %d ukrw, the contracts' escrow_krw add up to %d won", cur.escrow, escrowSum)
	}
	if created-released-refunded != escrowSum {
		add("created %d − released %d − refunded %d ≠ escrow %d", created, released, refunded, escrowSum)
	}

	// Events of the block, in order.
	type pair struct{ contract, sub string }
	directNow := map[pair]bool{} // became direct earlier in the block; lookups only
	resolved := map[string]string{}
	markedMissed := 0
	for _, e := range evs {
		a := attrs(e)
		switch e.Type {
		case "contracts.missed":
			markedMissed++
		case "contracts.direct_payment":
			directNow[pair{a["contract"], a["subcontractor"]}] = true
		case "contracts.instalment":
			if directNow[pair{a["contract"], a["subcontractor"]}] {
				add("%s: instalment for %s through the prime after it became direct in the block", a["contract"], a["subcontractor"])
			}
		case "contracts.resolved":
			resolved[a["contract"]+"/"+a["milestone"]] = a["outcome"]
		}
	}
	prevContract := func(id string) *tx.Contract {
		if prev == nil {
			return nil
		}
		for i := range prev.contracts {
			if prev.contracts[i].ID == id {
				return &prev.contracts[i]
			}
		}
		return nil
	}
	prevInstalment := func(id string, m uint32, sub tx.Address) *tx.Instalment {
		if prev == nil {
			return nil
		}
		for i, in := range prev.instalments[id] {
			if in.Milestone == m && in.Subcontractor == sub {
				return &prev.instalments[id][i]
			}
		}
		return nil
	}
	var late []string // unpaid instalments the block time passed, not marked missed
	for i := range cur.contracts {
		c := &cur.contracts[i]
		pc := prevContract(c.ID)
		if pc != nil {
			for m := range c.Milestones {
				was, is := pc.Milestones[m].Status, c.Milestones[m].Status
				if was != tx.MilestoneFrozen || is == tx.MilestoneFrozen {
					continue
				}
				want := map[string]string{tx.MilestoneApproved: tx.OutcomeRelease, tx.MilestoneRefunded: tx.OutcomeRefund}[is]
				if got := resolved[fmt.Sprintf("%s/%d", c.ID, m)]; want == "" || got != want {
					add("%s milestone %d: frozen, then %s without the arbiter's resolution (%q)", c.ID, m, is, got)
				}
			}
		}
		owed := map[tx.Address]uint64{} // lookups only
		overdue := map[tx.Address]uint64{}
		missed := map[tx.Address]uint32{}
		for _, in := range cur.instalments[c.ID] {
			j := slices.IndexFunc(c.Subcontractors, func(s tx.ContractSub) bool { return s.Address == in.Subcontractor })
			if j < 0 || int(in.Milestone) >= len(c.Milestones) || c.Milestones[in.Milestone].Status != tx.MilestoneApproved {
				add("%s: instalment %+v of no approved milestone or subcontractor", c.ID, in)
				continue
			}
			if in.PaidAt != 0 {
				if want := tx.LateInterest(rates, tx.RuleLateInterest, in.PrincipalKRW, in.Due, in.PaidAt); in.InterestKRW != want {
					add("%s: instalment %d/%s interest %d, LateInterest %d", c.ID, in.Milestone, in.Subcontractor, in.InterestKRW, want)
				}
			} else {
				if in.InterestKRW != 0 {
					add("%s: unpaid instalment %d/%s with interest %d", c.ID, in.Milestone, in.Subcontractor, in.InterestKRW)
				}
				owed[in.Subcontractor] += in.PrincipalKRW
				if in.Missed {
					overdue[in.Subcontractor] += in.PrincipalKRW
				}
			}
			if in.Missed {
				missed[in.Subcontractor]++
			}
			if !in.Missed && in.PaidAt == 0 && in.Due < cur.time {
				late = append(late, fmt.Sprintf("%s/%d/%s", c.ID, in.Milestone, in.Subcontractor))
			}
			p := prevInstalment(c.ID, in.Milestone, in.Subcontractor)
			switch {
			case p == nil && pc != nil && pc.Subcontractors[j].Direct:
				add("%s: instalment %d through the prime for %s, direct since an earlier block", c.ID, in.Milestone, in.Subcontractor)
			case p != nil && (p.Missed && !in.Missed || p.PaidAt != 0 && in != *p || p.PrincipalKRW != in.PrincipalKRW || p.Due != in.Due):
				add("%s: instalment %+v was %+v", c.ID, in, *p)
			}
		}
		var primeLine, subLines tx.ArrearsTier
		for _, l := range cur.lines[c.ID] {
			if l.Tier == tx.TierPrime {
				var paid uint64
				for m := range c.Milestones {
					if c.Milestones[m].Status == tx.MilestoneApproved {
						paid += primeShareOf(c, m)
					}
				}
				if l.PaidKRW != paid || l.OwedKRW != 0 || l.OverdueKRW != 0 {
					add("%s: prime line %+v, its approved milestones released %d to the prime", c.ID, l, paid)
				}
				primeLine.OwedKRW += l.OwedKRW
				primeLine.PaidKRW += l.PaidKRW
				primeLine.OverdueKRW += l.OverdueKRW
				continue
			}
			j := slices.IndexFunc(c.Subcontractors, func(s tx.ContractSub) bool { return s.Address == l.Party })
			s := &c.Subcontractors[j]
			if l.OwedKRW != owed[l.Party] || s.OwedKRW != owed[l.Party] || l.OverdueKRW != overdue[l.Party] || l.PaidKRW != s.PaidKRW || s.Missed != missed[l.Party] {
				add("%s: line %+v and subcontractor %+v; its instalments owe %d, %d overdue, %d missed", c.ID, l, *s, owed[l.Party], overdue[l.Party], missed[l.Party])
			}
			if s.Missed >= tx.MissedForDirectPay && !s.Direct {
				add("%s: %s missed %d instalments and is not direct", c.ID, s.Address, s.Missed)
			}
			if pc != nil && pc.Subcontractors[j].Direct && !s.Direct {
				add("%s: %s no longer direct", c.ID, s.Address)
			}
			subLines.OwedKRW += l.OwedKRW
			subLines.PaidKRW += l.PaidKRW
			subLines.OverdueKRW += l.OverdueKRW
		}
		a := cur.arrears[c.ID]
		if len(a.Tiers) != 3 || a.Tiers[0] != (tx.ArrearsTier{Tier: tx.TierPrime, OwedKRW: primeLine.OwedKRW, PaidKRW: primeLine.PaidKRW, OverdueKRW: primeLine.OverdueKRW}) ||
			a.Tiers[1] != (tx.ArrearsTier{Tier: tx.TierSubcontract, OwedKRW: subLines.OwedKRW, PaidKRW: subLines.PaidKRW, OverdueKRW: subLines.OverdueKRW}) {
			add("%s: arrears %+v, the lines add up to prime %+v, subcontract %+v", c.ID, a, primeLine, subLines)
		}
	}
	if markedMissed > int(maxDue) {
		add("the block marked %d instalments missed, max_due_per_block is %d", markedMissed, maxDue)
	}
	if len(late) > 0 && markedMissed != int(maxDue) {
		add("instalments %v passed their due, not missed, after a block that marked %d (max_due_per_block %d)", late, markedMissed, maxDue)
	}
	return errors.Join(errs...)
}

// shareOf is what milestone m of c releases in all (tx.MilestoneShare of
// each pool and each subcontractor's share), recomputed here.
func shareOf(c *tx.Contract, m int) uint64 {
	ms := milestonesOf(c)
	n := tx.MilestoneShare(ms, m, c.Pools.Labour) + primeShareOf(c, m)
	for _, s := range c.Subcontractors {
		n += tx.MilestoneShare(ms, m, s.ShareKRW)
	}
	return n
}

func primeShareOf(c *tx.Contract, m int) uint64 {
	ms := milestonesOf(c)
	return tx.MilestoneShare(ms, m, c.Pools.Equipment) + tx.MilestoneShare(ms, m, c.Pools.Materials)
}

func milestonesOf(c *tx.Contract) []tx.Milestone {
	ms := make([]tx.Milestone, len(c.Milestones))
	for i := range c.Milestones {
		ms[i] = c.Milestones[i].Milestone
	}
	return ms
}

// simContract is a random contract of the simulation.
func simContract(rng *mrand.Rand, id string, today int64, labour bool) *tx.MsgContractsCreate {
	subs := []apptest.Key{sub1, sub2, sub3}
	rng.Shuffle(len(subs), func(i, j int) { subs[i], subs[j] = subs[j], subs[i] })
	m := &tx.MsgContractsCreate{ID: id, Prime: prime.Addr, Supervisor: supervisor.Addr, Arbiter: arbiter.Addr,
		Guarantor: guarantor.Addr, Terms: hash(id)}
	if rng.IntN(4) == 0 {
		m.Prime = poorPrime.Addr
	}
	if rng.IntN(5) == 0 {
		m.Guarantor = guarantor2.Addr
	}
	for _, s := range subs[:1+rng.IntN(3)] {
		share := 1 + rng.Uint64N(5_000_000)
		m.Subcontractors = append(m.Subcontractors, tx.Subcontractor{Address: s.Addr, ShareKRW: share, Scope: hash(id + s.Name)})
		m.Pools.Subcontract += share
	}
	m.Pools.Equipment = rng.Uint64N(2_000_000)
	m.Pools.Materials = rng.Uint64N(2_000_000)
	if labour {
		m.Pools.Labour = rng.Uint64N(2_000_000)
	}
	n := 1 + rng.IntN(4)
	left := uint32(tx.WeightDenominator)
	due := today
	for i := range n {
		w := left
		if i < n-1 {
			w = 1 + rng.Uint32N(left-uint32(n-1-i))
		}
		left -= w
		due += int64(rng.IntN(20)) * 86400
		m.Milestones = append(m.Milestones, tx.Milestone{Name: fmt.Sprintf("m%d", i), Due: tx.DateOf(due), WeightBP: w})
	}
	return m
}

// simLabour says whether the simulation's contracts have labour pools
// (the labour module funds them).
const simLabour = true

func simulate(t *testing.T, seed uint64, blocks int, seen map[string]int) {
	rng := mrand.New(mrand.NewPCG(seed, 0x636f6e74))
	params := simParams()
	h := newChain(t, contracts.Genesis{Params: params})
	signers := []apptest.Key{owner, agency2, prime, poorPrime, supervisor, arbiter, guarantor, guarantor2, court, sub1, sub2, sub3, outsider}
	pick := func(ks ...apptest.Key) apptest.Key { return ks[rng.IntN(len(ks))] }
	var created uint64
	var prev *world
	var ids []string
	for b := 0; b < blocks; b++ {
		if rng.IntN(8) == 0 {
			h.Skip(time.Duration(1+rng.IntN(12)) * 24 * time.Hour)
		}
		w := prev
		if w == nil {
			w = readWorld(t, h)
		}
		var txs [][]byte
		var msgs []tx.Msg
		used := map[tx.Address]bool{} // one transaction per signer and block; lookups only
		for range 1 + rng.IntN(5) {
			var k apptest.Key
			var m tx.Msg
			var c *tx.Contract
			if len(w.contracts) > 0 {
				c = &w.contracts[rng.IntN(len(w.contracts))]
			}
			// milestone is mostly one in status (when c has one), else any,
			// sometimes one too far.
			milestone := func(status ...string) uint32 {
				if c == nil {
					return 0
				}
				var in []uint32
				for i, m := range c.Milestones {
					if slices.Contains(status, m.Status) {
						in = append(in, uint32(i))
					}
				}
				switch r := rng.IntN(10); {
				case r == 0:
					return uint32(len(c.Milestones))
				case r < 8 && len(in) > 0:
					return in[rng.IntN(len(in))]
				}
				return uint32(rng.IntN(len(c.Milestones)))
			}
			// sub is mostly one of c's subcontractors.
			sub := func() apptest.Key {
				if c != nil && rng.IntN(5) > 0 {
					a := c.Subcontractors[rng.IntN(len(c.Subcontractors))].Address
					for _, k := range []apptest.Key{sub1, sub2, sub3} {
						if k.Addr == a {
							return k
						}
					}
				}
				return pick(sub1, sub2, sub3)
			}
			primeOf := func() apptest.Key {
				if c != nil && c.Prime == poorPrime.Addr {
					return poorPrime
				}
				return prime
			}
			switch r := rng.IntN(100); {
			case c == nil || r < 12 && (len(w.contracts) < 10 || rng.IntN(6) == 0):
				id := fmt.Sprintf("s%d-%d", seed, len(ids))
				if rng.IntN(10) == 0 && len(ids) > 0 {
					id = ids[rng.IntN(len(ids))] // again: refused
				}
				k = pick(owner, owner, owner, agency2, prime)
				m = simContract(rng, id, nextTime(h), simLabour)
				if !slices.Contains(ids, id) {
					ids = append(ids, id)
				}
			case r < 30:
				k, m = pick(primeOf(), primeOf(), primeOf(), sub()), &tx.MsgContractsDeliver{MsgContractsMilestone: ms(c.ID, milestone(tx.MilestoneOpen))}
			case r < 48:
				k, m = pick(supervisor, supervisor, supervisor, primeOf()), &tx.MsgContractsApprove{MsgContractsMilestone: ms(c.ID, milestone(tx.MilestoneDelivered))}
			case r < 62:
				in := w.instalments[c.ID]
				target := sub().Addr
				var mi uint32
				if len(in) > 0 && rng.IntN(4) > 0 {
					x := in[rng.IntN(len(in))]
					target, mi = x.Subcontractor, x.Milestone
				}
				k, m = pick(primeOf(), primeOf(), primeOf(), owner), &tx.MsgContractsPaySub{Contract: c.ID, Milestone: mi, Subcontractor: target}
			case r < 68:
				s := sub()
				k, m = pick(owner, primeOf(), s, s, outsider), &tx.MsgContractsAgreeDirect{Contract: c.ID, Subcontractor: s.Addr}
			case r < 73:
				ground := pick2(rng, tx.GroundInsolvency, tx.GroundGuaranteeBreach)
				k, m = pick(court, guarantor, guarantor2, owner), &tx.MsgContractsAttest{Contract: c.ID, Ground: ground, Evidence: hash(ground)}
			case r < 80:
				k, m = pick(sub(), sub(), outsider), &tx.MsgContractsRequestDirect{Contract: c.ID, Ground: pick2(rng, tx.GroundInsolvency, tx.GroundGuaranteeBreach)}
			case r < 90:
				k, m = pick(owner, primeOf(), supervisor, sub(), outsider), &tx.MsgContractsDispute{Contract: c.ID, Milestone: milestone(tx.MilestoneOpen, tx.MilestoneDelivered), Reason: hash("claim")}
			default:
				k, m = pick(arbiter, arbiter, arbiter, owner), &tx.MsgContractsResolve{Contract: c.ID, Milestone: milestone(tx.MilestoneFrozen),
					Outcome: pick2(rng, tx.OutcomeRelease, tx.OutcomeRefund)}
			}
			if used[k.Addr] {
				continue
			}
			used[k.Addr] = true
			txs = append(txs, h.Sign(k, m))
			msgs = append(msgs, m)
		}
		blk := h.Block(txs...)
		// Outcomes: each message's result, by the transactions the block
		// carries (CheckTx refusals never reach it).
		for i, raw := range txs {
			j := slices.IndexFunc(blk.Txs, func(x []byte) bool { return string(x) == string(raw) })
			var res apptest.Result
			if j < 0 {
				res = apptest.Of(blk.Check[i])
			} else {
				res = apptest.Of(blk.TxResult(j))
			}
			if res.Code == 0 {
				seen[msgs[i].Type()]++
				if cm, ok := msgs[i].(*tx.MsgContractsCreate); ok {
					total, _ := cm.Pools.Total()
					created += total
				}
			} else {
				seen[fmt.Sprintf("%s/%d", res.Codespace, res.Code)]++
				if res.Codespace != contracts.Codespace {
					t.Fatalf("block %d: %s refused outside the contracts codespace: %+v", blk.Height, msgs[i].Type(), res)
				}
			}
		}
		evs := blockEvents(blk)
		for _, e := range evs {
			a := attrs(e)
			switch e.Type {
			case "contracts.instalment_paid":
				if a["interest_krw"] != "0" {
					seen["paid late"]++
				}
			case "contracts.missed":
				seen["missed"]++
				if countEvents(blk.Result.Events, "contracts.missed") == int(params.MaxDuePerBlock) {
					seen["due budget reached"]++
				}
			case "contracts.direct_payment":
				seen["direct "+a["ground"]]++
			case "contracts.paid_direct":
				seen["paid direct"]++
			case "contracts.approved":
				seen["released"]++
			case "contracts.refunded":
				seen["refunded"]++
			}
		}
		for _, k := range signers {
			if a, ok := h.Account(k.Addr); ok {
				h.SetSeq(k, a.Sequence)
			}
		}
		cur := readWorld(t, h)
		if err := checkWorld(prev, cur, evs, created, params); err != nil {
			t.Fatalf("seed %d block %d: %v", seed, blk.Height, err)
		}
		prev = cur
	}
	h.ExportRoundTrip(t)
}

func pick2(rng *mrand.Rand, a, b string) string {
	if rng.IntN(2) == 0 {
		return a
	}
	return b
}

// TestInvariantsCatch: each invariant checkWorld holds fails on a world
// broken in its way (a state a bug in the keeper could leave).
func TestInvariantsCatch(t *testing.T) {
	params := simParams()
	h := newChain(t, contracts.Genesis{Params: simParams()})
	a := newMsg("w-1")
	a.Milestones[0].Due = "2025-03-05"
	create(t, h, a)
	create(t, h, newMsg("w-2"))
	deliverApprove(t, h, "w-1", 0)
	deliverApprove(t, h, "w-2", 0)
	h.RunOK("dispute", h.Sign(owner, &tx.MsgContractsDispute{Contract: "w-1", Milestone: 1, Reason: hash("x")}))
	h.Skip(days(10))
	h.Block()
	h.RunOK("pay late", h.Sign(prime, &tx.MsgContractsPaySub{Contract: "w-1", Milestone: 0, Subcontractor: sub2.Addr}))
	prev := readWorld(t, h)
	created := 2 * total(a)
	if err := checkWorld(prev, prev, nil, created, params); err != nil {
		t.Fatalf("the unbroken world: %v", err)
	}
	for _, c := range []struct {
		name    string
		want    string
		corrupt func(w *world) (evs []abci.Event, created uint64)
	}{
		{"escrow account short", "escrow account holds", func(w *world) ([]abci.Event, uint64) {
			w.escrow -= million
			return nil, created
		}},
		{"escrow not created − released − refunded", "created", func(w *world) ([]abci.Event, uint64) { return nil, created + 1 }},
		{"per-contract total", "≠ total", func(w *world) ([]abci.Event, uint64) {
			w.contracts[0].RefundedKRW++
			return nil, created
		}},
		{"released counter against the milestones", "milestones' shares by status", func(w *world) ([]abci.Event, uint64) {
			w.contracts[0].ReleasedKRW--
			w.contracts[0].EscrowKRW++
			return nil, created
		}},
		{"interest not LateInterest", "LateInterest", func(w *world) ([]abci.Event, uint64) {
			for i, in := range w.instalments["w-1"] {
				if in.PaidAt != 0 {
					w.instalments["w-1"][i].InterestKRW--
				}
			}
			return nil, created
		}},
		{"interest on an unpaid instalment", "with interest", func(w *world) ([]abci.Event, uint64) {
			w.instalments["w-2"][0].InterestKRW = 1
			return nil, created
		}},
		{"instalment after direct in the block", "after it became direct in the block", func(w *world) ([]abci.Event, uint64) {
			return []abci.Event{
				{Type: "contracts.direct_payment", Attributes: []abci.EventAttribute{{Key: "contract", Value: "w-2"}, {Key: "subcontractor", Value: sub1.Addr.String()}}},
				{Type: "contracts.instalment", Attributes: []abci.EventAttribute{{Key: "contract", Value: "w-2"}, {Key: "subcontractor", Value: sub1.Addr.String()}}},
			}, created
		}},
		{"instalment after direct in an earlier block", "direct since an earlier block", func(w *world) ([]abci.Event, uint64) {
			in := w.instalments["w-2"][slices.IndexFunc(w.instalments["w-2"], func(in tx.Instalment) bool { return in.Subcontractor == sub1.Addr })]
			in.Milestone = 1
			w.instalments["w-2"] = append(w.instalments["w-2"], in)
			w.contracts[1].Milestones[1].Status = tx.MilestoneApproved
			return nil, created
		}},
		{"frozen milestone released without the arbiter", "without the arbiter", func(w *world) ([]abci.Event, uint64) {
			w.contracts[0].Milestones[1].Status = tx.MilestoneApproved
			return nil, created
		}},
		{"missed twice, not direct", "is not direct", func(w *world) ([]abci.Event, uint64) {
			w.contracts[0].Subcontractors[0].Missed = 2
			for i := range w.instalments["w-1"] {
				w.instalments["w-1"][i].Missed = true
			}
			return nil, created
		}},
		{"a line off its instalments", "its instalments owe", func(w *world) ([]abci.Event, uint64) {
			w.lines["w-2"][1].OwedKRW++
			return nil, created
		}},
		{"a tier off its lines", "the lines add up", func(w *world) ([]abci.Event, uint64) {
			a := w.arrears["w-2"]
			a.Tiers = slices.Clone(a.Tiers)
			a.Tiers[1].PaidKRW++
			w.arrears["w-2"] = a
			return nil, created
		}},
		{"an overdue instalment not missed", "passed their due", func(w *world) ([]abci.Event, uint64) {
			w.instalments["w-2"][0].Due = w.time - 1
			return nil, created
		}},
		{"more missed than the budget", "max_due_per_block is 3", func(w *world) ([]abci.Event, uint64) {
			return slices.Repeat([]abci.Event{{Type: "contracts.missed"}}, 4), created
		}},
		{"labour pool not funded", "the labour pool received", func(w *world) ([]abci.Event, uint64) {
			w.funded["w-1"]++
			return nil, created
		}},
		{"prime line off its milestones", "prime line", func(w *world) ([]abci.Event, uint64) {
			w.lines["w-1"][0].PaidKRW++
			return nil, created
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cur := readWorld(t, h)
			// The direct-since-earlier case needs sub1 direct before.
			p := prev
			if strings.Contains(c.name, "earlier block") {
				p = readWorld(t, h)
				p.contracts[1].Subcontractors[0].Direct = true
			}
			evs, cr := c.corrupt(cur)
			err := checkWorld(p, cur, evs, cr, params)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error with %q", err, c.want)
			}
		})
	}
}
