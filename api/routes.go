package api

import (
	"encoding/json"
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/citychain/citychain/chain/tx"
)

// routeTable lists every endpoint. The OpenAPI document must list exactly
// these (TestOpenAPIMatchesRoutes).
func (s *Server) routeTable() []route {
	pub := func(method, pattern string, h http.HandlerFunc) route {
		return route{method: method, pattern: pattern, public: true, h: h}
	}
	key := func(method, pattern string, h http.HandlerFunc) route {
		return route{method: method, pattern: pattern, h: h}
	}
	return []route{
		pub("GET", "/healthz", s.healthz),
		pub("GET", "/readyz", s.readyz),
		pub("GET", "/metrics", promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}).ServeHTTP),
		pub("GET", "/openapi.json", s.openapi),
		pub("GET", "/docs", s.docs),
		pub("GET", "/{$}", s.dashboard),
		pub("GET", "/assets/{file}", s.asset),

		key("GET", "/v1/status", s.status),
		key("GET", "/v1/validators", s.validators),
		key("GET", "/v1/blocks", s.blocks),
		key("GET", "/v1/blocks/{height}", s.block),
		key("GET", "/v1/accounts/{address}", s.account),
		key("GET", "/v1/accounts/{address}/roles", s.roles),
		key("GET", "/v1/accounts/{address}/balances", s.balances),
		key("GET", "/v1/accounts/{address}/balances/{denom}", s.balance),
		key("GET", "/v1/accounts/{address}/devices", s.devicesByOwner),
		key("GET", "/v1/supply", s.supplies),
		key("GET", "/v1/supply/{denom}", s.supply),
		key("GET", "/v1/devices/{id}", s.device),
		key("GET", "/v1/devices/{id}/state", s.deviceState),
		key("GET", "/v1/devices/{id}/deltas", s.deviceDeltas),
		key("GET", "/v1/devices/{id}/readings", s.readings),
		key("GET", "/v1/metering/params", s.meteringParams),
		key("GET", "/v1/metering/totals", s.meteringTotals),
		key("GET", "/v1/metering/anchors/{interval}", s.anchor),
		key("GET", "/v1/solar", s.solar),
		key("GET", "/v1/market/params", s.marketParams),
		key("GET", "/v1/market/clearings", s.clearings),
		key("GET", "/v1/market/orders/{id}", s.order),
		key("GET", "/v1/market/intervals/{interval}/book", s.book),
		key("GET", "/v1/market/intervals/{interval}/clearing", s.clearing),
		key("GET", "/v1/market/intervals/{interval}/settlement", s.settlement),
		key("GET", "/v1/mileage/budget", s.mileageBudget),
		key("GET", "/v1/mileage/accounts/{address}", s.mileageAccount),
		key("GET", "/v1/mileage/accounts/{address}/history", s.mileageHistory),
		key("GET", "/v1/vehicles", s.vehicles),
		key("GET", "/v1/vehicles/stats", s.vehicleStats),
		key("GET", "/v1/vehicles/programmes", s.vehicleProgrammes),
		key("GET", "/v1/vehicles/programmes/{id}", s.vehicleProgramme),
		key("GET", "/v1/vehicles/transfers/{id}", s.vehicleTransfer),
		key("GET", "/v1/vehicles/citizens/{address}", s.vehicleCitizen),
		key("GET", "/v1/vehicles/by-device/{device}", s.vehicleByDevice),
		key("GET", "/v1/vehicles/{vin}", s.vehicle),
		key("GET", "/v1/vehicles/{vin}/{view}", s.vehicleView), // report, odometer (see vehicleView)
		key("POST", "/v1/txs", s.submitTx),
		key("GET", "/v1/txs/{hash}", s.txStatus),
		key("GET", "/v1/events", s.events),
	}
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	st, err := s.node.RPC().Status(ctx)
	if err != nil {
		s.problem(w, r, http.StatusServiceUnavailable, "not ready", "the node does not answer: "+err.Error(), nil)
		return
	}
	if st.SyncInfo.CatchingUp {
		s.problem(w, r, http.StatusServiceUnavailable, "not ready", "the node is catching up", nil)
		return
	}
	out := map[string]any{"status": "ready", "height": st.SyncInfo.LatestBlockHeight, "influx": s.influx != nil}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) account(w http.ResponseWriter, r *http.Request) {
	a, err := pathAddress(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	s.provable(w, r, "/auth/account", []byte(a.String()), rawOrAbsent)
}

func (s *Server) roles(w http.ResponseWriter, r *http.Request) {
	a, err := pathAddress(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	s.provable(w, r, "/auth/roles", []byte(a.String()), func(v []byte) (any, error) {
		if v == nil {
			return []string{}, nil
		}
		return json.RawMessage(v), nil
	})
}

func (s *Server) balances(w http.ResponseWriter, r *http.Request) {
	a, err := pathAddress(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	var coins []tx.Coin
	if err := s.queryJSON(r, "/bank/balances", []byte(a.String()), &coins); err != nil {
		s.nodeError(w, r, err)
		return
	}
	if coins == nil {
		coins = []tx.Coin{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"address": a, "balances": coins})
}

func (s *Server) balance(w http.ResponseWriter, r *http.Request) {
	a, err := pathAddress(r)
	if err == nil {
		var d string
		if d, err = pathDenom(r); err == nil {
			data, _ := json.Marshal(map[string]string{"address": a.String(), "denom": d})
			s.provable(w, r, "/bank/balance", data, func(v []byte) (any, error) {
				c, err := amount(d)(v)
				return map[string]any{"address": a, "amount": c}, err
			})
			return
		}
	}
	s.badRequest(w, r, err)
}

func (s *Server) supplies(w http.ResponseWriter, r *http.Request) {
	var coins []tx.Coin
	if err := s.queryJSON(r, "/bank/supplies", nil, &coins); err != nil {
		s.nodeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"supply": coins})
}

func (s *Server) supply(w http.ResponseWriter, r *http.Request) {
	d, err := pathDenom(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	s.provable(w, r, "/bank/supply", []byte(d), amount(d))
}

func (s *Server) device(w http.ResponseWriter, r *http.Request) {
	id, err := pathDevice(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	s.provable(w, r, "/devices/device", []byte(id), rawOrAbsent)
}

func (s *Server) devicesByOwner(w http.ResponseWriter, r *http.Request) {
	a, err := pathAddress(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	var devs []map[string]any
	if err := s.queryJSON(r, "/devices/by_owner", []byte(a.String()), &devs); err != nil {
		s.nodeError(w, r, err)
		return
	}
	p, err := paginate(r, devs, func(d map[string]any) string { id, _ := d["id"].(string); return id })
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
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
		kind = "energy_wh"
	}
	if kind != "energy_wh" && kind != "odometer_m" {
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
