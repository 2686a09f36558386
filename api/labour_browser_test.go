package api

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
)

// The work & public works dashboard's fixture, on the shared chain, by
// real transactions. Block time cannot be driven on a running node, so
// what must lie in the past is dated in the past where the modules allow
// it: the public-works contract's first two milestones fell due 10 and 5
// days ago (their instalments are overdue the moment they exist), and the
// workers' shifts are clocked by a workplace terminal whose stamps may be
// up to 24 hours old (the late shift ends the day before, KST, so its pay
// is a day late when the page reads it).
const (
	lbProject = "dash-bridge"
	lbWage    = 10_320 // won an hour: the minimum wage of 2026
	// lbCafeFund is what the cafe deposits first: less than any shift's
	// pay (10 minutes or more).
	lbCafeFund = 1_000
)

// lbKey is the fixture's key named name.
func lbKey(name string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("api-test/labour/" + name))
	return ed25519.NewKeyFromSeed(seed[:])
}

func lbAddr(name string) tx.Address { return tx.AddressOf(lbKey(name).Public().(ed25519.PublicKey)) }

func lbHash(s string) tx.Hash32 { return sha256.Sum256([]byte(s)) }

// lbWorld is what the fixture built.
type lbWorld struct {
	chainID string
	rules   []tx.LabourRule
	// paid: worker "minji" at the shop, a shift paid at once; late:
	// worker "jiho" at the cafe, whose fund is short; day: worker "seoyeon"
	// on the project, paid from its labour pool.
	paid, late, day lbShift
	// The contract's milestones and instalments.
	contract    tx.Contract
	instalments []tx.Instalment
	arrears     tx.ContractArrears
}

// lbShift is one worker's contract, shift and statement.
type lbShift struct {
	worker, employer string
	contract         uint64
	in, out          int64
	statement        tx.WageStatement
}

func lbSchedule() []tx.WorkDay {
	var s []tx.WorkDay
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat"} {
		s = append(s, tx.WorkDay{Day: d, Start: "09:00", Minutes: 240})
	}
	return s
}

// lbStep is one signer's messages, sent as one transaction.
type lbStep struct {
	signer ed25519.PrivateKey
	msgs   []tx.Msg
}

// lbSubmit sends the steps' transactions at once (different signers) and
// waits until every one is in a block.
func lbSubmit(ctx context.Context, nc *client.Client, steps ...lbStep) error {
	var wg sync.WaitGroup
	errs := make([]error, len(steps))
	for i, st := range steps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := nc.Submit(ctx, st.signer, "api labour dashboard test", st.msgs...); err != nil {
				errs[i] = fmt.Errorf("%s: %w", st.msgs[0].Type(), err)
			}
		}()
	}
	wg.Wait()
	var out []string
	for _, err := range errs {
		if err != nil {
			out = append(out, err.Error())
		}
	}
	if len(out) > 0 {
		return fmt.Errorf("%s", strings.Join(out, "; "))
	}
	return nil
}

func lbQuery(ctx context.Context, nc *client.Client, path string, req, v any) error {
	b, err := json.Marshal(req)
	if err != nil {
		return err
	}
	if err := nc.QueryJSON(ctx, path, b, v); err != nil {
		return fmt.Errorf("query %s %s: %w", path, b, err)
	}
	return nil
}

