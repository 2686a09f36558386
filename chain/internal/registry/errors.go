package registry

import (
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
)

// Codespace of the registry module's errors.
const Codespace = tx.CodespaceRegistry

// Result codes, declared in chain/tx. Frozen: a released code never
// changes meaning. A refused definition answers with the code of its bad
// part (tx.RegistryDefCode): ErrDefName to ErrDefLimits.
var (
	ErrNotAgency         = module.NewError(tx.CodeRegistryNotAgency, "signer lacks the registry_agency role")
	ErrInvalidGenesis    = module.NewError(tx.CodeRegistryInvalidGenesis, "invalid registry genesis")
	ErrUnknown           = module.NewError(tx.CodeRegistryUnknown, "unknown registry")
	ErrNotOwner          = module.NewError(tx.CodeRegistryNotOwner, "signer is not the registry's owner")
	ErrUnknownProposal   = module.NewError(tx.CodeRegistryUnknownProposal, "no proposed definition with that id and name")
	ErrVersion           = module.NewError(tx.CodeRegistryVersion, "version not after the enabled one")
	ErrIncompatible      = module.NewError(tx.CodeRegistryIncompatible, "the new version is not compatible with the enabled one")
	ErrProposalExists    = module.NewError(tx.CodeRegistryProposalExists, "the same definition is already proposed or enabled")
	ErrDefName           = module.NewError(tx.CodeRegistryInvalidName, "invalid definition: name, title or description")
	ErrDefVersion        = module.NewError(tx.CodeRegistryInvalidVersion, "invalid definition: version")
	ErrDefSchema         = module.NewError(tx.CodeRegistryInvalidSchema, "invalid definition: schema")
	ErrDefPrivacy        = module.NewError(tx.CodeRegistryInvalidPrivacy, "invalid definition: privacy")
	ErrDefRoles          = module.NewError(tx.CodeRegistryInvalidRoles, "invalid definition: roles")
	ErrDefStates         = module.NewError(tx.CodeRegistryInvalidStates, "invalid definition: states")
	ErrDefTransitions    = module.NewError(tx.CodeRegistryInvalidTrans, "invalid definition: transitions")
	ErrDefIndexes        = module.NewError(tx.CodeRegistryInvalidIndexes, "invalid definition: indexes")
	ErrDefLimits         = module.NewError(tx.CodeRegistryInvalidLimits, "invalid definition: limits")
	ErrUnknownRole       = module.NewError(tx.CodeRegistryUnknownRole, "the registry declares no such role")
	ErrNotGranter        = module.NewError(tx.CodeRegistryNotGranter, "signer may not grant or revoke the role")
	ErrNoGrant           = module.NewError(tx.CodeRegistryNoGrant, "no such grant")
	ErrBadExpiry         = module.NewError(tx.CodeRegistryBadExpiry, "bad grant expiry")
	ErrUnauthorized      = module.NewError(tx.CodeRegistryUnauthorized, "signer holds no effective grant of a role the action needs")
	ErrInvalidRecord     = module.NewError(tx.CodeRegistryInvalidRecord, "record breaks the registry's schema")
	ErrTooLarge          = module.NewError(tx.CodeRegistryTooLarge, "record larger than the registry's max_record_bytes")
	ErrFull              = module.NewError(tx.CodeRegistryFull, "registry holds max_records records")
	ErrPrivacy           = module.NewError(tx.CodeRegistryPrivacy, "digest or uri does not fit the registry's privacy class")
	ErrUnknownRecord     = module.NewError(tx.CodeRegistryUnknownRecord, "unknown record")
	ErrUnknownTransition = module.NewError(tx.CodeRegistryUnknownTrans, "the registry has no such transition")
	ErrWrongState        = module.NewError(tx.CodeRegistryWrongState, "record is not in a state the transition leaves from")
	ErrStaleVersion      = module.NewError(tx.CodeRegistryStaleVersion, "record moved since the version named")
	ErrAlreadyApproved   = module.NewError(tx.CodeRegistryAlreadyApproved, "signer already approved this transition of this version")
	ErrPredicate         = module.NewError(tx.CodeRegistryPredicate, "a predicate of the transition does not hold")
	ErrBadEvidence       = module.NewError(tx.CodeRegistryBadEvidence, "credential evidence does not verify")
	ErrBadPatch          = module.NewError(tx.CodeRegistryBadPatch, "bad patch")
	ErrDelegationTooDeep = module.NewError(tx.CodeRegistryDelegationTooDeep, "delegation too deep")
	ErrNotAuthority      = module.NewError(tx.CodeRegistryNotAuthority, "signer is not an authority")
	ErrMalformedDef      = module.NewError(tx.CodeRegistryMalformedDef, "definition text is not a registry definition's JSON")
)

// defError is the error of a definition refused for part.
func defError(part string) *module.Error {
	switch tx.RegistryDefCode(part) {
	case tx.CodeRegistryInvalidName:
		return ErrDefName
	case tx.CodeRegistryInvalidVersion:
		return ErrDefVersion
	case tx.CodeRegistryInvalidSchema:
		return ErrDefSchema
	case tx.CodeRegistryInvalidPrivacy:
		return ErrDefPrivacy
	case tx.CodeRegistryInvalidRoles:
		return ErrDefRoles
	case tx.CodeRegistryInvalidStates:
		return ErrDefStates
	case tx.CodeRegistryInvalidTrans:
		return ErrDefTransitions
	case tx.CodeRegistryInvalidIndexes:
		return ErrDefIndexes
	}
	return ErrDefLimits
}
