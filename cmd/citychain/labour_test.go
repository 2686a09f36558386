package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/cmd/citychain/local"
	"github.com/citychain/citychain/edge/agent"
)

// TestLabourContractsCLI runs the contracts and labour commands against a
// devnet node. Contracts: the works agency creates a pure subcontract
// contract (a second create with its id is refused), the owner, the prime
// and the subcontractor agree on direct payment, the prime delivers and
// the supervisor approves a milestone (the prime's approval is refused):
// the subcontractor is paid its share directly, its arrears line (and the
// prime's absent one) are proven, no instalment is owed; the prime
// disputes the other milestone (its delivery is then refused), the
// arbiter refunds it to the owner, the court attests insolvency. Labour:
// the ministry adds a minimum-wage row (the shop may not); the shop
// deposits into its escrow fund and offers a fresh worker a daily-paid
// contract (an offer below the minimum wage is refused with labour code 5
// naming hourly_wage; a clock-in before the countersignature with code
// 8); the worker countersigns the terms read from the chain; a work
// terminal the installer registered for the shop stamps the clock-in
// three hours back, the worker clocks out; the shift's statement is paid
// at once: the worker holds its net in ukrw one block after the
// clock-out, `query labour statement --check` recomputes it (and a
// tampered copy fails the same check), the statement and the shift are
// proven; a second shift is stamped in and out by two terminals (one key
// in the keyring, one an edge-agent key file; the wrong key refused before
// sending); correcting the paid shift is refused, the worker ends the
// contract. Last, every statement of the devnet's seeded shop history
// (weekly contracts with the weekly holiday allowance) passes --check.
func TestLabourContractsCLI(t *testing.T) {
	home, rpc := startDevnet(t)
	dir := t.TempDir()
	run := func(args ...string) string { t.Helper(); return mustCLI(t, home, rpc, args...) }
	fails := func(want []string, args ...string) {
		t.Helper()
		out, err := cli(t, home, rpc, args...)
		for _, w := range want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Fatalf("citychain %s: got %v (%s), want an error with %q", strings.Join(args, " "), err, out, w)
			}
		}
	}
	addr := func(name string) tx.Address { return local.Key(t, node.KeyringDir(home), name).Address }
	writeJSON := func(name string, v any) string {
		t.Helper()
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	genesis := node.GenesisFile(home)
	prove := []string{"--prove", "--trust-genesis", genesis, "-o", "json"}
	type proof struct{ Verified bool }
	nc, err := client.New(rpc)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ukrw := func(name string, height int64) uint64 {
		t.Helper()
		n, _, err := nc.Balance(ctx, addr(name), tx.DenomKRW, client.ReadOpts{Height: height})
		if err != nil {
			t.Fatalf("balance of %s at height %d: %v", name, height, err)
		}
		return n
	}

	h := func(s string) tx.Hash32 { return sha256.Sum256([]byte(s)) }
	now := time.Now()

	// ---- contracts ----

	const project = "bridge-e2e"
	create := tx.MsgContractsCreate{
		ID: project, Prime: addr("prime"), Supervisor: addr("supervisor"), Arbiter: addr("arbiter"), Guarantor: addr("guarantor"),
		Pools:          tx.ContractPools{Subcontract: 1_000_000},
		Subcontractors: []tx.Subcontractor{{Address: addr("subcontractor"), ShareKRW: 1_000_000, Scope: h("steelwork")}},
		Milestones: []tx.Milestone{
			{Name: "piers", Due: tx.DateOf(now.Add(30 * 24 * time.Hour).Unix()), WeightBP: 4_000},
			{Name: "deck", Due: tx.DateOf(now.Add(60 * 24 * time.Hour).Unix()), WeightBP: 6_000},
		},
		Terms: h("bridge contract"),
	}
	createFile := writeJSON("contract.json", create)
	run("tx", "contracts", "create", "--file", createFile, "--from", "works")
	fails([]string{tx.CodeContractsExists.Error()}, "tx", "contracts", "create", "--file", createFile, "--from", "works")
	for _, who := range []string{"works", "prime", "subcontractor"} {
		run("tx", "contracts", "agree-direct", project, "subcontractor", "--from", who)
	}
	run("tx", "contracts", "deliver", project, "0", "--from", "prime")
	fails([]string{tx.CodeContractsNotParty.Error()}, "tx", "contracts", "approve", project, "0", "--from", "prime")
	before := ukrw("subcontractor", 0)
	var approved struct {
		Height int64 `json:"height"`
	}
	decodeCLI(t, run("tx", "contracts", "approve", project, "0", "--from", "supervisor", "-o", "json"), &approved)
	if got := ukrw("subcontractor", approved.Height) - before; got != 400_000*tx.UKRWPerWon {
		t.Fatalf("subcontractor paid %d ukrw at the approval, want its 40 %% share directly (400,000 won)", got)
	}
	var line struct {
		Result *tx.ArrearsLine
		Proof  proof
	}
	decodeCLI(t, run(append([]string{"query", "contracts", "line", project, tx.TierSubcontract, "subcontractor"}, prove...)...), &line)
	if line.Result == nil || line.Result.PaidKRW != 400_000 || line.Result.OwedKRW != 0 || !line.Proof.Verified {
		t.Fatalf("subcontractor's line: %+v, want 400,000 won paid, nothing owed, proven", line)
	}
	line.Result = nil
	decodeCLI(t, run(append([]string{"query", "contracts", "line", project, tx.TierPrime, "prime"}, prove...)...), &line)
	if line.Result != nil || !line.Proof.Verified {
		t.Fatalf("prime's line of a pure subcontract: %+v, want proven absent (owed 0)", line)
	}
	var c struct {
		Result tx.Contract
		Proof  proof
	}
	decodeCLI(t, run(append([]string{"query", "contracts", "contract", project}, prove...)...), &c)
	if len(c.Result.Subcontractors) != 1 || !c.Result.Subcontractors[0].Direct || c.Result.Subcontractors[0].Ground != tx.GroundAgreement ||
		c.Result.Milestones[0].Status != tx.MilestoneApproved || c.Result.EscrowKRW != 600_000 || !c.Proof.Verified {
		t.Fatalf("contract %s: %+v", project, c)
	}
	var arrears tx.ContractArrears
	decodeCLI(t, run("query", "contracts", "arrears", project, "-o", "json"), &arrears)
	if s := fmt.Sprint(arrears.Tiers); !strings.Contains(s, "subcontract 0 400000 0") {
		t.Fatalf("arrears of %s: %s, want the subcontract tier paid 400,000", project, s)
	}
	fails([]string{`MILESTONE "x"`}, "tx", "contracts", "deliver", project, "x", "--from", "prime")
	var insts tx.InstalmentList
	decodeCLI(t, run("query", "contracts", "instalments", project, "-o", "json"), &insts)
	if insts.Instalments == nil || len(insts.Instalments) != 0 {
		t.Fatalf("instalments of %s: %+v, want none (the sub is paid directly)", project, insts)
	}
	// A dispute freezes milestone 1; the arbiter refunds it to the owner.
	claim := filepath.Join(dir, "claim.txt")
	if err := os.WriteFile(claim, []byte("the deck's steel grade"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out := run("tx", "contracts", "dispute", project, "1", "--reason-file", claim, "--from", "prime"); !strings.Contains(out, h("the deck's steel grade").String()) {
		t.Fatalf("dispute: %q, want the claim's SHA-256", out)
	}
	fails([]string{tx.CodeContractsFrozen.Error()}, "tx", "contracts", "deliver", project, "1", "--from", "prime")
	ownerBefore := ukrw("works", 0)
	decodeCLI(t, run("tx", "contracts", "resolve", project, "1", tx.OutcomeRefund, "--from", "arbiter", "-o", "json"), &approved)
	if got := ukrw("works", approved.Height) - ownerBefore; got != 600_000*tx.UKRWPerWon {
		t.Fatalf("owner refunded %d ukrw, want milestone 1's 600,000 won", got)
	}
	run("tx", "contracts", "attest", project, tx.GroundInsolvency, "--evidence-file", claim, "--from", "court")
	c.Result = tx.Contract{}
	decodeCLI(t, run("query", "contracts", "contract", project, "-o", "json"), &c)
	if c.Result.EscrowKRW != 0 || c.Result.RefundedKRW != 600_000 || c.Result.Milestones[1].Status != tx.MilestoneRefunded ||
		len(c.Result.Attested) != 1 || c.Result.Attested[0] != tx.GroundInsolvency {
		t.Fatalf("contract %s after the refund and the attestation: %+v", project, c.Result)
	}

	// ---- labour ----

	// A fresh worker key (funded for fees), the shop's fund, its terminal.
	run("keys", "add", "worker")
	run("tx", "bank", "send", "treasury", "worker", "1000000uscn")
	run("tx", "labour", "deposit", "500000", "--from", "bob")
	next := fmt.Sprintf("%d-01-01", now.In(tx.KST).Year()+1)
	fails([]string{tx.CodeLabourNotMinistry.Error()}, "tx", "labour", "set-rule", tx.RuleMinWage, next, "10900", "--from", "bob")
	run("tx", "labour", "set-rule", tx.RuleMinWage, next, "10900", "--from", "ministry")
	var rules tx.LabourRules
	decodeCLI(t, run("query", "labour", "rules", "-o", "json"), &rules)
	if v, ok := tx.RuleAt(rules.Rules, tx.RuleMinWage, now.Unix()+400*86400); !ok || v != 10_900 {
		t.Fatalf("rules: the minimum wage from %s is %d, want 10,900", next, v)
	}
	var fund struct {
		Result tx.LabourFund
		Proof  proof
	}
	decodeCLI(t, run(append([]string{"query", "labour", "fund", "bob"}, prove...)...), &fund)
	if fund.Result.BalanceKRW != 500_000 || !fund.Proof.Verified {
		t.Fatalf("bob's fund: %+v, want 500,000 won proven", fund)
	}
	keyFile := filepath.Join(dir, "terminal.key")
	pub, err := agent.GenerateKey(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	run("tx", "device", "register", "bob-door-1", "--kind", tx.KindWorkTerminal, "--owner", "bob", "--pubkey", hex.EncodeToString(pub), "--from", "installer")

	var schedule []tx.WorkDay
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat"} {
		schedule = append(schedule, tx.WorkDay{Day: d, Start: "09:00", Minutes: 240, BreakMinutes: 30})
	}
	offer := tx.MsgLabourOffer{
		Worker: addr("worker"), Start: tx.DateOf(now.Add(-48 * time.Hour).Unix()), Schedule: schedule,
		HourlyWage: 9_000, PayCycle: tx.PayDaily, WeeklyHoliday: "sun",
		Leave: h("leave: statutory"), Place: h("place: Mangwon bakery"), Duties: h("duties: counter"),
		WorkerID: h("worker: salted id"), Terms: h("the contract text the worker read"),
	}
	offerFile := writeJSON("offer.json", offer)
	fails([]string{tx.CodeLabourBelowMinimum.Error(), "hourly_wage"}, "tx", "labour", "offer", "--file", offerFile, "--from", "bob")
	fails([]string{"--file"}, "tx", "labour", "offer", "--from", "bob")
	var offered struct {
		ContractID uint64 `json:"contract_id"`
	}
	decodeCLI(t, run("tx", "labour", "offer", "--file", offerFile, "--hourly-wage", "10320", "--worker", "worker", "--from", "bob", "-o", "json"), &offered)
	if offered.ContractID == 0 {
		t.Fatal("offer: no contract id")
	}
	cid := strconv.FormatUint(offered.ContractID, 10)
	fails([]string{tx.CodeLabourNotCountersigned.Error()}, "tx", "labour", "clock", cid, "in", "--from", "worker")
	if out := run("tx", "labour", "countersign", cid, "--from", "worker"); !strings.Contains(out, offer.Terms.String()) || !strings.Contains(out, "read from the offer on chain") {
		t.Fatalf("countersign: %q, want the terms %s read from the chain", out, offer.Terms)
	}

	// In by the terminal three hours ago (relayed by the shop), out by the
	// worker.
	in := now.Add(-3 * time.Hour).Unix()
	fails([]string{"--terminal-key and --device"}, "tx", "labour", "clock", cid, "in", "--device", "bob-door-1", "--from", "bob")
	run("tx", "labour", "clock", cid, "in", "--terminal-key", keyFile, "--device", "bob-door-1", "--at", strconv.FormatInt(in, 10), "--from", "bob")
	var out struct {
		Height int64 `json:"height"`
	}
	decodeCLI(t, run("tx", "labour", "clock", cid, "out", "--from", "worker", "-o", "json"), &out)
	if err := nc.WaitHeight(ctx, out.Height+2); err != nil {
		t.Fatal(err)
	}
	var sts tx.LabourStatementPage
	decodeCLI(t, run("query", "labour", "statements", "--contract", cid, "-o", "json"), &sts)
	if len(sts.Statements) != 1 {
		t.Fatalf("statements of contract %s: %+v, want one", cid, sts)
	}
	st := sts.Statements[0]
	if st.Status != tx.StatementPaid || st.NetKRW == 0 || st.NetKRW > st.GrossKRW || st.Worker != addr("worker") {
		t.Fatalf("statement: %+v, want paid to the worker", st)
	}
	if got := ukrw("worker", out.Height+1); got != st.NetKRW*tx.UKRWPerWon {
		t.Fatalf("worker's ukrw one block after the clock-out (height %d): %d, want the net %d won", out.Height+1, got, st.NetKRW)
	}
	var shift struct {
		Result tx.Shift
		Proof  proof
	}
	decodeCLI(t, run(append([]string{"query", "labour", "shift", cid, "1"}, prove...)...), &shift)
	if shift.Result.In != in || shift.Result.InBy != "bob-door-1" || shift.Result.Statement != st.ID || !shift.Proof.Verified {
		t.Fatalf("shift 1: %+v, want in at %d by the terminal, on statement %d, proven", shift, in, st.ID)
	}

	sid := strconv.FormatUint(st.ID, 10)
	if out := run("query", "labour", "statement", sid, "--check"); !strings.Contains(out, "matches its recomputation") {
		t.Fatalf("statement --check: %s", out)
	}
	var checked struct {
		Matches bool                  `json:"matches"`
		Check   client.StatementCheck `json:"check"`
	}
	decodeCLI(t, run("query", "labour", "statement", sid, "--check", "-o", "json"), &checked)
	if !checked.Matches || checked.Check.Minutes != shift.Result.Minutes || checked.Check.Want.NetKRW != st.NetKRW {
		t.Fatalf("statement --check -o json: %+v", checked)
	}
	// The same check fails on a statement that is not the chain's.
	ct, _, err := nc.LabourContract(ctx, offered.ContractID, client.ReadOpts{})
	if err != nil || ct == nil {
		t.Fatalf("contract %s: %v %v", cid, ct, err)
	}
	tampered := st
	tampered.NetKRW--
	if chk := client.CheckWageStatement(rules.Rules, ct, []tx.Shift{shift.Result}, &tampered); chk.OK() || !strings.Contains(strings.Join(chk.Mismatches, ";"), "net_krw") {
		t.Fatalf("check of a statement with the net lowered by 1 won: %+v, want net_krw named", chk.Mismatches)
	}
	var proven struct {
		Result tx.WageStatement
		Proof  proof
	}
	decodeCLI(t, run(append([]string{"query", "labour", "statement", sid}, prove...)...), &proven)
	if proven.Result.NetKRW != st.NetKRW || !proven.Proof.Verified {
		t.Fatalf("statement %s proven: %+v", sid, proven)
	}
	// A second shift: in by a terminal whose key is in the keyring (as the
	// devnet's are), out by the first terminal (its clock two seconds
	// ahead: an event must come after the previous one).
	run("keys", "add", "bob-till")
	run("tx", "device", "register", "bob-till-1", "--kind", tx.KindWorkTerminal, "--owner", "bob",
		"--pubkey", hex.EncodeToString(local.Key(t, node.KeyringDir(home), "bob-till").PubKey), "--from", "installer")
	fails([]string{"not a key of device bob-till-1", tx.CodeLabourBadTerminal.Error()}, "tx", "labour", "clock", cid, "in", "--terminal-key", keyFile, "--device", "bob-till-1", "--from", "bob")
	run("tx", "labour", "clock", cid, "in", "--terminal-key", "bob-till", "--device", "bob-till-1", "--from", "bob")
	run("tx", "labour", "clock", cid, "out", "--terminal-key", keyFile, "--device", "bob-door-1",
		"--at", time.Now().Add(2*time.Second).Format(time.RFC3339), "--from", "worker")
	var shift2 struct{ Result tx.Shift }
	decodeCLI(t, run("query", "labour", "shift", cid, "2", "-o", "json"), &shift2)
	if shift2.Result.InBy != "bob-till-1" || shift2.Result.OutBy != "bob-door-1" || shift2.Result.Out == 0 {
		t.Fatalf("shift 2: %+v, want in by bob-till-1, out by bob-door-1", shift2.Result)
	}
	// A paid shift cannot change; the worker ends the contract today.
	fails([]string{tx.CodeLabourShiftSettled.Error()}, "tx", "labour", "correct", cid, "1", "--in", strconv.FormatInt(in, 10),
		"--out", time.Unix(in+3600, 0).Format(time.RFC3339), "--from", "bob")
	today := tx.DateOf(time.Now().Unix())
	run("tx", "labour", "end", cid, today, "--from", "worker")
	var ended struct{ Result tx.LabourContract }
	decodeCLI(t, run("query", "labour", "contract", cid, "-o", "json"), &ended)
	if ended.Result.EndedOn != today {
		t.Fatalf("contract %s after end %s: %+v", cid, today, ended.Result)
	}
	fails([]string{"--check and --prove"}, append([]string{"query", "labour", "statement", sid, "--check"}, prove...)...)
	fails([]string{"--prove", "no proof"}, append([]string{"query", "labour", "statements"}, prove...)...)

	// Every statement of the devnet's shop, seeded at genesis (weekly
	// contracts with the weekly holiday allowance, paid or late) and
	// closed by the first blocks, recomputes too.
	var seeded tx.LabourStatementPage
	decodeCLI(t, run("query", "labour", "statements", "--employer", "shop", "--all", "-o", "json"), &seeded)
	allowances := 0
	for _, s := range seeded.Statements {
		if out, err := cli(t, home, rpc, "query", "labour", "statement", strconv.FormatUint(s.ID, 10), "--check"); err != nil {
			t.Errorf("statement %d of the shop: %v\n%s", s.ID, err, out)
		}
		for _, it := range s.Items {
			if it.Name == "weekly_holiday" {
				allowances++
			}
		}
	}
	if allowances == 0 {
		t.Fatalf("the shop's statements %+v: none pays a weekly holiday allowance, want the devnet's seeded weeks checked", seeded.Statements)
	}
}
