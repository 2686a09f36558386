package simulators

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: series changed; got:\n%s\nwant:\n%s", path, got, want)
	}
}

// TestSolarGolden pins the production series of one seed: any change to the
// curve shows up here (rerun with -update when intended).
func TestSolarGolden(t *testing.T) {
	m := newSolarModel(42, 10_000, summerStart)
	var b bytes.Buffer
	for q := 0; q <= 2*24*4; q++ {
		at := summerStart.Add(time.Duration(q) * 15 * time.Minute)
		fmt.Fprintf(&b, "%s %5d W %6d Wh\n", at.Format("01-02 15:04"), m.power(at), m.energyWh(at))
	}
	golden(t, "solar_seed42.golden", b.Bytes())
}

func TestSolarDeterminism(t *testing.T) {
	series := func(seed int64) []int64 {
		m := newSolarModel(seed, 5000, summerStart)
		var s []int64
		for i := 0; i < 7*24*60; i += 7 {
			s = append(s, m.power(summerStart.Add(time.Duration(i)*time.Minute)))
		}
		return s
	}
	a, b, c := series(1), series(1), series(2)
	same, diff := true, false
	for i := range a {
		same = same && a[i] == b[i]
		diff = diff || a[i] != c[i]
	}
	if !same {
		t.Fatal("same seed gave different series")
	}
	if !diff {
		t.Fatal("different seeds gave the same series")
	}
}

// TestSolarEnergyIndependentOfSampling: the counter at an instant does not
// depend on when it was sampled before.
func TestSolarEnergyIndependentOfSampling(t *testing.T) {
	end := summerStart.Add(36*time.Hour + 17*time.Minute + 3*time.Second + 250*time.Millisecond)
	once := newSolarModel(9, 8000, summerStart).energyMJ(end)
	m := newSolarModel(9, 8000, summerStart)
	for at := summerStart; at.Before(end); at = at.Add(7*time.Minute + 13*time.Second) {
		m.energyMJ(at)
	}
	if got := m.energyMJ(end); got != once {
		t.Fatalf("sampled energy: got %d mJ, want %d mJ", got, once)
	}
	// Going back in time (manual clock) recomputes.
	if got, want := m.energyMJ(summerStart.Add(time.Hour)), newSolarModel(9, 8000, summerStart).energyMJ(summerStart.Add(time.Hour)); got != want {
		t.Fatalf("energy after going back: got %d, want %d", got, want)
	}
}

func TestSolarCurveShape(t *testing.T) {
	m := newSolarModel(5, 10_000, summerStart)
	var nightMax, dayMax, over int64
	for i := 0; i < 30*24*60; i += 5 {
		at := summerStart.Add(time.Duration(i) * time.Minute)
		p := m.power(at)
		h := at.Hour()
		if h < 4 || h >= 21 {
			nightMax = max(nightMax, p)
		} else {
			dayMax = max(dayMax, p)
		}
		if p > 10_000 || p < 0 {
			over++
		}
	}
	if nightMax != 0 {
		t.Errorf("night power: got %d W, want 0", nightMax)
	}
	if dayMax < 9000 {
		t.Errorf("best power in a summer month: got %d W, want >= 9000 W", dayMax)
	}
	if over != 0 {
		t.Errorf("%d samples outside 0..rated", over)
	}
	summer := m.energyWh(summerStart.Add(30*24*time.Hour)) / 30
	winterStart := time.Date(2025, 12, 1, 0, 0, 0, 0, kst)
	w := newSolarModel(5, 10_000, winterStart)
	winter := w.energyWh(winterStart.Add(30*24*time.Hour)) / 30
	if summer <= winter || summer > 70_000 || winter < 5_000 {
		t.Errorf("daily energy: got summer %d Wh, winter %d Wh; want 5k < winter < summer < 70k", summer, winter)
	}
}

func TestEVGolden(t *testing.T) {
	m := newEVModel(42, summerStart)
	var b bytes.Buffer
	for q := 0; q <= 3*24*4; q++ {
		at := summerStart.Add(time.Duration(q) * 15 * time.Minute)
		s := m.snapshot(at)
		fmt.Fprintf(&b, "%s %-9s %8d m %4d dkm/h soc %4d charging %-5v trips %d\n",
			at.Format("01-02 15:04"), at.Weekday(), s.distMM/1000, s.speed, s.socPm, s.charging, s.trips)
	}
	golden(t, "ev_seed42.golden", b.Bytes())
}

