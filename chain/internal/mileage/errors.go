package mileage

import (
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
)

// Codespace of the mileage module's errors.
const Codespace = tx.CodespaceMileage

// Result codes, declared in chain/tx. Frozen: a released code never
// changes meaning.
var (
	ErrNotIssuer          = module.NewError(tx.CodeMileageNotIssuer, "signer lacks the mileage_issuer role")
	ErrNotAgency          = module.NewError(tx.CodeMileageNotAgency, "signer lacks the agency role")
	ErrWrongDenom         = module.NewError(tx.CodeMileageWrongDenom, "mileage is paid in uscn only")
	ErrBudgetInsufficient = module.NewError(tx.CodeMileageBudgetInsufficient, "mileage budget is insufficient")
	ErrUnknownMerchant    = module.NewError(tx.CodeMileageUnknownMerchant, "not a registered merchant")
	ErrInsufficient       = module.NewError(tx.CodeMileageInsufficient, "mileage balance is insufficient")
	ErrMerchantExists     = module.NewError(tx.CodeMileageMerchantExists, "merchant already registered")
	ErrInvalidRecipient   = module.NewError(tx.CodeMileageInvalidRecipient, "invalid recipient")
	ErrSelfSpend          = module.NewError(tx.CodeMileageSelfSpend, "a merchant cannot spend mileage at itself")
	ErrUnknownDevice      = module.NewError(tx.CodeMileageUnknownDevice, "unknown device")
	ErrNotVehicle         = module.NewError(tx.CodeMileageNotVehicle, "device is not an active ev_odometer")
	ErrNotAllowed         = module.NewError(tx.CodeMileageNotAllowed, "signer may not enrol this vehicle")
	ErrAlreadyEnrolled    = module.NewError(tx.CodeMileageAlreadyEnrolled, "vehicle already enrolled")
	ErrInvalidGenesis     = module.NewError(tx.CodeMileageInvalidGenesis, "invalid mileage genesis")
)
