package api

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"time"

	influxdb2 "github.com/influxdata/influxdb-client-go/v2"
	influxapi "github.com/influxdata/influxdb-client-go/v2/api"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/settlement/readings"
)

// influx reads the readings the settlement service stores, with the schema
// and queries of settlement/readings (tag device, integer field value).
type influx struct {
	client influxdb2.Client
	query  influxapi.QueryAPI
	src    readings.Source
}

func newInflux(c InfluxConfig) *influx {
	cl := influxdb2.NewClientWithOptions(c.URL, c.Token, influxdb2.DefaultOptions().SetHTTPRequestTimeout(30))
	return &influx{client: cl, query: cl.QueryAPI(c.Org), src: readings.Source{Bucket: c.Bucket, Measurement: c.Measurement}}
}

func (i *influx) close() { i.client.Close() }

// Point is one aggregated value of a window.
type Point struct {
	Time  time.Time `json:"time"`
	Value float64   `json:"value"`
}

// ReadingSeries is a device's readings over a time range.
type ReadingSeries struct {
	Device string  `json:"device"`
	Start  string  `json:"start"`
	Stop   string  `json:"stop"`
	Window string  `json:"window,omitempty"`
	Agg    string  `json:"agg"`
	Points []Point `json:"points"`
}

var aggs = map[string]bool{"last": true, "first": true, "max": true, "min": true, "mean": true, "spread": true, "count": true, "none": true}

func (s *Server) noInflux(w http.ResponseWriter, r *http.Request) bool {
	if s.influx != nil {
		return false
	}
	s.problem(w, r, http.StatusServiceUnavailable, "readings unavailable", "this API server has no InfluxDB configured (--influx-url); chain state is still served", nil)
	return true
}

func timeParam(r *http.Request, field string, def time.Time) (time.Time, error) {
	v := r.URL.Query().Get(field)
	if v == "" {
		return def, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		if d, derr := time.ParseDuration(v); derr == nil && d < 0 {
			return time.Now().Add(d), nil
		}
		return time.Time{}, badField(field, "an RFC 3339 time (2025-01-02T15:04:05Z) or a negative duration (-1h)", "%s %q is not a time", field, v)
	}
	return t, nil
}

