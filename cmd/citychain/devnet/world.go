package devnet

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/cmd/citychain/devnet/mqttauth"
	"github.com/citychain/citychain/edge/agent"
	"github.com/citychain/citychain/simulators"
)

// The simulated world of a devnet, exported for other ways of running the
// same system (cmd/citychain/testnet runs each part as its own process): device
// keys and their registrations, the manifest, the simulators' config and the
// edge agents' configuration files.

// HouseholdNames are the key names of the households, extra citizen
// accounts a devnet or testnet genesis funds.
func HouseholdNames() []string { return householdNames() }

// CreateDevices generates the simulated world in dir: a key per device in
// dir/devices (inverters then EVs, as simulators.Generate names them) and
// the manifest remembering it, not yet written. It returns the manifest,
// each device's genesis registration and the key name of its owner
// (prosumerNN for an inverter, driverNN for an EV).
func CreateDevices(dir string, inverters, evs int, speed float64) (*Manifest, []tx.MsgDeviceRegister, []string, error) {
	now := time.Now().UTC()
	seoul := time.FixedZone("KST", 9*3600)
	// Simulated time starts at 06:00 in Seoul today, so a demo sees sunrise.
	y, mo, d := now.In(seoul).Date()
	m := &Manifest{
		Created: now, SimStart: time.Date(y, mo, d, 6, 0, 0, 0, seoul), Speed: speed, Seed: 1,
		Inverters: inverters, EVs: evs,
	}
	if err := os.MkdirAll(filepath.Join(dir, "devices"), 0o700); err != nil {
		return nil, nil, nil, err
	}
	var regs []tx.MsgDeviceRegister
	var owners []string
	sim := simulators.Generate(inverters, evs, "127.0.0.1", 0, speed, m.Seed)
	for i, d := range sim.Devices {
		keyFile := filepath.Join(dir, "devices", d.ID+".key")
		pub, err := agent.GenerateKey(keyFile)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("device key %s: %w", d.ID, err)
		}
		md := ManifestDevice{ID: d.ID, KeyFile: keyFile}
		reg := tx.MsgDeviceRegister{ID: d.ID, PubKey: tx.PubKey(pub)}
		if d.Kind == simulators.KindSolarInverter {
			md.Kind, md.Owner = tx.KindSolarInverter, fmt.Sprintf("prosumer%02d", i+1)
			reg.Metadata = tx.DeviceMetadata{SerialNumber: d.ID, Manufacturer: "citychain-sim", Model: "SunSpec 103", RatedPowerW: uint64(d.RatedPowerW), Site: "Seoul"}
		} else {
			md.Kind, md.Owner = tx.KindEVOdometer, fmt.Sprintf("driver%02d", i-inverters+1)
			reg.Metadata = tx.DeviceMetadata{SerialNumber: d.ID, Manufacturer: "citychain-sim", Model: "EV odometer unit"}
		}
		reg.Kind = md.Kind
		regs = append(regs, reg)
		owners = append(owners, md.Owner)
		m.Devices = append(m.Devices, md)
	}
	return m, regs, owners, nil
}

// ReadManifest reads a manifest written by Manifest.Write.
func ReadManifest(path string) (*Manifest, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("devnet manifest: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("devnet manifest %s: %w", path, err)
	}
	return &m, nil
}

// Write saves the manifest at path.
func (m *Manifest) Write(path string) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return fmt.Errorf("write devnet manifest: %w", err)
	}
	return nil
}

// Now is the world's simulated time: it continues across restarts
// (SimStart + Speed × the real time since Created).
func (m *Manifest) Now() time.Time { return simClock{m}.Now() }

// SimConfig is the simulators' config of the world, each device on its own
// port from basePort (0: free ports), starting at SimStart with meters that
// were in service before (a lifetime counter of zero is SunSpec's "not
// implemented" for acc32, so no real inverter reads 0).
func (m *Manifest) SimConfig(basePort int) simulators.Config {
	sim := simulators.Generate(m.Inverters, m.EVs, "127.0.0.1", basePort, m.Speed, m.Seed)
	sim.Start = m.SimStart
	for i := range sim.Devices {
		d := &sim.Devices[i]
		if d.Kind == simulators.KindSolarInverter {
			d.InitialWh = 1_000_000 + uint64(i)*137_000
		} else {
			d.InitialOdometerM = 12_000_000 + uint32(i)*731_000
		}
	}
	return sim
}

