// Package api is the city API: JSON over HTTP for agency back offices,
// citizen apps, dealers, insurers and banks, and the operations dashboard.
//
// Every read of chain state goes through ABCI Query on a node (via
// chain/client), never the node's database, and can carry an ICS23 proof
// verified against a header that CometBFT's light client verified from the
// configured trust root (?prove=true; Config.Trust). Signed transactions are
// relayed with status tracking; chain events are streamed as server-sent
// events; readings come from InfluxDB through Flux. Consumers authenticate
// with API keys (stored as SHA-256 hashes) and are rate limited per key.
// The OpenAPI 3.1 document served at /openapi.json, assembled from
// openapi/core.json and one fragment per module (the modules list in
// routes.go), describes every route.
package api

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/edge/tlsconfig"
	"github.com/citychain/citychain/settlement/readings"
)

// Config configures the API server. Zero values take the defaults in
// brackets.
type Config struct {
	// Listen is the HTTP address [127.0.0.1:8080].
	Listen string
	// TLSCertFile and TLSKeyFile, both or neither, serve HTTPS (PEM files;
	// the certificate file may hold the chain).
	TLSCertFile, TLSKeyFile string
	// Keys are the consumers' API keys.
	Keys []KeyConfig
	// AnonymousReads lets GET requests without a key through, rate limited
	// per client address (the devnet's dashboard uses it). Writes always
	// need a key.
	AnonymousReads bool
	// AnonymousRate and AnonymousBurst limit anonymous clients [5/s, 20].
	AnonymousRate  float64
	AnonymousBurst int
	// Influx is where readings live; nil serves 503 on reading endpoints.
	Influx *InfluxConfig
	// MaxBodyBytes bounds request bodies [1 MiB].
	MaxBodyBytes int64
	// ReadHeaderTimeout [5s], ReadTimeout [30s], WriteTimeout [30s] and
	// IdleTimeout [120s] are the HTTP server's; event streams replace the
	// write timeout with StreamWriteTimeout per write.
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// MaxStreamsPerClient bounds the event streams one client (remote IP
	// address) holds open [4]; one more is refused with 429.
	// MaxStreams bounds the open event streams in all [256]; one more is
	// refused with 503.
	MaxStreamsPerClient, MaxStreams int
	// StreamWriteTimeout bounds each write to an event stream [10s]: a
	// client that does not take its events in that time is dropped and
	// its stream's slot freed.
	StreamWriteTimeout time.Duration
	// NodeTimeout bounds the node calls of one request [15s].
	NodeTimeout time.Duration
	// TxTrack is how many relayed transactions are remembered [10000].
	TxTrack int
	// Trust is the trust root ?prove=true answers are verified from
	// (client.SetTrust on the node client: a genesis the operator holds, or
	// a trusted height and hash); nil answers proofs with verified false
	// and an error saying no trust root is configured.
	Trust  *client.TrustConfig
	Logger *slog.Logger
}

// KeyConfig is one consumer's key: its name, the SHA-256 of the key (hex;
// see HashKey) and its rate limit [10 requests/s, burst 20].
type KeyConfig struct {
	Name   string  `json:"name" yaml:"name"`
	SHA256 string  `json:"sha256" yaml:"sha256"`
	Rate   float64 `json:"rate,omitempty" yaml:"rate,omitempty"`
	Burst  int     `json:"burst,omitempty" yaml:"burst,omitempty"`
}

// InfluxConfig says where the settlement service stores readings.
type InfluxConfig struct {
	URL, Token, Org string
	// Bucket is "database/retention" on InfluxDB 1.8.
	Bucket string
	// Measurement ["readings"]: tag device, integer field value.
	Measurement string
}

