package devnet

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/keyring"
	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/cmd/citychain/devnet/mqttauth"
	"github.com/citychain/citychain/cmd/citychain/local"
	"github.com/citychain/citychain/edge/agent"
	"github.com/citychain/citychain/settlement"
	"github.com/citychain/citychain/simulators"
)

// System is a running devnet.
type System struct {
	cfg      Config
	Manifest *Manifest
	Node     *node.Node
	Broker   *Broker // nil with an external broker
	MQTTURL  string
	// MQTTObserver and MQTTObserverPassword may read every topic on the
	// broker (the embedded one refuses clients without credentials).
	MQTTObserver, MQTTObserverPassword   string
	Influx                               *local.InfluxDB // nil with an external InfluxDB
	InfluxURL, InfluxToken, InfluxBucket string
	Fleet                                *simulators.Fleet
	Agents                               []*agent.Agent
	Settlement                           *settlement.Service

	intervalSeconds uint64
	mqttPasswords   map[string]string

	cancel  context.CancelFunc
	wg      sync.WaitGroup
	errOnce sync.Once
	err     error
	closers []func() error
}

// Start brings the whole system up and returns once every part runs.
func Start(ctx context.Context, cfg Config) (_ *System, err error) {
	cfg.defaults()
	if cfg.Home == "" {
		return nil, errors.New("devnet: no home directory")
	}
	s := &System{cfg: cfg}
	defer func() {
		if err != nil {
			_ = s.Close()
		}
	}()
	if s.Manifest, err = ensureHome(&cfg); err != nil {
		return nil, err
	}
	log := cfg.Logger

	// The validator.
	if s.Node, err = node.Start(node.Options{Home: cfg.Home, RPCListen: cfg.RPCListen, P2PListen: cfg.P2PListen, CometLogLevel: cfg.CometLogLevel, Logger: log}); err != nil {
		return nil, err
	}
	s.closers = append(s.closers, s.Node.Stop)
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err = s.Node.WaitForHeight(wctx, 1); err != nil {
		return nil, err
	}

	// The MQTT users: one per gateway, settlement, an observer; with an
	// external broker HOME/mqtt/passwd and acl are what it must enforce.
	gateways := Gateways(s.Manifest.Devices, cfg.GatewaySize)
	mf, aclChanged, err := ensureMQTTAuth(cfg.Home, mqttauth.Users{Gateways: gateways, Settlement: []string{SettlementUser}, Observers: []string{ObserverUser}})
	if err != nil {
		return nil, err
	}
	s.mqttPasswords = mf.passwords
	s.MQTTObserver, s.MQTTObserverPassword = ObserverUser, mf.passwords[ObserverUser]
	if aclChanged && cfg.MQTTURL != "" {
		log.Warn("MQTT ACL rewritten (gateways changed); reload it in the external broker", "file", filepath.Join(MQTTDir(cfg.Home), "acl"))
	}

	// The MQTT broker.
	s.MQTTURL = cfg.MQTTURL
	if s.MQTTURL == "" {
		if s.Broker, err = StartBroker(cfg.MQTTListen, BrokerAuth{Passwords: mf.pw, ACL: mf.acl}, log.With("part", "broker")); err != nil {
			return nil, err
		}
		s.closers = append(s.closers, s.Broker.Close)
		s.MQTTURL = s.Broker.URL()
	}

	// InfluxDB.
	s.InfluxURL, s.InfluxToken, s.InfluxBucket = cfg.InfluxURL, cfg.InfluxToken, cfg.InfluxBucket
	if s.InfluxURL == "" {
		port := 0
		if _, p, err := net.SplitHostPort(cfg.InfluxListen); err == nil {
			port, _ = strconv.Atoi(p)
		}
		if s.Influx, err = local.StartInfluxDB(ctx, filepath.Join(cfg.Home, "influxdb"), local.InfluxDBOptions{Port: port, Database: "citychain"}); err != nil {
			return nil, fmt.Errorf("start InfluxDB (run .ci/influxd.sh to build bin/influxd, or pass --influx-url): %w", err)
		}
		s.closers = append(s.closers, s.Influx.Stop)
		s.InfluxURL, s.InfluxToken, s.InfluxBucket = s.Influx.URL, local.Token, s.Influx.Bucket
	}

	// The simulated field devices, on the devnet's continuing clock.
	sim := s.Manifest.SimConfig(cfg.SimBasePort)
	var clock simulators.Clock = simClock{s.Manifest}
	if cfg.Clock != nil {
		// A caller's clock starts the simulation where it stands: a model
		// read before its start time stays at its initial counters.
		clock, sim.Start = cfg.Clock, cfg.Clock.Now()
	}
	if s.Fleet, err = simulators.Start(ctx, sim, simulators.WithClock(clock), simulators.WithLogger(log.With("part", "simulators"))); err != nil {
		return nil, err
	}
	s.closers = append(s.closers, s.Fleet.Close)

	runCtx, runCancel := context.WithCancel(context.Background())
	s.cancel = runCancel

	// The market's prosumers and households.
	c, err := client.New(s.Node.RPCAddress())
	if err != nil {
		return nil, err
	}
	var params struct {
		IntervalSeconds uint64 `json:"interval_seconds"`
	}
	if err := c.QueryJSON(ctx, "/metering/params", nil, &params); err != nil {
		return nil, err
	}
	s.intervalSeconds = params.IntervalSeconds

	// The settlement service, signing with the devnet's settlement key.
	kr, err := keyring.Open(node.KeyringDir(cfg.Home))
	if err != nil {
		return nil, err
	}
	skey, err := kr.Get("settlement")
	if err != nil {
		return nil, err
	}
	if s.Settlement, err = settlement.New(settlement.Config{
		MQTTURL: s.MQTTURL, ClientID: "settle-devnet",
		MQTTUsername: SettlementUser, MQTTPassword: mf.passwords[SettlementUser],
		InfluxURL: s.InfluxURL, InfluxToken: s.InfluxToken, InfluxBucket: s.InfluxBucket,
		MetricsAddr: cfg.SettlementMetrics, Grace: cfg.SettlementGrace,
	}, log.With("part", "settlement"), settlement.Deps{Chain: c, Key: skey.Private}); err != nil {
		return nil, err
	}
	s.closers = append(s.closers, s.Settlement.Close)
	s.goRun(runCtx, "settlement", s.Settlement.Run)
	// Settlement's persistent session must exist before the first reading
	// is published, or a fresh broker has nowhere to keep it.
	select {
	case <-s.Settlement.Ready():
	case <-wctx.Done():
		return nil, fmt.Errorf("devnet: settlement did not subscribe to the broker: %w", wctx.Err())
	}

	// One edge agent per gateway of GatewaySize devices.
	for g, gw := range gateways {
		devs := s.Manifest.Devices[g*cfg.GatewaySize : g*cfg.GatewaySize+len(gw.Devices)]
		a, err := s.newAgent(gw.Name, devs)
		if err != nil {
			return nil, err
		}
		s.Agents = append(s.Agents, a)
		s.closers = append(s.closers, a.Close)
		s.goRun(runCtx, "edge agent", a.Run)
	}

	if !cfg.NoTrader {
		tr, err := s.newTrader(c, params.IntervalSeconds)
		if err != nil {
			return nil, err
		}
		s.goRun(runCtx, "trader", tr.run)
	}
	if !cfg.NoVehicles {
		d, err := s.newDealership(c)
		if err != nil {
			return nil, err
		}
		s.goRun(runCtx, "vehicles", d.run)
	}
	if !cfg.NoCitizen {
		st, err := s.newCitizenStory(c)
		if err != nil {
			return nil, err
		}
		s.goRun(runCtx, "citizen", st.run)
	}
	if !cfg.NoRegistry {
		st, err := s.newRegistryStory(c)
		if err != nil {
			return nil, err
		}
		s.goRun(runCtx, "registry", st.run)
	}
	if !cfg.NoVoting {
		st, err := s.newVotingStory(c)
		if err != nil {
			return nil, err
		}
		s.goRun(runCtx, "voting", st.run)
	}
	if !cfg.NoLabour {
		st, err := s.newLabourStory(c)
		if err != nil {
			return nil, err
		}
		s.goRun(runCtx, "labour", st.run)
	}
	return s, nil
}

