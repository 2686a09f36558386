package wallet

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"strconv"
)

// DeriveKey is the ed25519 key of label under seed:
// ed25519.NewKeyFromSeed(HMAC-SHA256(seed, label)).
func DeriveKey(seed []byte, label string) ed25519.PrivateKey {
	m := hmac.New(sha256.New, seed)
	m.Write([]byte(label))
	return ed25519.NewKeyFromSeed(m.Sum(nil))
}

// DeviceLabel is the label of device key n: "citychain/device/v1/<n>".
func DeviceLabel(n uint32) string { return "citychain/device/v1/" + strconv.FormatUint(uint64(n), 10) }

// SlotLabel is the label of slot key n: "citychain/slot/v1/<n>".
func SlotLabel(n uint32) string { return "citychain/slot/v1/" + strconv.FormatUint(uint64(n), 10) }
