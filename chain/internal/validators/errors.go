package validators

import "github.com/citychain/citychain/chain/internal/module"

// Codespace of the validators module's errors.
const Codespace = "validators"

// Result codes. Frozen: a released code never changes meaning.
var (
	ErrNotAuthority   = module.NewError(Codespace, 2, "signer is not an authority")
	ErrUnknown        = module.NewError(Codespace, 3, "unknown validator")
	ErrEmptySet       = module.NewError(Codespace, 4, "the validator set would be empty")
	ErrTooMany        = module.NewError(Codespace, 5, "too many validators")
	ErrInvalidGenesis = module.NewError(Codespace, 6, "invalid validators genesis")
)
