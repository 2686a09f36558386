package vehicles

import "github.com/citychain/citychain/chain/internal/module"

// Codespace of the vehicles module's errors.
const Codespace = "vehicles"

// Result codes. Frozen: a released code never changes meaning.
var (
	ErrNotRegistrar        = module.NewError(Codespace, 2, "signer lacks the vehicle_registrar role")
	ErrInvalidGenesis      = module.NewError(Codespace, 3, "invalid vehicles genesis")
	ErrExists              = module.NewError(Codespace, 4, "vehicle already registered")
	ErrUnknownVehicle      = module.NewError(Codespace, 5, "unknown vehicle")
	ErrUnknownDevice       = module.NewError(Codespace, 6, "unknown device")
	ErrNotOdometer         = module.NewError(Codespace, 7, "device is not an active ev_odometer")
	ErrDeviceBound         = module.NewError(Codespace, 8, "device is bound to another vehicle")
	ErrDeviceOwner         = module.NewError(Codespace, 9, "device belongs to another account than the vehicle")
	ErrNotAgency           = module.NewError(Codespace, 10, "signer lacks the agency role")
	ErrProgrammeExists     = module.NewError(Codespace, 11, "subsidy programme already exists")
	ErrUnknownProgramme    = module.NewError(Codespace, 12, "unknown subsidy programme")
	ErrNotProgrammeAgency  = module.NewError(Codespace, 13, "signer is not the programme's agency")
	ErrBudgetExhausted     = module.NewError(Codespace, 14, "programme budget is exhausted")
	ErrVehicleSubsidised   = module.NewError(Codespace, 15, "vehicle already received a subsidy")
	ErrCitizenSubsidised   = module.NewError(Codespace, 16, "citizen already received a subsidy")
	ErrNotInspector        = module.NewError(Codespace, 17, "signer lacks the inspector role")
	ErrNotAccidentRecorder = module.NewError(Codespace, 18, "signer lacks the insurer or repair_shop role")
	ErrRecycled            = module.NewError(Codespace, 19, "vehicle is recycled")
	ErrFutureTime          = module.NewError(Codespace, 20, "time is after the block time")
	ErrNotDealer           = module.NewError(Codespace, 21, "signer lacks the dealer role")
	ErrTransferOpen        = module.NewError(Codespace, 22, "vehicle already has an open transfer")
	ErrSameOwner           = module.NewError(Codespace, 23, "buyer already owns the vehicle")
	ErrUnknownTransfer     = module.NewError(Codespace, 24, "unknown transfer")
	ErrTransferClosed      = module.NewError(Codespace, 25, "transfer is no longer open")
	ErrTransferExpired     = module.NewError(Codespace, 26, "transfer proposal expired")
	ErrNotParty            = module.NewError(Codespace, 27, "signer is not the transfer's seller or buyer")
	ErrAlreadyAccepted     = module.NewError(Codespace, 28, "signer already accepted the transfer")
	ErrNoReview            = module.NewError(Codespace, 29, "transfer needs no review, or was reviewed")
	ErrTooManyRecords      = module.NewError(Codespace, 30, "vehicle has the maximum number of records of this kind")
	ErrPayment             = module.NewError(Codespace, 31, "buyer cannot pay the price")
	ErrClawback            = module.NewError(Codespace, 32, "seller cannot repay the subsidy clawback")
	ErrNotRecycler         = module.NewError(Codespace, 33, "signer lacks the inspector or vehicle_registrar role")
	ErrNotCanceller        = module.NewError(Codespace, 34, "signer is not the transfer's dealer, seller or buyer")
	ErrInvalidRecipient    = module.NewError(Codespace, 36, "invalid owner or buyer")
	ErrDeviceVIN           = module.NewError(Codespace, 37, "device's metadata names another VIN")
	// 35 is reserved (never released).
)
