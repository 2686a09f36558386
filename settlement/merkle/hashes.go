package merkle

import "github.com/transparency-dev/merkle/rfc6962"

// RootOfHashes is the RFC 6962 root of a tree whose leaf hashes (LeafHash
// of each leaf's data, in tree order) are given: auditors use it to try
// roots of subsets of a list without hashing the leaves again.
func RootOfHashes(leafHashes [][]byte) []byte {
	h := rfc6962.DefaultHasher
	if len(leafHashes) == 0 {
		return h.EmptyRoot()
	}
	level := leafHashes
	for len(level) > 1 {
		next := make([][]byte, 0, (len(level)+1)/2)
		for i := 0; i+1 < len(level); i += 2 {
			next = append(next, h.HashChildren(level[i], level[i+1]))
		}
		if len(level)%2 == 1 {
			next = append(next, level[len(level)-1])
		}
		level = next
	}
	return level[0]
}
