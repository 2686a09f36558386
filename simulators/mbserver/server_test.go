package mbserver

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goburrow/modbus"
)

// faultyBank is a Bank whose communication fault can be switched.
type faultyBank struct {
	*Bank
	mu    sync.Mutex
	fault Fault
}

func (b *faultyBank) CommFault() Fault {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.fault
}

func (b *faultyBank) set(f Fault) {
	b.mu.Lock()
	b.fault = f
	b.mu.Unlock()
}

func startServer(t *testing.T, cfg Config, units map[uint8]Unit) string {
	t.Helper()
	srv, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	for id, u := range units {
		srv.Handle(id, u)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return ln.Addr().String()
}

func newClient(t *testing.T, addr string, unit uint8, timeout time.Duration) (modbus.Client, *modbus.TCPClientHandler) {
	t.Helper()
	h := modbus.NewTCPClientHandler(addr)
	h.SlaveId = unit
	h.Timeout = timeout
	if err := h.Connect(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return modbus.NewClient(h), h
}

func seq(base uint16, n int) []uint16 {
	r := make([]uint16, n)
	for i := range r {
		r[i] = base + uint16(i)
	}
	return r
}

func regs(b []byte) []uint16 {
	r := make([]uint16, len(b)/2)
	for i := range r {
		r[i] = binary.BigEndian.Uint16(b[2*i:])
	}
	return r
}

func TestReadWriteWithClient(t *testing.T) {
	bank := NewBank(100, seq(1000, 200))
	addr := startServer(t, Config{}, map[uint8]Unit{7: bank})
	c, _ := newClient(t, addr, 7, 2*time.Second)

	for _, fn := range []struct {
		name string
		read func(address, quantity uint16) ([]byte, error)
	}{{"holding", c.ReadHoldingRegisters}, {"input", c.ReadInputRegisters}} {
		t.Run(fn.name, func(t *testing.T) {
			b, err := fn.read(110, 125)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := regs(b), seq(1010, 125); !equal(got, want) {
				t.Fatalf("got %v, want %v", got, want)
			}
		})
	}
	if _, err := c.WriteSingleRegister(100, 0xBEEF); err != nil {
		t.Fatal(err)
	}
	if _, err := c.WriteMultipleRegisters(101, 2, []byte{0, 1, 0, 2}); err != nil {
		t.Fatal(err)
	}
	b, err := c.ReadHoldingRegisters(100, 3)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := regs(b), []uint16{0xBEEF, 1, 2}; !equal(got, want) {
		t.Fatalf("after write got %v, want %v", got, want)
	}
}

func equal(a, b []uint16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func exceptionCode(t *testing.T, err error) byte {
	t.Helper()
	var me *modbus.ModbusError
	if !errors.As(err, &me) {
		t.Fatalf("got error %v, want a modbus exception", err)
	}
	return me.ExceptionCode
}

func TestExceptionsWithClient(t *testing.T) {
	bank := NewBank(100, seq(0, 10))
	addr := startServer(t, Config{}, map[uint8]Unit{1: bank})
	c, _ := newClient(t, addr, 1, 2*time.Second)
	_, err := c.ReadHoldingRegisters(99, 1)
	if got := exceptionCode(t, err); got != 2 {
		t.Fatalf("read below bank: got exception %d, want 2", got)
	}
	_, err = c.ReadHoldingRegisters(105, 6)
	if got := exceptionCode(t, err); got != 2 {
		t.Fatalf("read past bank: got exception %d, want 2", got)
	}
	_, err = c.ReadCoils(0, 1)
	if got := exceptionCode(t, err); got != 1 {
		t.Fatalf("read coils: got exception %d, want 1", got)
	}
	// The connection still works after exceptions.
	if _, err := c.ReadHoldingRegisters(100, 10); err != nil {
		t.Fatal(err)
	}
}

// rawExchange sends one frame and reads one frame back.
func rawExchange(t *testing.T, conn net.Conn, frame []byte) Frame {
	t.Helper()
	if _, err := conn.Write(frame); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	f, err := ReadFrame(conn)
	if err != nil {
		t.Fatalf("read reply: %v", err)
	}
	return f
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func TestProtocolEdgeCases(t *testing.T) {
	bank := NewBank(0, seq(0, 300))
	addr := startServer(t, Config{}, map[uint8]Unit{1: bank})
	conn := dial(t, addr)
	tests := []struct {
		name string
		unit uint8
		pdu  []byte
		want []byte
	}{
		{"read 125 ok", 1, []byte{3, 0, 0, 0, 125}, nil},
		{"read 126", 1, []byte{3, 0, 0, 0, 126}, []byte{0x83, 3}},
		{"read 0", 1, []byte{4, 0, 0, 0, 0}, []byte{0x84, 3}},
		{"short read pdu", 1, []byte{3, 0, 0, 0}, []byte{0x83, 3}},
		{"long read pdu", 1, []byte{3, 0, 0, 0, 1, 0}, []byte{0x83, 3}},
		{"read past 0xFFFF", 1, []byte{3, 0xFF, 0xFF, 0, 2}, []byte{0x83, 2}},
		{"unknown function", 1, []byte{0x2B, 0x0E, 1, 0}, []byte{0xAB, 1}},
		{"function 0", 1, []byte{0}, []byte{0x80, 1}},
		{"write multiple byte count mismatch", 1, []byte{16, 0, 0, 0, 2, 3, 0, 1, 0}, []byte{0x90, 3}},
		{"write multiple 0", 1, []byte{16, 0, 0, 0, 0, 0}, []byte{0x90, 3}},
		{"write multiple 123 ok", 1, append([]byte{16, 0, 0, 0, 123, 246}, make([]byte, 246)...), []byte{16, 0, 0, 0, 123}},
		{"write single short", 1, []byte{6, 0, 0, 0}, []byte{0x86, 3}},
		{"unknown unit", 9, []byte{3, 0, 0, 0, 1}, []byte{0x83, 0x0B}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tid := uint16(0xA000 + i)
			f := rawExchange(t, conn, AppendFrame(nil, Frame{TransactionID: tid, UnitID: tt.unit, PDU: tt.pdu}))
			if f.TransactionID != tid || f.UnitID != tt.unit {
				t.Fatalf("got tid %#x unit %d, want tid %#x unit %d", f.TransactionID, f.UnitID, tid, tt.unit)
			}
			if tt.want == nil {
				if f.PDU[0] != tt.pdu[0] || int(f.PDU[1]) != len(f.PDU)-2 {
					t.Fatalf("got reply % x, want a normal reply", f.PDU)
				}
				return
			}
			if !bytes.Equal(f.PDU, tt.want) {
				t.Fatalf("got % x, want % x", f.PDU, tt.want)
			}
		})
	}
}

func TestBadHeaderClosesConnection(t *testing.T) {
	addr := startServer(t, Config{}, map[uint8]Unit{1: NewBank(0, seq(0, 10))})
	tests := []struct {
		name  string
		frame []byte
	}{
		{"length 0", []byte{0, 1, 0, 0, 0, 0, 1}},
		{"length 1 (no PDU)", []byte{0, 1, 0, 0, 0, 1, 1}},
		{"length 255", []byte{0, 1, 0, 0, 0, 255, 1}},
		{"protocol id 1", []byte{0, 1, 0, 1, 0, 6, 1, 3, 0, 0, 0, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := dial(t, addr)
			if _, err := conn.Write(tt.frame); err != nil {
				t.Fatal(err)
			}
			conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			n, err := conn.Read(make([]byte, 16))
			if n != 0 || !errors.Is(err, io.EOF) {
				t.Fatalf("got n=%d err=%v, want the server to close the connection (EOF)", n, err)
			}
		})
	}
}

func TestPipelinedRequests(t *testing.T) {
	addr := startServer(t, Config{}, map[uint8]Unit{1: NewBank(0, seq(0, 10))})
	conn := dial(t, addr)
	var buf []byte
	for i := range 5 {
		buf = AppendFrame(buf, Frame{TransactionID: uint16(i), UnitID: 1, PDU: []byte{3, 0, byte(i), 0, 1}})
	}
	if _, err := conn.Write(buf); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	for i := range 5 {
		f, err := ReadFrame(conn)
		if err != nil {
			t.Fatal(err)
		}
		if f.TransactionID != uint16(i) || !bytes.Equal(f.PDU, []byte{3, 2, 0, byte(i)}) {
			t.Fatalf("reply %d: got tid %d pdu % x", i, f.TransactionID, f.PDU)
		}
	}
}

func TestConcurrentClients(t *testing.T) {
	addr := startServer(t, Config{}, map[uint8]Unit{1: NewBank(0, seq(0, 125))})
	var wg sync.WaitGroup
	var fails atomic.Int32
	for range 32 {
		wg.Go(func() {
			h := modbus.NewTCPClientHandler(addr)
			h.SlaveId = 1
			h.Timeout = 5 * time.Second
			defer h.Close()
			c := modbus.NewClient(h)
			for range 20 {
				b, err := c.ReadHoldingRegisters(0, 125)
				if err != nil || !equal(regs(b), seq(0, 125)) {
					fails.Add(1)
					return
				}
			}
		})
	}
	wg.Wait()
	if n := fails.Load(); n != 0 {
		t.Fatalf("got %d failing clients, want 0", n)
	}
}

func TestFaults(t *testing.T) {
	bank := &faultyBank{Bank: NewBank(0, seq(0, 10))}
	addr := startServer(t, Config{}, map[uint8]Unit{1: bank})

	t.Run("exception", func(t *testing.T) {
		bank.set(Fault{Kind: FaultException, Code: IllegalDataValue})
		defer bank.set(Fault{})
		c, _ := newClient(t, addr, 1, 2*time.Second)
		_, err := c.ReadHoldingRegisters(0, 1)
		if got := exceptionCode(t, err); got != 3 {
			t.Fatalf("got exception %d, want 3", got)
		}
	})
	t.Run("no reply", func(t *testing.T) {
		bank.set(Fault{Kind: FaultNoReply})
		defer bank.set(Fault{})
		c, _ := newClient(t, addr, 1, 200*time.Millisecond)
		_, err := c.ReadHoldingRegisters(0, 1)
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("got %v, want a timeout", err)
		}
	})
	t.Run("drop", func(t *testing.T) {
		bank.set(Fault{Kind: FaultDrop})
		defer bank.set(Fault{})
		conn := dial(t, addr)
		conn.Write(AppendFrame(nil, Frame{TransactionID: 1, UnitID: 1, PDU: []byte{3, 0, 0, 0, 1}}))
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := ReadFrame(conn); !errors.Is(err, io.EOF) {
			t.Fatalf("got %v, want EOF", err)
		}
	})
	t.Run("delay", func(t *testing.T) {
		const d = 150 * time.Millisecond
		bank.set(Fault{Kind: FaultDelay, Delay: d})
		defer bank.set(Fault{})
		c, _ := newClient(t, addr, 1, 5*time.Second)
		start := time.Now()
		if _, err := c.ReadHoldingRegisters(0, 1); err != nil {
			t.Fatal(err)
		}
		if got := time.Since(start); got < d {
			t.Fatalf("got reply after %v, want at least %v", got, d)
		}
	})
}

func TestServeStopsOnCancel(t *testing.T) {
	srv, err := New(Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	bank := &faultyBank{Bank: NewBank(0, seq(0, 1)), fault: Fault{Kind: FaultDelay, Delay: time.Hour}}
	srv.Handle(1, bank)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	conn := dial(t, ln.Addr().String())
	// A request stuck in an hour-long delay must not block shutdown.
	conn.Write(AppendFrame(nil, Frame{TransactionID: 1, UnitID: 1, PDU: []byte{3, 0, 0, 0, 1}}))
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve after cancel: got %v, want nil", err)
	}
	if _, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		t.Fatal("listener still accepting after cancel")
	}
}

func TestMaxConns(t *testing.T) {
	addr := startServer(t, Config{MaxConns: 1}, map[uint8]Unit{1: NewBank(0, seq(0, 1))})
	c, _ := newClient(t, addr, 1, 2*time.Second)
	if _, err := c.ReadHoldingRegisters(0, 1); err != nil {
		t.Fatal(err)
	}
	conn := dial(t, addr)
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := conn.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Fatalf("second connection: got %v, want EOF", err)
	}
}

func TestNewValidates(t *testing.T) {
	if _, err := New(Config{MaxConns: -1}, nil); err == nil {
		t.Fatal("got nil error for MaxConns -1")
	}
	if _, err := New(Config{IdleTimeout: -time.Second}, nil); err == nil {
		t.Fatal("got nil error for negative IdleTimeout")
	}
}

func TestServeReturnsWhenListenerFails(t *testing.T) {
	srv, err := New(Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv.Handle(1, &faultyBank{Bank: NewBank(0, seq(0, 1)), fault: Fault{Kind: FaultDelay, Delay: time.Hour}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(context.Background(), ln) }()
	conn := dial(t, ln.Addr().String())
	conn.Write(AppendFrame(nil, Frame{TransactionID: 1, UnitID: 1, PDU: []byte{3, 0, 0, 0, 1}}))
	ln.Close()
	if err := <-done; err == nil || !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Serve after the listener closed: got %v, want a wrapped net.ErrClosed", err)
	}
}
