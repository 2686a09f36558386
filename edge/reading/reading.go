// Package reading is the contract for a signed meter reading: the value a
// gateway (edge agent) signs with a device key, publishes over MQTT, and the
// settlement service and the chain verify.
//
// The encoding is a fixed binary layout (see docs/reading-format.md):
//
//	body = version(1) | kind(1) | id_len(1) | device_id(id_len) |
//	       key_epoch(u32) | seq(u64) | time_ms(i64) | value(u64)
//	wire = body | ed25519 signature(64)
//
// All integers are big-endian. The signature covers DomainTag || body.
// Decoding is strict: exact lengths, known version and kind, device id
// charset, no trailing bytes. A decoded reading re-encodes to the same bytes.
//
// This package imports nothing from chain, settlement or api: they import it.
// Signatures verify under edge/signature's rule (ZIP-215), everywhere.
package reading

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/citychain/citychain/edge/signature"
)

// Version is the only layout version this package encodes and accepts.
const Version byte = 1

// DomainTag is prepended to the body before signing so a reading signature
// can never be confused with a signature over any other citychain message.
const DomainTag = "citychain/reading/v1"

// Sizes of the encoding.
const (
	MaxDeviceIDLen = 64
	SignatureSize  = ed25519.SignatureSize
	// fixedBodySize is the body without the device id bytes:
	// version, kind, id_len, key_epoch, seq, time_ms, value.
	fixedBodySize = 1 + 1 + 1 + 4 + 8 + 8 + 8
	// MinWireSize is the smallest valid wire message (1-byte device id).
	MinWireSize = fixedBodySize + 1 + SignatureSize
	// MaxWireSize is the largest valid wire message (64-byte device id).
	MaxWireSize = fixedBodySize + MaxDeviceIDLen + SignatureSize
)

// Kind is the quantity a reading measures. Values are cumulative over the
// lifetime of the device, so two readings bound any interval.
type Kind uint8

// Known kinds. The numbers are part of the wire format and never change;
// new kinds get new numbers.
const (
	// KindEnergyWh is cumulative lifetime energy in watt-hours (inverters).
	KindEnergyWh Kind = 1
	// KindOdometerM is a cumulative odometer in metres (vehicles).
	KindOdometerM Kind = 2
)

var kindNames = [...]string{KindEnergyWh: "energy_wh", KindOdometerM: "odometer_m"}

// String returns the configuration name of the kind ("energy_wh").
func (k Kind) String() string {
	if k.Valid() {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k == KindEnergyWh || k == KindOdometerM }

// ParseKind maps a configuration name ("energy_wh", "odometer_m") to a Kind.
func ParseKind(s string) (Kind, error) {
	for k, name := range kindNames {
		if name != "" && name == s {
			return Kind(k), nil
		}
	}
	return 0, fmt.Errorf("kind %q: want energy_wh or odometer_m: %w", s, ErrInvalid)
}

// Device kinds, as the chain's device registry names them (chain/tx
// declares its KindSolarInverter and KindEVOdometer from these). Each kind
// of device measures one kind of reading; see MeasuredBy.
const (
	DeviceSolarInverter = "solar_inverter" // measures KindEnergyWh
	DeviceEVOdometer    = "ev_odometer"    // measures KindOdometerM
)

// MeasuredBy reports whether a device of deviceKind measures readings of
// kind k: only such readings of the device are accepted (by settlement and
// by the chain).
func (k Kind) MeasuredBy(deviceKind string) bool {
	switch deviceKind {
	case DeviceSolarInverter:
		return k == KindEnergyWh
	case DeviceEVOdometer:
		return k == KindOdometerM
	}
	return false
}

// Errors. Every decoding or validation failure wraps ErrInvalid (usually as a
// *FieldError naming the field); a signature mismatch is ErrBadSignature.
var (
	ErrInvalid      = errors.New("invalid reading")
	ErrBadSignature = errors.New("reading signature does not verify")
)

// FieldError says which field of a reading was wrong, what it was and what
// was expected. It wraps ErrInvalid.
type FieldError struct {
	Field string
	Got   string
	Want  string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("reading %s: got %s, want %s", e.Field, e.Got, e.Want)
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *FieldError) Unwrap() error { return ErrInvalid }

func fieldErr(field, want, gotFormat string, args ...any) error {
	return &FieldError{Field: field, Got: fmt.Sprintf(gotFormat, args...), Want: want}
}

// Reading is one cumulative meter value of one device. It is unsigned; see
// Signed.
type Reading struct {
	DeviceID string // 1..64 bytes of [a-z0-9._-]
	KeyEpoch uint32 // which registered key of the device signs this reading
	Seq      uint64 // per device, strictly increasing, starts at 1
	TimeMs   int64  // unix milliseconds, >= 0
	Kind     Kind
	Value    uint64 // cumulative value in the kind's unit
}

// Validate checks every field against the rules of the format.
func (r Reading) Validate() error {
	if err := ValidateDeviceID(r.DeviceID); err != nil {
		return err
	}
	if r.Seq == 0 {
		return fieldErr("seq", ">= 1", "0")
	}
	if r.TimeMs < 0 {
		return fieldErr("time_ms", ">= 0", "%d", r.TimeMs)
	}
	if !r.Kind.Valid() {
		return fieldErr("kind", "1 (energy_wh) or 2 (odometer_m)", "%d", uint8(r.Kind))
	}
	return nil
}

// ValidateDeviceID checks a device id: 1..64 bytes of [a-z0-9._-].
func ValidateDeviceID(id string) error {
	if len(id) == 0 || len(id) > MaxDeviceIDLen {
		return fieldErr("device_id", "1..64 bytes", "%d bytes", len(id))
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return fieldErr("device_id", "only [a-z0-9._-]", "byte 0x%02x at offset %d", c, i)
		}
	}
	return nil
}

