package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/edge/atomicfile"
)

// SnapshotFormat is the format tag of a snapshot file.
const SnapshotFormat = "citychain-snapshot/1"

// DefaultMaxAge is how old a snapshot's state may be, against the reader's
// clock, before checks against it are refused (snapshot_too_old): a
// suspension or revocation reaches an offline reader within this bound.
const DefaultMaxAge = 24 * time.Hour

// Snapshot is the chain state an offline reader or verifier checks
// against: at one height, the full bitstrings of the status lists it
// needs, every accreditation, credentials anchor and verifier, and the
// records and bars of its facilities. Certificates are not in it: their
// verdict needs their own revocation proven absent, which only the chain
// (Online) answers. `citychain verify snapshot` writes it
// (FetchSnapshot); a reader loads it with LoadSnapshot. A read it cannot
// answer (a list or facility it was not fetched with) is an error wrapping
// ErrNotInSnapshot; a state older than MaxAge is refused.
type Snapshot struct {
	Format string `json:"format"`
	// At is the chain state the snapshot holds.
	At Head `json:"head"`
	// Proven says every record was proven, when fetched, against a header
	// the light client verified from the fetcher's trust root.
	Proven bool `json:"proven"`
	// TrustRoot names that trust root (empty when not proven).
	TrustRoot string `json:"trust_root,omitempty"`

	Lists             []SnapshotList        `json:"lists"`
	Accreditations    []tx.Accreditation    `json:"accreditations"`
	CredentialAnchors []tx.CredentialAnchor `json:"credential_anchors"`
	Verifiers         []tx.Verifier         `json:"verifiers"`
	Facilities        []SnapshotFacility    `json:"facilities"`

	// MaxAge bounds the age of the state at the reader's clock
	// (0: DefaultMaxAge). Not stored: the reader sets it.
	MaxAge time.Duration `json:"-"`

	lists     map[string]*SnapshotList
	accs      map[accKey]*tx.Accreditation
	anchors   map[uint64]*tx.CredentialAnchor
	verifiers map[string]*tx.Verifier
	facs      map[string]*SnapshotFacility
	bars      map[barKey]*tx.Bar
}

// SnapshotList is a status list's metadata and its whole bitstring
// (Size/8 bytes, base64 in JSON).
type SnapshotList struct {
	tx.StatusList
	Bits []byte `json:"bits"`
}

// SnapshotFacility is a facility's record and every bar set on it.
type SnapshotFacility struct {
	tx.Facility
	Bars []tx.Bar `json:"bars"`
}

type accKey struct {
	issuer tx.Address
	schema string
}

type barKey struct {
	facility  string
	pseudonym tx.Hash32
}

var _ Source = (*Snapshot)(nil)

// LoadSnapshot reads a snapshot file and checks it (Index). maxAge bounds
// the age of its state at the reader's clock (0: DefaultMaxAge); the
// bound is checked at each read of its Head, so a long-running reader
// refuses once its snapshot ages past it.
func LoadSnapshot(path string, maxAge time.Duration) (*Snapshot, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	var s Snapshot
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", path, err)
	}
	if err := s.Index(); err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", path, err)
	}
	s.MaxAge = maxAge
	return &s, nil
}

// Save writes the snapshot to path (mode 0644, atomically).
func (s *Snapshot) Save(path string) error {
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	if err := atomicfile.Write(path, b, 0o644); err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	return nil
}

// Index checks the snapshot's shape and builds its lookups; LoadSnapshot
// calls it, and whoever builds a Snapshot in memory must.
func (s *Snapshot) Index() error {
	if s.Format != SnapshotFormat {
		return fmt.Errorf("format %q, want %q", s.Format, SnapshotFormat)
	}
	if s.At.ChainID == "" || s.At.Height <= 0 || s.At.Time.IsZero() {
		return fmt.Errorf("head: chain %q height %d time %s: want all three", s.At.ChainID, s.At.Height, s.At.Time)
	}
	s.lists = make(map[string]*SnapshotList, len(s.Lists))
	for i := range s.Lists {
		l := &s.Lists[i]
		if uint64(len(l.Bits))*8 != uint64(l.Size) {
			return fmt.Errorf("list %q: %d bytes of bits for %d entries, want %d", l.ID, len(l.Bits), l.Size, l.Size/8)
		}
		s.lists[l.ID] = l
	}
	s.accs = make(map[accKey]*tx.Accreditation, len(s.Accreditations))
	for i := range s.Accreditations {
		a := &s.Accreditations[i]
		s.accs[accKey{a.Issuer, a.Schema}] = a
	}
	s.anchors = make(map[uint64]*tx.CredentialAnchor, len(s.CredentialAnchors))
	for i := range s.CredentialAnchors {
		s.anchors[s.CredentialAnchors[i].ID] = &s.CredentialAnchors[i]
	}
	s.verifiers = make(map[string]*tx.Verifier, len(s.Verifiers))
	for i := range s.Verifiers {
		s.verifiers[s.Verifiers[i].ID] = &s.Verifiers[i]
	}
	s.facs = make(map[string]*SnapshotFacility, len(s.Facilities))
	s.bars = map[barKey]*tx.Bar{}
	for i := range s.Facilities {
		f := &s.Facilities[i]
		s.facs[f.ID] = f
		for j := range f.Bars {
			s.bars[barKey{f.ID, f.Bars[j].Pseudonym}] = &f.Bars[j]
		}
	}
	return nil
}

