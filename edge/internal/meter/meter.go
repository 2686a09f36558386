// Package meter reads one cumulative counter from one Modbus TCP device,
// either by SunSpec discovery or from a register map given as data. Each
// Meter owns one goburrow/modbus TCP client; after any error (timeout,
// transaction-id mismatch, exception, short reply) the connection is closed
// and the next Read dials again (and rediscovers SunSpec).
package meter

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/goburrow/modbus"

	"github.com/citychain/citychain/edge/internal/register"
	"github.com/citychain/citychain/edge/internal/sunspec"
)

// RegisterMap locates a counter in holding registers.
type RegisterMap struct {
	Address   uint16
	Type      register.Type
	WordOrder register.WordOrder // "" = high_first
	// Scale is a power-of-ten exponent applied to the raw value
	// (value = raw × 10^Scale), used when ScaleRegister is nil.
	Scale int
	// ScaleRegister, if set, is the address of an int16 SunSpec-style
	// scale-factor register read with every poll.
	ScaleRegister *uint16
}

// Validate checks the map.
func (m RegisterMap) Validate() error {
	if !m.Type.Valid() {
		return fmt.Errorf("register type %q: want uint16, int16, uint32 or acc32", m.Type)
	}
	if !m.WordOrder.Valid() {
		return fmt.Errorf("register word_order %q: want high_first or low_first", m.WordOrder)
	}
	if m.Scale < -10 || m.Scale > 10 {
		return fmt.Errorf("register scale %d: want -10..10", m.Scale)
	}
	if int(m.Address)+m.Type.Words() > 0x10000 {
		return fmt.Errorf("register address %d: past the end of the address space", m.Address)
	}
	return nil
}

// Config is one device.
type Config struct {
	Address string // host:port
	UnitID  byte
	Timeout time.Duration // per request; 0 means 3s
	SunSpec bool
	// SunSpecBase is the discovery base address; 0 means 40000.
	SunSpecBase uint16
	Register    RegisterMap // used when SunSpec is false
}

// Sample is one read, unscaled: the caller extends acc32 counters across
// wraps (with persisted state) and then applies the scale factor.
type Sample struct {
	Raw    uint64 // raw counter value (non-negative)
	Acc32  bool   // Raw is a wrapping 32-bit accumulator
	Scale  int    // power of ten to apply after extension
	PowerW float64
	HasW   bool
}

// Meter reads one device. Read and Close are safe for concurrent use.
type Meter struct {
	cfg Config

	mu      sync.Mutex
	handler *modbus.TCPClientHandler
	client  modbus.Client
	inv     *sunspec.Inverter
}

// ErrNegative means a signed register held a negative counter value.
var ErrNegative = errors.New("negative counter value")

// New validates cfg; it does not dial.
func New(cfg Config) (*Meter, error) {
	if cfg.Address == "" {
		return nil, errors.New("meter address: empty, want host:port")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 3 * time.Second
	}
	if cfg.SunSpecBase == 0 {
		cfg.SunSpecBase = sunspec.DefaultBase
	}
	if !cfg.SunSpec {
		if err := cfg.Register.Validate(); err != nil {
			return nil, err
		}
	}
	return &Meter{cfg: cfg}, nil
}

// Read reads the counter. On any error the connection is dropped so the
// next Read starts from a fresh TCP connection.
func (m *Meter) Read(ctx context.Context) (Sample, error) {
	if err := ctx.Err(); err != nil {
		return Sample{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.client == nil {
		h := modbus.NewTCPClientHandler(m.cfg.Address)
		h.Timeout = m.cfg.Timeout
		h.SlaveId = m.cfg.UnitID
		m.handler, m.client = h, modbus.NewClient(h)
	}
	s, err := m.read()
	if err != nil {
		m.resetLocked()
		return Sample{}, fmt.Errorf("read unit %d at %s: %w", m.cfg.UnitID, m.cfg.Address, err)
	}
	return s, nil
}

func (m *Meter) read() (Sample, error) {
	if m.cfg.SunSpec {
		if m.inv == nil {
			inv, err := sunspec.Discover(m.client, m.cfg.SunSpecBase)
			if err != nil {
				return Sample{}, err
			}
			m.inv = &inv
		}
		v, err := m.inv.Read(m.client)
		if err != nil {
			return Sample{}, err
		}
		return Sample{Raw: uint64(v.WH), Acc32: true, Scale: v.WHSF, PowerW: v.PowerW, HasW: v.HasW}, nil
	}
	rm := m.cfg.Register
	b, err := m.client.ReadHoldingRegisters(rm.Address, uint16(rm.Type.Words()))
	if err != nil {
		return Sample{}, fmt.Errorf("read %s at %d: %w", rm.Type, rm.Address, err)
	}
	if len(b) != 2*rm.Type.Words() {
		return Sample{}, fmt.Errorf("read %s at %d: got %d bytes", rm.Type, rm.Address, len(b))
	}
	words := make([]uint16, rm.Type.Words())
	for i := range words {
		words[i] = binary.BigEndian.Uint16(b[2*i:])
	}
	v, err := register.Decode(words, rm.Type, rm.WordOrder)
	if err != nil {
		return Sample{}, fmt.Errorf("register %d: %w", rm.Address, err)
	}
	if v < 0 {
		return Sample{}, fmt.Errorf("register %d value %d: %w", rm.Address, v, ErrNegative)
	}
	scale := rm.Scale
	if rm.ScaleRegister != nil {
		b, err := m.client.ReadHoldingRegisters(*rm.ScaleRegister, 1)
		if err != nil {
			return Sample{}, fmt.Errorf("read scale register %d: %w", *rm.ScaleRegister, err)
		}
		if len(b) != 2 {
			return Sample{}, fmt.Errorf("read scale register %d: got %d bytes", *rm.ScaleRegister, len(b))
		}
		if scale, err = register.ScaleFactor(binary.BigEndian.Uint16(b)); err != nil {
			return Sample{}, fmt.Errorf("scale register %d: %w", *rm.ScaleRegister, err)
		}
	}
	return Sample{Raw: uint64(v), Acc32: rm.Type == register.Acc32, Scale: scale}, nil
}

func (m *Meter) resetLocked() {
	if m.handler != nil {
		m.handler.Close()
	}
	m.handler, m.client, m.inv = nil, nil, nil
}

// Close drops the connection.
func (m *Meter) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.resetLocked()
	return nil
}
