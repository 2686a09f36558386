package market_test

import (
	"crypto/ed25519"
	"encoding/json"
	"strconv"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/market"
	"github.com/citychain/citychain/chain/internal/metering"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/edge/reading"
	"github.com/citychain/citychain/edge/reading/readingtest"
)

// intervalSeconds is the metering interval of the test chains: 12 blocks of
// the harness (blocks are 5 s apart; the genesis time is on a minute).
const intervalSeconds = 60

var (
	settler = apptest.Settlement
	carol   = apptest.NewKey("carol")
	dave    = apptest.NewKey("dave")
	erin    = apptest.NewKey("erin")
	frank   = apptest.NewKey("frank") // a seller with little money
	escrow  = tx.ModuleAddress("market")
)

// meter is a solar inverter (or odometer) the test signs readings for.
type meter struct {
	id   string
	kind reading.Kind
	priv ed25519.PrivateKey
	seq  uint64
}

func newMeter(id string, kind reading.Kind) *meter {
	return &meter{id: id, kind: kind, priv: readingtest.Key("market-test/" + id)}
}

func (m *meter) pub() tx.PubKey { return tx.PubKey(m.priv.Public().(ed25519.PublicKey)) }

// read signs the device's next reading at timeMs with cumulative value.
func (m *meter) read(tb testing.TB, timeMs int64, value uint64) tx.HexBytes {
	tb.Helper()
	m.seq++
	return readingtest.Wire(tb, m.priv, reading.Reading{DeviceID: m.id, KeyEpoch: 1, Seq: m.seq, TimeMs: timeMs, Kind: m.kind, Value: value})
}

// testParams are the market parameters of the test chains.
func testParams() market.Params {
	return market.Params{
		HorizonIntervals: 10, MaxOpenOrders: 5, MaxOrderWh: 1_000_000, MaxPrice: 1_000_000_000,
		DeliveryDeadlineIntervals: 2, GridFeeBps: 100, GridOperator: apptest.GridOp.Addr, PenaltyBps: 1000,
		MaxIntervalsPerBlock: 4,
	}
}

func accounts() []apptest.Account {
	return append(apptest.DemoAccounts(),
		apptest.Account{Key: carol, Coins: []tx.Coin{apptest.SCN(1_000)}},
		apptest.Account{Key: dave, Coins: []tx.Coin{apptest.SCN(1_000)}},
		apptest.Account{Key: erin, Coins: []tx.Coin{apptest.SCN(1_000)}},
		apptest.Account{Key: frank, Coins: []tx.Coin{{Amount: 50_000, Denom: tx.DenomSCoin}}},
	)
}

// genesis builds the app state with the metering and market sections set.
func genesis(tb testing.TB, accts []apptest.Account, devs []tx.MsgDeviceRegister, p market.Params) []byte {
	tb.Helper()
	raw, err := json.Marshal(apptest.BuildAppState(accts, devs))
	if err != nil {
		tb.Fatal(err)
	}
	var sections map[string]json.RawMessage
	if err := json.Unmarshal(raw, &sections); err != nil {
		tb.Fatal(err)
	}
	sections["metering"] = apptest.MustJSON(tb, metering.Genesis{Params: metering.Params{IntervalSeconds: intervalSeconds, MaxFutureSkewSeconds: 30,
		MaxReadingsPerTx: metering.DefaultMaxReadingsPerTx, MaxReadingsPerBlock: metering.DefaultMaxReadingsPerBlock}})
	sections["market"] = apptest.MustJSON(tb, market.Genesis{Params: p})
	return apptest.MustJSON(tb, sections)
}

// world is a harness with solar inverters and an odometer.
type world struct {
	*apptest.Harness
	t                      *testing.T
	invA, invB, invC, invF *meter
	ev                     *meter
}

