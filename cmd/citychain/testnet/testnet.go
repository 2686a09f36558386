// Package testnet runs a real multi-process citychain network on one
// machine: N validators as `citychain node` processes whose CometBFT P2P
// links go through loopback relays (so a validator's links can be cut),
// Mosquitto with persistence and a user per gateway (cmd/citychain/devnet/mqttauth), InfluxDB, `citychain settle`, `citychain sim`
// (the simulated inverters and EVs registered in genesis), one `edge-agent`
// per gateway reaching the broker through a relay, and `citychain api`.
// Every port is a free loopback port; every log is in Dir/logs. Starting it
// again on the same directory continues the same chain. `citychain testnet
// run` and `make testnet-up` run it; the fault suite (deploy/faults) breaks
// it.
package testnet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/cometbft/cometbft/p2p"

	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/cmd/citychain/devnet"
	"github.com/citychain/citychain/cmd/citychain/devnet/mqttauth"
	"github.com/citychain/citychain/cmd/citychain/local"
)

// ChainID is the chain id of a testnet.
const ChainID = "citychain-testnet"

// GatewaySize is how many devices share one edge agent.
const GatewaySize = 5

// Config configures a network. Zero values take the defaults in brackets.
type Config struct {
	// Dir holds everything: homes, logs (Dir/logs/<name>.log), data.
	Dir string
	// Validators [4].
	Validators int
	// Inverters and EVs are simulated and registered in genesis [8, 2].
	Inverters, EVs int
	// IntervalSeconds is the settlement interval in genesis [20].
	IntervalSeconds uint64
	// Speed is simulated seconds per real second [60].
	Speed float64
	// TimeoutCommit is CometBFT's timeout_commit [500ms].
	TimeoutCommit time.Duration
	// Bin holds the citychain and edge-agent binaries [<repo>/bin; make
	// build makes them].
	Bin    string
	Logger *slog.Logger
}

