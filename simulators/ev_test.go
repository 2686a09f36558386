package simulators

import (
	"testing"
	"time"
)

func evConfig(id string, seed int64) DeviceConfig {
	return DeviceConfig{Kind: KindEVOdometer, ID: id, Seed: seed, VIN: "KMHXX00XXXX000001", InitialOdometerM: 12_345_000}
}

// TestEVOverModbus reads the documented map with a real client through a
// weekday and checks it against the oracle; the odometer never goes back.
func TestEVOverModbus(t *testing.T) {
	start := time.Date(2025, 6, 23, 0, 0, 0, 0, kst) // Monday
	f, clock := startFleet(t, Config{Start: start, Devices: []DeviceConfig{evConfig("ev-1", 11)}})
	dev, _ := f.Device("ev-1")
	c := client(t, dev.Addr(), 1, 2*time.Second)

	id := readRegs(t, c, 1000, 4)
	if got := regString(id[:2]); got != "EVOD" || id[2] != 1 || id[3] != 31 {
		t.Fatalf("identification: got %q version %d length %d, want EVOD 1 31", got, id[2], id[3])
	}
	var prev uint32
	var sawDriving, sawSpeed bool
	for m := 0; m <= 24*60; m += 3 {
		at := start.Add(time.Duration(m) * time.Minute)
		clock.Set(at)
		r := readRegs(t, c, 1000, 31)
		want := dev.Read()
		odo := u32(r[4:6])
		if uint64(odo) != want.Counter {
			t.Fatalf("at %v: odometer register %d, want oracle %d", at, odo, want.Counter)
		}
		if odo < prev {
			t.Fatalf("at %v: odometer went back from %d to %d", at, prev, odo)
		}
		prev = odo
		if got := regString(r[6:15]); got != "KMHXX00XXXX000001" {
			t.Fatalf("VIN: got %q", got)
		}
		if r[15] != want.SpeedDeciKmh || r[16] != want.SoCPermille {
			t.Fatalf("at %v: speed/soc registers %d/%d, want %d/%d", at, r[15], r[16], want.SpeedDeciKmh, want.SoCPermille)
		}
		if (r[17] == 1) != want.Charging || (r[18] == 2) != want.Charging {
			t.Fatalf("at %v: charging flag %d status %d, oracle charging %v", at, r[17], r[18], want.Charging)
		}
		sawDriving = sawDriving || r[18] == 1
		sawSpeed = sawSpeed || r[15] > 0
		if got := u32(r[29:31]); int64(got) != at.Unix() {
			t.Fatalf("device time: got %d, want %d", got, at.Unix())
		}
	}
	if !sawDriving || !sawSpeed {
		t.Fatalf("a weekday without driving (status driving %v, speed > 0 %v)", sawDriving, sawSpeed)
	}
	if prev <= 12_345_000 {
		t.Fatalf("odometer after a weekday: got %d, want > initial 12345000", prev)
	}

	// The asset tag is writable; the rest is not.
	if _, err := c.WriteMultipleRegisters(1021, 2, []byte{'B', 'U', 'S', '7'}); err != nil {
		t.Fatal(err)
	}
	if got := regString(readRegs(t, c, 1021, 8)); got != "BUS7" {
		t.Fatalf("asset tag: got %q, want BUS7", got)
	}
	_, err := c.WriteSingleRegister(1004, 0)
	if got := exceptionCode(t, err); got != 2 {
		t.Fatalf("write odometer: got exception %d, want 2", got)
	}
	_, err = c.ReadHoldingRegisters(1030, 2)
	if got := exceptionCode(t, err); got != 2 {
		t.Fatalf("read past the map: got exception %d, want 2", got)
	}
}

func TestEVDefaultVIN(t *testing.T) {
	cfg := evConfig("ev-1", 5)
	cfg.VIN = ""
	f, _ := startFleet(t, Config{Devices: []DeviceConfig{cfg}})
	dev, _ := f.Device("ev-1")
	c := client(t, dev.Addr(), 1, 2*time.Second)
	if got := regString(readRegs(t, c, 1006, 9)); got != dev.VIN() || got != defaultVIN(5) {
		t.Fatalf("VIN: got %q, want %q", got, defaultVIN(5))
	}
}
