package tx

import (
	"errors"
	"fmt"
	"strings"
)

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
	if roleIndex[role] {
		return nil
	}
	if d, ok := strings.CutPrefix(role, "issuer/"); ok {
		return ValidateDenom(d)
	}
	return fmt.Errorf("role %q: want one of %s or issuer/<denom>", role, strings.Join(Roles(), ", "))
}

// MsgRoleGrant grants a role to an address. It is an authority action: it
// runs when authority_threshold authorities have sent or approved it.
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

// MsgRoleRevoke revokes a role from an address. It is an authority action,
// like MsgRoleGrant.
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

// AuthMsgs is the auth module's part of the transaction contract. The roles
// listed here are the city-wide ones, used by several modules.
var AuthMsgs = ModuleMsgs{
	Module: "auth",
	Roles:  []string{RoleTreasury, RoleInstaller, RoleGridOperator, RoleVehicleRegistrar, RoleAgency, RoleMileageIssuer},
	Msgs: []MsgDef{
		{TypeRoleGrant, func() Msg { return &MsgRoleGrant{} }, SignerAuthorities},
		{TypeRoleRevoke, func() Msg { return &MsgRoleRevoke{} }, SignerAuthorities},
		{TypeProposalApprove, func() Msg { return &MsgProposalApprove{} }, "an authority"},
		{TypeProposalWithdraw, func() Msg { return &MsgProposalWithdraw{} }, "an authority that approved the proposal"},
	},
}

// CodespaceAuth is the codespace of the auth module's result codes.
const CodespaceAuth = "auth"

// Result codes of the auth module (see Code). Frozen: a released code
// never changes meaning.
var (
	CodeAuthUnknownAccount   = Code{CodespaceAuth, 2}  // unknown account
	CodeAuthWrongSequence    = Code{CodespaceAuth, 3}  // wrong sequence number
	CodeAuthPubKeyMismatch   = Code{CodespaceAuth, 4}  // public key does not match the account
	CodeAuthNotAuthority     = Code{CodespaceAuth, 5}  // signer is not an authority
	CodeAuthRoleHeld         = Code{CodespaceAuth, 6}  // role already held
	CodeAuthRoleNotHeld      = Code{CodespaceAuth, 7}  // role not held
	CodeAuthMissingRole      = Code{CodespaceAuth, 8}  // signer lacks the required role
	CodeAuthInvalidGenesis   = Code{CodespaceAuth, 9}  // invalid auth genesis
	CodeAuthSequenceOverflow = Code{CodespaceAuth, 10} // sequence number overflow
	CodeAuthUnknownProposal  = Code{CodespaceAuth, 11} // no such proposal
	CodeAuthAlreadyApproved  = Code{CodespaceAuth, 12} // the authority already approved the proposal
	CodeAuthProposalExpired  = Code{CodespaceAuth, 13} // the proposal expired
	CodeAuthProposalExecuted = Code{CodespaceAuth, 14} // the proposal already ran
	CodeAuthNotApproved      = Code{CodespaceAuth, 15} // the authority has not approved the proposal
	CodeAuthTooManyPending   = Code{CodespaceAuth, 16} // the authority already approved the most pending proposals it may
)
