package vehicles_test

import (
	"testing"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/metering"
	"github.com/citychain/citychain/chain/internal/vehicles"
	"github.com/citychain/citychain/chain/tx"
)

// TestReportBounded gives a vehicle more odometer points than a report
// carries: /vehicles/report answers the record with the first
// MaxOdometerLimit points and odometer_next, the interval the odometer
// pages continue from; the rest, paged from there, completes a series
// that verifies against the record. A vehicle with a short series gets it
// whole, without odometer_next.
func TestReportBounded(t *testing.T) {
	const points = vehicles.MaxOdometerLimit + 234
	odo, short := newOdometer("ev-a", apptest.Alice), newOdometer("ev-b", apptest.Bob)
	st := apptest.BuildAppState(apptest.DemoAccounts(), []tx.MsgDeviceRegister{odo.register(), short.register()})
	// One-second intervals and an hour of skew let one block carry
	// readings of many intervals (as BenchmarkReport).
	st.Metering.Params = metering.Params{IntervalSeconds: 1, MaxFutureSkewSeconds: metering.FutureSkewSecondsMax,
		MaxReadingsPerTx: metering.DefaultMaxReadingsPerTx, MaxReadingsPerBlock: metering.DefaultMaxReadingsPerBlock}
	st.Vehicles = vehicles.DefaultGenesis()
	h := apptest.New(t, apptest.Options{AppState: apptest.MustJSON(t, st)})
	vin, vinShort := vinOf(t, "KMHKN81AFPU12345"), vinOf(t, "KMHKN81AFPU54321")
	h.RunOK("register", h.Sign(apptest.Registrar, register(vin, apptest.Alice.Addr, "ev-a")))
	h.RunOK("register short", h.Sign(apptest.Registrar, register(vinShort, apptest.Bob.Addr, "ev-b")))
	t0 := apptest.BlockTime(h.Height+1).UnixMilli() + 1000
	for i := 0; i < points; i += tx.MaxReadingsPerMsg {
		var rs []tx.HexBytes
		for j := i; j < min(i+tx.MaxReadingsPerMsg, points); j++ {
			rs = append(rs, odo.sign(t, t0+int64(j)*1000, 1_000_000+uint64(j)*250))
		}
		if n, why := submit(t, h, rs...); n != len(rs) {
			t.Fatalf("readings from %d: %d accepted, rejected: %v", i, n, why)
		}
	}
	if n, why := submit(t, h, short.sign(t, t0, 5_000), short.sign(t, t0+1000, 5_100)); n != 2 {
		t.Fatalf("short series: %d accepted, rejected: %v", n, why)
	}

	var r vehicles.Report
	h.QueryJSON(t, "/vehicles/report", []byte(vin), &r)
	o := r.Vehicle.Odometer
	if o.Points != points || len(r.Odometer) != vehicles.MaxOdometerLimit || r.OdometerNext == nil || *r.OdometerNext <= r.Odometer[len(r.Odometer)-1].Interval {
		t.Fatalf("report: got %d of %d points, next %v; want the first %d and where the rest start", len(r.Odometer), o.Points, r.OdometerNext, vehicles.MaxOdometerLimit)
	}
	series := r.Odometer
	for from := r.OdometerNext; from != nil; {
		var page vehicles.OdometerPage
		h.QueryJSON(t, "/vehicles/odometer", apptest.MustJSON(t, vehicles.OdometerRequest{VIN: vin, From: *from, Limit: vehicles.MaxOdometerLimit}), &page)
		series = append(series, page.Points...)
		from = page.Next
	}
	if err := tx.VerifyOdometerSeries(series, o.Digest, o.Last, o.Points); err != nil {
		t.Fatalf("the report's points and the pages after them: %v", err)
	}

	var rs vehicles.Report
	h.QueryJSON(t, "/vehicles/report", []byte(vinShort), &rs)
	if len(rs.Odometer) != 2 || rs.OdometerNext != nil {
		t.Fatalf("short report: got %d points, next %v; want both points and no next", len(rs.Odometer), rs.OdometerNext)
	}
	if err := tx.VerifyOdometerSeries(rs.Odometer, rs.Vehicle.Odometer.Digest, rs.Vehicle.Odometer.Last, rs.Vehicle.Odometer.Points); err != nil {
		t.Fatal(err)
	}
}
