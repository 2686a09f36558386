// Package register decodes Modbus holding-register words into meter values:
// register types (uint16, int16, uint32, acc32), word order, SunSpec
// "not implemented" sentinels, power-of-ten scale factors and the carry that
// keeps a 32-bit accumulator monotonic across its 2^32 wrap.
package register

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
)

// Type is a register data type.
type Type string

// Supported types. Their "not implemented" values follow SunSpec:
// uint16 0xFFFF, int16 0x8000, uint32 0xFFFFFFFF, acc32 0.
const (
	Uint16 Type = "uint16"
	Int16  Type = "int16"
	Uint32 Type = "uint32"
	Acc32  Type = "acc32" // a 32-bit accumulator that wraps at 2^32
)

// Words returns how many 16-bit registers the type occupies (0 if unknown).
func (t Type) Words() int {
	switch t {
	case Uint16, Int16:
		return 1
	case Uint32, Acc32:
		return 2
	}
	return 0
}

// Valid reports whether t is a supported type.
func (t Type) Valid() bool { return t.Words() > 0 }

// WordOrder says which 16-bit word of a 32-bit value comes first.
type WordOrder string

// Word orders. HighFirst (big-endian words) is the SunSpec and default order.
const (
	HighFirst WordOrder = "high_first"
	LowFirst  WordOrder = "low_first"
)

// Valid reports whether o is a known word order ("" means HighFirst).
func (o WordOrder) Valid() bool { return o == "" || o == HighFirst || o == LowFirst }

// Errors.
var (
	// ErrNotImplemented means the device reported the type's
	// "not implemented" sentinel.
	ErrNotImplemented = errors.New("value not implemented by the device")
	// ErrBackwards means an accumulator decreased by less than half its
	// range: a meter reset or glitch, not a wrap.
	ErrBackwards = errors.New("counter went backwards")
	// ErrOverflow means a scaled value does not fit in 64 bits.
	ErrOverflow = errors.New("scaled value overflows uint64")
)

// Decode turns words (exactly t.Words() registers, as read) into a signed
// 64-bit value. Sentinel values return ErrNotImplemented.
func Decode(words []uint16, t Type, order WordOrder) (int64, error) {
	if !t.Valid() {
		return 0, fmt.Errorf("register type %q: want uint16, int16, uint32 or acc32", t)
	}
	if !order.Valid() {
		return 0, fmt.Errorf("word order %q: want high_first or low_first", order)
	}
	if len(words) != t.Words() {
		return 0, fmt.Errorf("decode %s: got %d registers, want %d", t, len(words), t.Words())
	}
	switch t {
	case Uint16:
		if words[0] == 0xFFFF {
			return 0, ErrNotImplemented
		}
		return int64(words[0]), nil
	case Int16:
		if words[0] == 0x8000 {
			return 0, ErrNotImplemented
		}
		return int64(int16(words[0])), nil
	}
	hi, lo := words[0], words[1]
	if order == LowFirst {
		hi, lo = lo, hi
	}
	v := uint32(hi)<<16 | uint32(lo)
	if t == Uint32 && v == 0xFFFFFFFF || t == Acc32 && v == 0 {
		return 0, ErrNotImplemented
	}
	return int64(v), nil
}

// ScaleFactor decodes a SunSpec sunssf register (int16 power of ten).
// 0x8000 is "not implemented"; SunSpec limits factors to -10..10.
func ScaleFactor(word uint16) (int, error) {
	if word == 0x8000 {
		return 0, fmt.Errorf("scale factor: %w", ErrNotImplemented)
	}
	sf := int(int16(word))
	if sf < -10 || sf > 10 {
		return 0, fmt.Errorf("scale factor %d: want -10..10", sf)
	}
	return sf, nil
}

// ScaleUint returns v × 10^sf for a non-negative value, rounded down for
// negative factors (so a monotonic raw counter stays monotonic after
// scaling). It returns ErrOverflow if the result does not fit.
func ScaleUint(v uint64, sf int) (uint64, error) {
	if sf < -19 || sf > 19 {
		return 0, fmt.Errorf("scale factor %d: want -19..19", sf)
	}
	p := pow10(abs(sf))
	if sf < 0 {
		return v / p, nil
	}
	hi, lo := bits.Mul64(v, p)
	if hi != 0 {
		return 0, fmt.Errorf("%d × 10^%d: %w", v, sf, ErrOverflow)
	}
	return lo, nil
}

// ScaleFloat returns v × 10^sf as a float, for gauges such as power.
func ScaleFloat(v int64, sf int) float64 { return float64(v) * math.Pow10(sf) }

func pow10(n int) uint64 {
	p := uint64(1)
	for range n {
		p *= 10
	}
	return p
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// Acc32State extends a wrapping 32-bit accumulator to 64 bits. The zero value has
// seen nothing. It is plain data so it can be persisted with the sequence
// state; Extend does not modify it, so the caller commits the new state only
// after persisting it.
type Acc32State struct {
	Last  uint32 `json:"last"`  // last raw value seen
	Wraps uint64 `json:"wraps"` // completed 2^32 wraps
	Seen  bool   `json:"seen"`
}

// Extend returns the 64-bit cumulative raw value for a new raw reading and
// the state to store. A raw value below the last one is a wrap only if the
// forward distance (raw + 2^32 - last) is under 2^31; a larger drop is a
// reset or glitch and returns ErrBackwards (the state is unchanged).
func (s Acc32State) Extend(raw uint32) (uint64, Acc32State, error) {
	next := s
	if s.Seen && raw < s.Last {
		if s.Last-raw <= 1<<31 {
			return 0, s, fmt.Errorf("acc32 from %d to %d: %w", s.Last, raw, ErrBackwards)
		}
		next.Wraps++
	}
	next.Last, next.Seen = raw, true
	if next.Wraps > math.MaxUint32 {
		return 0, s, fmt.Errorf("acc32 wraps %d: %w", next.Wraps, ErrOverflow)
	}
	return next.Wraps<<32 | uint64(raw), next, nil
}