func (c *Config) defaults() error {
	if (c.TLSCertFile == "") != (c.TLSKeyFile == "") {
		return fmt.Errorf("api config: TLS certificate %q and key %q: want both files or neither", c.TLSCertFile, c.TLSKeyFile)
	}
	if c.Listen == "" {
		c.Listen = "127.0.0.1:8080"
	}
	if c.AnonymousRate == 0 {
		c.AnonymousRate = 5
	}
	if c.AnonymousBurst == 0 {
		c.AnonymousBurst = 20
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = 1 << 20
	}
	for _, d := range []struct {
		p *time.Duration
		v time.Duration
	}{{&c.ReadHeaderTimeout, 5 * time.Second}, {&c.ReadTimeout, 30 * time.Second}, {&c.WriteTimeout, 30 * time.Second}, {&c.IdleTimeout, 120 * time.Second}, {&c.NodeTimeout, 15 * time.Second}, {&c.StreamWriteTimeout, 10 * time.Second}} {
		if *d.p == 0 {
			*d.p = d.v
		}
	}
	if c.StreamWriteTimeout < 0 {
		return fmt.Errorf("api config: stream write timeout %s: want a positive duration", c.StreamWriteTimeout)
	}
	if c.MaxStreams == 0 {
		c.MaxStreams = 256
	}
	if c.MaxStreamsPerClient == 0 {
		c.MaxStreamsPerClient = min(4, max(c.MaxStreams, 1))
	}
	if c.MaxStreamsPerClient < 0 || c.MaxStreams < 0 || c.MaxStreamsPerClient > c.MaxStreams {
		return fmt.Errorf("api config: event streams %d per client, %d in all: want 1 <= per client <= in all", c.MaxStreamsPerClient, c.MaxStreams)
	}
	if c.TxTrack == 0 {
		c.TxTrack = 10_000
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Influx != nil {
		if c.Influx.URL == "" || c.Influx.Bucket == "" {
			return errors.New("api config: influx needs url and bucket")
		}
		if c.Influx.Measurement == "" {
			c.Influx.Measurement = readings.DefaultMeasurement
		}
		if !readings.ValidMeasurement(c.Influx.Measurement) {
			return fmt.Errorf("api config: influx measurement %q: want no spaces, commas, quotes or backslashes", c.Influx.Measurement)
		}
	}
	return nil
}

// Server is the API server.
type Server struct {
	cfg     Config
	node    *client.Client
	log     *slog.Logger
	keys    map[[32]byte]*keyInfo
	limiter *limiter
	metrics *metrics
	txs     *tracker
	hub     *hub
	streams *streamSlots
	influx  *influx
	mux     *http.ServeMux
	handler http.Handler
	tls     *tls.Config // nil: plain HTTP
	routes  []route
	// openapiDoc is the assembled OpenAPI document (openapi.go).
	openapiDoc []byte

	// meta caches each device's kind and site (registry reads).
	meta sync.Map
	// votes holds the election verifications (voting.go): one at a time,
	// and the reports of finished elections.
	votes voteVerifier

	chainMu sync.Mutex
	chainID string

	ctx    context.Context
	cancel context.CancelFunc
}

// New validates cfg and builds the server around a node client.
func New(cfg Config, node *client.Client) (*Server, error) {
	return newServer(cfg, node, openapiFS, modules)
}

// newServer builds the server with the modules mods, their OpenAPI
// fragments read from fsys.
func newServer(cfg Config, node *client.Client, fsys fs.FS, mods []apiModule) (*Server, error) {
	if node == nil {
		return nil, errors.New("api: no node client")
	}
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	keys, err := loadKeys(cfg.Keys)
	if err != nil {
		return nil, err
	}
	if cfg.Trust != nil {
		if err := node.SetTrust(*cfg.Trust); err != nil {
			return nil, fmt.Errorf("api config: trust root: %w", err)
		}
	} else {
		cfg.Logger.Warn("no trust root configured: ?prove=true answers carry their proofs unverified")
	}
	var tlsCfg *tls.Config
	if cfg.TLSCertFile != "" {
		if tlsCfg, err = tlsconfig.Server(cfg.TLSCertFile, cfg.TLSKeyFile); err != nil {
			return nil, fmt.Errorf("api config: %w", err)
		}
	}
	doc, err := assembleOpenAPI(fsys, openapiCore, mods)
	if err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		cfg: cfg, node: node, log: cfg.Logger, keys: keys,
		limiter: newLimiter(), metrics: newMetrics(), txs: newTracker(cfg.TxTrack),
		ctx: ctx, cancel: cancel, tls: tlsCfg, openapiDoc: doc,
		votes: voteVerifier{slot: make(chan struct{}, 1)},
	}
	s.hub = newHub(s)
	s.streams = newStreamSlots(cfg.MaxStreamsPerClient, cfg.MaxStreams)
	if cfg.Influx != nil {
		s.influx = newInflux(*cfg.Influx)
	}
	s.routes = s.routeTable(mods)
	s.mux = http.NewServeMux()
	for _, rt := range s.routes {
		s.mux.Handle(rt.method+" "+rt.pattern, s.wrap(rt))
	}
	s.mux.Handle("/", s.wrap(route{pattern: "/", public: true, h: func(w http.ResponseWriter, r *http.Request) {
		s.problem(w, r, http.StatusNotFound, "not found", fmt.Sprintf("no resource at %s %s; the API is described at /openapi.json", r.Method, r.URL.Path), nil)
	}}))
	s.handler = s.guard(s.mux)
	return s, nil
}

// Handler is the whole API (routes, auth, limits, metrics) as an
// http.Handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Registry is the server's own Prometheus registry.
func (s *Server) Registry() *prometheus.Registry { return s.metrics.reg }

// HTTPServer returns an http.Server for the handler with the configured
// timeouts.
func (s *Server) HTTPServer() *http.Server {
	return &http.Server{
		Addr: s.cfg.Listen, Handler: s.handler,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout, ReadTimeout: s.cfg.ReadTimeout,
		WriteTimeout: s.cfg.WriteTimeout, IdleTimeout: s.cfg.IdleTimeout,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		TLSConfig:      s.tls,
	}
}

// Run serves on cfg.Listen until ctx is cancelled. ready, if not nil,
// receives the bound address once listening.
func (s *Server) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("api listen on %s: %w", s.cfg.Listen, err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves on ln until ctx is cancelled, then shuts down gracefully;
// HTTPS when the config names a TLS certificate.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := s.HTTPServer()
	if s.cfg.Trust != nil {
		go s.refreshTrust(ctx)
	}
	s.log.Info("city API listening", "addr", ln.Addr().String(), "tls", s.tls != nil)
	errc := make(chan error, 1)
	go func() {
		if s.tls != nil {
			errc <- srv.ServeTLS(ln, "", "")
			return
		}
		errc <- srv.Serve(ln)
	}()
	select {
	case err := <-errc:
		_ = s.Close()
		return fmt.Errorf("api serve: %w", err)
	case <-ctx.Done():
	}
	s.cancel() // ends event streams
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	_ = s.Close()
	if err != nil {
		return fmt.Errorf("api shutdown: %w", err)
	}
	return nil
}

// Close stops the event subscription and releases clients.
func (s *Server) Close() error {
	s.cancel()
	s.hub.stop()
	if s.influx != nil {
		s.influx.close()
	}
	return nil
}

// ensureChainID asks the node for its chain id once, under a lock, so the
// client's later reads of it (in Verify) are race-free.
func (s *Server) ensureChainID(ctx context.Context) (string, error) {
	s.chainMu.Lock()
	defer s.chainMu.Unlock()
	if s.chainID != "" {
		return s.chainID, nil
	}
	id, err := s.node.ChainID(ctx)
	if err != nil {
		return "", err
	}
	s.chainID = id
	return id, nil
}
