package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// sample returns the YAML sample of docs/edge-agent.md.
func sample(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../../docs/edge-agent.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	begin := strings.Index(text, "<!-- sample-config:begin -->")
	end := strings.Index(text, "<!-- sample-config:end -->")
	if begin < 0 || end < begin {
		t.Fatal("sample-config markers not found in docs/edge-agent.md")
	}
	text = text[begin:end]
	text = text[strings.Index(text, "```yaml")+len("```yaml"):]
	return text[:strings.LastIndex(text, "```")]
}

func TestDocSample(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "edge.yaml")
	if err := os.WriteFile(p, []byte(sample(t)), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(p)
	if err != nil {
		t.Fatalf("the documented sample does not load: %v", err)
	}
	if c.GatewayID != "gw-seongsu-01" || len(c.Devices) != 2 || c.PollInterval != 10*time.Second {
		t.Errorf("sample = %+v", c)
	}
	if got, want := c.Devices[0].KeyFile, filepath.Join(dir, "keys/inv-0001.key"); got != want {
		t.Errorf("relative key file resolved to %q, want %q", got, want)
	}
	if *c.Devices[0].KeyEpoch != 1 || *c.Devices[1].KeyEpoch != 2 {
		t.Errorf("key epochs = %d, %d; want 1, 2", *c.Devices[0].KeyEpoch, *c.Devices[1].KeyEpoch)
	}
	if c.MQTT.ReplayBurst != 32 || !c.MQTT.TLS.Enabled() {
		t.Errorf("mqtt = %+v", c.MQTT)
	}
	mc, err := c.Devices[1].Meter(c.ModbusTimeout)
	if err != nil || mc.Register.Address != 1004 || mc.Register.Type != "uint32" {
		t.Errorf("ev meter = %+v, %v", mc, err)
	}
}

const minimal = `
gateway_id: gw
state_dir: s
outbox: {path: o}
mqtt: {broker: "tcp://127.0.0.1:1883"}
devices:
  - {id: d1, kind: energy_wh, address: "127.0.0.1:502", key_file: k, sunspec: true}
`

func TestDefaults(t *testing.T) {
	c, err := Parse([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	if c.PollInterval != 10*time.Second || c.Outbox.Capacity != 100000 || c.MQTT.MaxInFlight != 32 ||
		c.MQTT.ClientID != "edge-gw" || c.Devices[0].UnitID != 1 || c.MQTT.ReplayRate != 100 || c.MQTT.ReplayBurst != 32 {
		t.Errorf("defaults = %+v", c)
	}
}

func TestErrorsNameTheField(t *testing.T) {
	cases := []struct{ old, new, field string }{
		{"gateway_id: gw", "gateway_id: GW", "gateway_id"},
		{"gateway_id: gw", "gateway_id: gw\nbogus: 1", "bogus"},
		{"tcp://127.0.0.1:1883", "http://x:1", "mqtt.broker"},
		{"outbox: {path: o}", "outbox: {path: o, capacity: -1}", "outbox.capacity"},
		{"kind: energy_wh", "kind: kwh", "kind"},
		{`address: "127.0.0.1:502"`, "address: nowhere", "address"},
		{"key_file: k, ", "", "key_file"},
		{"sunspec: true", "sunspec: false", "exactly one of"},
		{"sunspec: true", "sunspec: true, register: {address: 1, type: uint16}", "exactly one of"},
		{"sunspec: true", "register: {address: 1, type: float32}", "register type"},
		{"sunspec: true", "register: {address: 1, type: uint32, word_order: middle}", "word_order"},
		{"state_dir: s", "", "state_dir"},
		{"devices:", "metrics: {listen: nope}\ndevices:", "metrics.listen"},
		{"id: d1", "id: d1/x", "id"},
	}
	for _, tc := range cases {
		text := strings.Replace(minimal, tc.old, tc.new, 1)
		_, err := Parse([]byte(text))
		if err == nil || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("replacing %q with %q: err = %v, want one naming %q", tc.old, tc.new, err, tc.field)
		}
	}
	dup := minimal + `  - {id: d1, kind: energy_wh, address: "127.0.0.1:502", key_file: k, sunspec: true}` + "\n"
	if _, err := Parse([]byte(dup)); err == nil || !strings.Contains(err.Error(), "unique") {
		t.Errorf("duplicate device id: err = %v", err)
	}
}
