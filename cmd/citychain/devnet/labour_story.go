package devnet

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/keyring"
	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/chain/tx"
)

// The devnet's part-time pay and public-works story (docs/labour.md,
// docs/contracts.md). The genesis seeded the shop's last weeks
// (chain/node/labour_history.go): two countersigned weekly contracts, their
// shifts clocked through the shop's terminal, worker 1 paid on the last
// pay day and worker 2 not, the shop's fund being short. At the first
// blocks the chain closes the weeks since and marks worker 2's statement
// late; the story has the shop deposit, worker 2 is paid with the interest
// for the days late (checked against tx.LateInterest), and worker 1 works
// a shift today through the terminal. Then the public works agency creates
// a contract with a prime and one subcontractor, the three sign a direct
// payment agreement, the prime delivers milestone 0 and the supervisor
// approves it: the subcontractor is paid directly and the labour pool is
// funded; a day worker of the prime, on a fresh key, is paid from the pool
// in the block after its clock-out, and the story verifies its arrears
// line with a proof. What the chain answered is written to
// HOME/labour/story.json.
const (
	// DemoProject is the story's public-works contract.
	DemoProject = "mapo-bridge-2026"
	// labourDayWorker is the day worker's key, created by the story: no
	// account until the prime gives it one S-Coin to sign with.
	labourDayWorker = "dayworker"
	// labourDeposit is what the shop deposits after the late pay day (won).
	labourDeposit = 1_000_000
	// labourDayWage is the day worker's hourly wage (won).
	labourDayWage = 12_000
	// Hours of the story's live shifts: stamped by the terminals that long
	// ago and relayed now (a terminal's stamp may be relayed up to
	// tx.MaxClockDelay after it was signed).
	labourShopShift = 3 * time.Hour
	labourSiteShift = 9 * time.Hour
)

// The public-works contract's breakdown (won) and milestones.
var (
	labourPools    = tx.ContractPools{Subcontract: 30_000_000, Labour: 10_000_000, Equipment: 5_000_000, Materials: 15_000_000}
	labourWeights  = []uint32{4_000, 6_000}
	labourMsNames  = []string{"foundations", "deck"}
	labourMsDays   = []int{30, 120} // due dates, days after the contract's creation
	labourStoryKey = append([]string{"shop", "works", "prime", "subcontractor", "supervisor", "arbiter", "guarantor",
		node.ShopTerminal, node.SiteTerminal}, node.ShopWorkers...)
)

// LabourStoryReport is what the labour story left on chain, written to
// HOME/labour/story.json once it is done.
type LabourStoryReport struct {
	Shop  LabourStoryShop  `json:"shop"`
	Works LabourStoryWorks `json:"works"`
}

// LabourStoryShop is the shop's pay day: the contracts of worker 1 and
// worker 2, their statements of the last pay day before the genesis
// (worker 1's paid on time, worker 2's late then paid with interest), the
// interest recomputed by tx.LateInterest from the chain's rule table, and
// worker 1's shift of today.
type LabourStoryShop struct {
	Contracts []uint64         `json:"contracts"`
	OnTime    tx.WageStatement `json:"on_time"`
	Late      tx.WageStatement `json:"late"`
	// LateHeight is the first height at which worker 2's statement was
	// late; PaidHeight the first at which it was paid.
	LateHeight   int64    `json:"late_height"`
	PaidHeight   int64    `json:"paid_height"`
	WantInterest uint64   `json:"want_interest_krw"`
	Shift        tx.Shift `json:"shift"`
}

// LabourStoryWorks is the public-works contract after milestone 0: the
// contract, what the subcontractor was paid directly (its arrears line and
// its ukrw), the labour pool, the day worker's contract and statement with
// the heights of its clock-out and payment, the arrears view and the day
// worker's line as proven.
type LabourStoryWorks struct {
	Contract       tx.Contract          `json:"contract"`
	SubLine        tx.ArrearsLine       `json:"sub_line"`
	SubUKRW        uint64               `json:"sub_ukrw"`
	Pool           tx.LabourFund        `json:"pool"`
	DayWorker      tx.Address           `json:"day_worker"`
	DayContract    uint64               `json:"day_contract"`
	DayStatement   tx.WageStatement     `json:"day_statement"`
	DayUKRW        uint64               `json:"day_worker_ukrw"`
	ClockOutHeight int64                `json:"clock_out_height"`
	PaidHeight     int64                `json:"paid_height"`
	Arrears        tx.ContractArrears   `json:"arrears"`
	Line           tx.LabourProjectLine `json:"line"`
	Proof          LabourStoryProof     `json:"proof"`
}

// LabourStoryProof is what the day worker's line was verified against.
type LabourStoryProof struct {
	StateHeight  int64       `json:"state_height"`
	HeaderHeight int64       `json:"header_height"`
	AppHash      tx.HexBytes `json:"app_hash"`
	Trusted      string      `json:"trusted"`
}

