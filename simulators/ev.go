package simulators

import (
	"sync"
	"time"
)

// EV driving model.
//
// Each local day gets a trip plan drawn from (seed, date): on weekdays a
// morning and an evening commute (90 % of days) and up to two evening
// errands; at weekends up to three longer trips. Within a trip the speed is
// the trip's cruise speed times a per-minute traffic factor (sometimes a
// standstill), ramped up and down over the first and last 30 seconds.
//
// The odometer integrates speed over 1-second steps aligned to the
// simulation start. The battery (64 kWh, 150 Wh/km) drains with distance and
// charges at 7 kW when the car is plugged in at night (22:00-06:30) with less
// than 90 % left, or whenever it is parked below 20 %, until 100 %. All
// arithmetic is integer.

const (
	evStep           = time.Second
	evCapacityJ      = 64_000 * 3600 // 64 kWh
	evConsumptionJmm = 54            // J per 100 mm: 150 Wh/km = 540 J/m
	evChargeW        = 7000
	evRampSec        = 30
	maxDeciKmh       = 1100
)

type trip struct {
	start, dur int64 // seconds of the local day
	cruise     int64 // 0.1 km/h
}

type evState struct {
	step     int64  // steps integrated
	dist9    uint64 // distance in 1/9 mm (0.1 km/h for 1 s = 250/9 mm)
	chargedJ int64  // energy put into the battery
	charging bool
	trips    uint32 // trips completed
	inTrip   bool   // the last integrated step was part of a trip
}

type evModel struct {
	seed  uint64
	start time.Time
	loc   *time.Location
	initJ int64

	mu       sync.Mutex
	st       evState
	planDay  uint64
	planTrip []trip
}

func newEVModel(seed int64, start time.Time) *evModel {
	return &evModel{
		seed:  uint64(seed),
		start: start,
		loc:   start.Location(),
		initJ: evCapacityJ * defaultInitialSoC / 1000,
	}
}

// evSnapshot is the model's state at an instant.
type evSnapshot struct {
	distMM   uint64 // driven since start
	speed    int64  // 0.1 km/h
	socPm    int64  // 0.1 %
	charging bool
	driving  bool
	trips    uint32
}

func (m *evModel) snapshot(t time.Time) evSnapshot {
	m.mu.Lock()
	defer m.mu.Unlock()
	d := t.Sub(m.start)
	var n, ms int64
	if d > 0 {
		n, ms = int64(d/evStep), (d % evStep).Milliseconds()
	}
	if n < m.st.step {
		m.st = evState{}
	}
	for m.st.step < n {
		m.advance()
	}
	// Within the current step: the speed of this step, pro rata distance.
	ts := m.start.Add(time.Duration(n) * evStep)
	speed, driving := m.speedAt(ts)
	dist9 := m.st.dist9 + uint64(speed*250*ms/1000)
	snap := evSnapshot{
		distMM:   dist9 / 9,
		speed:    speed,
		driving:  driving,
		charging: m.st.charging && !driving,
		trips:    m.st.trips,
	}
	snap.socPm = m.socPm(dist9 / 9)
	return snap
}

func (m *evModel) batteryJ(distMM uint64) int64 {
	j := m.initJ + m.st.chargedJ - int64(distMM)*evConsumptionJmm/100
	return max(0, min(j, evCapacityJ))
}

func (m *evModel) socPm(distMM uint64) int64 {
	return m.batteryJ(distMM) * 1000 / evCapacityJ
}

// advance integrates one step.
func (m *evModel) advance() {
	ts := m.start.Add(time.Duration(m.st.step) * evStep)
	speed, driving := m.speedAt(ts)
	if !driving && m.st.inTrip {
		m.st.trips++
	}
	m.st.inTrip = driving
	m.st.dist9 += uint64(speed * 250)
	if driving {
		m.st.charging = false
	} else {
		battery := m.batteryJ(m.st.dist9 / 9)
		lt := ts.In(m.loc)
		sec := lt.Hour()*3600 + lt.Minute()*60
		night := sec >= 22*3600 || sec < 6*3600+30*60
		switch {
		case m.st.charging && battery >= evCapacityJ:
			m.st.charging = false
		case !m.st.charging && battery < evCapacityJ*200/1000:
			m.st.charging = true
		case !m.st.charging && night && battery < evCapacityJ*900/1000:
			m.st.charging = true
		case m.st.charging && !night && battery >= evCapacityJ*200/1000 && sec >= 6*3600+30*60 && sec < 7*3600:
			m.st.charging = false // unplugged in the morning
		}
		if m.st.charging {
			m.st.chargedJ += min(evChargeW*int64(evStep/time.Second), evCapacityJ-battery)
		}
	}
	m.st.step++
}

