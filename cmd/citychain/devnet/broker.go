package devnet

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/mochi-mqtt/server/v2/listeners"

	"github.com/citychain/citychain/cmd/citychain/devnet/mqttauth"
)

// Broker is the embedded MQTT broker (mochi-mqtt) a devnet runs when no
// external broker is given.
type Broker struct {
	srv  *mqtt.Server
	addr string
}

// BrokerAuth is what the embedded broker enforces: Mosquitto's password
// file and ACL (cmd/citychain/devnet/mqttauth). Zero accepts every client.
type BrokerAuth struct {
	Passwords *mqttauth.Passwords
	ACL       *mqttauth.ACL
}

// StartBroker starts an embedded broker listening on addr ("host:port";
// port 0 picks a free one). With a.Passwords set only those users connect,
// and a.ACL decides what they publish and receive, as Mosquitto would with
// the same files; with zero a, everyone may do anything.
func StartBroker(addr string, a BrokerAuth, logger *slog.Logger) (*Broker, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("embedded MQTT broker on %s: %w", addr, err)
	}
	bound := ln.Addr().String()
	ln.Close() // mochi opens its own listener on the same address
	srv := mqtt.New(&mqtt.Options{InlineClient: true, Logger: logger})
	var hook mqtt.Hook = new(auth.AllowHook)
	if a.Passwords != nil {
		hook = mqttauth.NewHook(a.Passwords, a.ACL)
	}
	if err := srv.AddHook(hook, nil); err != nil {
		return nil, fmt.Errorf("embedded MQTT broker: %w", err)
	}
	if err := srv.AddListener(listeners.NewTCP(listeners.Config{ID: "tcp", Address: bound})); err != nil {
		return nil, fmt.Errorf("embedded MQTT broker on %s: %w", bound, err)
	}
	if err := srv.Serve(); err != nil {
		return nil, fmt.Errorf("embedded MQTT broker on %s: %w", bound, err)
	}
	return &Broker{srv: srv, addr: bound}, nil
}

// URL is the broker's address for MQTT clients.
func (b *Broker) URL() string { return "tcp://" + b.addr }

// Close stops the broker.
func (b *Broker) Close() error { return b.srv.Close() }

// The devnet's broker users besides one per gateway (named by gateway id).
const (
	SettlementUser = "settlement"
	ObserverUser   = "observer"
)

// MQTTDir holds a devnet home's broker files: passwd (Mosquitto's
// password_file), acl (its acl_file) and credentials.json (the clear-text
// passwords the devnet hands its edge agents and settlement; mode 0600).
// With an external broker these passwd and acl files are the ones to
// install in Mosquitto.
func MQTTDir(home string) string { return filepath.Join(home, "mqtt") }

// Gateways splits devices into gateways of size devices each, named gw-01,
// gw-02, ... in device order: the devnet's edge agents.
func Gateways(devices []ManifestDevice, size int) []mqttauth.Gateway {
	if size <= 0 {
		size = 5
	}
	var out []mqttauth.Gateway
	for g := 0; g*size < len(devices); g++ {
		gw := mqttauth.Gateway{Name: fmt.Sprintf("gw-%02d", g+1)}
		for _, d := range devices[g*size : min((g+1)*size, len(devices))] {
			gw.Devices = append(gw.Devices, d.ID)
		}
		out = append(out, gw)
	}
	return out
}

// mqttFiles are a devnet's loaded broker files.
type mqttFiles struct {
	passwords map[string]string // user -> clear-text password
	pw        *mqttauth.Passwords
	acl       *mqttauth.ACL
}

// ensureMQTTAuth makes sure HOME/mqtt holds a password for every user (new
// ones random), a password file that verifies them all, and the ACL for
// users; it creates what is missing (homes made before these files
// existed get them on their next start) and rewrites the ACL when the
// gateways changed. aclChanged reports a rewrite of an existing ACL.
func ensureMQTTAuth(home string, users mqttauth.Users) (_ *mqttFiles, aclChanged bool, err error) {
	dir := MQTTDir(home)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, false, err
	}
	credPath := filepath.Join(dir, "credentials.json")
	f := &mqttFiles{passwords: map[string]string{}}
	if b, err := os.ReadFile(credPath); err == nil {
		if err := json.Unmarshal(b, &f.passwords); err != nil {
			return nil, false, fmt.Errorf("devnet MQTT credentials %s: want a JSON object of user to password: %w", credPath, err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, false, fmt.Errorf("devnet MQTT credentials: %w", err)
	}
	added := false
	for _, u := range users.Names() {
		if f.passwords[u] == "" {
			f.passwords[u], added = mqttauth.NewPassword(), true
		}
	}
	if added {
		b, err := json.MarshalIndent(f.passwords, "", "  ")
		if err != nil {
			return nil, false, err
		}
		if err := os.WriteFile(credPath, b, 0o600); err != nil {
			return nil, false, fmt.Errorf("write %s: %w", credPath, err)
		}
	}

	// The password file: kept while it verifies every user, else rewritten
	// (new salts) from the credentials.
	pwPath := filepath.Join(dir, "passwd")
	f.pw, err = mqttauth.LoadPasswords(pwPath)
	stale := err != nil
	for _, u := range users.Names() {
		stale = stale || !f.pw.Verify(u, f.passwords[u])
	}
	if stale {
		f.pw = new(mqttauth.Passwords)
		for _, u := range users.Names() {
			if err := f.pw.Set(u, f.passwords[u]); err != nil {
				return nil, false, err
			}
		}
		if err := f.pw.Save(pwPath); err != nil {
			return nil, false, err
		}
	}

	aclPath := filepath.Join(dir, "acl")
	text, err := users.ACLFile()
	if err != nil {
		return nil, false, err
	}
	old, rerr := os.ReadFile(aclPath)
	if rerr != nil || string(old) != text {
		if err := os.WriteFile(aclPath, []byte(text), 0o600); err != nil {
			return nil, false, fmt.Errorf("write %s: %w", aclPath, err)
		}
		aclChanged = rerr == nil
	}
	if f.acl, err = mqttauth.LoadACL(aclPath); err != nil {
		return nil, false, err
	}
	return f, aclChanged, nil
}
