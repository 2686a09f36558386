package tx_test

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/citychain/citychain/chain/tx"
)

// rfcLeaves are the RFC 6962 reference leaves (certificate-transparency's
// tree tests).
var rfcLeaves = [][]byte{
	{}, {0x00}, {0x10}, {0x20, 0x21}, {0x30, 0x31}, {0x40, 0x41, 0x42, 0x43},
	{0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57},
	{0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f},
}

func mustHash(t *testing.T, s string) tx.Hash32 {
	t.Helper()
	h, err := tx.ParseHash32(s)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// The roots of the first n reference leaves and two reference audit paths.
func TestMerkleRFC6962Vectors(t *testing.T) {
	roots := []string{
		"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
		"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
		"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
		"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
		"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
		"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
		"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
		"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
	}
	if got, want := tx.MerkleRoot(nil).String(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"; got != want {
		t.Errorf("empty root: got %s, want %s", got, want)
	}
	for n := 1; n <= len(rfcLeaves); n++ {
		if got := tx.MerkleRoot(rfcLeaves[:n]).String(); got != roots[n-1] {
			t.Errorf("root of %d leaves: got %s, want %s", n, got, roots[n-1])
		}
	}
	for _, c := range []struct {
		index int
		path  []string
	}{
		{0, []string{
			"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
			"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
			"6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
		}},
		{5, []string{
			"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
			"ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
			"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
		}},
	} {
		p := tx.MerklePath(rfcLeaves, c.index)
		if len(p) != len(c.path) {
			t.Fatalf("path of leaf %d: got %d nodes, want %d", c.index, len(p), len(c.path))
		}
		for i := range p {
			if p[i] != mustHash(t, c.path[i]) {
				t.Errorf("path of leaf %d node %d: got %s, want %s", c.index, i, p[i], c.path[i])
			}
		}
		root := mustHash(t, roots[7])
		if !tx.VerifyMerklePath(root, rfcLeaves[c.index], uint64(c.index), 8, p) {
			t.Errorf("reference path of leaf %d does not verify", c.index)
		}
	}
	// A one-leaf tree: the root is the leaf hash and the path is empty.
	one := [][]byte{[]byte("only")}
	if p := tx.MerklePath(one, 0); p == nil || len(p) != 0 {
		t.Errorf("path in a one-leaf tree: got %v, want empty", p)
	}
	if !tx.VerifyMerklePath(tx.MerkleRoot(one), one[0], 0, 1, nil) {
		t.Error("one-leaf tree: empty path does not verify")
	}
	if tx.MerkleRoot(one) != tx.MerkleLeafHash(one[0]) {
		t.Error("one-leaf root is not the leaf hash")
	}
}

// pathShape is the side of each sibling of leaf i in a tree of n leaves
// (leaf-up): "L" when the sibling is on the left, "R" on the right.
func pathShape(i, n uint64) string {
	if n <= 1 {
		return ""
	}
	k := uint64(1)
	for k*2 < n {
		k *= 2
	}
	if i < k {
		return pathShape(i, k) + "R"
	}
	return pathShape(i-k, n-k) + "L"
}

func leavesOf(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		s := sha256.Sum256([]byte(fmt.Sprintf("leaf-%d", i)))
		out[i] = s[:]
	}
	return out
}

