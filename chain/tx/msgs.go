package tx

import (
	"errors"
	"fmt"
	"strings"
)

// Msg is one instruction in a transaction. Type is "<module>/<action>"; the
// module part routes the message to the module that handles it.
type Msg interface {
	Type() string
	// ValidateBasic checks the message on its own, without state.
	ValidateBasic() error
}

// Module returns the module part of a message type ("bank" of "bank/send").
func Module(msgType string) string {
	m, _, _ := strings.Cut(msgType, "/")
	return m
}

// newMsg returns an empty message of the named type, or nil. Every message
// type of every module is listed here, in one place.
func newMsg(typ string) Msg {
	switch typ {
	case TypeRoleGrant:
		return &MsgRoleGrant{}
	case TypeRoleRevoke:
		return &MsgRoleRevoke{}
	case TypeBankSend:
		return &MsgSend{}
	case TypeBankMint:
		return &MsgMint{}
	case TypeBankBurn:
		return &MsgBurn{}
	case TypeDeviceRegister:
		return &MsgDeviceRegister{}
	case TypeDeviceRevoke:
		return &MsgDeviceRevoke{}
	case TypeDeviceRotate:
		return &MsgDeviceRotate{}
	case TypeDeviceTransfer:
		return &MsgDeviceTransfer{}
	case TypeMeteringSubmit:
		return &MsgSubmitReadings{}
	case TypeMeteringAnchor:
		return &MsgAnchor{}
	case TypeMarketOffer:
		return &MsgOffer{}
	case TypeMarketBid:
		return &MsgBid{}
	case TypeMarketCancel:
		return &MsgCancel{}
	case TypeMeteringClearFraud:
		return &MsgClearFraud{}
	case TypeMileageFund:
		return &MsgMileageFund{}
	case TypeMileageAward:
		return &MsgMileageAward{}
	case TypeMileageSpend:
		return &MsgMileageSpend{}
	case TypeMileageRegisterMerchant:
		return &MsgMileageRegisterMerchant{}
	case TypeMileageEnrollVehicle:
		return &MsgMileageEnrollVehicle{}
	case TypeValidatorSetPower:
		return &MsgValidatorSetPower{}
	case TypeVehicleRegister:
		return &MsgVehicleRegister{}
	case TypeVehicleBindOdometer:
		return &MsgVehicleBindOdometer{}
	case TypeVehicleCreateProgramme:
		return &MsgVehicleCreateProgramme{}
	case TypeVehicleApproveSubsidy:
		return &MsgVehicleApproveSubsidy{}
	case TypeVehicleRecordBattery:
		return &MsgVehicleRecordBattery{}
	case TypeVehicleRecycle:
		return &MsgVehicleRecycle{}
	case TypeVehicleRecordAccident:
		return &MsgVehicleRecordAccident{}
	case TypeVehicleRecordInspection:
		return &MsgVehicleRecordInspection{}
	case TypeVehicleProposeTransfer:
		return &MsgVehicleProposeTransfer{}
	case TypeVehicleAcceptTransfer:
		return &MsgVehicleAcceptTransfer{}
	case TypeVehicleReviewTransfer:
		return &MsgVehicleReviewTransfer{}
	case TypeVehicleCancelTransfer:
		return &MsgVehicleCancelTransfer{}
	}
	return nil
}

// MsgTypes lists every message type the envelope accepts, in a fixed order.
func MsgTypes() []string {
	return []string{
		TypeRoleGrant, TypeRoleRevoke,
		TypeBankSend, TypeBankMint, TypeBankBurn,
		TypeDeviceRegister, TypeDeviceRevoke, TypeDeviceRotate, TypeDeviceTransfer,
		TypeMeteringSubmit, TypeMeteringAnchor,
		TypeMarketOffer, TypeMarketBid, TypeMarketCancel,
		TypeMeteringClearFraud,
		TypeMileageFund, TypeMileageAward, TypeMileageSpend, TypeMileageRegisterMerchant, TypeMileageEnrollVehicle,
		TypeValidatorSetPower,
		TypeVehicleRegister, TypeVehicleBindOdometer, TypeVehicleCreateProgramme, TypeVehicleApproveSubsidy,
		TypeVehicleRecordBattery, TypeVehicleRecycle, TypeVehicleRecordAccident, TypeVehicleRecordInspection,
		TypeVehicleProposeTransfer, TypeVehicleAcceptTransfer, TypeVehicleReviewTransfer, TypeVehicleCancelTransfer,
	}
}

