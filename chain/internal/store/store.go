// Package store provides the key-value views the chain's state machine works
// on: an IAVL-backed committed store, a write cache that flushes in sorted key
// order (so the IAVL tree shape, and with it the app hash, does not depend on
// the order in which a block touched its keys), and prefixed sub-stores that
// give each module its own key space.
package store

import (
	"bytes"
)

// KV is the state a transaction or block reads and writes. Values returned by
// Get must not be modified by the caller. A nil value means "absent".
type KV interface {
	Get(key []byte) []byte
	Has(key []byte) bool
	Set(key, value []byte)
	Delete(key []byte)
	// Iterator walks keys in [start, end) in ascending order; a nil end means
	// "to the end of the store".
	Iterator(start, end []byte) Iterator
}

// Iterator walks a key range. Close must be called when done.
type Iterator interface {
	Valid() bool
	Next()
	Key() []byte
	Value() []byte
	Close() error
}

// PrefixEnd returns the smallest key greater than every key starting with
// prefix, or nil when there is none (a prefix of only 0xff bytes).
func PrefixEnd(prefix []byte) []byte {
	end := bytes.Clone(prefix)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

// Prefixed is a view of a KV under a fixed key prefix.
type Prefixed struct {
	parent KV
	prefix []byte
}

var _ KV = (*Prefixed)(nil)

// NewPrefixed returns the view of parent under prefix.
func NewPrefixed(parent KV, prefix []byte) *Prefixed {
	return &Prefixed{parent: parent, prefix: bytes.Clone(prefix)}
}

func (p *Prefixed) key(k []byte) []byte {
	out := make([]byte, 0, len(p.prefix)+len(k))
	return append(append(out, p.prefix...), k...)
}

// Get implements KV.
func (p *Prefixed) Get(key []byte) []byte { return p.parent.Get(p.key(key)) }

// Has implements KV.
func (p *Prefixed) Has(key []byte) bool { return p.parent.Has(p.key(key)) }

// Set implements KV.
func (p *Prefixed) Set(key, value []byte) { p.parent.Set(p.key(key), value) }

// Delete implements KV.
func (p *Prefixed) Delete(key []byte) { p.parent.Delete(p.key(key)) }

// Iterator implements KV.
func (p *Prefixed) Iterator(start, end []byte) Iterator {
	s := p.key(start)
	var e []byte
	if end == nil {
		e = PrefixEnd(p.prefix)
	} else {
		e = p.key(end)
	}
	return &prefixIter{Iterator: p.parent.Iterator(s, e), n: len(p.prefix)}
}

type prefixIter struct {
	Iterator
	n int
}

func (it *prefixIter) Key() []byte { return it.Iterator.Key()[it.n:] }

// Each calls fn for every key in [start, end) in order until fn returns false.
func Each(kv KV, start, end []byte, fn func(key, value []byte) bool) {
	it := kv.Iterator(start, end)
	defer it.Close()
	for ; it.Valid(); it.Next() {
		if !fn(it.Key(), it.Value()) {
			return
		}
	}
}

// EachPrefix calls fn for every key starting with prefix, in order.
func EachPrefix(kv KV, prefix []byte, fn func(key, value []byte) bool) {
	Each(kv, prefix, PrefixEnd(prefix), fn)
}

// FirstDifference compares two stores key by key, in order, and returns the
// first key they disagree on with its value in each (nil where absent); ok
// is false when they hold the same keys and values.
func FirstDifference(a, b KV) (key, va, vb []byte, ok bool) {
	ia, ib := a.Iterator(nil, nil), b.Iterator(nil, nil)
	defer ia.Close()
	defer ib.Close()
	for ia.Valid() || ib.Valid() {
		switch {
		case !ib.Valid() || ia.Valid() && bytes.Compare(ia.Key(), ib.Key()) < 0:
			return ia.Key(), ia.Value(), nil, true
		case !ia.Valid() || bytes.Compare(ia.Key(), ib.Key()) > 0:
			return ib.Key(), nil, ib.Value(), true
		case !bytes.Equal(ia.Value(), ib.Value()):
			return ia.Key(), ia.Value(), ib.Value(), true
		}
		ia.Next()
		ib.Next()
	}
	return nil, nil, nil, false
}
