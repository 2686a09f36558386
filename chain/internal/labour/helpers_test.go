package labour_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/labour"
	"github.com/citychain/citychain/chain/tx"
)

// The accounts of the labour tests, besides the demo accounts: two shops
// (employers), three workers, the labour ministry, and a gateway that
// relays terminal stamps.
var (
	shop     = apptest.NewKey("shop")
	shop2    = apptest.NewKey("shop-2")
	worker1  = apptest.NewKey("worker-1")
	worker2  = apptest.NewKey("worker-2")
	worker3  = apptest.NewKey("worker-3")
	ministry = apptest.NewKey("labour-ministry")
	gateway  = apptest.NewKey("gateway")
	// till is the shop's work terminal; till2 is shop2's; meterKey a solar
	// inverter of the shop (not a terminal).
	tillKey  = apptest.NewKey("till")
	till2Key = apptest.NewKey("till-2")
	meterKey = apptest.NewKey("shop-meter")
	// crew are five more workers.
	crew = []apptest.Key{apptest.NewKey("crew-1"), apptest.NewKey("crew-2"), apptest.NewKey("crew-3"), apptest.NewKey("crew-4"), apptest.NewKey("crew-5")}
)

const (
	till  = "till-1"
	till2 = "till-2"
	meter = "shop-meter"
)

func accounts() []apptest.Account {
	acc := append(apptest.DemoAccounts(),
		apptest.Account{Key: shop, Coins: []tx.Coin{apptest.SCN(10), apptest.KRW(50_000_000)}},
		apptest.Account{Key: shop2, Coins: []tx.Coin{apptest.SCN(10), apptest.KRW(50_000_000)}},
		apptest.Account{Key: ministry, Roles: []string{tx.RoleLabourMinistry}, Coins: []tx.Coin{apptest.SCN(10)}},
		apptest.Account{Key: gateway, Coins: []tx.Coin{apptest.SCN(10)}},
	)
	for _, k := range append([]apptest.Key{worker1, worker2, worker3}, crew...) {
		acc = append(acc, apptest.Account{Key: k, Coins: []tx.Coin{apptest.SCN(10)}})
	}
	return acc
}

func terminals() []tx.MsgDeviceRegister {
	return []tx.MsgDeviceRegister{
		{ID: till, Kind: tx.KindWorkTerminal, Owner: shop.Addr, PubKey: tillKey.Pub},
		{ID: till2, Kind: tx.KindWorkTerminal, Owner: shop2.Addr, PubKey: till2Key.Pub},
		{ID: meter, Kind: tx.KindSolarInverter, Owner: shop.Addr, PubKey: meterKey.Pub},
	}
}

// chain drives the real app with blocks at times of the test's choosing.
type chain struct {
	t   testing.TB
	h   *apptest.Harness
	now time.Time // the last block's time
}

func newChain(t testing.TB) *chain { return newChainWith(t, nil) }

// newChainWith starts a chain whose genesis has the labour section g
// (none when nil).
func newChainWith(t testing.TB, g *labour.Genesis) *chain {
	t.Helper()
	st := apptest.BuildAppState(accounts(), terminals())
	var sections map[string]json.RawMessage
	if err := json.Unmarshal(apptest.MustJSON(t, st), &sections); err != nil {
		t.Fatal(err)
	}
	if g != nil {
		sections[labour.Codespace] = apptest.MustJSON(t, g)
	}
	h := apptest.New(t, apptest.Options{AppState: apptest.MustJSON(t, sections)})
	c := &chain{t: t, h: h, now: apptest.GenesisTime}
	c.block()
	return c
}

// kst is a time in Korea.
func kst(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, tx.KST)
}

// finalize finalizes and commits txs as the next block at time now.
func (c *chain) finalize(now time.Time, txs [][]byte) *abci.ResponseFinalizeBlock {
	c.t.Helper()
	if !now.After(c.now) {
		c.t.Fatalf("block at %v: not after the last block at %v", now, c.now)
	}
	height := c.h.Height + 1
	res, err := c.h.App.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Txs: txs, Height: height, Time: now})
	if err != nil {
		c.t.Fatalf("FinalizeBlock at %d: %v", height, err)
	}
	if _, err := c.h.App.Commit(context.Background(), &abci.RequestCommit{}); err != nil {
		c.t.Fatalf("Commit at %d: %v", height, err)
	}
	c.h.Height = height
	c.h.Hashes[height] = bytes.Clone(res.AppHash)
	c.now = now
	return res
}

// block commits txs as the next block, BlockInterval after the last.
func (c *chain) block(txs ...[]byte) *abci.ResponseFinalizeBlock {
	c.t.Helper()
	return c.finalize(c.now.Add(apptest.BlockInterval), txs)
}