// LabourDir is where a devnet home keeps the labour story's story.json and
// offer.json (the shop's contract, a template for offers by hand).
func LabourDir(home string) string { return filepath.Join(home, "labour") }

// labourStory plays the shop, its workers and terminal, the public works
// agency, the prime, the subcontractor, the supervisor and a day worker.
type labourStory struct {
	storyBase
	chainID string
	genesis int64 // the chain's genesis time, unix seconds
}

// PlayLabourStory plays the labour story once, to its end, on the devnet
// of home through c, printing its steps to out (what `citychain devnet`
// runs in the background; tests build on it).
func PlayLabourStory(ctx context.Context, home string, c *client.Client, out io.Writer, log *slog.Logger) error {
	s := &System{cfg: Config{Home: home, Out: out, Logger: log}}
	st, err := s.newLabourStory(c)
	if err != nil {
		return err
	}
	return st.play(ctx)
}

func (s *System) newLabourStory(c *client.Client) (*labourStory, error) {
	dir := LabourDir(s.cfg.Home)
	kr, err := s.openStory(dir)
	if err != nil {
		return nil, err
	}
	return &labourStory{storyBase: s.storyBase("labour", c, kr, dir)}, nil
}

// run plays the story through playStory.
func (st *labourStory) run(ctx context.Context) error {
	return playStory(ctx, "labour", st.kr, st.dir, labourStoryKey, st.log, st.play)
}

// play runs every step not done yet.
func (st *labourStory) play(ctx context.Context) error {
	var err error
	if st.chainID, err = st.c.ChainID(ctx); err != nil {
		return err
	}
	g, err := st.c.RPC().Genesis(ctx)
	if err != nil {
		return fmt.Errorf("genesis: %w", err)
	}
	st.genesis = g.Genesis.GenesisTime.Unix()
	rep := &LabourStoryReport{}
	if err := st.shop(ctx, &rep.Shop); err != nil {
		return err
	}
	if err := st.works(ctx, &rep.Works); err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(st.dir, "story.json"), rep); err != nil {
		return err
	}
	st.say("story done: %s", filepath.Join(st.dir, "story.json"))
	return nil
}

// ---- the shop ----

// shop plays the shop's pay day and worker 1's shift of today.
func (st *labourStory) shop(ctx context.Context, rep *LabourStoryShop) error {
	shop, err := st.addr("shop")
	if err != nil {
		return err
	}
	var cts []tx.LabourContract
	for _, w := range node.ShopWorkers {
		addr, err := st.addr(w)
		if err != nil {
			return err
		}
		ct, err := st.contractOf(ctx, addr, shop)
		if err != nil {
			return err
		}
		if ct == nil {
			return fmt.Errorf("the shop has no contract with %s (%s): this devnet's genesis has no shop history", w, addr)
		}
		cts = append(cts, *ct)
		rep.Contracts = append(rep.Contracts, ct.ID)
	}
	// The shop's contract, as a template for contracts offered by hand
	// (README: --worker and --start replace its worker and start).
	if err := writeJSON(filepath.Join(st.dir, "offer.json"), &cts[0].MsgLabourOffer); err != nil {
		return err
	}
	// The pay day statements: each contract's last statement due before
	// the genesis.
	var pay []*tx.WageStatement
	for _, ct := range cts {
		s, err := st.payDayStatement(ctx, ct.ID)
		if err != nil {
			return err
		}
		pay = append(pay, s)
	}
	onTime, late := pay[0], pay[1]
	if onTime.Status != tx.StatementPaid || onTime.DaysLate != 0 {
		return fmt.Errorf("worker 1's statement %d of the pay day %s: %s, %d days late; want paid on time", onTime.ID, tx.DateOf(onTime.Due), onTime.Status, onTime.DaysLate)
	}
	rules, err := st.c.LabourRules(ctx, 0)
	if err != nil {
		return err
	}
	if late.Status != tx.StatementPaid {
		st.say("pay day %s: worker 1 was paid on time (statement %d, net %d won); worker 2's statement %d (gross %d won) is %s: the shop's fund is short",
			tx.DateOf(late.Due), onTime.ID, onTime.NetKRW, late.ID, late.GrossKRW, late.Status)
		if late, err = st.payLate(ctx, shop, late, rules.Rules); err != nil {
			return err
		}
	}
	rep.OnTime, rep.Late = *onTime, *late
	if rep.LateHeight, err = st.firstHeight(ctx, late.ID, func(s *tx.WageStatement) bool { return s.Status != tx.StatementPending }); err != nil {
		return err
	}
	if rep.PaidHeight, err = st.firstHeight(ctx, late.ID, func(s *tx.WageStatement) bool { return s.Status == tx.StatementPaid }); err != nil {
		return err
	}
	rep.WantInterest = tx.LateInterest(rules.Rules, tx.RuleLateInterest, late.GrossKRW, late.Due, late.PaidAt)
	if late.InterestKRW == 0 || late.InterestKRW != rep.WantInterest || late.DaysLate != tx.DaysLate(late.Due, late.PaidAt) {
		return fmt.Errorf("worker 2's statement %d: %d days late, interest %d won; tx.LateInterest over the chain's rules gives %d won for %d days",
			late.ID, late.DaysLate, late.InterestKRW, rep.WantInterest, tx.DaysLate(late.Due, late.PaidAt))
	}
	st.printStatement("worker 1's statement", onTime)
	st.printStatement("worker 2's statement", late)
	rate, _ := tx.RuleAt(rules.Rules, tx.RuleLateInterest, late.PaidAt)
	st.say("  interest check: floor(%d won × %d.%03d %% a year × %d days / 365) = %d won = tx.LateInterest over the chain's rule table",
		late.GrossKRW, rate/1000, rate%1000, late.DaysLate, rep.WantInterest)

	shift, err := st.liveShift(ctx, &cts[0])
	if err != nil {
		return err
	}
	rep.Shift = *shift
	return nil
}

