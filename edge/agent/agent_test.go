package agent

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/citychain/citychain/edge/internal/state"
	"github.com/citychain/citychain/edge/reading"
)

const wait = 20 * time.Second

// subscriber is a real MQTT client that checks every reading it receives.
type subscriber struct {
	rec *recorder
	c   mqtt.Client
}

func subscribe(t *testing.T, broker, clientID string, clean bool, rec *recorder) *subscriber {
	t.Helper()
	opts := mqtt.NewClientOptions().AddBroker(broker).SetClientID(clientID).
		SetCleanSession(clean).SetAutoReconnect(true).SetMaxReconnectInterval(50 * time.Millisecond).
		SetConnectRetry(true).SetConnectRetryInterval(50 * time.Millisecond).SetResumeSubs(true)
	s := &subscriber{rec: rec}
	handle := func(_ mqtt.Client, m mqtt.Message) {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		defer func() { close(rec.changed); rec.changed = make(chan struct{}) }()
		if strings.HasPrefix(m.Topic(), reading.StatusTopicPrefix) {
			rec.status = append(rec.status, m.Topic()+"="+string(m.Payload()))
			return
		}
		rec.check(m.Topic(), m.Payload())
	}
	opts.SetOnConnectHandler(func(c mqtt.Client) {
		if clean {
			c.Subscribe(reading.TopicRoot+"#", 1, handle)
		}
	})
	opts.SetDefaultPublishHandler(handle)
	s.c = mqtt.NewClient(opts)
	if tok := s.c.Connect(); !tok.WaitTimeout(wait) || tok.Error() != nil {
		t.Fatalf("subscriber connect: %v", tok.Error())
	}
	if !clean {
		if tok := s.c.Subscribe(reading.TopicRoot+"#", 1, handle); !tok.WaitTimeout(wait) || tok.Error() != nil {
			t.Fatalf("subscribe: %v", tok.Error())
		}
	}
	t.Cleanup(func() { s.c.Disconnect(100) })
	return s
}

// TestEndToEnd: the agent polls both devices, a subscriber receives valid
// signed readings with strictly increasing sequence numbers, the inverter's
// acc32 wrap keeps its value monotonic, the gateway is "online" and
// /metrics reports the counters.
func TestEndToEnd(t *testing.T) {
	rec := newRecorder(nil)
	_, addr := startBroker(t, "127.0.0.1:0", nil)
	f := newFixture(t, addr)
	rec.keys = f.keys
	subscribe(t, "tcp://"+addr, "sub-e2e", true, rec)
	a := startAgent(t, f.cfg)

	rec.waitFor(t, "3 inverter readings", wait, func(r *recorder) bool { return len(r.wires["inv-1"]) >= 3 })
	f.inv.SetUint32(f.invM+24, 7) // the acc32 wraps
	f.ev.SetUint32(1004, 12400)
	rec.waitFor(t, "readings after the wrap", wait, func(r *recorder) bool {
		return len(r.wires["inv-1"]) >= 10 && len(r.wires["ev-1"]) >= 10
	})
	a.stop()

	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, e := range rec.errs {
		t.Error(e)
	}
	for dev, seqs := range rec.order {
		for i := 1; i < len(seqs); i++ {
			if seqs[i] <= seqs[i-1] {
				t.Fatalf("%s: seq %d after %d, want strictly increasing", dev, seqs[i], seqs[i-1])
			}
		}
		if seqs[0] != 1 {
			t.Errorf("%s: first seq = %d, want 1", dev, seqs[0])
		}
		var last uint64
		for _, s := range seqs {
			r, _ := reading.Decode(rec.wires[dev][s])
			if r.Value < last {
				t.Errorf("%s seq %d: value %d after %d", dev, s, r.Value, last)
			}
			last = r.Value
			wantEpoch, wantKind := uint32(3), reading.KindEnergyWh
			if dev == "ev-1" {
				wantEpoch, wantKind = 1, reading.KindOdometerM
			}
			if r.KeyEpoch != wantEpoch || r.Kind != wantKind {
				t.Errorf("%s: epoch %d kind %v, want %d %v", dev, r.KeyEpoch, r.Kind, wantEpoch, wantKind)
			}
		}
		switch dev {
		case "inv-1":
			if want := uint64(1<<32 + 7); last != want {
				t.Errorf("inverter value after the wrap = %d, want %d", last, want)
			}
		case "ev-1":
			if last != 12400 {
				t.Errorf("odometer = %d, want 12400", last)
			}
		}
	}
	if len(rec.status) == 0 || rec.status[0] != reading.StatusTopic("gw-test")+"=online" {
		t.Errorf("status messages = %v, want online first", rec.status)
	}
}

func TestMetrics(t *testing.T) {
	_, addr := startBroker(t, "127.0.0.1:0", nil)
	f := newFixture(t, addr)
	rec := newRecorder(f.keys)
	subscribe(t, "tcp://"+addr, "sub-metrics", true, rec)
	a := startAgent(t, f.cfg)
	rec.waitFor(t, "readings", wait, func(r *recorder) bool { return len(r.wires["inv-1"]) >= 2 && len(r.wires["ev-1"]) >= 2 })
	resp, err := http.Get("http://" + a.MetricsAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`edge_polls_total{device="inv-1"}`, `edge_readings_signed_total{device="ev-1"}`,
		`edge_readings_published_total`, `edge_outbox_depth`, `edge_outbox_full_alarm 0`,
		`edge_mqtt_connected 1`, `edge_power_watts{device="inv-1"} 3000`, `edge_outbox_capacity 10000`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics has no %q", want)
		}
	}
	if strings.Contains(string(body), "go_goroutines") {
		t.Error("/metrics exposes the global registry's collectors")
	}
}

