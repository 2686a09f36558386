package state

import (
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
