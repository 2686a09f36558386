// Package agent is the edge agent (gateway): one poller per Modbus device
// turns meter values into signed readings (sequence state persisted before
// signing) and appends them to the durable outbox, and the publisher drains
// the outbox to MQTT with QoS 1. It also serves /metrics. It imports
// nothing from chain, settlement or api; cmd/edge-agent is its only user.
package agent

import (
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/citychain/citychain/edge/internal/config"
	"github.com/citychain/citychain/edge/internal/keyfile"
	"github.com/citychain/citychain/edge/internal/meter"
	"github.com/citychain/citychain/edge/internal/outbox"
	"github.com/citychain/citychain/edge/internal/publisher"
	"github.com/citychain/citychain/edge/internal/state"
	"github.com/citychain/citychain/edge/reading"
	"github.com/citychain/citychain/edge/tlsconfig"
)

// Agent is one gateway.
type Agent struct {
	cfg     config.Config
	log     *slog.Logger
	now     func() time.Time
	reg     *prometheus.Registry
	m       metrics
	outbox  *outbox.Outbox
	store   *state.Store
	pub     *publisher.Publisher
	devices []*device
	alarm   atomic.Bool

	metricsLn net.Listener
	closeOnce sync.Once
}

// device is one polled device; its fields are used only by its poller.
type device struct {
	id    string
	kind  reading.Kind
	epoch uint32
	key   ed25519.PrivateKey
	meter *meter.Meter
	st    state.Device
}

// New validates cfg, loads keys and state, opens the outbox and binds the
// metrics listener. It does not poll or connect until Run.
func New(cfg Config, logger *slog.Logger) (*Agent, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("edge agent config: %w", err)
	}
	a := &Agent{cfg: cfg, log: logger, now: time.Now, reg: prometheus.NewRegistry()}
	ok := false
	defer func() {
		if !ok {
			a.Close()
		}
	}()
	var err error
	if a.store, err = state.Open(cfg.StateDir); err != nil {
		return nil, err
	}
	if a.outbox, err = outbox.Open(cfg.Outbox.Path, cfg.Outbox.Capacity, logger); err != nil {
		return nil, err
	}
	for _, dc := range cfg.Devices {
		d := &device{id: dc.ID, epoch: *dc.KeyEpoch}
		d.kind, _ = reading.ParseKind(dc.Kind) // validated
		if d.key, err = keyfile.Load(dc.KeyFile); err != nil {
			return nil, fmt.Errorf("device %s: %w", dc.ID, err)
		}
		mc, err := dc.Meter(cfg.ModbusTimeout)
		if err != nil {
			return nil, fmt.Errorf("device %s: %w", dc.ID, err)
		}
		if d.meter, err = meter.New(mc); err != nil {
			return nil, fmt.Errorf("device %s: %w", dc.ID, err)
		}
		if d.st, err = a.store.Load(dc.ID); err != nil {
			return nil, err
		}
		a.devices = append(a.devices, d)
		logger.Info("device loaded", "device", d.id, "kind", d.kind, "address", dc.Address,
			"public_key", fmt.Sprintf("%x", d.key.Public()), "key_epoch", d.epoch, "last_seq", d.st.Seq)
	}
	tlsCfg, err := tlsConfig(cfg.MQTT.TLS)
	if err != nil {
		return nil, err
	}
	a.m = newMetrics(a.reg, a.outbox, &a.alarm)
	a.pub, err = publisher.New(publisher.Config{
		Broker: cfg.MQTT.Broker, ClientID: cfg.MQTT.ClientID, Username: cfg.MQTT.Username, Password: cfg.MQTT.Password,
		TLS: tlsCfg, GatewayID: cfg.GatewayID, MaxInFlight: cfg.MQTT.MaxInFlight,
		ReplayRate: cfg.MQTT.ReplayRate, ReplayBurst: cfg.MQTT.ReplayBurst,
		PublishTimeout: cfg.MQTT.PublishTimeout, ConnectTimeout: cfg.MQTT.ConnectTimeout,
		KeepAlive: cfg.MQTT.KeepAlive, ReconnectMax: cfg.MQTT.ReconnectMax,
	}, a.outbox, logger, a.reg)
	if err != nil {
		return nil, err
	}
	if cfg.Metrics.Listen != "" {
		if a.metricsLn, err = net.Listen("tcp", cfg.Metrics.Listen); err != nil {
			return nil, fmt.Errorf("metrics listen %s: %w", cfg.Metrics.Listen, err)
		}
	}
	ok = true
	return a, nil
}

func tlsConfig(t config.TLS) (*tls.Config, error) {
	if !t.Enabled() && t.ServerName == "" {
		return nil, nil
	}
	c, err := tlsconfig.Client(t.ServerName, t.CAFile, t.CertFile, t.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("mqtt.tls: %w", err)
	}
	return c, nil
}

// MetricsAddr is the bound metrics address ("" if disabled).
func (a *Agent) MetricsAddr() string {
	if a.metricsLn == nil {
		return ""
	}
	return a.metricsLn.Addr().String()
}

// MetricsHandler serves the agent's registry in Prometheus text format.
func (a *Agent) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(a.reg, promhttp.HandlerOpts{})
}

// Run polls, publishes and serves metrics until ctx is cancelled.
func (a *Agent) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var srv *http.Server
	if a.metricsLn != nil {
		mux := http.NewServeMux()
		mux.Handle("/metrics", a.MetricsHandler())
		srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := srv.Serve(a.metricsLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				a.log.Error("metrics server", "err", err)
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		a.pub.Run(ctx)
	}()
	for _, d := range a.devices {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a.pollLoop(ctx, d)
		}()
	}
	<-ctx.Done()
	if srv != nil {
		sctx, scancel := context.WithTimeout(context.Background(), 2*time.Second)
		srv.Shutdown(sctx)
		scancel()
	}
	wg.Wait()
	return nil
}

// Close releases the Modbus connections and the metrics listener.
func (a *Agent) Close() error {
	a.closeOnce.Do(func() {
		for _, d := range a.devices {
			d.meter.Close()
		}
		if a.metricsLn != nil {
			a.metricsLn.Close()
		}
	})
	return nil
}

// Config is the agent's configuration (the YAML file).
type Config = config.Config

// LoadConfig reads, defaults and validates a YAML config file.
func LoadConfig(path string) (Config, error) { return config.Load(path) }

// GenerateKey creates a device key file (mode 0600, must not exist) and
// returns the public key to register.
func GenerateKey(path string) (ed25519.PublicKey, error) { return keyfile.Generate(path) }

// LoadKey reads a device key file written by GenerateKey (a workplace
// terminal's key signs clock events with it).
func LoadKey(path string) (ed25519.PrivateKey, error) { return keyfile.Load(path) }
