package tx

import (
	"errors"
	"fmt"
	"unicode"
	"unicode/utf8"
)

// Message types of the validators module.
const TypeValidatorSetPower = "validators/set_power"

// MaxValidatorPower bounds one validator's voting power. With the default
// limit of 100 validators the total stays far below CometBFT's maximum total
// voting power (2^63/8).
const MaxValidatorPower uint64 = 1_000_000_000_000

// MaxValidatorName bounds a validator's name in bytes.
const MaxValidatorName = 64

// MsgValidatorSetPower adds a validator, changes its power or name, or
// removes it (power 0). It is an authority action: it runs when
// authority_threshold authorities have sent or approved it. PubKey is the
// validator's CometBFT consensus key (ed25519, 32 bytes), as printed by
// `citychain init` and `citychain show-validator`.
type MsgValidatorSetPower struct {
	PubKey PubKey `json:"pub_key"`
	Power  uint64 `json:"power"`
	Name   string `json:"name,omitempty"`
}

// Type implements Msg.
func (*MsgValidatorSetPower) Type() string { return TypeValidatorSetPower }

// ValidateBasic implements Msg.
func (m *MsgValidatorSetPower) ValidateBasic() error {
	var errs []error
	errs = append(errs, requireDeviceKey("pub_key", m.PubKey))
	if m.Power > MaxValidatorPower {
		errs = append(errs, fmt.Errorf("power %d: want at most %d", m.Power, MaxValidatorPower))
	}
	errs = append(errs, ValidateValidatorName(m.Name))
	return errors.Join(errs...)
}

// ValidateValidatorName checks a validator name: at most 64 bytes of
// printable UTF-8.
func ValidateValidatorName(name string) error {
	if len(name) > MaxValidatorName {
		return fmt.Errorf("name %q: %d bytes, limit %d", name, len(name), MaxValidatorName)
	}
	if !utf8.ValidString(name) {
		return fmt.Errorf("name %q: want printable characters only (valid UTF-8)", name)
	}
	for _, r := range name {
		if !unicode.IsPrint(r) {
			return fmt.Errorf("name %q: want printable characters only", name)
		}
	}
	return nil
}

// ValidatorMsgs is the validators module's part of the transaction contract.
var ValidatorMsgs = ModuleMsgs{
	Module: "validators",
	Msgs: []MsgDef{
		{TypeValidatorSetPower, func() Msg { return &MsgValidatorSetPower{} }, SignerAuthorities},
	},
}

// CodespaceValidator is the codespace of the validators module's result codes.
const CodespaceValidator = "validators"

// Result codes of the validators module (see Code). Frozen: a released code
// never changes meaning.
var (
	CodeValidatorNotAuthority   = Code{CodespaceValidator, 2} // signer is not an authority
	CodeValidatorUnknown        = Code{CodespaceValidator, 3} // unknown validator
	CodeValidatorEmptySet       = Code{CodespaceValidator, 4} // the validator set would be empty
	CodeValidatorTooMany        = Code{CodespaceValidator, 5} // too many validators
	CodeValidatorInvalidGenesis = Code{CodespaceValidator, 6} // invalid validators genesis
)
