package bank

import "github.com/citychain/citychain/chain/tx"

// Key prefixes inside the module's key space. Frozen: never reuse a byte.
const (
	prefixBalance byte = 0x01 // 0x01 | address(20) | denom -> amount (uint64, 8 bytes big-endian)
	prefixSupply  byte = 0x02 // 0x02 | denom -> total supply (uint64, 8 bytes big-endian)
	prefixDenom   byte = 0x03 // 0x03 | denom -> 0x01 (the denomination exists)
)

func balancePrefix(a tx.Address) []byte { return append([]byte{prefixBalance}, a[:]...) }
func balanceKey(a tx.Address, denom string) []byte {
	return append(balancePrefix(a), denom...)
}
func supplyKey(denom string) []byte { return append([]byte{prefixSupply}, denom...) }
func denomKey(denom string) []byte  { return append([]byte{prefixDenom}, denom...) }

// EncodeAmount is the stored form of an amount (tx.EncodeAmount: 8 bytes,
// big-endian), the value of the balance and supply keys.
func EncodeAmount(v uint64) []byte { return tx.EncodeAmount(v) }

// DecodeAmount reads a stored amount; nil (absent) is zero.
func DecodeAmount(b []byte) (uint64, error) { return tx.DecodeAmount(b) }
