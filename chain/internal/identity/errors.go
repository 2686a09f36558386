package identity

import (
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
)

// Codespace of the identity module's errors.
const Codespace = tx.CodespaceIdentity

// Result codes, declared in chain/tx. Frozen: a released code never
// changes meaning.
var (
	ErrNotOffice            = module.NewError(tx.CodeIdentityNotOffice, "signer lacks the registration_office role")
	ErrInvalidGenesis       = module.NewError(tx.CodeIdentityInvalidGenesis, "invalid identity genesis")
	ErrExists               = module.NewError(tx.CodeIdentityExists, "identity already registered")
	ErrUnknown              = module.NewError(tx.CodeIdentityUnknown, "unknown identity")
	ErrKeyUsed              = module.NewError(tx.CodeIdentityKeyUsed, "device key already belongs to an identity")
	ErrNotAuthorised        = module.NewError(tx.CodeIdentityNotAuthorised, "signer is neither a device key of the identity in use nor a registration_office")
	ErrBadPoP               = module.NewError(tx.CodeIdentityBadPoP, "proof of possession does not verify")
	ErrTooManyKeys          = module.NewError(tx.CodeIdentityTooManyKeys, "identity has the maximum number of device keys")
	ErrLastKey              = module.NewError(tx.CodeIdentityLastKey, "the last device key in use is never removed")
	ErrUnknownKey           = module.NewError(tx.CodeIdentityUnknownKey, "key is not a device key of the identity in use")
	ErrTooManyCopies        = module.NewError(tx.CodeIdentityTooManyCopies, "identity would hold more card-copy commitments than allowed")
	ErrDuplicateCommitment  = module.NewError(tx.CodeIdentityDuplicateCommitment, "commitment already recorded for the identity")
	ErrNotActive            = module.NewError(tx.CodeIdentityNotActive, "identity is not active")
	ErrRevoked              = module.NewError(tx.CodeIdentityRevoked, "identity is revoked (final)")
	ErrNotSuspended         = module.NewError(tx.CodeIdentityNotSuspended, "only a suspended identity is reinstated")
	ErrRevealMismatch       = module.NewError(tx.CodeIdentityRevealMismatch, "a reveal opens no unrevealed commitment of the identity")
	ErrRevealIncomplete     = module.NewError(tx.CodeIdentityRevealIncomplete, "the reveal leaves commitments unopened")
	ErrBadCardList          = module.NewError(tx.CodeIdentityBadCardList, "card list is not an existing suspension list")
	ErrNotFacilityRegistrar = module.NewError(tx.CodeIdentityNotFacilityRegistrar, "signer lacks the facility_registrar role")
	ErrFacilityExists       = module.NewError(tx.CodeIdentityFacilityExists, "facility already registered")
	ErrUnknownFacility      = module.NewError(tx.CodeIdentityUnknownFacility, "unknown facility")
	ErrNotFacilityAgency    = module.NewError(tx.CodeIdentityNotFacilityAgency, "signer is not the facility's agency")
	ErrBarPast              = module.NewError(tx.CodeIdentityBarPast, "bar's until is not after the block time")
	ErrNotBarred            = module.NewError(tx.CodeIdentityNotBarred, "pseudonym is not barred from the facility")
)
