// Package config is the edge agent's YAML configuration: the gateway, its
// Modbus devices (SunSpec discovery or a register map given as data), keys,
// the MQTT broker, the outbox and metrics. Load parses strictly (unknown
// keys are errors), fills defaults and validates; errors name the field, the
// value and what was expected. docs/edge-agent.md has an annotated sample.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/citychain/citychain/edge/internal/meter"
	"github.com/citychain/citychain/edge/internal/register"
	"github.com/citychain/citychain/edge/reading"
)

// Config is the whole file.
type Config struct {
	GatewayID     string        `yaml:"gateway_id"`
	PollInterval  time.Duration `yaml:"poll_interval"`  // default 10s
	ModbusTimeout time.Duration `yaml:"modbus_timeout"` // per request, default 3s
	KeyEpoch      uint32        `yaml:"key_epoch"`      // default for devices
	StateDir      string        `yaml:"state_dir"`
	Outbox        Outbox        `yaml:"outbox"`
	MQTT          MQTT          `yaml:"mqtt"`
	Metrics       Metrics       `yaml:"metrics"`
	Devices       []Device      `yaml:"devices"`
}

// Outbox is the durable queue.
type Outbox struct {
	Path     string `yaml:"path"`
	Capacity int    `yaml:"capacity"` // entries, default 100000
}

// MQTT is the broker connection.
type MQTT struct {
	Broker         string        `yaml:"broker"`    // tcp://host:1883, ssl://host:8883
	ClientID       string        `yaml:"client_id"` // default "edge-<gateway_id>"
	Username       string        `yaml:"username"`
	Password       string        `yaml:"password"`
	TLS            TLS           `yaml:"tls"`
	MaxInFlight    int           `yaml:"max_in_flight"`   // default 32
	ReplayRate     float64       `yaml:"replay_rate"`     // readings/s after reconnect, default 100; 0 = default, < 0 = unlimited
	ReplayBurst    int           `yaml:"replay_burst"`    // default = max_in_flight
	PublishTimeout time.Duration `yaml:"publish_timeout"` // wait for PUBACK, default 10s
	ConnectTimeout time.Duration `yaml:"connect_timeout"` // default 10s
	KeepAlive      time.Duration `yaml:"keep_alive"`      // default 30s
	ReconnectMax   time.Duration `yaml:"reconnect_max"`   // backoff cap, default 30s
}

// TLS enables TLS when any file is set (or the broker scheme is ssl/tls/mqtts).
type TLS struct {
	CAFile     string `yaml:"ca_file"`
	CertFile   string `yaml:"cert_file"`
	KeyFile    string `yaml:"key_file"`
	ServerName string `yaml:"server_name"`
}

// Enabled reports whether any TLS setting is present.
func (t TLS) Enabled() bool { return t.CAFile != "" || t.CertFile != "" || t.KeyFile != "" }

// Metrics is the Prometheus endpoint.
type Metrics struct {
	Listen string `yaml:"listen"` // host:port for /metrics; empty disables
}

// Device is one Modbus device.
type Device struct {
	ID       string    `yaml:"id"`
	Kind     string    `yaml:"kind"` // energy_wh | odometer_m
	Address  string    `yaml:"address"`
	UnitID   uint8     `yaml:"unit_id"` // default 1
	KeyFile  string    `yaml:"key_file"`
	KeyEpoch *uint32   `yaml:"key_epoch"` // default: the top-level key_epoch
	SunSpec  bool      `yaml:"sunspec"`
	Base     uint16    `yaml:"sunspec_base"` // default 40000
	Register *Register `yaml:"register"`
}

// Register is a register map entry, used when sunspec is false.
type Register struct {
	Address       uint16  `yaml:"address"`
	Type          string  `yaml:"type"`           // uint16 | int16 | uint32 | acc32
	WordOrder     string  `yaml:"word_order"`     // high_first (default) | low_first
	Scale         int     `yaml:"scale"`          // value = raw × 10^scale
	ScaleRegister *uint16 `yaml:"scale_register"` // int16 sunssf register, overrides scale
}

// Load reads, defaults and validates a file. Relative paths in it are
// resolved against the file's directory.
func Load(path string) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("load config: %w", err)
	}
	c, err := Parse(b)
	if err != nil {
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	c.resolve(filepath.Dir(path))
	return c, nil
}

// Parse decodes YAML strictly, fills defaults and validates.
func Parse(b []byte) (Config, error) {
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return Config{}, fmt.Errorf("parse: %w", err)
	}
	c.defaults()
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

func (c *Config) resolve(dir string) {
	abs := func(p *string) {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(dir, *p)
		}
	}
	abs(&c.StateDir)
	abs(&c.Outbox.Path)
	abs(&c.MQTT.TLS.CAFile)
	abs(&c.MQTT.TLS.CertFile)
	abs(&c.MQTT.TLS.KeyFile)
	for i := range c.Devices {
		abs(&c.Devices[i].KeyFile)
	}
}

