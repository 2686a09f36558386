package bank

import (
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
)

// Codespace of the bank module's errors.
const Codespace = tx.CodespaceBank

// Result codes, declared in chain/tx. Frozen: a released code never
// changes meaning.
var (
	ErrInsufficientFunds = module.NewError(tx.CodeBankInsufficientFunds, "insufficient funds")
	ErrUnknownDenom      = module.NewError(tx.CodeBankUnknownDenom, "unknown denomination")
	ErrNotIssuer         = module.NewError(tx.CodeBankNotIssuer, "signer is not the denomination's issuer")
	ErrOverflow          = module.NewError(tx.CodeBankOverflow, "amount overflow")
	ErrInvalidGenesis    = module.NewError(tx.CodeBankInvalidGenesis, "invalid bank genesis")
	ErrSelfSend          = module.NewError(tx.CodeBankSelfSend, "sender and recipient are the same account")
	ErrModuleAccount     = module.NewError(tx.CodeBankModuleAccount, "recipient is a module account")
)
