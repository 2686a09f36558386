// Package mbserver is a small Modbus TCP server: MBAP framing, function
// codes 3 and 4 (read holding / input registers), 6 and 16 (write single /
// multiple registers), exception replies, many concurrent connections and
// context cancellation, on any net.Listener. Register contents come from
// Unit implementations registered per unit id; a Unit may also ask the server
// to misbehave (delay, no reply, dropped connection, forced exception) to
// simulate faulty field devices.
package mbserver

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Function codes served.
const (
	FuncReadHoldingRegisters   uint8 = 0x03
	FuncReadInputRegisters     uint8 = 0x04
	FuncWriteSingleRegister    uint8 = 0x06
	FuncWriteMultipleRegisters uint8 = 0x10
)

// Protocol limits from the Modbus application protocol specification v1.1b3.
const (
	MaxReadQuantity  = 125 // registers per FC 3/4 request
	MaxWriteQuantity = 123 // registers per FC 16 request
	HeaderLen        = 7   // MBAP header: transaction id, protocol id, length, unit id
	MaxPDULen        = 253 // function code + data
)

// ExceptionCode is a Modbus exception code. It implements error so that a
// Unit can return one to choose the exception reply.
type ExceptionCode uint8

// Exception codes used by the server.
const (
	IllegalFunction     ExceptionCode = 0x01
	IllegalDataAddress  ExceptionCode = 0x02
	IllegalDataValue    ExceptionCode = 0x03
	ServerDeviceFailure ExceptionCode = 0x04
	GatewayTargetFailed ExceptionCode = 0x0B
)

func (e ExceptionCode) Error() string {
	switch e {
	case IllegalFunction:
		return "modbus exception 1: illegal function"
	case IllegalDataAddress:
		return "modbus exception 2: illegal data address"
	case IllegalDataValue:
		return "modbus exception 3: illegal data value"
	case ServerDeviceFailure:
		return "modbus exception 4: server device failure"
	case GatewayTargetFailed:
		return "modbus exception 11: gateway target device failed to respond"
	}
	return fmt.Sprintf("modbus exception %d", uint8(e))
}

// ErrFrame reports an MBAP header the server cannot frame (protocol id not
// 0, length out of range). The stream cannot be resynchronised after it, so
// the server closes the connection.
var ErrFrame = errors.New("invalid MBAP frame")

// Frame is one decoded MBAP frame.
type Frame struct {
	TransactionID uint16
	UnitID        uint8
	PDU           []byte // function code + data, 1..253 bytes
}

// ReadFrame reads exactly one MBAP frame from r. A header that cannot be
// framed yields an error wrapping ErrFrame; I/O errors are returned as is
// (io.EOF before the first byte, io.ErrUnexpectedEOF inside a frame).
func ReadFrame(r io.Reader) (Frame, error) {
	var hdr [HeaderLen]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return Frame{}, err
	}
	n, err := checkHeader(hdr[:])
	if err != nil {
		return Frame{}, err
	}
	pdu := make([]byte, n)
	if _, err := io.ReadFull(r, pdu); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return Frame{}, err
	}
	return Frame{
		TransactionID: binary.BigEndian.Uint16(hdr[0:2]),
		UnitID:        hdr[6],
		PDU:           pdu,
	}, nil
}

// DecodeFrame decodes one frame from the start of b and returns it with the
// number of bytes consumed. The PDU aliases b.
func DecodeFrame(b []byte) (Frame, int, error) {
	if len(b) < HeaderLen {
		return Frame{}, 0, io.ErrUnexpectedEOF
	}
	n, err := checkHeader(b[:HeaderLen])
	if err != nil {
		return Frame{}, 0, err
	}
	if len(b) < HeaderLen+n {
		return Frame{}, 0, io.ErrUnexpectedEOF
	}
	return Frame{
		TransactionID: binary.BigEndian.Uint16(b[0:2]),
		UnitID:        b[6],
		PDU:           b[HeaderLen : HeaderLen+n],
	}, HeaderLen + n, nil
}

// checkHeader validates an MBAP header and returns the PDU length.
func checkHeader(hdr []byte) (int, error) {
	if pid := binary.BigEndian.Uint16(hdr[2:4]); pid != 0 {
		return 0, fmt.Errorf("%w: protocol id %d, want 0", ErrFrame, pid)
	}
	length := int(binary.BigEndian.Uint16(hdr[4:6]))
	// The length field counts the unit id and the PDU.
	if length < 2 || length > 1+MaxPDULen {
		return 0, fmt.Errorf("%w: length %d, want 2..%d", ErrFrame, length, 1+MaxPDULen)
	}
	return length - 1, nil
}

// AppendFrame appends the MBAP encoding of f to dst.
func AppendFrame(dst []byte, f Frame) []byte {
	dst = binary.BigEndian.AppendUint16(dst, f.TransactionID)
	dst = binary.BigEndian.AppendUint16(dst, 0)
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(f.PDU)+1))
	dst = append(dst, f.UnitID)
	return append(dst, f.PDU...)
}
