package agent

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	mqttsrv "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/mochi-mqtt/server/v2/packets"
	dto "github.com/prometheus/client_model/go"

	"github.com/citychain/citychain/edge/internal/config"
	"github.com/citychain/citychain/edge/internal/keyfile"
	"github.com/citychain/citychain/edge/internal/mbtest"
	"github.com/citychain/citychain/edge/reading"
)

func testLogger(t *testing.T) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// freeAddr returns a loopback address that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// recorder is a mochi hook that sees every PUBLISH the broker accepts,
// before the broker sends the PUBACK: what it holds is exactly what the
// broker acknowledged (or was about to), across broker restarts.
type recorder struct {
	mqttsrv.HookBase
	keys map[string]ed25519.PublicKey

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every record
	wires   map[string]map[uint64][]byte
	order   map[string][]uint64
	status  []string // payloads on the status topics, in order
	errs    []string
}

func newRecorder(keys map[string]ed25519.PublicKey) *recorder {
	return &recorder{keys: keys, changed: make(chan struct{}), wires: map[string]map[uint64][]byte{}, order: map[string][]uint64{}}
}

func (r *recorder) ID() string { return "recorder" }

func (r *recorder) Provides(b byte) bool { return b == mqttsrv.OnPublish }

func (r *recorder) OnPublish(cl *mqttsrv.Client, pk packets.Packet) (packets.Packet, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	defer func() { close(r.changed); r.changed = make(chan struct{}) }()
	if strings.HasPrefix(pk.TopicName, reading.StatusTopicPrefix) {
		r.status = append(r.status, pk.TopicName+"="+string(pk.Payload))
		return pk, nil
	}
	r.check(pk.TopicName, pk.Payload)
	return pk, nil
}

// check verifies one reading message and records it; call with mu held.
func (r *recorder) check(topic string, payload []byte) {
	dev := strings.TrimPrefix(topic, reading.TopicPrefix)
	s, err := reading.DecodeVerify(payload, r.keys[dev])
	if err != nil {
		r.errs = append(r.errs, fmt.Sprintf("%s: %v", topic, err))
		return
	}
	if s.DeviceID != dev {
		r.errs = append(r.errs, fmt.Sprintf("%s: reading of device %q", topic, s.DeviceID))
		return
	}
	m := r.wires[dev]
	if m == nil {
		m = map[uint64][]byte{}
		r.wires[dev] = m
	}
	if old, ok := m[s.Seq]; ok && !bytes.Equal(old, payload) {
		r.errs = append(r.errs, fmt.Sprintf("%s seq %d: two different readings with one sequence number", dev, s.Seq))
	}
	m[s.Seq] = bytes.Clone(payload)
	r.order[dev] = append(r.order[dev], s.Seq)
}

// waitFor blocks until cond holds (evaluated on every record) or fails
// the test after timeout.
func (r *recorder) waitFor(t *testing.T, what string, timeout time.Duration, cond func(r *recorder) bool) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		ok, ch := cond(r), r.changed
		r.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
	}
}

func (r *recorder) maxSeq(dev string) uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	var m uint64
	for s := range r.wires[dev] {
		m = max(m, s)
	}
	return m
}

// assertComplete checks there were no bad messages and that every seq in
// 1..last arrived for dev.
func (r *recorder) assertComplete(t *testing.T, dev string, last uint64) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.errs {
		t.Error(e)
	}
	var missing []uint64
	for s := uint64(1); s <= last; s++ {
		if _, ok := r.wires[dev][s]; !ok {
			missing = append(missing, s)
		}
	}
	if len(missing) > 0 {
		t.Errorf("%s: %d of %d readings never reached the broker: %v", dev, len(missing), last, missing)
	}
}

