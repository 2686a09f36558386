package tx

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/bits"
	"strings"
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

// MerkleLeafHash is the RFC 6962 leaf hash SHA-256(0x00 || leaf).
func MerkleLeafHash(leaf []byte) Hash32 {
	h := sha256.New()
	h.Write([]byte{0x00})
	h.Write(leaf)
	var out Hash32
	h.Sum(out[:0])
	return out
}

// merkleNode is the RFC 6962 interior node hash SHA-256(0x01 || l || r).
func merkleNode(l, r Hash32) Hash32 {
	var buf [65]byte
	buf[0] = 0x01
	copy(buf[1:33], l[:])
	copy(buf[33:], r[:])
	return sha256.Sum256(buf[:])
}

// merkleSplit is the largest power of two strictly below n (n >= 2).
func merkleSplit(n int) int {
	return 1 << (bits.Len(uint(n-1)) - 1)
}

// MerkleRoot is the RFC 6962 Merkle tree hash (MTH) over SHA-256 of the raw
// leaves. An empty list has the root SHA-256 of the empty string.
func MerkleRoot(leaves [][]byte) Hash32 {
	if len(leaves) == 0 {
		return sha256.Sum256(nil)
	}
	return merkleSubtree(leaves)
}

func merkleSubtree(leaves [][]byte) Hash32 {
	if len(leaves) == 1 {
		return MerkleLeafHash(leaves[0])
	}
	k := merkleSplit(len(leaves))
	return merkleNode(merkleSubtree(leaves[:k]), merkleSubtree(leaves[k:]))
}

// MerklePath is the RFC 6962 audit path of leaf index, ordered from the
// leaf's sibling up to the root's child. It is nil for an index outside
// [0, len(leaves)) and empty for a one-leaf tree. For many paths of one
// tree use MerklePaths, which is O(n log n) overall.
func MerklePath(leaves [][]byte, index int) []Hash32 {
	if index < 0 || index >= len(leaves) {
		return nil
	}
	path := []Hash32{}
	for len(leaves) > 1 {
		k := merkleSplit(len(leaves))
		if index < k {
			path = append(path, merkleSubtree(leaves[k:]))
			leaves = leaves[:k]
		} else {
			path = append(path, merkleSubtree(leaves[:k]))
			leaves = leaves[k:]
			index -= k
		}
	}
	// Built root-down; the wire order is leaf-up.
	for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
		path[i], path[j] = path[j], path[i]
	}
	return path
}

// MerklePaths returns the root and the audit path of every leaf
// (paths[i] == MerklePath(leaves, i)) in O(n log n) hashes, for issuing
// large batches. An empty list gives the empty root and no paths.
func MerklePaths(leaves [][]byte) (Hash32, [][]Hash32) {
	if len(leaves) == 0 {
		return MerkleRoot(nil), nil
	}
	paths := make([][]Hash32, len(leaves))
	depth := bits.Len(uint(len(leaves) - 1))
	for i := range paths {
		paths[i] = make([]Hash32, 0, depth)
	}
	root := merklePathsRec(leaves, paths)
	return root, paths
}

// merklePathsRec returns the subtree hash of leaves and appends to each
// paths[i] the siblings within the subtree (leaf-up order, because the
// recursion fills deeper levels first).
func merklePathsRec(leaves [][]byte, paths [][]Hash32) Hash32 {
	if len(leaves) == 1 {
		return MerkleLeafHash(leaves[0])
	}
	k := merkleSplit(len(leaves))
	l := merklePathsRec(leaves[:k], paths[:k])
	r := merklePathsRec(leaves[k:], paths[k:])
	for i := range paths[:k] {
		paths[i] = append(paths[i], r)
	}
	for i := k; i < len(paths); i++ {
		paths[i] = append(paths[i], l)
	}
	return merkleNode(l, r)
}

// VerifyMerklePath reports whether path proves that leaf (raw bytes) is at
// index in a tree of count leaves whose RFC 6962 root is root (the
// algorithm of RFC 9162 section 2.1.3.2). A wrong leaf, index, count, path
// or root gives false; it never panics. The path authenticates the count
// only as far as it changes the path's shape (leaf 15 has the same path in
// trees of 17 and 18 leaves): take count from the on-chain anchor, which
// binds it to the root, never from the presenter.
func VerifyMerklePath(root Hash32, leaf []byte, index, count uint64, path []Hash32) bool {
	if count == 0 || index >= count || len(path) > 64 {
		return false
	}
	fn, sn := index, count-1
	r := MerkleLeafHash(leaf)
	for _, p := range path {
		if sn == 0 {
			return false
		}
		if fn&1 == 1 || fn == sn {
			r = merkleNode(p, r)
			for fn&1 == 0 && fn != 0 {
				fn >>= 1
				sn >>= 1
			}
		} else {
			r = merkleNode(r, p)
		}
		fn >>= 1
		sn >>= 1
	}
	return sn == 0 && r == root
}
