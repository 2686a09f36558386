package tx

import (
	"fmt"

	"github.com/citychain/citychain/edge/signature"
)

// ValidatePubKey checks a public key where it is registered: a device's
// key (devices/register, devices/rotate_key, the devices genesis), a
// validator's key (validators/set_power) and the key that signs an
// envelope, which becomes its account's key. Signatures
// verify under ZIP-215 (edge/signature), which accepts a forged signature
// over any message under a small-order key, so such keys are refused, as
// are keys of the wrong size, non-points and non-canonical encodings: no
// key generation makes one. field names the key in the error.
func ValidatePubKey(field string, k PubKey) error {
	if len(k) != signature.PublicKeySize {
		return fmt.Errorf("%s: want a %d-byte ed25519 public key, got %d bytes", field, signature.PublicKeySize, len(k))
	}
	if err := signature.CheckPublicKey(k); err != nil {
		return fmt.Errorf("%s %s: %w; want a key made by ed25519 key generation", field, k, err)
	}
	return nil
}
