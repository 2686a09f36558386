// Package registry caches the chain's device registry for the settlement
// service: a device's kind, status, key epoch and public key, and the keys of
// its earlier epochs with the time each ended.
//
// Entries live for a TTL; a miss (unknown device) is remembered for a
// shorter one, so a flood of readings of unregistered devices does not
// become a flood of queries. Invalidate drops an entry (the service calls it
// for every devices.* event it sees on chain); Refresh forces a lookup (on
// a key-epoch mismatch).
package registry

import (
	"context"
	"crypto/ed25519"
	"sync"
	"time"
)

// Statuses of a device.
const (
	StatusActive  = "active"
	StatusRevoked = "revoked"
)

// Device is what settlement needs of a registered device.
type Device struct {
	ID       string
	Kind     string // solar_inverter, ev_odometer
	Status   string // active, revoked
	KeyEpoch uint32
	PubKey   ed25519.PublicKey // the key of KeyEpoch
	// Keys is the key history, epochs 1 to KeyEpoch in order (Keys[e-1] is
	// epoch e's); each replaced key has the block time its epoch ended.
	Keys []Key
}

// Key is one key of a device's history.
type Key struct {
	Epoch  uint32
	PubKey ed25519.PublicKey
	// Until is the block time of the rotation (or revocation) that ended
	// the key; zero for the current key. The key signs readings timed
	// before it.
	Until time.Time
}

// SigningKey returns the key a reading of key epoch epoch, signed at
// signedMs (unix milliseconds), must verify against, as the chain decides
// (chain/tx Device.SigningKey): the current key for the current epoch; an
// earlier epoch's key only if the reading was signed before that epoch
// ended (a reading relayed late). It reports false otherwise (an unknown or
// future epoch, or an earlier one signed after it ended). It does not look
// at the status.
func (d *Device) SigningKey(epoch uint32, signedMs int64) (ed25519.PublicKey, bool) {
	switch {
	case epoch == 0 || epoch > d.KeyEpoch:
		return nil, false
	case epoch == d.KeyEpoch:
		return d.PubKey, true
	case int(epoch) > len(d.Keys):
		return nil, false
	}
	k := d.Keys[epoch-1]
	if k.Epoch != epoch || k.Until.IsZero() || !time.UnixMilli(signedMs).Before(k.Until) {
		return nil, false
	}
	return k.PubKey, true
}

// Source looks a device up; it returns nil, nil for an unknown device and an
// error only when it could not tell.
type Source interface {
	Device(ctx context.Context, id string) (*Device, error)
}

// Cache is a Source with memory. It is safe for concurrent use.
type Cache struct {
	src    Source
	ttl    time.Duration
	negTTL time.Duration
	now    func() time.Time

	mu      sync.Mutex
	entries map[string]entry
	// gen counts invalidations per device, so a lookup that raced with an
	// invalidation does not store its (possibly stale) answer.
	gen map[string]uint64
}

type entry struct {
	dev     *Device // nil: not registered
	expires time.Time
}

var _ Source = (*Cache)(nil)

// New returns a cache over src. ttl <= 0 disables caching of devices (every
// call asks src); negTTL <= 0 disables caching of misses.
func New(src Source, ttl, negTTL time.Duration) *Cache {
	return &Cache{src: src, ttl: ttl, negTTL: negTTL, now: time.Now, entries: map[string]entry{}, gen: map[string]uint64{}}
}

// Device returns the cached device (nil if unregistered), asking the source
// when the entry is missing or expired.
func (c *Cache) Device(ctx context.Context, id string) (*Device, error) {
	c.mu.Lock()
	e, ok := c.entries[id]
	c.mu.Unlock()
	if ok && c.now().Before(e.expires) {
		return e.dev, nil
	}
	return c.Refresh(ctx, id)
}

// Refresh asks the source and caches the answer.
func (c *Cache) Refresh(ctx context.Context, id string) (*Device, error) {
	c.mu.Lock()
	g := c.gen[id]
	c.mu.Unlock()
	d, err := c.src.Device(ctx, id)
	if err != nil {
		return nil, err
	}
	ttl := c.ttl
	if d == nil {
		ttl = c.negTTL
	}
	c.mu.Lock()
	if ttl > 0 && c.gen[id] == g {
		c.entries[id] = entry{dev: d, expires: c.now().Add(ttl)}
	}
	c.mu.Unlock()
	return d, nil
}

// Invalidate forgets a device.
func (c *Cache) Invalidate(id string) {
	c.mu.Lock()
	delete(c.entries, id)
	c.gen[id]++
	c.mu.Unlock()
}

// InvalidateAll forgets every device (after a lost event stream).
func (c *Cache) InvalidateAll() {
	c.mu.Lock()
	for id := range c.entries {
		c.gen[id]++
	}
	c.entries = map[string]entry{}
	c.mu.Unlock()
}