func requireAddress(field string, a Address) error {
	if a.IsZero() {
		return fmt.Errorf("%s: want an address, got none", field)
	}
	return nil
}

func requirePositive(field string, c Coin) error {
	if c.Amount == 0 {
		return fmt.Errorf("%s: want a positive amount, got %s", field, c)
	}
	return ValidateDenom(c.Denom)
}

// ---- accounts and roles (module "auth") ----

// Message types of the auth module.
const (
	TypeRoleGrant  = "auth/grant_role"
	TypeRoleRevoke = "auth/revoke_role"
)

// Role names. "issuer/<denom>" roles are formed with IssuerRole.
const (
	RoleTreasury         = "treasury"
	RoleInstaller        = "installer"
	RoleGridOperator     = "grid_operator"
	RoleVehicleRegistrar = "vehicle_registrar"
	RoleAgency           = "agency"
	RoleMileageIssuer    = "mileage_issuer"
)

// IssuerRole is the role allowed to mint and be the issuer of denom.
func IssuerRole(denom string) string { return "issuer/" + denom }

// ValidateRole checks a role name: a known role or issuer/<denom>.
func ValidateRole(role string) error {
	switch role {
	case RoleTreasury, RoleInstaller, RoleGridOperator, RoleVehicleRegistrar, RoleAgency, RoleMileageIssuer, RoleSettlement,
		RoleInspector, RoleInsurer, RoleRepairShop, RoleDealer:
		return nil
	}
	if d, ok := strings.CutPrefix(role, "issuer/"); ok {
		return ValidateDenom(d)
	}
	return fmt.Errorf("role %q: want one of treasury, installer, grid_operator, vehicle_registrar, agency, mileage_issuer, settlement, inspector, insurer, repair_shop, dealer or issuer/<denom>", role)
}

// MsgRoleGrant grants a role to an address. Only an authority may send it.
type MsgRoleGrant struct {
	Address Address `json:"address"`
	Role    string  `json:"role"`
}

// Type implements Msg.
func (*MsgRoleGrant) Type() string { return TypeRoleGrant }

// ValidateBasic implements Msg.
func (m *MsgRoleGrant) ValidateBasic() error {
	return errors.Join(requireAddress("address", m.Address), ValidateRole(m.Role))
}

// MsgRoleRevoke revokes a role from an address. Only an authority may send it.
type MsgRoleRevoke struct {
	Address Address `json:"address"`
	Role    string  `json:"role"`
}

// Type implements Msg.
func (*MsgRoleRevoke) Type() string { return TypeRoleRevoke }

// ValidateBasic implements Msg.
func (m *MsgRoleRevoke) ValidateBasic() error {
	return errors.Join(requireAddress("address", m.Address), ValidateRole(m.Role))
}

// ---- bank ----

// Message types of the bank module.
const (
	TypeBankSend = "bank/send"
	TypeBankMint = "bank/mint"
	TypeBankBurn = "bank/burn"
)

// MsgSend moves an amount from the signer to another account.
type MsgSend struct {
	To     Address `json:"to"`
	Amount Coin    `json:"amount"`
}

// Type implements Msg.
func (*MsgSend) Type() string { return TypeBankSend }

// ValidateBasic implements Msg.
func (m *MsgSend) ValidateBasic() error {
	return errors.Join(requireAddress("to", m.To), requirePositive("amount", m.Amount))
}

// MsgMint creates new coins of a denomination for an account; only the
// denomination's issuer may send it.
type MsgMint struct {
	To     Address `json:"to"`
	Amount Coin    `json:"amount"`
}

// Type implements Msg.
func (*MsgMint) Type() string { return TypeBankMint }

// ValidateBasic implements Msg.
func (m *MsgMint) ValidateBasic() error {
	return errors.Join(requireAddress("to", m.To), requirePositive("amount", m.Amount))
}

// MsgBurn destroys coins from the signer's own balance.
type MsgBurn struct {
	Amount Coin `json:"amount"`
}

// Type implements Msg.
func (*MsgBurn) Type() string { return TypeBankBurn }

// ValidateBasic implements Msg.
func (m *MsgBurn) ValidateBasic() error { return requirePositive("amount", m.Amount) }
