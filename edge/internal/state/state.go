// Package state persists the per-device signing state of the edge agent:
// the sequence numbers a device may have used, the last cumulative value
// signed and the acc32 wrap carry. Each device has one small JSON file,
// replaced atomically (fsync + rename + directory fsync).
//
// Sequence numbers are handed out by hi-lo reservation. The file does not
// hold the last number used but a reserved high-water mark: Commit persists
// "next seq + Reserve - 1" whenever the next number would pass the mark
// (and whenever the acc32 carry changes), BEFORE the reading with that
// number is signed. Between reservations a Commit only updates memory, so
// the agent pays for one atomic file replacement per Reserve readings
// instead of one per reading. After a crash the device resumes above the
// mark: a crash can skip up to Reserve-1 numbers but never reuse one (the
// chain and settlement need strictly increasing sequence numbers, not
// contiguous ones). A clean shutdown (Flush) writes the exact state, so a
// stopped and restarted agent continues without a gap.
package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sync"

	"github.com/citychain/citychain/edge/atomicfile"
	"github.com/citychain/citychain/edge/internal/register"
	"github.com/citychain/citychain/edge/reading"
)

// DefaultReserve is how many sequence numbers one reservation covers.
const DefaultReserve = 1000

// accDrift bounds how far (in raw counts) the live acc32 value may run ahead
// of the persisted one before Commit persists again. After a crash the
// agent resumes from the persisted raw value; keeping it within 2^28 of the
// real last value keeps wrap detection (a forward distance under 2^31)
// working for any single step under 2^31 - 2^28.
const accDrift = 1 << 28

// Device is the persisted state of one device.
type Device struct {
	// Seq is the highest sequence number the device may have used: the
	// next reading gets Seq+1. In memory it is the last number used; on
	// disk it is usually a reservation above that (0 = none yet).
	Seq   uint64              `json:"seq"`
	Value uint64              `json:"value"` // last cumulative value signed (on disk: as of the last write)
	Acc   register.Acc32State `json:"acc32"` // acc32 wrap tracking
}

// Store keeps one file per device in a directory. It is safe for
// concurrent use by different devices; each device's Commit/Flush calls
// must not run concurrently with each other.
type Store struct {
	dir     string
	reserve uint64

	mu    sync.Mutex
	saved map[string]Device // what each device's file holds, as far as this Store knows
}

// Open creates dir (mode 0700) if needed and removes temporary files left
// by a crash. Reservations cover DefaultReserve numbers.
func Open(dir string) (*Store, error) {
	if dir == "" {
		return nil, errors.New("state dir: empty")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("state dir %s: %w", dir, err)
	}
	tmps, _ := filepath.Glob(filepath.Join(dir, ".*"+atomicfile.TempSuffix))
	for _, t := range tmps {
		os.Remove(t)
	}
	return &Store{dir: dir, reserve: DefaultReserve, saved: map[string]Device{}}, nil
}

// SetReserve sets how many sequence numbers one reservation covers (n >= 1;
// 1 persists every number, as before reservations existed). Call it before
// the first Commit.
func (s *Store) SetReserve(n uint64) {
	s.reserve = max(n, 1)
}

func (s *Store) path(device string) (string, error) {
	if err := reading.ValidateDeviceID(device); err != nil {
		return "", err
	}
	return filepath.Join(s.dir, "device-"+device+".json"), nil
}

// Load returns the saved state of a device, or the zero state if it has
// none. Its Seq may be a reservation: the device continues at Seq+1.
func (s *Store) Load(device string) (Device, error) {
	p, err := s.path(device)
	if err != nil {
		return Device{}, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return Device{}, nil
	}
	if err != nil {
		return Device{}, fmt.Errorf("load state of %s: %w", device, err)
	}
	var d Device
	if err := json.Unmarshal(b, &d); err != nil {
		return Device{}, fmt.Errorf("load state of %s from %s: %w", device, p, err)
	}
	s.mu.Lock()
	s.saved[device] = d
	s.mu.Unlock()
	return d, nil
}

// Save durably replaces the state of a device with exactly d.
func (s *Store) Save(device string, d Device) error {
	p, err := s.path(device)
	if err != nil {
		return err
	}
	b, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("save state of %s: %w", device, err)
	}
	if err := atomicfile.Write(p, append(b, '\n'), 0o600); err != nil {
		// The file now holds the old or the new state: forget what we
		// knew, so the next Commit writes again.
		s.mu.Lock()
		delete(s.saved, device)
		s.mu.Unlock()
		return fmt.Errorf("save state of %s: %w", device, err)
	}
	s.mu.Lock()
	s.saved[device] = d
	s.mu.Unlock()
	return nil
}

// Commit makes next the device's current state (next.Seq = the number the
// reading about to be signed uses). When it returns nil, the reading may be
// signed: the persisted state covers next.Seq and next's acc32 carry.
// It writes the file only when next.Seq passes the reserved mark, the acc32
// wrap count or "seen" flag differs from the persisted one, or the acc32
// raw value ran accDrift ahead of it; it then reserves Reserve numbers
// (next.Seq .. next.Seq+Reserve-1) and records next's value and acc32 state.
func (s *Store) Commit(device string, next Device) error {
	s.mu.Lock()
	saved, ok := s.saved[device]
	s.mu.Unlock()
	if ok && next.Seq <= saved.Seq &&
		next.Acc.Wraps == saved.Acc.Wraps && next.Acc.Seen == saved.Acc.Seen &&
		next.Acc.Last >= saved.Acc.Last && next.Acc.Last-saved.Acc.Last < accDrift {
		return nil
	}
	res := next
	if next.Seq > math.MaxUint64-(s.reserve-1) {
		res.Seq = math.MaxUint64
	} else {
		res.Seq = next.Seq + s.reserve - 1
	}
	return s.Save(device, res)
}

// Flush writes the exact current state cur (cur.Seq = the last number
// used) if the file holds anything else, so a restart after a clean
// shutdown continues at cur.Seq+1 without a gap. Call it when the device
// will sign nothing more (the next Commit reserves again).
func (s *Store) Flush(device string, cur Device) error {
	s.mu.Lock()
	saved, ok := s.saved[device]
	s.mu.Unlock()
	if ok && saved == cur {
		return nil
	}
	if cur == (Device{}) && !ok {
		return nil
	}
	return s.Save(device, cur)
}
