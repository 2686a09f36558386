package mileage

import "github.com/citychain/citychain/chain/internal/module"

// Codespace of the mileage module's errors.
const Codespace = "mileage"

// Result codes. Frozen: a released code never changes meaning.
var (
	ErrNotIssuer          = module.NewError(Codespace, 2, "signer lacks the mileage_issuer role")
	ErrNotAgency          = module.NewError(Codespace, 3, "signer lacks the agency role")
	ErrWrongDenom         = module.NewError(Codespace, 4, "mileage is paid in uscn only")
	ErrBudgetInsufficient = module.NewError(Codespace, 5, "mileage budget is insufficient")
	ErrUnknownMerchant    = module.NewError(Codespace, 6, "not a registered merchant")
	ErrInsufficient       = module.NewError(Codespace, 7, "mileage balance is insufficient")
	ErrMerchantExists     = module.NewError(Codespace, 8, "merchant already registered")
	ErrInvalidRecipient   = module.NewError(Codespace, 9, "invalid recipient")
	ErrSelfSpend          = module.NewError(Codespace, 10, "a merchant cannot spend mileage at itself")
	ErrUnknownDevice      = module.NewError(Codespace, 11, "unknown device")
	ErrNotVehicle         = module.NewError(Codespace, 12, "device is not an active ev_odometer")
	ErrNotAllowed         = module.NewError(Codespace, 13, "signer may not enrol this vehicle")
	ErrAlreadyEnrolled    = module.NewError(Codespace, 14, "vehicle already enrolled")
	ErrInvalidGenesis     = module.NewError(Codespace, 15, "invalid mileage genesis")
)
