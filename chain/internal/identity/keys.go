package identity

import (
	"github.com/citychain/citychain/chain/tx"
)

// Key prefixes inside the module's key space. Frozen: never reuse a byte.
const (
	prefixParams   byte = 0x01 // 0x01 -> Params (JSON); absent: the defaults
	prefixIdentity byte = 0x02 // 0x02 | id (20) -> Identity (JSON)
	prefixKey      byte = 0x03 // 0x03 | key address (20) -> identity id (20): every device key ever added
	prefixFacility byte = 0x04 // 0x04 | facility id -> Facility (JSON)
	prefixBar      byte = 0x05 // 0x05 | facility id | 0x00 | pseudonym (32) -> Bar (JSON)
	prefixCounter  byte = 0x06 // 0x06 -> Counters (JSON)
	prefixKind     byte = 0x07 // 0x07 | kind -> facilities of the kind (8, BE)
)

var (
	paramsKey  = []byte{prefixParams}
	counterKey = []byte{prefixCounter}
)

func identityKey(id tx.Address) []byte { return append([]byte{prefixIdentity}, id[:]...) }

func keyIndexKey(addr tx.Address) []byte { return append([]byte{prefixKey}, addr[:]...) }

func facilityKey(id string) []byte { return append([]byte{prefixFacility}, id...) }

func barPrefix(facility string) []byte { return append(append([]byte{prefixBar}, facility...), 0x00) }
func barKey(facility string, pseudonym tx.Hash32) []byte {
	return append(barPrefix(facility), pseudonym[:]...)
}

func kindKey(kind string) []byte { return append([]byte{prefixKind}, kind...) }
