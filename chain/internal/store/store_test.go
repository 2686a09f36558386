package store

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	dbm "github.com/cosmos/cosmos-db"
)

func TestPrefixEnd(t *testing.T) {
	cases := []struct{ in, want []byte }{
		{nil, nil},
		{[]byte{}, nil},
		{[]byte{0x00}, []byte{0x01}},
		{[]byte{0x01}, []byte{0x02}},
		{[]byte{0x01, 0x02}, []byte{0x01, 0x03}},
		{[]byte{0x01, 0xfe}, []byte{0x01, 0xff}},
		{[]byte{0x01, 0xff}, []byte{0x02}},
		{[]byte{0x01, 0xff, 0xff}, []byte{0x02}},
		{[]byte{0xff}, nil},
		{[]byte{0xff, 0xff}, nil},
		{[]byte("abc"), []byte("abd")},
	}
	for _, c := range cases {
		in := bytes.Clone(c.in)
		got := PrefixEnd(in)
		if !bytes.Equal(got, c.want) || (got == nil) != (c.want == nil) {
			t.Errorf("PrefixEnd(%x): got %x, want %x", c.in, got, c.want)
		}
		if !bytes.Equal(in, c.in) {
			t.Errorf("PrefixEnd(%x) changed its argument to %x", c.in, in)
		}
		// Every key with the prefix sorts below the end; the end does not
		// have the prefix.
		if got != nil {
			for _, suffix := range [][]byte{nil, {0}, {0xff, 0xff, 0xff}} {
				k := append(bytes.Clone(c.in), suffix...)
				if bytes.Compare(k, got) >= 0 {
					t.Errorf("PrefixEnd(%x) = %x is not above %x", c.in, got, k)
				}
			}
			if bytes.HasPrefix(got, c.in) {
				t.Errorf("PrefixEnd(%x) = %x has the prefix", c.in, got)
			}
		}
	}
}

// mapKV is a plain model of a KV.
type mapKV map[string][]byte

func (m mapKV) sorted(start, end []byte) [][2]string {
	var out [][2]string
	for k, v := range m {
		if inRange([]byte(k), start, end) {
			out = append(out, [2]string{k, string(v)})
		}
	}
	slices.SortFunc(out, func(a, b [2]string) int { return bytes.Compare([]byte(a[0]), []byte(b[0])) })
	return out
}

func collect(kv KV, start, end []byte) [][2]string {
	var out [][2]string
	Each(kv, start, end, func(k, v []byte) bool {
		out = append(out, [2]string{string(k), string(v)})
		return true
	})
	return out
}

var keyAlphabet = []byte{0x00, 0x01, 'a', 'b', 0xfe, 0xff}

func randKey(r *rand.Rand) []byte {
	k := make([]byte, 1+r.IntN(3))
	for i := range k {
		k[i] = keyAlphabet[r.IntN(len(keyAlphabet))]
	}
	return k
}

func randBound(r *rand.Rand) []byte {
	if r.IntN(4) == 0 {
		return nil
	}
	return randKey(r)
}