// contractOf is worker's first contract with employer, or nil.
func (st *labourStory) contractOf(ctx context.Context, worker, employer tx.Address) (*tx.LabourContract, error) {
	page, _, err := st.c.LabourContracts(ctx, tx.LabourContractsRequest{Worker: worker, Limit: tx.MaxListLimit}, 0)
	if err != nil {
		return nil, err
	}
	for i := range page.Contracts {
		if page.Contracts[i].Employer == employer {
			return &page.Contracts[i], nil
		}
	}
	return nil, nil
}

// payDayStatement is contract id's last statement due before the genesis.
func (st *labourStory) payDayStatement(ctx context.Context, id uint64) (*tx.WageStatement, error) {
	var last *tx.WageStatement
	_, err := client.AllPages(ctx, 0, func(ctx context.Context, after string, h int64) (string, int64, error) {
		var from uint64
		if after != "" {
			from, _ = strconv.ParseUint(after, 10, 64)
		}
		p, at, err := st.c.LabourStatements(ctx, tx.LabourStatementsRequest{Contract: id, After: from, Limit: tx.MaxListLimit}, h)
		if err != nil {
			return "", 0, err
		}
		for i := range p.Statements {
			if s := &p.Statements[i]; s.Due < st.genesis && (last == nil || s.Due >= last.Due) {
				last = s
			}
		}
		if p.Next == 0 {
			return "", at, nil
		}
		return strconv.FormatUint(p.Next, 10), at, nil
	})
	if err != nil {
		return nil, err
	}
	if last == nil {
		return nil, fmt.Errorf("contract %d has no statement due before the genesis", id)
	}
	return last, nil
}

// payLate waits for the chain to mark worker 2's statement late (the first
// blocks' end-of-block work tries it), has the shop deposit unless its
// fund already holds the pay, and waits for the payment.
func (st *labourStory) payLate(ctx context.Context, shop tx.Address, s *tx.WageStatement, rules []tx.LabourRule) (*tx.WageStatement, error) {
	s, err := st.waitStatement(ctx, s.ID, func(s *tx.WageStatement) bool { return s.Status != tx.StatementPending })
	if err != nil {
		return nil, err
	}
	if s.Status == tx.StatementPaid {
		return s, nil
	}
	f, _, err := st.c.LabourFund(ctx, tx.LabourFundRequest{Owner: shop}, client.ReadOpts{})
	if err != nil {
		return nil, err
	}
	accrued := tx.LateInterest(rules, tx.RuleLateInterest, s.GrossKRW, s.Due, time.Now().Unix())
	if f == nil || f.BalanceKRW < s.GrossKRW+accrued {
		bal := uint64(0)
		if f != nil {
			bal = f.BalanceKRW
		}
		st.say("worker 2's statement %d is late (%d days, %d won interest so far); the shop's fund holds %d won; the shop deposits %d won",
			s.ID, tx.DaysLate(s.Due, time.Now().Unix()), accrued, bal, labourDeposit)
		if _, err := st.submitAs(ctx, "shop", &tx.MsgLabourDeposit{AmountKRW: labourDeposit}); err != nil {
			return nil, err
		}
	}
	return st.waitStatement(ctx, s.ID, func(s *tx.WageStatement) bool { return s.Status == tx.StatementPaid })
}

