package agent

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/citychain/citychain/edge/internal/state"
	"github.com/citychain/citychain/edge/reading"
)

// copyTree copies the regular files under src to dst: taken while the agent
// runs, it is what a crash at that moment could leave on disk (each state
// file is replaced atomically; an outbox segment may end in a torn record).
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o700)
		}
		b, err := os.ReadFile(p)
		if os.IsNotExist(err) {
			return nil // a temporary file or a deleted segment
		}
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCrashResumesAboveReservation: after a crash (no clean stop) a device
// continues above the reserved high-water mark in its state file, never
// reusing a sequence number, and the floor "no value below the last signed
// one" still holds although the state file recorded an older value.
func TestCrashResumesAboveReservation(t *testing.T) {
	rec := newRecorder(nil)
	_, addr := startBroker(t, "127.0.0.1:0", rec)
	f := newFixture(t, addr)
	rec.keys = f.keys
	a := startAgent(t, f.cfg)
	rec.waitFor(t, "readings", wait, func(r *recorder) bool { return len(r.wires["ev-1"]) >= 3 })
	f.ev.SetUint32(1004, 12400) // signed from now on, but not in the state file until the next reservation
	rec.waitFor(t, "a reading of 12400", wait, func(r *recorder) bool {
		for _, w := range r.wires["ev-1"] {
			if s, _ := reading.Decode(w); s.Value == 12400 {
				return true
			}
		}
		return false
	})
	time.Sleep(20 * time.Millisecond)
	image := t.TempDir()
	copyTree(t, f.cfg.StateDir, filepath.Join(image, "state"))
	copyTree(t, f.cfg.Outbox.Path, filepath.Join(image, "outbox"))
	a.stop()

	crashed, err := state.Open(filepath.Join(image, "state"))
	if err != nil {
		t.Fatal(err)
	}
	mark, err := crashed.Load("ev-1")
	if err != nil {
		t.Fatal(err)
	}
	st, _ := state.Open(f.cfg.StateDir)
	used, _ := st.Load("ev-1") // exact after the clean stop
	if used.Seq >= mark.Seq || mark.Value >= 12400 {
		t.Fatalf("crash image: state %+v, last used seq %d: want a reservation above it holding an older value", mark, used.Seq)
	}

	// The meter now reports less than the last signed value, but more than
	// the state file recorded: no reading may be signed.
	f.ev.SetUint32(1004, 12370)
	cfg := f.cfg
	cfg.StateDir, cfg.Outbox.Path = filepath.Join(image, "state"), filepath.Join(image, "outbox")
	a2 := startAgent(t, cfg)
	eventually(t, "refused polls", wait, func() bool { return testutilCount(a2, "edge_poll_errors_total") >= 4 })
	f.ev.SetUint32(1004, 12500)
	rec.waitFor(t, "readings after the crash", wait, func(r *recorder) bool {
		_, ok := r.wires["ev-1"][mark.Seq+3]
		return ok
	})
	a2.stop()

	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, e := range rec.errs { // includes "two different readings with one sequence number"
		t.Error(e)
	}
	for seq, w := range rec.wires["ev-1"] {
		if seq > used.Seq && seq <= mark.Seq {
			t.Errorf("seq %d signed after the crash: the reserved range (%d, %d] must be skipped", seq, used.Seq, mark.Seq)
		}
		if s, _ := reading.Decode(w); seq > mark.Seq && s.Value < 12400 {
			t.Errorf("seq %d after the crash has value %d, below the last signed 12400", seq, s.Value)
		}
	}
}