// TestCacheMergeIteration: a cache (and a cache over a cache, as a
// transaction inside a block uses) reads and iterates exactly like the
// model of its writes applied over the parent, for random writes and
// random ranges, and Write leaves the parent equal to the model.
func TestCacheMergeIteration(t *testing.T) {
	rounds := 300
	if testing.Short() {
		rounds = 60
	}
	for seed := range rounds {
		r := rand.New(rand.NewPCG(uint64(seed), 1))
		tree := NewMemTree()
		model := mapKV{}
		for range r.IntN(30) {
			k := randKey(r)
			v := []byte(fmt.Sprint(r.IntN(100)))
			tree.Set(k, v)
			model[string(k)] = v
		}
		if r.IntN(2) == 0 {
			if _, _, err := tree.Commit(); err != nil {
				t.Fatal(err)
			}
		}
		outer := NewCache(tree)
		var kv KV = outer
		layers := []*Cache{outer}
		if r.IntN(2) == 0 {
			inner := NewCache(outer)
			layers = append(layers, inner)
			kv = inner
		}
		for range r.IntN(40) {
			c := layers[r.IntN(len(layers))]
			k := randKey(r)
			switch r.IntN(3) {
			case 0:
				c.Delete(k)
				if c == layers[len(layers)-1] || len(layers) == 1 {
					delete(model, string(k))
				} else {
					// a write to the outer layer under an inner one is
					// visible only where the inner layer has no entry
					if _, shadowed := layers[1].writes[string(k)]; !shadowed {
						delete(model, string(k))
					}
				}
			default:
				v := []byte(fmt.Sprintf("c%d", r.IntN(100)))
				c.Set(k, v)
				if c == layers[len(layers)-1] || len(layers) == 1 {
					model[string(k)] = v
				} else if _, shadowed := layers[1].writes[string(k)]; !shadowed {
					model[string(k)] = v
				}
			}
		}
		for range 10 {
			start, end := randBound(r), randBound(r)
			if start != nil && end != nil && bytes.Compare(start, end) > 0 {
				start, end = end, start
			}
			if got, want := collect(kv, start, end), model.sorted(start, end); !slices.Equal(got, want) {
				t.Fatalf("seed %d: Iterator(%x, %x): got %q, want %q", seed, start, end, got, want)
			}
		}
		for _, k := range keyAlphabet {
			key := []byte{k}
			v, ok := model[string(key)]
			if got := kv.Get(key); !bytes.Equal(got, v) || (got == nil) == ok || kv.Has(key) != ok {
				t.Fatalf("seed %d: Get(%x): got %q, want %q (present %v)", seed, key, got, v, ok)
			}
		}
		for i := len(layers) - 1; i >= 0; i-- {
			layers[i].Write()
			if layers[i].Dirty() != 0 {
				t.Fatalf("seed %d: cache dirty after Write", seed)
			}
		}
		if got, want := collect(tree, nil, nil), model.sorted(nil, nil); !slices.Equal(got, want) {
			t.Fatalf("seed %d: tree after Write: got %q, want %q", seed, got, want)
		}
	}
}

// recorder is a KV that records the order of writes.
type recorder struct {
	mapKV
	ops []string
}

func (r *recorder) Get(k []byte) []byte { return r.mapKV[string(k)] }
func (r *recorder) Has(k []byte) bool   { return r.Get(k) != nil }
func (r *recorder) Set(k, v []byte) {
	r.ops = append(r.ops, "set "+string(k))
	r.mapKV[string(k)] = v
}
func (r *recorder) Delete(k []byte) {
	r.ops = append(r.ops, "del "+string(k))
	delete(r.mapKV, string(k))
}
func (r *recorder) Iterator(_, _ []byte) Iterator { panic("not used") }

// TestCacheWriteOrder: Write flushes in ascending key order whatever order
// the writes came in, each key once with its last value, deletions
// included; a dropped cache leaves no trace.
func TestCacheWriteOrder(t *testing.T) {
	p := &recorder{mapKV: mapKV{"b": []byte("old")}}
	c := NewCache(p)
	c.Set([]byte("d"), []byte("1"))
	c.Set([]byte("a"), []byte("1"))
	c.Delete([]byte("b"))
	c.Set([]byte("c"), []byte("1"))
	c.Set([]byte("a"), []byte("2"))
	c.Delete([]byte("c"))
	if c.Dirty() != 4 {
		t.Errorf("Dirty: got %d, want 4", c.Dirty())
	}
	if len(p.ops) != 0 {
		t.Fatalf("writes reached the parent before Write: %v", p.ops)
	}
	c.Write()
	if want := []string{"set a", "del b", "del c", "set d"}; !slices.Equal(p.ops, want) {
		t.Errorf("Write order: got %v, want %v", p.ops, want)
	}
	if string(p.mapKV["a"]) != "2" || p.mapKV["b"] != nil {
		t.Errorf("parent after Write: %q", p.mapKV)
	}
	dropped := NewCache(p)
	dropped.Set([]byte("z"), []byte("1"))
	if p.Get([]byte("z")) != nil {
		t.Error("a cache that was never written changed its parent")
	}
}

