package agent

import (
	"context"
	"testing"
	"time"

	"github.com/citychain/citychain/edge/reading"
	"github.com/citychain/citychain/simulators"
)

// TestAgainstSimulators polls the project's SunSpec inverter and EV
// odometer simulators (a manual clock, the inverter started just below the
// acc32 wrap) and checks the signed values against the simulators' oracle.
func TestAgainstSimulators(t *testing.T) {
	start := time.Date(2025, 6, 21, 12, 0, 0, 0, time.UTC)
	clock := simulators.NewManualClock(start)
	fleet, err := simulators.Start(context.Background(), simulators.Config{Start: start, Devices: []simulators.DeviceConfig{
		{Kind: simulators.KindSolarInverter, ID: "inv-1", Seed: 1, RatedPowerW: 10000, InitialWh: 1<<32 - 50},
		{Kind: simulators.KindEVOdometer, ID: "ev-1", Seed: 2, InitialOdometerM: 5000},
	}}, simulators.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fleet.Close() })
	inv, _ := fleet.Device("inv-1")
	ev, _ := fleet.Device("ev-1")

	_, addr := startBroker(t, "127.0.0.1:0", nil)
	f := newFixture(t, addr)
	f.cfg.Devices[0].Address = inv.Addr()
	f.cfg.Devices[1].Address = ev.Addr()
	rec := newRecorder(f.keys)
	subscribe(t, "tcp://"+addr, "sub-sim", true, rec)
	a := startAgent(t, f.cfg)

	rec.waitFor(t, "first readings", wait, func(r *recorder) bool { return len(r.wires["inv-1"]) >= 1 && len(r.wires["ev-1"]) >= 1 })
	clock.Advance(time.Hour) // midday: the inverter produces well past the wrap
	want := map[string]uint64{"inv-1": inv.Read().Counter, "ev-1": ev.Read().Counter}
	if want["inv-1"] < 1<<32 {
		t.Fatalf("simulated inverter counter %d did not pass 2^32", want["inv-1"])
	}
	rec.waitFor(t, "readings with the advanced counters", wait, func(r *recorder) bool {
		for dev, w := range want {
			found := false
			for _, wire := range r.wires[dev] {
				if s, _ := reading.Decode(wire); s.Value == w {
					found = true
				}
			}
			if !found {
				return false
			}
		}
		return true
	})
	a.stop()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, e := range rec.errs {
		t.Error(e)
	}
}
