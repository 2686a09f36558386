package mbserver

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"
)

// Unit is the register bank of one Modbus unit. Implementations must be safe
// for concurrent use. Returning an ExceptionCode selects that exception
// reply; any other error is answered with ServerDeviceFailure.
type Unit interface {
	// ReadRegisters returns exactly qty registers starting at addr. fn is
	// FuncReadHoldingRegisters or FuncReadInputRegisters.
	ReadRegisters(fn uint8, addr, qty uint16) ([]uint16, error)
	// WriteRegisters writes vals starting at addr (FC 6 and 16).
	WriteRegisters(addr uint16, vals []uint16) error
}

// FaultKind selects how the server misbehaves for a request.
type FaultKind int

// Fault kinds.
const (
	FaultNone      FaultKind = iota
	FaultException           // reply with Fault.Code instead of the data
	FaultDelay               // wait Fault.Delay, then reply normally
	FaultNoReply             // read the request, never answer it
	FaultDrop                // close the connection on receipt of the request
)

// Fault is the communication fault a Unit asks for.
type Fault struct {
	Kind  FaultKind
	Code  ExceptionCode // FaultException; 0 means ServerDeviceFailure
	Delay time.Duration // FaultDelay
}

// Faulter is implemented by Units that simulate communication faults. The
// server asks before answering each request addressed to the unit.
type Faulter interface {
	CommFault() Fault
}

// Config configures a Server.
type Config struct {
	// IdleTimeout closes a connection that sends no request for this long
	// (0: never).
	IdleTimeout time.Duration
	// MaxConns caps concurrent connections; more are closed on accept
	// (0: unlimited).
	MaxConns int
}

// Server serves Modbus TCP for a set of units.
type Server struct {
	cfg    Config
	logger *slog.Logger

	mu    sync.Mutex
	units map[uint8]Unit
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

// New returns a server with no units.
func New(cfg Config, logger *slog.Logger) (*Server, error) {
	if cfg.IdleTimeout < 0 {
		return nil, fmt.Errorf("mbserver config: idle timeout %v, want >= 0", cfg.IdleTimeout)
	}
	if cfg.MaxConns < 0 {
		return nil, fmt.Errorf("mbserver config: max conns %d, want >= 0", cfg.MaxConns)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Server{
		cfg:    cfg,
		logger: logger,
		units:  make(map[uint8]Unit),
		conns:  make(map[net.Conn]struct{}),
	}, nil
}

// Handle registers u as unit id. It may be called while serving.
func (s *Server) Handle(id uint8, u Unit) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.units[id] = u
}

// lookup finds the unit for id. Unit ids 0 and 255 reach the only unit when
// exactly one is registered (common practice for Modbus TCP servers).
func (s *Server) lookup(id uint8) Unit {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.units[id]; ok {
		return u
	}
	if (id == 0 || id == 0xFF) && len(s.units) == 1 {
		for _, u := range s.units {
			return u
		}
	}
	return nil
}

// Serve accepts connections on ln until ctx is cancelled or ln fails. It
// closes ln and every connection before returning, and waits for the
// connection handlers. It returns nil after cancellation.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	parent := ctx
	ctx, cancel := context.WithCancel(ctx) // also ends handlers waiting in a delay
	go func() {
		<-ctx.Done()
		ln.Close()
		s.closeConns()
	}()
	defer func() {
		cancel()
		ln.Close()
		s.closeConns()
		s.wg.Wait()
	}()
	for {
		conn, err := ln.Accept()
		if err != nil {
			if parent.Err() != nil {
				return nil
			}
			return fmt.Errorf("accept on %s: %w", ln.Addr(), err)
		}
		if !s.track(conn) {
			s.logger.Warn("modbus connection refused: too many connections", "remote", conn.RemoteAddr().String())
			conn.Close()
			continue
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer s.untrack(conn)
			s.serveConn(ctx, conn)
		}()
	}
}

func (s *Server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cfg.MaxConns > 0 && len(s.conns) >= s.cfg.MaxConns {
		return false
	}
	s.conns[c] = struct{}{}
	return true
}

func (s *Server) untrack(c net.Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	c.Close()
}

func (s *Server) closeConns() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.Close()
	}
}

