package auth

import (
	"encoding/binary"
	"time"

	"github.com/citychain/citychain/chain/tx"
)

// Key prefixes inside the module's key space. Frozen: never reuse a byte.
const (
	prefixAccount   byte = 0x01 // 0x01 | address(20) -> Account (JSON)
	prefixRoles     byte = 0x02 // 0x02 | address(20) -> sorted role names (JSON array)
	prefixMembers   byte = 0x03 // 0x03 | role | 0x00 | address(20) -> 0x01
	prefixAuthority byte = 0x04 // 0x04 | address(20) -> 0x01
	prefixProposal  byte = 0x05 // 0x05 | id(32) -> tx.Proposal (JSON)
	prefixExpiry    byte = 0x06 // 0x06 | expires(8, unix ns big-endian) | id(32) -> 0x01
	prefixParams    byte = 0x07 // 0x07 -> tx.AuthParams (JSON); absent: the defaults
	prefixPending   byte = 0x08 // 0x08 | address(20) -> uint64 (8 bytes big-endian): pending proposals the authority approved; absent: 0
)

var paramsKey = []byte{prefixParams}

func accountKey(a tx.Address) []byte { return append([]byte{prefixAccount}, a[:]...) }
func rolesKey(a tx.Address) []byte   { return append([]byte{prefixRoles}, a[:]...) }
func authorityKey(a tx.Address) []byte {
	return append([]byte{prefixAuthority}, a[:]...)
}

func membersPrefix(role string) []byte {
	return append(append([]byte{prefixMembers}, role...), 0x00)
}

func memberKey(role string, a tx.Address) []byte { return append(membersPrefix(role), a[:]...) }

func pendingKey(a tx.Address) []byte { return append([]byte{prefixPending}, a[:]...) }

func proposalKey(id tx.ProposalID) []byte { return append([]byte{prefixProposal}, id[:]...) }

// expiryNanos is t as the unsigned nanoseconds of the expiry index (times
// before 1970, which no block has, sort first).
func expiryNanos(t time.Time) uint64 {
	if n := t.UnixNano(); n > 0 {
		return uint64(n)
	}
	return 0
}

func expiryKey(t time.Time, id tx.ProposalID) []byte {
	k := binary.BigEndian.AppendUint64([]byte{prefixExpiry}, expiryNanos(t))
	return append(k, id[:]...)
}

// expiryEnd is the end (exclusive) of the index entries that expire at or
// before t.
func expiryEnd(t time.Time) []byte {
	n := expiryNanos(t)
	if n == ^uint64(0) {
		return []byte{prefixExpiry + 1}
	}
	return binary.BigEndian.AppendUint64([]byte{prefixExpiry}, n+1)
}
