package validators

import (
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
)

// Codespace of the validators module's errors.
const Codespace = tx.CodespaceValidator

// Result codes, declared in chain/tx. Frozen: a released code never
// changes meaning.
var (
	ErrNotAuthority   = module.NewError(tx.CodeValidatorNotAuthority, "signer is not an authority")
	ErrUnknown        = module.NewError(tx.CodeValidatorUnknown, "unknown validator")
	ErrEmptySet       = module.NewError(tx.CodeValidatorEmptySet, "the validator set would be empty")
	ErrTooMany        = module.NewError(tx.CodeValidatorTooMany, "too many validators")
	ErrInvalidGenesis = module.NewError(tx.CodeValidatorInvalidGenesis, "invalid validators genesis")
)
