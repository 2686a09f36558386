package api

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/citychain/citychain/api/apiclient"
	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/keyring"
	"github.com/citychain/citychain/chain/tx"
)

// The labour fixture on the shared chain, built with real transactions
// after the public-works fixture (whose approvals funded the labour pool
// of project apiWorks): the bank pays two shops in won and the installer
// registers a work terminal for each shop and for the works' prime. Shop
// 1 deposits 500,000 won in its fund; shop 2 deposits nothing. Each
// employer offers a worker a daily contract at 12,000 won an hour (the
// prime's on project apiWorks), each worker countersigns, and each
// employer's terminal clocks its worker in and out (stamps of up to two
// hours before the latest block). At the clock-out the statement falls
// due: shop 1's and the project's are paid, shop 2's is late.
const labourWage = 12_000

type labourWorld struct {
	shop, lateShop, prime       tx.Address
	workers                     []tx.Address // shop's, lateShop's, the project's
	contracts                   []uint64     // in the same order
	statements                  []uint64
	minutes                     []uint64
	terminals                   []string
	lateShopKey                 *keyring.Key
	deposit                     uint64
	weeklyMinutes, employmentBP uint64
}

var (
	labourOnce sync.Once
	labourW    labourWorld
	labourErr  error
)

func labourFixture(t *testing.T, c *testChain) labourWorld {
	t.Helper()
	works := worksFixture(t, c)
	labourOnce.Do(func() { labourW, labourErr = buildLabour(t, c, works) })
	if labourErr != nil {
		t.Fatalf("labour fixture: %v", labourErr)
	}
	return labourW
}

// labourSchedule is the shops' schedule: Monday to Wednesday, four hours
// a day (12 h a week: no weekly holiday allowance, no pension or health
// insurance, employment insurance only).
var labourSchedule = []tx.WorkDay{{Day: "mon", Start: "09:00", Minutes: 240}, {Day: "tue", Start: "09:00", Minutes: 240}, {Day: "wed", Start: "09:00", Minutes: 240}}