// lbBuild: the owner agency ("owner", role agency) creates contract
// lbProject — pools subcontract 60,000,000 (sub-a 40,000,000, sub-b
// 20,000,000), labour 10,000,000, equipment and materials 5,000,000 each;
// milestones due 10 days ago (40 %), 5 days ago (30 %) and in 90 days
// (30 %). Owner, prime and sub-b agree on direct payment; the prime
// delivers milestones 0 and 1 and the supervisor approves them, one block
// apart: each time sub-a's instalment is overdue at once and missed, the
// second miss makes sub-a paid directly; the prime then pays sub-a's first
// instalment with its interest; sub-b disputes milestone 2 (frozen). Then
// three daily-paid workers: "minji" at the shop (fund 1,000,000 won),
// "jiho" at the cafe (fund 1,000 won: short, the pay is late) and
// "seoyeon" employed by the prime on the project (paid from the labour
// pool); each countersigns and the employer's terminal clocks a shift.
func lbBuild(t *testing.T, c *testChain) (*lbWorld, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	nc, err := client.New(c.rpc)
	if err != nil {
		return nil, err
	}
	w := &lbWorld{}
	if w.chainID, err = nc.ChainID(ctx); err != nil {
		return nil, err
	}
	st, err := nc.RPC().Status(ctx)
	if err != nil {
		return nil, err
	}
	now := st.SyncInfo.LatestBlockTime.Unix()
	date := func(days int) string { return tx.DateOf(now + int64(days)*86400) }
	owner, prime, sup, subB := lbKey("owner"), lbKey("prime"), lbKey("supervisor"), lbKey("sub-b")

	// Accounts, roles, money and the employers' work terminals.
	scn := tx.Coin{Amount: 1_000_000, Denom: tx.DenomSCoin}
	var sends []tx.Msg
	for _, n := range []string{"owner", "prime", "supervisor", "arbiter", "guarantor", "sub-a", "sub-b", "shop", "cafe", "minji", "jiho", "seoyeon"} {
		sends = append(sends, &tx.MsgSend{To: lbAddr(n), Amount: scn})
	}
	krw := func(won uint64) tx.Coin { return tx.Coin{Amount: won * tx.UKRWPerWon, Denom: tx.DenomKRW} }
	var terminals []tx.Msg
	for _, e := range []string{"shop", "cafe", "prime"} {
		terminals = append(terminals, &tx.MsgDeviceRegister{ID: "dash-clock-" + e, Kind: tx.KindWorkTerminal, Owner: lbAddr(e),
			PubKey: tx.PubKey(lbKey("terminal-" + e).Public().(ed25519.PublicKey)), Metadata: tx.DeviceMetadata{Model: "time clock", Site: e}})
	}
	auth := c.key(t, "authority").Private
	if err := lbSubmit(ctx, nc,
		lbStep{c.key(t, "treasury").Private, sends},
		lbStep{c.key(t, "kbank").Private, []tx.Msg{&tx.MsgSend{To: lbAddr("owner"), Amount: krw(80_000_000)},
			&tx.MsgSend{To: lbAddr("shop"), Amount: krw(1_000_000)}, &tx.MsgSend{To: lbAddr("cafe"), Amount: krw(1_000_000)}}},
		lbStep{auth, []tx.Msg{&tx.MsgRoleGrant{Address: lbAddr("owner"), Role: tx.RoleAgency},
			&tx.MsgRoleGrant{Address: lbAddr("supervisor"), Role: tx.RoleWorksSupervisor},
			&tx.MsgRoleGrant{Address: lbAddr("arbiter"), Role: tx.RoleArbitrator},
			&tx.MsgRoleGrant{Address: lbAddr("guarantor"), Role: tx.RoleGuarantor}}},
		lbStep{c.key(t, "installer").Private, terminals},
	); err != nil {
		return nil, fmt.Errorf("set up: %w", err)
	}

	// The public-works contract.
	create := &tx.MsgContractsCreate{ID: lbProject, Prime: lbAddr("prime"), Supervisor: lbAddr("supervisor"), Arbiter: lbAddr("arbiter"), Guarantor: lbAddr("guarantor"),
		Pools: tx.ContractPools{Subcontract: 60_000_000, Labour: 10_000_000, Equipment: 5_000_000, Materials: 5_000_000},
		Subcontractors: []tx.Subcontractor{{Address: lbAddr("sub-a"), ShareKRW: 40_000_000, Scope: lbHash("scope a")},
			{Address: lbAddr("sub-b"), ShareKRW: 20_000_000, Scope: lbHash("scope b")}},
		Milestones: []tx.Milestone{{Name: "Foundations <east pier>", Due: date(-10), WeightBP: 4000}, {Name: "Deck & railings", Due: date(-5), WeightBP: 3000},
			{Name: "Finishing", Due: date(90), WeightBP: 3000}},
		Terms: lbHash("bridge contract")}
	ms := func(i uint32) tx.MsgContractsMilestone {
		return tx.MsgContractsMilestone{Contract: lbProject, Milestone: i}
	}
	agree := &tx.MsgContractsAgreeDirect{Contract: lbProject, Subcontractor: lbAddr("sub-b")}
	steps := [][]lbStep{
		{{owner, []tx.Msg{create}}},
		{{owner, []tx.Msg{agree}}, {prime, []tx.Msg{agree}}, {subB, []tx.Msg{agree}}},
		{{prime, []tx.Msg{&tx.MsgContractsDeliver{MsgContractsMilestone: ms(0)}, &tx.MsgContractsDeliver{MsgContractsMilestone: ms(1)}}}},
		{{sup, []tx.Msg{&tx.MsgContractsApprove{MsgContractsMilestone: ms(0)}}}},
		{{sup, []tx.Msg{&tx.MsgContractsApprove{MsgContractsMilestone: ms(1)}}}},
		{{prime, []tx.Msg{&tx.MsgContractsPaySub{Contract: lbProject, Milestone: 0, Subcontractor: lbAddr("sub-a")}}},
			{subB, []tx.Msg{&tx.MsgContractsDispute{Contract: lbProject, Milestone: 2, Reason: lbHash("finishing not to spec")}}}},
	}
	for _, s := range steps {
		if err := lbSubmit(ctx, nc, s...); err != nil {
			return nil, fmt.Errorf("public-works contract: %w", err)
		}
	}

	// The workers: offers, countersignatures, deposits.
	offer := func(employer, worker, project string) *tx.MsgLabourOffer {
		return &tx.MsgLabourOffer{Worker: lbAddr(worker), Project: project, Start: date(-7), Schedule: lbSchedule(), HourlyWage: lbWage,
			PayCycle: tx.PayDaily, WeeklyHoliday: "sun", Leave: lbHash("leave " + worker), Place: lbHash("place " + employer),
			Duties: lbHash("duties " + worker), WorkerID: lbHash("id " + worker), Terms: lbHash("terms " + worker)}
	}
	w.paid = lbShift{worker: "minji", employer: "shop"}
	w.late = lbShift{worker: "jiho", employer: "cafe"}
	w.day = lbShift{worker: "seoyeon", employer: "prime"}
	shifts := []*lbShift{&w.paid, &w.late, &w.day}
	var offers []lbStep
	for _, s := range shifts {
		p := ""
		if s.employer == "prime" {
			p = lbProject
		}
		offers = append(offers, lbStep{lbKey(s.employer), []tx.Msg{offer(s.employer, s.worker, p)}})
	}
	if err := lbSubmit(ctx, nc, offers...); err != nil {
		return nil, fmt.Errorf("offers: %w", err)
	}
	var signs []lbStep
	for _, s := range shifts {
		var page tx.LabourContractPage
		if err := lbQuery(ctx, nc, "/labour/contracts", tx.LabourContractsRequest{Worker: lbAddr(s.worker)}, &page); err != nil {
			return nil, err
		}
		if len(page.Contracts) != 1 {
			return nil, fmt.Errorf("worker %s: got %d contracts, want 1", s.worker, len(page.Contracts))
		}
		s.contract = page.Contracts[0].ID
		signs = append(signs, lbStep{lbKey(s.worker), []tx.Msg{&tx.MsgLabourCountersign{Contract: s.contract, Terms: lbHash("terms " + s.worker)}}})
	}
	signs = append(signs, lbStep{lbKey("shop"), []tx.Msg{&tx.MsgLabourDeposit{AmountKRW: 1_000_000}}})
	if err := lbSubmit(ctx, nc, signs...); err != nil {
		return nil, fmt.Errorf("countersign: %w", err)
	}
	// The cafe deposits in a block of its own: a deposit retries a late
	// statement of its fund, and it must come before the shift.
	if err := lbSubmit(ctx, nc, lbStep{lbKey("cafe"), []tx.Msg{&tx.MsgLabourDeposit{AmountKRW: lbCafeFund}}}); err != nil {
		return nil, fmt.Errorf("cafe deposit: %w", err)
	}

	// The shifts, stamped by the terminals. minji: 4 h ending a minute
	// ago; seoyeon: 2 h ending a minute ago; jiho: 3 h ending at 23:50 KST
	// yesterday — as much of it as lies inside the terminals' 24 h window
	// (all of it before 20:45 KST), or when less than 10 minutes do (after
	// 23:35 KST), 30 minutes ending a minute ago (its pay is then late by
	// 0 days).
	if st, err = nc.RPC().Status(ctx); err != nil {
		return nil, err
	}
	now = st.SyncInfo.LatestBlockTime.Unix()
	w.paid.in, w.paid.out = now-60-4*3600, now-60
	w.day.in, w.day.out = now-60-2*3600, now-60
	w.late.out = tx.DayStart(now) - 600
	earliest := now - tx.MaxClockDelay + 300 // five minutes of margin for the blocks to come
	w.late.in = max(w.late.out-3*3600, earliest)
	if w.late.out-w.late.in < 600 {
		w.late.in, w.late.out = now-60-1800, now-60
	}
	d := w.late.out - w.late.in
	w.late.in = w.late.out - (d - d%60) // whole minutes
	var clocks []lbStep
	for _, s := range shifts {
		dev := "dash-clock-" + s.employer
		stamp := func(action string, at int64) tx.Msg {
			sig := ed25519.Sign(lbKey("terminal-"+s.employer), tx.LabourClockMessage(w.chainID, s.contract, action, at, dev))
			return &tx.MsgLabourClock{Contract: s.contract, Action: action, Terminal: &tx.TerminalStamp{Device: dev, KeyEpoch: 1, At: at, Signature: sig}}
		}
		clocks = append(clocks, lbStep{lbKey(s.employer), []tx.Msg{stamp(tx.ClockIn, s.in), stamp(tx.ClockOut, s.out)}})
	}
	if err := lbSubmit(ctx, nc, clocks...); err != nil {
		return nil, fmt.Errorf("clock: %w", err)
	}
	// The statements are paid (or found short) in the end-block of the
	// clock-out's block, or the next.
	if err := nc.WaitHeight(ctx, st.SyncInfo.LatestBlockHeight+3); err != nil {
		return nil, err
	}
	var rules tx.LabourRules
	if err := lbQuery(ctx, nc, "/labour/rules", struct{}{}, &rules); err != nil {
		return nil, err
	}
	w.rules = rules.Rules
	for _, s := range shifts {
		var page tx.LabourStatementPage
		if err := lbQuery(ctx, nc, "/labour/statements", tx.LabourStatementsRequest{Worker: lbAddr(s.worker)}, &page); err != nil {
			return nil, err
		}
		if len(page.Statements) != 1 {
			return nil, fmt.Errorf("worker %s: got %d statements, want 1 (the shift's)", s.worker, len(page.Statements))
		}
		s.statement = page.Statements[0]
	}
	if err := lbQuery(ctx, nc, "/contracts/contract", tx.ContractRequest{ID: lbProject}, &w.contract); err != nil {
		return nil, err
	}
	var is tx.InstalmentList
	if err := lbQuery(ctx, nc, "/contracts/instalments", tx.InstalmentsRequest{Contract: lbProject}, &is); err != nil {
		return nil, err
	}
	w.instalments = is.Instalments
	if err := lbQuery(ctx, nc, "/contracts/arrears", tx.ContractRequest{ID: lbProject}, &w.arrears); err != nil {
		return nil, err
	}
	return w, nil
}

