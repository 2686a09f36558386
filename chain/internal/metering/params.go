package metering

import "fmt"

// Bounds of the clock parameters, checked at genesis by validateClock.
const (
	// IntervalSecondsMax is the longest interval: one day. An interval is
	// the market's delivery period and the unit of every delta; longer
	// ones would make no market, and the bound keeps every product of an
	// interval number and its length (the market's and the mileage's
	// period starts) far below 2^63 for any block time before the year
	// 292,000,000.
	IntervalSecondsMax = 86_400
	// FutureSkewSecondsMax is the most a reading's timestamp may be ahead
	// of the block time: one hour. A gateway clock further ahead is
	// broken, not skewed; and a reading dated ahead is counted in the
	// interval of its timestamp, so the skew bounds how far a device's
	// energy can be moved into a later interval. The bound also keeps
	// block time + skew far from overflowing.
	FutureSkewSecondsMax = 3_600
)

// validateClock checks the parameters of the meter clock: 1 ≤
// interval_seconds ≤ IntervalSecondsMax and max_future_skew_seconds ≤
// FutureSkewSecondsMax. Like validateParams, the error names the field
// (without "params."), its value and the bound.
func validateClock(p Params) error {
	if p.IntervalSeconds == 0 || p.IntervalSeconds > IntervalSecondsMax {
		return fmt.Errorf("interval_seconds %d: want 1 to %d (one day)", p.IntervalSeconds, IntervalSecondsMax)
	}
	if p.MaxFutureSkewSeconds > FutureSkewSecondsMax {
		return fmt.Errorf("max_future_skew_seconds %d: want at most %d (one hour)", p.MaxFutureSkewSeconds, FutureSkewSecondsMax)
	}
	return nil
}