func newWorld(t *testing.T, p market.Params) *world {
	t.Helper()
	w := &world{
		t: t, invA: newMeter("inv-a", reading.KindEnergyWh), invB: newMeter("inv-b", reading.KindEnergyWh),
		invC: newMeter("inv-c", reading.KindEnergyWh), invF: newMeter("inv-f", reading.KindEnergyWh),
		ev: newMeter("ev-1", reading.KindOdometerM),
	}
	devs := []tx.MsgDeviceRegister{
		{ID: w.invA.id, Kind: tx.KindSolarInverter, Owner: apptest.Alice.Addr, PubKey: w.invA.pub()},
		{ID: w.invB.id, Kind: tx.KindSolarInverter, Owner: apptest.Bob.Addr, PubKey: w.invB.pub()},
		{ID: w.invC.id, Kind: tx.KindSolarInverter, Owner: apptest.Alice.Addr, PubKey: w.invC.pub()},
		{ID: w.invF.id, Kind: tx.KindSolarInverter, Owner: frank.Addr, PubKey: w.invF.pub()},
		{ID: w.ev.id, Kind: tx.KindEVOdometer, Owner: apptest.Bob.Addr, PubKey: w.ev.pub()},
	}
	w.Harness = apptest.New(t, apptest.Options{AppState: genesis(t, accounts(), devs, p)})
	return w
}

// next is the interval of the next block.
func (w *world) next() uint64 {
	return uint64(apptest.BlockTime(w.Height+1).Unix()) / intervalSeconds
}

// nowMs is the time of the next block in milliseconds.
func (w *world) nowMs() int64 { return apptest.BlockTime(w.Height + 1).UnixMilli() }

// until produces empty blocks until the next block is in interval i; it
// returns the events of the blocks produced.
func (w *world) until(i uint64) []abci.Event {
	w.t.Helper()
	var evs []abci.Event
	for w.next() < i {
		evs = append(evs, w.Block().Result.Events...)
	}
	return evs
}

// enter produces empty blocks until the last committed block is in
// interval i (so its end of block has run in i); it returns their events.
func (w *world) enter(i uint64) []abci.Event {
	w.t.Helper()
	evs := w.until(i)
	if uint64(apptest.BlockTime(w.Height).Unix())/intervalSeconds < i {
		evs = append(evs, w.Block().Result.Events...)
	}
	return evs
}

// ok runs one transaction that must succeed and returns its events.
func (w *world) ok(what string, k apptest.Key, msgs ...tx.Msg) *abci.ExecTxResult {
	w.t.Helper()
	return w.RunOK(what, w.Sign(k, msgs...))
}

// order places an order and returns its id.
func (w *world) order(k apptest.Key, m tx.Msg) uint64 {
	w.t.Helper()
	res := w.ok(m.Type(), k, m)
	v, ok := apptest.Attr(res.Events, "market.order_placed", "order_id")
	if !ok {
		w.t.Fatalf("%s: no market.order_placed event", m.Type())
	}
	id, _ := strconv.ParseUint(v, 10, 64)
	return id
}

// submit relays readings (from the settlement relay) and returns the events.
func (w *world) submit(rs ...tx.HexBytes) []abci.Event {
	w.t.Helper()
	return w.ok("submit readings", settler, &tx.MsgSubmitReadings{Readings: rs}).Events
}

func (w *world) anchor(i uint64) {
	w.t.Helper()
	w.ok("anchor", settler, &tx.MsgAnchor{Interval: i, Root: make(tx.HexBytes, 32), Count: 1})
}

func (w *world) bal(a tx.Address) uint64 { return w.Balance(a, tx.DenomSCoin) }

func (w *world) clearing(i uint64) *market.Clearing {
	w.t.Helper()
	res := w.Query("/market/clearing", []byte(strconv.FormatUint(i, 10)), 0, false)
	if res.Code != 0 {
		return nil
	}
	var c market.Clearing
	if err := json.Unmarshal(res.Value, &c); err != nil {
		w.t.Fatal(err)
	}
	return &c
}

func (w *world) settlements(i uint64) market.SettlementView {
	w.t.Helper()
	var v market.SettlementView
	w.queryJSON("/market/settlements", []byte(strconv.FormatUint(i, 10)), &v)
	return v
}

func (w *world) getOrder(id uint64) market.Order {
	w.t.Helper()
	var o market.Order
	res := w.Query("/market/order", []byte(strconv.FormatUint(id, 10)), 0, false)
	if res.Code != 0 {
		w.t.Fatalf("order %d: %s/%d %s", id, res.Codespace, res.Code, res.Log)
	}
	if err := json.Unmarshal(res.Value, &o); err != nil {
		w.t.Fatal(err)
	}
	return o
}

func (w *world) queryJSON(path string, data []byte, v any) {
	w.t.Helper()
	w.QueryJSON(w.t, path, data, v)
}