func (c *Config) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&c.PollInterval, 10*time.Second)
	def(&c.ModbusTimeout, 3*time.Second)
	def(&c.MQTT.PublishTimeout, 10*time.Second)
	def(&c.MQTT.ConnectTimeout, 10*time.Second)
	def(&c.MQTT.KeepAlive, 30*time.Second)
	def(&c.MQTT.ReconnectMax, 30*time.Second)
	if c.Outbox.Capacity == 0 {
		c.Outbox.Capacity = 100000
	}
	if c.MQTT.ClientID == "" {
		c.MQTT.ClientID = "edge-" + c.GatewayID
	}
	if c.MQTT.MaxInFlight == 0 {
		c.MQTT.MaxInFlight = 32
	}
	if c.MQTT.ReplayRate == 0 {
		c.MQTT.ReplayRate = 100
	}
	if c.MQTT.ReplayBurst == 0 {
		c.MQTT.ReplayBurst = c.MQTT.MaxInFlight
	}
	for i := range c.Devices {
		d := &c.Devices[i]
		if d.UnitID == 0 {
			d.UnitID = 1
		}
		if d.KeyEpoch == nil {
			e := c.KeyEpoch
			d.KeyEpoch = &e
		}
	}
}

func bad(field string, value any, want string) error {
	return fmt.Errorf("%s: got %q, want %s", field, fmt.Sprint(value), want)
}

// Validate checks every field.
func (c Config) Validate() error {
	if err := reading.ValidateDeviceID(c.GatewayID); err != nil {
		return bad("gateway_id", c.GatewayID, "1..64 characters of [a-z0-9._-]")
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"poll_interval", c.PollInterval}, {"modbus_timeout", c.ModbusTimeout},
		{"mqtt.publish_timeout", c.MQTT.PublishTimeout}, {"mqtt.connect_timeout", c.MQTT.ConnectTimeout},
		{"mqtt.keep_alive", c.MQTT.KeepAlive}, {"mqtt.reconnect_max", c.MQTT.ReconnectMax},
	} {
		if d.v < 0 {
			return bad(d.name, d.v, "a positive duration")
		}
	}
	if c.StateDir == "" {
		return bad("state_dir", "", "a directory path")
	}
	if c.Outbox.Path == "" {
		return bad("outbox.path", "", "a directory path")
	}
	if c.Outbox.Capacity < 1 {
		return bad("outbox.capacity", c.Outbox.Capacity, ">= 1")
	}
	u, err := url.Parse(c.MQTT.Broker)
	if err != nil || u.Host == "" {
		return bad("mqtt.broker", c.MQTT.Broker, "a URL such as tcp://host:1883 or ssl://host:8883")
	}
	switch u.Scheme {
	case "tcp", "mqtt", "ssl", "tls", "mqtts", "tcps":
	default:
		return bad("mqtt.broker", c.MQTT.Broker, "scheme tcp, mqtt, ssl, tls, mqtts or tcps")
	}
	if (c.MQTT.TLS.CertFile == "") != (c.MQTT.TLS.KeyFile == "") {
		return bad("mqtt.tls", "cert_file without key_file or the reverse", "both or neither")
	}
	if c.MQTT.MaxInFlight < 1 || c.MQTT.MaxInFlight > 65535 {
		return bad("mqtt.max_in_flight", c.MQTT.MaxInFlight, "1..65535")
	}
	if c.MQTT.ReplayBurst < 1 {
		return bad("mqtt.replay_burst", c.MQTT.ReplayBurst, ">= 1")
	}
	if c.Metrics.Listen != "" {
		if _, _, err := net.SplitHostPort(c.Metrics.Listen); err != nil {
			return bad("metrics.listen", c.Metrics.Listen, "host:port or empty")
		}
	}
	if len(c.Devices) == 0 {
		return errors.New("devices: empty, want at least one device")
	}
	seen := map[string]bool{}
	for i, d := range c.Devices {
		f := fmt.Sprintf("devices[%d]", i)
		if err := reading.ValidateDeviceID(d.ID); err != nil {
			return bad(f+".id", d.ID, "1..64 characters of [a-z0-9._-]")
		}
		f = fmt.Sprintf("devices[%d] (%s)", i, d.ID)
		if seen[d.ID] {
			return bad(f+".id", d.ID, "a unique id")
		}
		seen[d.ID] = true
		if _, err := reading.ParseKind(d.Kind); err != nil {
			return bad(f+".kind", d.Kind, "energy_wh or odometer_m")
		}
		if _, _, err := net.SplitHostPort(d.Address); err != nil {
			return bad(f+".address", d.Address, "host:port")
		}
		if d.KeyFile == "" {
			return bad(f+".key_file", "", "the path of a key made by `edge-agent keygen`")
		}
		if d.SunSpec == (d.Register != nil) {
			return bad(f, "sunspec and register", "exactly one of sunspec: true or a register map")
		}
		if d.Register != nil {
			if _, err := d.Meter(c.ModbusTimeout); err != nil {
				return fmt.Errorf("%s.register: %w", f, err)
			}
		}
	}
	return nil
}

// Meter returns the meter configuration of a device.
func (d Device) Meter(timeout time.Duration) (meter.Config, error) {
	mc := meter.Config{Address: d.Address, UnitID: d.UnitID, Timeout: timeout, SunSpec: d.SunSpec, SunSpecBase: d.Base}
	if d.Register != nil {
		mc.Register = meter.RegisterMap{
			Address:       d.Register.Address,
			Type:          register.Type(d.Register.Type),
			WordOrder:     register.WordOrder(d.Register.WordOrder),
			Scale:         d.Register.Scale,
			ScaleRegister: d.Register.ScaleRegister,
		}
		if err := mc.Register.Validate(); err != nil {
			return meter.Config{}, err
		}
	}
	return mc, nil
}