// waitStatement reads statement id each block until done holds (at most a
// minute).
func (st *labourStory) waitStatement(ctx context.Context, id uint64, done func(*tx.WageStatement) bool) (*tx.WageStatement, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for {
		s, res, err := st.c.LabourStatement(ctx, id, client.ReadOpts{})
		if err != nil {
			return nil, err
		}
		if s == nil {
			return nil, fmt.Errorf("statement %d: %w", id, client.ErrNotFound)
		}
		if done(s) {
			return s, nil
		}
		if err := st.c.WaitHeight(ctx, res.Height+1); err != nil {
			return nil, fmt.Errorf("statement %d still %s: %w", id, s.Status, err)
		}
	}
}

// firstHeight is the first height at which statement id exists and ok
// holds of it, found by bisection over the chain's heights (ok, once it
// holds, holds at every later height).
func (st *labourStory) firstHeight(ctx context.Context, id uint64, ok func(*tx.WageStatement) bool) (int64, error) {
	s, res, err := st.c.LabourStatement(ctx, id, client.ReadOpts{})
	if err != nil {
		return 0, err
	}
	if s == nil || !ok(s) {
		return 0, fmt.Errorf("statement %d: not yet in the state asked for", id)
	}
	lo, hi := int64(0), res.Height // ok fails at lo (or lo is before the chain), holds at hi
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		s, _, err := st.c.LabourStatement(ctx, id, client.ReadOpts{Height: mid})
		if err != nil {
			return 0, err
		}
		if s != nil && ok(s) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi, nil
}

// printStatement prints a wage statement as its worker reads it.
func (st *labourStory) printStatement(title string, s *tx.WageStatement) {
	st.say("%s %d (contract %d, %s to %s, due %s):", title, s.ID, s.Contract, tx.DateOf(s.From), tx.DateOf(s.To-1), tx.DateOf(s.Due))
	for _, it := range s.Items {
		st.say("  %-15s %9d won   %s", it.Name, it.AmountKRW, it.Basis)
	}
	st.say("  %-15s %9d won", "gross", s.GrossKRW)
	for _, d := range s.Deductions {
		st.say("  - %-13s %9d won   %d.%03d %% of %d", d.Name, d.AmountKRW, d.Rate/1000, d.Rate%1000, d.BaseKRW)
	}
	st.say("  %-15s %9d won", "net", s.NetKRW)
	st.say("  paid %s, %d days late, interest %d won: %d won to the worker",
		time.Unix(s.PaidAt, 0).In(tx.KST).Format("2006-01-02 15:04 MST"), s.DaysLate, s.InterestKRW, s.NetKRW+s.InterestKRW)
}

// stamp is a terminal's signed clock event.
func (st *labourStory) stamp(ctx context.Context, device string, contract uint64, action string, at int64) (*tx.TerminalStamp, error) {
	k, err := st.key(device)
	if err != nil {
		return nil, err
	}
	d, _, err := st.c.Device(ctx, device, client.ReadOpts{})
	if err != nil {
		return nil, err
	}
	if d == nil || !bytes.Equal(d.PubKey, k.PubKey) {
		return nil, fmt.Errorf("terminal %s: not registered with the key %s of the devnet keyring", device, k.PubKey)
	}
	sig := ed25519.Sign(k.Private, tx.LabourClockMessage(st.chainID, contract, action, at, device))
	return &tx.TerminalStamp{Device: device, KeyEpoch: d.KeyEpoch, At: at, Signature: sig}, nil
}

// clockThrough relays a terminal's stamps of a shift of hours ending now:
// the clock-in unless the contract's shift is open already, then the
// clock-out. It returns the clock-out's transaction. The shift starts no
// earlier than the contract's first open week (a closed week takes no
// clock-in) nor before its last event: early on a Monday it is shorter.
func (st *labourStory) clockThrough(ctx context.Context, relay, device string, ct *tx.LabourContract, hours time.Duration) (*client.TxResult, error) {
	if ct.Open == 0 {
		floor := max(ct.ClosedThrough, ct.LastEvent+60)
		if wait := time.Until(time.Unix(floor+120, 0)); wait > 0 {
			// A week that just began: leave the shift two minutes.
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(wait):
			}
		}
		in := time.Now().Add(-hours).Unix()
		if in -= in % 60; in < floor {
			in = floor + (60-floor%60)%60
		}
		s, err := st.stamp(ctx, device, ct.ID, tx.ClockIn, in)
		if err != nil {
			return nil, err
		}
		if _, err := st.submitAs(ctx, relay, &tx.MsgLabourClock{Contract: ct.ID, Action: tx.ClockIn, Terminal: s}); err != nil {
			return nil, err
		}
	}
	s, err := st.stamp(ctx, device, ct.ID, tx.ClockOut, time.Now().Unix())
	if err != nil {
		return nil, err
	}
	return st.submitAs(ctx, relay, &tx.MsgLabourClock{Contract: ct.ID, Action: tx.ClockOut, Terminal: s})
}

