// Package settlement is the relay between the MQTT broker and the chain.
//
// It consumes signed readings from an MQTT shared subscription
// ($share/<group>/citychain/v1/readings/+, QoS 1, persistent session,
// manual acknowledgements), verifies each against the on-chain device
// registry, drops duplicates of (device, seq), rejects forged, replayed,
// rolled-back and otherwise invalid readings with a reason, and stores the
// rest in InfluxDB. A message is acknowledged only once its reading is
// durably handled: written to InfluxDB, or definitively rejected and
// counted. For every closed settlement interval it rebuilds the RFC 6962
// Merkle tree of the interval's stored readings (settlement/merkle),
// submits the last reading of each device to the chain and anchors the root
// only once every one of them is accounted for: on chain (resubmitted with a
// fresh sequence until it is), or refused by the chain for good and
// recorded for the audit. The chain is the source of truth for what is
// settled, so a restarted or second replica neither loses nor
// double-anchors an interval.
//
// See docs/settlement.md.
package settlement

import (
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/edge/tlsconfig"
	"github.com/citychain/citychain/settlement/internal/registry"
	"github.com/citychain/citychain/settlement/internal/store"
)

// Config configures one settlement replica. Zero durations and sizes take
// the defaults named on each field.
type Config struct {
	// MQTTURL is the broker, tcp://host:port, or ssl://host:port (also
	// mqtts://, tls://) for MQTT over TLS.
	MQTTURL string
	// MQTTCAFile is the PEM CA bundle that verifies a TLS broker [the
	// system's roots]; MQTTCertFile and MQTTKeyFile, both or neither, are
	// a client certificate for brokers that require one. Any of them needs
	// a TLS URL. MQTTServerName overrides the name checked in the broker's
	// certificate [the URL's host].
	MQTTCAFile, MQTTCertFile, MQTTKeyFile, MQTTServerName string
	// Group is the shared-subscription group ["settle"]: replicas of one
	// group split the readings between them.
	Group string
	// ClientID identifies this replica's persistent MQTT session; it must be
	// stable across restarts and unique per replica [settle-<hostname>].
	ClientID string
	// MQTTUsername and MQTTPassword authenticate to the broker, if needed.
	MQTTUsername, MQTTPassword string

	// InfluxURL, InfluxToken, InfluxOrg and InfluxBucket locate the store
	// (InfluxDB 1.8: bucket "database/retention", any token, no org).
	InfluxURL, InfluxToken, InfluxOrg, InfluxBucket string
	// Measurement holds the readings ["readings"].
	Measurement string

	// Workers verify readings in parallel; a device always goes to the same
	// worker, so its readings keep their order [GOMAXPROCS].
	Workers int
	// QueueSize bounds readings received but not yet verified, per worker
	// [16384].
	QueueSize int
	// BatchSize bounds readings per InfluxDB write [5000].
	BatchSize int
	// FlushInterval is how long a batch waits to fill [10ms].
	FlushInterval time.Duration
	// RetryMin and RetryMax bound the backoff between retries of InfluxDB
	// writes and chain requests [100ms, 5s].
	RetryMin, RetryMax time.Duration

	// DeviceTTL is how long a device's registry entry is trusted before it
	// is asked again [30s]; devices.* events on chain invalidate entries at
	// once. Negative: ask the chain for every reading.
	DeviceTTL time.Duration
	// UnknownDeviceTTL is how long "not registered" is remembered [5s].
	UnknownDeviceTTL time.Duration

	// Grace is how long after an interval ends its readings may still
	// arrive; the interval is settled after it [10s]. A replica also waits
	// Grace after starting before settling (its backlog arrives first).
	Grace time.Duration
	// Lookback bounds how far back unsettled intervals are looked for after
	// a start, and the state rebuilt from InfluxDB [48h].
	Lookback time.Duration
	// Tick is how often closed intervals are looked for [1s].
	Tick time.Duration
	// TxTimeout bounds the wait for one transaction's inclusion before it is
	// resubmitted [30s].
	TxTimeout time.Duration
	// NoAnchor disables settling (ingest only).
	NoAnchor bool

	// MetricsAddr, if set, serves /metrics there (host:port).
	MetricsAddr string
	// TLSCertFile and TLSKeyFile, both or neither, serve /metrics over
	// HTTPS.
	TLSCertFile, TLSKeyFile string
}

