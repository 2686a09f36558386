package auth

import "github.com/citychain/citychain/chain/internal/module"

// Codespace of the auth module's errors.
const Codespace = "auth"

// Result codes. Frozen: a released code never changes meaning.
var (
	ErrUnknownAccount   = module.NewError(Codespace, 2, "unknown account")
	ErrWrongSequence    = module.NewError(Codespace, 3, "wrong sequence number")
	ErrPubKeyMismatch   = module.NewError(Codespace, 4, "public key does not match the account")
	ErrNotAuthority     = module.NewError(Codespace, 5, "signer is not an authority")
	ErrRoleHeld         = module.NewError(Codespace, 6, "role already held")
	ErrRoleNotHeld      = module.NewError(Codespace, 7, "role not held")
	ErrMissingRole      = module.NewError(Codespace, 8, "signer lacks the required role")
	ErrInvalidGenesis   = module.NewError(Codespace, 9, "invalid auth genesis")
	ErrSequenceOverflow = module.NewError(Codespace, 10, "sequence number overflow")
)
