// Package devnet runs the whole citychain system on one machine with
// embedded defaults: a single validator, an embedded MQTT broker (or an
// external one), InfluxDB (a local influxd, or an external server),
// simulated inverters and vehicles registered as devices, their edge agents
// and the settlement service. `citychain devnet` and `make demo` run it.
package devnet

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/simulators"
)

// Config configures a devnet. Zero values take the defaults in brackets.
type Config struct {
	Home string
	// RPCListen and P2PListen are the node's addresses [tcp://127.0.0.1:26657].
	RPCListen, P2PListen string
	TimeoutCommit        time.Duration
	CometLogLevel        string

	// MQTTURL selects an external broker; empty runs the embedded one on
	// MQTTListen [127.0.0.1:1883].
	MQTTURL, MQTTListen string
	// InfluxURL selects an external InfluxDB (with InfluxToken and
	// InfluxBucket); empty runs bin/influxd on InfluxListen [127.0.0.1:8086].
	InfluxURL, InfluxToken, InfluxBucket, InfluxListen string

	// Inverters [20] and EVs [5] are simulated and registered at creation.
	Inverters, EVs int
	// SimBasePort is the first simulator port [5020]; 0 picks free ports.
	SimBasePort int
	// Speed is simulated seconds per real second [60].
	Speed float64
	// PollInterval is the edge agents' poll interval [2s].
	PollInterval time.Duration
	// GatewaySize is how many devices share one edge agent [5].
	GatewaySize int
	// IntervalSeconds is the settlement interval set in a new genesis [30].
	IntervalSeconds uint64

	// SettlementMetrics, if set, serves the settlement service's /metrics.
	SettlementMetrics string
	// SettlementGrace is how long after an interval ends settlement waits
	// for late readings [settlement's default, 10s].
	SettlementGrace time.Duration

	// NoTrader turns off the simulated market participants.
	NoTrader bool
	// NoVehicles turns off the vehicle story (registration of the EVs,
	// subsidies, battery records and one dealer sale; see DemoVIN).
	NoVehicles bool
	// NoCitizen turns off the citizen story (card, residency credential,
	// certificate, facility entries, a verifier refused, a revocation: see
	// citizen.go).
	NoCitizen bool
	// NoRegistry turns off the registry story (the registries shipped in
	// deploy/registries proposed, enabled and used: see registry_story.go).
	NoRegistry bool
	// NoVoting turns off the direct democracy story (100 synthetic
	// citizens, a proposal past two thresholds, an election with three
	// trustees: see voting_story.go).
	NoVoting bool
	// NoLabour turns off the part-time pay and public-works story (the
	// shop's late pay day paid with interest, a contract's milestone paying
	// a subcontractor directly and a day worker from the labour pool: see
	// labour_story.go).
	NoLabour bool

	// Clock, when set, drives the simulators instead of the devnet's
	// continuing scaled clock (tests use a manual clock).
	Clock simulators.Clock

	// Out receives the per-interval report lines.
	Out    io.Writer
	Logger *slog.Logger
}

func (c *Config) defaults() {
	if c.RPCListen == "" {
		c.RPCListen = "tcp://127.0.0.1:26657"
	}
	if c.MQTTListen == "" {
		c.MQTTListen = "127.0.0.1:1883"
	}
	if c.InfluxListen == "" {
		c.InfluxListen = "127.0.0.1:8086"
	}
	if c.Inverters == 0 && c.EVs == 0 {
		c.Inverters, c.EVs = 20, 5
	}
	if c.Speed == 0 {
		c.Speed = 60
	}
	if c.PollInterval == 0 {
		c.PollInterval = 2 * time.Second
	}
	if c.GatewaySize == 0 {
		c.GatewaySize = 5
	}
	if c.IntervalSeconds == 0 {
		c.IntervalSeconds = node.DevnetInterval
	}
	if c.Out == nil {
		c.Out = io.Discard
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// Manifest is what a devnet home remembers about its simulated world, so a
// restarted devnet continues the same devices on the same simulated clock
// (their counters never go back).
type Manifest struct {
	Created   time.Time        `json:"created"`
	SimStart  time.Time        `json:"sim_start"`
	Speed     float64          `json:"speed"`
	Seed      int64            `json:"seed"`
	Inverters int              `json:"inverters"`
	EVs       int              `json:"evs"`
	Devices   []ManifestDevice `json:"devices"`
}

// ManifestDevice is one simulated, registered device.
type ManifestDevice struct {
	ID      string `json:"id"`
	Kind    string `json:"kind"` // chain kind
	Owner   string `json:"owner"`
	KeyFile string `json:"key_file"`
}

func manifestPath(home string) string { return filepath.Join(home, "devnet.json") }

// ensureHome creates the devnet home on first use: device keys, the
// manifest, and a genesis registering the devices.
func ensureHome(c *Config) (*Manifest, error) {
	if b, err := os.ReadFile(manifestPath(c.Home)); err == nil {
		var m Manifest
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("devnet manifest %s: %w", manifestPath(c.Home), err)
		}
		return &m, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("devnet manifest: %w", err)
	}
	if _, err := os.Stat(node.GenesisFile(c.Home)); err == nil {
		return nil, fmt.Errorf("%s holds a chain but no devnet manifest; use an empty --home", c.Home)
	}
	m, regs, owners, err := CreateDevices(c.Home, c.Inverters, c.EVs, c.Speed)
	if err != nil {
		return nil, err
	}
	if _, err := node.EnsureDevnet(c.Home, node.DevnetOptions{
		RPCListen: c.RPCListen, P2PListen: c.P2PListen, TimeoutCommit: c.TimeoutCommit,
		IntervalSeconds: c.IntervalSeconds, Devices: regs, DeviceOwners: owners, Households: householdNames(),
	}); err != nil {
		return nil, err
	}
	if err := m.Write(manifestPath(c.Home)); err != nil {
		return nil, err
	}
	return m, nil
}

// simClock is the devnet's simulated time: it continues across restarts.
type simClock struct {
	m *Manifest
}

func (s simClock) Now() time.Time {
	elapsed := time.Since(s.m.Created)
	return s.m.SimStart.Add(time.Duration(float64(elapsed) * s.m.Speed))
}
