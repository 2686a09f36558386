// Package wallclock plants wall-clock violations.
package wallclock

import "time"

func clock(blockTime time.Time) {
	_ = time.Now()            // want `time.Now reads the wall clock; use the block time`
	_ = time.Since(blockTime) // want `time.Since reads the wall clock`
	_ = time.Until(blockTime) // want `time.Until reads the wall clock`
	now := time.Now           // want `time.Now reads the wall clock`
	_ = now
	time.Sleep(time.Second)      // want `time.Sleep waits on the wall clock`
	<-time.After(time.Second)    // want `time.After is a wall-clock timer` `channel \(<-chan time.Time\)`
	_ = blockTime.Local()        // want `\(time.Time\).Local uses the machine's time zone`
	_ = blockTime.In(time.Local) // want `time.Local is the machine's time zone`
}

// Block time arithmetic is fine.
func fine(blockTime time.Time, d time.Duration) int64 {
	end := blockTime.Add(d).UTC()
	_ = time.Unix(0, end.UnixNano()).Format(time.RFC3339)
	return end.Unix() / 900
}
