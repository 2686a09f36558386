package credentials

import (
	"encoding/binary"

	"github.com/citychain/citychain/chain/tx"
)

// Key prefixes inside the module's key space. Frozen: never reuse a byte.
const (
	prefixParams        byte = 0x01 // 0x01 -> Params (JSON)
	prefixCounters      byte = 0x02 // 0x02 -> Counters (JSON)
	prefixSchema        byte = 0x03 // 0x03 | schema id -> tx.Schema (JSON)
	prefixAccreditation byte = 0x04 // 0x04 | issuer (20) | schema id -> tx.Accreditation (JSON)
	prefixVerifier      byte = 0x05 // 0x05 | verifier id -> tx.Verifier (JSON)
	prefixList          byte = 0x06 // 0x06 | owner (20) | name -> tx.StatusList (JSON)
	prefixChunk         byte = 0x07 // 0x07 | owner (20) | name | 0x00 | chunk (4, BE) -> 1024 raw bytes; absent = all zero
	prefixAnchor        byte = 0x08 // 0x08 | id (8, BE) -> tx.CredentialAnchor (JSON)
	prefixClaim         byte = 0x09 // 0x09 | claim | 0x00 | schema id -> 0x01: the schemas carrying a claim (index)
)

var (
	paramsKey   = []byte{prefixParams}
	countersKey = []byte{prefixCounters}
)

func schemaKey(id string) []byte { return append([]byte{prefixSchema}, id...) }

func accreditationPrefix(issuer tx.Address) []byte {
	return append([]byte{prefixAccreditation}, issuer[:]...)
}
func accreditationKey(issuer tx.Address, schema string) []byte {
	return append(accreditationPrefix(issuer), schema...)
}

func verifierKey(id string) []byte { return append([]byte{prefixVerifier}, id...) }

func listPrefix(owner tx.Address) []byte { return append([]byte{prefixList}, owner[:]...) }
func listKey(owner tx.Address, name string) []byte {
	return append(listPrefix(owner), name...)
}

// chunkPrefix is the prefix of a list's chunks: a name holds no 0x00, so
// one list's chunks are contiguous and in chunk order.
func chunkPrefix(owner tx.Address, name string) []byte {
	k := append([]byte{prefixChunk}, owner[:]...)
	return append(append(k, name...), 0x00)
}
func chunkKey(owner tx.Address, name string, chunk uint32) []byte {
	return binary.BigEndian.AppendUint32(chunkPrefix(owner, name), chunk)
}

func anchorKey(id uint64) []byte { return binary.BigEndian.AppendUint64([]byte{prefixAnchor}, id) }

func claimPrefix(claim string) []byte { return append(append([]byte{prefixClaim}, claim...), 0x00) }
func claimKey(claim, schema string) []byte {
	return append(claimPrefix(claim), schema...)
}

// StateKey is the full state key (with the module's store prefix) of a
// list's chunk, whose proof proves the chunk's bits (absence: all clear).
func StateKey(prefix byte, owner tx.Address, name string, chunk uint32) []byte {
	return append([]byte{prefix}, chunkKey(owner, name, chunk)...)
}