// TestEVDayProfiles checks a fortnight minute by minute: the odometer never
// goes back, weekdays have commutes, the battery charges at night and stays
// in range.
func TestEVDayProfiles(t *testing.T) {
	start := time.Date(2025, 6, 23, 0, 0, 0, 0, kst) // a Monday
	m := newEVModel(11, start)
	var prev evSnapshot
	var chargedAtNight, drivingAtNight, weekdayTrips int
	dayStart := uint64(0)
	for i := 0; i <= 14*24*60; i++ {
		at := start.Add(time.Duration(i) * time.Minute)
		s := m.snapshot(at)
		if s.distMM < prev.distMM || s.trips < prev.trips {
			t.Fatalf("at %v: odometer %d mm / trips %d went back from %d / %d", at, s.distMM, s.trips, prev.distMM, prev.trips)
		}
		if s.socPm < 0 || s.socPm > 1000 || s.speed < 0 || s.speed > maxDeciKmh {
			t.Fatalf("at %v: soc %d, speed %d out of range", at, s.socPm, s.speed)
		}
		if s.charging && s.driving {
			t.Fatalf("at %v: charging while driving", at)
		}
		h := at.Hour()
		if s.charging && (h >= 22 || h < 7) {
			chargedAtNight++
		}
		if s.driving && (h >= 22 || h < 5) {
			drivingAtNight++
		}
		if i%(24*60) == 0 && i > 0 {
			km := (s.distMM/1000 - dayStart) / 1000
			if km > 300 {
				t.Errorf("day before %v: %d km, want <= 300", at, km)
			}
			dayStart = s.distMM / 1000
		}
		if at.Weekday() != time.Saturday && at.Weekday() != time.Sunday && s.trips > prev.trips {
			weekdayTrips++
		}
		prev = s
	}
	if chargedAtNight == 0 {
		t.Error("never charged at night in two weeks")
	}
	if drivingAtNight != 0 {
		t.Errorf("drove %d minutes between 22:00 and 05:00", drivingAtNight)
	}
	if weekdayTrips < 10*1 {
		t.Errorf("weekday trips in two weeks: got %d, want >= 10", weekdayTrips)
	}
	if prev.distMM < 200_000_000 {
		t.Errorf("distance in two weeks: got %d m, want >= 200 km", prev.distMM/1000)
	}
}

func TestEVDeterminism(t *testing.T) {
	end := summerStart.Add(50*time.Hour + 123*time.Second)
	a := newEVModel(3, summerStart).snapshot(end)
	m := newEVModel(3, summerStart)
	for at := summerStart; at.Before(end); at = at.Add(11*time.Minute + 7*time.Second) {
		m.snapshot(at)
	}
	if b := m.snapshot(end); a != b {
		t.Fatalf("sampled: got %+v, want %+v", b, a)
	}
	if c := newEVModel(4, summerStart).snapshot(end); c.distMM == a.distMM {
		t.Fatalf("seeds 3 and 4 drove exactly the same distance %d mm", a.distMM)
	}
}

func TestDefaultVIN(t *testing.T) {
	for seed := range int64(50) {
		v := defaultVIN(seed)
		if !vinPattern.MatchString(v) {
			t.Fatalf("seed %d: VIN %q is not valid", seed, v)
		}
		if v[8] != vinCheckDigit([]byte(v)) {
			t.Fatalf("seed %d: VIN %q check digit wrong", seed, v)
		}
	}
	// A published example VIN with a correct check digit.
	if got := vinCheckDigit([]byte("1M8GDM9AXKP042788")); got != 'X' {
		t.Fatalf("check digit: got %c, want X", got)
	}
}

func TestTrigApproximations(t *testing.T) {
	for _, tt := range []struct{ u, want int64 }{{0, 0}, {500_000, 1_000_000}, {1_000_000, 0}, {166_667, 500_000}} {
		if got := sinHalf(tt.u); got < tt.want-2_000 || got > tt.want+2_000 {
			t.Errorf("sinHalf(%d): got %d, want %d±2000", tt.u, got, tt.want)
		}
	}
	for _, tt := range []struct{ v, want int64 }{{0, 1_000_000}, {250_000, 0}, {500_000, -1_000_000}, {-250_000, 0}, {1_000_000, 1_000_000}} {
		if got := cosFull(tt.v); got < tt.want-2_000 || got > tt.want+2_000 {
			t.Errorf("cosFull(%d): got %d, want %d±2000", tt.v, got, tt.want)
		}
	}
}
