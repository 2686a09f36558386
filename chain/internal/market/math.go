package market

import "math/bits"

// mulDiv returns floor(a×b/d) and, with ceil, ceil(a×b/d), computed on the
// 128-bit product; ok is false when the result does not fit in 64 bits (or d
// is 0). Nothing wraps.
func mulDiv(a, b, d uint64, ceil bool) (uint64, bool) {
	if d == 0 {
		return 0, false
	}
	hi, lo := bits.Mul64(a, b)
	if hi >= d {
		return 0, false
	}
	q, r := bits.Div64(hi, lo, d)
	if ceil && r != 0 {
		if q == ^uint64(0) {
			return 0, false
		}
		q++
	}
	return q, true
}

// costOf is the cost in uscn of wh Wh at price uscn per kWh, rounded up:
// ceil(wh × price / 1000).
func costOf(wh, price uint64) (uint64, bool) { return mulDiv(wh, price, 1000, true) }

// bps returns floor(v × bp / 10000) for bp ≤ 10000; it cannot overflow.
func bps(v, bp uint64) uint64 {
	q, _ := mulDiv(v, bp, 10_000, false)
	return q
}