// startBroker runs an embedded mochi broker on addr ("127.0.0.1:0" for a
// fresh port) with the recorder hook; it returns the bound address.
func startBroker(t *testing.T, addr string, rec *recorder) (*broker, string) {
	t.Helper()
	srv := mqttsrv.New(&mqttsrv.Options{InlineClient: false, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err := srv.AddHook(new(auth.AllowHook), nil); err != nil {
		t.Fatal(err)
	}
	if rec != nil {
		if err := srv.AddHook(rec, nil); err != nil {
			t.Fatal(err)
		}
	}
	l := listeners.NewTCP(listeners.Config{ID: "t", Address: addr})
	var err error
	for range 50 { // the old listener's port may take a moment to free up
		if err = srv.AddListener(l); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("broker listen %s: %v", addr, err)
	}
	go srv.Serve()
	b := &broker{srv: srv}
	t.Cleanup(b.Close)
	return b, l.Address()
}

// broker is an embedded mochi broker that can be closed more than once.
type broker struct {
	srv  *mqttsrv.Server
	once sync.Once
}

func (b *broker) Close() { b.once.Do(func() { b.srv.Close() }) }

// fixture is a gateway with an inverter (SunSpec) and an EV (register map).
type fixture struct {
	dir  string
	inv  *mbtest.Server
	invM uint16 // inverter model address
	ev   *mbtest.Server
	keys map[string]ed25519.PublicKey
	cfg  config.Config
}

func newFixture(t *testing.T, broker string) *fixture {
	t.Helper()
	f := &fixture{dir: t.TempDir(), keys: map[string]ed25519.PublicKey{}}
	var err error
	if f.inv, err = mbtest.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.inv.Close() })
	f.invM = f.inv.SunSpecInverter(40000, 103)
	f.inv.SetUint32(f.invM+24, 0xFFFFFF00) // close to the acc32 wrap
	f.inv.Set(f.invM+26, 0)                // WH_SF
	f.inv.Set(f.invM+14, 3000, 0)          // 3000 W
	if f.ev, err = mbtest.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.ev.Close() })
	f.ev.SetUint32(1004, 12345) // odometer, metres
	for _, id := range []string{"inv-1", "ev-1"} {
		pub, err := keyfile.Generate(filepath.Join(f.dir, id+".key"))
		if err != nil {
			t.Fatal(err)
		}
		f.keys[id] = pub
	}
	yaml := fmt.Sprintf(`
gateway_id: gw-test
poll_interval: 5ms
modbus_timeout: 1s
key_epoch: 3
state_dir: state
outbox: {path: outbox, capacity: 10000}
mqtt:
  broker: tcp://%s
  max_in_flight: 8
  replay_rate: 2000
  replay_burst: 50
  publish_timeout: 2s
  connect_timeout: 2s
  reconnect_max: 100ms
metrics: {listen: "127.0.0.1:0"}
devices:
  - {id: inv-1, kind: energy_wh, address: "%s", unit_id: 1, key_file: inv-1.key, sunspec: true}
  - id: ev-1
    kind: odometer_m
    address: "%s"
    key_file: ev-1.key
    key_epoch: 1
    register: {address: 1004, type: uint32, word_order: high_first, scale: 0}
`, broker, f.inv.Addr(), f.ev.Addr())
	p := filepath.Join(f.dir, "edge.yaml")
	if err := os.WriteFile(p, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	if f.cfg, err = config.Load(p); err != nil {
		t.Fatal(err)
	}
	return f
}

// running is an agent running in the background.
type running struct {
	*Agent
	cancel context.CancelFunc
	done   chan error
}

func startAgent(t *testing.T, cfg config.Config) *running {
	t.Helper()
	a, err := New(cfg, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{Agent: a, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- a.Run(ctx) }()
	t.Cleanup(r.stop)
	return r
}

func (r *running) stop() {
	if r.cancel == nil {
		return
	}
	r.cancel()
	<-r.done
	r.Close()
	r.cancel = nil
}

// eventually polls cond (for conditions with no event to wait on).
func eventually(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// quiesce stops the devices and waits until no poll can still append (two
// failed polls per device after the stop: any poll that held an outbox slot
// finished before the second began) and the outbox has drained.
func quiesce(t *testing.T, a *running, f *fixture) {
	t.Helper()
	errs := func(dev string) float64 {
		var m dto.Metric
		a.m.pollErrors.WithLabelValues(dev).Write(&m)
		return m.GetCounter().GetValue()
	}
	before := map[string]float64{"inv-1": errs("inv-1"), "ev-1": errs("ev-1")}
	f.inv.Close()
	f.ev.Close()
	eventually(t, "failed polls after stopping the devices", wait, func() bool {
		return errs("inv-1") >= before["inv-1"]+2 && errs("ev-1") >= before["ev-1"]+2
	})
	eventually(t, "the outbox to drain", wait, func() bool { return a.outbox.Len() == 0 })
}
