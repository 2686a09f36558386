package mbserver

import "sync"

// Bank is a plain Unit backed by a fixed block of registers starting at
// Base. Reads and writes outside the block are IllegalDataAddress. It is
// handy in tests.
type Bank struct {
	mu   sync.Mutex
	base uint16
	regs []uint16
}

var _ Unit = (*Bank)(nil)

// NewBank returns a bank holding a copy of regs at base.
func NewBank(base uint16, regs []uint16) *Bank {
	return &Bank{base: base, regs: append([]uint16(nil), regs...)}
}

// ReadRegisters implements Unit.
func (b *Bank) ReadRegisters(_ uint8, addr, qty uint16) ([]uint16, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	lo, hi, ok := b.span(addr, qty)
	if !ok {
		return nil, IllegalDataAddress
	}
	return append([]uint16(nil), b.regs[lo:hi]...), nil
}

// WriteRegisters implements Unit.
func (b *Bank) WriteRegisters(addr uint16, vals []uint16) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	lo, hi, ok := b.span(addr, uint16(len(vals)))
	if !ok {
		return IllegalDataAddress
	}
	copy(b.regs[lo:hi], vals)
	return nil
}

func (b *Bank) span(addr, qty uint16) (int, int, bool) {
	lo := int(addr) - int(b.base)
	hi := lo + int(qty)
	if lo < 0 || hi > len(b.regs) || qty == 0 {
		return 0, 0, false
	}
	return lo, hi, true
}