func (c *Config) setDefaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	if c.Group == "" {
		c.Group = "settle"
	}
	if c.ClientID == "" {
		host, _ := os.Hostname()
		c.ClientID = "settle-" + host
	}
	if c.Workers <= 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	if c.QueueSize <= 0 {
		c.QueueSize = 16384
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 5000
	}
	def(&c.FlushInterval, 10*time.Millisecond)
	def(&c.RetryMin, 100*time.Millisecond)
	def(&c.RetryMax, 5*time.Second)
	def(&c.DeviceTTL, 30*time.Second)
	def(&c.UnknownDeviceTTL, 5*time.Second)
	def(&c.Grace, 10*time.Second)
	def(&c.Lookback, 48*time.Hour)
	def(&c.Tick, time.Second)
	def(&c.TxTimeout, 30*time.Second)
}

func (c *Config) validate() error {
	var errs []error
	if c.MQTTURL == "" {
		errs = append(errs, errors.New("settlement: MQTTURL: want tcp://host:port of the broker"))
	}
	if strings.ContainsAny(c.Group, "/+#") {
		errs = append(errs, fmt.Errorf("settlement: group %q: want no '/', '+' or '#'", c.Group))
	}
	if c.InfluxURL == "" || c.InfluxBucket == "" {
		errs = append(errs, errors.New("settlement: InfluxURL and InfluxBucket are required"))
	}
	if (c.MQTTCertFile == "") != (c.MQTTKeyFile == "") {
		errs = append(errs, fmt.Errorf("settlement: MQTT client certificate %q and key %q: want both files or neither", c.MQTTCertFile, c.MQTTKeyFile))
	}
	if (c.TLSCertFile == "") != (c.TLSKeyFile == "") {
		errs = append(errs, fmt.Errorf("settlement: metrics TLS certificate %q and key %q: want both files or neither", c.TLSCertFile, c.TLSKeyFile))
	}
	if c.MQTTURL != "" {
		if u, err := url.Parse(c.MQTTURL); err != nil || u.Host == "" {
			errs = append(errs, fmt.Errorf("settlement: MQTTURL %q: want tcp://host:port or ssl://host:port", c.MQTTURL))
		} else if !tlsScheme[u.Scheme] && u.Scheme != "tcp" && u.Scheme != "mqtt" {
			errs = append(errs, fmt.Errorf("settlement: MQTTURL %q: scheme %q; want tcp, mqtt, ssl, tls or mqtts", c.MQTTURL, u.Scheme))
		} else if !tlsScheme[u.Scheme] && (c.MQTTCAFile != "" || c.MQTTCertFile != "" || c.MQTTServerName != "") {
			errs = append(errs, fmt.Errorf("settlement: MQTTURL %q is plain MQTT but TLS files are set; want ssl://%s", c.MQTTURL, u.Host))
		}
	}
	if c.RetryMax < c.RetryMin {
		errs = append(errs, fmt.Errorf("settlement: RetryMax %s below RetryMin %s", c.RetryMax, c.RetryMin))
	}
	return errors.Join(errs...)
}

// tlsScheme lists the broker URL schemes that mean MQTT over TLS.
var tlsScheme = map[string]bool{"ssl": true, "tls": true, "mqtts": true, "tcps": true}

// mqttTLS builds the broker TLS configuration; nil for a plain URL.
func (c *Config) mqttTLS() (*tls.Config, error) {
	u, err := url.Parse(c.MQTTURL)
	if err != nil || !tlsScheme[u.Scheme] {
		return nil, nil
	}
	serverName := c.MQTTServerName
	if serverName == "" {
		serverName = u.Hostname()
	}
	t, err := tlsconfig.Client(serverName, c.MQTTCAFile, c.MQTTCertFile, c.MQTTKeyFile)
	if err != nil {
		return nil, fmt.Errorf("settlement: MQTT %w", err)
	}
	return t, nil
}

