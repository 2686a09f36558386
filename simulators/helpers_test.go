package simulators

import (
	"context"
	"encoding/binary"
	"errors"
	"testing"
	"time"

	"github.com/goburrow/modbus"
)

// summerNoon is a Saturday at noon in Seoul time.
var (
	kst         = time.FixedZone("KST", 9*3600)
	summerStart = time.Date(2025, 6, 21, 0, 0, 0, 0, kst)
)

// startFleet starts cfg on loopback with a manual clock at cfg.Start.
func startFleet(t *testing.T, cfg Config) (*Fleet, *ManualClock) {
	t.Helper()
	if cfg.Start.IsZero() {
		cfg.Start = summerStart
	}
	clock := NewManualClock(cfg.Start)
	f, err := Start(context.Background(), cfg, WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := f.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return f, clock
}

func client(t *testing.T, addr string, unit uint8, timeout time.Duration) modbus.Client {
	t.Helper()
	h := modbus.NewTCPClientHandler(addr)
	h.SlaveId = unit
	h.Timeout = timeout
	if err := h.Connect(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return modbus.NewClient(h)
}

func readRegs(t *testing.T, c modbus.Client, addr, qty uint16) []uint16 {
	t.Helper()
	b, err := c.ReadHoldingRegisters(addr, qty)
	if err != nil {
		t.Fatalf("read %d+%d: %v", addr, qty, err)
	}
	r := make([]uint16, len(b)/2)
	for i := range r {
		r[i] = binary.BigEndian.Uint16(b[2*i:])
	}
	return r
}

func regString(regs []uint16) string {
	b := make([]byte, 0, 2*len(regs))
	for _, r := range regs {
		b = append(b, byte(r>>8), byte(r))
	}
	for len(b) > 0 && b[len(b)-1] == 0 {
		b = b[:len(b)-1]
	}
	return string(b)
}

func u32(regs []uint16) uint32 { return uint32(regs[0])<<16 | uint32(regs[1]) }

func pow10(sf int16) float64 {
	f := 1.0
	for ; sf > 0; sf-- {
		f *= 10
	}
	for ; sf < 0; sf++ {
		f /= 10
	}
	return f
}

func exceptionCode(t *testing.T, err error) byte {
	t.Helper()
	var me *modbus.ModbusError
	if !errors.As(err, &me) {
		t.Fatalf("got error %v, want a Modbus exception", err)
	}
	return me.ExceptionCode
}
