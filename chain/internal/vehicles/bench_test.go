package vehicles_test

import (
	"encoding/json"
	"testing"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/metering"
	"github.com/citychain/citychain/chain/internal/vehicles"
	"github.com/citychain/citychain/chain/tx"
)

// reportPoints is the odometer history of the benchmark's vehicle.
const reportPoints = 10_000

// BenchmarkReport measures `query vehicles report` (the record, the first
// 1,000 points of its odometer series and the programme, as JSON) for a
// vehicle with 10,000
// odometer points, against a plain state read of the same vehicle's
// record (`vehicles/vehicle`) in the same run: both are ABCI queries of
// the committed state through the app. make bench prints the ratio.
func BenchmarkReport(b *testing.B) {
	odo := newOdometer("ev-a", apptest.Alice)
	devs := []tx.MsgDeviceRegister{odo.register()}
	st := apptest.BuildAppState(apptest.DemoAccounts(), devs)
	// One-second intervals and the widest skew the genesis bounds allow
	// (an hour) let one block carry readings of many intervals; empty
	// blocks keep the block time within the skew of the readings.
	st.Metering.Params = metering.Params{IntervalSeconds: 1, MaxFutureSkewSeconds: metering.FutureSkewSecondsMax,
		MaxReadingsPerTx: metering.DefaultMaxReadingsPerTx, MaxReadingsPerBlock: metering.DefaultMaxReadingsPerBlock}
	st.Vehicles = vehicles.DefaultGenesis()
	h := apptest.New(b, apptest.Options{AppState: apptest.MustJSON(b, st)})
	vin := vinOf(b, "KMHKN81AFPU12345")
	h.RunOK("register", h.Sign(apptest.Registrar, register(vin, apptest.Alice.Addr, "ev-a")))
	start := apptest.BlockTime(h.Height+1).UnixMilli() + 1000
	for i := 0; i < reportPoints; i += tx.MaxReadingsPerMsg {
		var rs []tx.HexBytes
		last := min(i+tx.MaxReadingsPerMsg, reportPoints)
		for apptest.BlockTime(h.Height+1).UnixMilli()+metering.FutureSkewSecondsMax*1000 < start+int64(last-1)*1000 {
			h.Block()
		}
		for j := i; j < last; j++ {
			rs = append(rs, odo.sign(b, start+int64(j)*1000, 1_000_000+uint64(j)*250))
		}
		if n, why := submit(b, h, rs...); n != len(rs) {
			b.Fatalf("readings from %d: %d accepted, rejected: %v", i, n, why)
		}
	}
	if v := vehicle(b, h, vin); v.Odometer.Points != reportPoints {
		b.Fatalf("the vehicle has %d points", v.Odometer.Points)
	}
	run := func(path string, check func([]byte)) func(*testing.B) {
		return func(b *testing.B) {
			var size int
			for b.Loop() {
				res := h.Query(path, []byte(vin), 0, false)
				if res.Code != 0 {
					b.Fatalf("%s: %s", path, res.Log)
				}
				size = len(res.Value)
				check(res.Value)
			}
			b.ReportMetric(float64(size), "bytes/answer")
		}
	}
	checked := false
	b.Run("report", run("/vehicles/report", func(raw []byte) {
		if checked {
			return
		}
		checked = true
		var r vehicles.Report
		if err := json.Unmarshal(raw, &r); err != nil {
			b.Fatal(err)
		}
		series := r.Odometer // the first page; the rest follow from odometer_next
		for from := r.OdometerNext; from != nil; {
			var page vehicles.OdometerPage
			h.QueryJSON(b, "/vehicles/odometer", apptest.MustJSON(b, vehicles.OdometerRequest{VIN: vin, From: *from, Limit: vehicles.MaxOdometerLimit}), &page)
			series, from = append(series, page.Points...), page.Next
		}
		o := r.Vehicle.Odometer
		if err := tx.VerifyOdometerSeries(series, o.Digest, o.Last, o.Points); err != nil {
			b.Fatal(err)
		}
	}))
	b.Run("plain", run("/vehicles/vehicle", func([]byte) {}))
}

// BenchmarkReadings measures a block of one submit transaction of 150
// signed odometer readings (signed beforehand) of a unit bound to a
// vehicle, whose series each reading extends, against the same readings of
// an unbound unit in the same run: the cost the vehicle register adds to
// metering. The bound vehicle carries a typical record (a few owners and
// records); its record is rewritten once per reading.
func BenchmarkReadings(b *testing.B) {
	for _, bound := range []bool{false, true} {
		name := "unbound"
		if bound {
			name = "bound"
		}
		b.Run(name, func(b *testing.B) {
			odo := newOdometer("ev-a", apptest.Alice)
			st := apptest.BuildAppState(apptest.DemoAccounts(), []tx.MsgDeviceRegister{odo.register()})
			st.Metering.Params = metering.Params{IntervalSeconds: 60, MaxFutureSkewSeconds: 30,
				MaxReadingsPerTx: metering.DefaultMaxReadingsPerTx, MaxReadingsPerBlock: metering.DefaultMaxReadingsPerBlock}
			h := apptest.New(b, apptest.Options{AppState: apptest.MustJSON(b, st)})
			if bound {
				vin := vinOf(b, "KMHKN81AFPU12345")
				h.RunOK("register", h.Sign(apptest.Registrar, register(vin, apptest.Alice.Addr, "ev-a")))
				for i := 0; i < 3; i++ {
					h.RunOK("battery", h.Sign(apptest.Inspector, &tx.MsgVehicleRecordBattery{VIN: vin, SOHBP: 9_500}))
					h.RunOK("accident", h.Sign(apptest.Insurer, &tx.MsgVehicleRecordAccident{VIN: vin,
						OccurredAt: apptest.GenesisTime.Unix(), Severity: tx.SeverityMinor, Summary: "a scratch on the rear bumper"}))
				}
			}
			value := uint64(1_000_000)
			for b.Loop() {
				b.StopTimer()
				ms := nextMs(h) - tx.MaxReadingsPerMsg
				rs := make([]tx.HexBytes, tx.MaxReadingsPerMsg)
				for j := range rs {
					value += 10
					rs[j] = odo.sign(b, ms+int64(j), value)
				}
				raw := h.Sign(apptest.Settlement, &tx.MsgSubmitReadings{Readings: rs})
				b.StartTimer()
				res := h.Deliver([][]byte{raw})
				if r := res.TxResults[0]; r.Code != 0 || len(r.Events) < tx.MaxReadingsPerMsg {
					b.Fatalf("submit: %s/%d %s", r.Codespace, r.Code, r.Log)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/tx.MaxReadingsPerMsg, "us/reading")
		})
	}
}
