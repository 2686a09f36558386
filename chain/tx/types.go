package tx

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/bits"
	"strconv"
	"strings"
)

// AddressLen is the length of an account address in bytes.
const AddressLen = 20

// Address identifies an account: the first 20 bytes of SHA-256 of its
// ed25519 public key. In JSON and on the command line it is 40 lowercase hex
// characters.
type Address [AddressLen]byte

// AddressOf derives the address of an ed25519 public key.
func AddressOf(pub ed25519.PublicKey) Address {
	sum := sha256.Sum256(pub)
	var a Address
	copy(a[:], sum[:AddressLen])
	return a
}

// ParseAddress parses 40 hex characters.
func ParseAddress(s string) (Address, error) {
	var a Address
	if len(s) != 2*AddressLen {
		return a, fmt.Errorf("address %q: want %d hex characters, got %d", s, 2*AddressLen, len(s))
	}
	if s != strings.ToLower(s) {
		return a, fmt.Errorf("address %q: want lowercase hex", s)
	}
	if _, err := hex.Decode(a[:], []byte(s)); err != nil {
		return a, fmt.Errorf("address %q: %w", s, err)
	}
	return a, nil
}

// String returns the address as lowercase hex.
func (a Address) String() string { return hex.EncodeToString(a[:]) }

// IsZero reports whether the address is unset.
func (a Address) IsZero() bool { return a == Address{} }

// MarshalJSON implements json.Marshaler.
func (a Address) MarshalJSON() ([]byte, error) { return json.Marshal(a.String()) }

// UnmarshalJSON implements json.Unmarshaler.
func (a *Address) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("address: want a JSON string: %w", err)
	}
	v, err := ParseAddress(s)
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// PubKey is an ed25519 public key, hex in JSON.
type PubKey []byte

// ParsePubKey parses 64 hex characters.
func ParsePubKey(s string) (PubKey, error) {
	if len(s) != 2*ed25519.PublicKeySize {
		return nil, fmt.Errorf("public key %q: want %d hex characters, got %d", s, 2*ed25519.PublicKeySize, len(s))
	}
	if s != strings.ToLower(s) {
		return nil, fmt.Errorf("public key %q: want lowercase hex", s)
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("public key %q: %w", s, err)
	}
	return b, nil
}

// String returns the key as lowercase hex.
func (p PubKey) String() string { return hex.EncodeToString(p) }

// Address derives the key's account address.
func (p PubKey) Address() Address { return AddressOf(ed25519.PublicKey(p)) }

// MarshalJSON implements json.Marshaler.
func (p PubKey) MarshalJSON() ([]byte, error) { return json.Marshal(p.String()) }

// UnmarshalJSON implements json.Unmarshaler.
func (p *PubKey) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("public key: want a JSON string: %w", err)
	}
	v, err := ParsePubKey(s)
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// Denominations.
const (
	DenomSCoin = "uscn" // S-Coin, in micro-units (10^-6)
	DenomKRW   = "ukrw" // KRW deposit token issued by a partner bank
)

// Coin is an amount of one denomination in integer micro-units. In JSON and
// on the command line it is written as digits followed by the denomination,
// e.g. "1000000uscn".
type Coin struct {
	Amount uint64
	Denom  string
}

// ParseCoin parses "<digits><denom>", e.g. "1000000uscn". Leading zeros,
// signs, decimals and empty parts are rejected.
func ParseCoin(s string) (Coin, error) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return Coin{}, fmt.Errorf("amount %q: want digits followed by a denomination, e.g. 1000000uscn", s)
	}
	if i > 1 && s[0] == '0' {
		return Coin{}, fmt.Errorf("amount %q: leading zeros are not allowed", s)
	}
	n, err := strconv.ParseUint(s[:i], 10, 64)
	if err != nil {
		return Coin{}, fmt.Errorf("amount %q: does not fit in 64 bits", s)
	}
	denom := s[i:]
	if err := ValidateDenom(denom); err != nil {
		return Coin{}, fmt.Errorf("amount %q: %w", s, err)
	}
	return Coin{Amount: n, Denom: denom}, nil
}

// ValidateDenom checks a denomination name: 3 to 16 lowercase letters.
func ValidateDenom(d string) error {
	if len(d) < 3 || len(d) > 16 {
		return fmt.Errorf("denomination %q: want 3 to 16 lowercase letters", d)
	}
	for _, c := range d {
		if c < 'a' || c > 'z' {
			return fmt.Errorf("denomination %q: want 3 to 16 lowercase letters", d)
		}
	}
	return nil
}

// String formats the coin as "<amount><denom>".
func (c Coin) String() string { return strconv.FormatUint(c.Amount, 10) + c.Denom }

// MarshalJSON implements json.Marshaler.
func (c Coin) MarshalJSON() ([]byte, error) { return json.Marshal(c.String()) }

// UnmarshalJSON implements json.Unmarshaler.
func (c *Coin) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("amount: want a JSON string like \"1000uscn\": %w", err)
	}
	v, err := ParseCoin(s)
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// AddUint64 returns a+b, or ok=false on overflow.
func AddUint64(a, b uint64) (uint64, bool) {
	s, carry := bits.Add64(a, b, 0)
	return s, carry == 0
}

// SubUint64 returns a-b, or ok=false when b > a.
func SubUint64(a, b uint64) (uint64, bool) {
	d, borrow := bits.Sub64(a, b, 0)
	return d, borrow == 0
}

// MulUint64 returns a*b, or ok=false on overflow.
func MulUint64(a, b uint64) (uint64, bool) {
	hi, lo := bits.Mul64(a, b)
	return lo, hi == 0
}

// ModuleAddress is the account a module holds funds in (escrow, budgets):
// the first 20 bytes of SHA-256 of "module/<name>". No key controls it; only
// the module's own state transitions move its funds.
func ModuleAddress(name string) Address {
	sum := sha256.Sum256([]byte("module/" + name))
	var a Address
	copy(a[:], sum[:AddressLen])
	return a
}
