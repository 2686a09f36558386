package state

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/citychain/citychain/edge/internal/register"
)

func TestSaveLoad(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if d, err := s.Load("inv-1"); err != nil || d != (Device{}) {
		t.Fatalf("Load of a new device = %+v, %v; want zero", d, err)
	}
	want := Device{Seq: 7, Value: 1 << 40, Acc: register.Acc32State{Last: 5, Wraps: 256, Seen: true}}
	if err := s.Save("inv-1", want); err != nil {
		t.Fatal(err)
	}
	// A leftover temporary file from a crash is cleaned on Open.
	if err := os.WriteFile(filepath.Join(dir, ".device-inv-1.json.123.tmp"), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s2.Load("inv-1")
	if err != nil || got != want {
		t.Fatalf("Load = %+v, %v; want %+v", got, err, want)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*.tmp")); len(m) != 0 {
		t.Errorf("temporary files left: %v", m)
	}
	if fi, err := os.Stat(filepath.Join(dir, "device-inv-1.json")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("state file mode = %v, %v; want 0600", fi.Mode(), err)
	}
	if err := s.Save("../x", want); err == nil {
		t.Error("Save with an invalid device id succeeded")
	}
	if err := os.WriteFile(filepath.Join(dir, "device-bad.json"), []byte("nope"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load("bad"); err == nil {
		t.Error("Load of a corrupt file succeeded")
	}
}

// fileID identifies one version of a file (inode and mtime): it changes
// when the file is replaced.
func fileID(t *testing.T, p string) string {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		return "none"
	}
	return fmt.Sprint(fi.Sys(), fi.ModTime().UnixNano())
}

// TestReservation: Commit writes the file once per reservation; after a
// crash the device resumes above every number it used; the acc32 carry is
// on disk before a reading that depends on it is signed.
func TestReservation(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	s.SetReserve(10)
	p := filepath.Join(dir, "device-inv-1.json")
	cur, _ := s.Load("inv-1")
	var writes int
	acc := register.Acc32State{}
	for seq := uint64(1); seq <= 25; seq++ {
		raw := uint32(math.MaxUint32 - 5000 + seq*100)
		_, nacc, err := acc.Extend(raw)
		if err != nil {
			t.Fatal(err)
		}
		next := Device{Seq: seq, Value: seq * 100, Acc: nacc}
		before := fileID(t, p)
		if err := s.Commit("inv-1", next); err != nil {
			t.Fatal(err)
		}
		if fileID(t, p) != before {
			writes++
		}
		cur, acc = next, nacc
		// What a crash right now would find:
		crashed, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		d, err := crashed.Load("inv-1")
		if err != nil {
			t.Fatal(err)
		}
		if d.Seq < seq || d.Seq >= seq+10 {
			t.Fatalf("after using seq %d the file holds %d: want a mark in [%d, %d)", seq, d.Seq, seq, seq+10)
		}
		if d.Acc.Wraps != acc.Wraps || d.Acc.Seen != acc.Seen {
			t.Fatalf("seq %d: acc32 on disk %+v, in memory %+v", seq, d.Acc, acc)
		}
	}
	if writes != 3 { // seq 1, 11, 21
		t.Errorf("%d state writes for 25 readings with reservations of 10, want 3", writes)
	}
	// A wrap changes the carry: it is persisted before the reading is signed.
	_, nacc, err := acc.Extend(5)
	if err != nil || nacc.Wraps != 1 {
		t.Fatalf("wrap: %+v %v", nacc, err)
	}
	if err := s.Commit("inv-1", Device{Seq: 26, Value: 1 << 33, Acc: nacc}); err != nil {
		t.Fatal(err)
	}
	s2, _ := Open(dir)
	if d, _ := s2.Load("inv-1"); d.Acc != nacc || d.Seq < 26 {
		t.Fatalf("after a wrap the file holds %+v, want acc32 %+v and seq >= 26", d, nacc)
	}
	cur = Device{Seq: 26, Value: 1 << 33, Acc: nacc}
	// A large move of the raw value is persisted too (wrap detection after
	// a crash depends on a recent raw value).
	far := nacc
	far.Last += accDrift
	if err := s.Commit("inv-1", Device{Seq: 27, Value: cur.Value + accDrift, Acc: far}); err != nil {
		t.Fatal(err)
	}
	if d, _ := s2.Load("inv-1"); d.Acc != far {
		t.Fatalf("after a drift of %d the file holds acc32 %+v, want %+v", accDrift, d.Acc, far)
	}
	cur = Device{Seq: 27, Value: cur.Value + accDrift, Acc: far}
	// A clean stop writes the exact state: a restart continues without a gap.
	if err := s.Flush("inv-1", cur); err != nil {
		t.Fatal(err)
	}
	if d, _ := s2.Load("inv-1"); d != cur {
		t.Fatalf("after Flush the file holds %+v, want %+v", d, cur)
	}
	before := fileID(t, p)
	if err := s.Flush("inv-1", cur); err != nil || fileID(t, p) != before {
		t.Errorf("a second Flush rewrote the file (err %v)", err)
	}
	// After Flush, the next number is reserved again.
	if err := s.Commit("inv-1", Device{Seq: 28, Value: cur.Value, Acc: far}); err != nil {
		t.Fatal(err)
	}
	if d, _ := s2.Load("inv-1"); d.Seq != 37 {
		t.Errorf("reservation after Flush: file seq %d, want 37", d.Seq)
	}
	// Reserve 1 writes every number, the behaviour before reservations.
	s3, _ := Open(dir)
	s3.SetReserve(1)
	for seq := uint64(1); seq <= 3; seq++ {
		if err := s3.Commit("ev-1", Device{Seq: seq, Value: seq}); err != nil {
			t.Fatal(err)
		}
		if d, _ := s2.Load("ev-1"); d.Seq != seq {
			t.Errorf("reserve 1: file seq %d, want %d", d.Seq, seq)
		}
	}
	// A mark near the top of the range saturates instead of wrapping.
	if err := s.Commit("ev-2", Device{Seq: math.MaxUint64 - 2}); err != nil {
		t.Fatal(err)
	}
	if d, _ := s2.Load("ev-2"); d.Seq != math.MaxUint64 {
		t.Errorf("mark near 2^64: %d", d.Seq)
	}
	// Flush of a device that never signed writes nothing.
	if err := s.Flush("ev-3", Device{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "device-ev-3.json")); !os.IsNotExist(err) {
		t.Errorf("Flush of an unused device created its file: %v", err)
	}
}
