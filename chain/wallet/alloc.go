package wallet

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"os"

	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/edge/atomicfile"
)

// Allocator hands out an issuer's status list indices: a bitmap file (one
// bit per index, bit i = bit 7-i%8 of byte i/8, like the list itself) of
// the indices already given to a copy. Each index is chosen uniformly at
// random among the free ones with crypto/rand, never sequentially, so an
// index says nothing about when or to whom a copy was issued, and
// neighbouring bits of the list belong to unrelated holders. One issuer
// process owns a file at a time.
type Allocator struct {
	path string
	size uint32
	bits []byte
	used uint32
}

// OpenAllocator opens the bitmap file of a status list of size bits
// (tx.ValidateStatusListSize), creating an empty one when path does not
// exist. An existing file must be exactly size/8 bytes.
func OpenAllocator(path string, size uint32) (*Allocator, error) {
	if err := tx.ValidateStatusListSize(size); err != nil {
		return nil, err
	}
	a := &Allocator{path: path, size: size}
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		a.bits = make([]byte, size/8)
		if err := atomicfile.Write(path, a.bits, 0o600); err != nil {
			return nil, err
		}
		return a, nil
	case err != nil:
		return nil, fmt.Errorf("allocator: %w", err)
	}
	if uint64(len(b))*8 != uint64(size) {
		return nil, fmt.Errorf("allocator %s: %d bytes = %d indices, want a list of size %d", path, len(b), len(b)*8, size)
	}
	a.bits = b
	for _, x := range b {
		a.used += uint32(bits.OnesCount8(x))
	}
	return a, nil
}

// Size is the list's size in bits.
func (a *Allocator) Size() uint32 { return a.size }

// Used is how many indices were handed out.
func (a *Allocator) Used() uint32 { return a.used }

// Allocated reports whether idx was handed out.
func (a *Allocator) Allocated(idx uint32) bool {
	return idx < a.size && a.bits[idx/8]&(0x80>>(idx%8)) != 0
}

func (a *Allocator) set(idx uint32) { a.bits[idx/8] |= 0x80 >> (idx % 8) }

// Allocate hands out n distinct free indices, each uniform among the free
// ones (crypto/rand), and writes the bitmap (atomically) before
// returning them: an index returned is never returned again, even after
// a crash. It fails, allocating nothing, when fewer than n are free.
func (a *Allocator) Allocate(n int) ([]uint32, error) {
	if n <= 0 {
		return nil, fmt.Errorf("allocate: %d indices, want at least 1", n)
	}
	if uint64(n) > uint64(a.size-a.used) {
		return nil, fmt.Errorf("allocate: %d indices wanted, %d free of %d in %s: create a new status list", n, a.size-a.used, a.size, a.path)
	}
	old := append([]byte(nil), a.bits...)
	out := make([]uint32, 0, n)
	for range n {
		idx, err := a.pick(rand.Reader)
		if err != nil {
			a.bits = old
			return nil, err
		}
		a.set(idx)
		out = append(out, idx)
	}
	if err := atomicfile.Write(a.path, a.bits, 0o600); err != nil {
		a.bits = old
		return nil, err
	}
	a.used += uint32(n)
	return out, nil
}

// pick chooses one free index uniformly at random: rejection sampling
// while the bitmap is sparse, else the r-th free index for a uniform r.
func (a *Allocator) pick(r io.Reader) (uint32, error) {
	for range 64 {
		idx, err := uniform(r, a.size)
		if err != nil {
			return 0, err
		}
		if !a.Allocated(idx) {
			return idx, nil
		}
	}
	rank, err := uniform(r, a.size-a.setCount())
	if err != nil {
		return 0, err
	}
	for i, x := range a.bits {
		f := uint32(8 - bits.OnesCount8(x))
		if rank >= f {
			rank -= f
			continue
		}
		for b := range uint32(8) {
			if x&(0x80>>b) == 0 {
				if rank == 0 {
					return uint32(i)*8 + b, nil
				}
				rank--
			}
		}
	}
	return 0, errors.New("allocate: no free index (bitmap inconsistent)")
}

// setCount is how many bits are set (a.used plus those set by an
// Allocate in progress).
func (a *Allocator) setCount() uint32 {
	var n uint32
	for _, x := range a.bits {
		n += uint32(bits.OnesCount8(x))
	}
	return n
}

// uniform is a uniform random number in [0, n) (n >= 1), without modulo
// bias.
func uniform(r io.Reader, n uint32) (uint32, error) {
	if n == 0 {
		return 0, errors.New("allocate: no free index")
	}
	limit := (uint64(1) << 32) / uint64(n) * uint64(n)
	var b [4]byte
	for {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return 0, fmt.Errorf("allocate: random: %w", err)
		}
		if v := uint64(binary.BigEndian.Uint32(b[:])); v < limit {
			return uint32(v % uint64(n)), nil
		}
	}
}
