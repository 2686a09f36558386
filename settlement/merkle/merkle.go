// Package merkle builds the RFC 6962 Merkle tree the settlement service
// anchors on chain for each settlement interval, and proves and verifies
// that a stored reading is under an anchored root. Auditors import it to
// recompute roots from InfluxDB.
//
// Leaves are the wire bytes of the interval's signed readings
// (edge/reading), ordered by device id (bytewise ascending) and then by
// sequence number (ascending); see Sort. Hashing is RFC 6962 with SHA-256:
// leaf hash = SHA-256(0x00 || wire), node hash = SHA-256(0x01 || left ||
// right), the left subtree of n leaves holding the largest power of two
// smaller than n. Proofs are RFC 6962 audit paths, verified with
// github.com/transparency-dev/merkle.
package merkle

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// HashSize is the size of a root, a leaf hash and a proof node.
const HashSize = 32

// ErrIndex reports a leaf index outside the tree.
var ErrIndex = errors.New("leaf index out of range")

// Leaf is one reading under a root: its device, sequence number and wire
// bytes (the hashed content).
type Leaf struct {
	Device string
	Seq    uint64
	Wire   []byte
}

// Compare orders leaves by device id (bytewise), then seq; ties (which a
// store deduplicated on (device, seq) never has) by wire bytes, so the order
// is total.
func Compare(a, b Leaf) int {
	if c := cmp.Compare(a.Device, b.Device); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Seq, b.Seq); c != 0 {
		return c
	}
	return bytes.Compare(a.Wire, b.Wire)
}

// Sort puts leaves in tree order.
func Sort(leaves []Leaf) { slices.SortFunc(leaves, Compare) }

// LeafHash is the RFC 6962 hash of one leaf's data.
func LeafHash(data []byte) []byte { return rfc6962.DefaultHasher.HashLeaf(data) }

// Tree is an RFC 6962 tree over a fixed list of leaves, every level kept so
// roots and proofs cost no rehashing.
type Tree struct {
	// levels[0] are the leaf hashes; the last level holds the root.
	levels [][][]byte
}

// New builds the tree of data (in the order given; Sort first).
func New(data [][]byte) *Tree {
	h := rfc6962.DefaultHasher
	level := make([][]byte, len(data))
	for i, d := range data {
		level[i] = h.HashLeaf(d)
	}
	t := &Tree{levels: [][][]byte{level}}
	// Pairing left to right and carrying a lone last node up unchanged
	// gives exactly RFC 6962's split at the largest power of two.
	for len(level) > 1 {
		next := make([][]byte, 0, (len(level)+1)/2)
		for i := 0; i+1 < len(level); i += 2 {
			next = append(next, h.HashChildren(level[i], level[i+1]))
		}
		if len(level)%2 == 1 {
			next = append(next, level[len(level)-1])
		}
		t.levels = append(t.levels, next)
		level = next
	}
	return t
}

// FromLeaves sorts leaves into tree order and builds their tree.
func FromLeaves(leaves []Leaf) *Tree {
	Sort(leaves)
	data := make([][]byte, len(leaves))
	for i, l := range leaves {
		data[i] = l.Wire
	}
	return New(data)
}

// Size is the number of leaves.
func (t *Tree) Size() uint64 { return uint64(len(t.levels[0])) }

// Root is the tree's root hash; SHA-256 of the empty string for no leaves.
func (t *Tree) Root() []byte {
	if len(t.levels[0]) == 0 {
		return rfc6962.DefaultHasher.EmptyRoot()
	}
	return t.levels[len(t.levels)-1][0]
}

// Proof is the RFC 6962 audit path of leaf index, bottom up.
func (t *Tree) Proof(index uint64) ([][]byte, error) {
	if index >= t.Size() {
		return nil, fmt.Errorf("proof of leaf %d in a tree of %d: %w", index, t.Size(), ErrIndex)
	}
	var path [][]byte
	i := index
	for _, level := range t.levels[:len(t.levels)-1] {
		if sib := i ^ 1; sib < uint64(len(level)) {
			path = append(path, level[sib])
		}
		i >>= 1
	}
	return path, nil
}

// Root is the RFC 6962 root of data in the order given.
func Root(data [][]byte) []byte { return New(data).Root() }

// VerifyInclusion checks that data is leaf index of a tree of size leaves
// with the given root, by the audit path proof.
func VerifyInclusion(data []byte, index, size uint64, path [][]byte, root []byte) error {
	if err := proof.VerifyInclusion(rfc6962.DefaultHasher, index, size, LeafHash(data), path, root); err != nil {
		return fmt.Errorf("leaf %d of %d: %w", index, size, err)
	}
	return nil
}
