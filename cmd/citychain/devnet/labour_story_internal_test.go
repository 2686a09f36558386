package devnet

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/cmd/citychain/local"
)

// TestLabourStory plays the devnet's labour story against a real devnet
// node (whose genesis seeds the shop's history) and checks what the chain
// holds: worker 1's pay-day statement paid on time, worker 2's late from
// the first blocks and then paid after the shop's deposit with interest
// above 0 equal to tx.LateInterest over the chain's rule table; worker 1's
// shift of today stamped by the shop's terminal; the public-works
// contract's subcontractor paid its milestone-0 share directly (its ukrw
// and its arrears line) after the three-party agreement; the day worker's
// statement created by its clock-out and paid in that block or the next,
// its net in the new wallet, its line proven from the genesis. Played
// again, it sends nothing and changes nothing.
func TestLabourStory(t *testing.T) {
	home := t.TempDir()
	n := local.Devnet(t, home, node.DevnetOptions{TimeoutCommit: 150 * time.Millisecond})
	c, err := client.New(n.RPCAddress())
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	if err := PlayLabourStory(ctx, home, c, &out, log); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	t.Logf("the story took %s; as the demo prints it:\n%s", time.Since(start).Round(time.Millisecond), out.String())
	rep := readLabourReport(t, home)
	rules, err := c.LabourRules(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}

	// The pay day: worker 1 on time, worker 2 late from the first blocks,
	// paid after the deposit with the interest of its days late.
	onTime, _, err := c.LabourStatement(ctx, rep.Shop.OnTime.ID, client.ReadOpts{})
	if err != nil || onTime == nil {
		t.Fatalf("worker 1's statement: %v %v", onTime, err)
	}
	if onTime.Worker != storyKey(t, home, "worker1") || onTime.Status != tx.StatementPaid || onTime.DaysLate != 0 || onTime.InterestKRW != 0 {
		t.Errorf("worker 1's pay-day statement %+v, want paid on time to worker1", onTime)
	}
	late, _, err := c.LabourStatement(ctx, rep.Shop.Late.ID, client.ReadOpts{})
	if err != nil || late == nil {
		t.Fatalf("worker 2's statement: %v %v", late, err)
	}
	want := tx.LateInterest(rules.Rules, tx.RuleLateInterest, late.GrossKRW, late.Due, late.PaidAt)
	if late.Worker != storyKey(t, home, "worker2") || late.Status != tx.StatementPaid || late.Due != onTime.Due ||
		late.DaysLate < 6 || late.InterestKRW == 0 || late.InterestKRW != want || rep.Shop.WantInterest != want {
		t.Errorf("worker 2's statement: %s, due %s, %d days late, interest %d (report %d), want paid after the pay day %s with %d won",
			late.Status, tx.DateOf(late.Due), late.DaysLate, late.InterestKRW, rep.Shop.WantInterest, tx.DateOf(onTime.Due), want)
	}
	if rep.Shop.LateHeight < 1 || rep.Shop.LateHeight > 2 || rep.Shop.PaidHeight <= rep.Shop.LateHeight {
		t.Errorf("worker 2's statement late at height %d, paid at %d; want late at the first blocks, paid after", rep.Shop.LateHeight, rep.Shop.PaidHeight)
	}
	if s, _, err := c.LabourStatement(ctx, late.ID, client.ReadOpts{Height: rep.Shop.LateHeight}); err != nil || s == nil || s.Status != tx.StatementLate {
		t.Errorf("worker 2's statement at height %d: %+v %v, want late", rep.Shop.LateHeight, s, err)
	}
	if chk, err := c.LabourCheckStatement(ctx, late.ID, 0); err != nil || !chk.OK() {
		t.Errorf("worker 2's statement recomputed by the client: %+v %v", chk, err)
	}
	shop := storyKey(t, home, "shop")
	if f, _, err := c.LabourFund(ctx, tx.LabourFundRequest{Owner: shop}, client.ReadOpts{}); err != nil || f == nil || f.Late != 0 || f.DepositedKRW < labourDeposit {
		t.Errorf("the shop's fund %+v %v, want the deposit and nothing late", f, err)
	}

	// Worker 1's shift of today, through the shop's terminal.
	sh := rep.Shop.Shift
	if sh.Contract != rep.Shop.Contracts[0] || sh.InBy != node.ShopTerminal || sh.OutBy != node.ShopTerminal || sh.Out <= sh.In || sh.Minutes == 0 {
		t.Errorf("worker 1's shift %+v, want in and out by %s", sh, node.ShopTerminal)
	}

	// The public-works contract: the subcontractor paid directly.
	ct, _, err := c.Contract(ctx, DemoProject, client.ReadOpts{})
	if err != nil || ct == nil {
		t.Fatalf("contract %s: %v %v", DemoProject, ct, err)
	}
	sub := storyKey(t, home, "subcontractor")
	share := tx.MilestoneShare(contractMilestones(ct), 0, labourPools.Subcontract)
	if s := ct.Subcontractors[0]; s.Address != sub || !s.Direct || s.Ground != tx.GroundAgreement || len(s.Agreed) != 3 || s.PaidKRW != share || s.OwedKRW != 0 {
		t.Errorf("the subcontractor %+v, want direct by agreement, paid %d won", s, share)
	}
	if bal, _, err := c.Balance(ctx, sub, tx.DenomKRW, client.ReadOpts{}); err != nil || bal != share*tx.UKRWPerWon || rep.Works.SubUKRW != bal {
		t.Errorf("the subcontractor holds %d ukrw (report %d, %v), want its share %d won", bal, rep.Works.SubUKRW, err, share)
	}
	if ins, err := c.ContractInstalments(ctx, DemoProject, 0); err != nil || len(ins.Instalments) != 0 {
		t.Errorf("instalments %+v %v, want none (paid directly, not through the prime)", ins, err)
	}
	if m := ct.Milestones; m[0].Status != tx.MilestoneApproved || m[1].Status != tx.MilestoneOpen {
		t.Errorf("milestones %+v, want 0 approved and 1 open", m)
	}

	// The day worker: its statement created by the clock-out, paid in that
	// block or the next, into its new wallet.
	ds := rep.Works.DayStatement
	if prev, _, err := c.LabourStatement(ctx, ds.ID, client.ReadOpts{Height: rep.Works.ClockOutHeight - 1}); err != nil || prev != nil {
		t.Errorf("the day worker's statement before its clock-out block %d: %+v %v", rep.Works.ClockOutHeight, prev, err)
	}
	paidBy, _, err := c.LabourStatement(ctx, ds.ID, client.ReadOpts{Height: rep.Works.ClockOutHeight + 1})
	if err != nil || paidBy == nil || paidBy.Status != tx.StatementPaid {
		t.Errorf("the day worker's statement one block after its clock-out (height %d): %+v %v, want paid", rep.Works.ClockOutHeight+1, paidBy, err)
	}
	sts, _, err := c.LabourShifts(ctx, tx.LabourShiftsRequest{Contract: rep.Works.DayContract}, 0)
	if err != nil || len(sts.Shifts) != 1 || sts.Shifts[0].Statement != ds.ID || sts.Shifts[0].OutBy != node.SiteTerminal {
		t.Errorf("the day worker's shifts %+v %v, want one, stamped by %s, paid by statement %d", sts, err, node.SiteTerminal, ds.ID)
	}
	dc, _, err := c.LabourContract(ctx, rep.Works.DayContract, client.ReadOpts{})
	if err != nil || dc == nil || dc.Project != DemoProject || dc.PayCycle != tx.PayDaily || dc.Employer != ct.Prime || dc.Worker != rep.Works.DayWorker {
		t.Errorf("the day worker's contract %+v %v", dc, err)
	}
	if bal, _, err := c.Balance(ctx, rep.Works.DayWorker, tx.DenomKRW, client.ReadOpts{}); err != nil || bal == 0 || bal != (ds.NetKRW+ds.InterestKRW)*tx.UKRWPerWon || ds.Project != DemoProject {
		t.Errorf("the day worker holds %d ukrw (%v), its statement paid %d won from %q", bal, err, ds.NetKRW+ds.InterestKRW, ds.Project)
	}
	pool, _, err := c.LabourFund(ctx, tx.LabourFundRequest{Project: DemoProject}, client.ReadOpts{})
	labourShare := tx.MilestoneShare(contractMilestones(ct), 0, labourPools.Labour)
	if err != nil || pool == nil || pool.DepositedKRW != labourShare || pool.PaidKRW != ds.GrossKRW || pool.BalanceKRW != labourShare-ds.GrossKRW {
		t.Errorf("the labour pool %+v %v, want funded %d, paid %d", pool, err, labourShare, ds.GrossKRW)
	}
	// The prime cannot draw on it: its withdrawal is refused and the pool
	// stays as it was.
	pk, err := labourStoryOf(t, home, c, &bytes.Buffer{}).key("prime")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := submitStory(ctx, c, pk.Private, "test", "prime", &tx.MsgLabourWithdraw{AmountKRW: 1}); !errors.Is(err, tx.CodeLabourInsufficient) {
		t.Errorf("the prime's withdrawal: %v, want labour code 17", err)
	}
	if again, _, _ := c.LabourFund(ctx, tx.LabourFundRequest{Project: DemoProject}, client.ReadOpts{}); !reflect.DeepEqual(again, pool) {
		t.Errorf("the pool after the prime's withdrawal %+v, want %+v", again, pool)
	}

	// The arrears view and the proven line.
	tiers := map[string]tx.ArrearsTier{}
	for _, tr := range rep.Works.Arrears.Tiers {
		tiers[tr.Tier] = tr
	}
	if tiers[tx.TierSubcontract].PaidKRW != share || tiers[tx.TierLabour].PaidKRW != ds.GrossKRW || tiers[tx.TierLabour].OwedKRW != 0 ||
		tiers[tx.TierPrime].PaidKRW != tx.MilestoneShare(contractMilestones(ct), 0, labourPools.Equipment)+tx.MilestoneShare(contractMilestones(ct), 0, labourPools.Materials) {
		t.Errorf("arrears %+v", rep.Works.Arrears)
	}
	if l := rep.Works.Line; l.Worker != rep.Works.DayWorker || l.PaidKRW != ds.GrossKRW || l.OwedKRW != 0 || rep.Works.Proof.HeaderHeight != rep.Works.Proof.StateHeight+1 || len(rep.Works.Proof.AppHash) != 32 {
		t.Errorf("the proven line %+v, proof %+v", l, rep.Works.Proof)
	}

	// Played again, the story finds everything done: it sends nothing and
	// the chain holds what it held.
	before := labourSnapshot(t, ctx, c, rep)
	if err := os.Remove(filepath.Join(LabourDir(home), "story.json")); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := PlayLabourStory(ctx, home, c, &out, log); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, verb := range []string{"deposits", "created", "signed the direct-payment", "agreed:", "delivered milestone", "approved milestone",
		"offered contract", "countersigned contract", "stamped the day worker"} {
		if strings.Contains(out.String(), verb) {
			t.Errorf("the second play %s something:\n%s", verb, out.String())
		}
	}
	if after := labourSnapshot(t, ctx, c, rep); !reflect.DeepEqual(after, before) {
		t.Errorf("the second play changed the chain:\n%+v\nwant\n%+v", after, before)
	}
	again := readLabourReport(t, home)
	if again.Shop.Late.ID != rep.Shop.Late.ID || again.Shop.PaidHeight != rep.Shop.PaidHeight || again.Works.ClockOutHeight != rep.Works.ClockOutHeight || again.Works.PaidHeight != rep.Works.PaidHeight {
		t.Errorf("the second report %+v, want the first's heights", again)
	}

	// A started devnet with the story done runs nothing.
	out.Reset()
	if err := labourStoryOf(t, home, c, &out).run(ctx); err != nil || out.Len() != 0 {
		t.Errorf("run after the story: %v, printed %q", err, out.String())
	}
}

