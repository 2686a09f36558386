package simulators

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

// TestSharedListener serves two inverters and an EV on one port, told apart
// by unit id.
func TestSharedListener(t *testing.T) {
	a, b, e := inverterConfig("inv-a", 1), inverterConfig("inv-b", 2), evConfig("ev-c", 3)
	a.Listen, b.Listen, e.Listen = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
	a.UnitID, b.UnitID, e.UnitID = 1, 2, 3
	f, _ := startFleet(t, Config{Devices: []DeviceConfig{a, b, e}})
	addr := f.Devices()[0].Addr()
	for _, d := range f.Devices() {
		if d.Addr() != addr {
			t.Fatalf("device %s on %s, want shared %s", d.ID(), d.Addr(), addr)
		}
	}
	for unit, sn := range map[uint8]string{1: "SN-inv-a", 2: "SN-inv-b"} {
		c := client(t, addr, unit, 2*time.Second)
		if got := regString(readRegs(t, c, 40052, 16)); got != sn {
			t.Errorf("unit %d SN: got %q, want %q", unit, got, sn)
		}
	}
	c := client(t, addr, 3, 2*time.Second)
	if got := regString(readRegs(t, c, 1000, 2)); got != "EVOD" {
		t.Errorf("unit 3: got %q, want EVOD", got)
	}
	c = client(t, addr, 9, 2*time.Second)
	_, err := c.ReadHoldingRegisters(40000, 2)
	if got := exceptionCode(t, err); got != 0x0B {
		t.Errorf("unknown unit: got exception %d, want 11", got)
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	f, err := New(Config{Devices: []DeviceConfig{inverterConfig("inv-1", 1)}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	dev, _ := f.Device("inv-1")
	select {
	case <-f.Ready():
	case err := <-done:
		t.Fatalf("Run returned early: %v", err)
	}
	addr := dev.Addr()
	c := client(t, addr, 1, 2*time.Second)
	readRegs(t, c, 40000, 2)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run after cancel: got %v, want nil", err)
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Fatal("still listening after cancel")
	}
	if err := f.Run(context.Background()); err == nil {
		t.Fatal("second Run: got nil error")
	}
}

func TestStartListenError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cfg := Config{Devices: []DeviceConfig{inverterConfig("inv-1", 1), inverterConfig("inv-2", 2)}}
	cfg.Devices[1].Listen = ln.Addr().String() // taken
	_, err = Start(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "inv-2") {
		t.Fatalf("got %v, want a listen error naming inv-2", err)
	}
	var opErr *net.OpError
	if !errors.As(err, &opErr) {
		t.Fatalf("got %v, want a wrapped *net.OpError", err)
	}
}

func TestStartStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	f, err := Start(ctx, Config{Devices: []DeviceConfig{evConfig("ev-1", 1)}})
	if err != nil {
		t.Fatal(err)
	}
	addr := f.Devices()[0].Addr()
	cancel()
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Fatal("still listening after cancel and Close")
	}
}

func TestScaledClock(t *testing.T) {
	start := summerStart
	before := time.Now()
	c := NewScaledClock(start, 3600)
	now := c.Now()
	elapsed := time.Since(before)
	if now.Before(start) || now.Sub(start) > 3600*elapsed {
		t.Fatalf("simulated elapsed %v for real elapsed at most %v at speed 3600", now.Sub(start), elapsed)
	}
	c.SetSpeed(0)
	a := c.Now()
	if b := c.Now(); !a.Equal(b) || a.Before(now) {
		t.Fatalf("frozen clock moved: %v then %v (was %v)", a, b, now)
	}
	if c.Speed() != 0 {
		t.Fatalf("speed: got %v, want 0", c.Speed())
	}

	m := NewManualClock(start)
	if got := m.Advance(90 * time.Second); !got.Equal(start.Add(90*time.Second)) || !m.Now().Equal(got) {
		t.Fatalf("manual clock: got %v", got)
	}
}

// TestDefaultClock: without WithClock the fleet runs a ScaledClock from
// the config's Start and Speed.
func TestDefaultClock(t *testing.T) {
	f, err := New(Config{Speed: 60, Start: summerStart, Devices: []DeviceConfig{inverterConfig("inv-1", 1)}})
	if err != nil {
		t.Fatal(err)
	}
	sc, ok := f.Clock().(*ScaledClock)
	if !ok || sc.Speed() != 60 || f.Clock().Now().Before(summerStart) || !f.StartTime().Equal(summerStart) {
		t.Fatalf("clock: got %T speed %v", f.Clock(), sc.Speed())
	}
	g, err := New(Config{Devices: []DeviceConfig{inverterConfig("inv-1", 1)}})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(g.StartTime()); d < 0 || d > time.Minute {
		t.Fatalf("default start: got %v, want about now", g.StartTime())
	}
}
