package verify

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/citychain/citychain/edge/atomicfile"
)

// ResponseWindow is how far a key-binding JWT's iat may be from the
// reader's clock (either way), and how long a reader remembers a nonce it
// accepted: a response older than that is refused as expired whatever its
// nonce, so the nonce need not be remembered longer.
const ResponseWindow = 60 * time.Second

// NonceCache is the nonces one reader accepted within the last
// ResponseWindow: each is accepted once. It is safe for concurrent use.
type NonceCache struct {
	mu   sync.Mutex
	seen map[string]time.Time // nonce -> when it was accepted
}

// NewNonceCache is an empty cache.
func NewNonceCache() *NonceCache { return &NonceCache{seen: map[string]time.Time{}} }

// Accept records nonce as used at now and reports true, or reports false
// when it was accepted before within ResponseWindow of now. Nonces older
// than the window are forgotten.
func (c *NonceCache) Accept(nonce string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen == nil {
		c.seen = map[string]time.Time{}
	}
	for n, at := range c.seen {
		if now.Sub(at) > ResponseWindow {
			delete(c.seen, n)
		}
	}
	if _, ok := c.seen[nonce]; ok {
		return false
	}
	c.seen[nonce] = now
	return true
}

// forget drops nonce (a check that took it could not conclude).
func (c *NonceCache) forget(nonce string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.seen, nonce)
}

// nonceUse is one check's use of a nonce cache (nil: none): the nonce it
// took, given back when the check fails to read the chain, so that the
// check can be run again.
type nonceUse struct {
	c     *NonceCache
	nonce string
}

// take accepts nonce at now (always true without a cache).
func (u *nonceUse) take(nonce string, now time.Time) bool {
	if u.c == nil {
		return true
	}
	if !u.c.Accept(nonce, now) {
		return false
	}
	u.nonce = nonce
	return true
}

// release gives the nonce back.
func (u *nonceUse) release() {
	if u.c != nil && u.nonce != "" {
		u.c.forget(u.nonce)
	}
}

// Len is how many nonces the cache remembers.
func (c *NonceCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.seen)
}

// LoadNonceCache reads a cache a reader saved (Save), so that a reader
// run once per entry (the command line) still accepts each nonce once; a
// missing file is an empty cache.
func LoadNonceCache(path string) (*NonceCache, error) {
	c := NewNonceCache()
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return nil, fmt.Errorf("nonce cache: %w", err)
	}
	if err := json.Unmarshal(b, &c.seen); err != nil {
		return nil, fmt.Errorf("nonce cache %s: %w", path, err)
	}
	if c.seen == nil {
		c.seen = map[string]time.Time{}
	}
	return c, nil
}

// Save writes the cache to path (mode 0600, atomically).
func (c *NonceCache) Save(path string) error {
	c.mu.Lock()
	b, err := json.Marshal(c.seen)
	c.mu.Unlock()
	if err != nil {
		return fmt.Errorf("nonce cache: %w", err)
	}
	if err := atomicfile.Write(path, b, 0o600); err != nil {
		return fmt.Errorf("nonce cache: %w", err)
	}
	return nil
}
