// Package sunspec discovers a SunSpec inverter on a Modbus device and reads
// its lifetime energy (WH, acc32, with WH_SF) and AC power (W, with W_SF).
//
// Discovery walks the model chain from the base address (40000 by
// default): the "SunS" marker, then (ID, L) headers, each model L registers
// long, until model 101, 102 or 103 (single/split/three-phase inverter,
// integer + scale factor) or the 0xFFFF end marker.
package sunspec

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/citychain/citychain/edge/internal/register"
)

// DefaultBase is the conventional SunSpec base address (protocol address,
// "40001" in 1-based tools).
const DefaultBase = 40000

// Offsets inside an inverter model (101/102/103), from the model ID register.
const (
	offW    = 14 // W, int16
	offWSF  = 15 // W_SF
	offWH   = 24 // WH, acc32 (2 registers)
	offWHSF = 26 // WH_SF
	// minLen is the smallest model length L that contains WH_SF.
	minLen = offWHSF - 1
	// maxModels bounds the walk on a broken chain.
	maxModels = 64
)

// Reader reads holding registers (the goburrow modbus.Client method).
type Reader interface {
	ReadHoldingRegisters(address, quantity uint16) ([]byte, error)
}

// Errors.
var (
	ErrNotSunSpec = errors.New("no SunSpec marker")
	ErrNoInverter = errors.New("no inverter model (101/102/103) in the SunSpec chain")
)

// Inverter is a discovered inverter model.
type Inverter struct {
	Model uint16 // 101, 102 or 103
	Addr  uint16 // address of the model ID register
}

// Values are one read of an inverter model.
type Values struct {
	WH     uint32 // raw acc32 lifetime energy, unscaled
	WHSF   int    // WH scale factor (power of ten)
	PowerW float64
	HasW   bool // false if W or W_SF is not implemented
}

func readWords(r Reader, addr, n uint16) ([]uint16, error) {
	b, err := r.ReadHoldingRegisters(addr, n)
	if err != nil {
		return nil, fmt.Errorf("read %d registers at %d: %w", n, addr, err)
	}
	if len(b) != 2*int(n) {
		return nil, fmt.Errorf("read %d registers at %d: got %d bytes", n, addr, len(b))
	}
	w := make([]uint16, n)
	for i := range w {
		w[i] = binary.BigEndian.Uint16(b[2*i:])
	}
	return w, nil
}

// Discover walks the model chain from base and returns the first inverter
// model.
func Discover(r Reader, base uint16) (Inverter, error) {
	m, err := readWords(r, base, 2)
	if err != nil {
		return Inverter{}, fmt.Errorf("sunspec marker: %w", err)
	}
	if m[0] != 0x5375 || m[1] != 0x6e53 {
		return Inverter{}, fmt.Errorf("at %d: got %04x%04x, want 53756e53 (\"SunS\"): %w", base, m[0], m[1], ErrNotSunSpec)
	}
	addr := uint32(base) + 2
	for range maxModels {
		if addr+2 > 0x10000 {
			break
		}
		h, err := readWords(r, uint16(addr), 2)
		if err != nil {
			return Inverter{}, fmt.Errorf("sunspec model header: %w", err)
		}
		id, l := h[0], h[1]
		if id == 0xFFFF {
			return Inverter{}, fmt.Errorf("chain from %d: %w", base, ErrNoInverter)
		}
		if id >= 101 && id <= 103 {
			if l < minLen {
				return Inverter{}, fmt.Errorf("inverter model %d at %d: length %d, want >= %d", id, addr, l, minLen)
			}
			if addr+offWHSF >= 0x10000 {
				break
			}
			return Inverter{Model: id, Addr: uint16(addr)}, nil
		}
		addr += 2 + uint32(l)
	}
	return Inverter{}, fmt.Errorf("chain from %d: no end marker within %d models or the address space: %w", base, maxModels, ErrNoInverter)
}

// Read reads W, W_SF, WH and WH_SF in one request. A not-implemented WH or
// WH_SF is an error wrapping register.ErrNotImplemented; a not-implemented
// W only clears HasW.
func (inv Inverter) Read(r Reader) (Values, error) {
	const n = offWHSF - offW + 1
	w, err := readWords(r, inv.Addr+offW, n)
	if err != nil {
		return Values{}, fmt.Errorf("inverter model %d: %w", inv.Model, err)
	}
	at := func(off int) []uint16 { return w[off-offW:] }
	wh, err := register.Decode(at(offWH)[:2], register.Acc32, register.HighFirst)
	if err != nil {
		return Values{}, fmt.Errorf("inverter WH: %w", err)
	}
	whsf, err := register.ScaleFactor(at(offWHSF)[0])
	if err != nil {
		return Values{}, fmt.Errorf("inverter WH_SF: %w", err)
	}
	v := Values{WH: uint32(wh), WHSF: whsf}
	if p, err := register.Decode(at(offW)[:1], register.Int16, ""); err == nil {
		if sf, err := register.ScaleFactor(at(offWSF)[0]); err == nil {
			v.PowerW, v.HasW = register.ScaleFloat(p, sf), true
		}
	}
	return v, nil
}