// labourSnapshot is what a replay must not change: the module's totals,
// the contract, the funds and the parties' ukrw.
func labourSnapshot(t *testing.T, ctx context.Context, c *client.Client, rep *LabourStoryReport) []any {
	t.Helper()
	stats, err := c.LabourStats(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	stats.Queued = 0 // week closings come and go with time
	ct, _, err := c.Contract(ctx, DemoProject, client.ReadOpts{})
	if err != nil {
		t.Fatal(err)
	}
	pool, _, err := c.LabourFund(ctx, tx.LabourFundRequest{Project: DemoProject}, client.ReadOpts{})
	if err != nil {
		t.Fatal(err)
	}
	shop, _, err := c.LabourFund(ctx, tx.LabourFundRequest{Owner: rep.Shop.Late.Employer}, client.ReadOpts{})
	if err != nil {
		t.Fatal(err)
	}
	var bals []uint64
	for _, a := range []tx.Address{rep.Works.DayWorker, ct.Subcontractors[0].Address, ct.Prime, ct.Owner, rep.Shop.Late.Worker} {
		b, _, err := c.Balance(ctx, a, tx.DenomKRW, client.ReadOpts{})
		if err != nil {
			t.Fatal(err)
		}
		bals = append(bals, b)
	}
	return []any{*stats, *ct, *pool, *shop, bals}
}

// labourStoryOf is the labour story on the devnet of home through c,
// printing to out.
func labourStoryOf(t *testing.T, home string, c *client.Client, out *bytes.Buffer) *labourStory {
	t.Helper()
	s := &System{cfg: Config{Home: home, Out: out, Logger: slog.New(slog.DiscardHandler)}}
	story, err := s.newLabourStory(c)
	if err != nil {
		t.Fatal(err)
	}
	return story
}

func readLabourReport(t *testing.T, home string) *LabourStoryReport {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(LabourDir(home), "story.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep LabourStoryReport
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	return &rep
}
