package devices

import "github.com/citychain/citychain/chain/tx"

// Key prefixes inside the module's key space. Frozen: never reuse a byte.
const (
	prefixDevice byte = 0x01 // 0x01 | id -> Device (JSON)
	prefixOwner  byte = 0x02 // 0x02 | owner address(20) | id -> 0x01
)

func deviceKey(id string) []byte { return append([]byte{prefixDevice}, id...) }

func ownerPrefix(a tx.Address) []byte { return append([]byte{prefixOwner}, a[:]...) }

func ownerKey(a tx.Address, id string) []byte { return append(ownerPrefix(a), id...) }