// TestLabourBrowser opens the dashboard's work & public works tab in
// headless Chromium against lbBuild's chain: the rule table (minimum wage
// by date, insurance rates as %), the contracts with their days and hours,
// the cafe's short fund highlighted, a worker look-up (a paid statement's
// items with their basis, deductions and net; a late one's badge with its
// days late and interest; a project line whose proof verifies), the
// public-works contract (the frozen milestone, sub-a paid directly after
// two missed instalments, sub-b by agreement, the instalments with their
// interest, the arrears per tier equal to the chain's, a verified line
// proof), and a deposit that pays the late statement while the page is
// open. Chain text with markup shows as text.
func TestLabourBrowser(t *testing.T) {
	chromium := chromiumPath(t)
	start := time.Now()
	c := getChain(t)
	w, err := lbBuild(t, c)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("chain state built in %v", time.Since(start).Round(time.Millisecond))
	ts := startServer(t, c, func(cfg *Config) { cfg.AnonymousReads, cfg.AnonymousRate, cfg.AnonymousBurst = true, 200, 400 })

	// What the chain computed, checked against the pay arithmetic.
	paid, late, day := w.paid.statement, w.late.statement, w.day.statement
	items, gross := tx.WeekGross(lbWage, 240, 0)
	if paid.Status != tx.StatementPaid || paid.GrossKRW != gross || paid.GrossKRW != 41_280 || len(paid.Items) != len(items) {
		t.Fatalf("minji's statement: got %+v, want paid, gross %d (%+v)", paid, gross, items)
	}
	deds := tx.Deductions(w.rules, paid.Due, gross, tx.WeeklyMinutes(lbSchedule()))
	net := gross
	for _, d := range deds {
		net -= d.AmountKRW
	}
	if paid.NetKRW != net || len(paid.Deductions) != 4 {
		t.Fatalf("minji's statement: got net %d with %+v, want %d with %+v", paid.NetKRW, paid.Deductions, net, deds)
	}
	lateMin := uint64(w.late.out-w.late.in) / 60
	if _, g := tx.WeekGross(lbWage, lateMin, 0); late.Status != tx.StatementLate || late.GrossKRW != g {
		t.Fatalf("jiho's statement: got %+v, want late with gross %d (%d min)", late, g, lateMin)
	}
	if day.Status != tx.StatementPaid || day.Project != lbProject || day.GrossKRW != 20_640 {
		t.Fatalf("seoyeon's statement: got %+v, want paid from the pool of %s, gross 20,640", day, lbProject)
	}
	// The API adds the interest accrued so far; the page shows the API's.
	var lateView AccruedResponse
	ts.getJSON(t, fmt.Sprintf("/v1/labour/statements/%d", late.ID), &lateView)
	accrued := lateView.Accrued
	if accrued == nil || (w.late.out < tx.DayStart(time.Now().Unix()) && (accrued.DaysLate < 1 || accrued.AccruedInterestKRW == 0)) {
		t.Fatalf("jiho's statement, due %s: got accrual %+v, want a day late at least, with interest", tx.DateOf(late.Due), accrued)
	}
	if want := tx.LateInterest(w.rules, tx.RuleLateInterest, late.GrossKRW, late.Due, accrued.AsOf); accrued.AccruedInterestKRW != want {
		t.Fatalf("jiho's accrued interest: got %+v, want %d", accrued, want)
	}
	subs := w.contract.Subcontractors
	if len(subs) != 2 || !subs[0].Direct || subs[0].Ground != tx.GroundMissed || subs[0].Missed != 2 || !subs[1].Direct || subs[1].Ground != tx.GroundAgreement {
		t.Fatalf("subcontractors: got %+v, want sub-a direct after 2 missed instalments, sub-b by agreement", subs)
	}
	if m := w.contract.Milestones; m[0].Status != tx.MilestoneApproved || m[1].Status != tx.MilestoneApproved || m[2].Status != tx.MilestoneFrozen {
		t.Fatalf("milestones: got %+v, want approved, approved, frozen", m)
	}
	var first *tx.Instalment
	for i, x := range w.instalments {
		if x.Milestone == 0 && x.Subcontractor == lbAddr("sub-a") {
			first = &w.instalments[i]
		}
	}
	if first == nil || first.PaidAt == 0 || first.InterestKRW == 0 || first.PrincipalKRW != 16_000_000 {
		t.Fatalf("sub-a's first instalment: got %+v, want 16,000,000 paid with interest", first)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	bctx, poll := startBrowser(t, ctx, chromium)
	run := func(what, js string) {
		t.Helper()
		if _, err := chromedp.Run(bctx, chromedp.Evaluate[bool](js+`; true`)); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string { return fmt.Sprintf(`(document.querySelector(%q)?.textContent || "")`, sel) }
	has := func(expr string, subs ...string) string {
		var b []string
		for _, s := range subs {
			b = append(b, fmt.Sprintf(`%s.includes(%q)`, expr, s))
		}
		return strings.Join(b, " && ")
	}
	won := func(n uint64) string { return "₩" + en(n) }
	if _, err := chromedp.Run(bctx, chromedp.Navigate(ts.url+"/#labour")); err != nil {
		t.Fatal(err)
	}
	poll("the work tab", `!document.getElementById("labour").hidden && document.getElementById("overview").hidden && document.getElementById("tab-labour").className === "on"`)

	// The rule table: the minimum wage by date, the insurance rates as %.
	rule := func(kind, eff string) string {
		return fmt.Sprintf(`#lb-rules tr[data-kind=%q][data-effective=%q]`, kind, eff)
	}
	poll("the rule table", has(text(rule("min_wage", "2025-01-01")), "₩10,030 an hour")+` && `+has(text(rule("min_wage", "2026-01-01")), "₩10,320 an hour", "in force")+` && `+
		has(text(rule("pension", "2026-01-01")), "4.75 %")+` && `+has(text(rule("care", "2026-01-01")), "13.14 %")+` && `+
		has(text(rule("employment", "2025-01-01")), "0.9 %")+` && `+has(text(rule("late_interest", "2025-10-23")), "20 % a year")+` && `+
		has(text("#lb-ct-params"), "15.5 % a year"))

	// The contracts with their schedules; the cafe's fund short.
	contract := func(id uint64) string { return fmt.Sprintf(`#lb-contracts tr[data-id="%d"]`, id) }
	poll("the employment contracts", has(text(contract(w.paid.contract)), "active", "mon–sat 09:00–13:00 · 4 h", "24 h a week", "₩10,320", "daily")+` && `+
		has(text(contract(w.day.contract)), lbProject)+fmt.Sprintf(` && document.querySelectorAll(%q).length === 5`, contract(w.paid.contract)+" .lb-commit code"))
	cafe := fmt.Sprintf(`#lb-funds tr[data-fund=%q]`, lbAddr("cafe").String())
	poll("the cafe's short fund", fmt.Sprintf(`document.querySelector(%q)?.dataset.short === "true" && document.querySelector(%q).classList.contains("lb-short") && `, cafe, cafe)+
		has(text(cafe), won(lbCafeFund), won(late.GrossKRW), "short by "+won(late.GrossKRW-lbCafeFund))+
		fmt.Sprintf(` && document.querySelector('#lb-funds tr[data-fund=%q]')?.dataset.short === "false"`, lbAddr("shop").String()))
	poll("the late list", has(text(fmt.Sprintf(`#lb-late tr[data-id="%d"]`, late.ID)), won(late.GrossKRW), won(accrued.AccruedInterestKRW)))

	// The worker look-up: a paid statement in full.
	lookup := func(a tx.Address) {
		t.Helper()
		run("look up "+a.String(), fmt.Sprintf(`document.getElementById("lb-worker").value = %q; document.getElementById("lb-worker-form").requestSubmit()`, a.String()))
	}
	lookup(lbAddr("minji"))
	stmt := fmt.Sprintf(`#lb-w-statements .lb-stmt[data-id="%d"]`, paid.ID)
	var dedText []string
	for _, d := range deds {
		dedText = append(dedText, "−"+won(d.AmountKRW))
	}
	poll("minji's paid statement", fmt.Sprintf(`location.hash === "#labour/worker/%s" && !document.getElementById("lb-w").hidden && `, lbAddr("minji"))+
		fmt.Sprintf(`document.querySelector(%q)?.dataset.status === "paid" && `, stmt)+
		has(text(stmt+` tr[data-item="hours"]`), "hours worked", items[0].Basis, won(items[0].AmountKRW))+` && `+
		has(text(stmt+" .lb-gross"), won(gross))+` && `+has(text(stmt+" .lb-net"), won(net))+` && `+
		has(text(stmt+` tr[data-deduction="pension"]`), "4.75 % of "+won(gross))+` && `+has(text(stmt+` tr[data-deduction="care"]`), "13.14 % of "+won(deds[1].AmountKRW))+` && `+
		has(text(stmt), dedText...)+` && `+has(text(fmt.Sprintf(`#lb-w-contracts tr[data-id="%d"]`, w.paid.contract)), "active", "4 h"))

	// A late statement: the badge with its days and interest.
	lookup(lbAddr("jiho"))
	lstmt := fmt.Sprintf(`#lb-w-statements .lb-stmt[data-id="%d"]`, late.ID)
	poll("jiho's late statement", fmt.Sprintf(`document.querySelector(%q)?.dataset.status === "late" && document.querySelector(%q).classList.contains("late") && `, lstmt, lstmt)+
		has(text(lstmt+" .badge.bad"), "LATE", fmt.Sprintf("%d day", accrued.DaysLate), won(accrued.AccruedInterestKRW)+" interest accrued")+` && `+has(text(lstmt+" .lb-gross"), won(late.GrossKRW)))

	// A project line with its proof.
	lookup(lbAddr("seoyeon"))
	line := fmt.Sprintf(`#lb-w-lines tr[data-project=%q]`, lbProject)
	poll("seoyeon's project line", has(text(line), lbProject, won(day.GrossKRW))+` && `+has(text(fmt.Sprintf(`#lb-w-statements .lb-stmt[data-id="%d"]`, day.ID)), "labour pool of", lbProject))
	run("verify seoyeon's line", `document.querySelector(`+fmt.Sprintf("%q", line+" button.lb-verify")+`).click()`)
	poll("the line's proof verified", has(text(line+" .verdict"), "✓ proof verified", "line of project "+lbProject, "owed ₩0, paid "+won(day.GrossKRW))+
		fmt.Sprintf(` && document.querySelector(%q).className === "verdict ok"`, line+" .verdict"))

	// Bad input is refused in the page, naming what it wants.
	run("look up a bad address", `document.getElementById("lb-worker").value = "xyz"; document.getElementById("lb-worker-form").requestSubmit()`)
	poll("the bad address refused", has(text("#lb-w-error"), `worker "xyz": want an address of 40 hex characters`)+` && document.getElementById("lb-w").hidden`)

	// The public-works contract.
	run("open the contract", fmt.Sprintf(`location.hash = "#labour/works/%s"`, lbProject))
	poll("the contract", `!document.getElementById("lb-work").hidden && document.getElementById("lb-w").hidden && `+has(text("#lb-wk-id"), lbProject)+` && `+
		has(text("#lb-wk-info"), won(80_000_000), "subcontract ₩60,000,000", "labour ₩10,000,000"))
	msRow := func(i int) string { return fmt.Sprintf(`#lb-wk-milestones tr[data-index="%d"]`, i) }
	poll("the milestones", fmt.Sprintf(`document.querySelector(%q)?.dataset.status === "frozen" && document.querySelector(%q) !== null && `, msRow(2), msRow(2)+" .lb-frozen")+
		has(text(msRow(2)), "FROZEN", "Finishing")+` && `+has(text(msRow(0)), "Foundations <east pier>", "approved", "40 %")+
		fmt.Sprintf(` && document.querySelector(%q)?.dataset.status === "approved" && document.querySelector(%q) === null`, msRow(1), msRow(0)+" .lb-frozen")+
		` && `+has(text("#lb-wk-badges"), "2 of 3 approved", "1 frozen"))
	sub := func(name string) string { return fmt.Sprintf(`#lb-wk-subs tr[data-sub=%q]`, lbAddr(name).String()) }
	poll("the subcontractors", fmt.Sprintf(`document.querySelector(%q)?.dataset.missed === "2" && document.querySelector(%q)?.dataset.ground === "missed_instalments" && `, sub("sub-a"), sub("sub-a"))+
		has(text(sub("sub-a")+" .lb-direct"), "paid directly: two missed instalments")+` && `+has(text(sub("sub-b")+" .lb-direct"), "paid directly: three-party agreement")+
		fmt.Sprintf(` && document.querySelector(%q)?.dataset.missed === "0"`, sub("sub-b")))
	inst := func(m int) string {
		return fmt.Sprintf(`#lb-wk-instalments tr[data-milestone="%d"][data-sub=%q]`, m, lbAddr("sub-a").String())
	}
	poll("the instalments", has(text(inst(0)), won(16_000_000), "paid", won(first.InterestKRW))+` && `+has(text(inst(1)), won(12_000_000), "MISSED"))
	tier := func(name string) string { return fmt.Sprintf(`#lb-wk-arrears tr[data-tier=%q]`, name) }
	var tiers []string
	for _, tr := range w.arrears.Tiers {
		tiers = append(tiers, fmt.Sprintf(`(document.querySelector(%q)?.dataset.owed === "%d" && document.querySelector(%q).dataset.paid === "%d" && document.querySelector(%q).dataset.overdue === "%d" && %s)`,
			tier(tr.Tier), tr.OwedKRW, tier(tr.Tier), tr.PaidKRW, tier(tr.Tier), tr.OverdueKRW, has(text(tier(tr.Tier)), won(tr.OwedKRW), won(tr.PaidKRW), won(tr.OverdueKRW))))
	}
	if len(tiers) != 3 {
		t.Fatalf("arrears: got %+v, want the three tiers", w.arrears)
	}
	poll("the arrears per tier", strings.Join(tiers, " && ")+` && `+has(text(tier("labour")), won(day.GrossKRW))+` && `+has(text(tier("subcontract")), won(12_000_000)))
	subLine := fmt.Sprintf(`#lb-wk-lines tr[data-tier="subcontract"][data-party=%q]`, lbAddr("sub-a").String())
	poll("sub-a's arrears line", has(text(subLine), won(12_000_000), won(16_000_000))+fmt.Sprintf(` && document.querySelector(%q) !== null`, subLine+" button.lb-verify"))
	run("verify sub-a's line", `document.querySelector(`+fmt.Sprintf("%q", subLine+" button.lb-verify")+`).click()`)
	poll("sub-a's line proof", fmt.Sprintf(`document.querySelector(%q)?.className === "verdict ok" && `, subLine+" .verdict")+has(text(subLine+" .verdict"), "✓ proof verified", "subcontract line"))

	png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(artifactDir(t), "dashboard-labour.png")
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}

	// The cafe deposits while the page is open: the late statement is paid
	// with its interest, and the page follows the event stream.
	run("back to jiho", fmt.Sprintf(`location.hash = "#labour/worker/%s"`, lbAddr("jiho")))
	poll("jiho's statement still late", fmt.Sprintf(`document.querySelector(%q)?.dataset.status === "late"`, lstmt))
	nc, err := client.New(c.rpc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nc.Submit(ctx, lbKey("cafe"), "", &tx.MsgLabourDeposit{AmountKRW: 200_000}); err != nil {
		t.Fatal(err)
	}
	poll("jiho's statement paid, live", fmt.Sprintf(`document.querySelector(%q)?.dataset.status === "paid" && `, lstmt)+has(text(lstmt), "paid ")+
		fmt.Sprintf(` && !document.querySelector('#lb-late tr[data-id="%d"]') && document.querySelector(%q)?.dataset.short === "false"`, late.ID, cafe))
	t.Logf("work & public works tab verified in %v; screenshot %s", time.Since(start).Round(time.Millisecond), shot)
}