// liveShift has worker 1 work a shift today through the shop's terminal
// (unless the story's shift exists) and returns it.
func (st *labourStory) liveShift(ctx context.Context, ct *tx.LabourContract) (*tx.Shift, error) {
	shift, err := st.storyShift(ctx, ct.ID)
	if err != nil {
		return nil, err
	}
	if shift == nil || shift.Out == 0 {
		fresh, _, err := st.c.LabourContract(ctx, ct.ID, client.ReadOpts{})
		if err != nil {
			return nil, err
		}
		if fresh == nil {
			return nil, fmt.Errorf("contract %d: %w", ct.ID, client.ErrNotFound)
		}
		if _, err := st.clockThrough(ctx, "shop", node.ShopTerminal, fresh, labourShopShift); err != nil {
			return nil, err
		}
		if shift, err = st.storyShift(ctx, ct.ID); err != nil {
			return nil, err
		}
		if shift == nil || shift.Out == 0 {
			return nil, fmt.Errorf("contract %d: no complete shift after the clock-out", ct.ID)
		}
	}
	st.say("worker 1's shift %d today through %s: in %s, out %s (stamps signed by the terminal, relayed by the shop), %d paid minutes, on the next pay day's statement",
		shift.ID, shift.InBy, clock(shift.In), clock(shift.Out), shift.Minutes)
	return shift, nil
}

// storyShift is contract id's shift clocked by the story, or nil: its
// last shift when open or ended on the genesis' day or later (the seeded
// shifts all ended the day before).
func (st *labourStory) storyShift(ctx context.Context, id uint64) (*tx.Shift, error) {
	shifts, _, err := st.c.LabourContractShifts(ctx, id, 0)
	if err != nil || len(shifts) == 0 {
		return nil, err
	}
	if s := &shifts[len(shifts)-1]; s.Out == 0 || s.Out >= tx.DayStart(st.genesis) {
		return s, nil
	}
	return nil, nil
}

func clock(t int64) string { return time.Unix(t, 0).In(tx.KST).Format("15:04 MST") }

// ---- the public-works contract ----

// works plays the public-works contract through milestone 0 and the day
// worker.
func (st *labourStory) works(ctx context.Context, rep *LabourStoryWorks) error {
	names := []string{"works", "prime", "subcontractor", "supervisor", "arbiter", "guarantor"}
	addrs := map[string]tx.Address{}
	for _, n := range names {
		a, err := st.addr(n)
		if err != nil {
			return err
		}
		addrs[n] = a
	}
	sub := addrs["subcontractor"]
	c, err := st.contract(ctx, addrs)
	if err != nil {
		return err
	}

	// The three-party agreement: each party that has not signed yet.
	if s := c.Subcontractors[0]; !s.Direct {
		for _, p := range []struct{ key, party string }{{"works", "owner"}, {"prime", "prime"}, {"subcontractor", "subcontractor"}} {
			if slices.Contains(s.Agreed, p.party) {
				continue
			}
			if _, err := st.submitAs(ctx, p.key, &tx.MsgContractsAgreeDirect{Contract: DemoProject, Subcontractor: sub}); err != nil {
				return err
			}
			st.say("%s signed the direct-payment agreement for the subcontractor", p.party)
		}
		if c, err = st.readContract(ctx); err != nil {
			return err
		}
		if s := c.Subcontractors[0]; !s.Direct || s.Ground != tx.GroundAgreement {
			return fmt.Errorf("after the three signatures the subcontractor is direct %v (ground %q)", s.Direct, s.Ground)
		}
		st.say("owner, prime and subcontractor agreed: the subcontractor is paid directly from now on (Subcontracting Act art. 14, ground %s)", tx.GroundAgreement)
	}

	// Milestone 0: delivered by the prime, approved by the supervisor.
	ms := tx.MsgContractsMilestone{Contract: DemoProject, Milestone: 0}
	if c.Milestones[0].Status == tx.MilestoneOpen {
		if _, err := st.submitAs(ctx, "prime", &tx.MsgContractsDeliver{MsgContractsMilestone: ms}); err != nil {
			return err
		}
		st.say("the prime delivered milestone 0 (%s)", c.Milestones[0].Name)
		c.Milestones[0].Status = tx.MilestoneDelivered
	}
	if c.Milestones[0].Status == tx.MilestoneDelivered {
		before, _, err := st.c.Balance(ctx, sub, tx.DenomKRW, client.ReadOpts{})
		if err != nil {
			return err
		}
		res, err := st.submitAs(ctx, "supervisor", &tx.MsgContractsApprove{MsgContractsMilestone: ms})
		if err != nil {
			return err
		}
		after, _, err := st.c.Balance(ctx, sub, tx.DenomKRW, client.ReadOpts{Height: res.Height})
		if err != nil {
			return err
		}
		want := tx.MilestoneShare(contractMilestones(c), 0, c.Subcontractors[0].ShareKRW)
		if after-before != want*tx.UKRWPerWon {
			return fmt.Errorf("the approval paid the subcontractor %d ukrw, want its share %d won", after-before, want)
		}
		st.say("the supervisor approved milestone 0 at height %d: %d won to the subcontractor directly, %d won to the labour pool, %d won to the prime",
			res.Height, want, tx.MilestoneShare(contractMilestones(c), 0, c.Pools.Labour),
			tx.MilestoneShare(contractMilestones(c), 0, c.Pools.Equipment)+tx.MilestoneShare(contractMilestones(c), 0, c.Pools.Materials))
	}
	if c, err = st.readContract(ctx); err != nil {
		return err
	}
	if c.Milestones[0].Status != tx.MilestoneApproved {
		return fmt.Errorf("milestone 0 is %s, want %s", c.Milestones[0].Status, tx.MilestoneApproved)
	}
	line, _, err := st.c.ContractLine(ctx, tx.ArrearsLineRequest{Contract: DemoProject, Tier: tx.TierSubcontract, Party: sub}, client.ReadOpts{})
	if err != nil {
		return err
	}
	if line == nil || line.PaidKRW != tx.MilestoneShare(contractMilestones(c), 0, c.Subcontractors[0].ShareKRW) {
		return fmt.Errorf("the subcontractor's arrears line %+v, want its milestone 0 share paid", line)
	}
	rep.SubLine = *line
	if rep.SubUKRW, _, err = st.c.Balance(ctx, sub, tx.DenomKRW, client.ReadOpts{}); err != nil {
		return err
	}
	st.say("the subcontractor holds %d won (ukrw): paid by the owner's escrow, not through the prime", rep.SubUKRW/tx.UKRWPerWon)

	if err := st.dayWorker(ctx, c, rep); err != nil {
		return err
	}
	if c, err = st.readContract(ctx); err != nil {
		return err
	}
	rep.Contract = *c
	a, err := st.c.ContractArrears(ctx, DemoProject, 0)
	if err != nil {
		return err
	}
	rep.Arrears = *a
	st.say("arrears view of %s:", DemoProject)
	for _, t := range a.Tiers {
		st.say("  %-12s owed %11d won   overdue %11d won   paid %11d won", t.Tier, t.OwedKRW, t.OverdueKRW, t.PaidKRW)
	}
	return st.proveLine(ctx, rep)
}

