package voting

import (
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
)

// Result codes, declared in chain/tx. Frozen: a released code never
// changes meaning.
var (
	ErrInvalidGenesis   = module.NewError(tx.CodeVotingInvalidGenesis, "invalid voting genesis")
	ErrNotEligible      = module.NewError(tx.CodeVotingNotEligible, "signer is not a device key of an active identity that may take part")
	ErrBadEvidence      = module.NewError(tx.CodeVotingBadEvidence, "residency evidence does not verify")
	ErrNotResident      = module.NewError(tx.CodeVotingNotResident, "the credential does not show residency")
	ErrUnknownProposal  = module.NewError(tx.CodeVotingUnknownProposal, "no such proposal")
	ErrAlreadySupported = module.NewError(tx.CodeVotingAlreadySupported, "the identity already supports the proposal")
	ErrProposalClosed   = module.NewError(tx.CodeVotingProposalClosed, "the proposal's support period is over")
	ErrNotResponsible   = module.NewError(tx.CodeVotingNotResponsible, "signer may not answer at this level")
	ErrLevelNotReached  = module.NewError(tx.CodeVotingLevelNotReached, "the level's threshold is not reached")
	ErrAlreadyAnswered  = module.NewError(tx.CodeVotingAlreadyAnswered, "the level is already answered")
	ErrNotCommission    = module.NewError(tx.CodeVotingNotCommission, "signer is not the election commission")
	ErrBadElection      = module.NewError(tx.CodeVotingBadElection, "election definition refused")
	ErrUnknownElection  = module.NewError(tx.CodeVotingUnknownElection, "no such election")
	ErrWrongPhase       = module.NewError(tx.CodeVotingWrongPhase, "not allowed in the election's status or at this height")
	ErrNotTrustee       = module.NewError(tx.CodeVotingNotTrustee, "signer is not one of the election's trustees")
	ErrDKGRepeat        = module.NewError(tx.CodeVotingDKGRepeat, "the trustee already did this DKG step")
	ErrBadDKG           = module.NewError(tx.CodeVotingBadDKG, "malformed DKG key or deal")
	ErrComplaintRefused = module.NewError(tx.CodeVotingComplaintRefused, "complaint refused")
	ErrAlreadyRequested = module.NewError(tx.CodeVotingAlreadyRequested, "the identity already asked for a credential in this election")
	ErrBadRequest       = module.NewError(tx.CodeVotingBadRequest, "blinded message malformed for the key")
	ErrNoRequest        = module.NewError(tx.CodeVotingNoRequest, "no such credential request")
	ErrAlreadyIssued    = module.NewError(tx.CodeVotingAlreadyIssued, "the request already has its credential")
	ErrBadBlindSig      = module.NewError(tx.CodeVotingBadBlindSig, "the blind signature does not verify against the request")
	ErrBadCredential    = module.NewError(tx.CodeVotingBadCredential, "the ballot's credential does not verify")
	ErrCredentialsSpent = module.NewError(tx.CodeVotingCredentialsSpent, "as many ballot keys as credentials issued")
	ErrBadBallot        = module.NewError(tx.CodeVotingBadBallot, "ballot refused")
	ErrBadShare         = module.NewError(tx.CodeVotingBadShare, "decryption share refused")
	ErrShareRepeat      = module.NewError(tx.CodeVotingShareRepeat, "the trustee already decrypted")
	ErrNotEnoughShares  = module.NewError(tx.CodeVotingNotEnoughShares, "fewer than threshold trustees decrypted")
	ErrWrongResult      = module.NewError(tx.CodeVotingWrongResult, "counts do not match the decrypted tally")
	ErrAlreadyPublished = module.NewError(tx.CodeVotingAlreadyPublished, "the result is already published")
	ErrCredentialReused = module.NewError(tx.CodeVotingCredentialReused, "this residency credential copy already served another identity here")
)
