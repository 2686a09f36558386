package publisher

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"encoding/binary"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/citychain/citychain/edge/internal/outbox"
	"github.com/citychain/citychain/edge/reading"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// heldBroker is a minimal MQTT 3.1.1 server: it accepts CONNECT, acks
// status publishes at once and holds reading publishes until told to ack.
type heldBroker struct {
	ln net.Listener

	mu    sync.Mutex
	conn  net.Conn
	held  []uint16 // packet ids of unacknowledged readings
	got   int      // reading publishes received
	event chan struct{}
}

func startHeld(t *testing.T) *heldBroker {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &heldBroker{ln: ln, event: make(chan struct{}, 1000)}
	t.Cleanup(func() {
		ln.Close()
		b.mu.Lock()
		if b.conn != nil {
			b.conn.Close()
		}
		b.mu.Unlock()
	})
	go b.serve()
	return b
}

func (b *heldBroker) serve() {
	c, err := b.ln.Accept()
	if err != nil {
		return
	}
	b.mu.Lock()
	b.conn = c
	b.mu.Unlock()
	r := bufio.NewReader(c)
	for {
		h, err := r.ReadByte()
		if err != nil {
			return
		}
		n, mult := 0, 1
		for {
			d, err := r.ReadByte()
			if err != nil {
				return
			}
			n += int(d&127) * mult
			mult *= 128
			if d&128 == 0 {
				break
			}
		}
		body := make([]byte, n)
		if _, err := io.ReadFull(r, body); err != nil {
			return
		}
		switch h >> 4 {
		case 1: // CONNECT
			b.write([]byte{0x20, 2, 0, 0})
		case 3: // PUBLISH, QoS 1
			tl := int(binary.BigEndian.Uint16(body))
			topic := string(body[2 : 2+tl])
			id := binary.BigEndian.Uint16(body[2+tl:])
			if strings.HasPrefix(topic, reading.TopicPrefix) {
				b.mu.Lock()
				b.held = append(b.held, id)
				b.got++
				b.mu.Unlock()
				b.event <- struct{}{}
			} else {
				b.write([]byte{0x40, 2, byte(id >> 8), byte(id)})
			}
		case 12: // PINGREQ
			b.write([]byte{0xD0, 0})
		}
	}
}

func (b *heldBroker) write(p []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.conn.Write(p)
}

func (b *heldBroker) received() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.got
}

// ackOne acknowledges the oldest held publish.
func (b *heldBroker) ackOne() {
	b.mu.Lock()
	id := b.held[0]
	b.held = b.held[1:]
	b.mu.Unlock()
	b.write([]byte{0x40, 2, byte(id >> 8), byte(id)})
}

func waitEvent(t *testing.T, b *heldBroker) {
	t.Helper()
	select {
	case <-b.event:
	case <-time.After(10 * time.Second):
		t.Fatal("timed out waiting for a publish")
	}
}

// TestMaxInFlight: with 3 publishes unacknowledged the publisher sends no
// more; each PUBACK lets exactly one more go and removes one entry.
func TestMaxInFlight(t *testing.T) {
	ob, err := outbox.Open(t.TempDir(), 100, quiet)
	if err != nil {
		t.Fatal(err)
	}
	priv := ed25519.NewKeyFromSeed(make([]byte, 32))
	for i := uint64(1); i <= 10; i++ {
		s, _ := reading.Reading{DeviceID: "d", Seq: i, TimeMs: 1, Kind: reading.KindEnergyWh, Value: i}.Sign(priv)
		w, _ := s.Encode()
		if _, err := ob.Append(w); err != nil {
			t.Fatal(err)
		}
	}
	b := startHeld(t)
	p, err := New(Config{Broker: "tcp://" + b.ln.Addr().String(), ClientID: "c", GatewayID: "gw", MaxInFlight: 3,
		ReplayRate: -1, ReplayBurst: 1, PublishTimeout: 10 * time.Second, ShutdownGrace: 10 * time.Millisecond}, ob, quiet, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { p.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	for range 3 {
		waitEvent(t, b)
	}
	// A negative check needs a short grace period: nothing more may arrive.
	time.Sleep(100 * time.Millisecond)
	if got := b.received(); got != 3 {
		t.Fatalf("publishes in flight = %d, want 3", got)
	}
	for i := 1; i <= 2; i++ {
		b.ackOne()
		waitEvent(t, b)
		time.Sleep(50 * time.Millisecond)
		if got := b.received(); got != 3+i {
			t.Fatalf("after %d PUBACKs: %d publishes, want %d", i, got, 3+i)
		}
	}
	if got := ob.Len(); got != 8 {
		t.Errorf("outbox depth after 2 PUBACKs = %d, want 8", got)
	}
}

func TestBucket(t *testing.T) {
	b := newBucket(200, 3)
	ctx := context.Background()
	start := time.Now()
	for range 3 {
		b.wait(ctx)
	}
	burst := time.Since(start)
	for range 10 {
		b.wait(ctx)
	}
	// 10 tokens at 200/s take at least ~50ms (lower bound only).
	if d := time.Since(start); d < 45*time.Millisecond {
		t.Errorf("13 waits at 200/s with burst 3 took %v, want >= 45ms (burst took %v)", d, burst)
	}
	unlimited := newBucket(0, 1)
	for range 1000 {
		if err := unlimited.wait(ctx); err != nil {
			t.Fatal(err)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	slow := newBucket(0.001, 1)
	slow.wait(cctx)
	if err := slow.wait(cctx); err == nil {
		t.Error("wait on a cancelled context with no tokens succeeded")
	}
}
