package labour

import (
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
)

// Result codes, declared in chain/tx. Frozen: a released code never
// changes meaning.
var (
	ErrInvalidGenesis   = module.NewError(tx.CodeLabourInvalidGenesis, "invalid labour genesis")
	ErrNotMinistry      = module.NewError(tx.CodeLabourNotMinistry, "signer lacks the labour_ministry role")
	ErrRuleDate         = module.NewError(tx.CodeLabourRuleDate, "rule row not after the block's date or the kind's last row")
	ErrBelowMinimum     = module.NewError(tx.CodeLabourBelowMinimum, "wage below the minimum wage in force")
	ErrUnknownContract  = module.NewError(tx.CodeLabourUnknownContract, "no such contract")
	ErrNotParty         = module.NewError(tx.CodeLabourNotParty, "signer is not the party of the contract the message needs")
	ErrNotCountersigned = module.NewError(tx.CodeLabourNotCountersigned, "the worker has not countersigned the contract")
	ErrTermsMismatch    = module.NewError(tx.CodeLabourTermsMismatch, "countersigned terms differ from the offer's")
	ErrWrongStatus      = module.NewError(tx.CodeLabourWrongStatus, "contract not in a status that allows it")
	ErrOutsidePeriod    = module.NewError(tx.CodeLabourOutsidePeriod, "clock event outside the contract's period")
	ErrClockState       = module.NewError(tx.CodeLabourClockState, "clock in while a shift is open, or out with none open")
	ErrBadTerminal      = module.NewError(tx.CodeLabourBadTerminal, "terminal stamp refused")
	ErrStampTime        = module.NewError(tx.CodeLabourStampTime, "event time out of bounds")
	ErrUnknownShift     = module.NewError(tx.CodeLabourUnknownShift, "no such shift")
	ErrShiftSettled     = module.NewError(tx.CodeLabourShiftSettled, "the shift is on a statement already paid or due")
	ErrInsufficient     = module.NewError(tx.CodeLabourInsufficient, "not enough funds")
	ErrProjectEmployer  = module.NewError(tx.CodeLabourProjectEmployer, "project unknown, or the employer is not its prime or a subcontractor")
	ErrSelfEmployment   = module.NewError(tx.CodeLabourSelfEmployment, "the worker is the employer")
	ErrBadEnd           = module.NewError(tx.CodeLabourBadEnd, "end date refused")
)
