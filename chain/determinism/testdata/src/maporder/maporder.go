// Package maporder plants map-iteration violations and the loops the rule allows.
package maporder

import (
	"maps"
	"reflect"
	"slices"
	"sort"
	"sync"
)

type balances map[string]uint64

func sum(m map[string]uint64) uint64 {
	var n uint64
	for _, v := range m { // want `range over a map \(map\[string\]uint64\): iteration order is random`
		n += v
	}
	return n
}

func named(b balances) []string {
	var out []string
	for k, v := range b { // want `range over a map \(balances\)`
		if v > 0 {
			out = append(out, k)
		}
	}
	return out
}

func generic[M ~map[string]int](m M) {
	for range m { // want `range over a map`
	}
}

// sortedKeys is the allowed pattern: collect, then sort.
func sortedKeys(m map[string]uint64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sortedValues(m map[string]uint64) []uint64 {
	var vals []uint64
	for _, v := range m {
		vals = append(vals, v)
	}
	slices.Sort(vals)
	return vals
}

func sortedBoth(m map[int]string) ([]int, []string) {
	var ks []int
	var vs []string
	for k, v := range m {
		ks = append(ks, k)
		vs = append(vs, v)
	}
	slices.SortFunc(ks, func(a, b int) int { return a - b })
	sort.Slice(vs, func(i, j int) bool { return vs[i] < vs[j] })
	return ks, vs
}

type byLen []string

func (b byLen) Len() int           { return len(b) }
func (b byLen) Less(i, j int) bool { return b[i] < b[j] }
func (b byLen) Swap(i, j int)      { b[i], b[j] = b[j], b[i] }

func sortedConverted(m map[string]bool) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Sort(byLen(keys))
	return keys
}

// usedBeforeSort reads the slice before sorting it: reported.
func usedBeforeSort(m map[string]uint64) string {
	var keys []string
	for k := range m { // want `range over a map`
		keys = append(keys, k)
	}
	first := keys[0]
	sort.Strings(keys)
	return first
}

// neverSorted collects but never sorts: reported.
func neverSorted(m map[string]uint64) []string {
	var keys []string
	for k := range m { // want `range over a map`
		keys = append(keys, k)
	}
	return keys
}

// moreThanCollect does more than append in the loop: reported.
func moreThanCollect(m map[string]uint64) []string {
	var keys []string
	n := 0
	for k := range m { // want `range over a map`
		keys = append(keys, k)
		n++
	}
	sort.Strings(keys)
	return keys
}

// sortedElsewhere sorts the slice in another block: reported.
func sortedElsewhere(m map[string]uint64, ok bool) []string {
	var keys []string
	if ok {
		for k := range m { // want `range over a map`
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

func iterators(m map[string]int) {
	_ = slices.Sorted(maps.Keys(m))
	_ = slices.Sorted(maps.Values(m))
	_ = slices.Collect(maps.Keys(m)) // want `maps.Keys iterates in random order`
	for k := range maps.Keys(m) {    // want `maps.Keys iterates in random order`
		_ = k
	}
	for k, v := range maps.All(m) { // want `maps.All iterates in random order`
		_, _ = k, v
	}
}

func reflection(m map[string]int, sm *sync.Map) {
	_ = reflect.ValueOf(m).MapKeys()    // want `\(reflect.Value\).MapKeys returns the keys in random order`
	it := reflect.ValueOf(m).MapRange() // want `MapRange iterates in random order`
	for it.Next() {                     // want `\(\*reflect.MapIter\).Next iterates in random order`
	}
	sm.Range(func(k, v any) bool { return true }) // want `\(\*sync.Map\).Range iterates in random order`
}

// Lookups, writes, len, delete and clear do not depend on order.
func lookups(m map[string]int) int {
	m["a"] = 1
	delete(m, "b")
	n := m["a"] + len(m)
	clear(m)
	return n
}