// at commits txs as the next block at time t.
func (c *chain) at(t time.Time, txs ...[]byte) *abci.ResponseFinalizeBlock {
	c.t.Helper()
	return c.finalize(t, txs)
}

// until commits empty blocks a day apart (and one at t) until time t.
func (c *chain) until(t time.Time) {
	c.t.Helper()
	for c.now.Add(24 * time.Hour).Before(t) {
		c.at(c.now.Add(24 * time.Hour))
	}
	if c.now.Before(t) {
		c.at(t)
	}
}

// approach commits an empty block just before t, as a chain that was
// idle would have, so that CheckTx runs at the time before t's block.
func (c *chain) approach(t time.Time) {
	c.t.Helper()
	if before := t.Add(-apptest.BlockInterval); before.After(c.now) {
		c.at(before)
	}
}

func (c *chain) sign(k apptest.Key, msgs ...tx.Msg) []byte { return c.h.Sign(k, msgs...) }

// okAt runs one transaction (CheckTx, then alone in a block at t) and
// fails unless both accept it.
func (c *chain) okAt(t time.Time, what string, k apptest.Key, m tx.Msg) *abci.ExecTxResult {
	c.t.Helper()
	c.approach(t)
	raw := c.sign(k, m)
	apptest.RequireOK(c.t, what+" (CheckTx)", c.h.CheckTx(raw))
	res := c.at(t, raw).TxResults[0]
	apptest.RequireOK(c.t, what+" (FinalizeBlock)", res)
	return res
}

func (c *chain) ok(what string, k apptest.Key, m tx.Msg) *abci.ExecTxResult {
	c.t.Helper()
	return c.okAt(c.now.Add(apptest.BlockInterval), what, k, m)
}

// failAt runs one transaction in a block at t and fails unless
// FinalizeBlock refuses it with code, naming logHas, with no event and
// the labour section, the parties' balances and the module accounts'
// unchanged; CheckTx (on the last block's state and time) must refuse it
// with the same code when check.
func (c *chain) failAt(t time.Time, check bool, what string, k apptest.Key, m tx.Msg, code tx.Code, logHas ...string) *abci.ExecTxResult {
	c.t.Helper()
	c.approach(t)
	before := c.section()
	bal := c.balances()
	raw := c.sign(k, m)
	if check {
		apptest.RequireCode(c.t, what+" (CheckTx)", c.h.CheckTx(raw), code, logHas...)
	}
	res := c.at(t, raw).TxResults[0]
	apptest.RequireCode(c.t, what+" (FinalizeBlock)", res, code, logHas...)
	if len(res.Events) != 0 {
		c.t.Errorf("%s: a refused transaction emitted events %v", what, res.Events)
	}
	if after := c.section(); after != before {
		c.t.Errorf("%s: a refused transaction changed the labour state:\n%s\nto\n%s", what, before, after)
	}
	if after := c.balances(); after != bal {
		c.t.Errorf("%s: a refused transaction moved money: %s to %s", what, bal, after)
	}
	c.t.Logf("%s: refused: %s", what, res.Log)
	return res
}

func (c *chain) fail(what string, k apptest.Key, m tx.Msg, code tx.Code, logHas ...string) *abci.ExecTxResult {
	c.t.Helper()
	return c.failAt(c.now.Add(apptest.BlockInterval), true, what, k, m, code, logHas...)
}

// balances are the ukrw balances of the parties and module accounts.
func (c *chain) balances() string {
	s := ""
	for _, a := range []tx.Address{shop.Addr, shop2.Addr, worker1.Addr, worker2.Addr, worker3.Addr, labour.EscrowAddress, labour.WithheldAddress} {
		s += strconv.FormatUint(c.h.Balance(a, tx.DenomKRW), 10) + " "
	}
	return s
}

// section is the labour module's exported state ("" for none).
func (c *chain) section() string {
	c.t.Helper()
	_, sections := c.h.ExportSections(c.t)
	return string(sections[labour.Codespace])
}

// query runs a labour query with a JSON request and decodes the answer.
func query[T any](c *chain, path string, req any) T {
	c.t.Helper()
	var v T
	c.h.QueryJSON(c.t, "/labour/"+path, apptest.MustJSON(c.t, req), &v)
	return v
}

func (c *chain) contract(id uint64) tx.LabourContract {
	c.t.Helper()
	return query[tx.LabourContract](c, "contract", tx.LabourContractRequest{ID: id})
}

func (c *chain) shift(contract, id uint64) tx.Shift {
	c.t.Helper()
	return query[tx.Shift](c, "shift", tx.LabourShiftRequest{Contract: contract, ID: id})
}

