// Package outbox is the edge agent's durable queue of signed readings, the
// source of truth for what still has to reach the broker.
//
// Layout: an append-only log split into segment files in one directory,
// each named by the key of its first record, 20 digits zero-padded
// ("00000000000000000042.seg"). A record is
//
//	len uint32 | key uint64 | wire [len]byte | crc uint32
//
// (little endian; crc is CRC-32C over len, key and wire). Keys only grow.
//
// Append writes the record to the active segment under the outbox mutex
// (a write(2), no fsync) and then waits for a group commit: one fsync covers
// every record written before it, concurrent appenders share it, and Append
// returns only once its record is durable. A new segment is started every
// segmentRecords records or segmentBytes bytes; the directory is fsync'd
// before any record of a new segment is reported durable.
//
// Remove marks a key acknowledged (after the broker's PUBACK) in memory; a
// segment file is deleted once every key in it is acknowledged and it is not
// the active one. Neither is fsync'd: after a crash acknowledged readings of
// undeleted segments come back and are published again (consumers
// deduplicate on device and seq).
//
// Open scans the segments in key order and checks every record's length,
// CRC, key order and reading encoding. Garbage after the last good record of
// a segment (a write torn by a crash; such records were never reported
// durable) is truncated away and logged. A segment with a bad record
// followed by good ones (corruption in the middle) is quarantined: its
// bytes as found go to "<name>.bad" and the segment is atomically replaced
// by its good records (before and after the damage), so none is lost; this
// is logged. One-file-per-reading entries of the previous layout
// ("<key>.rdg") are moved into a segment at Open. Open always starts a new
// active segment at the first Append.
//
// The outbox never drops an entry to make room: when it holds Capacity
// entries, Append fails with ErrFull.
//
// The outbox also remembers, per device, the reading with the highest
// sequence number and value it ever stored (Last), across segment
// deletions (file "last.json", rewritten before a segment is deleted when it
// changed), so the agent can restore the "never sign a value below the last
// signed one" floor after a crash.
package outbox

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/citychain/citychain/edge/atomicfile"
	"github.com/citychain/citychain/edge/reading"
)

