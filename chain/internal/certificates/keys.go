package certificates

import (
	"encoding/binary"

	"github.com/citychain/citychain/chain/tx"
)

// Key prefixes inside the module's key space. Frozen: never reuse a byte.
const (
	prefixParams     byte = 0x01 // 0x01 -> tx.CertificateParams (JSON)
	prefixKind       byte = 0x02 // 0x02 | kind id -> tx.CertificateKind (JSON)
	prefixAgency     byte = 0x03 // 0x03 | address (20) -> tx.Agency (JSON)
	prefixKey        byte = 0x04 // 0x04 | ed25519 key (32) -> tx.AgencyKey (JSON)
	prefixAnchor     byte = 0x05 // 0x05 | id (8, BE) -> tx.CertificateAnchor (JSON)
	prefixKindAnchor byte = 0x06 // 0x06 | kind id | 0x00 | id (8, BE) -> 0x01: the anchors of a kind
	prefixRevocation byte = 0x07 // 0x07 | leaf (32) -> tx.Revocation (JSON)
	prefixCounters   byte = 0x08 // 0x08 -> Counters (JSON)
)

var (
	paramsKey   = []byte{prefixParams}
	countersKey = []byte{prefixCounters}
)

func kindKey(id string) []byte { return append([]byte{prefixKind}, id...) }

func agencyKey(a tx.Address) []byte { return append([]byte{prefixAgency}, a[:]...) }

func keyKey(k tx.PubKey) []byte { return append([]byte{prefixKey}, k...) }

func anchorKey(id uint64) []byte { return binary.BigEndian.AppendUint64([]byte{prefixAnchor}, id) }

// kindAnchorPrefix is the prefix of a kind's anchor index: kind ids hold
// no 0x00 byte, so the separator keeps "a" from listing "ab"'s anchors.
func kindAnchorPrefix(kind string) []byte {
	return append(append([]byte{prefixKindAnchor}, kind...), 0x00)
}

func kindAnchorKey(kind string, id uint64) []byte {
	return binary.BigEndian.AppendUint64(kindAnchorPrefix(kind), id)
}

func revocationKey(leaf tx.Hash32) []byte { return append([]byte{prefixRevocation}, leaf[:]...) }
