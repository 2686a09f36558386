package mbserver

import "encoding/binary"

// Request is a decoded request PDU.
type Request struct {
	Function uint8
	Address  uint16
	Quantity uint16   // registers to read or write
	Values   []uint16 // FC 6: one value; FC 16: Quantity values
}

// DecodeRequest decodes a request PDU. The error is always an ExceptionCode:
// IllegalFunction for a function code the server does not serve,
// IllegalDataValue for a malformed PDU or a quantity out of range, and
// IllegalDataAddress when address+quantity runs past 0xFFFF.
func DecodeRequest(pdu []byte) (Request, error) {
	if len(pdu) == 0 {
		return Request{}, IllegalFunction
	}
	req := Request{Function: pdu[0]}
	data := pdu[1:]
	switch req.Function {
	case FuncReadHoldingRegisters, FuncReadInputRegisters:
		if len(data) != 4 {
			return req, IllegalDataValue
		}
		req.Address = binary.BigEndian.Uint16(data[0:2])
		req.Quantity = binary.BigEndian.Uint16(data[2:4])
		if req.Quantity < 1 || req.Quantity > MaxReadQuantity {
			return req, IllegalDataValue
		}
	case FuncWriteSingleRegister:
		if len(data) != 4 {
			return req, IllegalDataValue
		}
		req.Address = binary.BigEndian.Uint16(data[0:2])
		req.Quantity = 1
		req.Values = []uint16{binary.BigEndian.Uint16(data[2:4])}
	case FuncWriteMultipleRegisters:
		if len(data) < 5 {
			return req, IllegalDataValue
		}
		req.Address = binary.BigEndian.Uint16(data[0:2])
		req.Quantity = binary.BigEndian.Uint16(data[2:4])
		byteCount := int(data[4])
		if req.Quantity < 1 || req.Quantity > MaxWriteQuantity ||
			byteCount != 2*int(req.Quantity) || len(data) != 5+byteCount {
			return req, IllegalDataValue
		}
		req.Values = make([]uint16, req.Quantity)
		for i := range req.Values {
			req.Values[i] = binary.BigEndian.Uint16(data[5+2*i:])
		}
	default:
		return req, IllegalFunction
	}
	if int(req.Address)+int(req.Quantity) > 0x10000 {
		return req, IllegalDataAddress
	}
	return req, nil
}

// Encode returns the request PDU. It is the inverse of DecodeRequest for
// valid requests.
func (r Request) Encode() []byte {
	b := []byte{r.Function}
	b = binary.BigEndian.AppendUint16(b, r.Address)
	switch r.Function {
	case FuncWriteSingleRegister:
		var v uint16
		if len(r.Values) > 0 {
			v = r.Values[0]
		}
		return binary.BigEndian.AppendUint16(b, v)
	case FuncWriteMultipleRegisters:
		b = binary.BigEndian.AppendUint16(b, uint16(len(r.Values)))
		b = append(b, byte(2*len(r.Values)))
		for _, v := range r.Values {
			b = binary.BigEndian.AppendUint16(b, v)
		}
		return b
	default:
		return binary.BigEndian.AppendUint16(b, r.Quantity)
	}
}

// ExceptionPDU is the exception reply to a request with function code fn.
func ExceptionPDU(fn uint8, code ExceptionCode) []byte {
	return []byte{fn | 0x80, byte(code)}
}
