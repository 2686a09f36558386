package local

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
)

// MosquittoOptions configures a local Mosquitto broker.
type MosquittoOptions struct {
	// Port to listen on (127.0.0.1); 0 picks a free one.
	Port int
	// Binary overrides the mosquitto found by MosquittoBinary.
	Binary string
	// MaxInflight bounds unacknowledged QoS 1/2 messages per client in
	// flight from the broker; 0 means 1000 (Mosquitto's own default, 20,
	// throttles a consumer that acknowledges in batches).
	MaxInflight int
	// MaxQueued bounds messages queued per client beyond those in flight
	// (a persistent session of an offline client); 0 means 10,000,000.
	// Mosquitto drops messages beyond it.
	MaxQueued int
	// AutosaveChanges is how many changes (messages queued, subscriptions,
	// retained messages) trigger a save of the persistence file; 0 means 1,
	// a save after every change: the most durable, and a throughput limit
	// (each save rewrites the whole file). Benchmarks raise it.
	AutosaveChanges int
	// PasswordFile and ACLFile, if set, are Mosquitto's password_file and
	// acl_file; a password file turns anonymous access off.
	PasswordFile, ACLFile string
	// TLS, if set, makes the listener TLS-only.
	TLS *MosquittoTLS
	// Extra is appended to the generated configuration file.
	Extra string
}

// MosquittoTLS configures a TLS listener: the CA that signs client
// certificates (and the server's), the server's certificate and key, and
// whether clients must present a certificate signed by the CA.
type MosquittoTLS struct {
	CAFile, CertFile, KeyFile string
	RequireCertificate        bool
}

// Mosquitto is a running local Mosquitto broker with persistence on.
type Mosquitto struct {
	process
	// Addr is host:port.
	Addr string
	// Dir holds the configuration, the persistence file and the log.
	Dir string
	tls bool
}

// URL is the broker address for MQTT clients, tcp://127.0.0.1:PORT (or
// ssl://127.0.0.1:PORT with TLS).
func (m *Mosquitto) URL() string {
	if m.tls {
		return "ssl://" + m.Addr
	}
	return "tcp://" + m.Addr
}

// StartMosquitto writes a configuration into dir and starts Mosquitto with
// it: one listener on 127.0.0.1 (TLS with o.TLS), anonymous access unless
// o.PasswordFile is set, persistence in dir saved
// on changes: queued messages of persistent sessions survive Stop and
// Restart; after Kill (SIGKILL) they survive up to Mosquitto's last save,
// which may miss the very last change. It returns once the port accepts
// connections.
func StartMosquitto(ctx context.Context, dir string, o MosquittoOptions) (*Mosquitto, error) {
	bin := o.Binary
	if bin == "" {
		var err error
		if bin, err = MosquittoBinary(); err != nil {
			return nil, err
		}
	}
	if o.Port == 0 {
		var err error
		if o.Port, err = FreePort(); err != nil {
			return nil, err
		}
	}
	if o.MaxInflight == 0 {
		o.MaxInflight = 1000
	}
	if o.AutosaveChanges <= 0 {
		o.AutosaveChanges = 1
	}
	if o.MaxQueued == 0 {
		o.MaxQueued = 10_000_000
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("mosquitto dir: %w", err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("mosquitto dir: %w", err)
	}
	var conf strings.Builder
	fmt.Fprintf(&conf, "listener %d 127.0.0.1\n", o.Port)
	// Started as root, mosquitto drops to user "mosquitto", which cannot
	// write in the caller's directory: keep the current user.
	if u, err := user.Current(); err == nil {
		fmt.Fprintf(&conf, "user %s\n", u.Username)
	}
	abspath := func(p string) string {
		if a, err := filepath.Abs(p); err == nil {
			return a
		}
		return p
	}
	if t := o.TLS; t != nil {
		fmt.Fprintf(&conf, "cafile %s\ncertfile %s\nkeyfile %s\nrequire_certificate %t\n", abspath(t.CAFile), abspath(t.CertFile), abspath(t.KeyFile), t.RequireCertificate)
	}
	if o.PasswordFile != "" {
		fmt.Fprintf(&conf, "password_file %s\n", abspath(o.PasswordFile))
	}
	if o.ACLFile != "" {
		fmt.Fprintf(&conf, "acl_file %s\n", abspath(o.ACLFile))
	}
	fmt.Fprintf(&conf, `allow_anonymous %t
persistence true
persistence_location %s/
autosave_on_changes true
autosave_interval %d
max_inflight_messages %d
max_queued_messages %d
log_dest stderr
log_type error
log_type warning
`, o.PasswordFile == "", abs, o.AutosaveChanges, o.MaxInflight, o.MaxQueued)
	if o.Extra != "" {
		conf.WriteString(o.Extra + "\n")
	}
	confPath := filepath.Join(abs, "mosquitto.conf")
	if err := os.WriteFile(confPath, []byte(conf.String()), 0o600); err != nil {
		return nil, fmt.Errorf("write mosquitto config: %w", err)
	}
	m := &Mosquitto{
		process: process{name: "mosquitto", bin: bin, args: []string{"-c", confPath}, logPath: filepath.Join(abs, "mosquitto.log")},
		Addr:    net.JoinHostPort("127.0.0.1", strconv.Itoa(o.Port)),
		Dir:     abs,
		tls:     o.TLS != nil,
	}
	if err := m.Restart(ctx); err != nil {
		return nil, err
	}
	return m, nil
}

// Restart starts the broker again (after Stop or Kill) on the same port
// with the same persistence file, and waits until it accepts connections.
func (m *Mosquitto) Restart(ctx context.Context) error {
	if err := m.start(); err != nil {
		return err
	}
	if err := waitDial(ctx, &m.process, m.Addr); err != nil {
		_ = m.Kill()
		return err
	}
	return nil
}

// StartMosquittoConfig starts Mosquitto with a configuration file of the
// caller's (its log goes to dir/mosquitto.log) and returns once addr
// (host:port, one of the file's listeners) accepts connections; useTLS
// makes URL ssl://.
func StartMosquittoConfig(ctx context.Context, dir, confPath, addr string, useTLS bool) (*Mosquitto, error) {
	bin, err := MosquittoBinary()
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("mosquitto dir: %w", err)
	}
	m := &Mosquitto{
		process: process{name: "mosquitto", bin: bin, args: []string{"-c", confPath}, logPath: filepath.Join(abs, "mosquitto.log")},
		Addr:    addr, Dir: abs, tls: useTLS,
	}
	if err := m.Restart(ctx); err != nil {
		return nil, err
	}
	return m, nil
}
