// Package mbtest is a Modbus TCP server for the edge agent's tests: the
// simulators' server (simulators/mbserver) on a loopback port with one
// sparse register bank for every unit id, which can misbehave on demand
// (wrong transaction id, no reply) to exercise client reconnects. Test code
// only: the edge agent itself imports nothing from the simulators.
package mbtest

import (
	"context"
	"encoding/binary"
	"net"
	"sync"
	"sync/atomic"

	"github.com/citychain/citychain/simulators/mbserver"
)

// Server is a Modbus TCP server with one register bank for every unit id.
type Server struct {
	ln     *listener
	bank   *bank
	cancel context.CancelFunc
	done   chan error

	closeOnce sync.Once
	closeErr  error
}

// Start listens on 127.0.0.1:0 and serves until Close.
func Start() (*Server, error) {
	srv, err := mbserver.New(mbserver.Config{}, nil)
	if err != nil {
		return nil, err
	}
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{ln: &listener{Listener: inner}, bank: &bank{regs: map[uint16]uint16{}}, done: make(chan error, 1)}
	for id := range 256 {
		srv.Handle(uint8(id), s.bank)
	}
	var ctx context.Context
	ctx, s.cancel = context.WithCancel(context.Background())
	go func() { s.done <- srv.Serve(ctx, s.ln) }()
	return s, nil
}

// Addr is the bound host:port.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Set writes consecutive registers starting at addr.
func (s *Server) Set(addr uint16, vals ...uint16) {
	s.bank.mu.Lock()
	defer s.bank.mu.Unlock()
	for i, v := range vals {
		s.bank.regs[addr+uint16(i)] = v
	}
}

// SetUint32 writes a 32-bit value, high word first, at addr and addr+1.
func (s *Server) SetUint32(addr uint16, v uint32) { s.Set(addr, uint16(v>>16), uint16(v)) }

// BadTxID makes the next n replies carry a wrong transaction id.
func (s *Server) BadTxID(n int) { s.ln.badTxID.Store(int32(n)) }

// Silent makes the next n requests go unanswered (the client times out).
func (s *Server) Silent(n int) { s.bank.silent.Store(int32(n)) }

// Accepts returns how many connections were accepted so far.
func (s *Server) Accepts() int { return int(s.ln.accepts.Load()) }

// Reads returns how many read requests were answered.
func (s *Server) Reads() int64 { return s.bank.reads.Load() }

// Close stops the listener and drops all connections. Closing again does
// nothing.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.cancel()
		s.closeErr = <-s.done
	})
	return s.closeErr
}

// bank is the sparse register bank every unit id reads; unset registers
// read 0.
type bank struct {
	mu     sync.Mutex
	regs   map[uint16]uint16
	silent atomic.Int32
	reads  atomic.Int64
}

var (
	_ mbserver.Unit    = (*bank)(nil)
	_ mbserver.Faulter = (*bank)(nil)
)

func (b *bank) ReadRegisters(_ uint8, addr, qty uint16) ([]uint16, error) {
	b.reads.Add(1)
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]uint16, qty)
	for i := range out {
		out[i] = b.regs[addr+uint16(i)]
	}
	return out, nil
}

func (b *bank) WriteRegisters(uint16, []uint16) error { return mbserver.IllegalFunction }

// CommFault leaves the request unanswered while Silent's count lasts.
func (b *bank) CommFault() mbserver.Fault {
	if take(&b.silent) {
		return mbserver.Fault{Kind: mbserver.FaultNoReply}
	}
	return mbserver.Fault{}
}

// take takes one from a positive count and reports whether it did.
func take(n *atomic.Int32) bool {
	for {
		v := n.Load()
		if v <= 0 {
			return false
		}
		if n.CompareAndSwap(v, v-1) {
			return true
		}
	}
}

// listener counts accepted connections and hands out connections that
// spoil the transaction id of a reply while BadTxID's count lasts.
type listener struct {
	net.Listener
	accepts atomic.Int32
	badTxID atomic.Int32
}

func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.accepts.Add(1)
	return &conn{Conn: c, l: l}, nil
}

// conn is a server connection; the server writes one whole frame per Write.
type conn struct {
	net.Conn
	l *listener
}

func (c *conn) Write(frame []byte) (int, error) {
	if len(frame) >= 2 && take(&c.l.badTxID) {
		frame = append([]byte(nil), frame...)
		binary.BigEndian.PutUint16(frame, binary.BigEndian.Uint16(frame)+100)
	}
	return c.Conn.Write(frame)
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
