package mbserver

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// FuzzDecode feeds arbitrary bytes to the MBAP and PDU decoders and checks
// that every decoded frame gets a well-formed reply.
func FuzzDecode(f *testing.F) {
	f.Add([]byte{0, 1, 0, 0, 0, 6, 1, 3, 0x9C, 0x40, 0, 2})
	f.Add([]byte{0, 2, 0, 0, 0, 6, 1, 4, 0, 0, 0, 125})
	f.Add([]byte{0, 3, 0, 0, 0, 6, 1, 3, 0, 0, 0, 126})
	f.Add([]byte{0, 4, 0, 0, 0, 6, 1, 6, 0, 1, 0xBE, 0xEF})
	f.Add([]byte{0, 5, 0, 0, 0, 11, 1, 16, 0, 0, 0, 2, 4, 0, 1, 0, 2})
	f.Add([]byte{0, 6, 0, 0, 0, 2, 1, 0x2B})
	f.Add([]byte{0, 7, 0, 1, 0, 6, 1, 3, 0, 0, 0, 1})
	f.Add([]byte{0, 8, 0, 0, 0xFF, 0xFF, 1})
	f.Add([]byte{})
	bank := NewBank(0, make([]uint16, 200))
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, n, err := DecodeFrame(b)
		if err != nil {
			return
		}
		if n < HeaderLen+1 || n > len(b) || len(fr.PDU) != n-HeaderLen {
			t.Fatalf("consumed %d of %d bytes with PDU of %d", n, len(b), len(fr.PDU))
		}
		if !bytes.Equal(AppendFrame(nil, fr), b[:n]) {
			t.Fatalf("re-encoded frame differs: % x vs % x", AppendFrame(nil, fr), b[:n])
		}
		req, err := DecodeRequest(fr.PDU)
		if err == nil && !bytes.Equal(req.Encode(), fr.PDU) {
			t.Fatalf("request round trip: got % x, want % x", req.Encode(), fr.PDU)
		}
		resp := HandlePDU(bank, fr.PDU)
		if len(resp) < 2 || len(resp) > MaxPDULen {
			t.Fatalf("reply PDU length %d", len(resp))
		}
		switch {
		case resp[0] == fr.PDU[0]|0x80:
			if len(resp) != 2 || err == nil && resp[1] != byte(IllegalDataAddress) {
				t.Fatalf("unexpected exception reply % x to % x", resp, fr.PDU)
			}
		case resp[0] == fr.PDU[0]:
			if err != nil {
				t.Fatalf("normal reply % x to a request the decoder rejected (%v)", resp, err)
			}
			if (req.Function == 3 || req.Function == 4) && (int(resp[1]) != 2*int(req.Quantity) || len(resp) != 2+int(resp[1])) {
				t.Fatalf("read reply % x does not match quantity %d", resp, req.Quantity)
			}
			if req.Function == 16 && binary.BigEndian.Uint16(resp[3:5]) != req.Quantity {
				t.Fatalf("write reply % x does not match quantity %d", resp, req.Quantity)
			}
		default:
			t.Fatalf("reply function %#x to request function %#x", resp[0], fr.PDU[0])
		}
		// ReadFrame agrees with DecodeFrame.
		rf, err := ReadFrame(bytes.NewReader(b))
		if err != nil || rf.TransactionID != fr.TransactionID || !bytes.Equal(rf.PDU, fr.PDU) {
			t.Fatalf("ReadFrame disagrees: %v", err)
		}
	})
}
