package auth

import "github.com/citychain/citychain/chain/tx"

// Key prefixes inside the module's key space. Frozen: never reuse a byte.
const (
	prefixAccount   byte = 0x01 // 0x01 | address(20) -> Account (JSON)
	prefixRoles     byte = 0x02 // 0x02 | address(20) -> sorted role names (JSON array)
	prefixMembers   byte = 0x03 // 0x03 | role | 0x00 | address(20) -> 0x01
	prefixAuthority byte = 0x04 // 0x04 | address(20) -> 0x01
)

func accountKey(a tx.Address) []byte { return append([]byte{prefixAccount}, a[:]...) }
func rolesKey(a tx.Address) []byte   { return append([]byte{prefixRoles}, a[:]...) }
func authorityKey(a tx.Address) []byte {
	return append([]byte{prefixAuthority}, a[:]...)
}

func membersPrefix(role string) []byte {
	return append(append([]byte{prefixMembers}, role...), 0x00)
}

func memberKey(role string, a tx.Address) []byte { return append(membersPrefix(role), a[:]...) }