func (c *Config) defaults() error {
	if c.Dir == "" {
		return errors.New("testnet: Dir: want a directory for the network")
	}
	abs, err := filepath.Abs(c.Dir)
	if err != nil {
		return fmt.Errorf("testnet: Dir %q: %w", c.Dir, err)
	}
	c.Dir = abs
	if c.Validators == 0 {
		c.Validators = 4
	}
	if c.Validators < 1 {
		return fmt.Errorf("testnet: Validators %d: want at least 1", c.Validators)
	}
	if c.Inverters == 0 && c.EVs == 0 {
		c.Inverters, c.EVs = 8, 2
	}
	if c.Inverters < 0 || c.EVs < 0 {
		return fmt.Errorf("testnet: Inverters %d, EVs %d: want 0 or more each", c.Inverters, c.EVs)
	}
	if c.IntervalSeconds == 0 {
		c.IntervalSeconds = 20
	}
	if c.Speed == 0 {
		c.Speed = 60
	}
	if c.TimeoutCommit == 0 {
		c.TimeoutCommit = 500 * time.Millisecond
	}
	if c.Bin == "" {
		root, err := local.FindRepoRoot()
		if err != nil {
			return fmt.Errorf("testnet: Bin not set: %w", err)
		}
		c.Bin = filepath.Join(root, "bin")
	}
	for _, b := range []string{"citychain", "edge-agent"} {
		if st, err := os.Stat(filepath.Join(c.Bin, b)); err != nil || st.Mode()&0o111 == 0 {
			return fmt.Errorf("testnet: Bin %s: no executable %s (run make build)", c.Bin, b)
		}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// Network is a running testnet.
type Network struct {
	Validators []*Validator
	Mosquitto  *local.Mosquitto
	Influx     *local.InfluxDB
	Settlement *Proc // citychain settle
	Sims       *Proc // citychain sim
	Agents     []*Agent
	API        *Proc // citychain api
	// APIURL is the city API and dashboard, http://127.0.0.1:PORT.
	APIURL  string
	ChainID string
	// Keys is the keyring directory with the demo accounts.
	Keys                      string
	InfluxToken, InfluxBucket string
	IntervalSeconds           uint64
	// MQTTObserver and MQTTObserverPassword may read every topic on the
	// broker (which refuses anonymous clients); each gateway and
	// settlement has its own user (Dir/mqtt).
	MQTTObserver, MQTTObserverPassword string
	// Manifest is the simulated world (devices, owners, simulated clock).
	Manifest *devnet.Manifest

	cfg    Config
	relays []*relay
	// rpcRelay leads clients (settlement, API) to the first validator
	// that accepts a connection.
	rpcRelay *relay
	// simListen is each simulated device's address.
	simListen     map[string]string
	mqttPasswords map[string]string
}

// state is what Dir remembers about its network (Dir/testnet.json).
type state struct {
	Validators int              `json:"validators"`
	World      *devnet.Manifest `json:"world"`
}

func statePath(dir string) string { return filepath.Join(dir, "testnet.json") }

func homeOf(dir string, i int) string { return filepath.Join(dir, "node"+strconv.Itoa(i)) }

// ensureDir creates the network on first use: device keys, validator
// homes, a genesis registering the devices, Dir/testnet.json.
func ensureDir(c *Config) (*state, error) {
	if b, err := os.ReadFile(statePath(c.Dir)); err == nil {
		var st state
		if err := json.Unmarshal(b, &st); err != nil || st.World == nil {
			return nil, fmt.Errorf("testnet state %s: not a testnet state file (%v)", statePath(c.Dir), err)
		}
		if st.Validators != c.Validators {
			return nil, fmt.Errorf("testnet: Validators %d: %s holds a network of %d validators", c.Validators, c.Dir, st.Validators)
		}
		return &st, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("testnet state: %w", err)
	}
	if _, err := os.Stat(homeOf(c.Dir, 0)); err == nil {
		return nil, fmt.Errorf("testnet: %s holds validator homes but no testnet.json; use an empty Dir", c.Dir)
	}
	m, regs, owners, err := devnet.CreateDevices(c.Dir, c.Inverters, c.EVs, c.Speed)
	if err != nil {
		return nil, err
	}
	if err := node.Testnet(c.Dir, node.TestnetOptions{
		Validators: c.Validators, ChainID: ChainID, TimeoutCommit: c.TimeoutCommit,
		IntervalSeconds: c.IntervalSeconds, Devices: regs, DeviceOwners: owners, Households: devnet.HouseholdNames(),
	}); err != nil {
		return nil, err
	}
	st := &state{Validators: c.Validators, World: m}
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(statePath(c.Dir), b, 0o600); err != nil {
		return nil, fmt.Errorf("write testnet state: %w", err)
	}
	return st, nil
}

// Start creates the network in cfg.Dir unless it exists, starts every
// process and returns once every validator has produced blocks and the
// first readings are stored in InfluxDB.
func Start(ctx context.Context, cfg Config) (_ *Network, err error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	st, err := ensureDir(&cfg)
	if err != nil {
		return nil, err
	}
	logs := filepath.Join(cfg.Dir, "logs")
	if err := os.MkdirAll(logs, 0o700); err != nil {
		return nil, err
	}
	n := &Network{
		ChainID: ChainID, Keys: filepath.Join(cfg.Dir, "keys"), Manifest: st.World, cfg: cfg,
	}
	defer func() {
		if err != nil {
			_ = n.Close()
		}
	}()
	log := cfg.Logger
	citychain := filepath.Join(cfg.Bin, "citychain")

	// Validators: fresh loopback ports and relays on every start; each
	// home's config.toml is rewritten to match.
	if err := n.startValidators(ctx, citychain, logs); err != nil {
		return nil, err
	}
	wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := n.waitBlocks(wctx); err != nil {
		return nil, err
	}
	var params struct {
		IntervalSeconds uint64 `json:"interval_seconds"`
	}
	if err := queryJSON(wctx, n.Validators[0].RPCURL, "/metering/params", &params); err != nil {
		return nil, err
	}
	n.IntervalSeconds = params.IntervalSeconds
	log.Info("validators producing blocks", "validators", len(n.Validators))

	// The broker and InfluxDB.
	// The broker's users: one per gateway, settlement and an observer
	// (passwords in Dir/mqtt/credentials.json); anonymous clients get
	// nothing.
	gateways := devnet.Gateways(n.Manifest.Devices, GatewaySize)
	auth, err := devnet.EnsureMQTTAuth(cfg.Dir, mqttauth.Users{
		Gateways: gateways, Settlement: []string{devnet.SettlementUser}, Observers: []string{devnet.ObserverUser},
	})
	if err != nil {
		return nil, err
	}
	n.mqttPasswords = auth.Passwords
	n.MQTTObserver, n.MQTTObserverPassword = devnet.ObserverUser, auth.Passwords[devnet.ObserverUser]
	if n.Mosquitto, err = local.StartMosquitto(ctx, filepath.Join(cfg.Dir, "mosquitto"), local.MosquittoOptions{
		AutosaveChanges: 1, PasswordFile: auth.PasswordFile, ACLFile: auth.ACLFile,
	}); err != nil {
		return nil, err
	}
	linkLog(logs, "mosquitto.log", n.Mosquitto.LogPath())
	if n.Influx, err = local.StartInfluxDB(ctx, filepath.Join(cfg.Dir, "influxdb"), local.InfluxDBOptions{Database: "citychain"}); err != nil {
		return nil, fmt.Errorf("start InfluxDB (run .ci/influxd.sh to build bin/influxd): %w", err)
	}
	linkLog(logs, "influxd.log", n.Influx.LogPath())
	n.InfluxToken, n.InfluxBucket = local.Token, n.Influx.Bucket

	// Clients reach "a validator" through a relay to the first one up.
	var rpcAddrs []string
	for _, v := range n.Validators {
		rpcAddrs = append(rpcAddrs, strings.TrimPrefix(v.RPCURL, "http://"))
	}
	if n.rpcRelay, err = newRelay(rpcAddrs...); err != nil {
		return nil, err
	}
	n.relays = append(n.relays, n.rpcRelay)
	clientRPC := "http://" + n.rpcRelay.Addr()

	before, err := n.readingCount(ctx)
	if err != nil {
		return nil, err
	}

	// The simulated devices, continuing the world's clock and counters.
	if err := n.startSims(ctx, citychain, logs); err != nil {
		return nil, err
	}

	// Settlement, signing with the settlement key.
	metrics, err := freeAddr()
	if err != nil {
		return nil, err
	}
	n.Settlement = newProc("settlement", citychain, []string{
		"--home", cfg.Dir, "--node", clientRPC, "settle", "--from", "settlement",
		"--mqtt", n.Mosquitto.URL(), "--client-id", "settle-testnet",
		"--mqtt-username", devnet.SettlementUser,
		"--influx-url", n.Influx.URL, "--influx-bucket", n.Influx.Bucket,
		"--metrics-addr", metrics,
	}, filepath.Join(logs, "settlement.log"), func(ctx context.Context) bool {
		// Subscribed, not just serving: a reading an agent publishes before
		// settlement's session exists at a fresh broker goes nowhere.
		return httpOK(ctx, "http://"+metrics+"/readyz")
	})
	// Its secrets from the environment, as a systemd EnvironmentFile gives
	// them (deploy/prod), not on the command line.
	n.Settlement.p.SetEnv("CITYCHAIN_MQTT_PASSWORD="+auth.Passwords[devnet.SettlementUser], "CITYCHAIN_INFLUX_TOKEN="+local.Token)
	if err := n.Settlement.Start(ctx); err != nil {
		return nil, err
	}

	// One edge agent per gateway.
	if err := n.startAgents(ctx, logs, gateways); err != nil {
		return nil, err
	}

	// The city API.
	apiAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	n.APIURL = "http://" + apiAddr
	n.API = newProc("api", citychain, []string{
		"--node", clientRPC, "api", "--listen", apiAddr, "--anonymous-reads", "--anonymous-rate", "50",
		"--influx-url", n.Influx.URL, "--influx-token", local.Token, "--influx-bucket", n.Influx.Bucket,
		"--trust-genesis", node.GenesisFile(homeOf(cfg.Dir, 0)), // ?prove=true verifies from the network's genesis
	}, filepath.Join(logs, "api.log"), func(ctx context.Context) bool { return httpOK(ctx, n.APIURL+"/healthz") })
	if err := n.API.Start(ctx); err != nil {
		return nil, err
	}

	if err := n.waitReadings(wctx, before); err != nil {
		return nil, err
	}
	log.Info("testnet running", "dir", cfg.Dir)
	return n, nil
}

func (n *Network) startValidators(ctx context.Context, citychain, logs string) error {
	cfg := n.cfg
	type ports struct{ rpc, p2p string }
	ps := make([]ports, cfg.Validators)
	ids := make([]string, cfg.Validators)
	for i := range ps {
		var err error
		if ps[i].rpc, err = freeAddr(); err != nil {
			return err
		}
		if ps[i].p2p, err = freeAddr(); err != nil {
			return err
		}
		nk, err := p2p.LoadNodeKey(filepath.Join(homeOf(cfg.Dir, i), "config", "node_key.json"))
		if err != nil {
			return fmt.Errorf("testnet: validator %d: %w", i, err)
		}
		ids[i] = string(nk.ID())
		n.Validators = append(n.Validators, &Validator{Home: homeOf(cfg.Dir, i), RPCURL: "http://" + ps[i].rpc, Index: i})
	}
	// A relay per ordered pair (from, to): from's persistent peer entry for
	// to points at it.
	for i, v := range n.Validators {
		var peers []string
		for j := range n.Validators {
			if j == i {
				continue
			}
			r, err := newRelay(ps[j].p2p)
			if err != nil {
				return err
			}
			n.relays = append(n.relays, r)
			v.relays = append(v.relays, r)
			n.Validators[j].relays = append(n.Validators[j].relays, r)
			peers = append(peers, ids[j]+"@"+r.Addr())
		}
		if _, _, err := node.InitValidator(node.ValidatorHome{
			Home: v.Home, Moniker: "validator" + strconv.Itoa(i),
			RPCListen: "tcp://" + ps[i].rpc, P2PListen: "tcp://" + ps[i].p2p,
			PersistentPeers: strings.Join(peers, ","), TimeoutCommit: cfg.TimeoutCommit, LocalNetwork: true,
		}); err != nil {
			return err
		}
	}
	for i, v := range n.Validators {
		rpc := v.RPCURL
		v.Proc = newProc("validator"+strconv.Itoa(i), citychain, []string{"--home", v.Home, "node", "--log-level", "error"},
			filepath.Join(logs, "validator"+strconv.Itoa(i)+".log"),
			func(ctx context.Context) bool { return httpOK(ctx, rpc+"/status") })
		if err := v.Start(ctx); err != nil {
			return err
		}
	}
	return nil
}

// waitBlocks waits until every validator has committed a block past the
// height it started at.
func (n *Network) waitBlocks(ctx context.Context) error {
	for _, v := range n.Validators {
		h0, err := Height(ctx, v.RPCURL)
		if err != nil {
			return err
		}
		if err := poll(ctx, 100*time.Millisecond, func() bool {
			h, err := Height(ctx, v.RPCURL)
			return err == nil && h > h0 && h >= 2
		}); err != nil {
			return fmt.Errorf("validator %d produces no blocks: %w\n%s", v.Index, err, tail(v.LogPath(), 20))
		}
	}
	return nil
}

func (n *Network) startSims(ctx context.Context, citychain, logs string) error {
	m := n.Manifest
	listen := map[string]string{}
	n.simListen = listen
	for _, d := range m.Devices {
		a, err := freeAddr()
		if err != nil {
			return err
		}
		listen[d.ID] = a
	}
	path := filepath.Join(n.cfg.Dir, "sim.yaml")
	n.Sims = newProc("sims", citychain, []string{"sim", "--config", path, "--log-level", "warn"},
		filepath.Join(logs, "sims.log"), func(ctx context.Context) bool {
			for _, a := range listen {
				var d net.Dialer
				c, err := d.DialContext(ctx, "tcp", a)
				if err != nil {
					return false
				}
				c.Close()
			}
			return true
		})
	n.Sims.prepare = func() error {
		sc, err := m.SimConfigAt(m.Now(), func(id string) string { return listen[id] })
		if err != nil {
			return err
		}
		return os.WriteFile(path, []byte(simYAML(sc)), 0o600)
	}
	return n.Sims.Start(ctx)
}

func (n *Network) startAgents(ctx context.Context, logs string, gateways []mqttauth.Gateway) error {
	m := n.Manifest
	agentBin := filepath.Join(n.cfg.Bin, "edge-agent")
	addrs := n.simListen
	for g, gwu := range gateways {
		gw := gwu.Name
		r, err := newRelay(n.Mosquitto.Addr)
		if err != nil {
			return err
		}
		n.relays = append(n.relays, r)
		metrics, err := freeAddr()
		if err != nil {
			return err
		}
		ac := devnet.AgentConfig{
			Gateway: gw, PollInterval: 2 * time.Second, Broker: "tcp://" + r.Addr(), ReconnectMax: 2 * time.Second, MetricsListen: metrics,
			Username: gw, Password: n.mqttPasswords[gw],
		}
		a := &Agent{Gateway: gw, broker: r}
		for _, d := range m.Devices[g*GatewaySize : g*GatewaySize+len(gwu.Devices)] {
			ac.Devices = append(ac.Devices, devnet.AgentDevice{ManifestDevice: d, Addr: addrs[d.ID], UnitID: 1})
			a.Devices = append(a.Devices, d.ID)
		}
		dir := filepath.Join(n.cfg.Dir, "edge", gw)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
		path := filepath.Join(dir, "agent.yaml")
		if err := os.WriteFile(path, []byte(ac.YAML("deploy/testnet")), 0o600); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		a.Proc = newProc("agent-"+gw, agentBin, []string{"run", "--config", path}, filepath.Join(logs, "agent-"+gw+".log"),
			func(ctx context.Context) bool { return httpOK(ctx, "http://"+metrics+"/metrics") })
		if err := a.Start(ctx); err != nil {
			return err
		}
		n.Agents = append(n.Agents, a)
	}
	return nil
}

// readingCount is how many readings InfluxDB holds.
func (n *Network) readingCount(ctx context.Context) (int64, error) {
	q := n.Influx.URL + "/query?" + url.Values{"db": {n.Influx.Database}, "q": {"SELECT count(seq) FROM readings"}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, q, nil)
	if err != nil {
		return 0, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("count readings: %w", err)
	}
	defer res.Body.Close()
	var out struct {
		Results []struct {
			Series []struct {
				Values [][]any `json:"values"`
			} `json:"series"`
			Error string `json:"error"`
		} `json:"results"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		return 0, fmt.Errorf("count readings: %w", err)
	}
	if res.StatusCode != http.StatusOK || len(out.Results) == 0 || out.Results[0].Error != "" {
		return 0, fmt.Errorf("count readings: status %d %+v", res.StatusCode, out.Results)
	}
	for _, s := range out.Results[0].Series {
		if len(s.Values) > 0 && len(s.Values[0]) > 1 {
			if f, ok := s.Values[0][1].(float64); ok {
				return int64(f), nil
			}
		}
	}
	return 0, nil // no readings yet
}

// waitReadings waits until InfluxDB holds more than before readings.
func (n *Network) waitReadings(ctx context.Context, before int64) error {
	err := poll(ctx, 200*time.Millisecond, func() bool {
		c, err := n.readingCount(ctx)
		return err == nil && c > before
	})
	if err != nil {
		return fmt.Errorf("no new readings stored: %w\n%s", err, tail(n.Settlement.LogPath(), 20))
	}
	return nil
}

// RPC is the RPC URL of a validator that is running.
func (n *Network) RPC() string {
	for _, v := range n.Validators {
		if v.Proc != nil && v.Running() {
			return v.RPCURL
		}
	}
	return n.Validators[0].RPCURL
}

// Dir is the network's directory.
func (n *Network) Dir() string { return n.cfg.Dir }

// Procs lists every process of the network (validators, sims, settlement,
// agents, API), for checks that none is left behind.
func (n *Network) Procs() []*Proc {
	var ps []*Proc
	for _, v := range n.Validators {
		if v.Proc != nil {
			ps = append(ps, v.Proc)
		}
	}
	for _, p := range []*Proc{n.Sims, n.Settlement} {
		if p != nil {
			ps = append(ps, p)
		}
	}
	for _, a := range n.Agents {
		if a.Proc != nil {
			ps = append(ps, a.Proc)
		}
	}
	if n.API != nil {
		ps = append(ps, n.API)
	}
	return ps
}

// Close stops everything, in reverse order of start, and waits.
func (n *Network) Close() error {
	procs, nv := n.Procs(), countValidators(n)
	errs := []error{stopAll(procs[nv:])}
	if n.Influx != nil {
		errs = append(errs, n.Influx.Stop())
	}
	if n.Mosquitto != nil {
		errs = append(errs, n.Mosquitto.Stop())
	}
	errs = append(errs, stopAll(procs[:nv]))
	for _, r := range n.relays {
		_ = r.Close()
	}
	n.relays = nil
	return errors.Join(errs...)
}

func countValidators(n *Network) int {
	c := 0
	for _, v := range n.Validators {
		if v.Proc != nil {
			c++
		}
	}
	return c
}

func freeAddr() (string, error) {
	p, err := local.FreePort()
	if err != nil {
		return "", err
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(p)), nil
}

// linkLog makes logs/name point at a service's own log file.
func linkLog(logs, name, target string) {
	p := filepath.Join(logs, name)
	_ = os.Remove(p)
	_ = os.Symlink(target, p)
}

// tail is the last n lines of a log file, for error messages.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
