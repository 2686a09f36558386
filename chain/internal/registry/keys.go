package registry

import (
	"encoding/binary"
	"time"

	"github.com/citychain/citychain/chain/tx"
)

// Key prefixes inside the module's key space (store prefix 0x11). Frozen:
// never reuse a byte. A registry name, role, state, transition or field
// name is [a-z0-9_], so the 0x00 after one ends it and one registry's keys
// of a family are contiguous.
const (
	prefixRegistry byte = 0x01 // 0x01 | name -> tx.Registry (JSON)
	prefixProposal byte = 0x02 // 0x02 | def id (32) -> tx.RegistryProposal (JSON)
	prefixSchema   byte = 0x03 // 0x03 | schema id (32) -> the schema's canonical JSON (RFC 8785)
	prefixCount    byte = 0x04 // 0x04 | name -> records of the registry (8, BE); the last id (derived)
	prefixTally    byte = 0x05 // 0x05 | name | 0x00 | state -> records in the state (8, BE); absent: none (derived)
	prefixRecord   byte = 0x06 // 0x06 | name | 0x00 | id (8, BE) -> tx.RegistryRecord (JSON)
	prefixStep     byte = 0x07 // 0x07 | name | 0x00 | id (8, BE) | version (8, BE) -> tx.RegistryStep (JSON)
	prefixInState  byte = 0x08 // 0x08 | name | 0x00 | state | 0x00 | id (8, BE) -> 0x01 (derived)
	prefixIndex    byte = 0x09 // 0x09 | name | 0x00 | field | 0x00 | len (2, BE) | value | id (8, BE) -> id (8, BE) (derived)
	prefixGrant    byte = 0x0a // 0x0a | name | 0x00 | role | 0x00 | grantee (20) -> tx.RegistryGrant (JSON)
	prefixApproval byte = 0x0b // 0x0b | name | 0x00 | id (8, BE) | version (8, BE) | transition | 0x00 | patch hash (32) -> tx.RegistryApproval (JSON)
	prefixDeadline byte = 0x0c // 0x0c | due (8: unix ns, sign bit flipped, BE) | name | 0x00 | id (8, BE) -> Deadline (JSON)
	prefixDue      byte = 0x0d // 0x0d | name | 0x00 | id (8, BE) -> the record's queued due time (8, as in 0x0c) (derived)
)

func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

// named is prefix | name | 0x00.
func named(prefix byte, name string) []byte {
	return append(append([]byte{prefix}, name...), 0x00)
}

func registryKey(name string) []byte { return append([]byte{prefixRegistry}, name...) }

func proposalKey(id tx.Hash32) []byte { return append([]byte{prefixProposal}, id[:]...) }

func schemaKey(id [32]byte) []byte { return append([]byte{prefixSchema}, id[:]...) }

func countKey(name string) []byte { return append([]byte{prefixCount}, name...) }

func tallyKey(name, state string) []byte { return append(named(prefixTally, name), state...) }

func recordPrefix(name string) []byte { return named(prefixRecord, name) }
func recordKey(name string, id uint64) []byte {
	return binary.BigEndian.AppendUint64(recordPrefix(name), id)
}

func stepPrefix(name string, id uint64) []byte {
	return binary.BigEndian.AppendUint64(named(prefixStep, name), id)
}
func stepKey(name string, id, version uint64) []byte {
	return binary.BigEndian.AppendUint64(stepPrefix(name, id), version)
}

func inStatePrefix(name, state string) []byte {
	return append(append(named(prefixInState, name), state...), 0x00)
}
func inStateKey(name, state string, id uint64) []byte {
	return binary.BigEndian.AppendUint64(inStatePrefix(name, state), id)
}

// indexPrefix is the prefix of the ids whose field holds value: the value
// is length-prefixed, so no value's entries run into another's.
func indexPrefix(name, field, value string) []byte {
	k := append(append(named(prefixIndex, name), field...), 0x00)
	k = binary.BigEndian.AppendUint16(k, uint16(len(value)))
	return append(k, value...)
}
func indexKey(name, field, value string, id uint64) []byte {
	return binary.BigEndian.AppendUint64(indexPrefix(name, field, value), id)
}

func grantPrefix(name string) []byte { return named(prefixGrant, name) }
func grantKey(name, role string, grantee tx.Address) []byte {
	return append(append(append(grantPrefix(name), role...), 0x00), grantee[:]...)
}

func approvalPrefix(name string, id uint64) []byte {
	return binary.BigEndian.AppendUint64(named(prefixApproval, name), id)
}
func approvalKey(name string, id, version uint64, transition string, patch tx.Hash32) []byte {
	k := binary.BigEndian.AppendUint64(approvalPrefix(name, id), version)
	return append(append(append(k, transition...), 0x00), patch[:]...)
}

// dueBytes encodes a time so that byte order is time order: unix
// nanoseconds with the sign bit flipped, big-endian.
func dueBytes(t time.Time) []byte { return u64(uint64(t.UnixNano()) ^ (1 << 63)) }

func deadlineKey(due time.Time, name string, id uint64) []byte {
	k := append([]byte{prefixDeadline}, dueBytes(due)...)
	return binary.BigEndian.AppendUint64(append(append(k, name...), 0x00), id)
}

func dueKey(name string, id uint64) []byte {
	return binary.BigEndian.AppendUint64(named(prefixDue, name), id)
}
