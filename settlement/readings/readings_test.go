package readings_test

import (
	"testing"
	"time"

	"github.com/citychain/citychain/edge/reading"
	"github.com/citychain/citychain/settlement/readings"
)

func TestAppendLine(t *testing.T) {
	r := reading.Reading{DeviceID: "inv-1", KeyEpoch: 2, Seq: 1_000_007, TimeMs: 1_700_000_000_123, Kind: reading.KindEnergyWh, Value: 42}
	got := string(readings.AppendLine([]byte("x\n"), readings.DefaultMeasurement, r, []byte{0xab, 0x01}))
	want := "x\nreadings,device=inv-1 seq=1000007i,value=42i,epoch=2i,time_ms=1700000000123i,kind=\"energy_wh\",wire=\"ab01\" 1700000000123000007"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestValidMeasurement(t *testing.T) {
	for name, want := range map[string]bool{"readings": true, "city_readings.v2": true, "a b": false, "a,b": false, `a"b`: false, `a\b`: false} {
		if got := readings.ValidMeasurement(name); got != want {
			t.Errorf("ValidMeasurement(%q): got %v, want %v", name, got, want)
		}
	}
}

// TestQueries pins the Flux the settlement service and the city API send.
func TestQueries(t *testing.T) {
	src := readings.Source{Bucket: "citychain/autogen", Measurement: "readings"}
	start := time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("KST", 9*3600))
	stop := start.Add(time.Hour)
	for _, c := range []struct{ name, got, want string }{
		{"range", src.Range(readings.FieldWire, start, stop),
			`from(bucket: "citychain/autogen") |> range(start: 2026-01-01T18:04:05.000000006Z, stop: 2026-01-01T19:04:05.000000006Z) |> filter(fn: (r) => r._measurement == "readings" and r._field == "wire")`},
		{"device range", src.DeviceRange("inv-1", readings.FieldValue, start, stop),
			`from(bucket: "citychain/autogen") |> range(start: 2026-01-01T18:04:05.000000006Z, stop: 2026-01-01T19:04:05.000000006Z) |> filter(fn: (r) => r._measurement == "readings" and r._field == "value" and r.device == "inv-1")`},
		{"recent", src.Recent(readings.FieldValue, 15*time.Minute),
			`from(bucket: "citychain/autogen") |> range(start: -900s) |> filter(fn: (r) => r._measurement == "readings" and r._field == "value")`},
		{"find seq", src.FindSeq("ev-2", 17),
			`from(bucket: "citychain/autogen") |> range(start: 0) |> filter(fn: (r) => r._measurement == "readings" and r.device == "ev-2" and r._field == "seq" and r._value == 17)`},
	} {
		if c.got != c.want {
			t.Errorf("%s:\ngot  %s\nwant %s", c.name, c.got, c.want)
		}
	}
}

// TestAppendRefusalLine: a refusal is a point of readings_refused at the
// reading's timestamp; quotes, backslashes and newlines in the chain's
// reason cannot break the line.
func TestAppendRefusalLine(t *testing.T) {
	r := reading.Reading{DeviceID: "inv-1", Seq: 7, TimeMs: 1_700_000_000_123, Value: 42}
	got := string(readings.AppendRefusalLine(nil, readings.DefaultMeasurement, r, "metering code 9: \"none\" \\ new\nrevoked 1"))
	want := `readings_refused,device=inv-1 seq=7i,value=42i,time_ms=1700000000123i,reason="metering code 9: \"none\" \\ new revoked 1" 1700000000123000007`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	src := readings.Source{Bucket: "b", Measurement: "readings"}
	start := time.Unix(0, 0)
	if q, want := src.Refusals(start, start.Add(time.Second)), `from(bucket: "b") |> range(start: 1970-01-01T00:00:00Z, stop: 1970-01-01T00:00:01Z) |> filter(fn: (r) => r._measurement == "readings_refused") |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")`; q != want {
		t.Errorf("refusals query:\ngot  %s\nwant %s", q, want)
	}
}
