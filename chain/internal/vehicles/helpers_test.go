package vehicles_test

import (
	"crypto/ed25519"
	"strconv"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/metering"
	"github.com/citychain/citychain/chain/internal/vehicles"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/edge/reading"
	"github.com/citychain/citychain/edge/reading/readingtest"
)

// vinOf makes a valid VIN from a 16-character body (the check digit is
// inserted at position 9).
func vinOf(t testing.TB, body string) string {
	t.Helper()
	v := body[:8] + "0" + body[8:]
	d, err := tx.VINCheckDigit(v)
	if err != nil {
		t.Fatal(err)
	}
	return v[:8] + string(d) + v[9:]
}

// An EV's odometer unit: it signs cumulative readings in metres.
type odometer struct {
	id    string
	owner apptest.Key
	priv  ed25519.PrivateKey
	seq   uint64
	vin   string // the metadata's VIN, if any
}

func newOdometer(id string, owner apptest.Key) *odometer {
	return &odometer{id: id, owner: owner, priv: readingtest.Key("vehicles-test/" + id)}
}

func (o *odometer) register() tx.MsgDeviceRegister {
	return tx.MsgDeviceRegister{ID: o.id, Kind: tx.KindEVOdometer, Owner: o.owner.Addr,
		PubKey: tx.PubKey(o.priv.Public().(ed25519.PublicKey)), Metadata: tx.DeviceMetadata{VIN: o.vin}}
}

// sign signs the unit's next reading of value metres at timeMs.
func (o *odometer) sign(t testing.TB, timeMs int64, value uint64) tx.HexBytes {
	t.Helper()
	o.seq++
	return readingtest.Wire(t, o.priv, reading.Reading{DeviceID: o.id, KeyEpoch: 1, Seq: o.seq, TimeMs: timeMs, Kind: reading.KindOdometerM, Value: value})
}

// intervalSeconds is the test chain's metering interval: 12 blocks.
const intervalSeconds = 60

var solar = tx.MsgDeviceRegister{ID: "inv-1", Kind: tx.KindSolarInverter, Owner: apptest.Alice.Addr,
	PubKey: tx.PubKey(ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey))}

// start starts a chain with the demo accounts, a solar inverter and the
// odometers, and the vehicles parameters p.
func start(t testing.TB, p vehicles.Params, odos ...*odometer) *apptest.Harness {
	t.Helper()
	devs := []tx.MsgDeviceRegister{solar}
	for _, o := range odos {
		devs = append(devs, o.register())
	}
	st := apptest.BuildAppState(apptest.DemoAccounts(), devs)
	st.Metering.Params = metering.Params{IntervalSeconds: intervalSeconds, MaxFutureSkewSeconds: 30,
		MaxReadingsPerTx: metering.DefaultMaxReadingsPerTx, MaxReadingsPerBlock: metering.DefaultMaxReadingsPerBlock}
	st.Vehicles = vehicles.Genesis{Params: p}
	return apptest.New(t, apptest.Options{AppState: apptest.MustJSON(t, st)})
}

// nextMs is the time of the harness's next block in milliseconds.
func nextMs(h *apptest.Harness) int64 { return apptest.BlockTime(h.Height + 1).UnixMilli() }

// nextInterval advances the chain to the first block of the next metering
// interval.
func nextInterval(h *apptest.Harness) {
	i := apptest.BlockTime(h.Height+1).Unix() / intervalSeconds
	for apptest.BlockTime(h.Height+1).Unix()/intervalSeconds == i {
		h.Block()
	}
}

// submit relays readings in the next block and returns the readings'
// accept (true) / reject results in order, with the reject reasons.
func submit(t testing.TB, h *apptest.Harness, rs ...tx.HexBytes) (accepted int, reasons []string) {
	t.Helper()
	res := h.RunOK("submit readings", h.Sign(apptest.Settlement, &tx.MsgSubmitReadings{Readings: rs}))
	for _, e := range res.Events {
		switch e.Type {
		case "metering.reading_accepted":
			accepted++
		case "metering.reading_rejected":
			for _, a := range e.Attributes {
				if a.Key == "reason" {
					reasons = append(reasons, a.Value)
				}
			}
		}
	}
	return accepted, reasons
}

func vehicle(t testing.TB, h *apptest.Harness, vin string) vehicles.Vehicle {
	t.Helper()
	var v vehicles.Vehicle
	h.QueryJSON(t, "/vehicles/vehicle", []byte(vin), &v)
	return v
}

func programme(t testing.TB, h *apptest.Harness, id string) vehicles.Programme {
	t.Helper()
	var p vehicles.Programme
	h.QueryJSON(t, "/vehicles/programme", []byte(id), &p)
	return p
}

func transfer(t testing.TB, h *apptest.Harness, id uint64) vehicles.Transfer {
	t.Helper()
	var tr vehicles.Transfer
	h.QueryJSON(t, "/vehicles/transfer", []byte(strconv.FormatUint(id, 10)), &tr)
	return tr
}

// attr is the value of key in the first event of type typ.
func attr(t testing.TB, evs []abci.Event, typ, key string) string {
	t.Helper()
	v, ok := apptest.Attr(evs, typ, key)
	if !ok {
		t.Fatalf("no %s event with %s in %v", typ, key, evs)
	}
	return v
}

// register is a registration of vin for owner with device.
func register(vin string, owner tx.Address, device string) *tx.MsgVehicleRegister {
	return &tx.MsgVehicleRegister{VIN: vin, Model: "Hyundai Ioniq 5", Year: 2024, Owner: owner, OdometerDevice: device,
		Battery: tx.Battery{CapacityWh: 77_400, Chemistry: "nmc", PassportID: "KR-BP-0001"}}
}

func scn(n uint64) tx.Coin { return apptest.SCN(n) }

// invalid runs a message that fails ValidateBasic: CheckTx and
// FinalizeBlock reject it as tx/7 naming logHas, and its sequence is not
// used.
func invalid(t testing.TB, h *apptest.Harness, what string, k apptest.Key, m tx.Msg, logHas ...string) {
	t.Helper()
	seq := h.Seq(k)
	h.RunFail(what, h.Sign(k, m), tx.CodeTxInvalidMsg, logHas...)
	h.SetSeq(k, seq)
}
