package contracts

import (
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
)

// Codespace of the contracts module's errors.
const Codespace = tx.CodespaceContracts

// Result codes, declared in chain/tx. Frozen: a released code never
// changes meaning. Every error is wrapped with the field or thing that was
// wrong.
var (
	ErrInvalidGenesis   = module.NewError(tx.CodeContractsInvalidGenesis, "invalid contracts genesis")
	ErrNotAgency        = module.NewError(tx.CodeContractsNotAgency, "signer lacks the agency role")
	ErrExists           = module.NewError(tx.CodeContractsExists, "a contract with that id exists")
	ErrBadParty         = module.NewError(tx.CodeContractsBadParty, "bad party")
	ErrInsufficient     = module.NewError(tx.CodeContractsInsufficient, "insufficient ukrw")
	ErrUnknown          = module.NewError(tx.CodeContractsUnknown, "unknown contract")
	ErrUnknownMilestone = module.NewError(tx.CodeContractsUnknownMilestone, "unknown milestone")
	ErrNotParty         = module.NewError(tx.CodeContractsNotParty, "signer is not the party the message needs")
	ErrMilestoneState   = module.NewError(tx.CodeContractsMilestoneState, "milestone status does not allow it")
	ErrFrozen           = module.NewError(tx.CodeContractsFrozen, "milestone is disputed")
	ErrUnknownSub       = module.NewError(tx.CodeContractsUnknownSub, "not a subcontractor of the contract")
	ErrNothingOwed      = module.NewError(tx.CodeContractsNothingOwed, "no unpaid instalment")
	ErrNoGround         = module.NewError(tx.CodeContractsNoGround, "ground not attested")
	ErrAlreadyDirect    = module.NewError(tx.CodeContractsAlreadyDirect, "already paid directly or already agreed")
)
