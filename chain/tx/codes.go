package tx

import "fmt"

// Code is a result code: the codespace (a module's name, "tx" for the
// envelope, "app" for the plumbing) and the number in it with which the
// chain refuses a transaction or a query (ABCI codespace and code, with a
// log). Codes are frozen: a released code never changes meaning and a
// number is never reused. Each code is declared once, here or next to its
// module's messages in this package; the chain's modules build their errors
// from these values, and clients match what the chain answered against
// them. See docs/transactions.md.
//
// A Code is an error so that errors.Is can match a rejection against it:
// the errors of chain/client (TxError, QueryError) and of the chain's
// modules match the Code they carry.
type Code struct {
	Codespace string
	Code      uint32
}

// Matches reports whether codespace and code are c, as in
// c.Matches(res.Codespace, res.Code) for an ABCI result.
func (c Code) Matches(codespace string, code uint32) bool {
	return c.Codespace == codespace && c.Code == code
}

// Error returns "<codespace> code <code>".
func (c Code) Error() string { return fmt.Sprintf("%s code %d", c.Codespace, c.Code) }

// Codespaces of the chain's plumbing.
const (
	CodespaceApp = "app" // queries and internal errors, shared by every module
	CodespaceTx  = "tx"  // the envelope
)

// Result codes of the "app" codespace.
var (
	CodeAppInternal     = Code{CodespaceApp, 1} // internal error
	CodeAppUnknownQuery = Code{CodespaceApp, 2} // unknown query path
	CodeAppBadQuery     = Code{CodespaceApp, 3} // bad query request
	CodeAppNotFound     = Code{CodespaceApp, 4} // not found
)

// Result codes of the "tx" codespace: envelope-level rejections.
// Account-level rejections (unknown account, wrong sequence) are in the
// "auth" codespace.
var (
	CodeTxMalformed      = Code{CodespaceTx, 2}  // malformed transaction
	CodeTxTooLarge       = Code{CodespaceTx, 3}  // transaction too large
	CodeTxBadSignature   = Code{CodespaceTx, 4}  // bad signature
	CodeTxWrongChainID   = Code{CodespaceTx, 5}  // wrong chain id
	CodeTxUnknownMsg     = Code{CodespaceTx, 6}  // unknown message type
	CodeTxInvalidMsg     = Code{CodespaceTx, 7}  // invalid message
	CodeTxNoRoute        = Code{CodespaceTx, 8}  // no module for message
	CodeTxInvalidGenesis = Code{CodespaceTx, 9}  // invalid genesis
	CodeTxTooManyPending = Code{CodespaceTx, 10} // too many pending transactions
)
