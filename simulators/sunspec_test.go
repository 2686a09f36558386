package simulators

import (
	"fmt"
	"log/slog"
	"math"
	"testing"
	"time"
)

func inverterConfig(id string, seed int64) DeviceConfig {
	return DeviceConfig{Kind: KindSolarInverter, ID: id, Seed: seed, RatedPowerW: 10_000, Serial: "SN-" + id}
}

// TestSunSpecChain walks the SunSpec model chain with a real Modbus client
// the way the edge agent discovers it.
func TestSunSpecChain(t *testing.T) {
	f, clock := startFleet(t, Config{Devices: []DeviceConfig{inverterConfig("inv-1", 7)}})
	dev, _ := f.Device("inv-1")
	clock.Set(summerStart.Add(12*time.Hour + 30*time.Minute))
	c := client(t, dev.Addr(), 1, 2*time.Second)

	if got := readRegs(t, c, 40000, 2); got[0] != 0x5375 || got[1] != 0x6E53 {
		t.Fatalf("SunS marker: got %#04x, want [0x5375 0x6e53]", got)
	}
	addr := uint16(40002)
	models := map[uint16][]uint16{}
	var order []uint16
	for {
		hdr := readRegs(t, c, addr, 2)
		if hdr[0] == 0xFFFF {
			if hdr[1] != 0 {
				t.Fatalf("end marker length: got %d, want 0", hdr[1])
			}
			break
		}
		body := readRegs(t, c, addr+2, hdr[1])
		models[hdr[0]] = body
		order = append(order, hdr[0])
		addr += 2 + hdr[1]
		if len(order) > 10 {
			t.Fatal("model chain does not end")
		}
	}
	if addr != 40122 {
		t.Fatalf("end marker at %d, want 40122", addr)
	}
	if len(order) != 2 || order[0] != 1 || order[1] != 103 {
		t.Fatalf("models: got %v, want [1 103]", order)
	}
	m1 := models[1]
	if len(m1) != 66 {
		t.Fatalf("model 1 length: got %d, want 66", len(m1))
	}
	for _, tt := range []struct{ name, got, want string }{
		{"Mn", regString(m1[0:16]), "CityChain Simulators"},
		{"Md", regString(m1[16:32]), "SIM-INV-3P-10000W"},
		{"Vr", regString(m1[40:48]), "1.0.0"},
		{"SN", regString(m1[48:64]), "SN-inv-1"},
	} {
		if tt.got != tt.want {
			t.Errorf("model 1 %s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
	if m1[64] != 1 {
		t.Errorf("model 1 DA: got %d, want 1", m1[64])
	}

	m := models[103]
	if len(m) != 50 {
		t.Fatalf("model 103 length: got %d, want 50", len(m))
	}
	// Offsets below are from the first point (register ID+2).
	want := dev.Read()
	sf := func(off int) float64 { return pow10(int16(m[off])) }
	w := float64(int16(m[12])) * sf(13)
	if want.PowerW <= 0 {
		t.Fatalf("oracle power at summer noon: got %d W, want > 0", want.PowerW)
	}
	if math.Abs(w-float64(want.PowerW)) > sf(13) {
		t.Errorf("W: got %v W, want %d W", w, want.PowerW)
	}
	if wh := float64(u32(m[22:24])) * sf(24); wh != float64(want.Counter) {
		t.Errorf("WH: got %v, want %d", wh, want.Counter)
	}
	a := float64(m[0]) * sf(4)
	phases := (float64(m[1]) + float64(m[2]) + float64(m[3])) * sf(4)
	if math.Abs(a-phases) > 3*sf(4) {
		t.Errorf("A: got %v, want the sum of phases %v", a, phases)
	}
	if v := float64(m[8]) * sf(11); v < 215 || v > 225 {
		t.Errorf("PhVphA: got %v V, want about 220", v)
	}
	if hz := float64(m[14]) * sf(15); hz < 59.9 || hz > 60.1 {
		t.Errorf("Hz: got %v, want about 60", hz)
	}
	if va := float64(int16(m[16])) * sf(17); va < w {
		t.Errorf("VA: got %v, want >= W %v", va, w)
	}
	if pf := float64(int16(m[20])) * sf(21); pf < 98 || pf > 100 {
		t.Errorf("PF: got %v %%, want 98..100", pf)
	}
	if dcw := float64(int16(m[29])) * sf(30); dcw < w {
		t.Errorf("DCW: got %v, want >= W %v", dcw, w)
	}
	for _, tt := range []struct {
		name string
		off  int
		want uint16
	}{
		{"WH_SF", 24, 0},
		{"TmpTrns not implemented", 33, 0x8000},
		{"TmpOt not implemented", 34, 0x8000},
		{"St MPPT", 36, 4},
		{"StVnd not implemented", 37, 0xFFFF},
		{"Evt1 high", 38, 0},
		{"Evt1 low", 39, 0},
		{"EvtVnd1 not implemented", 42, 0xFFFF},
		{"EvtVnd4 low not implemented", 49, 0xFFFF},
	} {
		if m[tt.off] != tt.want {
			t.Errorf("%s: got %#04x, want %#04x", tt.name, m[tt.off], tt.want)
		}
	}

	// FC 4 reads the same bank.
	b, err := c.ReadInputRegisters(40000, 2)
	if err != nil || b[0] != 0x53 || b[1] != 0x75 {
		t.Fatalf("FC 4 SunS: got % x, %v", b, err)
	}
	// Outside the map: exception 2.
	for _, r := range [][2]uint16{{39999, 1}, {40120, 5}, {0, 1}} {
		_, err := c.ReadHoldingRegisters(r[0], r[1])
		if got := exceptionCode(t, err); got != 2 {
			t.Errorf("read %d+%d: got exception %d, want 2", r[0], r[1], got)
		}
	}
	// At night the inverter sleeps.
	clock.Set(summerStart.Add(24*time.Hour + 2*time.Hour))
	if got := readRegs(t, c, 40070+38, 1)[0]; got != 2 {
		t.Errorf("St at 02:00: got %d, want 2 (sleeping)", got)
	}
	if got := readRegs(t, c, 40070+14, 1)[0]; got != 0 {
		t.Errorf("W at 02:00: got %d, want 0", got)
	}
}

func TestInverterWriteDA(t *testing.T) {
	f, _ := startFleet(t, Config{Devices: []DeviceConfig{inverterConfig("inv-1", 1)}})
	dev, _ := f.Device("inv-1")
	c := client(t, dev.Addr(), 1, 2*time.Second)
	if _, err := c.WriteSingleRegister(40068, 42); err != nil {
		t.Fatal(err)
	}
	if got := readRegs(t, c, 40068, 1)[0]; got != 42 {
		t.Fatalf("DA after write: got %d, want 42", got)
	}
	_, err := c.WriteSingleRegister(40068, 300)
	if got := exceptionCode(t, err); got != 3 {
		t.Fatalf("DA 300: got exception %d, want 3", got)
	}
	_, err = c.WriteSingleRegister(40094, 0)
	if got := exceptionCode(t, err); got != 2 {
		t.Fatalf("write WH: got exception %d, want 2", got)
	}
}

// TestWHIncreasing reads the acc32 WH over Modbus through a day and checks
// it never decreases, grows by daylight, matches the oracle, and wraps at
// 2^32 as acc32 does.
func TestWHIncreasing(t *testing.T) {
	const initial = 1<<32 - 20_000
	cfg := inverterConfig("inv-1", 3)
	cfg.InitialWh = initial
	f, clock := startFleet(t, Config{Devices: []DeviceConfig{cfg}})
	dev, _ := f.Device("inv-1")
	c := client(t, dev.Addr(), 1, 2*time.Second)

	var prev uint64 = initial
	var wrapped bool
	for m := 0; m <= 24*60; m += 10 {
		clock.Set(summerStart.Add(time.Duration(m) * time.Minute))
		reg := u32(readRegs(t, c, 40094, 2))
		want := dev.Read()
		if uint64(reg) != want.Counter%(1<<32) {
			t.Fatalf("at %d min: WH register %d, want oracle %d mod 2^32", m, reg, want.Counter)
		}
		if want.Counter < prev {
			t.Fatalf("at %d min: counter went back from %d to %d", m, prev, want.Counter)
		}
		if want.Counter >= 1<<32 {
			wrapped = true
		}
		prev = want.Counter
	}
	day := prev - initial
	if day < 20_000 || day > 10_000*15 {
		t.Fatalf("energy of a summer day: got %d Wh, want 20 kWh..150 kWh for 10 kW", day)
	}
	if !wrapped {
		t.Fatal("acc32 never wrapped")
	}
}

// TestScaleFactors checks that values fit their registers and survive the
// scale factors for small and very large ratings.
func TestScaleFactors(t *testing.T) {
	for _, rated := range []int64{100, 10_000, 250_000, 100_000_000} {
		t.Run(fmt.Sprint(rated), func(t *testing.T) {
			cfg := inverterConfig("inv", 1)
			cfg.RatedPowerW = rated
			d := newDevice(cfg, NewManualClock(summerStart), summerStart, slog.New(slog.DiscardHandler))
			var maxW int64
			for m := 0; m < 24*60; m += 5 {
				at := summerStart.Add(time.Duration(m) * time.Minute)
				r := d.ReadAt(at)
				regs := d.sunspecRegisters(r)
				p := regs[40072-40000:]
				sf := func(off int) float64 { return pow10(int16(p[off])) }
				w := float64(int16(p[12])) * sf(13)
				if w < 0 || math.Abs(w-float64(r.PowerW)) > sf(13) {
					t.Fatalf("%v: W %v, want %d", at, w, r.PowerW)
				}
				va := float64(int16(p[16])) * sf(17)
				if va < 0 || va+sf(17) < w {
					t.Fatalf("%v: VA %v < W %v", at, va, w)
				}
				amps := float64(p[0]) * sf(4)
				if wantA := va / 220; math.Abs(amps-wantA) > 0.03*wantA+2*sf(4) {
					t.Fatalf("%v: A %v, want about %v", at, amps, wantA)
				}
				dcw := float64(int16(p[29])) * sf(30)
				if dcw < 0 || dcw+sf(30) < w {
					t.Fatalf("%v: DCW %v < W %v", at, dcw, w)
				}
				if r.PowerW > 0 {
					dca := float64(p[25]) * sf(26)
					dcv := float64(p[27]) * sf(28)
					if math.Abs(dca*dcv-dcw) > 0.02*dcw+dcv*sf(26) {
						t.Fatalf("%v: DCA %v × DCV %v, want DCW %v", at, dca, dcv, dcw)
					}
				}
				maxW = max(maxW, r.PowerW)
			}
			if maxW <= 0 || maxW > rated {
				t.Fatalf("max power %d W for rating %d", maxW, rated)
			}
		})
	}
}
