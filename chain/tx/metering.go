package tx

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/citychain/citychain/edge/reading"
)

// Message types of the metering module.
const (
	TypeMeteringSubmit = "metering/submit_readings"
	TypeMeteringAnchor = "metering/anchor"
	// TypeMeteringClearFraud clears a device's odometer fraud flag.
	TypeMeteringClearFraud = "metering/clear_fraud"
)

// RoleSettlement is the settlement relay: it alone submits signed readings
// and anchors intervals' Merkle roots.
const RoleSettlement = "settlement"

// MaxReadingsPerMsg bounds the readings in one submit message (a full
// message of the longest readings still fits in MaxTxBytes).
const MaxReadingsPerMsg = 150

// HexBytes is a byte string written as lowercase hex in JSON.
type HexBytes []byte

// String returns the lowercase hex.
func (h HexBytes) String() string { return hex.EncodeToString(h) }

// MarshalJSON implements json.Marshaler.
func (h HexBytes) MarshalJSON() ([]byte, error) { return json.Marshal(hex.EncodeToString(h)) }

// UnmarshalJSON implements json.Unmarshaler.
func (h *HexBytes) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("want a hex JSON string: %w", err)
	}
	if s != strings.ToLower(s) {
		return fmt.Errorf("hex %q: want lowercase", s)
	}
	v, err := hex.DecodeString(s)
	if err != nil {
		return fmt.Errorf("hex: %w", err)
	}
	*h = v
	return nil
}

// MsgSubmitReadings carries signed readings (the wire bytes of
// edge/reading) for the chain to verify and apply. Only the settlement
// relay (RoleSettlement) may send it; the chain still trusts the device
// signatures, not the relay, with the amounts. Each reading is accepted or
// rejected on its own (events say which and why); the message fails if it
// is malformed, or if none of its readings is accepted and none is new
// fraud evidence (CodeMeteringNoNewReadings), so a batch of replayed or
// forged readings never reaches a block.
type MsgSubmitReadings struct {
	Readings []HexBytes `json:"readings"`
}

// Type implements Msg.
func (*MsgSubmitReadings) Type() string { return TypeMeteringSubmit }

// ValidateBasic implements Msg: 1 to MaxReadingsPerMsg readings, each one
// decoding strictly (the signature is checked against the registry later).
func (m *MsgSubmitReadings) ValidateBasic() error {
	if len(m.Readings) == 0 || len(m.Readings) > MaxReadingsPerMsg {
		return fmt.Errorf("readings: %d given, want 1 to %d", len(m.Readings), MaxReadingsPerMsg)
	}
	var errs []error
	for i, w := range m.Readings {
		if _, err := reading.Decode(w); err != nil {
			errs = append(errs, fmt.Errorf("readings[%d]: %w", i, err))
		}
	}
	return errors.Join(errs...)
}

// ReadingsIn counts the signed readings msgs carry (the
// metering/submit_readings messages' readings), which the chain bounds per
// transaction and per block (MeteringParams).
func ReadingsIn(msgs []Msg) int {
	n := 0
	for _, m := range msgs {
		if s, ok := m.(*MsgSubmitReadings); ok {
			n += len(s.Readings)
		}
	}
	return n
}

// MsgAnchor records the RFC 6962 Merkle root of every reading stored for a
// closed settlement interval, so any stored reading can later be proven.
// Only the settlement role may send it.
type MsgAnchor struct {
	Interval uint64   `json:"interval"`
	Root     HexBytes `json:"root"`
	Count    uint64   `json:"count"`
}

// Type implements Msg.
func (*MsgAnchor) Type() string { return TypeMeteringAnchor }

// ValidateBasic implements Msg.
func (m *MsgAnchor) ValidateBasic() error {
	if len(m.Root) != 32 {
		return fmt.Errorf("root: %d bytes, want a 32-byte SHA-256 Merkle root", len(m.Root))
	}
	if m.Count == 0 {
		return errors.New("count: want at least one reading under the root")
	}
	return nil
}

// MsgClearFraud clears the fraud flag of a device whose signed value went
// backwards, after an investigation. The flag moves to the device's fraud
// history; nothing is forgotten. An authority or a vehicle registrar may
// send it.
type MsgClearFraud struct {
	Device string `json:"device"`
	Reason string `json:"reason"`
}

// Type implements Msg.
func (*MsgClearFraud) Type() string { return TypeMeteringClearFraud }

// ValidateBasic implements Msg.
func (m *MsgClearFraud) ValidateBasic() error {
	return errors.Join(ValidateDeviceID(m.Device), validateText("reason", m.Reason, 1, MaxFraudReason))
}

// MeteringMsgs is the metering module's part of the transaction contract.
var MeteringMsgs = ModuleMsgs{
	Module: "metering",
	Roles:  []string{RoleSettlement},
	Msgs: []MsgDef{
		{TypeMeteringSubmit, func() Msg { return &MsgSubmitReadings{} }, RoleSettlement},
		{TypeMeteringAnchor, func() Msg { return &MsgAnchor{} }, RoleSettlement},
		{TypeMeteringClearFraud, func() Msg { return &MsgClearFraud{} }, "an authority or " + RoleVehicleRegistrar},
	},
}

// CodespaceMetering is the codespace of the metering module's result codes.
const CodespaceMetering = "metering"

// Result codes of the metering module (see Code). Frozen: a released code
// never changes meaning.
var (
	CodeMeteringNotSettlement     = Code{CodespaceMetering, 2}  // signer lacks the settlement role
	CodeMeteringIntervalOpen      = Code{CodespaceMetering, 3}  // interval has not closed yet
	CodeMeteringInvalidGenesis    = Code{CodespaceMetering, 4}  // invalid metering genesis
	CodeMeteringAlreadyAnchored   = Code{CodespaceMetering, 5}  // interval already anchored
	CodeMeteringMalformedReadings = Code{CodespaceMetering, 6}  // malformed reading
	CodeMeteringNotClearer        = Code{CodespaceMetering, 7}  // signer may not clear fraud flags
	CodeMeteringNotFlagged        = Code{CodespaceMetering, 8}  // device has no fraud flag
	CodeMeteringNoNewReadings     = Code{CodespaceMetering, 9}  // no reading in the transaction is new and valid
	CodeMeteringTooManyReadings   = Code{CodespaceMetering, 10} // more readings than max_readings_per_tx
)
