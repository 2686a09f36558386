// Package mbtest is a minimal Modbus TCP server for the edge agent's tests:
// it answers function code 3 (read holding registers) from a sparse register
// bank on a loopback port, and can misbehave on demand (wrong transaction
// id, no reply) to exercise client reconnects. Test code only.
package mbtest

import (
	"encoding/binary"
	"io"
	"net"
	"sync"
	"sync/atomic"
)

// Server is a Modbus TCP server with one register bank for every unit id.
type Server struct {
	ln net.Listener

	mu    sync.Mutex
	regs  map[uint16]uint16
	conns map[net.Conn]struct{}

	// BadTxID makes the next n replies carry a wrong transaction id.
	badTxID atomic.Int32
	// silent makes the next n requests go unanswered.
	silent atomic.Int32
	// Accepts counts accepted connections.
	accepts atomic.Int32
	reads   atomic.Int64

	wg sync.WaitGroup
}

// Start listens on 127.0.0.1:0 and serves until Close.
func Start() (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{ln: ln, regs: map[uint16]uint16{}, conns: map[net.Conn]struct{}{}}
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// Addr is the bound host:port.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Set writes consecutive registers starting at addr.
func (s *Server) Set(addr uint16, vals ...uint16) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, v := range vals {
		s.regs[addr+uint16(i)] = v
	}
}

// SetUint32 writes a 32-bit value, high word first, at addr and addr+1.
func (s *Server) SetUint32(addr uint16, v uint32) { s.Set(addr, uint16(v>>16), uint16(v)) }

// BadTxID makes the next n replies carry a wrong transaction id.
func (s *Server) BadTxID(n int) { s.badTxID.Store(int32(n)) }

// Silent makes the next n requests go unanswered (the client times out).
func (s *Server) Silent(n int) { s.silent.Store(int32(n)) }

// Accepts returns how many connections were accepted so far.
func (s *Server) Accepts() int { return int(s.accepts.Load()) }

// Reads returns how many read requests were answered.
func (s *Server) Reads() int64 { return s.reads.Load() }

// Close stops the listener and drops all connections.
func (s *Server) Close() error {
	err := s.ln.Close()
	s.mu.Lock()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return err
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.accepts.Add(1)
		s.mu.Lock()
		s.conns[c] = struct{}{}
		s.mu.Unlock()
		s.wg.Add(1)
		go s.serve(c)
	}
}

func (s *Server) serve(c net.Conn) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		c.Close()
	}()
	hdr := make([]byte, 7)
	for {
		if _, err := io.ReadFull(c, hdr); err != nil {
			return
		}
		n := int(binary.BigEndian.Uint16(hdr[4:]))
		if n < 2 || n > 254 {
			return
		}
		pdu := make([]byte, n-1)
		if _, err := io.ReadFull(c, pdu); err != nil {
			return
		}
		if s.silent.Load() > 0 {
			s.silent.Add(-1)
			continue
		}
		resp := s.handle(pdu)
		out := make([]byte, 7, 7+len(resp))
		copy(out, hdr[:4])
		if s.badTxID.Load() > 0 {
			s.badTxID.Add(-1)
			binary.BigEndian.PutUint16(out, binary.BigEndian.Uint16(hdr)+100)
		}
		binary.BigEndian.PutUint16(out[4:], uint16(len(resp)+1))
		out[6] = hdr[6]
		out = append(out, resp...)
		if _, err := c.Write(out); err != nil {
			return
		}
	}
}

func (s *Server) handle(pdu []byte) []byte {
	fc := pdu[0]
	if fc != 3 && fc != 4 || len(pdu) != 5 {
		return []byte{fc | 0x80, 1} // illegal function
	}
	addr := binary.BigEndian.Uint16(pdu[1:])
	qty := binary.BigEndian.Uint16(pdu[3:])
	if qty < 1 || qty > 125 || int(addr)+int(qty) > 0x10000 {
		return []byte{fc | 0x80, 3} // illegal data value
	}
	s.reads.Add(1)
	out := []byte{fc, byte(2 * qty)}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := uint16(0); i < qty; i++ {
		out = binary.BigEndian.AppendUint16(out, s.regs[addr+i])
	}
	return out
}

// SunSpecInverter lays out a SunSpec device at base: "SunS", common model 1
// (L=66), inverter model (101/102/103, L=50) and the end marker. It returns
// the inverter model's start address. Set WH with SetUint32(model+24, v),
// WH_SF at model+26, W at model+14, W_SF at model+15.
func (s *Server) SunSpecInverter(base uint16, model uint16) uint16 {
	s.Set(base, 0x5375, 0x6e53) // "SunS"
	s.Set(base+2, 1, 66)
	inv := base + 2 + 2 + 66
	s.Set(inv, model, 50)
	s.Set(inv+2+50, 0xFFFF, 0)
	return inv
}