func (c *chain) statements(contract uint64) []tx.WageStatement {
	c.t.Helper()
	return query[tx.LabourStatementPage](c, "statements", tx.LabourStatementsRequest{Contract: contract}).Statements
}

func (c *chain) fund(owner tx.Address) tx.LabourFund {
	c.t.Helper()
	return query[tx.LabourFund](c, "fund", tx.LabourFundRequest{Owner: owner})
}

func (c *chain) stats() tx.LabourStats {
	c.t.Helper()
	return query[tx.LabourStats](c, "stats", struct{}{})
}

func (c *chain) krw(a tx.Address) uint64 { return c.h.Balance(a, tx.DenomKRW) / tx.UKRWPerWon }

// commit is the SHA-256 of s: the commitments of an offer.
func commit(s string) tx.Hash32 { return sha256.Sum256([]byte(s)) }

// days is a schedule of the named days, each starting at 09:00 with
// minutes paid and brk unpaid break minutes.
func days(minutes, brk uint32, names ...string) []tx.WorkDay {
	var out []tx.WorkDay
	for _, n := range names {
		out = append(out, tx.WorkDay{Day: n, Start: "09:00", Minutes: minutes, BreakMinutes: brk})
	}
	return out
}

var weekdays = []string{"mon", "tue", "wed", "thu", "fri"}

// offerMsg is an offer to worker from start (no end) on sched at wage,
// weekly, paid on Mondays.
func offerMsg(worker apptest.Key, start string, sched []tx.WorkDay, wage uint64) *tx.MsgLabourOffer {
	return &tx.MsgLabourOffer{
		Worker: worker.Addr, Start: start, Schedule: sched, HourlyWage: wage, PayCycle: tx.PayWeekly, PayDay: 1,
		WeeklyHoliday: "sun", Leave: commit("leave"), Place: commit("place"), Duties: commit("duties"),
		WorkerID: commit("id:" + worker.Name), Terms: commit("terms:" + worker.Name + start),
	}
}

// hire offers m as employer and has the worker countersign it; it
// returns the contract id.
func (c *chain) hire(employer, worker apptest.Key, m *tx.MsgLabourOffer) uint64 {
	c.t.Helper()
	res := c.ok("offer", employer, m)
	v, ok := apptest.Attr(res.Events, "labour.offered", "contract")
	if !ok {
		c.t.Fatalf("offer: no labour.offered event in %v", res.Events)
	}
	id, _ := strconv.ParseUint(v, 10, 64)
	c.ok("countersign", worker, &tx.MsgLabourCountersign{Contract: id, Terms: m.Terms})
	return id
}

// shiftAt clocks worker in at in and out at out (worker-signed, blocks
// at those times).
func (c *chain) shiftAt(worker apptest.Key, contract uint64, in, out time.Time) {
	c.t.Helper()
	c.okAt(in, "clock in", worker, &tx.MsgLabourClock{Contract: contract, Action: tx.ClockIn})
	c.okAt(out, "clock out", worker, &tx.MsgLabourClock{Contract: contract, Action: tx.ClockOut})
}

// work clocks worker in at 09:00 KST and out after minutes on each of
// the listed days (0 = the Monday of week, 6 = its Sunday).
func (c *chain) work(worker apptest.Key, contract uint64, week time.Time, minutes int, dayIdx ...int) {
	c.t.Helper()
	for _, d := range dayIdx {
		in := week.AddDate(0, 0, d).Add(9 * time.Hour)
		c.shiftAt(worker, contract, in, in.Add(time.Duration(minutes)*time.Minute))
	}
}

// stamp is a terminal's stamp of action on contract at t, signed by key.
func stamp(key apptest.Key, device string, contract uint64, action string, t time.Time) *tx.MsgLabourClock {
	at := t.Unix()
	sig := signClock(key, contract, action, at, device)
	return &tx.MsgLabourClock{Contract: contract, Action: action, Terminal: &tx.TerminalStamp{Device: device, KeyEpoch: 1, At: at, Signature: sig}}
}

func signClock(key apptest.Key, contract uint64, action string, at int64, device string) []byte {
	return edSign(key, tx.LabourClockMessage(apptest.ChainID, contract, action, at, device))
}

// attrU64 is the integer attribute key of the first event typ of evs.
func attrU64(t testing.TB, evs []abci.Event, typ, key string) uint64 {
	t.Helper()
	v, ok := apptest.Attr(evs, typ, key)
	if !ok {
		t.Fatalf("no %s.%s in %v", typ, key, evs)
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func mustJSON(t testing.TB, v any) string { return string(apptest.MustJSON(t, v)) }

func labourWithheld() tx.Address { return labour.WithheldAddress }