func buildLabour(t *testing.T, c *testChain, works worksWorld) (labourWorld, error) {
	w := labourWorld{prime: works.prime, deposit: 500_000, weeklyMinutes: tx.WeeklyMinutes(labourSchedule)}
	nc, err := client.New(c.rpc)
	if err != nil {
		return w, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	chainID, err := nc.ChainID(ctx)
	if err != nil {
		return w, err
	}
	keys, err := fixtureKeys(ctx, t, c, nc, "labour-shop-1", "labour-shop-2", "labour-worker-1", "labour-worker-2", "labour-worker-3")
	if err != nil {
		return w, err
	}
	shop, lateShop := keys["labour-shop-1"], keys["labour-shop-2"]
	w.shop, w.lateShop, w.lateShopKey = shop.Address, lateShop.Address, lateShop
	employers := []*keyring.Key{shop, lateShop, works.primeKey}
	workers := []*keyring.Key{keys["labour-worker-1"], keys["labour-worker-2"], keys["labour-worker-3"]}
	submit := func(k *keyring.Key, msgs ...tx.Msg) error {
		if _, err := nc.Submit(ctx, k.Private, "api labour test", msgs...); err != nil {
			return fmt.Errorf("%s %s: %w", k.Name, msgs[0].Type(), err)
		}
		return nil
	}
	if err := submit(c.key(t, "kbank"), &tx.MsgSend{To: shop.Address, Amount: won(1_000_000)}, &tx.MsgSend{To: lateShop.Address, Amount: won(1_000_000)}); err != nil {
		return w, err
	}
	// The work terminals, one per employer.
	termKeys := make([]ed25519.PrivateKey, len(employers))
	var regs []tx.Msg
	for i, e := range employers {
		id := fmt.Sprintf("api-terminal-%d", i+1)
		seed := sha256.Sum256([]byte(id))
		termKeys[i] = ed25519.NewKeyFromSeed(seed[:])
		w.terminals = append(w.terminals, id)
		regs = append(regs, &tx.MsgDeviceRegister{ID: id, Kind: tx.KindWorkTerminal, Owner: e.Address,
			PubKey: tx.PubKey(termKeys[i].Public().(ed25519.PublicKey)), Metadata: tx.DeviceMetadata{SerialNumber: id, Manufacturer: "test", Model: "clock", Site: "Mangwon"}})
	}
	if err := submit(c.key(t, "installer"), regs...); err != nil {
		return w, err
	}
	if err := submit(shop, &tx.MsgLabourDeposit{AmountKRW: w.deposit}); err != nil {
		return w, err
	}
	rules, err := nc.LabourRules(ctx, 0)
	if err != nil {
		return w, err
	}
	st, err := nc.RPC().Status(ctx)
	if err != nil {
		return w, err
	}
	now := st.SyncInfo.LatestBlockTime.Unix()
	w.employmentBP, _ = tx.RuleAt(rules.Rules, tx.RuleEmployment, now)
	for i, e := range employers {
		wk := workers[i]
		w.workers = append(w.workers, wk.Address)
		h := func(s string) tx.Hash32 { return sha256.Sum256([]byte(fmt.Sprintf("%s/%d", s, i))) }
		offer := &tx.MsgLabourOffer{Worker: wk.Address, Start: tx.DateOf(now - 2*86400), Schedule: labourSchedule, HourlyWage: labourWage,
			PayCycle: tx.PayDaily, WeeklyHoliday: "sun", Leave: h("leave"), Place: h("place"), Duties: h("duties"), WorkerID: h("worker"), Terms: h("terms")}
		if i == 2 {
			offer.Project = apiWorks
		}
		res, err := nc.Submit(ctx, e.Private, "api labour test", offer)
		if err != nil {
			return w, fmt.Errorf("%s offer: %w", e.Name, err)
		}
		attr, _ := res.Attr("labour.offered", "contract")
		var id uint64
		if _, err := fmt.Sscan(attr, &id); err != nil {
			return w, fmt.Errorf("contract id %q: %w", attr, err)
		}
		w.contracts = append(w.contracts, id)
		if err := submit(wk, &tx.MsgLabourCountersign{Contract: id, Terms: offer.Terms}); err != nil {
			return w, err
		}
	}
	// The shifts: the stamps lie in the current week (the countersignature
	// closed the earlier ones), up to two hours long, before the block time.
	// Shop 2's shift ends on the day before when a stamp may still be that
	// old (24 hours) and the day is in the current week, so its late pay is
	// a day late and accrues interest when the test reads it.
	st, err = nc.RPC().Status(ctx)
	if err != nil {
		return w, err
	}
	now = st.SyncInfo.LatestBlockTime.Unix()
	in := max(now-3*3600, tx.WeekStart(now))
	out := min(in+2*3600, now)
	if out-in < 60 {
		return w, fmt.Errorf("block time %s: less than a minute into the week; run the test again", tx.DateOf(now))
	}
	ins, outs := []int64{in, in, in}, []int64{out, out, out}
	if prevOut := tx.DayStart(now) - 60; prevOut-2*3600 >= max(tx.WeekStart(now), now-tx.MaxClockDelay+600) {
		ins[1], outs[1] = prevOut-2*3600, prevOut
	}
	for i, e := range employers {
		stamp := func(action string, at int64) *tx.MsgLabourClock {
			msg := tx.LabourClockMessage(chainID, w.contracts[i], action, at, w.terminals[i])
			return &tx.MsgLabourClock{Contract: w.contracts[i], Action: action,
				Terminal: &tx.TerminalStamp{Device: w.terminals[i], KeyEpoch: 1, At: at, Signature: ed25519.Sign(termKeys[i], msg)}}
		}
		if err := submit(e, stamp(tx.ClockIn, ins[i])); err != nil {
			return w, err
		}
		res, err := nc.Submit(ctx, e.Private, "api labour test", stamp(tx.ClockOut, outs[i]))
		if err != nil {
			return w, fmt.Errorf("%s clock out: %w", e.Name, err)
		}
		attr, _ := res.Attr("labour.statement", "id")
		var id uint64
		if _, err := fmt.Sscan(attr, &id); err != nil {
			return w, fmt.Errorf("statement id %q: %w", attr, err)
		}
		w.statements = append(w.statements, id)
		w.minutes = append(w.minutes, uint64(outs[i]-ins[i])/60)
	}
	// The statements are paid (or marked late) in the clock-out's block or
	// the next.
	waitUntil := func(id uint64, status string) error {
		for {
			s, _, err := nc.LabourStatement(ctx, id, client.ReadOpts{})
			if err != nil {
				return err
			}
			if s != nil && s.Status == status {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("statement %d: got %+v, want %s", id, s, status)
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	for i, want := range []string{tx.StatementPaid, tx.StatementLate, tx.StatementPaid} {
		if err := waitUntil(w.statements[i], want); err != nil {
			return w, err
		}
	}
	return w, nil
}

// gross is the gross of a shift of minutes at labourWage (200 won a
// minute: no rounding).
func labourGross(minutes uint64) uint64 { return minutes * labourWage / 60 }

func TestLabourRoutes(t *testing.T) {
	c := getChain(t)
	w := labourFixture(t, c)
	ts := startServer(t, c, nil)
	nc, err := client.New(c.rpc)
	if err != nil {
		t.Fatal(err)
	}
	cb := func(i int) string { return fmt.Sprintf("/v1/labour/contracts/%d", w.contracts[i]) }

	t.Run("rules", func(t *testing.T) {
		var r tx.LabourRules
		ts.getJSON(t, "/v1/labour/rules", &r)
		for _, want := range []tx.LabourRule{
			{Kind: tx.RuleMinWage, Effective: "2026-01-01", Value: 10_320},
			{Kind: tx.RuleLateInterest, Effective: "2025-10-23", Value: 20_000},
		} {
			if !slices.Contains(r.Rules, want) {
				t.Errorf("got rules %+v, want the row %+v", r.Rules, want)
			}
		}
		if r.Params.MaxPaymentsPerBlock == 0 {
			t.Errorf("got params %+v, want the default bound", r.Params)
		}
	})
	t.Run("stats", func(t *testing.T) {
		var s tx.LabourStats
		ts.getJSON(t, "/v1/labour/stats", &s)
		if s.Contracts < 3 || s.Shifts < 3 || s.Statements < 3 || s.Paid < 2 || s.PaidKRW < labourGross(w.minutes[0]) {
			t.Fatalf("got %+v, want at least the fixture's 3 contracts, shifts and statements, 2 paid", s)
		}
	})
	t.Run("contracts, filtered and paged", func(t *testing.T) {
		var p AfterPage[tx.LabourContract]
		ts.getJSON(t, "/v1/labour/contracts?employer="+w.shop.String(), &p)
		if len(p.Items) != 1 || p.Items[0].ID != w.contracts[0] || p.Items[0].Worker != w.workers[0] || p.Items[0].Status != tx.LabourActive {
			t.Fatalf("shop 1's contracts: got %+v", p)
		}
		ts.getJSON(t, "/v1/labour/contracts?worker="+w.workers[2].String(), &p)
		if len(p.Items) != 1 || p.Items[0].Project != apiWorks || p.Items[0].Employer != w.prime {
			t.Fatalf("worker 3's contracts: got %+v, want the project's", p)
		}
		ts.getJSON(t, fmt.Sprintf("/v1/labour/contracts?limit=1&after=%d", w.contracts[0]), &p)
		if len(p.Items) != 1 || p.Items[0].ID != w.contracts[1] || p.NextAfter != fmt.Sprint(w.contracts[1]) || p.NextCursor == "" {
			t.Fatalf("the page after contract %d: got %+v", w.contracts[0], p)
		}
		var p2 AfterPage[tx.LabourContract]
		ts.getJSON(t, "/v1/labour/contracts?limit=1&cursor="+p.NextCursor, &p2)
		if len(p2.Items) != 1 || p2.Items[0].ID != w.contracts[2] {
			t.Fatalf("from the cursor: got %+v, want contract %d", p2, w.contracts[2])
		}
	})
	t.Run("contract with proof", func(t *testing.T) {
		var r registryState[tx.LabourContract]
		ts.getJSON(t, cb(0)+"?prove=true", &r)
		k := r.Result
		if k.ID != w.contracts[0] || k.Employer != w.shop || k.Worker != w.workers[0] || k.Status != tx.LabourActive || k.Countersigned == 0 ||
			k.HourlyWage != labourWage || k.PayCycle != tx.PayDaily || k.Shifts != 1 || k.Open != 0 || !slices.Equal(k.Schedule, labourSchedule) {
			t.Fatalf("got %+v, want shop 1's countersigned contract with one closed shift", k)
		}
		wantVerified(t, "contract", r.Height, r.Proof, true)
		var absent registryState[json.RawMessage]
		ts.getJSON(t, "/v1/labour/contracts/999999?prove=true", &absent)
		if string(absent.Result) != "null" {
			t.Fatalf("absent contract: got %s, want null", absent.Result)
		}
		wantVerified(t, "absent contract", absent.Height, absent.Proof, false)
	})
	t.Run("shifts", func(t *testing.T) {
		var p AfterPage[tx.Shift]
		ts.getJSON(t, cb(0)+"/shifts", &p)
		if len(p.Items) != 1 {
			t.Fatalf("got %+v, want one shift", p)
		}
		s := p.Items[0]
		if s.ID != 1 || s.Contract != w.contracts[0] || s.InBy != w.terminals[0] || s.OutBy != w.terminals[0] || s.Minutes != w.minutes[0] ||
			s.Statement != w.statements[0] || s.Out-s.In != int64(w.minutes[0])*60 {
			t.Fatalf("got %+v, want %d minutes by terminal %s on statement %d", s, w.minutes[0], w.terminals[0], w.statements[0])
		}
		var r registryState[tx.Shift]
		ts.getJSON(t, cb(0)+"/shifts/1?prove=true", &r)
		if r.Result.ID != 1 || r.Result.Minutes != w.minutes[0] {
			t.Fatalf("shift 1: got %+v", r.Result)
		}
		wantVerified(t, "shift", r.Height, r.Proof, true)
		var absent registryState[json.RawMessage]
		ts.getJSON(t, cb(0)+"/shifts/2?prove=true", &absent)
		wantVerified(t, "absent shift", absent.Height, absent.Proof, false)
		ts.getJSON(t, cb(0)+"/shifts?after=1", &p)
		if len(p.Items) != 0 || p.Items == nil {
			t.Fatalf("after the last shift: got %+v, want an empty page", p)
		}
	})
	t.Run("statements, filtered", func(t *testing.T) {
		var p AfterPage[tx.WageStatement]
		ts.getJSON(t, fmt.Sprintf("/v1/labour/statements?contract=%d", w.contracts[0]), &p)
		if len(p.Items) != 1 || p.Items[0].ID != w.statements[0] {
			t.Fatalf("contract %d's statements: got %+v", w.contracts[0], p)
		}
		ts.getJSON(t, "/v1/labour/statements?worker="+w.workers[2].String(), &p)
		if len(p.Items) != 1 || p.Items[0].ID != w.statements[2] || p.Items[0].Project != apiWorks {
			t.Fatalf("worker 3's statements: got %+v", p)
		}
		ts.getJSON(t, "/v1/labour/statements?employer="+w.lateShop.String(), &p)
		if len(p.Items) != 1 || p.Items[0].ID != w.statements[1] {
			t.Fatalf("shop 2's statements: got %+v", p)
		}
		ts.getJSON(t, "/v1/labour/statements?late=true&limit=1000", &p)
		ids := []uint64{}
		for _, s := range p.Items {
			if s.Status != tx.StatementLate {
				t.Fatalf("late=true: got statement %d %s", s.ID, s.Status)
			}
			ids = append(ids, s.ID)
		}
		if !slices.Contains(ids, w.statements[1]) || slices.Contains(ids, w.statements[0]) {
			t.Fatalf("late=true: got %v, want %d and not %d", ids, w.statements[1], w.statements[0])
		}
	})
	t.Run("paid statement with proof", func(t *testing.T) {
		var r AccruedResponse
		ts.getJSON(t, fmt.Sprintf("/v1/labour/statements/%d?prove=true", w.statements[0]), &r)
		var s tx.WageStatement
		b, _ := json.Marshal(r.Result)
		if err := json.Unmarshal(b, &s); err != nil {
			t.Fatal(err)
		}
		gross := labourGross(w.minutes[0])
		emp := gross * w.employmentBP / tx.RateDenominator
		if s.Status != tx.StatementPaid || s.GrossKRW != gross || s.NetKRW != gross-emp || s.PaidAt == 0 || s.Worker != w.workers[0] ||
			len(s.Deductions) != 1 || s.Deductions[0].Name != tx.RuleEmployment || s.Deductions[0].AmountKRW != emp || len(s.Items) != 1 || s.Items[0].Name != "hours" {
			t.Fatalf("got %+v, want paid: gross %d, employment insurance %d only", s, gross, emp)
		}
		if r.Accrued != nil {
			t.Fatalf("a paid statement accrues nothing: got %+v", r.Accrued)
		}
		if r.Proof == nil || !r.Proof.Verified || r.Proof.HeaderHeight != r.Height+1 || r.Proof.Value == "" {
			t.Fatalf("got proof %+v", r.Proof)
		}
		var absent AccruedResponse
		ts.getJSON(t, "/v1/labour/statements/999999?prove=true", &absent)
		if absent.Result != nil || absent.Accrued != nil || absent.Proof == nil || !absent.Proof.Verified || absent.Proof.Value != "" {
			t.Fatalf("absent statement: got %+v", absent)
		}
	})
	t.Run("late statement accrues", func(t *testing.T) {
		var r AccruedResponse
		ts.getJSON(t, fmt.Sprintf("/v1/labour/statements/%d", w.statements[1]), &r)
		var s tx.WageStatement
		b, _ := json.Marshal(r.Result)
		if err := json.Unmarshal(b, &s); err != nil {
			t.Fatal(err)
		}
		if s.Status != tx.StatementLate || r.Accrued == nil {
			t.Fatalf("got %+v, accrued %+v; want late with the accrual beside it", s, r.Accrued)
		}
		// The accrual is as of the block at the answer's height, at the
		// chain's rates.
		hdr, err := nc.RPC().Header(context.Background(), &r.Height)
		if err != nil {
			t.Fatal(err)
		}
		rules, err := nc.LabourRules(context.Background(), r.Height)
		if err != nil {
			t.Fatal(err)
		}
		at := hdr.Header.Time.Unix()
		rate, _ := tx.RuleAt(rules.Rules, tx.RuleLateInterest, at)
		interest := tx.LateInterest(rules.Rules, tx.RuleLateInterest, s.GrossKRW, s.Due, at)
		want := LateAccrual{AsOf: at, AsOfDate: tx.DateOf(at), Due: s.Due, DaysLate: tx.DaysLate(s.Due, at), RatePer100k: rate,
			PrincipalKRW: s.GrossKRW, AccruedInterestKRW: interest, OwedKRW: s.GrossKRW + interest}
		if *r.Accrued != want || rate != 20_000 || s.GrossKRW != labourGross(w.minutes[1]) || (want.DaysLate > 0) != (interest > 0) {
			t.Fatalf("got accrual %+v, want %+v", *r.Accrued, want)
		}
		if want.DaysLate == 0 {
			t.Logf("shop 2's shift ended today (KST): its accrual is of 0 days")
		}
		var f registryState[tx.LabourFund]
		ts.getJSON(t, "/v1/labour/funds/"+w.lateShop.String()+"?prove=true", &f)
		if f.Result.Owner != w.lateShop || f.Result.BalanceKRW != 0 || f.Result.Late != 1 || f.Result.OwedKRW != s.GrossKRW {
			t.Fatalf("shop 2's fund: got %+v, want empty, one late statement", f.Result)
		}
		wantVerified(t, "shop 2's fund", f.Height, f.Proof, true)
	})
	t.Run("funds", func(t *testing.T) {
		var r registryState[tx.LabourFund]
		ts.getJSON(t, "/v1/labour/funds/"+w.shop.String()+"?prove=true", &r)
		gross := labourGross(w.minutes[0])
		if r.Result.Owner != w.shop || r.Result.DepositedKRW != w.deposit || r.Result.BalanceKRW != w.deposit-gross || r.Result.PaidKRW != gross || r.Result.Late != 0 {
			t.Fatalf("shop 1's fund: got %+v, want %d deposited, %d paid", r.Result, w.deposit, gross)
		}
		wantVerified(t, "fund", r.Height, r.Proof, true)
		var absent registryState[json.RawMessage]
		ts.getJSON(t, "/v1/labour/funds/"+w.workers[0].String()+"?prove=true", &absent)
		if string(absent.Result) != "null" {
			t.Fatalf("a worker's fund: got %s, want null", absent.Result)
		}
		wantVerified(t, "absent fund", absent.Height, absent.Proof, false)
		r = registryState[tx.LabourFund]{}
		ts.getJSON(t, "/v1/labour/projects/"+apiWorks+"/fund?prove=true", &r)
		if r.Result.Project != apiWorks || !r.Result.Owner.IsZero() || r.Result.DepositedKRW != 20_000_000 || r.Result.BalanceKRW != 20_000_000-labourGross(w.minutes[2]) {
			t.Fatalf("the project's labour pool: got %+v, want 20,000,000 won in, one shift paid", r.Result)
		}
		wantVerified(t, "labour pool", r.Height, r.Proof, true)
	})
	t.Run("project lines, proven present and absent", func(t *testing.T) {
		base := "/v1/labour/projects/" + apiWorks + "/lines"
		line := tx.LabourProjectLine{Project: apiWorks, Worker: w.workers[2], PaidKRW: labourGross(w.minutes[2])}
		var p AfterPage[tx.LabourProjectLine]
		ts.getJSON(t, base, &p)
		if !slices.Equal(p.Items, []tx.LabourProjectLine{line}) || p.NextAfter != "" {
			t.Fatalf("got %+v, want worker 3's line %+v", p, line)
		}
		ts.getJSON(t, base+"?after="+w.workers[2].String(), &p)
		if len(p.Items) != 0 {
			t.Fatalf("after worker 3: got %+v", p)
		}
		var r registryState[tx.LabourProjectLine]
		ts.getJSON(t, base+"/"+w.workers[2].String()+"?prove=true", &r)
		if r.Result != line {
			t.Fatalf("worker 3's line: got %+v, want %+v", r.Result, line)
		}
		wantVerified(t, "worker 3's line", r.Height, r.Proof, true)
		// Worker 1 works for shop 1, not on the project: owed 0, proven by
		// the absence of the line.
		for _, q := range []string{"?prove=true", ""} {
			var z registryState[tx.LabourProjectLine]
			ts.getJSON(t, base+"/"+w.workers[0].String()+q, &z)
			if z.Result != (tx.LabourProjectLine{Project: apiWorks, Worker: w.workers[0]}) {
				t.Fatalf("worker 1's line%s: got %+v, want the zero line", q, z.Result)
			}
			if q != "" {
				wantVerified(t, "worker 1's absent line", z.Height, z.Proof, false)
			}
		}
		var a tx.ContractArrears
		ts.getJSON(t, "/v1/contracts/"+apiWorks+"/arrears", &a)
		if len(a.Tiers) != 3 || a.Tiers[2] != (tx.ArrearsTier{Tier: tx.TierLabour, PaidKRW: labourGross(w.minutes[2])}) {
			t.Fatalf("arrears: got %+v, want the labour tier paid %d", a.Tiers, labourGross(w.minutes[2]))
		}
	})
	t.Run("errors", func(t *testing.T) {
		for _, tc := range []struct {
			path, field string
			code        int
			detail      string
		}{
			{"/v1/labour/contracts/999999", "", 404, "labour contract 999999 does not exist"},
			{"/v1/labour/contracts/999999/shifts", "", 404, "labour contract 999999 does not exist"},
			{cb(0) + "/shifts/9", "", 404, "has no shift 9"},
			{"/v1/labour/statements/999999", "", 404, "wage statement 999999 does not exist"},
			{"/v1/labour/funds/" + w.workers[0].String(), "", 404, "has no labour fund"},
			{"/v1/labour/projects/no-such-works/fund", "", 404, "no-such-works has no labour pool"},
			{"/v1/labour/projects/no-such-works/lines/" + w.workers[0].String(), "", 404, "no-such-works does not exist"},
			{"/v1/labour/contracts/0", "id", 400, ""},
			{"/v1/labour/contracts/x/shifts", "id", 400, ""},
			{cb(0) + "/shifts/0", "shift", 400, ""},
			{"/v1/labour/statements/-1", "id", 400, ""},
			{"/v1/labour/contracts?employer=xyz", "employer", 400, ""},
			{"/v1/labour/contracts?worker=" + strings.Repeat("g", 40), "worker", 400, ""},
			{"/v1/labour/contracts?after=x", "after", 400, ""},
			{"/v1/labour/contracts?limit=1001", "limit", 400, ""},
			{"/v1/labour/statements?contract=0", "contract", 400, ""},
			{"/v1/labour/statements?late=maybe", "late", 400, ""},
			{"/v1/labour/statements?cursor=!!", "cursor", 400, ""},
			{"/v1/labour/funds/xyz", "owner", 400, ""},
			{"/v1/labour/projects/Bad_Project/fund", "project", 400, ""},
			{"/v1/labour/projects/" + apiWorks + "/lines?after=xyz", "after", 400, ""},
			{"/v1/labour/projects/" + apiWorks + "/lines/xyz", "worker", 400, ""},
			{cb(0) + "?prove=maybe", "prove", 400, ""},
		} {
			code, h, b := ts.do(t, "GET", tc.path, nil)
			p := wantProblem(t, tc.path, code, h, b, tc.code)
			if p.Field != tc.field || !strings.Contains(p.Detail, tc.detail) {
				t.Errorf("%s: got field %q detail %q, want field %q and %q", tc.path, p.Field, p.Detail, tc.field, tc.detail)
			}
		}
	})
	t.Run("anonymous reads", func(t *testing.T) {
		anon := startServer(t, c, func(cfg *Config) { cfg.AnonymousReads = true })
		for _, p := range []string{"/v1/labour/rules", cb(1), fmt.Sprintf("/v1/labour/statements/%d", w.statements[1]), "/v1/contracts/" + apiWorks + "/arrears"} {
			if code, _, b := anon.do(t, "GET", p, nil, "Authorization", ""); code != 200 {
				t.Fatalf("anonymous %s: got %d %s", p, code, b)
			}
		}
	})
}

// TestLabourLateStatementPaidOnDeposit: shop 2's deposit pays its late
// statement (in the deposit's end-block work): the answer is paid, the
// days late and interest stored, and no accrual any more.
func TestLabourLateStatementPaidOnDeposit(t *testing.T) {
	c := getChain(t)
	w := labourFixture(t, c)
	ts := startServer(t, c, nil)
	nc, err := client.New(c.rpc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := nc.Submit(ctx, w.lateShopKey.Private, "api labour test", &tx.MsgLabourDeposit{AmountKRW: 100_000}); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/v1/labour/statements/%d", w.statements[1])
	var r AccruedResponse
	var s tx.WageStatement
	waitFor(t, "the late statement paid", 20*time.Second, func() bool {
		ts.getJSON(t, path, &r)
		b, _ := json.Marshal(r.Result)
		return json.Unmarshal(b, &s) == nil && s.Status == tx.StatementPaid
	})
	rules, err := nc.LabourRules(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	interest := tx.LateInterest(rules.Rules, tx.RuleLateInterest, s.GrossKRW, s.Due, s.PaidAt)
	if r.Accrued != nil || s.PaidAt == 0 || s.DaysLate != tx.DaysLate(s.Due, s.PaidAt) || s.InterestKRW != interest {
		t.Fatalf("got %+v, accrued %+v; want paid with its days late, interest %d and no accrual", s, r.Accrued, interest)
	}
	var p AfterPage[tx.WageStatement]
	ts.getJSON(t, "/v1/labour/statements?late=true&employer="+w.lateShop.String(), &p)
	if len(p.Items) != 0 {
		t.Fatalf("shop 2's late statements after the deposit: got %+v", p.Items)
	}
}

// TestLateAccrualGrows: the accrual the API adds to a late statement (or
// instalment) grows with the days late, at the research's golden
// vectors: 1,000,000 won thirty days late at 20 % is 16,438 won (P5), sixty
// days 32,876; days before the 20 % row of 2025-10-23 accrue nothing;
// 10,000,000 won twenty days late at the contracts' 15.5 % is 84,931 (S3).
func TestLateAccrualGrows(t *testing.T) {
	rules := tx.DefaultLabourRules()
	slices.Reverse(rules) // any order: lateAccrual sorts
	due, err := tx.ParseDate("due", "2026-03-02")
	if err != nil {
		t.Fatal(err)
	}
	at := func(days int64) int64 { return due + days*86400 + 10*3600 } // 10:00 KST
	for _, tc := range []struct {
		rules          []tx.LabourRule
		principal      uint64
		due, asOf      int64
		days, interest uint64
		rate           uint64
	}{
		{rules, 1_000_000, due, due + 3600, 0, 0, 20_000},
		{rules, 1_000_000, due, at(1), 1, 547, 20_000},
		{rules, 1_000_000, due, at(30), 30, 16_438, 20_000},
		{rules, 1_000_000, due, at(60), 60, 32_876, 20_000},
		{rules, 1_000_000, mustDate(t, "2025-09-01"), mustDate(t, "2025-10-22"), 51, 0, 0},
		{tx.DefaultContractsParams().LateRates, 10_000_000, due, at(20), 20, 84_931, 15_500},
	} {
		a := lateAccrual(tc.rules, tc.principal, tc.due, tc.asOf)
		want := &LateAccrual{AsOf: tc.asOf, AsOfDate: tx.DateOf(tc.asOf), Due: tc.due, DaysLate: tc.days, RatePer100k: tc.rate,
			PrincipalKRW: tc.principal, AccruedInterestKRW: tc.interest, OwedKRW: tc.principal + tc.interest}
		if *a != *want {
			t.Errorf("%d won due %s, as of %s: got %+v, want %+v", tc.principal, tx.DateOf(tc.due), tx.DateOf(tc.asOf), *a, *want)
		}
	}
}

func mustDate(t *testing.T, s string) int64 {
	t.Helper()
	d, err := tx.ParseDate("date", s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestGoClientLabour: the client's labour methods read the fixture
// through the API.
func TestGoClientLabour(t *testing.T) {
	c := getChain(t)
	w := labourFixture(t, c)
	ts := startServer(t, c, nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cl := apiclient.New(ts.url, apiclient.WithAPIKey(testKey))

	rules, err := cl.LabourRules(ctx)
	if err != nil || !slices.Contains(rules.Rules, apiclient.LabourRule{Kind: "min_wage", Effective: "2026-01-01", Value: 10_320}) {
		t.Fatalf("rules: got %+v, %v", rules, err)
	}
	if s, err := cl.LabourStats(ctx); err != nil || s.Contracts < 3 {
		t.Fatalf("stats: got %+v, %v", s, err)
	}
	ks, err := cl.LabourContracts(ctx, apiclient.LabourQuery{Employer: w.shop.String()})
	if err != nil || len(ks.Items) != 1 || ks.Items[0].ID != w.contracts[0] || len(ks.Items[0].Schedule) != 3 {
		t.Fatalf("shop 1's contracts: got %+v, %v", ks, err)
	}
	k, err := cl.LabourContract(ctx, w.contracts[2], true)
	if err != nil || k.Result == nil || k.Result.Project != apiWorks || !k.Proof.Verified {
		t.Fatalf("contract: got %+v, %v", k, err)
	}
	_, err = cl.LabourContract(ctx, 999999, false)
	var pe *apiclient.Problem
	if !errors.As(err, &pe) || pe.Status != http.StatusNotFound {
		t.Fatalf("absent contract: got %v, want a 404 problem", err)
	}
	sh, err := cl.LabourShifts(ctx, w.contracts[0], apiclient.LabourQuery{})
	if err != nil || len(sh.Items) != 1 || sh.Items[0].InBy != w.terminals[0] {
		t.Fatalf("shifts: got %+v, %v", sh, err)
	}
	s1, err := cl.LabourShift(ctx, w.contracts[0], 1, true)
	if err != nil || s1.Result == nil || s1.Result.Minutes != w.minutes[0] || !s1.Proof.Verified {
		t.Fatalf("shift: got %+v, %v", s1, err)
	}
	sts, err := cl.WageStatements(ctx, apiclient.LabourQuery{Worker: w.workers[0].String()})
	if err != nil || len(sts.Items) != 1 || sts.Items[0].ID != w.statements[0] {
		t.Fatalf("worker 1's statements: got %+v, %v", sts, err)
	}
	st, err := cl.WageStatement(ctx, w.statements[1], true)
	if err != nil || st.Result == nil || !st.Proof.Verified || (st.Result.Status == "late") != (st.Accrued != nil) {
		t.Fatalf("shop 2's statement: got %+v, %v; want the accrual exactly while late", st, err)
	}
	f, err := cl.LabourFund(ctx, w.shop.String(), true)
	if err != nil || f.Result == nil || f.Result.DepositedKRW != w.deposit || !f.Proof.Verified {
		t.Fatalf("fund: got %+v, %v", f, err)
	}
	pf, err := cl.ProjectFund(ctx, apiWorks, false)
	if err != nil || pf.Result == nil || pf.Result.Project != apiWorks || pf.Result.Owner != "" {
		t.Fatalf("project fund: got %+v, %v", pf, err)
	}
	ls, err := cl.ProjectLines(ctx, apiWorks, apiclient.LabourQuery{Limit: 10})
	if err != nil || len(ls.Items) != 1 || ls.Items[0].Worker != w.workers[2].String() {
		t.Fatalf("project lines: got %+v, %v", ls, err)
	}
	l, err := cl.ProjectLine(ctx, apiWorks, w.workers[1].String(), true)
	if err != nil || l.Result.Worker != w.workers[1].String() || l.Result.OwedKRW != 0 || l.Result.PaidKRW != 0 || !l.Proof.Verified || l.Proof.Value != "" {
		t.Fatalf("worker 2's (absent) project line: got %+v, %v", l, err)
	}
}

// TestLabourContractsAnswersMatchOpenAPI: every labour and contracts route
// answers what its OpenAPI document says: each answer (with and without
// proofs, present and absent) validates against the 200 schema of its path
// in the served document, whose schemas of the chain's types admit no
// member they do not document.
func TestLabourContractsAnswersMatchOpenAPI(t *testing.T) {
	c := getChain(t)
	w := labourFixture(t, c)
	works := worksFixture(t, c)
	ts := startServer(t, c, nil)
	code, _, doc := ts.do(t, "GET", "/openapi.json", nil)
	if code != http.StatusOK {
		t.Fatalf("openapi.json: %d", code)
	}
	comp := jsonschema.NewCompiler()
	comp.DefaultDraft(jsonschema.Draft2020)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if err := comp.AddResource("mem:///openapi.json", inst); err != nil {
		t.Fatal(err)
	}
	k0, sub1 := fmt.Sprint(w.contracts[0]), works.subs[0].String()
	routed := map[string]bool{}
	for _, m := range modules {
		if m.name == "labour" || m.name == "contracts" {
			for _, rt := range m.routes(ts.Server) {
				routed[rt.pattern] = true
			}
		}
	}
	checked := map[string]bool{}
	for _, tc := range []struct{ pattern, path string }{
		{"/v1/labour/rules", "/v1/labour/rules"},
		{"/v1/labour/stats", "/v1/labour/stats"},
		{"/v1/labour/contracts", "/v1/labour/contracts?limit=2"},
		{"/v1/labour/contracts/{id}", "/v1/labour/contracts/" + k0},
		{"/v1/labour/contracts/{id}", "/v1/labour/contracts/" + fmt.Sprint(w.contracts[2]) + "?prove=true"},
		{"/v1/labour/contracts/{id}", "/v1/labour/contracts/999999?prove=true"},
		{"/v1/labour/contracts/{id}/shifts", "/v1/labour/contracts/" + k0 + "/shifts"},
		{"/v1/labour/contracts/{id}/shifts/{shift}", "/v1/labour/contracts/" + k0 + "/shifts/1?prove=true"},
		{"/v1/labour/statements", "/v1/labour/statements"},
		{"/v1/labour/statements/{id}", fmt.Sprintf("/v1/labour/statements/%d?prove=true", w.statements[0])},
		{"/v1/labour/statements/{id}", fmt.Sprintf("/v1/labour/statements/%d", w.statements[1])},
		{"/v1/labour/statements/{id}", "/v1/labour/statements/999999?prove=true"},
		{"/v1/labour/funds/{owner}", "/v1/labour/funds/" + w.shop.String() + "?prove=true"},
		{"/v1/labour/projects/{project}/fund", "/v1/labour/projects/" + apiWorks + "/fund"},
		{"/v1/labour/projects/{project}/lines", "/v1/labour/projects/" + apiWorks + "/lines"},
		{"/v1/labour/projects/{project}/lines/{worker}", "/v1/labour/projects/" + apiWorks + "/lines/" + w.workers[2].String() + "?prove=true"},
		{"/v1/labour/projects/{project}/lines/{worker}", "/v1/labour/projects/" + apiWorks + "/lines/" + w.workers[0].String() + "?prove=true"},
		{"/v1/contracts", "/v1/contracts"},
		{"/v1/contracts/params", "/v1/contracts/params"},
		{"/v1/contracts/{id}", "/v1/contracts/" + apiWorks + "?prove=true"},
		{"/v1/contracts/{id}/instalments", "/v1/contracts/" + apiWorks + "/instalments"},
		{"/v1/contracts/{id}/instalments/{milestone}/{subcontractor}", "/v1/contracts/" + apiWorks + "/instalments/1/" + sub1 + "?prove=true"},
		{"/v1/contracts/{id}/arrears", "/v1/contracts/" + apiWorks + "/arrears"},
		{"/v1/contracts/{id}/lines/{tier}/{party}", "/v1/contracts/" + apiWorks + "/lines/subcontract/" + sub1},
		{"/v1/contracts/{id}/lines/{tier}/{party}", "/v1/contracts/" + apiWorks + "/lines/prime/" + sub1 + "?prove=true"},
	} {
		ptr := "/paths/" + strings.ReplaceAll(tc.pattern, "/", "~1") + "/get/responses/200/content/application~1json/schema"
		sch, err := comp.Compile("mem:///openapi.json#" + ptr)
		if err != nil {
			t.Fatalf("%s: compile the 200 schema: %v", tc.pattern, err)
		}
		code, _, body := ts.do(t, "GET", tc.path, nil)
		if code != http.StatusOK {
			t.Fatalf("GET %s: got %d %s", tc.path, code, body)
		}
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(v); err != nil {
			t.Errorf("GET %s: the answer does not match the OpenAPI schema of %s: %v\n%s", tc.path, tc.pattern, err, body)
		}
		checked[tc.pattern] = true
	}
	for p := range routed {
		if !checked[p] {
			t.Errorf("route %s: no answer checked against its schema", p)
		}
	}
}
