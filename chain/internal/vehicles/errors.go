package vehicles

import (
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
)

// Codespace of the vehicles module's errors.
const Codespace = tx.CodespaceVehicle

// Result codes, declared in chain/tx. Frozen: a released code never
// changes meaning.
var (
	ErrNotRegistrar        = module.NewError(tx.CodeVehicleNotRegistrar, "signer lacks the vehicle_registrar role")
	ErrInvalidGenesis      = module.NewError(tx.CodeVehicleInvalidGenesis, "invalid vehicles genesis")
	ErrExists              = module.NewError(tx.CodeVehicleExists, "vehicle already registered")
	ErrUnknownVehicle      = module.NewError(tx.CodeVehicleUnknown, "unknown vehicle")
	ErrUnknownDevice       = module.NewError(tx.CodeVehicleUnknownDevice, "unknown device")
	ErrNotOdometer         = module.NewError(tx.CodeVehicleNotOdometer, "device is not an active ev_odometer")
	ErrDeviceBound         = module.NewError(tx.CodeVehicleDeviceBound, "device is bound to another vehicle")
	ErrDeviceOwner         = module.NewError(tx.CodeVehicleDeviceOwner, "device belongs to another account than the vehicle")
	ErrNotAgency           = module.NewError(tx.CodeVehicleNotAgency, "signer lacks the agency role")
	ErrProgrammeExists     = module.NewError(tx.CodeVehicleProgrammeExists, "subsidy programme already exists")
	ErrUnknownProgramme    = module.NewError(tx.CodeVehicleUnknownProgramme, "unknown subsidy programme")
	ErrNotProgrammeAgency  = module.NewError(tx.CodeVehicleNotProgrammeAgency, "signer is not the programme's agency")
	ErrBudgetExhausted     = module.NewError(tx.CodeVehicleBudgetExhausted, "programme budget is exhausted")
	ErrVehicleSubsidised   = module.NewError(tx.CodeVehicleSubsidised, "vehicle already received a subsidy")
	ErrCitizenSubsidised   = module.NewError(tx.CodeVehicleCitizenSubsidised, "citizen already received a subsidy")
	ErrNotInspector        = module.NewError(tx.CodeVehicleNotInspector, "signer lacks the inspector role")
	ErrNotAccidentRecorder = module.NewError(tx.CodeVehicleNotAccidentRecorder, "signer lacks the insurer or repair_shop role")
	ErrRecycled            = module.NewError(tx.CodeVehicleRecycled, "vehicle is recycled")
	ErrFutureTime          = module.NewError(tx.CodeVehicleFutureTime, "time is after the block time")
	ErrNotDealer           = module.NewError(tx.CodeVehicleNotDealer, "signer lacks the dealer role")
	ErrTransferOpen        = module.NewError(tx.CodeVehicleTransferOpen, "vehicle already has an open transfer its owner accepted")
	ErrSameOwner           = module.NewError(tx.CodeVehicleSameOwner, "buyer already owns the vehicle")
	ErrUnknownTransfer     = module.NewError(tx.CodeVehicleUnknownTransfer, "unknown transfer")
	ErrTransferClosed      = module.NewError(tx.CodeVehicleTransferClosed, "transfer is no longer open")
	ErrTransferExpired     = module.NewError(tx.CodeVehicleTransferExpired, "transfer proposal expired")
	ErrNotParty            = module.NewError(tx.CodeVehicleNotParty, "signer is not the transfer's seller or buyer")
	ErrAlreadyAccepted     = module.NewError(tx.CodeVehicleAlreadyAccepted, "signer already accepted the transfer")
	ErrNoReview            = module.NewError(tx.CodeVehicleNoReview, "transfer needs no review, or was reviewed")
	ErrTooManyRecords      = module.NewError(tx.CodeVehicleTooManyRecords, "vehicle has the maximum number of records of this kind")
	ErrPayment             = module.NewError(tx.CodeVehiclePayment, "buyer cannot pay the price")
	ErrClawback            = module.NewError(tx.CodeVehicleClawback, "seller cannot repay the subsidy clawback")
	ErrNotRecycler         = module.NewError(tx.CodeVehicleNotRecycler, "signer lacks the inspector or vehicle_registrar role")
	ErrNotCanceller        = module.NewError(tx.CodeVehicleNotCanceller, "signer is not the transfer's dealer, seller or buyer")
	ErrInvalidRecipient    = module.NewError(tx.CodeVehicleInvalidRecipient, "invalid owner or buyer")
	ErrDeviceVIN           = module.NewError(tx.CodeVehicleDeviceVIN, "device's metadata names another VIN")
	// 35 is reserved (never released).
)
