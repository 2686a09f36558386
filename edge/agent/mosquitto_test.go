package agent

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/citychain/citychain/edge/internal/state"
)

// mosquitto runs a real Mosquitto broker on a loopback port with
// persistence, so a subscriber's persistent session (and the messages
// queued for it) survive a SIGKILL up to the last autosave.
type mosquitto struct {
	t    *testing.T
	bin  string
	conf string
	addr string
	cmd  *exec.Cmd
	exit chan error
}

func startMosquitto(t *testing.T) *mosquitto {
	t.Helper()
	bin, err := exec.LookPath("mosquitto")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("mosquitto not on PATH (required when CI is set): %v", err)
		}
		t.Skipf("mosquitto not on PATH: %v", err)
	}
	dir := t.TempDir()
	addr := freeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	conf := filepath.Join(dir, "mosquitto.conf")
	// When started as root mosquitto drops to "user"; keep the current
	// user so it can write its persistence file in the test directory.
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	text := fmt.Sprintf(`listener %s 127.0.0.1
user %s
allow_anonymous true
persistence true
persistence_location %s/
autosave_interval 1
autosave_on_changes true
max_queued_messages 100000
max_inflight_messages 100
log_dest stderr
log_type error
`, port, u.Username, dir)
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	m := &mosquitto{t: t, bin: bin, conf: conf, addr: addr}
	m.start()
	t.Cleanup(func() { m.kill() })
	return m
}

func (m *mosquitto) start() {
	m.t.Helper()
	m.cmd = exec.Command(m.bin, "-c", m.conf)
	if testing.Verbose() {
		m.cmd.Stderr = os.Stderr
	}
	if err := m.cmd.Start(); err != nil {
		m.t.Fatalf("start mosquitto: %v", err)
	}
	m.exit = make(chan error, 1)
	go func(c *exec.Cmd, exit chan error) { exit <- c.Wait() }(m.cmd, m.exit)
	// Readiness: the port accepts connections (there is no event to wait on).
	eventually(m.t, "mosquitto to listen on "+m.addr, wait, func() bool {
		select {
		case err := <-m.exit:
			m.t.Fatalf("mosquitto exited: %v", err)
		default:
		}
		c, err := net.DialTimeout("tcp", m.addr, time.Second)
		if err != nil {
			return false
		}
		c.Close()
		return true
	})
}

// kill sends SIGKILL and waits for the process to exit.
func (m *mosquitto) kill() {
	if m.cmd == nil {
		return
	}
	m.cmd.Process.Signal(syscall.SIGKILL)
	<-m.exit
	m.cmd = nil
}

// TestMosquittoKillNothingLost runs the agent against a real Mosquitto,
// SIGKILLs the broker mid-stream and restarts it: a subscriber with a
// persistent session still receives every sequence number (duplicates
// allowed).
func TestMosquittoKillNothingLost(t *testing.T) {
	m := startMosquitto(t)
	f := newFixture(t, m.addr)
	rec := newRecorder(f.keys)
	subscribe(t, "tcp://"+m.addr, "citychain-test-sub", false, rec)
	a := startAgent(t, f.cfg)

	rec.waitFor(t, "10 readings through mosquitto", wait, func(r *recorder) bool { return len(r.wires["inv-1"]) >= 10 })
	m.kill()
	eventually(t, "a backlog in the outbox", wait, func() bool { return a.outbox.Len() >= 20 })
	m.start()
	before := rec.maxSeq("inv-1")
	rec.waitFor(t, "readings after the restart", wait, func(r *recorder) bool {
		_, ok := r.wires["inv-1"][before+30]
		return ok
	})
	quiesce(t, a, f)
	a.stop()

	st, err := state.Open(f.cfg.StateDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, dev := range []string{"inv-1", "ev-1"} {
		d, err := st.Load(dev)
		if err != nil {
			t.Fatal(err)
		}
		// Delivery to the subscriber trails the PUBACKs the agent saw.
		rec.waitFor(t, fmt.Sprintf("all %d readings of %s at the subscriber", d.Seq, dev), wait, func(r *recorder) bool {
			return len(r.wires[dev]) >= int(d.Seq)
		})
		rec.assertComplete(t, dev, d.Seq)
	}
}
