package bank

import "github.com/citychain/citychain/chain/internal/module"

// Codespace of the bank module's errors.
const Codespace = "bank"

// Result codes. Frozen: a released code never changes meaning.
var (
	ErrInsufficientFunds = module.NewError(Codespace, 2, "insufficient funds")
	ErrUnknownDenom      = module.NewError(Codespace, 3, "unknown denomination")
	ErrNotIssuer         = module.NewError(Codespace, 4, "signer is not the denomination's issuer")
	ErrOverflow          = module.NewError(Codespace, 5, "amount overflow")
	ErrInvalidGenesis    = module.NewError(Codespace, 6, "invalid bank genesis")
	ErrSelfSend          = module.NewError(Codespace, 7, "sender and recipient are the same account")
)