func (s *Server) serveConn(ctx context.Context, conn net.Conn) {
	remote := conn.RemoteAddr().String()
	log := s.logger.With("remote", remote)
	log.Debug("modbus connection opened")
	defer log.Debug("modbus connection closed")
	br := bufio.NewReader(conn)
	var out []byte
	for {
		if s.cfg.IdleTimeout > 0 {
			if err := conn.SetReadDeadline(time.Now().Add(s.cfg.IdleTimeout)); err != nil {
				return
			}
		}
		f, err := ReadFrame(br)
		if err != nil {
			if errors.Is(err, ErrFrame) {
				log.Warn("modbus framing error, closing connection", "err", err)
			} else if !errors.Is(err, io.EOF) && ctx.Err() == nil && !errors.Is(err, net.ErrClosed) {
				log.Debug("modbus read", "err", err)
			}
			return
		}
		unit := s.lookup(f.UnitID)
		var resp []byte
		if unit == nil {
			resp = ExceptionPDU(f.PDU[0], GatewayTargetFailed)
		} else {
			fault := Fault{}
			if fu, ok := unit.(Faulter); ok {
				fault = fu.CommFault()
			}
			switch fault.Kind {
			case FaultDrop:
				log.Debug("modbus fault: dropping connection", "unit", f.UnitID)
				return
			case FaultNoReply:
				log.Debug("modbus fault: no reply", "unit", f.UnitID, "tid", f.TransactionID)
				continue
			case FaultException:
				code := fault.Code
				if code == 0 {
					code = ServerDeviceFailure
				}
				resp = ExceptionPDU(f.PDU[0], code)
			case FaultDelay:
				t := time.NewTimer(fault.Delay)
				select {
				case <-ctx.Done():
					t.Stop()
					return
				case <-t.C:
				}
			}
			if resp == nil {
				resp = s.handlePDU(log, f.UnitID, unit, f.PDU)
			}
		}
		out = AppendFrame(out[:0], Frame{TransactionID: f.TransactionID, UnitID: f.UnitID, PDU: resp})
		if _, err := conn.Write(out); err != nil {
			if ctx.Err() == nil {
				log.Debug("modbus write", "err", err)
			}
			return
		}
	}
}

// HandlePDU answers one request PDU for unit: the response PDU or an
// exception PDU. It never fails.
func HandlePDU(unit Unit, pdu []byte) []byte {
	return (&Server{logger: slog.New(slog.DiscardHandler)}).handlePDU(nil, 0, unit, pdu)
}

func (s *Server) handlePDU(log *slog.Logger, unitID uint8, unit Unit, pdu []byte) []byte {
	if log == nil {
		log = s.logger
	}
	req, err := DecodeRequest(pdu)
	if err != nil {
		return ExceptionPDU(req.Function, asException(err))
	}
	switch req.Function {
	case FuncReadHoldingRegisters, FuncReadInputRegisters:
		vals, err := unit.ReadRegisters(req.Function, req.Address, req.Quantity)
		if err == nil && len(vals) != int(req.Quantity) {
			err = fmt.Errorf("unit %d returned %d registers, want %d", unitID, len(vals), req.Quantity)
		}
		if err != nil {
			return s.fail(log, req, err)
		}
		resp := make([]byte, 2, 2+2*len(vals))
		resp[0] = req.Function
		resp[1] = byte(2 * len(vals))
		for _, v := range vals {
			resp = binary.BigEndian.AppendUint16(resp, v)
		}
		return resp
	default: // FuncWriteSingleRegister, FuncWriteMultipleRegisters
		if err := unit.WriteRegisters(req.Address, req.Values); err != nil {
			return s.fail(log, req, err)
		}
		if req.Function == FuncWriteSingleRegister {
			return append([]byte(nil), pdu...)
		}
		resp := []byte{req.Function}
		resp = binary.BigEndian.AppendUint16(resp, req.Address)
		return binary.BigEndian.AppendUint16(resp, req.Quantity)
	}
}

func (s *Server) fail(log *slog.Logger, req Request, err error) []byte {
	code := asException(err)
	if code == ServerDeviceFailure {
		var ex ExceptionCode
		if !errors.As(err, &ex) {
			log.Error("modbus unit failed", "function", req.Function, "address", req.Address, "err", err)
		}
	}
	return ExceptionPDU(req.Function, code)
}

func asException(err error) ExceptionCode {
	var ex ExceptionCode
	if errors.As(err, &ex) {
		return ex
	}
	return ServerDeviceFailure
}
