package api

import (
	"encoding/json"
	"net/http"

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
	s.provable(w, r, "/metering/device", []byte(id), rawOrAbsent)
}

// intervalValue is one interval's delta (/metering/deltas, totals).
type intervalValue struct {
	Interval uint64 `json:"interval"`
	Delta    uint64 `json:"delta"`
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
	s.intervalList(w, r, map[string]any{"device": id, "from": from, "to": to}, "/metering/deltas")
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
	s.intervalList(w, r, map[string]any{"kind": kind, "from": from, "to": to}, "/metering/totals")
}

func (s *Server) intervalList(w http.ResponseWriter, r *http.Request, req map[string]any, path string) {
	data, _ := json.Marshal(req)
	var vals []intervalValue
	if err := s.queryJSON(r, path, data, &vals); err != nil {
		s.nodeError(w, r, err)
		return
	}
	p, err := paginate(r, vals, func(v intervalValue) string { return sortKey(v.Interval) })
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) meteringParams(w http.ResponseWriter, r *http.Request) {
	s.provable(w, r, "/metering/params", nil, rawOrAbsent)
}

func (s *Server) anchor(w http.ResponseWriter, r *http.Request) {
	n, err := parseUint("interval", r.PathValue("interval"))
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	s.provable(w, r, "/metering/anchor", []byte(jsonNum(n)), rawOrAbsent)
}

func jsonNum(n uint64) string { b, _ := json.Marshal(n); return string(b) }
