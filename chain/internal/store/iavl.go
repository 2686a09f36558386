package store

import (
	"errors"
	"fmt"

	dbm "github.com/cosmos/cosmos-db"
	"github.com/cosmos/iavl"
	idb "github.com/cosmos/iavl/db"
	ics23 "github.com/cosmos/ics23/go"
)

// ErrNotFound is returned by proofs for keys that hold no value.
var ErrNotFound = errors.New("key not found")

// Tree is the committed state: an IAVL tree whose root hash is the app hash.
// Reads and writes through its KV methods go to the working (uncommitted)
// version; Commit saves it. A broken store is fatal, so KV methods panic on
// database errors rather than return them.
type Tree struct {
	db   dbm.DB
	tree *iavl.MutableTree
}

var _ KV = (*Tree)(nil)

// OpenTree opens (or creates) the state tree in db and loads its latest
// version.
func OpenTree(db dbm.DB, cacheSize int) (*Tree, error) {
	t := iavl.NewMutableTree(idb.NewWrapper(db), cacheSize, true, iavl.NewNopLogger())
	if _, err := t.Load(); err != nil {
		return nil, fmt.Errorf("load state tree: %w", err)
	}
	return &Tree{db: db, tree: t}, nil
}

// NewMemTree returns a tree in memory, for tests and simulations.
func NewMemTree() *Tree {
	t, err := OpenTree(dbm.NewMemDB(), 10000)
	if err != nil {
		panic(err) // an empty memory database cannot fail to load
	}
	return t
}

// Close closes the underlying database.
func (t *Tree) Close() error { return t.db.Close() }

// Version is the last committed version (block height); 0 when empty.
func (t *Tree) Version() int64 { return t.tree.Version() }

// Hash is the root hash of the last committed version.
func (t *Tree) Hash() []byte { return t.tree.Hash() }

// WorkingHash is the root hash including uncommitted writes.
func (t *Tree) WorkingHash() []byte { return t.tree.WorkingHash() }

// Commit saves the working version and returns its hash and version.
func (t *Tree) Commit() ([]byte, int64, error) {
	hash, v, err := t.tree.SaveVersion()
	if err != nil {
		return nil, 0, fmt.Errorf("save state version: %w", err)
	}
	return hash, v, nil
}

// Rollback discards uncommitted writes.
func (t *Tree) Rollback() { t.tree.Rollback() }

// Get implements KV.
func (t *Tree) Get(key []byte) []byte {
	v, err := t.tree.Get(key)
	if err != nil {
		panic(fmt.Errorf("state store get: %w", err))
	}
	return v
}

// Has implements KV.
func (t *Tree) Has(key []byte) bool { return t.Get(key) != nil }

// Set implements KV.
func (t *Tree) Set(key, value []byte) {
	if value == nil {
		value = []byte{}
	}
	if _, err := t.tree.Set(key, value); err != nil {
		panic(fmt.Errorf("state store set: %w", err))
	}
}

// Delete implements KV.
func (t *Tree) Delete(key []byte) {
	if _, _, err := t.tree.Remove(key); err != nil {
		panic(fmt.Errorf("state store delete: %w", err))
	}
}

// Iterator implements KV over the working version.
func (t *Tree) Iterator(start, end []byte) Iterator {
	it, err := t.tree.Iterator(start, end, true)
	if err != nil {
		panic(fmt.Errorf("state store iterator: %w", err))
	}
	return it
}

// Snapshot returns a read-only view of a committed version.
func (t *Tree) Snapshot(version int64) (*Snapshot, error) {
	it, err := t.tree.GetImmutable(version)
	if err != nil {
		return nil, fmt.Errorf("load state version %d: %w", version, err)
	}
	return &Snapshot{tree: it}, nil
}

// Snapshot is a read-only committed version of the state. Writes panic.
type Snapshot struct {
	tree *iavl.ImmutableTree
}

var _ KV = (*Snapshot)(nil)

// Version is the snapshot's version (block height).
func (s *Snapshot) Version() int64 { return s.tree.Version() }

// Hash is the snapshot's root hash (the app hash after that height).
func (s *Snapshot) Hash() []byte { return s.tree.Hash() }

// Get implements KV.
func (s *Snapshot) Get(key []byte) []byte {
	v, err := s.tree.Get(key)
	if err != nil {
		panic(fmt.Errorf("state snapshot get: %w", err))
	}
	return v
}

// Has implements KV.
func (s *Snapshot) Has(key []byte) bool { return s.Get(key) != nil }

// Set panics: snapshots are read-only.
func (s *Snapshot) Set(_, _ []byte) { panic("store: write to a read-only snapshot") }

// Delete panics: snapshots are read-only.
func (s *Snapshot) Delete(_ []byte) { panic("store: write to a read-only snapshot") }

// Iterator implements KV.
func (s *Snapshot) Iterator(start, end []byte) Iterator {
	it, err := s.tree.Iterator(start, end, true)
	if err != nil {
		panic(fmt.Errorf("state snapshot iterator: %w", err))
	}
	return it
}

// Proof returns an ICS23 commitment proof that key holds its value in this
// version (existence) or holds none (non-existence).
func (s *Snapshot) Proof(key []byte) (*ics23.CommitmentProof, error) {
	has, err := s.tree.Has(key)
	if err != nil {
		return nil, fmt.Errorf("state snapshot has: %w", err)
	}
	if has {
		return s.tree.GetMembershipProof(key)
	}
	return s.tree.GetNonMembershipProof(key)
}

// VerifyProof checks an ICS23 proof produced by Snapshot.Proof against a root
// hash: with a value it proves membership, with a nil value absence.
func VerifyProof(root []byte, proof *ics23.CommitmentProof, key, value []byte) error {
	if value != nil {
		if !ics23.VerifyMembership(ics23.IavlSpec, root, proof, key, value) {
			return fmt.Errorf("membership proof of key %x does not verify against root %X", key, root)
		}
		return nil
	}
	if !ics23.VerifyNonMembership(ics23.IavlSpec, root, proof, key) {
		return fmt.Errorf("non-membership proof of key %x does not verify against root %X", key, root)
	}
	return nil
}
