package outbox

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/citychain/citychain/edge/reading"
	"github.com/citychain/citychain/edge/reading/readingtest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func wire(t testing.TB, device string, seq uint64) []byte {
	t.Helper()
	priv := ed25519.NewKeyFromSeed(make([]byte, 32))
	return readingtest.Wire(t, priv, reading.Reading{DeviceID: device, KeyEpoch: 1, Seq: seq, TimeMs: 1, Kind: reading.KindEnergyWh, Value: seq * 10})
}

func all(o *Outbox) []Entry {
	var out []Entry
	for k := uint64(0); ; {
		e, ok := o.Next(k)
		if !ok {
			return out
		}
		out = append(out, e)
		k = e.Key
	}
}

// open opens dir with small segments (n records each).
func open(t *testing.T, dir string, capacity, n int) *Outbox {
	t.Helper()
	o, err := Open(dir, capacity, quiet)
	if err != nil {
		t.Fatal(err)
	}
	o.segmentRecords = n
	return o
}

func segFiles(t *testing.T, dir, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil {
		t.Fatal(err)
	}
	for i := range m {
		m[i] = filepath.Base(m[i])
	}
	return m
}

// checkEntries asserts o holds exactly the readings want[k] for keys, in
// key order.
func checkEntries(t *testing.T, o *Outbox, want map[uint64][]byte, keys []uint64) {
	t.Helper()
	got := all(o)
	if len(got) != len(keys) {
		t.Fatalf("outbox has %d entries %v, want %d %v", len(got), entryKeys(got), len(keys), keys)
	}
	for i, e := range got {
		if e.Key != keys[i] || !bytes.Equal(e.Wire, want[keys[i]]) || e.Device != "dev-a" {
			t.Errorf("entry %d = key %d device %q, want key %d with its bytes", i, e.Key, e.Device, keys[i])
		}
	}
	if o.Len() != len(keys) {
		t.Errorf("Len = %d, want %d", o.Len(), len(keys))
	}
}

func entryKeys(es []Entry) []uint64 {
	var k []uint64
	for _, e := range es {
		k = append(k, e.Key)
	}
	return k
}