// TestCacheValues: Set copies the value, a nil value is an empty value (the
// key exists), Delete hides the parent's value.
func TestCacheValues(t *testing.T) {
	tree := NewMemTree()
	tree.Set([]byte("k"), []byte("parent"))
	c := NewCache(tree)
	v := []byte("mine")
	c.Set([]byte("x"), v)
	v[0] = 'M'
	if got := c.Get([]byte("x")); string(got) != "mine" {
		t.Errorf("Set kept the caller's slice: got %q", got)
	}
	c.Set([]byte("e"), nil)
	if got := c.Get([]byte("e")); got == nil || len(got) != 0 || !c.Has([]byte("e")) {
		t.Errorf("nil value: got %v, has %v; want an empty present value", got, c.Has([]byte("e")))
	}
	c.Delete([]byte("k"))
	if c.Get([]byte("k")) != nil || c.Has([]byte("k")) {
		t.Error("Delete did not hide the parent's value")
	}
	if got := collect(c, nil, nil); !slices.Equal(got, [][2]string{{"e", ""}, {"x", "mine"}}) {
		t.Errorf("iteration: got %q", got)
	}
	c.Write()
	if got := tree.Get([]byte("e")); got == nil || len(got) != 0 {
		t.Errorf("empty value after Write: got %v", got)
	}
	if tree.Has([]byte("k")) {
		t.Error("deleted key survives Write")
	}
}

// TestPrefixed: a prefixed view reads, writes and iterates only its key
// space, with the prefix stripped, including the 0xff edge.
func TestPrefixed(t *testing.T) {
	tree := NewMemTree()
	for _, k := range []string{"\x00a", "\x01a", "\x01b", "\x01\xff", "\x02a", "\xffa", "\xff\xffz"} {
		tree.Set([]byte(k), []byte("v"+k))
	}
	c := NewCache(tree)
	p := NewPrefixed(c, []byte{0x01})
	p.Set([]byte("c"), []byte("new"))
	p.Delete([]byte("a"))
	if got := c.Get([]byte("\x01c")); string(got) != "new" {
		t.Errorf("prefixed Set: parent has %q", got)
	}
	if p.Has([]byte("a")) || !p.Has([]byte("b")) || string(p.Get([]byte("b"))) != "v\x01b" {
		t.Error("prefixed Get/Has")
	}
	if got, want := collect(p, nil, nil), [][2]string{{"b", "v\x01b"}, {"c", "new"}, {"\xff", "v\x01\xff"}}; !slices.Equal(got, want) {
		t.Errorf("prefixed iteration: got %q, want %q", got, want)
	}
	if got, want := collect(p, []byte("b"), []byte("c")), [][2]string{{"b", "v\x01b"}}; !slices.Equal(got, want) {
		t.Errorf("prefixed range: got %q, want %q", got, want)
	}
	last := NewPrefixed(tree, []byte{0xff})
	if got, want := collect(last, nil, nil), [][2]string{{"a", "v\xffa"}, {"\xffz", "v\xff\xffz"}}; !slices.Equal(got, want) {
		t.Errorf("0xff prefix: got %q, want %q", got, want)
	}
	nested := NewPrefixed(NewPrefixed(tree, []byte{0xff}), []byte{0xff})
	if got, want := collect(nested, nil, nil), [][2]string{{"z", "v\xff\xffz"}}; !slices.Equal(got, want) {
		t.Errorf("nested prefix: got %q, want %q", got, want)
	}
	var seen []string
	EachPrefix(tree, []byte{0x01}, func(k, _ []byte) bool {
		seen = append(seen, string(k))
		return len(seen) < 2
	})
	if !slices.Equal(seen, []string{"\x01a", "\x01b"}) {
		t.Errorf("EachPrefix with early stop: got %q", seen)
	}
}