// checkBrokerTLS makes one TLS handshake with the broker so that a
// certificate the configuration cannot verify is reported at once, not
// retried for ever as if the broker were down. Network errors are left
// to the MQTT client's retries.
func (s *Service) checkBrokerTLS(ctx context.Context) error {
	if s.mqttTLS == nil {
		return nil
	}
	u, err := url.Parse(s.cfg.MQTTURL)
	if err != nil {
		return err
	}
	d := tls.Dialer{Config: s.mqttTLS}
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	c, err := d.DialContext(dctx, "tcp", u.Host)
	if err == nil {
		return c.Close()
	}
	var verr *tls.CertificateVerificationError
	var rerr tls.AlertError
	switch {
	case errors.As(err, &verr):
		return fmt.Errorf("settlement: MQTT broker %s: its certificate does not verify against the MQTT CA (%s): %w", s.cfg.MQTTURL, orSystem(s.cfg.MQTTCAFile), err)
	case errors.As(err, &rerr):
		return fmt.Errorf("settlement: MQTT broker %s refused the TLS handshake (a client certificate it trusts needed?): %w", s.cfg.MQTTURL, err)
	}
	s.log.Warn("mqtt TLS check failed; the client keeps retrying", "broker", s.cfg.MQTTURL, "err", err)
	return nil
}

func orSystem(caFile string) string {
	if caFile == "" {
		return "the system's roots"
	}
	return caFile
}

// Deps are the service's connections.
type Deps struct {
	// Chain is the node's RPC client.
	Chain *client.Client
	// Key signs the service's transactions; its account must hold role
	// settlement to anchor (ingest alone needs no key).
	Key ed25519.PrivateKey
}

// Service is one settlement replica.
type Service struct {
	cfg   Config
	log   *slog.Logger
	chain *client.Client
	key   ed25519.PrivateKey
	store *store.Store
	reg   *registry.Cache
	m     *metrics

	params chainParams

	mqttTLS    *tls.Config // nil: plain MQTT
	metricsTLS *tls.Config // nil: plain HTTP

	// sealMu orders ingest writes against settling: a writer holds it for
	// reading from its lateness check until its write completes; settling
	// takes it to advance sealedBelow.
	sealMu      sync.RWMutex
	sealedBelow uint64 // intervals below are closed to new readings (0: not yet known)
	anchors     *anchorCache

	// storeFailing is set while InfluxDB writes fail; storeBackAt is when
	// they began to succeed again (unix nanoseconds). Settling waits Grace
	// after that, as after a start: the readings the outage held back (in
	// the writer's retry, the verification queue, unacknowledged at the
	// broker) arrive first, instead of finding their interval sealed.
	storeFailing atomic.Bool
	storeBackAt  atomic.Int64

	ready     chan struct{} // closed once the broker acknowledged the subscription
	readyOnce sync.Once
	closeOnce sync.Once
}

