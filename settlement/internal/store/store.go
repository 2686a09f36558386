// Package store keeps verified readings in InfluxDB (through the v2 client
// API, which InfluxDB 1.8 with Flux and 2.x both serve) and reads them back
// for settlement and proofs.
//
// One point per reading: measurement "readings" (configurable), tag device,
// timestamp time_ms·10⁶ + seq mod 10⁶ nanoseconds (still inside the
// reading's millisecond, so inside its interval), fields seq, value, epoch,
// time_ms (integers), kind and wire (lowercase hex of the signed bytes).
// Writing the same (device, seq) again writes the same series and timestamp
// and so replaces the point with identical fields: rewrites are harmless.
package store

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	influxdb2 "github.com/influxdata/influxdb-client-go/v2"
	"github.com/influxdata/influxdb-client-go/v2/api"

	"github.com/citychain/citychain/edge/reading"
)

// DefaultMeasurement is the measurement readings are stored in.
const DefaultMeasurement = "readings"

// Config says where readings live.
type Config struct {
	URL         string
	Token       string
	Org         string // ignored by InfluxDB 1.8
	Bucket      string // "database/retention" on InfluxDB 1.8
	Measurement string // "" means DefaultMeasurement
	// Timeout bounds one HTTP request.
	Timeout time.Duration
}

// Store reads and writes readings.
type Store struct {
	client      influxdb2.Client
	write       api.WriteAPIBlocking
	query       api.QueryAPI
	bucket      string
	measurement string
}

// New connects lazily (no request is made).
func New(c Config) (*Store, error) {
	if c.URL == "" || c.Bucket == "" {
		return nil, errors.New("influxdb: URL and bucket are required")
	}
	if c.Measurement == "" {
		c.Measurement = DefaultMeasurement
	}
	if strings.ContainsAny(c.Measurement, " ,\"\\") {
		return nil, fmt.Errorf("influxdb measurement %q: want no spaces, commas, quotes or backslashes", c.Measurement)
	}
	if c.Timeout <= 0 {
		c.Timeout = 30 * time.Second
	}
	opts := influxdb2.DefaultOptions().SetHTTPRequestTimeout(uint(c.Timeout / time.Second))
	cl := influxdb2.NewClientWithOptions(c.URL, c.Token, opts)
	return &Store{
		client: cl, write: cl.WriteAPIBlocking(c.Org, c.Bucket), query: cl.QueryAPI(c.Org),
		bucket: c.Bucket, measurement: c.Measurement,
	}, nil
}

// Close releases idle connections.
func (s *Store) Close() { s.client.Close() }

// Timestamp is the point time of a reading: its millisecond plus seq mod
// 10⁶ nanoseconds.
func Timestamp(r reading.Reading) int64 {
	return r.TimeMs*1_000_000 + int64(r.Seq%1_000_000)
}

// AppendLine appends the line-protocol line of a verified reading.
func (s *Store) AppendLine(b []byte, r reading.Reading, wire []byte) []byte {
	b = append(b, s.measurement...)
	b = append(b, ",device="...)
	b = append(b, r.DeviceID...) // [a-z0-9._-]: nothing to escape
	b = append(b, " seq="...)
	b = strconv.AppendInt(b, int64(r.Seq), 10)
	b = append(b, "i,value="...)
	b = strconv.AppendInt(b, int64(r.Value), 10)
	b = append(b, "i,epoch="...)
	b = strconv.AppendUint(b, uint64(r.KeyEpoch), 10)
	b = append(b, "i,time_ms="...)
	b = strconv.AppendInt(b, r.TimeMs, 10)
	b = append(b, "i,kind=\""...)
	b = append(b, r.Kind.String()...)
	b = append(b, "\",wire=\""...)
	b = hex.AppendEncode(b, wire)
	b = append(b, "\" "...)
	b = strconv.AppendInt(b, Timestamp(r), 10)
	return b
}

// Write stores lines (from AppendLine) in one request.
func (s *Store) Write(ctx context.Context, lines []string) error {
	if len(lines) == 0 {
		return nil
	}
	if err := s.write.WriteRecord(ctx, lines...); err != nil {
		return fmt.Errorf("write %d readings to influxdb: %w", len(lines), err)
	}
	return nil
}

