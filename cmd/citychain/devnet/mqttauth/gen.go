package mqttauth

import (
	"fmt"
	"slices"
	"strings"

	"github.com/citychain/citychain/edge/reading"
)

// Gateway is one edge agent: its MQTT user name (the gateway id) and the
// devices it publishes for.
type Gateway struct {
	Name    string
	Devices []string
}

// Users says who may do what on a citychain broker.
type Users struct {
	// Gateways may each write their own devices' readings and their own
	// status, nothing else.
	Gateways []Gateway
	// Settlement users may read every device's readings (also through a
	// $share subscription).
	Settlement []string
	// Observers may read every topic, $SYS included, and write none.
	Observers []string
}

// Names lists every user name, gateways first.
func (u Users) Names() []string {
	var out []string
	for _, g := range u.Gateways {
		out = append(out, g.Name)
	}
	return append(append(out, u.Settlement...), u.Observers...)
}

// Validate checks names: usable in both files, each user once, each device
// on one gateway.
func (u Users) Validate() error {
	seen := map[string]string{}
	for _, n := range u.Names() {
		if err := checkName(n); err != nil {
			return fmt.Errorf("mqtt user %q: %w", n, err)
		}
		if seen[n] != "" {
			return fmt.Errorf("mqtt user %q: listed twice", n)
		}
		seen[n] = "user"
	}
	dev := map[string]string{}
	for _, g := range u.Gateways {
		if len(g.Devices) == 0 {
			return fmt.Errorf("gateway %s: no devices; want at least one", g.Name)
		}
		for _, d := range g.Devices {
			if err := checkName(d); err != nil {
				return fmt.Errorf("gateway %s: device %q: %w", g.Name, d, err)
			}
			if other, ok := dev[d]; ok {
				return fmt.Errorf("device %s: on gateways %s and %s; want one", d, other, g.Name)
			}
			dev[d] = g.Name
		}
	}
	return nil
}

// ACLFile is the acl_file granting u's rights, for Mosquitto and the
// embedded broker alike.
func (u Users) ACLFile() (string, error) {
	if err := u.Validate(); err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("# citychain MQTT access (Mosquitto acl_file). Written by citychain; see docs/mqtt-security.md.\n")
	b.WriteString("# No lines before the first user: anonymous clients get nothing.\n")
	for _, g := range u.Gateways {
		fmt.Fprintf(&b, "\n# gateway %s: its devices' readings and its status, nothing else\nuser %s\n", g.Name, g.Name)
		for _, d := range slices.Sorted(slices.Values(g.Devices)) {
			fmt.Fprintf(&b, "topic write %s\n", reading.Topic(d))
		}
		fmt.Fprintf(&b, "topic write %s\ntopic write %s\n", reading.StatusTopic(g.Name), reading.AlarmTopic(g.Name))
	}
	for _, s := range u.Settlement {
		fmt.Fprintf(&b, "\n# settlement: reads every reading ($share/<group>/%s+)\nuser %s\ntopic read %s+\n", reading.TopicPrefix, s, reading.TopicPrefix)
	}
	for _, o := range u.Observers {
		fmt.Fprintf(&b, "\n# observer: reads everything, writes nothing\nuser %s\ntopic read #\ntopic read $SYS/#\n", o)
	}
	return b.String(), nil
}

// ParseGateway parses "gw-01=inv01,inv02".
func ParseGateway(s string) (Gateway, error) {
	name, devs, ok := strings.Cut(s, "=")
	if !ok || name == "" || devs == "" {
		return Gateway{}, fmt.Errorf("gateway %q: want NAME=DEVICE[,DEVICE...]", s)
	}
	return Gateway{Name: name, Devices: strings.Split(devs, ",")}, nil
}