// TestBrokerRestartNothingLost stops the broker mid-stream and starts a new
// one on the same port: every sequence number still reaches a broker.
func TestBrokerRestartNothingLost(t *testing.T) {
	rec := newRecorder(nil)
	b1, addr := startBroker(t, "127.0.0.1:0", rec)
	f := newFixture(t, addr)
	rec.keys = f.keys
	a := startAgent(t, f.cfg)

	rec.waitFor(t, "10 readings", wait, func(r *recorder) bool { return len(r.wires["inv-1"]) >= 10 })
	b1.Close()
	// Readings keep being signed into the outbox while the broker is away.
	eventually(t, "a backlog in the outbox", wait, func() bool { return a.outbox.Len() >= 20 })
	startBroker(t, addr, rec)
	before := rec.maxSeq("inv-1")
	rec.waitFor(t, "new readings after the restart", wait, func(r *recorder) bool {
		return len(r.wires["inv-1"]) > int(before)+10
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
		rec.assertComplete(t, dev, d.Seq)
		if got := rec.maxSeq(dev); got != d.Seq {
			t.Errorf("%s: highest seq at the broker %d, state %d", dev, got, d.Seq)
		}
	}
}

// TestSeqPersistedAcrossRestart: a restarted agent continues after the
// last persisted sequence number (never reusing one) and keeps the acc32
// carry.
func TestSeqPersistedAcrossRestart(t *testing.T) {
	rec := newRecorder(nil)
	_, addr := startBroker(t, "127.0.0.1:0", rec)
	f := newFixture(t, addr)
	rec.keys = f.keys
	a := startAgent(t, f.cfg)
	rec.waitFor(t, "readings", wait, func(r *recorder) bool { return len(r.wires["inv-1"]) >= 3 })
	f.inv.SetUint32(f.invM+24, 100) // wrap
	rec.waitFor(t, "a reading after the wrap", wait, func(r *recorder) bool {
		for _, w := range r.wires["inv-1"] {
			if s, _ := reading.Decode(w); s.Value > 1<<32 {
				return true
			}
		}
		return false
	})
	a.stop()
	st, _ := state.Open(f.cfg.StateDir)
	d1, err := st.Load("inv-1")
	if err != nil || d1.Seq < 4 || d1.Acc.Wraps != 1 {
		t.Fatalf("state after run 1 = %+v, %v", d1, err)
	}

	a2 := startAgent(t, f.cfg)
	rec.waitFor(t, "readings of run 2", wait, func(r *recorder) bool {
		_, ok := r.wires["inv-1"][d1.Seq+5]
		return ok
	})
	a2.stop()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, e := range rec.errs { // includes "two different readings with one sequence number"
		t.Error(e)
	}
	for s := d1.Seq + 1; s <= d1.Seq+5; s++ {
		r, err := reading.Decode(rec.wires["inv-1"][s])
		if err != nil {
			t.Fatalf("seq %d: %v", s, err)
		}
		if r.Value != 1<<32+100 {
			t.Errorf("run 2 seq %d value %d, want %d (carry kept)", s, r.Value, uint64(1<<32+100))
		}
	}
}

// TestOutboxFullAlarm: with no broker the outbox fills up, new readings
// are refused without burning sequence numbers, the alarm is raised; once
// a broker appears everything queued is delivered and the alarm clears.
func TestOutboxFullAlarm(t *testing.T) {
	addr := freeAddr(t)
	f := newFixture(t, addr)
	f.cfg.Outbox.Capacity = 5
	rec := newRecorder(f.keys)
	a := startAgent(t, f.cfg)
	eventually(t, "the alarm", wait, func() bool { return a.alarm.Load() })
	eventually(t, "refused readings", wait, func() bool {
		return testutilCount(a, "edge_readings_refused_total") >= 3
	})
	if got := a.outbox.Len(); got != 5 {
		t.Fatalf("outbox depth = %d, want 5", got)
	}
	startBroker(t, addr, rec)
	rec.waitFor(t, "the alarm status and recovery", wait, func(r *recorder) bool {
		var full, ok bool
		for _, s := range r.status {
			full = full || s == reading.AlarmTopic("gw-test")+"=outbox_full"
			ok = ok || full && s == reading.AlarmTopic("gw-test")+"=ok"
		}
		return ok
	})
	quiesce(t, a, f)
	a.stop()
	st, _ := state.Open(f.cfg.StateDir)
	for _, dev := range []string{"inv-1", "ev-1"} {
		d, _ := st.Load(dev)
		rec.assertComplete(t, dev, d.Seq) // no gaps: refused polls took no number
	}
	if a.alarm.Load() {
		t.Error("alarm still raised after the outbox drained")
	}
}

// testutilCount sums every series of a metric family in the agent's registry.
func testutilCount(a *running, name string) float64 {
	mfs, err := a.reg.Gather()
	if err != nil {
		return 0
	}
	var sum float64
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			sum += m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
	}
	return sum
}
