package simulators

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestDocumentedSample parses the YAML sample in docs/simulators.md, so the
// documentation cannot drift from the decoder.
func TestDocumentedSample(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "simulators.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllSubmatch(doc, -1)
	if len(blocks) == 0 {
		t.Fatal("no ```yaml block in docs/simulators.md")
	}
	cfg, err := ParseConfig(blocks[0][1])
	if err != nil {
		t.Fatalf("documented sample: %v", err)
	}
	if cfg.Speed != 60 || len(cfg.Devices) < 4 {
		t.Fatalf("documented sample: got speed %v and %d devices", cfg.Speed, len(cfg.Devices))
	}
	inv := cfg.Devices[0]
	if inv.Kind != KindSolarInverter || inv.RatedPowerW != 10_000 {
		t.Fatalf("first device: got %+v", inv)
	}
	var sawSchedule bool
	for _, d := range cfg.Devices {
		for _, f := range d.faults() {
			sawSchedule = sawSchedule || f.After > 0
		}
	}
	if !sawSchedule {
		t.Fatal("documented sample has no scheduled fault")
	}
}

func TestLoadConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sim.yaml")
	yaml := `speed: 3600
start: 2025-06-21T05:00:00+09:00
devices:
  - kind: solar_inverter
    id: roof-1
    listen: 127.0.0.1:0
    unit_id: 3
    seed: 9
    rated_power_w: 6000
    fault: {mode: slow, delay: 250ms, after: 2h, duration: 10m}
  - kind: ev_odometer
    id: taxi-1
    listen: 127.0.0.1:0
    unit_id: 4
    vin: KMHXX00XXXX000001
    faults:
      - {mode: rollback, amount: 1500, after: 26h}
`
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Start.Equal(time.Date(2025, 6, 21, 5, 0, 0, 0, kst)) || cfg.Speed != 3600 {
		t.Fatalf("got start %v speed %v", cfg.Start, cfg.Speed)
	}
	if f := cfg.Devices[0].Fault; f == nil || f.Delay != 250*time.Millisecond || f.After != 2*time.Hour || f.Duration != 10*time.Minute {
		t.Fatalf("fault: got %+v", cfg.Devices[0].Fault)
	}
	if f := cfg.Devices[1].Faults; len(f) != 1 || f[0].Amount != 1500 {
		t.Fatalf("faults: got %+v", f)
	}
	if _, err := LoadConfig(filepath.Join(t.TempDir(), "missing.yaml")); err == nil {
		t.Fatal("missing file: got nil error")
	}
}

func TestConfigValidation(t *testing.T) {
	ok := func() Config {
		return Config{Devices: []DeviceConfig{inverterConfig("a", 1), evConfig("b", 1)}}
	}
	tests := []struct {
		name   string
		mutate func(*Config)
		want   string // substring of the error
	}{
		{"no devices", func(c *Config) { c.Devices = nil }, "no devices"},
		{"negative speed", func(c *Config) { c.Speed = -1 }, "speed -1"},
		{"NaN speed", func(c *Config) { c.Speed = math.NaN() }, "speed NaN"},
		{"bad kind", func(c *Config) { c.Devices[0].Kind = "meter" }, `kind "meter"`},
		{"empty id", func(c *Config) { c.Devices[0].ID = "" }, `id ""`},
		{"duplicate id", func(c *Config) { c.Devices[1].ID = "a" }, "used twice"},
		{"unit 248", func(c *Config) { c.Devices[0].UnitID = 248 }, "unit_id 248"},
		{"bad listen", func(c *Config) { c.Devices[0].Listen = "localhost" }, `listen "localhost"`},
		{"shared unit", func(c *Config) {
			c.Devices[0].Listen, c.Devices[1].Listen = "127.0.0.1:0", "127.0.0.1:0"
		}, "same unit_id 1"},
		{"tiny rating", func(c *Config) { c.Devices[0].RatedPowerW = 5 }, "rated_power_w 5"},
		{"long serial", func(c *Config) { c.Devices[0].Serial = strings.Repeat("x", 33) }, "serial"},
		{"vin on inverter", func(c *Config) { c.Devices[0].VIN = "KMHXX00XXXX000001" }, "vin"},
		{"bad vin", func(c *Config) { c.Devices[1].VIN = "KMHXX00XXXX00000I" }, `vin "KMHXX00XXXX00000I"`},
		{"rating on ev", func(c *Config) { c.Devices[1].RatedPowerW = 1000 }, "rated_power_w"},
		{"bad fault mode", func(c *Config) { c.Devices[0].Fault = &Fault{Mode: "explode"} }, `mode "explode"`},
		{"slow without delay", func(c *Config) { c.Devices[0].Faults = []Fault{{Mode: FaultSlow}} }, "delay"},
		{"rollback without amount", func(c *Config) { c.Devices[1].Faults = []Fault{{Mode: FaultRollback}} }, "amount 0"},
		{"duration on reset", func(c *Config) { c.Devices[1].Faults = []Fault{{Mode: FaultReset, Duration: time.Hour}} }, "duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := ok()
			tt.mutate(&cfg)
			err := cfg.Validate()
			if err == nil || !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an ErrConfig mentioning %q", err, tt.want)
			}
			if _, err := New(cfg); err == nil {
				t.Fatal("New accepted an invalid config")
			}
		})
	}
	if err := ok().Validate(); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	if _, err := ParseConfig([]byte("devices:\n  - kind: solar_inverter\n    id: a\n    colour: red\n")); err == nil {
		t.Fatal("unknown field: got nil error")
	}
}

func TestGenerate(t *testing.T) {
	cfg := Generate(3, 2, "127.0.0.1", 5020, 60, 100)
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range cfg.Devices {
		got = append(got, string(d.Kind)+"@"+d.Listen)
	}
	want := "solar_inverter@127.0.0.1:5020 solar_inverter@127.0.0.1:5021 solar_inverter@127.0.0.1:5022 ev_odometer@127.0.0.1:5023 ev_odometer@127.0.0.1:5024"
	if strings.Join(got, " ") != want {
		t.Fatalf("got %s, want %s", strings.Join(got, " "), want)
	}
	// Base port 0: free ports, one listener each.
	f, _ := startFleet(t, Generate(2, 1, "127.0.0.1", 0, 1, 1))
	addrs := map[string]bool{}
	for _, d := range f.Devices() {
		addrs[d.Addr()] = true
	}
	if len(addrs) != 3 {
		t.Fatalf("got %d distinct addresses, want 3", len(addrs))
	}
}

// FuzzParseConfig: arbitrary YAML never panics the decoder or validator,
// and whatever is accepted builds a fleet.
func FuzzParseConfig(f *testing.F) {
	f.Add([]byte("devices:\n  - {kind: solar_inverter, id: a}\n"))
	f.Add([]byte("speed: 60\ndevices:\n  - {kind: ev_odometer, id: b, vin: KMHXX00XXXX000001, fault: {mode: rollback, amount: 5, after: 1h}}\n"))
	f.Add([]byte("devices:\n  - {kind: solar_inverter, id: a, listen: '127.0.0.1:0', unit_id: 2}\n  - {kind: ev_odometer, id: b, listen: '127.0.0.1:0', unit_id: 2}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		cfg, err := ParseConfig(b)
		if err != nil {
			return
		}
		if _, err := New(cfg); err != nil {
			t.Fatalf("accepted config does not build: %v", err)
		}
	})
}