// readings: GET /v1/devices/{id}/readings?start=&stop=&window=&agg=.
func (s *Server) readings(w http.ResponseWriter, r *http.Request) {
	id, err := pathDevice(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	if s.noInflux(w, r) {
		return
	}
	now := time.Now().UTC()
	start, err := timeParam(r, "start", now.Add(-time.Hour))
	if err == nil {
		var stop time.Time
		if stop, err = timeParam(r, "stop", now); err == nil {
			s.readingsRange(w, r, id, start, stop)
			return
		}
	}
	s.badRequest(w, r, err)
}

func (s *Server) readingsRange(w http.ResponseWriter, r *http.Request, id string, start, stop time.Time) {
	q := r.URL.Query()
	if !stop.After(start) {
		s.badRequest(w, r, badField("stop", "a time after start", "stop %s is not after start %s", stop.Format(time.RFC3339), start.Format(time.RFC3339)))
		return
	}
	agg := q.Get("agg")
	if agg == "" {
		agg = "last"
	}
	if !aggs[agg] {
		s.badRequest(w, r, badField("agg", "one of last, first, max, min, mean, spread, count, none", "agg %q is not an aggregation", agg))
		return
	}
	var window time.Duration
	if v := q.Get("window"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second {
			s.badRequest(w, r, badField("window", "a duration of at least 1s (30s, 5m, 1h)", "window %q is not a duration of at least 1s", v))
			return
		}
		window = d
	} else if agg != "none" {
		window = max(time.Second, stop.Sub(start)/120).Truncate(time.Second)
	}
	if window > 0 && stop.Sub(start)/window > 10_000 {
		s.badRequest(w, r, badField("window", "at most 10000 windows in the range", "%s windows of %s is too many", stop.Sub(start), window))
		return
	}
	flux := s.influx.src.DeviceRange(id, readings.FieldValue, start, stop)
	if agg == "none" {
		flux += ` |> limit(n: 10000)`
	} else {
		flux += fmt.Sprintf(` |> aggregateWindow(every: %ds, fn: %s, createEmpty: false)`, int64(window/time.Second), agg)
	}
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	pts, err := s.influx.points(ctx, flux)
	if err != nil {
		s.problem(w, r, http.StatusBadGateway, "influxdb query failed", err.Error(), nil)
		return
	}
	out := ReadingSeries{Device: id, Start: start.UTC().Format(time.RFC3339), Stop: stop.UTC().Format(time.RFC3339), Agg: agg, Points: pts}
	if window > 0 {
		out.Window = window.String()
	}
	writeJSON(w, http.StatusOK, out)
}

func (i *influx) points(ctx context.Context, flux string) ([]Point, error) {
	res, err := i.query.Query(ctx, flux)
	if err != nil {
		return nil, err
	}
	defer res.Close()
	out := []Point{}
	for res.Next() {
		rec := res.Record()
		v, ok := toFloat(rec.Value())
		if !ok {
			continue
		}
		out = append(out, Point{Time: rec.Time(), Value: v})
	}
	return out, res.Err()
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case uint64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// SiteProduction is the energy a site's inverters produced in the window.
type SiteProduction struct {
	Site    string             `json:"site"`
	Wh      float64            `json:"wh"`
	Devices map[string]float64 `json:"devices"`
}

// Solar is live solar production, total and per site.
type Solar struct {
	Window  string           `json:"window"`
	TotalWh float64          `json:"total_wh"`
	Sites   []SiteProduction `json:"sites"`
}

type meta struct{ kind, site string }

func (s *Server) metaOf(r *http.Request, id string) meta {
	if m, ok := s.meta.Load(id); ok {
		return m.(meta)
	}
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	d, _, err := s.node.Device(ctx, id, client.ReadOpts{})
	if err != nil || d == nil {
		return meta{}
	}
	m := meta{kind: d.Kind, site: d.Metadata.Site}
	if m.site == "" {
		m.site = "unassigned"
	}
	s.meta.Store(id, m)
	return m
}

// solar: GET /v1/solar?window=: the Wh each solar inverter's lifetime
// counter rose by in the last window, per site and in total.
func (s *Server) solar(w http.ResponseWriter, r *http.Request) {
	if s.noInflux(w, r) {
		return
	}
	window := 15 * time.Minute
	if v := r.URL.Query().Get("window"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second || d > 31*24*time.Hour {
			s.badRequest(w, r, badField("window", "a duration from 1s to 744h", "window %q is not allowed", v))
			return
		}
		window = d
	}
	flux := s.influx.src.Recent(readings.FieldValue, window) + ` |> spread()`
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	res, err := s.influx.query.Query(ctx, flux)
	if err != nil {
		s.problem(w, r, http.StatusBadGateway, "influxdb query failed", err.Error(), nil)
		return
	}
	perDevice := map[string]float64{}
	for res.Next() {
		rec := res.Record()
		id, _ := rec.ValueByKey(readings.TagDevice).(string)
		if v, ok := toFloat(rec.Value()); ok && id != "" {
			perDevice[id] += v
		}
	}
	err = res.Err()
	res.Close()
	if err != nil {
		s.problem(w, r, http.StatusBadGateway, "influxdb query failed", err.Error(), nil)
		return
	}
	out := Solar{Window: window.String(), Sites: []SiteProduction{}}
	sites := map[string]*SiteProduction{}
	for id, wh := range perDevice {
		m := s.metaOf(r, id)
		if m.kind != tx.KindSolarInverter {
			continue
		}
		sp := sites[m.site]
		if sp == nil {
			sp = &SiteProduction{Site: m.site, Devices: map[string]float64{}}
			sites[m.site] = sp
		}
		sp.Devices[id], sp.Wh = wh, sp.Wh+wh
		out.TotalWh += wh
	}
	for _, sp := range sites {
		out.Sites = append(out.Sites, *sp)
	}
	sort.Slice(out.Sites, func(i, j int) bool { return out.Sites[i].Site < out.Sites[j].Site })
	writeJSON(w, http.StatusOK, out)
}