// contract reads the story's public-works contract, creating it the first
// time.
func (st *labourStory) contract(ctx context.Context, a map[string]tx.Address) (*tx.Contract, error) {
	c, _, err := st.c.Contract(ctx, DemoProject, client.ReadOpts{})
	if err != nil || c != nil {
		return c, err
	}
	today, err := tx.ParseDate("today", tx.DateOf(time.Now().Unix()))
	if err != nil {
		return nil, err
	}
	m := &tx.MsgContractsCreate{
		ID: DemoProject, Prime: a["prime"], Supervisor: a["supervisor"], Arbiter: a["arbiter"], Guarantor: a["guarantor"],
		Pools:          labourPools,
		Subcontractors: []tx.Subcontractor{{Address: a["subcontractor"], ShareKRW: labourPools.Subcontract, Scope: sha256.Sum256([]byte("Mapo bridge 2026: steel deck subcontract"))}},
		Terms:          sha256.Sum256([]byte("Mapo bridge repair 2026: public works contract")),
	}
	for i, w := range labourWeights {
		m.Milestones = append(m.Milestones, tx.Milestone{Name: labourMsNames[i], Due: tx.DateOf(today + int64(labourMsDays[i])*86400), WeightBP: w})
	}
	if _, err := st.submitAs(ctx, "works", m); err != nil {
		return nil, err
	}
	total, _ := labourPools.Total()
	st.say("the public works agency created %s: %d won in escrow (subcontract %d, labour %d, equipment %d, materials %d), milestones %s due %s and %s due %s; nothing of it can change",
		DemoProject, total, labourPools.Subcontract, labourPools.Labour, labourPools.Equipment, labourPools.Materials,
		m.Milestones[0].Name, m.Milestones[0].Due, m.Milestones[1].Name, m.Milestones[1].Due)
	return st.readContract(ctx)
}

func (st *labourStory) readContract(ctx context.Context) (*tx.Contract, error) {
	c, _, err := st.c.Contract(ctx, DemoProject, client.ReadOpts{})
	if err == nil && c == nil {
		err = fmt.Errorf("contract %s: %w", DemoProject, client.ErrNotFound)
	}
	return c, err
}

