package contracts

import (
	"encoding/binary"

	"github.com/citychain/citychain/chain/tx"
)

// Key prefixes inside the module's key space (store prefix 0x09). Frozen:
// never reuse a byte. A contract id is [a-z0-9-] (tx.ValidateProjectID),
// so the 0x00 after one ends it and one contract's keys of a family are
// contiguous; a milestone index is 4 bytes big-endian, a time 8 (unix
// seconds with the sign bit flipped), so byte order is numeric order.
const (
	prefixParams     byte = 0x01 // 0x01 -> tx.ContractsParams (JSON), only when the genesis set other than the defaults
	prefixContract   byte = 0x02 // 0x02 | id -> tx.Contract (JSON)
	prefixInstalment byte = 0x03 // 0x03 | id | 0x00 | milestone (4) | subcontractor (20) -> tx.Instalment (JSON)
	prefixLine       byte = 0x04 // 0x04 | id | 0x00 | tier | 0x00 | party (20) -> tx.ArrearsLine (JSON)
	prefixDue        byte = 0x05 // 0x05 | due (time) | id | 0x00 | milestone (4) | subcontractor (20) -> 0x01: an unpaid instalment not yet missed (derived)
	prefixParty      byte = 0x06 // 0x06 | party (20) | id -> 0x01: a contract the account takes part in (derived)
)

var paramsKey = []byte{prefixParams}

// named is prefix | id | 0x00.
func named(prefix byte, id string) []byte {
	return append(append([]byte{prefix}, id...), 0x00)
}

// timeBytes encodes unix seconds so that byte order is time order.
func timeBytes(t int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(t)^(1<<63)) }

func contractKey(id string) []byte { return append([]byte{prefixContract}, id...) }

func instalmentPrefix(id string) []byte { return named(prefixInstalment, id) }

// instalmentSuffix is milestone (4) | subcontractor (20).
func instalmentSuffix(milestone uint32, sub tx.Address) []byte {
	return append(binary.BigEndian.AppendUint32(nil, milestone), sub[:]...)
}

func instalmentKey(id string, milestone uint32, sub tx.Address) []byte {
	return append(instalmentPrefix(id), instalmentSuffix(milestone, sub)...)
}

func linePrefix(id string) []byte { return named(prefixLine, id) }

func lineKey(id, tier string, party tx.Address) []byte {
	return append(append(append(linePrefix(id), tier...), 0x00), party[:]...)
}

func dueKey(due int64, id string, milestone uint32, sub tx.Address) []byte {
	k := append([]byte{prefixDue}, timeBytes(due)...)
	return append(append(append(k, id...), 0x00), instalmentSuffix(milestone, sub)...)
}

func partyPrefix(party tx.Address) []byte { return append([]byte{prefixParty}, party[:]...) }

func partyKey(party tx.Address, id string) []byte { return append(partyPrefix(party), id...) }