// TestTreeVersionsAndProofs: commits make versions, snapshots read old
// versions and refuse writes, Rollback drops working writes, proofs verify
// only against their own root.
func TestTreeVersionsAndProofs(t *testing.T) {
	db := dbm.NewMemDB()
	tree, err := OpenTree(db, 100)
	if err != nil {
		t.Fatal(err)
	}
	if tree.Version() != 0 {
		t.Fatalf("new tree at version %d", tree.Version())
	}
	tree.Set([]byte("a"), []byte("1"))
	tree.Set([]byte("c"), []byte("3"))
	working := tree.WorkingHash()
	h1, v1, err := tree.Commit()
	if err != nil || v1 != 1 || !bytes.Equal(h1, working) || !bytes.Equal(tree.Hash(), h1) {
		t.Fatalf("commit 1: version %d hash %X (working %X): %v", v1, h1, working, err)
	}
	tree.Set([]byte("a"), []byte("one"))
	tree.Delete([]byte("c"))
	h2, v2, err := tree.Commit()
	if err != nil || v2 != 2 || bytes.Equal(h1, h2) {
		t.Fatalf("commit 2: version %d hash %X: %v", v2, h2, err)
	}
	tree.Set([]byte("x"), []byte("uncommitted"))
	tree.Rollback()
	if tree.Get([]byte("x")) != nil || !bytes.Equal(tree.WorkingHash(), h2) {
		t.Error("Rollback kept a working write")
	}
	s1, err := tree.Snapshot(1)
	if err != nil {
		t.Fatal(err)
	}
	if string(s1.Get([]byte("a"))) != "1" || string(s1.Get([]byte("c"))) != "3" || s1.Version() != 1 || !bytes.Equal(s1.Hash(), h1) {
		t.Error("snapshot 1 does not show version 1")
	}
	if _, err := tree.Snapshot(3); err == nil {
		t.Error("snapshot of a future version")
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("a snapshot accepted a write")
			}
		}()
		s1.Set([]byte("a"), []byte("x"))
	}()
	s2, _ := tree.Snapshot(2)
	for _, c := range []struct {
		snap  *Snapshot
		root  []byte
		key   string
		value []byte
	}{
		{s1, h1, "a", []byte("1")},
		{s1, h1, "b", nil},
		{s1, h1, "0", nil},
		{s1, h1, "z", nil},
		{s2, h2, "a", []byte("one")},
		{s2, h2, "c", nil},
	} {
		p, err := c.snap.Proof([]byte(c.key))
		if err != nil {
			t.Fatalf("proof of %q: %v", c.key, err)
		}
		if err := VerifyProof(c.root, p, []byte(c.key), c.value); err != nil {
			t.Errorf("proof of %q=%q: %v", c.key, c.value, err)
		}
		other := h1
		if bytes.Equal(c.root, h1) {
			other = h2
		}
		if err := VerifyProof(other, p, []byte(c.key), c.value); err == nil {
			t.Errorf("proof of %q verifies against the other version's root", c.key)
		}
		wrong := []byte("forged")
		if c.value == nil {
			wrong = nil
			if err := VerifyProof(c.root, p, []byte(c.key), []byte("x")); err == nil {
				t.Errorf("absence proof of %q verifies a value", c.key)
			}
			continue
		}
		if err := VerifyProof(c.root, p, []byte(c.key), wrong); err == nil {
			t.Errorf("proof of %q verifies a forged value", c.key)
		}
	}
	// Reopening the database loads the last version.
	again, err := OpenTree(db, 100)
	if err != nil || again.Version() != 2 || !bytes.Equal(again.Hash(), h2) {
		t.Fatalf("reopened: version %d hash %X: %v", again.Version(), again.Hash(), err)
	}
}

// TestTreeHashIndependentOfWriteOrder: the reason caches flush sorted. The
// same final writes reach the same root whatever order a block made them.
func TestTreeHashIndependentOfWriteOrder(t *testing.T) {
	keys := []string{"m", "b", "x", "a", "q", "c", "z", "k"}
	var hashes [][]byte
	for i := range 4 {
		r := rand.New(rand.NewPCG(uint64(i), 2))
		order := slices.Clone(keys)
		r.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
		tree := NewMemTree()
		c := NewCache(tree)
		for _, k := range order {
			c.Set([]byte(k), []byte("v"+k))
		}
		c.Write()
		h, _, err := tree.Commit()
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, h)
	}
	for i := 1; i < len(hashes); i++ {
		if !bytes.Equal(hashes[i], hashes[0]) {
			t.Fatalf("write order %d gives root %X, order 0 gives %X", i, hashes[i], hashes[0])
		}
	}
}

func TestFirstDifference(t *testing.T) {
	base := map[string]string{"a": "1", "b": "2", "d": "4"}
	fill := func(kv map[string]string) KV {
		c := NewCache(NewMemTree())
		for k, v := range kv {
			c.Set([]byte(k), []byte(v))
		}
		return c
	}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range base {
			m[a] = b
		}
		if v == "" {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	for _, c := range []struct {
		name        string
		other       map[string]string
		key, va, vb string
		differ      bool
	}{
		{"same", base, "", "", "", false},
		{"value", with("b", "3"), "b", "2", "3", true},
		{"missing in b", with("b", ""), "b", "2", "", true},
		{"extra in b", with("c", "9"), "c", "", "9", true},
		{"missing last", with("d", ""), "d", "4", "", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			key, va, vb, differ := FirstDifference(fill(base), fill(c.other))
			if differ != c.differ || string(key) != c.key || string(va) != c.va || string(vb) != c.vb {
				t.Fatalf("got %q %q %q %v, want %q %q %q %v", key, va, vb, differ, c.key, c.va, c.vb, c.differ)
			}
		})
	}
}