func contractMilestones(c *tx.Contract) []tx.Milestone {
	out := make([]tx.Milestone, len(c.Milestones))
	for i := range c.Milestones {
		out[i] = c.Milestones[i].Milestone
	}
	return out
}

// dayWorker has the prime hire a day worker on the project (a fresh key),
// stamps its shift through the site terminal and checks it is paid from
// the labour pool in the clock-out's block or the next.
func (st *labourStory) dayWorker(ctx context.Context, c *tx.Contract, rep *LabourStoryWorks) error {
	k, err := st.kr.Get(labourDayWorker)
	if errors.Is(err, keyring.ErrNotFound) {
		k, err = st.kr.Add(labourDayWorker)
	}
	if err != nil {
		return err
	}
	rep.DayWorker = k.Address
	ct, err := st.dayContract(ctx, c, k)
	if err != nil {
		return err
	}
	rep.DayContract = ct.ID
	shifts, _, err := st.c.LabourContractShifts(ctx, ct.ID, 0)
	if err != nil {
		return err
	}
	if len(shifts) == 0 || shifts[len(shifts)-1].Out == 0 {
		res, err := st.clockThrough(ctx, "prime", node.SiteTerminal, ct, labourSiteShift)
		if err != nil {
			return err
		}
		st.say("the site terminal stamped the day worker in and out (relayed by the prime; out at height %d)", res.Height)
		if shifts, _, err = st.c.LabourContractShifts(ctx, ct.ID, 0); err != nil {
			return err
		}
	}
	shift := shifts[len(shifts)-1]
	st.say("the day worker's shift %d: in %s, out %s through %s, %d paid minutes; its statement %d is due at the clock-out",
		shift.ID, clock(shift.In), clock(shift.Out), shift.OutBy, shift.Minutes, shift.Statement)
	if shift.Statement == 0 {
		return fmt.Errorf("the day worker's shift %d has no statement after its clock-out", shift.ID)
	}
	s, err := st.waitStatement(ctx, shift.Statement, func(s *tx.WageStatement) bool { return s.Status != tx.StatementPending })
	if err != nil {
		return err
	}
	if s.Status != tx.StatementPaid {
		return fmt.Errorf("the day worker's statement %d is %s, want paid from the labour pool", s.ID, s.Status)
	}
	rep.DayStatement = *s
	if rep.ClockOutHeight, err = st.firstHeight(ctx, s.ID, func(*tx.WageStatement) bool { return true }); err != nil {
		return err
	}
	if rep.PaidHeight, err = st.firstHeight(ctx, s.ID, func(s *tx.WageStatement) bool { return s.Status == tx.StatementPaid }); err != nil {
		return err
	}
	if rep.PaidHeight > rep.ClockOutHeight+1 {
		return fmt.Errorf("the day worker's statement %d: clocked out at height %d, paid at %d; want at most one block later", s.ID, rep.ClockOutHeight, rep.PaidHeight)
	}
	if rep.DayUKRW, _, err = st.c.Balance(ctx, k.Address, tx.DenomKRW, client.ReadOpts{}); err != nil {
		return err
	}
	st.printStatement("the day worker's statement", s)
	st.say("the day worker was paid at height %d, clocked out at height %d: %d won in its chain wallet %s (no bank account)",
		rep.PaidHeight, rep.ClockOutHeight, rep.DayUKRW/tx.UKRWPerWon, k.Address)
	if rep.DayUKRW != (s.NetKRW+s.InterestKRW)*tx.UKRWPerWon {
		return fmt.Errorf("the day worker holds %d ukrw, its statement paid %d won", rep.DayUKRW, s.NetKRW+s.InterestKRW)
	}
	pool, _, err := st.c.LabourFund(ctx, tx.LabourFundRequest{Project: DemoProject}, client.ReadOpts{})
	if err != nil {
		return err
	}
	if pool == nil {
		return fmt.Errorf("project %s has no labour pool after its milestone 0", DemoProject)
	}
	rep.Pool = *pool
	st.say("the labour pool of %s: funded %d won by milestone 0, paid %d won, holds %d won; only registered workers' statements draw on it",
		DemoProject, pool.DepositedKRW, pool.PaidKRW, pool.BalanceKRW)
	return nil
}

