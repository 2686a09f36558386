package simulators

import (
	"sync"
	"time"
)

// Solar production model.
//
// Power at simulated time t is a pure function of (seed, rated power, t, the
// time zone): a daylight bell between sunrise and sunset whose length and
// height follow the season (northern hemisphere, solar noon at 12:30 local
// time), times a cloud transmission. Each day draws a cloudiness from the
// seed; each 5-minute bucket draws whether a cloud passes and how much light
// it lets through; transmission is interpolated linearly between buckets.
// All arithmetic is integer, so a seed gives the same series everywhere.
//
// Energy integrates power over fixed 10-second steps aligned to the
// simulation start (power is held constant within a step), in millijoules,
// so the lifetime counter depends only on the elapsed simulated time, never
// on when or how often it was sampled.

const (
	solarStep       = 10 * time.Second
	cloudBucket     = 5 * 60 // seconds
	solarNoonSec    = 12*3600 + 30*60
	meanDayLenSec   = 12 * 3600
	dayLenAmpSec    = 2*3600 + 35*60 // ±: 9h25m in December, 14h35m in June
	summerSolsticeD = 172            // day of year
	minPowerPPM     = 5_000          // below 0.5 % of rating the inverter sleeps
)

type solarModel struct {
	seed   uint64
	ratedW int64
	start  time.Time
	loc    *time.Location

	mu        sync.Mutex
	cacheStep int64  // steps integrated
	cacheMJ   uint64 // energy over those steps, millijoules
}

func newSolarModel(seed int64, ratedW int64, start time.Time) *solarModel {
	return &solarModel{seed: uint64(seed), ratedW: ratedW, start: start, loc: start.Location()}
}

// stepOf returns the index of the integration step containing t and the
// milliseconds elapsed within it; t before start is step 0, offset 0.
func (m *solarModel) stepOf(t time.Time) (int64, int64) {
	d := t.Sub(m.start)
	if d <= 0 {
		return 0, 0
	}
	return int64(d / solarStep), (d % solarStep).Milliseconds()
}

// stepTime returns the start of step i.
func (m *solarModel) stepTime(i int64) time.Time {
	return m.start.Add(time.Duration(i) * solarStep)
}

// power returns the AC power reported at t: the power of t's step.
func (m *solarModel) power(t time.Time) int64 {
	i, _ := m.stepOf(t)
	return m.powerAt(m.stepTime(i))
}

// energyMJ returns the energy produced from start to t, in millijoules.
func (m *solarModel) energyMJ(t time.Time) uint64 {
	n, ms := m.stepOf(t)
	m.mu.Lock()
	defer m.mu.Unlock()
	if n < m.cacheStep { // time went backwards (manual clock): start over
		m.cacheStep, m.cacheMJ = 0, 0
	}
	for ; m.cacheStep < n; m.cacheStep++ {
		m.cacheMJ += uint64(m.powerAt(m.stepTime(m.cacheStep))) * uint64(solarStep.Milliseconds())
	}
	return m.cacheMJ + uint64(m.powerAt(m.stepTime(n)))*uint64(ms)
}

// energyWh returns the whole watt-hours produced from start to t.
func (m *solarModel) energyWh(t time.Time) uint64 {
	return m.energyMJ(t) / 3_600_000
}

// powerAt is the production curve: watts at instant t.
func (m *solarModel) powerAt(t time.Time) int64 {
	lt := t.In(m.loc)
	sec := int64(lt.Hour()*3600 + lt.Minute()*60 + lt.Second())
	season := cosFull(int64(lt.YearDay()-summerSolsticeD) * ppm / 365) // 1 at midsummer, -1 at midwinter
	dayLen := meanDayLenSec + dayLenAmpSec*season/ppm
	sunrise := solarNoonSec - dayLen/2
	if sec <= sunrise || sec >= sunrise+dayLen {
		return 0
	}
	u := (sec - sunrise) * ppm / dayLen
	s := sinHalf(u)
	shape := s * s / ppm * s / ppm             // sin³: a fixed panel sees little light at dawn and dusk
	peak := 800_000 + 100_000*(season+ppm)/ppm // 80 % of rating at midwinter noon, 100 % at midsummer
	p := m.ratedW * shape / ppm * peak / ppm * m.transmission(t) / ppm
	if p*ppm < m.ratedW*minPowerPPM {
		return 0
	}
	return p
}

// transmission returns the fraction of clear-sky light that reaches the
// panels at t, in ppm, interpolated between 5-minute buckets.
func (m *solarModel) transmission(t time.Time) int64 {
	unix := t.Unix()
	b := floorDiv(unix, cloudBucket)
	frac := (unix - b*cloudBucket) * ppm / cloudBucket
	a, c := m.bucketTransmission(b), m.bucketTransmission(b+1)
	return a + (c-a)*frac/ppm
}

func (m *solarModel) bucketTransmission(b int64) int64 {
	lt := time.Unix(b*cloudBucket, 0).In(m.loc)
	day := uint64(lt.Year())*400 + uint64(lt.YearDay())
	// Cloudiness of the day: 40 % clear, 40 % broken clouds, 20 % overcast.
	d := newRNG(m.seed, saltDayCloud, day)
	var cover, base int64 // chance a bucket is clouded (ppm); clear-sky transmission
	switch r := d.intn(100); {
	case r < 40:
		cover, base = 50_000+d.intn(100_000), 970_000
	case r < 80:
		cover, base = 300_000+d.intn(400_000), 950_000
	default:
		cover, base = 1_000_000, 250_000+d.intn(150_000)
	}
	r := newRNG(m.seed, saltBucketCloud, uint64(b))
	if r.intn(ppm) < cover {
		if base < 500_000 { // overcast: the grey varies a little
			return base * (800_000 + r.intn(400_000)) / ppm
		}
		return 200_000 + r.intn(500_000)
	}
	return base + r.intn(30_000)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
