// Package readings is the contract for the verified readings the settlement
// service keeps in InfluxDB: the schema of a stored reading and the Flux
// that selects them. The settlement service writes and reads through it;
// the city API builds its reading queries from it.
//
// One point per reading: measurement DefaultMeasurement ("readings",
// configurable), tag device, timestamp time_ms·10⁶ + seq mod 10⁶
// nanoseconds (still inside the reading's millisecond, so inside its
// interval; see Timestamp), integer fields seq, value, epoch and time_ms,
// string fields kind (reading.Kind's name) and wire (lowercase hex of the
// signed bytes). Writing the same (device, seq) again writes the same series
// and timestamp and so replaces the point with identical fields: rewrites
// are harmless.
//
// A stored reading the chain refused for good when settlement submitted it
// (revoked device, rolled-back value, ...) is also recorded as a point of
// RefusedMeasurement(measurement) ("readings_refused"): tag device, the
// reading's timestamp, integer fields seq, value and time_ms, string field
// reason (the chain's reason). Settlement writes it before it anchors the
// interval; the audit reports it.
//
// The bucket is a bucket name on InfluxDB 2.x and "database/retention" on
// InfluxDB 1.8 (through its v2 compatibility API, which serves Flux).
package readings

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/citychain/citychain/edge/reading"
)

// DefaultMeasurement is the measurement readings are stored in.
const DefaultMeasurement = "readings"

// The tag and fields of a stored reading.
const (
	TagDevice   = "device"  // the device id
	FieldSeq    = "seq"     // integer
	FieldValue  = "value"   // integer: the cumulative meter value
	FieldEpoch  = "epoch"   // integer: the key epoch
	FieldTimeMs = "time_ms" // integer: the reading's unix milliseconds
	FieldKind   = "kind"    // string: "energy_wh" or "odometer_m"
	FieldWire   = "wire"    // string: lowercase hex of the signed wire bytes
	FieldReason = "reason"  // string, refusals only: why the chain refused the reading
)

// RefusedMeasurement is the measurement of the refusals recorded beside
// the readings of measurement.
func RefusedMeasurement(measurement string) string { return measurement + "_refused" }

// AppendRefusalLine appends the line-protocol line recording that the
// chain refused r for reason (any text; it is escaped).
func AppendRefusalLine(b []byte, measurement string, r reading.Reading, reason string) []byte {
	b = append(b, RefusedMeasurement(measurement)...)
	b = append(b, ","+TagDevice+"="...)
	b = append(b, r.DeviceID...)
	b = append(b, " "+FieldSeq+"="...)
	b = strconv.AppendInt(b, int64(r.Seq), 10)
	b = append(b, "i,"+FieldValue+"="...)
	b = strconv.AppendInt(b, int64(r.Value), 10)
	b = append(b, "i,"+FieldTimeMs+"="...)
	b = strconv.AppendInt(b, r.TimeMs, 10)
	b = append(b, "i,"+FieldReason+"=\""...)
	b = append(b, strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", " ").Replace(reason)...)
	b = append(b, "\" "...)
	b = strconv.AppendInt(b, Timestamp(r), 10)
	return b
}

// ValidMeasurement reports whether name can be a measurement: it is written
// into line protocol and Flux unescaped, so it has no spaces, commas, quotes
// or backslashes.
func ValidMeasurement(name string) bool { return !strings.ContainsAny(name, " ,\"\\") }

// Timestamp is the point time of a reading in unix nanoseconds: its
// millisecond plus seq mod 10⁶ nanoseconds.
func Timestamp(r reading.Reading) int64 {
	return r.TimeMs*1_000_000 + int64(r.Seq%1_000_000)
}

// AppendLine appends the line-protocol line of a verified reading and its
// wire bytes to b.
func AppendLine(b []byte, measurement string, r reading.Reading, wire []byte) []byte {
	b = append(b, measurement...)
	b = append(b, ","+TagDevice+"="...)
	b = append(b, r.DeviceID...) // [a-z0-9._-]: nothing to escape
	b = append(b, " "+FieldSeq+"="...)
	b = strconv.AppendInt(b, int64(r.Seq), 10)
	b = append(b, "i,"+FieldValue+"="...)
	b = strconv.AppendInt(b, int64(r.Value), 10)
	b = append(b, "i,"+FieldEpoch+"="...)
	b = strconv.AppendUint(b, uint64(r.KeyEpoch), 10)
	b = append(b, "i,"+FieldTimeMs+"="...)
	b = strconv.AppendInt(b, r.TimeMs, 10)
	b = append(b, "i,"+FieldKind+"=\""...)
	b = append(b, r.Kind.String()...)
	b = append(b, "\","+FieldWire+"=\""...)
	b = hex.AppendEncode(b, wire)
	b = append(b, "\" "...)
	b = strconv.AppendInt(b, Timestamp(r), 10)
	return b
}

// Source is where readings live: a bucket and the measurement in it. Its
// methods build Flux queries that select one field of the stored readings;
// callers may pipe the result further (last(), spread(), ...).
type Source struct {
	Bucket      string
	Measurement string
}

// Range selects field of every reading with a time in [start, stop).
func (s Source) Range(field string, start, stop time.Time) string {
	return fmt.Sprintf(`from(bucket: %s) |> range(start: %s, stop: %s) |> filter(fn: (r) => r._measurement == %s and r._field == %s)`,
		quote(s.Bucket), fluxTime(start), fluxTime(stop), quote(s.Measurement), quote(field))
}

// Refusals selects the refusals recorded with a reading time in
// [start, stop), one row per refusal with columns device, seq, value,
// time_ms and reason.
func (s Source) Refusals(start, stop time.Time) string {
	return fmt.Sprintf(`from(bucket: %s) |> range(start: %s, stop: %s) |> filter(fn: (r) => r._measurement == %s) |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")`,
		quote(s.Bucket), fluxTime(start), fluxTime(stop), quote(RefusedMeasurement(s.Measurement)))
}

// DeviceRange selects field of one device's readings with a time in
// [start, stop).
func (s Source) DeviceRange(device, field string, start, stop time.Time) string {
	return fmt.Sprintf(`from(bucket: %s) |> range(start: %s, stop: %s) |> filter(fn: (r) => r._measurement == %s and r._field == %s and r.%s == %s)`,
		quote(s.Bucket), fluxTime(start), fluxTime(stop), quote(s.Measurement), quote(field), TagDevice, quote(device))
}

// Recent selects field of every reading of the last window (whole seconds,
// relative to the server's clock).
func (s Source) Recent(field string, window time.Duration) string {
	return fmt.Sprintf(`from(bucket: %s) |> range(start: -%ds) |> filter(fn: (r) => r._measurement == %s and r._field == %s)`,
		quote(s.Bucket), int64(window/time.Second), quote(s.Measurement), quote(field))
}

// FindSeq selects the seq field of the stored reading (device, seq), at
// any time; its record time is the reading's Timestamp.
func (s Source) FindSeq(device string, seq uint64) string {
	return fmt.Sprintf(`from(bucket: %s) |> range(start: 0) |> filter(fn: (r) => r._measurement == %s and r.%s == %s and r._field == %s and r._value == %d)`,
		quote(s.Bucket), quote(s.Measurement), TagDevice, quote(device), quote(FieldSeq), int64(seq))
}

func fluxTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func quote(s string) string { return strconv.Quote(s) }
