package mileage_test

import (
	"crypto/ed25519"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/bank"
	"github.com/citychain/citychain/chain/internal/metering"
	"github.com/citychain/citychain/chain/internal/mileage"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/edge/reading"
	"github.com/citychain/citychain/edge/reading/readingtest"
)

// A vehicle's odometer unit: it signs cumulative readings in metres.
type odometer struct {
	id    string
	owner apptest.Key
	priv  ed25519.PrivateKey
	seq   uint64
	value uint64
}

func newOdometer(id string, owner apptest.Key) *odometer {
	return &odometer{id: id, owner: owner, priv: readingtest.Key("mileage-test/" + id), value: 1_000_000}
}

func (o *odometer) pub() tx.PubKey { return tx.PubKey(o.priv.Public().(ed25519.PublicKey)) }

func (o *odometer) register() tx.MsgDeviceRegister {
	return tx.MsgDeviceRegister{ID: o.id, Kind: tx.KindEVOdometer, Owner: o.owner.Addr, PubKey: o.pub()}
}

// sign signs the next reading at timeMs with the odometer moved by metres
// (a negative move is a rollback: the unit's value is not changed).
func (o *odometer) sign(t testing.TB, timeMs int64, metres int64) tx.HexBytes {
	t.Helper()
	o.seq++
	var v uint64
	if metres >= 0 {
		o.value += uint64(metres)
		v = o.value
	} else {
		v = o.value - uint64(-metres)
	}
	return readingtest.Wire(t, o.priv, reading.Reading{DeviceID: o.id, KeyEpoch: 1, Seq: o.seq, TimeMs: timeMs, Kind: reading.KindOdometerM, Value: v})
}

// nextMs is the time of the harness's next block in milliseconds.
func nextMs(h *apptest.Harness) int64 { return apptest.BlockTime(h.Height + 1).UnixMilli() }

// setup is a test chain's genesis.
type setup struct {
	intervalSeconds uint64
	params          mileage.Params
	budget          uint64 // uscn in the budget account at genesis
	odometers       []*odometer
	enrolled        []tx.MsgMileageEnrollVehicle
	merchants       []tx.MsgMileageRegisterMerchant
	extraDevices    []tx.MsgDeviceRegister
}

// testParams: 60-second intervals, 2-interval periods settled one interval
// after they end, 0.01 S-Coin per km up to 100 km, Seoul-like tiers, no expiry.
func testParams() mileage.Params {
	p := mileage.DefaultParams()
	p.PeriodIntervals, p.SettleDelayIntervals = 2, 1
	p.UscnPerKm, p.MaxKmPerPeriod = 10_000, 100
	p.AwardExpirySeconds = 0
	return p
}

var solar = tx.MsgDeviceRegister{ID: "inv-1", Kind: tx.KindSolarInverter, Owner: apptest.Alice.Addr,
	PubKey: tx.PubKey(ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey))}

func (s setup) appState(t testing.TB) []byte {
	t.Helper()
	devs := append([]tx.MsgDeviceRegister{solar}, s.extraDevices...)
	for _, o := range s.odometers {
		devs = append(devs, o.register())
	}
	st := apptest.BuildAppState(apptest.DemoAccounts(), devs)
	st.Metering.Params = metering.Params{IntervalSeconds: s.intervalSeconds, MaxFutureSkewSeconds: 30,
		MaxReadingsPerTx: metering.DefaultMaxReadingsPerTx, MaxReadingsPerBlock: metering.DefaultMaxReadingsPerBlock}
	st.Mileage = mileage.Genesis{Params: s.params, Vehicles: s.enrolled, Merchants: s.merchants}
	if s.budget > 0 {
		st.Bank.Balances = append(st.Bank.Balances, bank.GenesisBalance{Address: mileage.BudgetAddress,
			Coins: []tx.Coin{{Amount: s.budget, Denom: tx.DenomSCoin}}})
	}
	return apptest.MustJSON(t, st)
}

func (s setup) start(t testing.TB) *apptest.Harness {
	t.Helper()
	return apptest.New(t, apptest.Options{AppState: s.appState(t)})
}

// attrs returns the attributes of every event of type typ, in order.
func attrs(evs []abci.Event, typ string) []map[string]string {
	var out []map[string]string
	for _, e := range evs {
		if e.Type != typ {
			continue
		}
		m := map[string]string{}
		for _, a := range e.Attributes {
			m[a.Key] = a.Value
		}
		out = append(out, m)
	}
	return out
}

func num(t testing.TB, s string) uint64 {
	t.Helper()
	s = strings.TrimSuffix(s, tx.DenomSCoin)
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatalf("attribute %q: %v", s, err)
	}
	return v
}

// blockEvents are the end-of-block events of the blocks from the next one
// up to and including height.
func advanceTo(h *apptest.Harness, height int64) []abci.Event {
	var evs []abci.Event
	for h.Height < height {
		evs = append(evs, h.Block().Result.Events...)
	}
	return evs
}

func account(t testing.TB, h *apptest.Harness, addr tx.Address) mileage.Account {
	t.Helper()
	res := h.Query("/mileage/account", []byte(addr.String()), 0, false)
	a := mileage.Account{Address: addr}
	if tx.CodeAppNotFound.Matches(res.Codespace, res.Code) {
		return a
	}
	if res.Code != 0 {
		t.Fatalf("query account: %s/%d %s", res.Codespace, res.Code, res.Log)
	}
	if err := json.Unmarshal(res.Value, &a); err != nil {
		t.Fatal(err)
	}
	return a
}

func vehicle(t testing.TB, h *apptest.Harness, id string) mileage.VehicleAnswer {
	t.Helper()
	var v mileage.VehicleAnswer
	h.QueryJSON(t, "/mileage/vehicle", apptest.MustJSON(t, mileage.VehicleRequest{Device: id, Limit: 100}), &v)
	return v
}

func budget(t testing.TB, h *apptest.Harness) mileage.Budget {
	t.Helper()
	var b mileage.Budget
	h.QueryJSON(t, "/mileage/budget", nil, &b)
	return b
}

// submitReadings relays readings (as the settlement relay) in the
// next block and fails unless every one is accepted.
func submitReadings(t testing.TB, h *apptest.Harness, rs ...tx.HexBytes) *apptest.Block {
	t.Helper()
	b := h.Block(h.Sign(apptest.Settlement, &tx.MsgSubmitReadings{Readings: rs}))
	res := b.TxResult(0)
	apptest.RequireOK(t, "submit readings", res)
	if n := len(attrs(res.Events, "metering.reading_accepted")); n != len(rs) {
		t.Fatalf("submit: %d of %d readings accepted: %v", n, len(rs), attrs(res.Events, "metering.reading_rejected"))
	}
	return b
}

func initChain(appState []byte) *abci.RequestInitChain {
	return &abci.RequestInitChain{Time: apptest.GenesisTime, ChainId: apptest.ChainID, InitialHeight: 1, AppStateBytes: appState}
}
