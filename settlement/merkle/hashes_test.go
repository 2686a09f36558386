package merkle

import (
	"bytes"
	"fmt"
	"testing"
)

func TestRootOfHashes(t *testing.T) {
	for n := range 40 {
		var data, hashes [][]byte
		for i := range n {
			d := []byte(fmt.Sprintf("leaf-%d", i))
			data = append(data, d)
			hashes = append(hashes, LeafHash(d))
		}
		if got, want := RootOfHashes(hashes), Root(data); !bytes.Equal(got, want) {
			t.Errorf("%d leaves: got root %x, want %x", n, got, want)
		}
	}
}
