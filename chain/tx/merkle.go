package tx

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/citychain/citychain/settlement/merkle"
)

// Hash32 is a 32-byte digest (a SHA-256 sum, a Merkle root or node). In
// JSON and on the command line it is 64 lowercase hex characters.
type Hash32 [32]byte

// ParseHash32 parses 64 lowercase hex characters.
func ParseHash32(s string) (Hash32, error) {
	var h Hash32
	if len(s) != 2*len(h) {
		return h, fmt.Errorf("hash %q: want %d hex characters, got %d", s, 2*len(h), len(s))
	}
	if s != strings.ToLower(s) {
		return h, fmt.Errorf("hash %q: want lowercase hex", s)
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil {
		return h, fmt.Errorf("hash %q: %w", s, err)
	}
	return h, nil
}

// String returns the hash as lowercase hex.
func (h Hash32) String() string { return hex.EncodeToString(h[:]) }

// IsZero reports whether the hash is unset (all zero bytes).
func (h Hash32) IsZero() bool { return h == Hash32{} }

// MarshalJSON implements json.Marshaler.
func (h Hash32) MarshalJSON() ([]byte, error) { return json.Marshal(h.String()) }

// UnmarshalJSON implements json.Unmarshaler.
func (h *Hash32) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("hash: want a JSON string: %w", err)
	}
	v, err := ParseHash32(s)
	if err != nil {
		return err
	}
	*h = v
	return nil
}

// MaxMerkleCount is the largest number of leaves one on-chain anchor may
// commit to.
const MaxMerkleCount = 100_000

// The anchors of credentials and certificates are the RFC 6962 tree of
// settlement's interval anchors (settlement/merkle, verified with
// transparency-dev/merkle): leaf hash SHA-256(0x00 || leaf), node hash
// SHA-256(0x01 || left || right), the left subtree holding the largest
// power of two below n leaves.

// MerkleLeafHash is the RFC 6962 leaf hash SHA-256(0x00 || leaf).
func MerkleLeafHash(leaf []byte) Hash32 { return Hash32(merkle.LeafHash(leaf)) }

// MerkleRoot is the RFC 6962 Merkle tree hash (MTH) over SHA-256 of the raw
// leaves. An empty list has the root SHA-256 of the empty string.
func MerkleRoot(leaves [][]byte) Hash32 { return Hash32(merkle.Root(leaves)) }

// MerklePath is the RFC 6962 audit path of leaf index, ordered from the
// leaf's sibling up to the root's child. It is nil for an index outside
// [0, len(leaves)) and empty for a one-leaf tree. For many paths of one
// tree use MerklePaths, which builds the tree once.
func MerklePath(leaves [][]byte, index int) []Hash32 {
	if index < 0 || index >= len(leaves) {
		return nil
	}
	return treePath(merkle.New(leaves), uint64(index))
}

// MerklePaths returns the root and the audit path of every leaf
// (paths[i] == MerklePath(leaves, i)) in O(n log n) hashes, for issuing
// large batches. An empty list gives the empty root and no paths.
func MerklePaths(leaves [][]byte) (Hash32, [][]Hash32) {
	t := merkle.New(leaves)
	var paths [][]Hash32
	if len(leaves) > 0 {
		paths = make([][]Hash32, len(leaves))
		for i := range paths {
			paths[i] = treePath(t, uint64(i))
		}
	}
	return Hash32(t.Root()), paths
}

// treePath is the audit path of leaf i (< t.Size()) as hashes.
func treePath(t *merkle.Tree, i uint64) []Hash32 {
	p, err := t.Proof(i)
	if err != nil {
		panic(err) // i is below the tree's size
	}
	out := make([]Hash32, len(p))
	for j, h := range p {
		out[j] = Hash32(h)
	}
	return out
}

// VerifyMerklePath reports whether path proves that leaf (raw bytes) is at
// index in a tree of count leaves whose RFC 6962 root is root (RFC 9162
// section 2.1.3.2). A wrong leaf, index, count, path or root gives false;
// it never panics. The path authenticates the count only as far as it
// changes the path's shape (leaf 15 has the same path in trees of 17 and 18
// leaves): take count from the on-chain anchor, which binds it to the
// root, never from the presenter.
func VerifyMerklePath(root Hash32, leaf []byte, index, count uint64, path []Hash32) bool {
	p := make([][]byte, len(path))
	for i := range path {
		p[i] = path[i][:]
	}
	return merkle.VerifyInclusion(leaf, index, count, p, root[:]) == nil
}