// TestSurvivesCrash: records appended and never closed (a crash: the
// Outbox is dropped) are all there after reopening, in order; keys
// continue after the largest one.
func TestSurvivesCrash(t *testing.T) {
	dir := t.TempDir()
	o := open(t, dir, 100, 4)
	want := map[uint64][]byte{}
	for i := uint64(1); i <= 10; i++ {
		w := wire(t, "dev-a", i)
		k, err := o.Append(w)
		if err != nil {
			t.Fatal(err)
		}
		if k != i {
			t.Fatalf("key %d, want %d", k, i)
		}
		want[k] = w
	}
	// Acknowledge some entries, out of order; none of their segments is
	// complete, so they stay on disk and come back after the crash.
	for _, k := range []uint64{1, 4, 9} {
		if err := o.Remove(k); err != nil {
			t.Fatal(err)
		}
	}
	checkEntries(t, o, want, []uint64{2, 3, 5, 6, 7, 8, 10})
	// A leftover temporary file from a crash is removed on Open.
	os.WriteFile(filepath.Join(dir, ".last.json.123.tmp"), []byte("partial"), 0o600)

	o2 := open(t, dir, 100, 4) // o is never closed
	checkEntries(t, o2, want, []uint64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
	if m := segFiles(t, dir, "*.tmp"); len(m) != 0 {
		t.Errorf("temporary files left: %v", m)
	}
	k, err := o2.Append(wire(t, "dev-a", 11))
	if err != nil {
		t.Fatal(err)
	}
	if k != 11 || o2.LastKey() != 11 {
		t.Errorf("next key = %d, LastKey %d; want 11", k, o2.LastKey())
	}
	// Reopen starts a new segment rather than appending to an old one.
	if got := segFiles(t, dir, "*.seg"); !slices.Contains(got, "00000000000000000011.seg") {
		t.Errorf("segments %v: want a new one starting at key 11", got)
	}
}

// TestSegmentDeletedOnlyWhenAllAcked: a segment file goes away once every
// key in it is acknowledged and it is not the active one.
func TestSegmentDeletedOnlyWhenAllAcked(t *testing.T) {
	dir := t.TempDir()
	o := open(t, dir, 100, 3)
	want := map[uint64][]byte{}
	for i := uint64(1); i <= 7; i++ {
		w := wire(t, "dev-a", i)
		if _, err := o.Append(w); err != nil {
			t.Fatal(err)
		}
		want[i] = w
	}
	seg := func(k int) string { return fmt.Sprintf("%020d.seg", k) }
	if got, w := segFiles(t, dir, "*.seg"), []string{seg(1), seg(4), seg(7)}; !slices.Equal(got, w) {
		t.Fatalf("segments %v, want %v", got, w)
	}
	for _, k := range []uint64{1, 3, 4, 5, 6, 7} {
		if err := o.Remove(k); err != nil {
			t.Fatal(err)
		}
	}
	// Segment 1 still holds unacknowledged key 2; 4 is done; 7 is active.
	if got, w := segFiles(t, dir, "*.seg"), []string{seg(1), seg(7)}; !slices.Equal(got, w) {
		t.Fatalf("after acks: segments %v, want %v", got, w)
	}
	o.Remove(2)
	if got, w := segFiles(t, dir, "*.seg"), []string{seg(7)}; !slices.Equal(got, w) {
		t.Fatalf("after acking all: segments %v, want %v (the active one stays)", got, w)
	}
	if o.Len() != 0 {
		t.Fatalf("Len = %d, want 0", o.Len())
	}
	// Rotating away from a fully acknowledged active segment deletes it.
	for i := uint64(8); i <= 10; i++ {
		w := wire(t, "dev-a", i)
		if _, err := o.Append(w); err != nil {
			t.Fatal(err)
		}
		want[i] = w
		if i < 10 {
			o.Remove(i)
		}
	}
	if got, w := segFiles(t, dir, "*.seg"), []string{seg(10)}; !slices.Equal(got, w) {
		t.Fatalf("after rotation: segments %v, want %v", got, w)
	}
	o.Append(wire(t, "dev-a", 11))
	want[11] = wire(t, "dev-a", 11)
	o.Remove(10)
	// After a crash, acknowledged readings of undeleted segments (10 here)
	// come back; those of deleted segments do not.
	o2 := open(t, dir, 100, 3)
	checkEntries(t, o2, want, []uint64{10, 11})
	// Last survives the deletion of every segment that held the device.
	o2.Remove(10)
	o2.Remove(11)
	o2.Append(wire(t, "other", 1))
	o2.Append(wire(t, "other", 2))
	o2.Append(wire(t, "other", 3))
	o2.Append(wire(t, "other", 4)) // rotates: segment 10 is gone, dev-a is in no file
	if got := segFiles(t, dir, "*.seg"); slices.Contains(got, seg(10)) {
		t.Fatalf("segments %v: segment 10 should be deleted", got)
	}
	o3 := open(t, dir, 100, 3)
	if seq, value, ok := o3.Last("dev-a"); !ok || seq != 11 || value != 110 {
		t.Errorf("Last(dev-a) = %d %d %v, want 11 110 true", seq, value, ok)
	}
	if seq, _, ok := o3.Last("other"); !ok || seq != 4 {
		t.Errorf("Last(other) = %d %v, want 4 true", seq, ok)
	}
	if _, _, ok := o3.Last("nobody"); ok {
		t.Error("Last of an unknown device reports ok")
	}
}

// TestTornTail: a record cut short by a crash at the end of the last
// segment is truncated away; everything before it survives.
func TestTornTail(t *testing.T) {
	for _, cut := range []int{1, 5, 12, 40, 150} {
		t.Run(fmt.Sprint(cut), func(t *testing.T) {
			dir := t.TempDir()
			o := open(t, dir, 100, 100)
			want := map[uint64][]byte{}
			for i := uint64(1); i <= 5; i++ {
				w := wire(t, "dev-a", i)
				o.Append(w)
				want[i] = w
			}
			p := filepath.Join(dir, "00000000000000000001.seg")
			good, _ := os.ReadFile(p)
			rec := appendRecord(nil, 6, wire(t, "dev-a", 6))
			f, _ := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
			f.Write(rec[:min(cut, len(rec)-1)])
			f.Close()

			o2 := open(t, dir, 100, 100)
			checkEntries(t, o2, want, []uint64{1, 2, 3, 4, 5})
			if b, _ := os.ReadFile(p); !bytes.Equal(b, good) {
				t.Errorf("segment is %d bytes after recovery, want the %d good ones", len(b), len(good))
			}
			if m := segFiles(t, dir, "*.bad"); len(m) != 0 {
				t.Errorf("a torn tail was quarantined: %v", m)
			}
			// Zeros (unwritten blocks) at the end are a torn tail too.
			f, _ = os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
			f.Write(make([]byte, 300))
			f.Close()
			o3 := open(t, dir, 100, 100)
			checkEntries(t, o3, want, []uint64{1, 2, 3, 4, 5})
		})
	}
}

// TestCorruptMiddle: a damaged record with good ones after it quarantines
// the segment (a .bad copy) without losing any good record.
func TestCorruptMiddle(t *testing.T) {
	dir := t.TempDir()
	o := open(t, dir, 100, 5)
	want := map[uint64][]byte{}
	for i := uint64(1); i <= 7; i++ {
		w := wire(t, "dev-a", i)
		o.Append(w)
		want[i] = w
	}
	p := filepath.Join(dir, "00000000000000000001.seg")
	b, _ := os.ReadFile(p)
	size := len(b) / 5
	b[2*size+headerSize+10] ^= 0xff // a byte of record 3's wire
	os.WriteFile(p, b, 0o600)

	o2 := open(t, dir, 100, 5)
	checkEntries(t, o2, want, []uint64{1, 2, 4, 5, 6, 7})
	if got, err := os.ReadFile(p + ".bad"); err != nil || !bytes.Equal(got, b) {
		t.Errorf("quarantined copy: %v (equal %v)", err, bytes.Equal(got, b))
	}
	// The segment now holds only good records: a second open finds no
	// damage and the same entries.
	os.Remove(p + ".bad")
	o3 := open(t, dir, 100, 5)
	checkEntries(t, o3, want, []uint64{1, 2, 4, 5, 6, 7})
	if m := segFiles(t, dir, "*.bad"); len(m) != 0 {
		t.Errorf("second open quarantined again: %v", m)
	}
	if k, err := o3.Append(wire(t, "dev-a", 8)); err != nil || k != 8 {
		t.Errorf("Append after recovery = %d, %v; want key 8", k, err)
	}
}

// TestLegacyLayout: entries of the one-file-per-reading layout move into a
// segment on Open; a file that does not decode is moved aside.
func TestLegacyLayout(t *testing.T) {
	dir := t.TempDir()
	want := map[uint64][]byte{}
	for _, k := range []uint64{3, 5, 6} {
		want[k] = wire(t, "dev-a", k)
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("%020d.rdg", k)), want[k], 0o600)
	}
	os.WriteFile(filepath.Join(dir, "00000000000000000007.rdg"), []byte("garbage"), 0o600)
	os.WriteFile(filepath.Join(dir, ".00000000000000000008.rdg.123.tmp"), []byte("partial"), 0o600)
	o := open(t, dir, 100, 5)
	checkEntries(t, o, want, []uint64{3, 5, 6})
	if m := segFiles(t, dir, "*.rdg"); len(m) != 0 {
		t.Errorf("legacy files left: %v", m)
	}
	if m := segFiles(t, dir, "*.rdg.bad"); len(m) != 1 {
		t.Errorf("garbage entry not quarantined: %v", m)
	}
	o2 := open(t, dir, 100, 5)
	checkEntries(t, o2, want, []uint64{3, 5, 6})
	if k, _ := o2.Append(wire(t, "dev-a", 9)); k != 8 {
		t.Errorf("next key = %d, want 8 (above the quarantined 7)", k)
	}
}