const (
	segExt    = ".seg"
	badExt    = ".bad"
	legacyExt = ".rdg"
	lastFile  = "last.json"

	headerSize  = 4 + 8 // len, key
	trailerSize = 4     // crc
	// maxRecordWire bounds a record's length field; anything larger is
	// garbage.
	maxRecordWire = reading.MaxWireSize

	defaultSegmentRecords = 1000
	defaultSegmentBytes   = 256 << 10
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrFull means the outbox holds Capacity entries and refuses new ones.
var ErrFull = errors.New("outbox full")

// Entry is one queued reading.
type Entry struct {
	Key    uint64 // position in the outbox, strictly increasing
	Device string // device id (from the reading)
	Wire   []byte // signed reading, wire bytes
}

// segment is one log file.
type segment struct {
	first   uint64 // key in the name
	path    string
	records int   // records written (or loaded)
	size    int64 // bytes
	live    int   // records not yet acknowledged
	f       *os.File
	gone    bool // deleted (or being deleted)
}

type item struct {
	Entry
	seg *segment
}

// last is the highest sequence number and value of one device's readings
// the outbox has stored.
type last struct {
	Seq   uint64 `json:"seq"`
	Value uint64 `json:"value"`
	saved bool   // as in last.json
}

// Outbox is safe for concurrent use.
type Outbox struct {
	dir      string
	capacity int
	log      *slog.Logger

	segmentRecords int
	segmentBytes   int64

	mu       sync.Mutex
	keys     []uint64 // ascending
	entries  map[uint64]*item
	next     uint64
	reserved int // slots promised by Reserve
	notify   chan struct{}
	active   *segment
	written  uint64     // key of the last record written to a file
	unsynced []*segment // rotated segments whose file still needs fsync + close
	dirDirty bool       // a segment was created since the last directory fsync
	failed   error      // sticky: a write or fsync failed
	lasts    map[string]*last
	buf      []byte

	syncMu  sync.Mutex // one group commit at a time
	durable uint64     // every key <= durable is on disk (guarded by syncMu)

	gcMu sync.Mutex // serialises last.json writes and segment deletions
}

// Open opens (creating if needed) the outbox in dir. capacity must be > 0.
func Open(dir string, capacity int, logger *slog.Logger) (*Outbox, error) {
	if capacity <= 0 {
		return nil, fmt.Errorf("outbox capacity %d: want > 0", capacity)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open outbox %s: %w", dir, err)
	}
	o := &Outbox{
		dir: dir, capacity: capacity, log: logger,
		segmentRecords: defaultSegmentRecords, segmentBytes: defaultSegmentBytes,
		entries: map[uint64]*item{}, next: 1, notify: make(chan struct{}, 1), lasts: map[string]*last{},
	}
	if err := o.load(); err != nil {
		return nil, fmt.Errorf("open outbox %s: %w", dir, err)
	}
	return o, nil
}

// record is one decoded log record.
type record struct {
	key    uint64
	wire   []byte
	device string
	seq    uint64
	value  uint64
}

func (o *Outbox) load() error {
	des, err := os.ReadDir(o.dir)
	if err != nil {
		return err
	}
	if err := o.loadLast(); err != nil {
		return err
	}
	var segs, legacy []uint64
	for _, de := range des {
		name := de.Name()
		if strings.HasSuffix(name, atomicfile.TempSuffix) {
			os.Remove(filepath.Join(o.dir, name))
			continue
		}
		if !de.Type().IsRegular() {
			continue
		}
		stem := strings.TrimSuffix(name, badExt)
		var ext string
		switch {
		case strings.HasSuffix(stem, segExt):
			ext = segExt
		case strings.HasSuffix(stem, legacyExt):
			ext = legacyExt
		default:
			continue
		}
		stem = strings.TrimSuffix(stem, ext)
		key, err := strconv.ParseUint(stem, 10, 64)
		if err != nil || len(stem) != 20 || key == 0 {
			continue
		}
		// Keys continue above every key ever named, quarantined files too.
		o.next = max(o.next, key+1)
		switch {
		case strings.HasSuffix(name, badExt):
		case ext == segExt:
			segs = append(segs, key)
		default:
			legacy = append(legacy, key)
		}
	}
	slices.Sort(segs)
	slices.Sort(legacy)
	for _, first := range segs {
		if err := o.loadSegment(first); err != nil {
			return err
		}
	}
	var moved []record // entries of the one-file-per-reading layout
	for _, key := range legacy {
		if _, dup := o.entries[key]; dup {
			continue // moved into a segment before a crash; the file is removed below
		}
		p := filepath.Join(o.dir, fmt.Sprintf("%020d%s", key, legacyExt))
		wire, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("read %s: %w", p, err)
		}
		r, err := reading.Decode(wire)
		if err != nil {
			o.log.Error("outbox entry does not decode, moved aside", "file", p, "err", err)
			if err := os.Rename(p, p+badExt); err != nil {
				return fmt.Errorf("quarantine %s: %w", p, err)
			}
			continue
		}
		moved = append(moved, record{key: key, wire: wire, device: r.DeviceID, seq: r.Seq, value: r.Value})
	}
	if len(moved) > 0 {
		// Keys ascend (legacy is sorted) and the name is free: a segment
		// named by one of these keys would hold it, and it was skipped.
		p := o.segPath(moved[0].key)
		if err := o.writeSealed(p, moved); err != nil {
			return err
		}
		o.log.Info("outbox entries of the one-file-per-reading layout moved into a segment", "file", p, "entries", len(moved))
	}
	for _, key := range legacy {
		os.Remove(filepath.Join(o.dir, fmt.Sprintf("%020d%s", key, legacyExt)))
	}
	slices.Sort(o.keys)
	o.written = o.next - 1
	o.durable = o.written
	return nil
}

func (o *Outbox) segPath(first uint64) string {
	return filepath.Join(o.dir, fmt.Sprintf("%020d%s", first, segExt))
}

