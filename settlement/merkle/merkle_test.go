package merkle

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
)

// The RFC 6962 reference vectors (certificate-transparency's tree tests):
// the roots of the first n of eight leaves.
func TestRFC6962Vectors(t *testing.T) {
	leaves := [][]byte{
		{}, {0x00}, {0x10}, {0x20, 0x21}, {0x30, 0x31}, {0x40, 0x41, 0x42, 0x43},
		{0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57},
		{0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f},
	}
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
	if got, want := Root(nil), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"; hex.EncodeToString(got) != want {
		t.Errorf("empty root: got %x, want %s", got, want)
	}
	for n := 1; n <= len(leaves); n++ {
		if got := Root(leaves[:n]); hex.EncodeToString(got) != roots[n-1] {
			t.Errorf("root of %d leaves: got %x, want %s", n, got, roots[n-1])
		}
	}
	// Two audit paths of the reference tests: leaf 0 of 8 and leaf 5 of 8.
	tr := New(leaves)
	for _, c := range []struct {
		index uint64
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
		p, err := tr.Proof(c.index)
		if err != nil {
			t.Fatal(err)
		}
		if len(p) != len(c.path) {
			t.Fatalf("path of leaf %d: got %d nodes, want %d", c.index, len(p), len(c.path))
		}
		for i := range p {
			if hex.EncodeToString(p[i]) != c.path[i] {
				t.Errorf("path of leaf %d node %d: got %x, want %s", c.index, i, p[i], c.path[i])
			}
		}
	}
}

// Every leaf of every tree size up to 70 has a proof that verifies with
// transparency-dev/merkle, and the root equals its compact range's root.
func TestProofsAllSizes(t *testing.T) {
	rf := compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}
	for n := 1; n <= 70; n++ {
		data := make([][]byte, n)
		r := rf.NewEmptyRange(0)
		for i := range data {
			data[i] = []byte(fmt.Sprintf("leaf-%d", i))
			if err := r.Append(LeafHash(data[i]), nil); err != nil {
				t.Fatal(err)
			}
		}
		tr := New(data)
		want, err := r.GetRootHash(nil)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(tr.Root(), want) {
			t.Fatalf("size %d: root %x, compact range root %x", n, tr.Root(), want)
		}
		for i := range data {
			p, err := tr.Proof(uint64(i))
			if err != nil {
				t.Fatal(err)
			}
			if err := VerifyInclusion(data[i], uint64(i), uint64(n), p, tr.Root()); err != nil {
				t.Fatalf("size %d leaf %d: %v", n, i, err)
			}
			if err := VerifyInclusion([]byte("other"), uint64(i), uint64(n), p, tr.Root()); err == nil {
				t.Fatalf("size %d leaf %d: a different leaf verified", n, i)
			}
		}
		if _, err := tr.Proof(uint64(n)); err == nil {
			t.Fatalf("size %d: proof of leaf %d: got no error", n, n)
		}
	}
}

func TestLeafOrder(t *testing.T) {
	leaves := []Leaf{
		{Device: "inv-2", Seq: 1, Wire: []byte("c")},
		{Device: "inv-10", Seq: 7, Wire: []byte("b")},
		{Device: "inv-10", Seq: 3, Wire: []byte("a")},
		{Device: "ev-1", Seq: 9, Wire: []byte("d")},
	}
	tr := FromLeaves(leaves)
	var got []string
	for _, l := range leaves {
		got = append(got, fmt.Sprintf("%s/%d", l.Device, l.Seq))
	}
	want := "[ev-1/9 inv-10/3 inv-10/7 inv-2/1]"
	if fmt.Sprint(got) != want {
		t.Fatalf("order: got %v, want %s", got, want)
	}
	if !bytes.Equal(tr.Root(), Root([][]byte{[]byte("d"), []byte("a"), []byte("b"), []byte("c")})) {
		t.Fatal("FromLeaves root differs from the root of the sorted wires")
	}
}
