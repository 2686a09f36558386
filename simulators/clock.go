package simulators

import (
	"sync"
	"time"
)

// Clock tells the simulated time. Every model reads time only through it.
type Clock interface {
	Now() time.Time
}

// ScaledClock runs simulated time at a multiple of real time:
// simulated = start + speed × elapsed real time.
type ScaledClock struct {
	mu       sync.Mutex
	simBase  time.Time
	realBase time.Time // carries the monotonic reading
	speed    float64
}

var _ Clock = (*ScaledClock)(nil)

// NewScaledClock starts a clock at start running speed simulated seconds
// per real second (60: one simulated minute per real second; 0: frozen).
func NewScaledClock(start time.Time, speed float64) *ScaledClock {
	return &ScaledClock{simBase: start, realBase: time.Now(), speed: speed}
}

// Now returns the simulated time.
func (c *ScaledClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nowLocked()
}

func (c *ScaledClock) nowLocked() time.Time {
	elapsed := time.Since(c.realBase)
	return c.simBase.Add(time.Duration(float64(elapsed) * c.speed))
}

// SetSpeed changes the speed from now on without a jump in simulated time.
// Speed 0 freezes the clock (handy for comparing a device with what the
// chain recorded).
func (c *ScaledClock) SetSpeed(speed float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.simBase = c.nowLocked()
	c.realBase = time.Now()
	c.speed = speed
}

// Speed returns the current speed.
func (c *ScaledClock) Speed() float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.speed
}

// ManualClock only moves when told to; tests drive it.
type ManualClock struct {
	mu sync.Mutex
	t  time.Time
}

var _ Clock = (*ManualClock)(nil)

// NewManualClock returns a clock stopped at t.
func NewManualClock(t time.Time) *ManualClock { return &ManualClock{t: t} }

// Now returns the current simulated time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// Advance moves the clock forward by d and returns the new time.
func (c *ManualClock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.t
}
