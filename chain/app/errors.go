package app

import (
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
)

// Codespace of envelope-level rejections.
const Codespace = tx.CodespaceTx

// Result codes of the "tx" codespace, declared in chain/tx. Frozen: a
// released code never changes meaning. Account-level rejections (unknown
// account, wrong sequence) are in the "auth" codespace.
var (
	ErrMalformed      = module.NewError(tx.CodeTxMalformed, "malformed transaction")
	ErrTxTooLarge     = module.NewError(tx.CodeTxTooLarge, "transaction too large")
	ErrBadSignature   = module.NewError(tx.CodeTxBadSignature, "bad signature")
	ErrWrongChainID   = module.NewError(tx.CodeTxWrongChainID, "wrong chain id")
	ErrUnknownMsg     = module.NewError(tx.CodeTxUnknownMsg, "unknown message type")
	ErrInvalidMsg     = module.NewError(tx.CodeTxInvalidMsg, "invalid message")
	ErrNoRoute        = module.NewError(tx.CodeTxNoRoute, "no module for message")
	ErrInvalidGenesis = module.NewError(tx.CodeTxInvalidGenesis, "invalid genesis")
	ErrTooManyPending = module.NewError(tx.CodeTxTooManyPending, "too many pending transactions")
)