// SimConfigAt is SimConfig moved to simulated time at: it starts at at, and
// every meter starts from what it reads then under SimConfig, so a
// simulator process restarted with it continues the counters (they never
// go back). listen gives each device's address by id.
func (m *Manifest) SimConfigAt(at time.Time, listen func(id string) string) (simulators.Config, error) {
	base := m.SimConfig(0)
	oracle, err := simulators.New(base)
	if err != nil {
		return simulators.Config{}, err
	}
	cfg := base
	cfg.Start = at
	cfg.Devices = append([]simulators.DeviceConfig(nil), base.Devices...)
	for i := range cfg.Devices {
		d := &cfg.Devices[i]
		od, ok := oracle.Device(d.ID)
		if !ok {
			return simulators.Config{}, fmt.Errorf("simulated device %s missing", d.ID)
		}
		c := od.ReadAt(at).Counter
		if d.Kind == simulators.KindSolarInverter {
			d.InitialWh = c
		} else {
			d.InitialOdometerM = uint32(c)
		}
		d.Listen = listen(d.ID)
	}
	return cfg, nil
}

// AgentConfig is an edge agent's configuration file.
type AgentConfig struct {
	Gateway      string
	PollInterval time.Duration
	// Broker is the MQTT URL; Username and Password are optional.
	Broker, Username, Password string
	ReconnectMax               time.Duration // [5s]
	// MetricsListen, if set, serves the agent's /metrics.
	MetricsListen string
	Devices       []AgentDevice
}

// AgentDevice is one device an agent polls.
type AgentDevice struct {
	ManifestDevice
	Addr   string // Modbus TCP host:port
	UnitID uint8
}

// YAML is the configuration file (docs/edge-agent.md); state and outbox
// live next to it.
func (c AgentConfig) YAML(by string) string {
	if c.ReconnectMax == 0 {
		c.ReconnectMax = 5 * time.Second
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Written by %s for gateway %s.\n", by, c.Gateway)
	fmt.Fprintf(&b, "gateway_id: %s\npoll_interval: %s\nkey_epoch: 1\nstate_dir: state\n", c.Gateway, c.PollInterval)
	fmt.Fprintf(&b, "outbox:\n  path: outbox\nmqtt:\n  broker: %s\n  reconnect_max: %s\n", c.Broker, c.ReconnectMax)
	if c.Username != "" {
		fmt.Fprintf(&b, "  username: %q\n  password: %q\n", c.Username, c.Password)
	}
	if c.MetricsListen != "" {
		fmt.Fprintf(&b, "metrics:\n  listen: %s\n", c.MetricsListen)
	}
	b.WriteString("devices:\n")
	for _, d := range c.Devices {
		fmt.Fprintf(&b, "  - id: %s\n    address: %s\n    unit_id: %d\n    key_file: %s\n", d.ID, d.Addr, d.UnitID, d.KeyFile)
		if d.Kind == tx.KindSolarInverter {
			b.WriteString("    kind: energy_wh\n    sunspec: true\n")
		} else {
			// The EV odometer unit's map: docs/ev-odometer-registers.md.
			b.WriteString("    kind: odometer_m\n    register:\n      address: 1004\n      type: uint32\n      word_order: high_first\n")
		}
	}
	return b.String()
}

// MQTTAuth is a home's broker users: their clear-text passwords and the
// password_file and acl_file enforcing them (in MQTTDir(home)).
type MQTTAuth struct {
	Passwords             map[string]string
	PasswordFile, ACLFile string
}

// EnsureMQTTAuth makes sure MQTTDir(home) holds a password for every user
// (new ones random), a password file verifying them and the ACL for users,
// as a devnet start does; for cmd/citychain/testnet's Mosquitto.
func EnsureMQTTAuth(home string, users mqttauth.Users) (*MQTTAuth, error) {
	f, _, err := ensureMQTTAuth(home, users)
	if err != nil {
		return nil, err
	}
	dir := MQTTDir(home)
	return &MQTTAuth{Passwords: f.passwords, PasswordFile: filepath.Join(dir, "passwd"), ACLFile: filepath.Join(dir, "acl")}, nil
}