// newAgent writes HOME/edge/<gateway>/agent.yaml, a real edge agent
// configuration a person can read and reuse, and loads it.
func (s *System) newAgent(gateway string, devs []ManifestDevice) (*agent.Agent, error) {
	dir := filepath.Join(s.cfg.Home, "edge", gateway)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	ac := AgentConfig{Gateway: gateway, PollInterval: s.cfg.PollInterval, Broker: s.MQTTURL,
		Username: gateway, Password: s.mqttPasswords[gateway]}
	for _, d := range devs {
		sd, ok := s.Fleet.Device(d.ID)
		if !ok {
			return nil, fmt.Errorf("devnet: device %s is registered but not simulated", d.ID)
		}
		ac.Devices = append(ac.Devices, AgentDevice{ManifestDevice: d, Addr: sd.Addr(), UnitID: sd.UnitID()})
	}
	path := filepath.Join(dir, "agent.yaml")
	if err := os.WriteFile(path, []byte(ac.YAML("citychain devnet")), 0o600); err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	cfg, err := agent.LoadConfig(path)
	if err != nil {
		return nil, err
	}
	return agent.New(cfg, s.cfg.Logger.With("part", "edge", "gateway", gateway))
}

// goRun runs fn until the system closes; the first failure is kept.
func (s *System) goRun(ctx context.Context, what string, fn func(context.Context) error) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := fn(ctx); err != nil && ctx.Err() == nil {
			s.errOnce.Do(func() { s.err = fmt.Errorf("%s: %w", what, err) })
			s.cfg.Logger.Error("part failed", "part", what, "err", err)
		}
	}()
}

// Err reports the first part that failed, if any.
func (s *System) Err() error { return s.err }

// Close stops every part, in reverse order of start.
func (s *System) Close() error {
	if s.cancel != nil {
		s.cancel()
	}
	s.wg.Wait()
	var errs []error
	for i := len(s.closers) - 1; i >= 0; i-- {
		if err := s.closers[i](); err != nil {
			errs = append(errs, err)
		}
	}
	s.closers = nil
	return errors.Join(errs...)
}
