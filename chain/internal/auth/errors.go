package auth

import (
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
)

// Codespace of the auth module's errors.
const Codespace = tx.CodespaceAuth

// Result codes, declared in chain/tx. Frozen: a released code never
// changes meaning.
var (
	ErrUnknownAccount   = module.NewError(tx.CodeAuthUnknownAccount, "unknown account")
	ErrWrongSequence    = module.NewError(tx.CodeAuthWrongSequence, "wrong sequence number")
	ErrPubKeyMismatch   = module.NewError(tx.CodeAuthPubKeyMismatch, "public key does not match the account")
	ErrNotAuthority     = module.NewError(tx.CodeAuthNotAuthority, "signer is not an authority")
	ErrRoleHeld         = module.NewError(tx.CodeAuthRoleHeld, "role already held")
	ErrRoleNotHeld      = module.NewError(tx.CodeAuthRoleNotHeld, "role not held")
	ErrMissingRole      = module.NewError(tx.CodeAuthMissingRole, "signer lacks the required role")
	ErrInvalidGenesis   = module.NewError(tx.CodeAuthInvalidGenesis, "invalid auth genesis")
	ErrSequenceOverflow = module.NewError(tx.CodeAuthSequenceOverflow, "sequence number overflow")
	ErrUnknownProposal  = module.NewError(tx.CodeAuthUnknownProposal, "no such proposal")
	ErrAlreadyApproved  = module.NewError(tx.CodeAuthAlreadyApproved, "the authority already approved the proposal")
	ErrProposalExpired  = module.NewError(tx.CodeAuthProposalExpired, "the proposal expired")
	ErrProposalExecuted = module.NewError(tx.CodeAuthProposalExecuted, "the proposal already ran")
	ErrNotApproved      = module.NewError(tx.CodeAuthNotApproved, "the authority has not approved the proposal")
	ErrTooManyPending   = module.NewError(tx.CodeAuthTooManyPending, "the authority has too many pending approvals")
)
