// Package store keeps verified readings in InfluxDB (through the v2 client
// API, which InfluxDB 1.8 with Flux and 2.x both serve) and reads them back
// for settlement and proofs, in the schema of settlement/readings (one point
// per reading; rewriting a reading replaces its point with identical fields).
package store

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	influxdb2 "github.com/influxdata/influxdb-client-go/v2"
	"github.com/influxdata/influxdb-client-go/v2/api"

	"github.com/citychain/citychain/edge/reading"
	"github.com/citychain/citychain/settlement/readings"
)

// Config says where readings live.
type Config struct {
	URL         string
	Token       string
	Org         string // ignored by InfluxDB 1.8
	Bucket      string // "database/retention" on InfluxDB 1.8
	Measurement string // "" means readings.DefaultMeasurement
	// Timeout bounds one HTTP request.
	Timeout time.Duration
}

// Store reads and writes readings.
type Store struct {
	client influxdb2.Client
	write  api.WriteAPIBlocking
	query  api.QueryAPI
	src    readings.Source
}

// New connects lazily (no request is made).
func New(c Config) (*Store, error) {
	if c.URL == "" || c.Bucket == "" {
		return nil, errors.New("influxdb: URL and bucket are required")
	}
	if c.Measurement == "" {
		c.Measurement = readings.DefaultMeasurement
	}
	if !readings.ValidMeasurement(c.Measurement) {
		return nil, fmt.Errorf("influxdb measurement %q: want no spaces, commas, quotes or backslashes", c.Measurement)
	}
	if c.Timeout <= 0 {
		c.Timeout = 30 * time.Second
	}
	opts := influxdb2.DefaultOptions().SetHTTPRequestTimeout(uint(c.Timeout / time.Second))
	cl := influxdb2.NewClientWithOptions(c.URL, c.Token, opts)
	return &Store{
		client: cl, write: cl.WriteAPIBlocking(c.Org, c.Bucket), query: cl.QueryAPI(c.Org),
		src: readings.Source{Bucket: c.Bucket, Measurement: c.Measurement},
	}, nil
}

// Close releases idle connections.
func (s *Store) Close() { s.client.Close() }

// AppendLine appends the line-protocol line of a verified reading.
func (s *Store) AppendLine(b []byte, r reading.Reading, wire []byte) []byte {
	return readings.AppendLine(b, s.src.Measurement, r, wire)
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

// Range returns every reading with a time in [start, stop), in no
// particular order.
func (s *Store) Range(ctx context.Context, start, stop time.Time) ([]Stored, error) {
	return s.wires(ctx, s.src.Range(readings.FieldWire, start, stop))
}

// Lookup returns the stored reading of (device, seq) at time timeMs, or
// nil if there is none.
func (s *Store) Lookup(ctx context.Context, device string, seq uint64, timeMs int64) (*Stored, error) {
	ts := time.Unix(0, readings.Timestamp(reading.Reading{Seq: seq, TimeMs: timeMs}))
	got, err := s.wires(ctx, s.src.DeviceRange(device, readings.FieldWire, ts, ts.Add(time.Nanosecond)))
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
	return s.wires(ctx, s.src.Range(readings.FieldWire, start, stop)+` |> last()`)
}

// Counts returns how many readings each window of length every holds in
// [start, stop), keyed by window start (unix seconds). Windows are aligned to
// the unix epoch; empty windows are left out.
func (s *Store) Counts(ctx context.Context, start, stop time.Time, every time.Duration) (map[int64]uint64, error) {
	q := s.src.Range(readings.FieldWire, start, stop) + fmt.Sprintf(` |> group() |> window(every: %ds) |> count()`, int64(every/time.Second))
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
	res, err := s.query.Query(ctx, s.src.FindSeq(device, seq))
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

// Refusal is a stored reading the chain refused for good when settlement
// submitted it: recorded before its interval is anchored, reported by the
// audit.
type Refusal struct {
	reading.Reading        // DeviceID, Seq, TimeMs and Value are recorded
	Reason          string // the chain's reason
}

// WriteRefusals records refusals in one request. Writing one again
// replaces its point.
func (s *Store) WriteRefusals(ctx context.Context, rs []Refusal) error {
	if len(rs) == 0 {
		return nil
	}
	lines := make([]string, len(rs))
	for i, r := range rs {
		lines[i] = string(readings.AppendRefusalLine(nil, s.src.Measurement, r.Reading, r.Reason))
	}
	if err := s.write.WriteRecord(ctx, lines...); err != nil {
		return fmt.Errorf("write %d refusals to influxdb: %w", len(rs), err)
	}
	return nil
}

// Refusals returns the refusals recorded for readings with a time in
// [start, stop), in no particular order.
func (s *Store) Refusals(ctx context.Context, start, stop time.Time) ([]Refusal, error) {
	res, err := s.query.Query(ctx, s.src.Refusals(start, stop))
	if err != nil {
		return nil, fmt.Errorf("influxdb query: %w", err)
	}
	defer res.Close()
	var out []Refusal
	for res.Next() {
		v := res.Record().Values()
		dev, _ := v[readings.TagDevice].(string)
		seq, _ := v[readings.FieldSeq].(int64)
		value, _ := v[readings.FieldValue].(int64)
		timeMs, _ := v[readings.FieldTimeMs].(int64)
		reason, _ := v[readings.FieldReason].(string)
		if dev == "" || seq <= 0 {
			return nil, fmt.Errorf("influxdb: refusal record %v: want device and seq", v)
		}
		out = append(out, Refusal{Reading: reading.Reading{DeviceID: dev, Seq: uint64(seq), Value: uint64(value), TimeMs: timeMs}, Reason: reason})
	}
	if err := res.Err(); err != nil {
		return nil, fmt.Errorf("influxdb query: %w", err)
	}
	return out, nil
}
