package simulators

// Deterministic randomness: every random quantity is a pure function of the
// device seed and a position (day, 5-minute bucket, minute), so a value at a
// given simulated time does not depend on which times were sampled before.

// mix hashes its inputs with the splitmix64 finaliser.
func mix(vals ...uint64) uint64 {
	h := uint64(0x9E3779B97F4A7C15)
	for _, v := range vals {
		h ^= v + 0x9E3779B97F4A7C15 + (h << 6) + (h >> 2)
		h = splitmix(h)
	}
	return h
}

func splitmix(x uint64) uint64 {
	x += 0x9E3779B97F4A7C15
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9
	x = (x ^ (x >> 27)) * 0x94D049BB133111EB
	return x ^ (x >> 31)
}

// rng is a splitmix64 stream, for drawing several values from one position.
type rng struct{ s uint64 }

func newRNG(vals ...uint64) *rng { return &rng{s: mix(vals...)} }

func (r *rng) next() uint64 {
	r.s += 0x9E3779B97F4A7C15
	return splitmix(r.s)
}

// intn returns a value in [0, n) for n > 0.
func (r *rng) intn(n int64) int64 { return int64(r.next() % uint64(n)) }

// Salts keep the streams of different quantities apart.
const (
	saltDayCloud uint64 = iota + 1
	saltBucketCloud
	saltTrips
	saltTraffic
	saltVIN
	saltGrid
)

// Fixed-point helpers: ppm is parts per million (1e6 = 1.0).
const ppm = 1_000_000

// sinHalf approximates sin(π·u) for u in [0, 1e6] ppm with Bhaskara I's
// formula (error < 0.2 %), in ppm. Integer only, so identical everywhere.
func sinHalf(u int64) int64 {
	if u <= 0 || u >= ppm {
		return 0
	}
	a := u * (ppm - u) / ppm // u(1-u), ppm
	return 16 * a * ppm / (5*ppm - 4*a)
}

// cosFull approximates cos(2π·v) for v in ppm of a full period, in ppm.
func cosFull(v int64) int64 {
	v = ((v+ppm/4)%ppm + ppm) % ppm // cos(x) = sin(x + π/2)
	if v < ppm/2 {
		return sinHalf(2 * v)
	}
	return -sinHalf(2*v - ppm)
}