// loadSegment reads and indexes one segment at Open. It truncates a torn
// tail; a segment corrupt in the middle is copied to "<name>.bad" and then
// atomically replaced by its good records.
func (o *Outbox) loadSegment(first uint64) error {
	p := o.segPath(first)
	data, err := os.ReadFile(p)
	if err != nil {
		return fmt.Errorf("read %s: %w", p, err)
	}
	var recs []record
	off, prev := 0, first-1
	corrupt := false
	for off < len(data) {
		r, n, err := decodeAt(data[off:], prev)
		if err == nil {
			recs = append(recs, r)
			prev = r.key
			off += n
			continue
		}
		// Bad record at off. Is there any good record after it?
		at := resync(data, off+1, prev)
		if at < 0 {
			o.log.Warn("outbox segment has a torn tail, truncated", "file", p,
				"offset", off, "bytes", len(data)-off, "records", len(recs), "err", err)
			if err := truncate(p, int64(off)); err != nil {
				return err
			}
			data = data[:off]
			break
		}
		o.log.Error("outbox segment corrupt in the middle, quarantined to "+filepath.Base(p)+badExt+"; its good records are kept",
			"file", p, "offset", off, "skipped_bytes", at-off, "err", err)
		corrupt = true
		off = at
	}
	if corrupt {
		// Copy first, then replace: a crash in between finds the corrupt
		// segment again and redoes both.
		if err := atomicfile.Write(p+badExt, data, 0o600); err != nil {
			return fmt.Errorf("quarantine %s: %w", p, err)
		}
		if len(recs) > 0 {
			return o.writeSealed(p, recs)
		}
	}
	if len(recs) == 0 {
		if err := os.Remove(p); err != nil {
			return fmt.Errorf("remove empty segment %s: %w", p, err)
		}
		return nil
	}
	seg := &segment{first: first, path: p, records: len(recs), size: int64(len(data))}
	for _, r := range recs {
		o.addLoaded(r, seg)
	}
	return nil
}

// addLoaded indexes a record read from (or rewritten to) seg.
func (o *Outbox) addLoaded(r record, seg *segment) {
	if _, dup := o.entries[r.key]; dup {
		return
	}
	o.keys = append(o.keys, r.key)
	o.entries[r.key] = &item{Entry: Entry{Key: r.key, Device: r.device, Wire: r.wire}, seg: seg}
	seg.live++
	o.next = max(o.next, r.key+1)
	o.noteLast(r.device, r.seq, r.value)
}

func (o *Outbox) noteLast(device string, seq, value uint64) {
	l := o.lasts[device]
	if l == nil {
		l = &last{}
		o.lasts[device] = l
	}
	if seq > l.Seq || value > l.Value {
		l.Seq, l.Value, l.saved = max(seq, l.Seq), max(value, l.Value), false
	}
}

// decodeAt decodes the record at the start of b; prev is the key of the
// record before it (keys strictly increase). It returns the record and its
// size.
func decodeAt(b []byte, prev uint64) (record, int, error) {
	if len(b) < headerSize+trailerSize {
		return record{}, 0, errors.New("short record header")
	}
	n := binary.LittleEndian.Uint32(b)
	if n < reading.MinWireSize || n > maxRecordWire {
		return record{}, 0, fmt.Errorf("record length %d out of range", n)
	}
	size := headerSize + int(n) + trailerSize
	if len(b) < size {
		return record{}, 0, fmt.Errorf("record of %d bytes, %d left", size, len(b))
	}
	if got, want := crc32.Checksum(b[:size-trailerSize], castagnoli), binary.LittleEndian.Uint32(b[size-trailerSize:]); got != want {
		return record{}, 0, fmt.Errorf("record crc %08x, want %08x", got, want)
	}
	key := binary.LittleEndian.Uint64(b[4:])
	if key <= prev {
		return record{}, 0, fmt.Errorf("record key %d after %d", key, prev)
	}
	wire := b[headerSize : size-trailerSize]
	r, err := reading.Decode(wire)
	if err != nil {
		return record{}, 0, fmt.Errorf("record %d: %w", key, err)
	}
	return record{key: key, wire: slices.Clip(wire), device: r.DeviceID, seq: r.Seq, value: r.Value}, size, nil
}

// resync returns the offset of the first good record at or after from, or -1.
func resync(data []byte, from int, prev uint64) int {
	for at := from; at+headerSize+trailerSize <= len(data); at++ {
		if _, _, err := decodeAt(data[at:], prev); err == nil {
			return at
		}
	}
	return -1
}

