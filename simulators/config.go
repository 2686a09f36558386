package simulators

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"regexp"
	"time"

	"gopkg.in/yaml.v3"
)

// Kind is the kind of simulated device.
type Kind string

// Device kinds.
const (
	KindSolarInverter Kind = "solar_inverter"
	KindEVOdometer    Kind = "ev_odometer"
)

// Defaults applied by Config.withDefaults.
const (
	DefaultSpeed       = 1.0
	DefaultRatedPowerW = 10_000
	DefaultUnitID      = 1
	DefaultListen      = "127.0.0.1:0"
	defaultInitialSoC  = 800 // ‰
)

// Config describes a fleet of simulated devices; it is the YAML file of
// `citychain sim --config`. See docs/simulators.md for a sample.
type Config struct {
	// Speed is simulated seconds per real second (0: DefaultSpeed).
	Speed float64 `yaml:"speed"`
	// Start is the simulated time at start-up; its zone is the devices'
	// local time for daylight and daily trips. Zero: the wall clock at New,
	// in UTC+09:00.
	Start time.Time `yaml:"start"`
	// Devices lists the simulated devices.
	Devices []DeviceConfig `yaml:"devices"`
}

// DeviceConfig describes one simulated device.
type DeviceConfig struct {
	Kind Kind   `yaml:"kind"`
	ID   string `yaml:"id"`
	// Listen is "host:port". Empty: a listener of its own on 127.0.0.1:0.
	// Devices with the same non-empty Listen share one listener and must
	// have distinct unit ids (this holds for "127.0.0.1:0" too: one port).
	Listen string `yaml:"listen"`
	// UnitID is the Modbus unit id, 1..247 (0: 1).
	UnitID uint8 `yaml:"unit_id"`
	// Seed drives the production curve or the trip profile.
	Seed int64 `yaml:"seed"`

	// Solar inverter.
	RatedPowerW int64  `yaml:"rated_power_w"` // AC rating (0: 10 kW)
	InitialWh   uint64 `yaml:"initial_wh"`    // lifetime energy at Start
	Serial      string `yaml:"serial"`        // model 1 SN (default ID)

	// EV odometer.
	VIN              string `yaml:"vin"`                // 17 characters (default derived from seed)
	InitialOdometerM uint32 `yaml:"initial_odometer_m"` // odometer at Start, metres

	// Fault is one fault, applied at Start+Fault.After.
	Fault *Fault `yaml:"fault"`
	// Faults is a schedule of faults.
	Faults []Fault `yaml:"faults"`
}

// FaultMode names a fault.
type FaultMode string

// Fault modes. Exception, slow, timeout and drop are communication faults:
// they last until cleared (or for Fault.Duration). Rollback and reset change
// the counter once, at the moment they are applied.
const (
	FaultNone      FaultMode = ""
	FaultException FaultMode = "exception" // reply with a Modbus exception (Code)
	FaultSlow      FaultMode = "slow"      // reply after Delay
	FaultTimeout   FaultMode = "timeout"   // read requests, never reply
	FaultDrop      FaultMode = "drop"      // close the connection on each request
	FaultRollback  FaultMode = "rollback"  // counter -= Amount (tampering)
	FaultReset     FaultMode = "reset"     // counter = 0, firmware version +1 (firmware swap)
)

// Fault is a fault to inject.
type Fault struct {
	Mode FaultMode `yaml:"mode"`
	// Code is the exception code for FaultException (0: 4, server device failure).
	Code uint8 `yaml:"code"`
	// Delay is the real-time reply delay for FaultSlow.
	Delay time.Duration `yaml:"delay"`
	// Amount is what FaultRollback takes off the counter: Wh or metres.
	Amount uint64 `yaml:"amount"`
	// After is, in a config schedule, the simulated time after Start when
	// the fault begins. Device.SetFault ignores it.
	After time.Duration `yaml:"after"`
	// Duration is, in a config schedule, how long (simulated) a
	// communication fault lasts; 0 means until cleared.
	Duration time.Duration `yaml:"duration"`
}

func (m FaultMode) comm() bool {
	return m == FaultException || m == FaultSlow || m == FaultTimeout || m == FaultDrop
}

// ErrConfig is wrapped by every configuration error.
var ErrConfig = errors.New("invalid simulator config")

// LoadConfig reads, strictly decodes and validates a YAML config file.
func LoadConfig(path string) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("read simulator config: %w", err)
	}
	cfg, err := ParseConfig(b)
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// ParseConfig strictly decodes (unknown fields are errors) and validates a
// YAML config.
func ParseConfig(b []byte) (Config, error) {
	var cfg Config
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		return Config{}, fmt.Errorf("%w: decode yaml: %w", ErrConfig, err)
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

var (
	idPattern  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)
	vinPattern = regexp.MustCompile(`^[A-HJ-NPR-Z0-9]{17}$`)
)