// New validates cfg and builds a service; it does no I/O.
func New(cfg Config, logger *slog.Logger, deps Deps) (*Service, error) {
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if deps.Chain == nil {
		return nil, errors.New("settlement: no chain client")
	}
	if !cfg.NoAnchor && len(deps.Key) != ed25519.PrivateKeySize {
		return nil, errors.New("settlement: anchoring needs the settlement key (or set NoAnchor)")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	mqttTLS, err := cfg.mqttTLS()
	if err != nil {
		return nil, err
	}
	var metricsTLS *tls.Config
	if cfg.TLSCertFile != "" {
		if metricsTLS, err = tlsconfig.Server(cfg.TLSCertFile, cfg.TLSKeyFile); err != nil {
			return nil, fmt.Errorf("settlement: metrics %w", err)
		}
	}
	st, err := store.New(store.Config{URL: cfg.InfluxURL, Token: cfg.InfluxToken, Org: cfg.InfluxOrg, Bucket: cfg.InfluxBucket, Measurement: cfg.Measurement})
	if err != nil {
		return nil, err
	}
	s := &Service{
		cfg: cfg, log: logger, chain: deps.Chain, key: deps.Key, store: st,
		m: newMetrics(), anchors: newAnchorCache(), ready: make(chan struct{}),
		mqttTLS: mqttTLS, metricsTLS: metricsTLS,
	}
	deviceTTL := cfg.DeviceTTL
	if deviceTTL < 0 {
		deviceTTL = 0
	}
	s.reg = registry.New(chainDevices{deps.Chain}, deviceTTL, cfg.UnknownDeviceTTL)
	return s, nil
}

// Handler serves the service's metrics (Prometheus text format).
func (s *Service) Handler() http.Handler { return s.m.handler() }

// Ready is closed once the broker has acknowledged the service's
// subscription: from then on readings published are delivered to it (or to
// its persistent session while it is away).
func (s *Service) Ready() <-chan struct{} { return s.ready }

// Stats returns the service's counters.
func (s *Service) Stats() Stats { return s.m.stats() }

// Run consumes, verifies, stores and settles readings until ctx ends. It
// returns nil when ctx is cancelled; messages not yet handled are left
// unacknowledged, for the broker to deliver again.
func (s *Service) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var err error
	if s.params, err = retry(ctx, s, "read metering params", func() (chainParams, error) { return fetchParams(ctx, s.chain) }); err != nil {
		return nil
	}
	s.log.Info("settlement starting", "client_id", s.cfg.ClientID, "group", s.cfg.Group,
		"interval_seconds", s.params.IntervalSeconds, "workers", s.cfg.Workers)

	if s.cfg.MetricsAddr != "" {
		ln, err := net.Listen("tcp", s.cfg.MetricsAddr)
		if err != nil {
			return fmt.Errorf("settlement metrics on %s: %w", s.cfg.MetricsAddr, err)
		}
		srv := &http.Server{Handler: s.metricsMux(), ReadHeaderTimeout: 5 * time.Second, TLSConfig: s.metricsTLS}
		go func() {
			if s.metricsTLS != nil {
				_ = srv.ServeTLS(ln, "", "")
				return
			}
			_ = srv.Serve(ln)
		}()
		defer srv.Close()
	}

	in, err := s.startIngest(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); s.watchDevices(ctx) }()
	if !s.cfg.NoAnchor {
		wg.Add(1)
		go func() { defer wg.Done(); s.settleLoop(ctx) }()
	}
	<-ctx.Done()
	in.stop()
	wg.Wait()
	s.log.Info("settlement stopped", "client_id", s.cfg.ClientID)
	return nil
}

func (s *Service) metricsMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/metrics", s.Handler())
	mux.HandleFunc("/readyz", s.readyz)
	return mux
}

// readyz answers 200 once the service's subscription exists at the broker
// (its persistent session then keeps every reading published from that
// moment), 503 before: start the edge agents of a fresh broker after it.
func (s *Service) readyz(w http.ResponseWriter, _ *http.Request) {
	select {
	case <-s.ready:
		w.Write([]byte("ready: subscribed\n"))
	default:
		http.Error(w, "not ready: not subscribed to the broker yet", http.StatusServiceUnavailable)
	}
}

// Close releases the InfluxDB client. Call it after Run returned.
func (s *Service) Close() error {
	s.closeOnce.Do(s.store.Close)
	return nil
}

// retry calls f until it succeeds or ctx ends, backing off between
// attempts and logging failures.
func retry[T any](ctx context.Context, s *Service, what string, f func() (T, error)) (T, error) {
	wait := s.cfg.RetryMin
	for {
		v, err := f()
		if err == nil {
			return v, nil
		}
		if ctx.Err() != nil {
			return v, ctx.Err()
		}
		s.log.Warn(what+" failed; retrying", "err", err, "in", wait)
		select {
		case <-ctx.Done():
			return v, ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, s.cfg.RetryMax)
	}
}
