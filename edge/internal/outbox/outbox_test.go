package outbox

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/citychain/citychain/edge/reading"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func wire(t *testing.T, device string, seq uint64) []byte {
	t.Helper()
	priv := ed25519.NewKeyFromSeed(make([]byte, 32))
	s, err := reading.Reading{DeviceID: device, KeyEpoch: 1, Seq: seq, TimeMs: 1, Kind: reading.KindEnergyWh, Value: seq * 10}.Sign(priv)
	if err != nil {
		t.Fatal(err)
	}
	w, err := s.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return w
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

func TestSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	o, err := Open(dir, 100, quiet)
	if err != nil {
		t.Fatal(err)
	}
	var want [][]byte
	for i := uint64(1); i <= 10; i++ {
		w := wire(t, "dev-a", i)
		if _, err := o.Append(w); err != nil {
			t.Fatal(err)
		}
		want = append(want, w)
	}
	// Acknowledge some entries, out of order.
	for _, k := range []uint64{1, 4, 5, 9} {
		if err := o.Remove(k); err != nil {
			t.Fatal(err)
		}
	}
	keep := []int{1, 2, 5, 6, 7, 9} // indexes into want still queued
	// Simulate a crash mid-append: a temporary file and a garbage entry.
	os.WriteFile(filepath.Join(dir, ".00000000000000000011.rdg.123.tmp"), []byte("partial"), 0o600)
	os.WriteFile(filepath.Join(dir, "00000000000000000012.rdg"), []byte("garbage"), 0o600)

	o2, err := Open(dir, 100, quiet)
	if err != nil {
		t.Fatal(err)
	}
	got := all(o2)
	if len(got) != len(keep) {
		t.Fatalf("reopened outbox has %d entries, want %d", len(got), len(keep))
	}
	for i, e := range got {
		if !bytes.Equal(e.Wire, want[keep[i]]) || e.Key != uint64(keep[i]+1) || e.Device != "dev-a" {
			t.Errorf("entry %d = key %d device %q, want key %d with the same bytes", i, e.Key, e.Device, keep[i]+1)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "00000000000000000012.rdg.bad")); err != nil {
		t.Errorf("corrupt entry not quarantined: %v", err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*.tmp")); len(m) != 0 {
		t.Errorf("temporary files left: %v", m)
	}
	// New keys continue after the largest key ever seen on disk.
	k, err := o2.Append(wire(t, "dev-a", 11))
	if err != nil {
		t.Fatal(err)
	}
	if k != 13 {
		t.Errorf("next key = %d, want 13", k)
	}
	if got := o2.LastKey(); got != 13 {
		t.Errorf("LastKey = %d, want 13", got)
	}
}

func TestFullRefusesNewKeepsOld(t *testing.T) {
	dir := t.TempDir()
	o, err := Open(dir, 3, quiet)
	if err != nil {
		t.Fatal(err)
	}
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
	o2, err := Open(dir, 1, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if o2.Len() != 3 || !o2.Full() {
		t.Errorf("reopened with capacity 1: Len %d Full %v, want 3 true", o2.Len(), o2.Full())
	}
}

func TestAppendRejectsInvalidAndNotifies(t *testing.T) {
	o, err := Open(t.TempDir(), 10, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.Append([]byte("not a reading")); err == nil {
		t.Error("Append of garbage succeeded")
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
}

func TestReserve(t *testing.T) {
	o, err := Open(t.TempDir(), 2, quiet)
	if err != nil {
		t.Fatal(err)
	}
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