// Validate checks the config; errors name the device, the field, the value
// and what was expected.
func (c Config) Validate() error {
	if !(c.Speed >= 0 && c.Speed <= 1e6) { // also rejects NaN
		return fmt.Errorf("%w: speed %v, want 0..1e6", ErrConfig, c.Speed)
	}
	if len(c.Devices) == 0 {
		return fmt.Errorf("%w: no devices", ErrConfig)
	}
	ids := make(map[string]bool)
	type slot struct {
		listen string
		unit   uint8
	}
	units := make(map[slot]string)
	for i, d := range c.Devices {
		if err := d.validate(); err != nil {
			return fmt.Errorf("%w: device %d (%q): %w", ErrConfig, i, d.ID, err)
		}
		if ids[d.ID] {
			return fmt.Errorf("%w: device %d: id %q used twice", ErrConfig, i, d.ID)
		}
		ids[d.ID] = true
		if d.Listen != "" {
			s := slot{d.Listen, d.unitID()}
			if other, ok := units[s]; ok {
				return fmt.Errorf("%w: devices %q and %q share listen %q with the same unit_id %d; want distinct unit ids",
					ErrConfig, other, d.ID, d.Listen, s.unit)
			}
			units[s] = d.ID
		}
	}
	return nil
}

func (d DeviceConfig) unitID() uint8 {
	if d.UnitID == 0 {
		return DefaultUnitID
	}
	return d.UnitID
}

func (d DeviceConfig) validate() error {
	if !idPattern.MatchString(d.ID) {
		return fmt.Errorf("id %q: want 1-32 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit", d.ID)
	}
	if d.Listen != "" {
		if _, _, err := net.SplitHostPort(d.Listen); err != nil {
			return fmt.Errorf("listen %q: want host:port: %w", d.Listen, err)
		}
	}
	if d.UnitID > 247 {
		return fmt.Errorf("unit_id %d: want 1..247", d.UnitID)
	}
	switch d.Kind {
	case KindSolarInverter:
		if d.RatedPowerW != 0 && (d.RatedPowerW < 100 || d.RatedPowerW > 100_000_000) {
			return fmt.Errorf("rated_power_w %d: want 100..100000000 (0 for %d)", d.RatedPowerW, DefaultRatedPowerW)
		}
		if len(d.Serial) > 32 {
			return fmt.Errorf("serial %q: want at most 32 ASCII characters", d.Serial)
		}
		if !isPrintableASCII(d.Serial) {
			return fmt.Errorf("serial %q: want printable ASCII", d.Serial)
		}
		if d.VIN != "" || d.InitialOdometerM != 0 {
			return fmt.Errorf("vin/initial_odometer_m set on a %s; they are for %s", d.Kind, KindEVOdometer)
		}
	case KindEVOdometer:
		if d.VIN != "" && !vinPattern.MatchString(d.VIN) {
			return fmt.Errorf("vin %q: want 17 characters of 0-9 and A-Z without I, O, Q", d.VIN)
		}
		if d.RatedPowerW != 0 || d.InitialWh != 0 || d.Serial != "" {
			return fmt.Errorf("rated_power_w/initial_wh/serial set on a %s; they are for %s", d.Kind, KindSolarInverter)
		}
	default:
		return fmt.Errorf("kind %q: want %q or %q", d.Kind, KindSolarInverter, KindEVOdometer)
	}
	for i, f := range d.faults() {
		if err := f.validate(); err != nil {
			return fmt.Errorf("fault %d: %w", i, err)
		}
	}
	return nil
}

// faults returns Fault followed by Faults.
func (d DeviceConfig) faults() []Fault {
	var fs []Fault
	if d.Fault != nil {
		fs = append(fs, *d.Fault)
	}
	return append(fs, d.Faults...)
}

func (f Fault) validate() error {
	switch f.Mode {
	case FaultException:
	case FaultSlow:
		if f.Delay <= 0 {
			return fmt.Errorf("mode slow: delay %v, want > 0", f.Delay)
		}
	case FaultTimeout, FaultDrop, FaultReset:
	case FaultRollback:
		if f.Amount == 0 {
			return fmt.Errorf("mode rollback: amount 0, want > 0")
		}
	default:
		return fmt.Errorf("mode %q: want exception, slow, timeout, drop, rollback or reset", f.Mode)
	}
	if f.After < 0 {
		return fmt.Errorf("after %v, want >= 0", f.After)
	}
	if f.Duration < 0 || (f.Duration != 0 && !f.Mode.comm()) {
		return fmt.Errorf("duration %v for mode %s, want >= 0 and only for exception, slow, timeout, drop", f.Duration, f.Mode)
	}
	return nil
}

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7E {
			return false
		}
	}
	return true
}

// Generate builds the config of `citychain sim --inverters N --evs N`:
// inverters on host:basePort, basePort+1, ..., then the EV units on the
// following ports, each on its own listener with unit id 1, seeds derived
// from seed, ratings cycling through 5, 7.5, 10 and 12.5 kW.
func Generate(inverters, evs int, host string, basePort int, speed float64, seed int64) Config {
	cfg := Config{Speed: speed}
	port := basePort
	listen := func() string {
		if basePort == 0 {
			return ""
		}
		s := net.JoinHostPort(host, fmt.Sprint(port))
		port++
		return s
	}
	for i := range inverters {
		cfg.Devices = append(cfg.Devices, DeviceConfig{
			Kind:        KindSolarInverter,
			ID:          fmt.Sprintf("inv-%03d", i+1),
			Listen:      listen(),
			UnitID:      1,
			Seed:        seed + int64(i),
			RatedPowerW: 5000 + int64(i%4)*2500,
		})
	}
	for i := range evs {
		cfg.Devices = append(cfg.Devices, DeviceConfig{
			Kind:   KindEVOdometer,
			ID:     fmt.Sprintf("ev-%03d", i+1),
			Listen: listen(),
			UnitID: 1,
			Seed:   seed + 1000 + int64(i),
		})
	}
	return cfg
}
