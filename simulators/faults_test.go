package simulators

import (
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"
)

func TestCommFaultsFromClient(t *testing.T) {
	f, clock := startFleet(t, Config{Devices: []DeviceConfig{inverterConfig("inv-1", 1), evConfig("ev-1", 1)}})
	clock.Set(summerStart.Add(12 * time.Hour))
	for _, dev := range f.Devices() {
		base := uint16(40000)
		if dev.Kind() == KindEVOdometer {
			base = 1000
		}
		t.Run(dev.ID(), func(t *testing.T) {
			t.Run("exception default 4", func(t *testing.T) {
				mustSet(t, dev, Fault{Mode: FaultException})
				defer dev.ClearFault()
				c := client(t, dev.Addr(), 1, 2*time.Second)
				_, err := c.ReadHoldingRegisters(base, 2)
				if got := exceptionCode(t, err); got != 4 {
					t.Fatalf("got exception %d, want 4", got)
				}
			})
			t.Run("exception 2", func(t *testing.T) {
				mustSet(t, dev, Fault{Mode: FaultException, Code: 2})
				defer dev.ClearFault()
				c := client(t, dev.Addr(), 1, 2*time.Second)
				_, err := c.ReadHoldingRegisters(base, 2)
				if got := exceptionCode(t, err); got != 2 {
					t.Fatalf("got exception %d, want 2", got)
				}
			})
			t.Run("timeout", func(t *testing.T) {
				mustSet(t, dev, Fault{Mode: FaultTimeout})
				defer dev.ClearFault()
				c := client(t, dev.Addr(), 1, 150*time.Millisecond)
				_, err := c.ReadHoldingRegisters(base, 2)
				var ne net.Error
				if !errors.As(err, &ne) || !ne.Timeout() {
					t.Fatalf("got %v, want a timeout", err)
				}
			})
			t.Run("slow", func(t *testing.T) {
				const delay = 120 * time.Millisecond
				mustSet(t, dev, Fault{Mode: FaultSlow, Delay: delay})
				defer dev.ClearFault()
				c := client(t, dev.Addr(), 1, 5*time.Second)
				begin := time.Now()
				if _, err := c.ReadHoldingRegisters(base, 2); err != nil {
					t.Fatal(err)
				}
				if got := time.Since(begin); got < delay {
					t.Fatalf("reply after %v, want >= %v", got, delay)
				}
				// A client with a shorter timeout times out.
				c = client(t, dev.Addr(), 1, delay/3)
				if _, err := c.ReadHoldingRegisters(base, 2); err == nil {
					t.Fatal("slow reply within a short timeout")
				}
			})
			t.Run("drop", func(t *testing.T) {
				mustSet(t, dev, Fault{Mode: FaultDrop})
				defer dev.ClearFault()
				c := client(t, dev.Addr(), 1, 2*time.Second)
				_, err := c.ReadHoldingRegisters(base, 2)
				if !isDropped(err) {
					t.Fatalf("got %v, want a dropped connection (EOF or reset)", err)
				}
			})
			t.Run("cleared", func(t *testing.T) {
				if got := dev.Fault(); got.Mode != FaultNone {
					t.Fatalf("fault after clear: got %q", got.Mode)
				}
				c := client(t, dev.Addr(), 1, 2*time.Second)
				if _, err := c.ReadHoldingRegisters(base, 2); err != nil {
					t.Fatal(err)
				}
			})
		})
	}
}

