package app

import "github.com/citychain/citychain/chain/internal/module"

// Codespace of envelope-level rejections.
const Codespace = "tx"

// Result codes of the "tx" codespace. Frozen: a released code never changes
// meaning. Account-level rejections (unknown account, wrong sequence) are in
// the "auth" codespace.
var (
	ErrMalformed      = module.NewError(Codespace, 2, "malformed transaction")
	ErrTxTooLarge     = module.NewError(Codespace, 3, "transaction too large")
	ErrBadSignature   = module.NewError(Codespace, 4, "bad signature")
	ErrWrongChainID   = module.NewError(Codespace, 5, "wrong chain id")
	ErrUnknownMsg     = module.NewError(Codespace, 6, "unknown message type")
	ErrInvalidMsg     = module.NewError(Codespace, 7, "invalid message")
	ErrNoRoute        = module.NewError(Codespace, 8, "no module for message")
	ErrInvalidGenesis = module.NewError(Codespace, 9, "invalid genesis")
	ErrTooManyPending = module.NewError(Codespace, 10, "too many pending transactions")
)