func truncate(p string, size int64) error {
	f, err := os.OpenFile(p, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("truncate %s: %w", p, err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		return fmt.Errorf("truncate %s: %w", p, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("truncate %s: fsync: %w", p, err)
	}
	return nil
}

func appendRecord(buf []byte, key uint64, wire []byte) []byte {
	start := len(buf)
	buf = binary.LittleEndian.AppendUint32(buf, uint32(len(wire)))
	buf = binary.LittleEndian.AppendUint64(buf, key)
	buf = append(buf, wire...)
	return binary.LittleEndian.AppendUint32(buf, crc32.Checksum(buf[start:], castagnoli))
}

// writeSealed atomically writes records (ascending keys, at Open) as the
// segment file p, and indexes them.
func (o *Outbox) writeSealed(p string, recs []record) error {
	var buf []byte
	for _, r := range recs {
		buf = appendRecord(buf, r.key, r.wire)
	}
	if err := atomicfile.Write(p, buf, 0o600); err != nil {
		return fmt.Errorf("write records to %s: %w", p, err)
	}
	seg := &segment{first: recs[0].key, path: p, records: len(recs), size: int64(len(buf))}
	for _, r := range recs {
		o.addLoaded(r, seg)
	}
	return nil
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
	r, err := reading.Decode(wire)
	if err != nil {
		if reserved {
			o.mu.Lock()
			o.reserved--
			o.mu.Unlock()
		}
		return 0, fmt.Errorf("outbox append: %w", err)
	}
	o.mu.Lock()
	if reserved {
		o.reserved--
	} else if len(o.keys)+o.reserved >= o.capacity {
		o.mu.Unlock()
		return 0, fmt.Errorf("outbox append (%d entries, %d reserved): %w", len(o.keys), o.reserved, ErrFull)
	}
	key, sealed, err := o.write(wire)
	if err != nil {
		o.mu.Unlock()
		return 0, fmt.Errorf("outbox append: %w", err)
	}
	it := &item{Entry: Entry{Key: key, Device: r.DeviceID, Wire: slices.Clone(wire)}, seg: o.active}
	o.keys = append(o.keys, key)
	o.entries[key] = it
	o.active.live++
	o.noteLast(r.DeviceID, r.Seq, r.Value)
	o.mu.Unlock()
	if sealed != nil {
		if err := o.collect(sealed); err != nil {
			o.log.Warn("acknowledged segment not deleted; its readings will be sent again after a restart", "err", err)
		}
	}
	if err := o.sync(key); err != nil {
		return 0, fmt.Errorf("outbox append: %w", err)
	}
	select {
	case o.notify <- struct{}{}:
	default:
	}
	return key, nil
}

// write appends one record to the active segment, starting a new segment
// when needed; call with mu held. sealed is a rotated-out segment whose
// records are all acknowledged already (the caller deletes it).
func (o *Outbox) write(wire []byte) (key uint64, sealed *segment, err error) {
	if o.failed != nil {
		return 0, nil, o.failed
	}
	key = o.next
	if a := o.active; a == nil || a.records >= o.segmentRecords || a.size >= o.segmentBytes {
		p := o.segPath(key)
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
		if err != nil {
			return 0, nil, fmt.Errorf("new segment: %w", err)
		}
		if a != nil {
			o.unsynced = append(o.unsynced, a)
			if a.live == 0 {
				sealed = a
			}
		}
		o.active = &segment{first: key, path: p, f: f}
		o.dirDirty = true
	}
	a := o.active
	o.buf = appendRecord(o.buf[:0], key, wire)
	if _, err := a.f.Write(o.buf); err != nil {
		// The file may now hold part of a record: no later record may
		// follow it, and Open will truncate it.
		o.failed = fmt.Errorf("outbox write failed earlier: %w", err)
		return 0, nil, fmt.Errorf("write %s: %w", a.path, err)
	}
	a.records++
	a.size += int64(len(o.buf))
	o.next++
	o.written = key
	return key, sealed, nil
}

// sync returns once the record with key is durable: it waits for the group
// commit in progress, and if that did not cover key, runs one that covers
// every record written so far.
func (o *Outbox) sync(key uint64) error {
	o.syncMu.Lock()
	defer o.syncMu.Unlock()
	if o.durable >= key {
		return nil
	}
	o.mu.Lock()
	if o.failed != nil {
		err := o.failed
		o.mu.Unlock()
		return err
	}
	upTo, active, rotated, dirDirty := o.written, o.active, o.unsynced, o.dirDirty
	o.unsynced, o.dirDirty = nil, false
	o.mu.Unlock()
	var err error
	for _, s := range rotated {
		if e := s.f.Sync(); e != nil && err == nil {
			err = fmt.Errorf("fsync %s: %w", s.path, e)
		}
		s.f.Close()
	}
	if e := active.f.Sync(); e != nil && err == nil {
		err = fmt.Errorf("fsync %s: %w", active.path, e)
	}
	if dirDirty && err == nil {
		err = atomicfile.SyncDir(o.dir)
	}
	if err != nil {
		// After a failed fsync the kernel may have dropped the data: stop
		// taking readings rather than claim durability.
		o.mu.Lock()
		o.failed = fmt.Errorf("outbox fsync failed earlier: %w", err)
		o.mu.Unlock()
		return err
	}
	o.durable = upTo
	return nil
}

// Remove marks an entry acknowledged by the broker; its segment file is
// deleted once all of its entries are acknowledged and it is no longer the
// active segment. Removing a key that is not there is not an error.
func (o *Outbox) Remove(key uint64) error {
	o.mu.Lock()
	it, ok := o.entries[key]
	if !ok {
		o.mu.Unlock()
		return nil
	}
	delete(o.entries, key)
	if i, found := slices.BinarySearch(o.keys, key); found {
		if i == 0 {
			o.keys = o.keys[1:]
		} else {
			o.keys = slices.Delete(o.keys, i, i+1)
		}
	}
	seg := it.seg
	seg.live--
	done := seg.live == 0 && seg != o.active
	o.mu.Unlock()
	if done {
		return o.collect(seg)
	}
	return nil
}

// collect deletes a sealed segment whose records are all acknowledged,
// first saving the per-device last readings it holds.
func (o *Outbox) collect(seg *segment) error {
	o.gcMu.Lock()
	defer o.gcMu.Unlock()
	o.mu.Lock()
	if seg.gone {
		o.mu.Unlock()
		return nil
	}
	seg.gone = true
	// The segment may hold a device's highest reading: save them all
	// first (one small file per deleted segment at most).
	var snapshot map[string]last
	for _, l := range o.lasts {
		if !l.saved {
			snapshot = map[string]last{}
			break
		}
	}
	var marked []*last
	if snapshot != nil {
		for dev, l := range o.lasts {
			snapshot[dev] = *l
			if !l.saved {
				l.saved = true
				marked = append(marked, l)
			}
		}
	}
	o.mu.Unlock()
	if snapshot != nil {
		if err := o.saveLast(snapshot); err != nil {
			o.mu.Lock()
			seg.gone = false
			for _, l := range marked {
				l.saved = false
			}
			o.mu.Unlock()
			return fmt.Errorf("outbox: delete segment %s: %w", seg.path, err)
		}
	}
	if err := os.Remove(seg.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("outbox: delete segment: %w", err)
	}
	return nil
}

func (o *Outbox) saveLast(m map[string]last) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(o.dir, lastFile), append(b, '\n'), 0o600)
}