// TestConcurrentAppenders: many goroutines append at once (sharing group
// commits); every key returned is unique and present after a crash.
func TestConcurrentAppenders(t *testing.T) {
	dir := t.TempDir()
	o := open(t, dir, 100000, 64)
	const workers, each = 50, 40
	var mu sync.Mutex
	got := map[uint64][]byte{}
	var wg sync.WaitGroup
	for g := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dev := fmt.Sprintf("dev-%d", g)
			for i := uint64(1); i <= each; i++ {
				w := wire(t, dev, i)
				k, err := o.Append(w)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if _, dup := got[k]; dup {
					t.Errorf("key %d returned twice", k)
				}
				got[k] = w
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(got) != workers*each {
		t.Fatalf("%d keys, want %d", len(got), workers*each)
	}
	o2 := open(t, dir, 100000, 64) // o never closed
	es := all(o2)
	if len(es) != len(got) {
		t.Fatalf("reopened: %d entries, want %d", len(es), len(got))
	}
	for _, e := range es {
		if !bytes.Equal(e.Wire, got[e.Key]) {
			t.Fatalf("key %d: different bytes after reopen", e.Key)
		}
	}
	for g := range workers {
		if seq, _, ok := o2.Last(fmt.Sprintf("dev-%d", g)); !ok || seq != each {
			t.Errorf("Last(dev-%d) = %d %v, want %d", g, seq, ok, each)
		}
	}
}

func TestFullRefusesNewKeepsOld(t *testing.T) {
	dir := t.TempDir()
	o := open(t, dir, 3, 2)
	for i := uint64(1); i <= 3; i++ {
		if _, err := o.Append(wire(t, "d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if !o.Full() {
		t.Fatal("Full() = false with 3 of 3 entries")
	}
	if _, err := o.Append(wire(t, "d", 4)); !errors.Is(err, ErrFull) {
		t.Fatalf("Append to a full outbox: err = %v, want ErrFull", err)
	}
	if got := o.Len(); got != 3 {
		t.Fatalf("Len = %d, want 3", got)
	}
	if e, _ := o.Next(0); e.Key != 1 {
		t.Errorf("oldest entry key = %d, want 1 (old entries are never dropped)", e.Key)
	}
	if err := o.Remove(2); err != nil {
		t.Fatal(err)
	}
	if _, err := o.Append(wire(t, "d", 4)); err != nil {
		t.Fatalf("Append after a removal: %v", err)
	}
	// Reopening with a smaller capacity keeps everything and stays full.
	// (Key 2 is acknowledged but its segment is not complete: it comes
	// back after a reopen.)
	o2 := open(t, dir, 1, 2)
	if o2.Len() != 4 || !o2.Full() {
		t.Errorf("reopened with capacity 1: Len %d Full %v, want 4 true", o2.Len(), o2.Full())
	}
	if _, err := o2.Append(wire(t, "d", 5)); !errors.Is(err, ErrFull) {
		t.Errorf("Append to the reopened full outbox: err = %v, want ErrFull", err)
	}
}

func TestAppendRejectsInvalidAndNotifies(t *testing.T) {
	o := open(t, t.TempDir(), 10, 10)
	if _, err := o.Append([]byte("not a reading")); err == nil {
		t.Error("Append of garbage succeeded")
	}
	s, _ := o.Reserve()
	if _, err := s.Append([]byte("not a reading")); err == nil {
		t.Error("Slot.Append of garbage succeeded")
	}
	if o.Full() || o.Len() != 0 {
		t.Errorf("after failed appends: Len %d Full %v", o.Len(), o.Full())
	}
	if _, err := o.Append(wire(t, "d", 1)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-o.Notify():
	default:
		t.Error("no notification after Append")
	}
	if err := o.Remove(99); err != nil {
		t.Errorf("Remove of a missing key: %v", err)
	}
	if _, err := Open(t.TempDir(), 0, quiet); err == nil {
		t.Error("Open with capacity 0 succeeded")
	}
	if err := o.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := o.Append(wire(t, "d", 2)); err == nil {
		t.Error("Append after Close succeeded")
	}
}

func TestReserve(t *testing.T) {
	o := open(t, t.TempDir(), 2, 10)
	s1, err := o.Reserve()
	if err != nil {
		t.Fatal(err)
	}
	s2, err := o.Reserve()
	if err != nil {
		t.Fatal(err)
	}
	if !o.Full() {
		t.Error("Full() = false with 2 of 2 slots reserved")
	}
	if _, err := o.Reserve(); !errors.Is(err, ErrFull) {
		t.Errorf("third Reserve: err = %v, want ErrFull", err)
	}
	if _, err := o.Append(wire(t, "d", 1)); !errors.Is(err, ErrFull) {
		t.Errorf("Append past the reservations: err = %v, want ErrFull", err)
	}
	if _, err := s1.Append(wire(t, "d", 1)); err != nil {
		t.Fatal(err)
	}
	s1.Release() // no-op after Append
	s2.Release()
	if o.Full() || o.Len() != 1 {
		t.Errorf("after one append and one release: Len %d Full %v, want 1 false", o.Len(), o.Full())
	}
	if _, err := s1.Append(wire(t, "d", 2)); err == nil {
		t.Error("second Append on one slot succeeded")
	}
}

// FuzzDecodeRecord: the record decoder never panics, accepts only what
// re-encodes to the same bytes, and segment recovery of arbitrary bytes
// keeps exactly the records the decoder accepts.
func FuzzDecodeRecord(f *testing.F) {
	w := wire(f, "dev-a", 1)
	rec := appendRecord(nil, 1, w)
	f.Add(rec)
	f.Add(append(slices.Clone(rec), appendRecord(nil, 2, wire(f, "dev-b", 2))...))
	f.Add(rec[:len(rec)-1])
	f.Add(append(slices.Clone(rec), 0, 0, 0))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, n, err := decodeAt(b, 0)
		if err == nil {
			if n > len(b) || !bytes.Equal(appendRecord(nil, r.key, r.wire), b[:n]) {
				t.Fatalf("decoded %d bytes that do not re-encode", n)
			}
			if _, derr := reading.Decode(r.wire); derr != nil {
				t.Fatalf("accepted a record whose reading does not decode: %v", derr)
			}
		}
		resync(b, 0, 0)
	})
}