// Every index of trees of 1..17 leaves verifies (with our verifier and with
// transparency-dev/merkle), MerklePaths agrees with MerklePath, and a wrong
// index, leaf, count, path node, path length or root fails.
func TestMerklePathsAllSizes(t *testing.T) {
	for n := 1; n <= 17; n++ {
		leaves := leavesOf(n)
		root := tx.MerkleRoot(leaves)
		allRoot, all := tx.MerklePaths(leaves)
		if allRoot != root {
			t.Fatalf("n=%d: MerklePaths root %s, MerkleRoot %s", n, allRoot, root)
		}
		for i := 0; i < n; i++ {
			p := tx.MerklePath(leaves, i)
			if fmt.Sprint(p) != fmt.Sprint(all[i]) {
				t.Fatalf("n=%d i=%d: MerklePaths %v, MerklePath %v", n, i, all[i], p)
			}
			idx, cnt := uint64(i), uint64(n)
			if !tx.VerifyMerklePath(root, leaves[i], idx, cnt, p) {
				t.Fatalf("n=%d i=%d: path does not verify", n, i)
			}
			raw := make([][]byte, len(p))
			for j := range p {
				raw[j] = p[j][:]
			}
			lh := tx.MerkleLeafHash(leaves[i])
			if err := proof.VerifyInclusion(rfc6962.DefaultHasher, idx, cnt, lh[:], raw, root[:]); err != nil {
				t.Fatalf("n=%d i=%d: transparency-dev rejects the path: %v", n, i, err)
			}
			// Wrong index (every other index of the tree).
			for j := 0; j < n; j++ {
				if j != i && tx.VerifyMerklePath(root, leaves[i], uint64(j), cnt, p) {
					t.Errorf("n=%d i=%d: verifies at wrong index %d", n, i, j)
				}
			}
			// Index out of range.
			if tx.VerifyMerklePath(root, leaves[i], cnt, cnt, p) {
				t.Errorf("n=%d i=%d: verifies at index == count", n, i)
			}
			// Wrong leaf.
			if tx.VerifyMerklePath(root, leaves[(i+1)%n], idx, cnt, p) && n > 1 {
				t.Errorf("n=%d i=%d: verifies with another leaf", n, i)
			}
			bad := append([]byte(nil), leaves[i]...)
			bad[0] ^= 1
			if tx.VerifyMerklePath(root, bad, idx, cnt, p) {
				t.Errorf("n=%d i=%d: verifies with a flipped leaf bit", n, i)
			}
			// Wrong count (every other count up to 2n, and 0): it fails
			// whenever the path's shape differs. The count is bound by the
			// root, not by the path (leaf 15 has the same path in trees of
			// 17 and 18 leaves), so a verifier takes the count from the
			// on-chain anchor, never from the presenter.
			for c := uint64(0); c <= 2*cnt; c++ {
				if c == cnt {
					continue
				}
				same := c > idx && pathShape(idx, c) == pathShape(idx, cnt)
				if got := tx.VerifyMerklePath(root, leaves[i], idx, c, p); got != same {
					t.Errorf("n=%d i=%d count %d: verifies %v, want %v", n, i, c, got, same)
				}
			}
			// Wrong path: each node flipped, one node dropped, one added.
			for j := range p {
				q := append([]tx.Hash32(nil), p...)
				q[j][31] ^= 1
				if tx.VerifyMerklePath(root, leaves[i], idx, cnt, q) {
					t.Errorf("n=%d i=%d: verifies with node %d flipped", n, i, j)
				}
			}
			if len(p) > 0 && tx.VerifyMerklePath(root, leaves[i], idx, cnt, p[:len(p)-1]) {
				t.Errorf("n=%d i=%d: verifies with a short path", n, i)
			}
			if tx.VerifyMerklePath(root, leaves[i], idx, cnt, append(append([]tx.Hash32(nil), p...), root)) {
				t.Errorf("n=%d i=%d: verifies with an extra node", n, i)
			}
			// Wrong root.
			r2 := root
			r2[0] ^= 1
			if tx.VerifyMerklePath(r2, leaves[i], idx, cnt, p) {
				t.Errorf("n=%d i=%d: verifies against a wrong root", n, i)
			}
		}
		if tx.MerklePath(leaves, -1) != nil || tx.MerklePath(leaves, n) != nil {
			t.Errorf("n=%d: path of an out-of-range index is not nil", n)
		}
	}
}

// A large batch's paths (the 10,000-certificate case) come from
// MerklePaths quickly and verify.
func TestMerklePathsLarge(t *testing.T) {
	leaves := leavesOf(10_000)
	root, paths := tx.MerklePaths(leaves)
	if root != tx.MerkleRoot(leaves) {
		t.Fatal("root mismatch")
	}
	for _, i := range []int{0, 1, 4095, 8191, 8192, 9999} {
		if !tx.VerifyMerklePath(root, leaves[i], uint64(i), 10_000, paths[i]) {
			t.Errorf("leaf %d of 10000 does not verify", i)
		}
	}
}

func TestHash32JSON(t *testing.T) {
	h := sha256.Sum256([]byte("x"))
	b, err := json.Marshal(tx.Hash32(h))
	if err != nil {
		t.Fatal(err)
	}
	if want := `"2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"`; string(b) != want {
		t.Fatalf("JSON: got %s, want %s", b, want)
	}
	var back tx.Hash32
	if err := json.Unmarshal(b, &back); err != nil || back != tx.Hash32(h) {
		t.Fatalf("round trip: %v %s", err, back)
	}
	for _, c := range []struct{ in, want string }{
		{`"2D711642B726B04401627CA9FBAC32F5C8530FB1903CC4DB02258717921A4881"`, "lowercase"},
		{`"2d71"`, "want 64 hex characters, got 4"},
		{`"zz711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"`, "invalid byte"},
		{`12`, "want a JSON string"},
	} {
		err := json.Unmarshal([]byte(c.in), &back)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want error containing %q", c.in, err, c.want)
		}
	}
}