func (o *Outbox) loadLast() error {
	p := filepath.Join(o.dir, lastFile)
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var m map[string]last
	if err := json.Unmarshal(b, &m); err != nil {
		o.log.Error("outbox last-reading file does not decode, ignored", "file", p, "err", err)
		return nil
	}
	for dev, l := range m {
		o.lasts[dev] = &last{Seq: l.Seq, Value: l.Value, saved: true}
	}
	return nil
}

// Last returns the sequence number and value of the reading of device with
// the highest sequence number the outbox has ever stored (kept across
// acknowledgements and restarts), ok = false if it has none.
func (o *Outbox) Last(device string) (seq, value uint64, ok bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	l := o.lasts[device]
	if l == nil {
		return 0, 0, false
	}
	return l.Seq, l.Value, true
}

// Close syncs and closes the segment files. The outbox must not be used
// afterwards. Not closing it (a crash) loses nothing Append reported
// durable.
func (o *Outbox) Close() error {
	o.syncMu.Lock()
	defer o.syncMu.Unlock()
	o.mu.Lock()
	defer o.mu.Unlock()
	var err error
	for _, s := range append(o.unsynced, o.active) {
		if s == nil {
			continue
		}
		if e := s.f.Sync(); e != nil && err == nil {
			err = e
		}
		if e := s.f.Close(); e != nil && err == nil {
			err = e
		}
	}
	o.unsynced, o.active = nil, nil
	if o.failed == nil {
		o.failed = errors.New("outbox closed")
	}
	return err
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
	return o.entries[o.keys[i]].Entry, true
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
