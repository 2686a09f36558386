package api

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// apiModule is one chain module's part of the API: the routes of its
// handlers (a method next to them, in <module>.go) and the OpenAPI fragment
// documenting exactly those routes (openapi/<module>.json: its paths, its
// component schemas and its tag).
type apiModule struct {
	name    string
	routes  func(*Server) []route
	openapi string // path in openapiFS
}

// modules are the API's module pieces, in order: the order of their routes
// after the core ones and of their tags, paths and schemas in the served
// document after the core document's (openapi/core.json). Adding a module
// to the API is one row here (docs/api.md).
var modules = []apiModule{
	{name: "auth", routes: (*Server).authRoutes, openapi: "openapi/auth.json"},
	{name: "bank", routes: (*Server).bankRoutes, openapi: "openapi/bank.json"},
	{name: "devices", routes: (*Server).devicesRoutes, openapi: "openapi/devices.json"},
	{name: "metering", routes: (*Server).meteringRoutes, openapi: "openapi/metering.json"},
	{name: "market", routes: (*Server).marketRoutes, openapi: "openapi/market.json"},
	{name: "mileage", routes: (*Server).mileageRoutes, openapi: "openapi/mileage.json"},
	{name: "vehicles", routes: (*Server).vehicleRoutes, openapi: "openapi/vehicles.json"},
	{name: "credentials", routes: (*Server).credentialsRoutes, openapi: "openapi/credentials.json"},
	{name: "certificates", routes: (*Server).certificatesRoutes, openapi: "openapi/certificates.json"},
	{name: "identity", routes: (*Server).identityRoutes, openapi: "openapi/identity.json"},
	{name: "registry", routes: (*Server).registryRoutes, openapi: "openapi/registry.json"},
	{name: "voting", routes: (*Server).votingRoutes, openapi: "openapi/voting.json"},
	{name: "labour", routes: (*Server).labourRoutes, openapi: "openapi/labour.json"},
	{name: "contracts", routes: (*Server).contractsRoutes, openapi: "openapi/contracts.json"},
}

// pub is a route that needs no API key.
func pub(method, pattern string, h http.HandlerFunc) route {
	return route{method: method, pattern: pattern, public: true, h: h}
}

// keyed is a route that needs an API key (or, for a GET, anonymous reads).
func keyed(method, pattern string, h http.HandlerFunc) route {
	return route{method: method, pattern: pattern, h: h}
}

// readPost is a POST that only reads (a dry run): it needs an API key, or
// anonymous reads like a GET.
func readPost(pattern string, h http.HandlerFunc) route {
	return route{method: "POST", pattern: pattern, read: true, h: h}
}

// coreRoutes are the endpoints of no chain module: operations, the
// dashboard, the network, transactions and events (openapi/core.json).
func (s *Server) coreRoutes() []route {
	return []route{
		pub("GET", "/healthz", s.healthz),
		pub("GET", "/readyz", s.readyz),
		pub("GET", "/metrics", promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}).ServeHTTP),
		pub("GET", "/openapi.json", s.openapi),
		pub("GET", "/docs", s.docs),
		pub("GET", "/{$}", s.dashboard),
		pub("GET", "/assets/{file}", s.asset),

		keyed("GET", "/v1/status", s.status),
		keyed("GET", "/v1/validators", s.validators),
		keyed("GET", "/v1/blocks", s.blocks),
		keyed("GET", "/v1/blocks/{height}", s.block),
		keyed("POST", "/v1/txs", s.submitTx),
		keyed("GET", "/v1/txs/{hash}", s.txStatus),
		keyed("GET", "/v1/events", s.events),
	}
}

// routeTable lists every endpoint: the core ones, then each module's in
// the order of mods. The OpenAPI document must list exactly these
// (TestOpenAPIMatchesRoutes), each module's in its own fragment
// (TestOpenAPIModuleFragments).
func (s *Server) routeTable(mods []apiModule) []route {
	rs := s.coreRoutes()
	for _, m := range mods {
		rs = append(rs, m.routes(s)...)
	}
	return rs
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