// Stored is a reading read back from the store.
type Stored struct {
	reading.Signed
	Wire []byte
}

func fluxTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func fluxString(s string) string { return strconv.Quote(s) }

// wires runs a query whose records carry wire hex in _value and decodes
// each strictly.
func (s *Store) wires(ctx context.Context, q string) ([]Stored, error) {
	res, err := s.query.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("influxdb query: %w", err)
	}
	defer res.Close()
	var out []Stored
	for res.Next() {
		v, ok := res.Record().Value().(string)
		if !ok {
			continue
		}
		wire, err := hex.DecodeString(v)
		if err != nil {
			return nil, fmt.Errorf("influxdb: stored wire %.20q: %w", v, err)
		}
		r, err := reading.Decode(wire)
		if err != nil {
			return nil, fmt.Errorf("influxdb: stored reading: %w", err)
		}
		out = append(out, Stored{Signed: r, Wire: wire})
	}
	if err := res.Err(); err != nil {
		return nil, fmt.Errorf("influxdb query: %w", err)
	}
	return out, nil
}

func (s *Store) from(start, stop time.Time) string {
	return fmt.Sprintf(`from(bucket: %s) |> range(start: %s, stop: %s) |> filter(fn: (r) => r._measurement == %s and r._field == "wire")`,
		fluxString(s.bucket), fluxTime(start), fluxTime(stop), fluxString(s.measurement))
}

// Range returns every reading with a time in [start, stop), in no
// particular order.
func (s *Store) Range(ctx context.Context, start, stop time.Time) ([]Stored, error) {
	return s.wires(ctx, s.from(start, stop))
}

// Lookup returns the stored reading of (device, seq) at time timeMs, or
// nil if there is none.
func (s *Store) Lookup(ctx context.Context, device string, seq uint64, timeMs int64) (*Stored, error) {
	ts := time.Unix(0, Timestamp(reading.Reading{Seq: seq, TimeMs: timeMs}))
	got, err := s.wires(ctx, s.from(ts, ts.Add(time.Nanosecond))+
		fmt.Sprintf(` |> filter(fn: (r) => r.device == %s)`, fluxString(device)))
	if err != nil {
		return nil, err
	}
	for i := range got {
		if got[i].Seq == seq {
			return &got[i], nil
		}
	}
	return nil, nil
}

// Latest returns each device's latest reading with a time in [start, stop).
func (s *Store) Latest(ctx context.Context, start, stop time.Time) ([]Stored, error) {
	return s.wires(ctx, s.from(start, stop)+` |> last()`)
}

// Counts returns how many readings each window of length every holds in
// [start, stop), keyed by window start (unix seconds). Windows are aligned to
// the unix epoch; empty windows are left out.
func (s *Store) Counts(ctx context.Context, start, stop time.Time, every time.Duration) (map[int64]uint64, error) {
	q := s.from(start, stop) + fmt.Sprintf(` |> group() |> window(every: %ds) |> count()`, int64(every/time.Second))
	res, err := s.query.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("influxdb query: %w", err)
	}
	defer res.Close()
	out := map[int64]uint64{}
	for res.Next() {
		rec := res.Record()
		n, ok := rec.Value().(int64)
		if !ok || n == 0 {
			continue
		}
		out[rec.Start().Unix()] += uint64(n)
	}
	if err := res.Err(); err != nil {
		return nil, fmt.Errorf("influxdb query: %w", err)
	}
	return out, nil
}

// Find returns the time (unix ms) of the stored reading (device, seq), or
// -1 if there is none.
func (s *Store) Find(ctx context.Context, device string, seq uint64) (int64, error) {
	q := fmt.Sprintf(`from(bucket: %s) |> range(start: 0) |> filter(fn: (r) => r._measurement == %s and r.device == %s and r._field == "seq" and r._value == %d)`,
		fluxString(s.bucket), fluxString(s.measurement), fluxString(device), int64(seq))
	res, err := s.query.Query(ctx, q)
	if err != nil {
		return -1, fmt.Errorf("influxdb query: %w", err)
	}
	defer res.Close()
	t := int64(-1)
	for res.Next() {
		t = res.Record().Time().UnixNano() / 1_000_000
	}
	if err := res.Err(); err != nil {
		return -1, fmt.Errorf("influxdb query: %w", err)
	}
	return t, nil
}