// Body returns the canonical body encoding (what is signed, after the
// domain tag).
func (r Reading) Body() ([]byte, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return r.appendBody(make([]byte, 0, fixedBodySize+len(r.DeviceID)+SignatureSize)), nil
}

func (r Reading) appendBody(b []byte) []byte {
	b = append(b, Version, byte(r.Kind), byte(len(r.DeviceID)))
	b = append(b, r.DeviceID...)
	b = binary.BigEndian.AppendUint32(b, r.KeyEpoch)
	b = binary.BigEndian.AppendUint64(b, r.Seq)
	b = binary.BigEndian.AppendUint64(b, uint64(r.TimeMs))
	b = binary.BigEndian.AppendUint64(b, r.Value)
	return b
}

// SigningBytes returns DomainTag || body, the exact message ed25519 signs.
func (r Reading) SigningBytes() ([]byte, error) {
	body, err := r.Body()
	if err != nil {
		return nil, err
	}
	return append([]byte(DomainTag), body...), nil
}

// Sign validates r and signs it with an ed25519 private key.
func (r Reading) Sign(priv ed25519.PrivateKey) (Signed, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return Signed{}, fmt.Errorf("sign reading: private key is %d bytes, want %d", len(priv), ed25519.PrivateKeySize)
	}
	msg, err := r.SigningBytes()
	if err != nil {
		return Signed{}, err
	}
	s := Signed{Reading: r}
	copy(s.Signature[:], ed25519.Sign(priv, msg))
	return s, nil
}

// Signed is a reading with its ed25519 signature.
type Signed struct {
	Reading
	Signature [SignatureSize]byte
}

// Encode returns the wire bytes: body || signature.
func (s Signed) Encode() ([]byte, error) {
	body, err := s.Body()
	if err != nil {
		return nil, err
	}
	return append(body, s.Signature[:]...), nil
}

// Verify checks the signature against a device public key, under the
// project's one verification rule (edge/signature: ZIP-215), the rule the
// chain and settlement apply, alone or in a batch.
func (s Signed) Verify(pub ed25519.PublicKey) error {
	if len(pub) != ed25519.PublicKeySize {
		return fmt.Errorf("verify reading: public key is %d bytes, want %d", len(pub), ed25519.PublicKeySize)
	}
	msg, err := s.SigningBytes()
	if err != nil {
		return err
	}
	if !signature.Verify(pub, msg, s.Signature[:]) {
		return fmt.Errorf("device %q seq %d: %w", s.DeviceID, s.Seq, ErrBadSignature)
	}
	return nil
}

// ID is a stable identifier of a signed reading: sha256 of its wire bytes.
// Two different signatures over the same reading have different IDs;
// consumers deduplicate on (device, seq), not on ID.
func (s Signed) ID() ([32]byte, error) {
	wire, err := s.Encode()
	if err != nil {
		return [32]byte{}, err
	}
	return sha256.Sum256(wire), nil
}

// Decode parses wire bytes strictly. It does not verify the signature; call
// Verify with the device's registered key for that.
func Decode(wire []byte) (Signed, error) {
	n := len(wire)
	if n < MinWireSize {
		return Signed{}, fieldErr("length", fmt.Sprintf("%d..%d bytes", MinWireSize, MaxWireSize), "%d bytes", n)
	}
	if n > MaxWireSize {
		return Signed{}, fieldErr("length", fmt.Sprintf("%d..%d bytes", MinWireSize, MaxWireSize), "%d bytes", n)
	}
	if wire[0] != Version {
		return Signed{}, fieldErr("version", fmt.Sprintf("%d", Version), "%d", wire[0])
	}
	kind := Kind(wire[1])
	if !kind.Valid() {
		return Signed{}, fieldErr("kind", "1 (energy_wh) or 2 (odometer_m)", "%d", wire[1])
	}
	idLen := int(wire[2])
	if idLen < 1 || idLen > MaxDeviceIDLen {
		return Signed{}, fieldErr("device_id length", "1..64", "%d", idLen)
	}
	if want := fixedBodySize + idLen + SignatureSize; n != want {
		return Signed{}, fieldErr("length", fmt.Sprintf("exactly %d bytes for a %d-byte device id", want, idLen), "%d bytes", n)
	}
	p := wire[3:]
	s := Signed{Reading: Reading{DeviceID: string(p[:idLen]), Kind: kind}}
	p = p[idLen:]
	s.KeyEpoch = binary.BigEndian.Uint32(p)
	s.Seq = binary.BigEndian.Uint64(p[4:])
	s.TimeMs = int64(binary.BigEndian.Uint64(p[12:]))
	s.Value = binary.BigEndian.Uint64(p[20:])
	copy(s.Signature[:], p[28:])
	if err := s.Validate(); err != nil {
		return Signed{}, err
	}
	return s, nil
}

// DecodeVerify decodes wire bytes and verifies the signature with pub.
func DecodeVerify(wire []byte, pub ed25519.PublicKey) (Signed, error) {
	s, err := Decode(wire)
	if err != nil {
		return Signed{}, err
	}
	if err := s.Verify(pub); err != nil {
		return Signed{}, err
	}
	return s, nil
}
