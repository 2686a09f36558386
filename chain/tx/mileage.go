package tx

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// Message types of the mileage module.
const (
	TypeMileageFund             = "mileage/fund"
	TypeMileageAward            = "mileage/award"
	TypeMileageSpend            = "mileage/spend"
	TypeMileageRegisterMerchant = "mileage/register_merchant"
	TypeMileageEnrollVehicle    = "mileage/enroll_vehicle"
)

// Merchant categories where citizens spend mileage.
const (
	MerchantTransit  = "transit"   // transit-card top-up
	MerchantDonation = "donation"  // donation campaigns
	MerchantLocalTax = "local_tax" // local taxes and fees
	MerchantMerchant = "merchant"  // participating shops
)

// Bounds of the mileage messages' free-text fields, in bytes.
const (
	MaxReasonCode   = 32
	MaxMileageMemo  = 256
	MaxMerchantName = 128
	MaxFraudReason  = 256
	// MaxBaselineKm bounds a vehicle's baseline distance per period.
	MaxBaselineKm = 1_000_000
)

// ValidateReasonCode checks an award's reason code: 1 to 32 characters of
// [a-z_], e.g. voting, energy_saving, ev_driving, donation.
func ValidateReasonCode(s string) error {
	if len(s) == 0 || len(s) > MaxReasonCode {
		return fmt.Errorf("reason_code %q: want 1 to %d characters of a-z and '_'", s, MaxReasonCode)
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c == '_') {
			return fmt.Errorf("reason_code %q: want only a-z and '_'", s)
		}
	}
	return nil
}

// ValidateMerchantCategory checks a merchant category.
func ValidateMerchantCategory(c string) error {
	switch c {
	case MerchantTransit, MerchantDonation, MerchantLocalTax, MerchantMerchant:
		return nil
	}
	return fmt.Errorf("category %q: want transit, donation, local_tax or merchant", c)
}

func validateText(field, s string, min, max int) error {
	if len(s) < min || len(s) > max {
		return fmt.Errorf("%s: %d bytes, want %d to %d", field, len(s), min, max)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s: want valid UTF-8", field)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("%s: control character %U not allowed", field, r)
		}
	}
	return nil
}

func requireSCoin(field string, c Coin) error {
	if err := requirePositive(field, c); err != nil {
		return err
	}
	if c.Denom != DenomSCoin {
		return fmt.Errorf("%s: %s, want an amount in %s", field, c, DenomSCoin)
	}
	return nil
}

// MsgMileageFund moves S-Coin from the signer to the mileage budget account
// (tx.ModuleAddress("mileage")). A plain bank/send to that address does the
// same; this message also records the funding in the module's totals.
type MsgMileageFund struct {
	Amount Coin `json:"amount"`
}

// Type implements Msg.
func (*MsgMileageFund) Type() string { return TypeMileageFund }

// ValidateBasic implements Msg.
func (m *MsgMileageFund) ValidateBasic() error { return requireSCoin("amount", m.Amount) }

// MsgMileageAward awards citizen mileage for policy participation, paid from
// the mileage budget into the recipient's mileage balance. Only a
// mileage_issuer may send it.
type MsgMileageAward struct {
	To         Address `json:"to"`
	Amount     Coin    `json:"amount"`
	ReasonCode string  `json:"reason_code"`
	Memo       string  `json:"memo,omitempty"`
}

// Type implements Msg.
func (*MsgMileageAward) Type() string { return TypeMileageAward }

// ValidateBasic implements Msg.
func (m *MsgMileageAward) ValidateBasic() error {
	return errors.Join(requireAddress("to", m.To), requireSCoin("amount", m.Amount),
		ValidateReasonCode(m.ReasonCode), validateText("memo", m.Memo, 0, MaxMileageMemo))
}

// MsgMileageSpend spends the signer's mileage balance at a registered
// merchant: the merchant receives plain S-Coin.
type MsgMileageSpend struct {
	Merchant Address `json:"merchant"`
	Amount   Coin    `json:"amount"`
	Memo     string  `json:"memo,omitempty"`
}

// Type implements Msg.
func (*MsgMileageSpend) Type() string { return TypeMileageSpend }

// ValidateBasic implements Msg.
func (m *MsgMileageSpend) ValidateBasic() error {
	return errors.Join(requireAddress("merchant", m.Merchant), requireSCoin("amount", m.Amount),
		validateText("memo", m.Memo, 0, MaxMileageMemo))
}