// Head is the snapshot's state, or a *StaleError when it is older than
// MaxAge at now.
func (s *Snapshot) Head(_ context.Context, now time.Time) (Head, error) {
	maxAge := s.MaxAge
	if maxAge == 0 {
		maxAge = DefaultMaxAge
	}
	return s.At, checkAge(s.At, now, maxAge)
}

// Accreditation implements Source.
func (s *Snapshot) Accreditation(_ context.Context, issuer tx.Address, schema string) (*tx.Accreditation, error) {
	return s.accs[accKey{issuer, schema}], nil
}

// CredentialAnchor implements Source.
func (s *Snapshot) CredentialAnchor(_ context.Context, id uint64) (*tx.CredentialAnchor, error) {
	return s.anchors[id], nil
}

// StatusList implements Source; a list the snapshot was not fetched with
// is an error (it may exist on the chain).
func (s *Snapshot) StatusList(_ context.Context, list string) (*tx.StatusList, error) {
	l, ok := s.lists[list]
	if !ok {
		return nil, fmt.Errorf("%w: status list %q (fetch the snapshot with it)", ErrNotInSnapshot, list)
	}
	return &l.StatusList, nil
}

// StatusBit implements Source.
func (s *Snapshot) StatusBit(_ context.Context, list string, idx uint32) (bool, error) {
	l, ok := s.lists[list]
	if !ok {
		return false, fmt.Errorf("%w: status list %q (fetch the snapshot with it)", ErrNotInSnapshot, list)
	}
	_, _, mask := tx.StatusBit(idx)
	off := int(idx / 8) // the bitstring is whole: bit idx is in byte idx/8
	return off < len(l.Bits) && l.Bits[off]&mask != 0, nil
}

// Verifier implements Source.
func (s *Snapshot) Verifier(_ context.Context, id string) (*tx.Verifier, error) {
	return s.verifiers[id], nil
}

// Facility implements Source; a facility the snapshot was not fetched
// with is an error.
func (s *Snapshot) Facility(_ context.Context, id string) (*tx.Facility, error) {
	f, ok := s.facs[id]
	if !ok {
		return nil, fmt.Errorf("%w: facility %q (fetch the snapshot with --facility %s)", ErrNotInSnapshot, id, id)
	}
	return &f.Facility, nil
}

// Bar implements Source.
func (s *Snapshot) Bar(_ context.Context, facility string, pseudonym tx.Hash32) (*tx.Bar, error) {
	if _, ok := s.facs[facility]; !ok {
		return nil, fmt.Errorf("%w: bars of facility %q", ErrNotInSnapshot, facility)
	}
	return s.bars[barKey{facility, pseudonym}], nil
}

// errNoCertificates: a certificate's verdict needs its own revocation
// proven absent, which a snapshot cannot hold (the chain lists no
// revocations); certificates are checked online.
var errNoCertificates = fmt.Errorf("%w: certificates are checked online (a snapshot cannot prove a revocation absent)", ErrNotInSnapshot)

// CertificateAnchor implements Source: always errNoCertificates.
func (s *Snapshot) CertificateAnchor(context.Context, uint64) (*tx.CertificateAnchor, error) {
	return nil, errNoCertificates
}

// Agency implements Source: always errNoCertificates.
func (s *Snapshot) Agency(context.Context, tx.Address) (*tx.Agency, error) {
	return nil, errNoCertificates
}

// AgencyKey implements Source: always errNoCertificates.
func (s *Snapshot) AgencyKey(context.Context, tx.PubKey) (*tx.AgencyKey, error) {
	return nil, errNoCertificates
}

// Revocation implements Source: always errNoCertificates.
func (s *Snapshot) Revocation(context.Context, tx.Hash32) (*tx.Revocation, error) {
	return nil, errNoCertificates
}
