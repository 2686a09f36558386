package store

import (
	"bytes"
	"sort"
)

// Cache buffers writes over a parent KV. Write flushes them to the parent in
// ascending key order; dropping the cache discards them. Transactions run in a
// Cache so a failed transaction leaves no trace.
type Cache struct {
	parent KV
	// writes maps a key to its new value; a nil value is a deletion.
	writes map[string][]byte
}

var _ KV = (*Cache)(nil)

// NewCache returns an empty cache over parent.
func NewCache(parent KV) *Cache {
	return &Cache{parent: parent, writes: make(map[string][]byte)}
}

// Get implements KV.
func (c *Cache) Get(key []byte) []byte {
	if v, ok := c.writes[string(key)]; ok {
		return v
	}
	return c.parent.Get(key)
}

// Has implements KV.
func (c *Cache) Has(key []byte) bool { return c.Get(key) != nil }

// Set implements KV. A nil value is stored as an empty value.
func (c *Cache) Set(key, value []byte) {
	if value == nil {
		value = []byte{}
	}
	c.writes[string(key)] = bytes.Clone(value)
}

// Delete implements KV.
func (c *Cache) Delete(key []byte) { c.writes[string(key)] = nil }

// Dirty reports how many keys the cache would write.
func (c *Cache) Dirty() int { return len(c.writes) }

// sortedKeys returns the written keys in ascending order.
func (c *Cache) sortedKeys() []string {
	keys := make([]string, 0, len(c.writes))
	for k := range c.writes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Write flushes the buffered writes to the parent in ascending key order and
// empties the cache.
func (c *Cache) Write() {
	for _, k := range c.sortedKeys() {
		if v := c.writes[k]; v == nil {
			c.parent.Delete([]byte(k))
		} else {
			c.parent.Set([]byte(k), v)
		}
	}
	c.writes = make(map[string][]byte)
}

// Iterator implements KV, merging buffered writes over the parent's range.
func (c *Cache) Iterator(start, end []byte) Iterator {
	var keys []string
	//determinism:ok only collects the keys in range (inRange has no side effects); they are sorted just below
	for k := range c.writes {
		if inRange([]byte(k), start, end) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	it := &mergeIter{parent: c.parent.Iterator(start, end), cache: c, keys: keys}
	it.settle()
	return it
}

func inRange(k, start, end []byte) bool {
	return bytes.Compare(k, start) >= 0 && (end == nil || bytes.Compare(k, end) < 0)
}

// mergeIter merges a parent iterator with the cache's sorted keys; cache
// entries shadow the parent, and deletions hide keys.
type mergeIter struct {
	parent Iterator
	cache  *Cache
	keys   []string
	key    []byte
	value  []byte
	valid  bool
}

// settle advances to the next visible key.
func (it *mergeIter) settle() {
	for {
		pOK := it.parent.Valid()
		cOK := len(it.keys) > 0
		if !pOK && !cOK {
			it.valid = false
			return
		}
		var useCache bool
		switch {
		case !pOK:
			useCache = true
		case !cOK:
			useCache = false
		default:
			cmp := bytes.Compare([]byte(it.keys[0]), it.parent.Key())
			if cmp == 0 {
				it.parent.Next() // the cache shadows the parent
			}
			useCache = cmp <= 0
		}
		if useCache {
			k := it.keys[0]
			it.keys = it.keys[1:]
			v := it.cache.writes[k]
			if v == nil {
				continue // deleted
			}
			it.key, it.value, it.valid = []byte(k), v, true
			return
		}
		it.key, it.value, it.valid = bytes.Clone(it.parent.Key()), it.parent.Value(), true
		it.parent.Next()
		return
	}
}

func (it *mergeIter) Valid() bool   { return it.valid }
func (it *mergeIter) Next()         { it.settle() }
func (it *mergeIter) Key() []byte   { return it.key }
func (it *mergeIter) Value() []byte { return it.value }
func (it *mergeIter) Close() error  { return it.parent.Close() }