// dayContract finds the prime's daily contract with the day worker on the
// project, offering it (and giving the worker one S-Coin so it can sign
// its countersignature) the first time, and countersigning it.
func (st *labourStory) dayContract(ctx context.Context, c *tx.Contract, k *keyring.Key) (*tx.LabourContract, error) {
	ct, err := st.contractOf(ctx, k.Address, c.Prime)
	if err != nil {
		return nil, err
	}
	if ct == nil {
		// The shift starts labourSiteShift before now (within this week,
		// which the countersignature opens): the contract starts that day.
		// Tuesday to Sunday, 8 hours and a 1-hour break; Monday off.
		now := time.Now().Unix()
		start := tx.DateOf(max(now-int64(labourSiteShift/time.Second)-60, tx.WeekStart(now)))
		var sched []tx.WorkDay
		for d := 2; d <= 7; d++ {
			sched = append(sched, tx.WorkDay{Day: tx.WeekdayName(d), Start: "08:00", Minutes: 480, BreakMinutes: 60})
		}
		offer := &tx.MsgLabourOffer{
			Worker: k.Address, Project: DemoProject, Start: start, End: tx.DateOf(now + 30*86400),
			Schedule: sched, HourlyWage: labourDayWage, PayCycle: tx.PayDaily, WeeklyHoliday: "mon",
			Leave: commit("leave", k.Address), Place: commit("place: Mapo bridge site", k.Address), Duties: commit("duties: rebar and formwork", k.Address),
			WorkerID: commit("worker id", k.Address), Terms: commit("day labour contract, Mapo bridge 2026", k.Address),
		}
		res, err := st.submitAs(ctx, "prime", offer)
		if err != nil {
			return nil, err
		}
		v, _ := res.Attr("labour.offered", "contract")
		id, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("labour/offer committed at height %d, but its labour.offered event names no contract", res.Height)
		}
		st.say("the prime offered contract %d to a day worker on %s: daily pay at %d won an hour from the project's labour pool; the worker's wallet %s is new",
			id, DemoProject, labourDayWage, k.Address)
		if ct, _, err = st.c.LabourContract(ctx, id, client.ReadOpts{}); err != nil {
			return nil, err
		}
		if ct == nil {
			return nil, fmt.Errorf("contract %d: %w", id, client.ErrNotFound)
		}
	}
	if ct.Status == tx.LabourOffered {
		if _, err := st.c.Account(ctx, k.Address); errors.Is(err, client.ErrNotFound) {
			if _, err := st.submitAs(ctx, "prime", &tx.MsgSend{To: k.Address, Amount: tx.Coin{Amount: 1_000_000, Denom: tx.DenomSCoin}}); err != nil {
				return nil, err
			}
		} else if err != nil {
			return nil, err
		}
		if _, err := submitStory(ctx, st.c, k.Private, "devnet labour", labourDayWorker, &tx.MsgLabourCountersign{Contract: ct.ID, Terms: ct.Terms}); err != nil {
			return nil, err
		}
		st.say("the day worker countersigned contract %d (its wallet received 1 S-Coin from the prime to sign with)", ct.ID)
		if ct, _, err = st.c.LabourContract(ctx, ct.ID, client.ReadOpts{}); err != nil {
			return nil, err
		}
	}
	if ct == nil || ct.Status != tx.LabourActive {
		return nil, fmt.Errorf("the day worker's contract: %+v, want active", ct)
	}
	return ct, nil
}

// commit is a demo commitment to a contract field: SHA-256 of the text
// and the worker's address (real parties salt it with a secret).
func commit(text string, worker tx.Address) tx.Hash32 {
	return sha256.Sum256([]byte(text + "\x00" + worker.String()))
}

// proveLine reads the day worker's line of the project's arrears view with
// its proof and verifies it against a header the light client verified
// from the devnet's genesis.
func (st *labourStory) proveLine(ctx context.Context, rep *LabourStoryWorks) error {
	tc, err := client.New(st.c.RPC().Remote())
	if err != nil {
		return err
	}
	defer tc.Close()
	trust, err := client.TrustGenesisFile(node.GenesisFile(st.s.cfg.Home))
	if err != nil {
		return err
	}
	if err := tc.SetTrust(trust); err != nil {
		return err
	}
	line, res, err := tc.LabourProjectLine(ctx, DemoProject, rep.DayWorker, client.ReadOpts{Prove: true})
	if err != nil {
		return err
	}
	if line == nil || line.PaidKRW != rep.DayStatement.GrossKRW || line.OwedKRW != 0 {
		return fmt.Errorf("the day worker's line of %s: %+v, want paid %d won, owed 0", DemoProject, line, rep.DayStatement.GrossKRW)
	}
	v, err := tc.Verify(ctx, res)
	if err != nil {
		return fmt.Errorf("the day worker's line of %s: %w", DemoProject, err)
	}
	rep.Line = *line
	rep.Proof = LabourStoryProof{StateHeight: v.StateHeight, HeaderHeight: v.HeaderHeight, AppHash: v.AppHash, Trusted: v.Trusted.String()}
	st.say("the day worker's line of %s: owed %d won, paid %d won; proof verified against header %d (app hash %s…), from the %s",
		DemoProject, line.OwedKRW, line.PaidKRW, v.HeaderHeight, strings.ToUpper(fmt.Sprintf("%x", v.AppHash))[:16], v.Trusted.Kind)
	return nil
}
