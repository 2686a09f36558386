// Package outbox is the edge agent's durable queue of signed readings, the
// source of truth for what still has to reach the broker.
//
// Layout: one file per reading in a directory, named by a 20-digit,
// zero-padded, strictly increasing key ("00000000000000000042.rdg"),
// holding exactly the reading's wire bytes. Append writes a temporary file,
// fsyncs it, renames it to its final name and fsyncs the directory, so a
// file with a final name is always complete. Remove unlinks the file after
// the broker's PUBACK; it does not fsync the directory, so after a crash a
// removed reading may come back and be published again (consumers
// deduplicate on device and seq). Open deletes temporary files, loads every
// entry in key order and moves files that do not decode as a reading aside
// to "<name>.bad". The outbox never drops an entry to make room: when it
// holds Capacity entries, Append fails with ErrFull.
package outbox

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/citychain/citychain/edge/internal/atomicfile"
	"github.com/citychain/citychain/edge/reading"
)

const ext = ".rdg"

// ErrFull means the outbox holds Capacity entries and refuses new ones.
var ErrFull = errors.New("outbox full")

// Entry is one queued reading.
type Entry struct {
	Key    uint64 // position in the outbox, strictly increasing
	Device string // device id (from the reading)
	Wire   []byte // signed reading, wire bytes
}

// Outbox is safe for concurrent use.
type Outbox struct {
	dir      string
	capacity int

	mu       sync.Mutex
	keys     []uint64 // ascending
	entries  map[uint64]Entry
	next     uint64
	reserved int // slots promised by Reserve
	notify   chan struct{}
}

// Open opens (creating if needed) the outbox in dir. capacity must be > 0.
func Open(dir string, capacity int, logger *slog.Logger) (*Outbox, error) {
	if capacity <= 0 {
		return nil, fmt.Errorf("outbox capacity %d: want > 0", capacity)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open outbox %s: %w", dir, err)
	}
	names, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("open outbox %s: %w", dir, err)
	}
	o := &Outbox{dir: dir, capacity: capacity, entries: map[uint64]Entry{}, next: 1, notify: make(chan struct{}, 1)}
	for _, de := range names {
		name := de.Name()
		p := filepath.Join(dir, name)
		if strings.HasSuffix(name, atomicfile.TempSuffix) {
			os.Remove(p)
			continue
		}
		stem, ok := strings.CutSuffix(name, ext)
		if !ok || !de.Type().IsRegular() {
			continue
		}
		key, err := strconv.ParseUint(stem, 10, 64)
		if err != nil || len(stem) != 20 || key == 0 {
			continue
		}
		o.next = max(o.next, key+1)
		wire, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("open outbox: read %s: %w", p, err)
		}
		r, err := reading.Decode(wire)
		if err != nil {
			logger.Error("outbox entry does not decode, moved aside", "file", p, "err", err)
			if err := os.Rename(p, p+".bad"); err != nil {
				return nil, fmt.Errorf("open outbox: quarantine %s: %w", p, err)
			}
			continue
		}
		o.keys = append(o.keys, key)
		o.entries[key] = Entry{Key: key, Device: r.DeviceID, Wire: wire}
	}
	slices.Sort(o.keys)
	return o, nil
}

func (o *Outbox) path(key uint64) string {
	return filepath.Join(o.dir, fmt.Sprintf("%020d%s", key, ext))
}

// Append durably stores a signed reading (wire bytes) and returns its key.
// It fails with ErrFull when the outbox holds (or has promised) Capacity
// entries.
func (o *Outbox) Append(wire []byte) (uint64, error) { return o.append(wire, false) }

// Slot is room for one entry, promised by Reserve.
type Slot struct {
	o    *Outbox
	done bool
}

// Reserve promises room for one Append, so a caller can commit to a reading
// (persist its sequence number) only when it will fit. Call Append or
// Release on the slot exactly once.
func (o *Outbox) Reserve() (*Slot, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.keys)+o.reserved >= o.capacity {
		return nil, fmt.Errorf("outbox reserve (%d entries, %d reserved): %w", len(o.keys), o.reserved, ErrFull)
	}
	o.reserved++
	return &Slot{o: o}, nil
}

// Append stores a reading in the reserved room; the slot is used up even if
// it fails.
func (s *Slot) Append(wire []byte) (uint64, error) {
	if s.done {
		return 0, errors.New("outbox slot already used")
	}
	s.done = true
	return s.o.append(wire, true)
}

// Release gives the room back unused. It is a no-op after Append.
func (s *Slot) Release() {
	if s.done {
		return
	}
	s.done = true
	s.o.mu.Lock()
	s.o.reserved--
	s.o.mu.Unlock()
}

func (o *Outbox) append(wire []byte, reserved bool) (uint64, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if reserved {
		o.reserved--
	} else if len(o.keys)+o.reserved >= o.capacity {
		return 0, fmt.Errorf("outbox append (%d entries, %d reserved): %w", len(o.keys), o.reserved, ErrFull)
	}
	r, err := reading.Decode(wire)
	if err != nil {
		return 0, fmt.Errorf("outbox append: %w", err)
	}
	key := o.next
	if err := atomicfile.Write(o.path(key), wire, 0o600); err != nil {
		return 0, fmt.Errorf("outbox append: %w", err)
	}
	o.next++
	o.keys = append(o.keys, key)
	o.entries[key] = Entry{Key: key, Device: r.DeviceID, Wire: slices.Clone(wire)}
	select {
	case o.notify <- struct{}{}:
	default:
	}
	return key, nil
}

// Remove deletes an entry (after the broker acknowledged it). Removing a
// key that is not there is not an error.
func (o *Outbox) Remove(key uint64) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.entries[key]; !ok {
		return nil
	}
	if err := os.Remove(o.path(key)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("outbox remove %d: %w", key, err)
	}
	delete(o.entries, key)
	i, found := slices.BinarySearch(o.keys, key)
	if found {
		if i == 0 {
			o.keys = o.keys[1:]
		} else {
			o.keys = slices.Delete(o.keys, i, i+1)
		}
	}
	return nil
}

// Next returns the first entry with a key greater than after.
func (o *Outbox) Next(after uint64) (Entry, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	i, found := slices.BinarySearch(o.keys, after)
	if found {
		i++
	}
	if i >= len(o.keys) {
		return Entry{}, false
	}
	return o.entries[o.keys[i]], true
}

// LastKey returns the largest key in the outbox, 0 if it is empty.
func (o *Outbox) LastKey() uint64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.keys) == 0 {
		return 0
	}
	return o.keys[len(o.keys)-1]
}

// Len returns the number of entries.
func (o *Outbox) Len() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.keys)
}

// Capacity returns the configured capacity.
func (o *Outbox) Capacity() int { return o.capacity }

// Full reports whether Append or Reserve would fail with ErrFull.
func (o *Outbox) Full() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.keys)+o.reserved >= o.capacity
}

// Notify returns a channel that receives a value after Append; a consumer
// calls Next until it reports nothing, then waits on Notify.
func (o *Outbox) Notify() <-chan struct{} { return o.notify }