// speedAt returns the speed (0.1 km/h) at instant ts and whether a trip is
// under way.
func (m *evModel) speedAt(ts time.Time) (int64, bool) {
	lt := ts.In(m.loc)
	day := uint64(lt.Year())*400 + uint64(lt.YearDay())
	if m.planTrip == nil || m.planDay != day {
		m.planDay, m.planTrip = day, planDay(m.seed, day, lt.Weekday())
	}
	sec := int64(lt.Hour()*3600 + lt.Minute()*60 + lt.Second())
	for _, tr := range m.planTrip {
		if sec < tr.start || sec >= tr.start+tr.dur {
			continue
		}
		o := sec - tr.start
		ramp := min(o, tr.dur-o, evRampSec)
		minute := uint64(ts.Unix() / 60)
		r := newRNG(m.seed, saltTraffic, minute)
		var traffic int64 // percent
		if r.intn(100) >= 12 {
			traffic = 40 + r.intn(81) // 40..120 %
		} // else standing in traffic or at lights for this minute
		return min(tr.cruise*traffic/100*ramp/evRampSec, maxDeciKmh), true
	}
	return 0, false
}

// planDay draws the trips of one local day, sorted and non-overlapping, all
// ending before 21:50.
func planDay(seed, day uint64, wd time.Weekday) []trip {
	r := newRNG(seed, saltTrips, day)
	trips := []trip{}
	add := func(start, dur, cruise int64) int64 {
		const latest = 21*3600 + 50*60
		if start+dur > latest {
			return start
		}
		trips = append(trips, trip{start: start, dur: dur, cruise: cruise})
		return start + dur
	}
	if wd == time.Saturday || wd == time.Sunday {
		t := 9*3600 + 30*60 + r.intn(7200)
		for range r.intn(4) {
			end := add(t, 600+r.intn(3600), 300+r.intn(500))
			t = end + 3600 + r.intn(3*3600)
		}
		return trips
	}
	t := int64(19*3600 + 30*60)
	if r.intn(100) < 90 {
		dur := 1200 + r.intn(1800)
		add(7*3600+r.intn(3600), dur, 300+r.intn(250))
		t = add(17*3600+r.intn(7200), dur*(100+r.intn(30))/100, 300+r.intn(250))
		t = max(t+1800, 19*3600+30*60)
	} else {
		t = 10*3600 + r.intn(4*3600)
	}
	for range r.intn(3) {
		end := add(t+r.intn(1800), 600+r.intn(1500), 250+r.intn(200))
		t = end + 900
	}
	return trips
}

// defaultVIN derives a syntactically valid VIN (with an ISO 3779 / North
// American check digit) from a seed.
func defaultVIN(seed int64) string {
	const alphabet = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
	r := newRNG(uint64(seed), saltVIN)
	b := []byte("KMC")
	for len(b) < 17 {
		b = append(b, alphabet[r.intn(int64(len(alphabet)))])
	}
	b[8] = vinCheckDigit(b)
	return string(b)
}

func vinCheckDigit(v []byte) byte {
	weights := [17]int{8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2}
	sum := 0
	for i, c := range v {
		sum += vinValue(c) * weights[i]
	}
	if sum%11 == 10 {
		return 'X'
	}
	return byte('0' + sum%11)
}

func vinValue(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'A' && c <= 'H':
		return int(c-'A') + 1
	case c >= 'J' && c <= 'N':
		return int(c-'J') + 1
	case c == 'P':
		return 7
	case c == 'R':
		return 9
	case c >= 'S' && c <= 'Z':
		return int(c-'S') + 2
	}
	return 0
}