// MsgMileageRegisterMerchant registers an account where citizens may spend
// mileage. Only an agency may send it.
type MsgMileageRegisterMerchant struct {
	Address  Address `json:"address"`
	Name     string  `json:"name"`
	Category string  `json:"category"`
}

// Type implements Msg.
func (*MsgMileageRegisterMerchant) Type() string { return TypeMileageRegisterMerchant }

// ValidateBasic implements Msg.
func (m *MsgMileageRegisterMerchant) ValidateBasic() error {
	return errors.Join(requireAddress("address", m.Address), validateText("name", m.Name, 1, MaxMerchantName),
		ValidateMerchantCategory(m.Category))
}

// MsgMileageEnrollVehicle enrols an ev_odometer device in vehicle mileage
// from the next reward period. An agency or vehicle registrar may enrol any
// vehicle with a baseline (km per period; 0 for none) or change an enrolled
// vehicle's baseline from the next period; the device's owner may enrol it
// once, without a baseline.
type MsgMileageEnrollVehicle struct {
	Device     string `json:"device"`
	BaselineKm uint64 `json:"baseline_km"`
}

// Type implements Msg.
func (*MsgMileageEnrollVehicle) Type() string { return TypeMileageEnrollVehicle }

// ValidateBasic implements Msg.
func (m *MsgMileageEnrollVehicle) ValidateBasic() error {
	if err := ValidateDeviceID(m.Device); err != nil {
		return err
	}
	if m.BaselineKm > MaxBaselineKm {
		return fmt.Errorf("baseline_km: %d, want at most %d", m.BaselineKm, MaxBaselineKm)
	}
	return nil
}

// MileageMsgs is the mileage module's part of the transaction contract.
var MileageMsgs = ModuleMsgs{
	Module: "mileage",
	Msgs: []MsgDef{
		{TypeMileageFund, func() Msg { return &MsgMileageFund{} }, "any account (its own S-Coin)"},
		{TypeMileageAward, func() Msg { return &MsgMileageAward{} }, RoleMileageIssuer},
		{TypeMileageSpend, func() Msg { return &MsgMileageSpend{} }, "a citizen (its own mileage)"},
		{TypeMileageRegisterMerchant, func() Msg { return &MsgMileageRegisterMerchant{} }, RoleAgency},
		{TypeMileageEnrollVehicle, func() Msg { return &MsgMileageEnrollVehicle{} }, "the vehicle's owner, an agency or a vehicle registrar"},
	},
}

// CodespaceMileage is the codespace of the mileage module's result codes.
const CodespaceMileage = "mileage"

// Result codes of the mileage module (see Code). Frozen: a released code
// never changes meaning.
var (
	CodeMileageNotIssuer          = Code{CodespaceMileage, 2}  // signer lacks the mileage_issuer role
	CodeMileageNotAgency          = Code{CodespaceMileage, 3}  // signer lacks the agency role
	CodeMileageWrongDenom         = Code{CodespaceMileage, 4}  // mileage is paid in uscn only
	CodeMileageBudgetInsufficient = Code{CodespaceMileage, 5}  // mileage budget is insufficient
	CodeMileageUnknownMerchant    = Code{CodespaceMileage, 6}  // not a registered merchant
	CodeMileageInsufficient       = Code{CodespaceMileage, 7}  // mileage balance is insufficient
	CodeMileageMerchantExists     = Code{CodespaceMileage, 8}  // merchant already registered
	CodeMileageInvalidRecipient   = Code{CodespaceMileage, 9}  // invalid recipient
	CodeMileageSelfSpend          = Code{CodespaceMileage, 10} // a merchant cannot spend mileage at itself
	CodeMileageUnknownDevice      = Code{CodespaceMileage, 11} // unknown device
	CodeMileageNotVehicle         = Code{CodespaceMileage, 12} // device is not an active ev_odometer
	CodeMileageNotAllowed         = Code{CodespaceMileage, 13} // signer may not enrol this vehicle
	CodeMileageAlreadyEnrolled    = Code{CodespaceMileage, 14} // vehicle already enrolled
	CodeMileageInvalidGenesis     = Code{CodespaceMileage, 15} // invalid mileage genesis
)
