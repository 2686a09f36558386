package api

import (
	"context"
	"net/http"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"

	"github.com/citychain/citychain/edge/reading"
)

// The metering module's reads (chain/internal/metering): device state,
// per-interval deltas and totals, anchors; readings and solar production
// come from InfluxDB (readings.go).

// meteringRoutes are the metering module's endpoints, documented in
// openapi/metering.json.
func (s *Server) meteringRoutes() []route {
	return []route{
		keyed("GET", "/v1/devices/{id}/state", s.deviceState),
		keyed("GET", "/v1/devices/{id}/deltas", s.deviceDeltas),
		keyed("GET", "/v1/devices/{id}/readings", s.readings),
		keyed("GET", "/v1/metering/params", s.meteringParams),
		keyed("GET", "/v1/metering/totals", s.meteringTotals),
		keyed("GET", "/v1/metering/anchors/{interval}", s.anchor),
		keyed("GET", "/v1/solar", s.solar),
	}
}

func (s *Server) deviceState(w http.ResponseWriter, r *http.Request) {
	id, err := pathDevice(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		return rawOrAbsent(s.node.DeviceState(ctx, id, o))
	})
}

// rangeParams reads ?from=&to= (intervals); defaults to the last 120
// intervals up to the current one.
func (s *Server) rangeParams(r *http.Request) (from, to uint64, err error) {
	cur, err := s.currentInterval(r)
	if err != nil {
		return 0, 0, err
	}
	if to, err = queryUint(r, "to", cur); err != nil {
		return 0, 0, err
	}
	def := uint64(0)
	if to > 119 {
		def = to - 119
	}
	if from, err = queryUint(r, "from", def); err != nil {
		return 0, 0, err
	}
	if from > to || to-from >= 10_000 {
		return 0, 0, badField("from", "from <= to and at most 10000 intervals", "range %d..%d is not allowed", from, to)
	}
	return from, to, nil
}

func (s *Server) deviceDeltas(w http.ResponseWriter, r *http.Request) {
	id, err := pathDevice(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	from, to, err := s.rangeParams(r)
	if err != nil {
		s.nodeError(w, r, err)
		return
	}
	s.intervalList(w, r, func(ctx context.Context) ([]tx.IntervalValue, error) { return s.node.Deltas(ctx, id, from, to, 0) })
}

func (s *Server) meteringTotals(w http.ResponseWriter, r *http.Request) {
	kind := r.URL.Query().Get("kind")
	if kind == "" {
		kind = reading.KindEnergyWh.String()
	}
	if _, err := reading.ParseKind(kind); err != nil {
		s.badRequest(w, r, badField("kind", "energy_wh or odometer_m", "kind %q is not a reading kind", kind))
		return
	}
	from, to, err := s.rangeParams(r)
	if err != nil {
		s.nodeError(w, r, err)
		return
	}
	s.intervalList(w, r, func(ctx context.Context) ([]tx.IntervalValue, error) { return s.node.Totals(ctx, kind, from, to, 0) })
}

func (s *Server) intervalList(w http.ResponseWriter, r *http.Request, read func(ctx context.Context) ([]tx.IntervalValue, error)) {
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	vals, err := read(ctx)
	if err != nil {
		s.nodeError(w, r, err)
		return
	}
	p, err := paginate(r, vals, func(v tx.IntervalValue) string { return sortKey(v.Interval) })
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) meteringParams(w http.ResponseWriter, r *http.Request) {
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		return rawOrAbsent(stored(s.node.MeteringParams(ctx, o)))
	})
}

func (s *Server) anchor(w http.ResponseWriter, r *http.Request) {
	n, err := parseUint("interval", r.PathValue("interval"))
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		return rawOrAbsent(stored(s.node.Anchor(ctx, n, o)))
	})
}