func isDropped(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

func mustSet(t *testing.T, d *Device, f Fault) {
	t.Helper()
	if err := d.SetFault(f); err != nil {
		t.Fatal(err)
	}
}

// counterRegister reads the device's cumulative counter over Modbus.
func counterRegister(t *testing.T, d *Device) uint64 {
	t.Helper()
	c := client(t, d.Addr(), 1, 2*time.Second)
	if d.Kind() == KindSolarInverter {
		return uint64(u32(readRegs(t, c, 40094, 2)))
	}
	return uint64(u32(readRegs(t, c, 1004, 2)))
}

func firmware(t *testing.T, d *Device) string {
	t.Helper()
	c := client(t, d.Addr(), 1, 2*time.Second)
	if d.Kind() == KindSolarInverter {
		return regString(readRegs(t, c, 40002+42, 8))
	}
	return string(rune('0' + readRegs(t, c, 1020, 1)[0]))
}

func TestCounterFaultsFromClient(t *testing.T) {
	start := time.Date(2025, 6, 23, 0, 0, 0, 0, kst) // Monday
	f, clock := startFleet(t, Config{Start: start, Devices: []DeviceConfig{inverterConfig("inv-1", 1), evConfig("ev-1", 1)}})
	clock.Set(start.Add(19 * time.Hour)) // after a day of sun and commutes
	for _, dev := range f.Devices() {
		t.Run(dev.ID(), func(t *testing.T) {
			before := counterRegister(t, dev)
			if before == 0 || before != dev.Read().Counter {
				t.Fatalf("counter %d, oracle %d", before, dev.Read().Counter)
			}
			mustSet(t, dev, Fault{Mode: FaultRollback, Amount: 500})
			if got := counterRegister(t, dev); got != before-500 {
				t.Fatalf("after rollback 500: got %d, want %d", got, before-500)
			}
			r := dev.Read()
			if r.Counter != before-500 || r.Counter+500 != dev.initial()+r.Physical {
				t.Fatalf("oracle after rollback: counter %d physical %d", r.Counter, r.Physical)
			}

			mustSet(t, dev, Fault{Mode: FaultReset})
			if got := counterRegister(t, dev); got != 0 {
				t.Fatalf("after reset: got %d, want 0", got)
			}
			if got := firmware(t, dev); got[0] != '2' {
				t.Fatalf("firmware after reset: got %q, want version 2", got)
			}
			// Counting resumes from zero.
			var after uint64
			for range 48 {
				clock.Advance(30 * time.Minute)
				after = counterRegister(t, dev)
				if after > 0 {
					break
				}
			}
			if after == 0 || after != dev.Read().Counter || after > dev.Read().Physical {
				t.Fatalf("after reset and a day: counter %d, oracle %+v", after, dev.Read())
			}
		})
	}
}

// TestScheduledFaults drives config-scheduled faults with a manual clock.
func TestScheduledFaults(t *testing.T) {
	inv := inverterConfig("inv-1", 1)
	inv.Fault = &Fault{Mode: FaultException, Code: 3, After: time.Hour, Duration: 30 * time.Minute}
	inv.Faults = []Fault{{Mode: FaultRollback, Amount: 1000, After: 14 * time.Hour}}
	f, clock := startFleet(t, Config{Devices: []DeviceConfig{inv}})
	dev, _ := f.Device("inv-1")
	c := client(t, dev.Addr(), 1, 2*time.Second)

	if _, err := c.ReadHoldingRegisters(40000, 2); err != nil {
		t.Fatalf("before the fault: %v", err)
	}
	clock.Set(summerStart.Add(time.Hour + time.Minute))
	_, err := c.ReadHoldingRegisters(40000, 2)
	if got := exceptionCode(t, err); got != 3 {
		t.Fatalf("during the fault: got exception %d, want 3", got)
	}
	clock.Set(summerStart.Add(time.Hour + 31*time.Minute))
	if _, err := c.ReadHoldingRegisters(40000, 2); err != nil {
		t.Fatalf("after the fault's duration: %v", err)
	}

	// The rollback takes effect as of 14:00 even when first observed later.
	clock.Set(summerStart.Add(16 * time.Hour))
	r := dev.Read()
	atFault := dev.solar.energyWh(summerStart.Add(14 * time.Hour))
	if want := r.Physical - 1000; r.Counter != want || atFault < 1000 {
		t.Fatalf("after scheduled rollback: counter %d, want physical %d - 1000 (energy at 14:00: %d)", r.Counter, r.Physical, atFault)
	}
	if got := uint64(u32(readRegs(t, c, 40094, 2))); got != r.Counter {
		t.Fatalf("WH register: got %d, want %d", got, r.Counter)
	}
}

func TestSetFaultValidates(t *testing.T) {
	f, _ := startFleet(t, Config{Devices: []DeviceConfig{inverterConfig("inv-1", 1)}})
	dev, _ := f.Device("inv-1")
	for _, bad := range []Fault{{Mode: "melt"}, {Mode: FaultSlow}, {Mode: FaultRollback}} {
		if err := dev.SetFault(bad); err == nil {
			t.Errorf("SetFault(%+v): got nil error", bad)
		}
	}
	// Rollback never goes below zero.
	mustSet(t, dev, Fault{Mode: FaultRollback, Amount: 1 << 40})
	if got := dev.Read().Counter; got != 0 {
		t.Fatalf("counter after a huge rollback: got %d, want 0", got)
	}
}
