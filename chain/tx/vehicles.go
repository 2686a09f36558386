package tx

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
)

// Message types of the vehicles module: the vehicle register, the EV
// lifecycle (subsidies, battery health, recycling) and the used-car trust
// system (accidents, inspections, dealer-proposed title transfers).
const (
	TypeVehicleRegister         = "vehicles/register"
	TypeVehicleBindOdometer     = "vehicles/bind_odometer"
	TypeVehicleCreateProgramme  = "vehicles/create_programme"
	TypeVehicleApproveSubsidy   = "vehicles/approve_subsidy"
	TypeVehicleRecordBattery    = "vehicles/record_battery"
	TypeVehicleRecycle          = "vehicles/recycle"
	TypeVehicleRecordAccident   = "vehicles/record_accident"
	TypeVehicleRecordInspection = "vehicles/record_inspection"
	TypeVehicleProposeTransfer  = "vehicles/propose_transfer"
	TypeVehicleAcceptTransfer   = "vehicles/accept_transfer"
	TypeVehicleReviewTransfer   = "vehicles/review_transfer"
	TypeVehicleCancelTransfer   = "vehicles/cancel_transfer"
)

// Roles of the vehicles module (granted by an authority with
// auth/grant_role). The vehicle_registrar and agency roles are declared
// with the other roles.
const (
	RoleInspector  = "inspector"   // licensed inspector: battery health, inspection reports, recycling
	RoleInsurer    = "insurer"     // records accidents
	RoleRepairShop = "repair_shop" // records accidents
	RoleDealer     = "dealer"      // licensed dealer: proposes title transfers
)

// Battery chemistries.
var batteryChemistries = []string{"nmc", "nca", "lfp", "lmfp", "lto", "sodium_ion", "solid_state", "other"}

// Accident severities.
const (
	SeverityMinor     = "minor"
	SeverityModerate  = "moderate"
	SeveritySevere    = "severe"
	SeverityTotalLoss = "total_loss"
)

// Inspection results.
const (
	InspectionPass = "pass"
	InspectionFail = "fail"
)

// Bounds of the vehicles messages.
const (
	VINLength            = 17
	MaxVehicleModel      = 64
	MaxPassportID        = 64
	MaxProgrammeID       = 32
	MaxProgrammeName     = 128
	MaxVehicleText       = 256
	MaxBatteryWh         = 1_000_000_000 // 1 GWh: far above any vehicle
	MaxSOHBasisPoints    = 10_000        // 100.00 %
	MaxHoldingSeconds    = 20 * 365 * 24 * 3600
	DocHashLen           = 32 // SHA-256 of the document
	MaxOdometerMetres    = 100_000_000_000
	MaxVehicleYear       = 2200
	MinVehicleYear       = 1900
	MaxInspectionDefects = 10_000
)

// vinValues are the ISO 3779 transliteration values of the VIN characters
// (I, O and Q are never used).
func vinValue(c byte) (int, bool) {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0'), true
	case c >= 'A' && c <= 'H':
		return int(c-'A') + 1, true
	case c >= 'J' && c <= 'N':
		return int(c-'J') + 1, true
	case c == 'P':
		return 7, true
	case c == 'R':
		return 9, true
	case c >= 'S' && c <= 'Z':
		return int(c-'S') + 2, true
	}
	return 0, false
}

var vinWeights = [VINLength]int{8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2}

// VINCheckDigit computes the check digit (position 9) of a 17-character
// VIN: the weighted sum of the transliterated characters modulo 11, with
// 10 written 'X'. The character at position 9 itself does not count.
func VINCheckDigit(vin string) (byte, error) {
	if len(vin) != VINLength {
		return 0, fmt.Errorf("vin %q: %d characters, want %d", vin, len(vin), VINLength)
	}
	sum := 0
	for i := 0; i < VINLength; i++ {
		v, ok := vinValue(vin[i])
		if !ok {
			return 0, fmt.Errorf("vin %q: character %q at position %d: want 0-9 or A-Z except I, O and Q", vin, vin[i], i+1)
		}
		sum += v * vinWeights[i]
	}
	if d := sum % 11; d < 10 {
		return byte('0' + d), nil
	}
	return 'X', nil
}

// ValidateVIN checks a vehicle identification number: 17 characters of
// 0-9 and A-Z except I, O and Q, whose ninth character is the ISO 3779
// check digit.
func ValidateVIN(vin string) error {
	d, err := VINCheckDigit(vin)
	if err != nil {
		return err
	}
	if vin[8] != d {
		return fmt.Errorf("vin %q: check digit (position 9) is %q, want %q", vin, vin[8], d)
	}
	return nil
}

// ValidateProgrammeID checks a subsidy programme id: 1 to 32 characters of
// [a-z0-9-].
func ValidateProgrammeID(id string) error {
	if len(id) == 0 || len(id) > MaxProgrammeID {
		return fmt.Errorf("programme %q: want 1 to %d characters of a-z, 0-9 and '-'", id, MaxProgrammeID)
	}
	for _, c := range []byte(id) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return fmt.Errorf("programme %q: want only a-z, 0-9 and '-'", id)
		}
	}
	return nil
}

func validateDocHash(field string, h HexBytes, required bool) error {
	if len(h) == 0 && !required {
		return nil
	}
	if len(h) != DocHashLen {
		return fmt.Errorf("%s: %d bytes, want the %d-byte SHA-256 of the document", field, len(h), DocHashLen)
	}
	return nil
}

func validateSOH(field string, bp uint64) error {
	if bp == 0 || bp > MaxSOHBasisPoints {
		return fmt.Errorf("%s: %d, want 1 to %d basis points (0.01 %% to 100 %%)", field, bp, MaxSOHBasisPoints)
	}
	return nil
}

// Battery describes a vehicle's traction battery.
type Battery struct {
	CapacityWh uint64 `json:"capacity_wh"`
	Chemistry  string `json:"chemistry"`
	// PassportID is the battery passport's identifier.
	PassportID string `json:"passport_id"`
}

// Validate checks the battery's fields.
func (b Battery) Validate() error {
	var errs []error
	if b.CapacityWh == 0 || b.CapacityWh > MaxBatteryWh {
		errs = append(errs, fmt.Errorf("battery.capacity_wh: %d, want 1 to %d", b.CapacityWh, MaxBatteryWh))
	}
	known := false
	for _, c := range batteryChemistries {
		known = known || b.Chemistry == c
	}
	if !known {
		errs = append(errs, fmt.Errorf("battery.chemistry %q: want one of %v", b.Chemistry, batteryChemistries))
	}
	errs = append(errs, validateText("battery.passport_id", b.PassportID, 1, MaxPassportID))
	return errors.Join(errs...)
}

// MsgVehicleRegister registers a vehicle with its battery, its owner and
// the ev_odometer device bound to it (owned by the same account). Only a
// vehicle_registrar may send it.
type MsgVehicleRegister struct {
	VIN            string  `json:"vin"`
	Model          string  `json:"model"`
	Year           uint32  `json:"year"`
	Battery        Battery `json:"battery"`
	Owner          Address `json:"owner"`
	OdometerDevice string  `json:"odometer_device"`
}

// Type implements Msg.
func (*MsgVehicleRegister) Type() string { return TypeVehicleRegister }

// ValidateBasic implements Msg.
func (m *MsgVehicleRegister) ValidateBasic() error {
	var year error
	if m.Year < MinVehicleYear || m.Year > MaxVehicleYear {
		year = fmt.Errorf("year: %d, want %d to %d", m.Year, MinVehicleYear, MaxVehicleYear)
	}
	return errors.Join(ValidateVIN(m.VIN), validateText("model", m.Model, 1, MaxVehicleModel), year,
		m.Battery.Validate(), requireAddress("owner", m.Owner), ValidateDeviceID(m.OdometerDevice))
}

// MsgVehicleBindOdometer binds a replacement ev_odometer device to a
// vehicle (its readings continue the vehicle's odometer series and may not
// go below it). Only a vehicle_registrar may send it.
type MsgVehicleBindOdometer struct {
	VIN    string `json:"vin"`
	Device string `json:"device"`
}

// Type implements Msg.
func (*MsgVehicleBindOdometer) Type() string { return TypeVehicleBindOdometer }

// ValidateBasic implements Msg.
func (m *MsgVehicleBindOdometer) ValidateBasic() error {
	return errors.Join(ValidateVIN(m.VIN), ValidateDeviceID(m.Device))
}

// MsgVehicleCreateProgramme creates an EV subsidy programme: Amount per
// approved vehicle, Budget moved from the signer into the programme's
// escrow, and a holding period during which a transfer of title claws the
// pro-rata rest back from the seller. Only an agency may send it; the
// signer becomes the programme's agency.
type MsgVehicleCreateProgramme struct {
	ID                   string `json:"id"`
	Name                 string `json:"name"`
	Amount               Coin   `json:"amount"`
	Budget               Coin   `json:"budget"`
	HoldingPeriodSeconds uint64 `json:"holding_period_seconds"`
}

// Type implements Msg.
func (*MsgVehicleCreateProgramme) Type() string { return TypeVehicleCreateProgramme }

// ValidateBasic implements Msg.
func (m *MsgVehicleCreateProgramme) ValidateBasic() error {
	errs := []error{ValidateProgrammeID(m.ID), validateText("name", m.Name, 1, MaxProgrammeName),
		requirePositive("amount", m.Amount), requirePositive("budget", m.Budget)}
	if m.Amount.Denom != m.Budget.Denom {
		errs = append(errs, fmt.Errorf("budget: %s, want the denomination of amount (%s)", m.Budget, m.Amount.Denom))
	} else if m.Budget.Amount < m.Amount.Amount {
		errs = append(errs, fmt.Errorf("budget: %s is less than one subsidy of %s", m.Budget, m.Amount))
	}
	if m.HoldingPeriodSeconds == 0 || m.HoldingPeriodSeconds > MaxHoldingSeconds {
		errs = append(errs, fmt.Errorf("holding_period_seconds: %d, want 1 to %d", m.HoldingPeriodSeconds, MaxHoldingSeconds))
	}
	return errors.Join(errs...)
}

// MsgVehicleApproveSubsidy approves a programme's subsidy for a vehicle: the
// programme's escrow pays Amount to the vehicle's owner. A vehicle and a
// citizen each receive at most one approved subsidy, ever. Only the
// programme's agency may send it.
type MsgVehicleApproveSubsidy struct {
	Programme string `json:"programme"`
	VIN       string `json:"vin"`
}

// Type implements Msg.
func (*MsgVehicleApproveSubsidy) Type() string { return TypeVehicleApproveSubsidy }

// ValidateBasic implements Msg.
func (m *MsgVehicleApproveSubsidy) ValidateBasic() error {
	return errors.Join(ValidateProgrammeID(m.Programme), ValidateVIN(m.VIN))
}

// MsgVehicleRecordBattery records a battery state-of-health measurement, in
// basis points of the rated capacity. Only an inspector may send it.
type MsgVehicleRecordBattery struct {
	VIN     string   `json:"vin"`
	SOHBP   uint64   `json:"soh_bp"`
	DocHash HexBytes `json:"doc_hash,omitempty"`
}

// Type implements Msg.
func (*MsgVehicleRecordBattery) Type() string { return TypeVehicleRecordBattery }

// ValidateBasic implements Msg.
func (m *MsgVehicleRecordBattery) ValidateBasic() error {
	return errors.Join(ValidateVIN(m.VIN), validateSOH("soh_bp", m.SOHBP), validateDocHash("doc_hash", m.DocHash, false))
}

// MsgVehicleRecycle ends a vehicle's life: its battery goes to recycling,
// the title can no longer be transferred and nothing more is recorded. An
// inspector or a vehicle_registrar may send it.
type MsgVehicleRecycle struct {
	VIN    string `json:"vin"`
	Reason string `json:"reason"`
}

// Type implements Msg.
func (*MsgVehicleRecycle) Type() string { return TypeVehicleRecycle }

// ValidateBasic implements Msg.
func (m *MsgVehicleRecycle) ValidateBasic() error {
	return errors.Join(ValidateVIN(m.VIN), validateText("reason", m.Reason, 1, MaxVehicleText))
}

// MsgVehicleRecordAccident records an accident. Only an insurer or a
// repair_shop may send it.
type MsgVehicleRecordAccident struct {
	VIN string `json:"vin"`
	// OccurredAt is when the accident happened, unix seconds; not after the
	// block time.
	OccurredAt int64    `json:"occurred_at"`
	Severity   string   `json:"severity"`
	Summary    string   `json:"summary"`
	DocHash    HexBytes `json:"doc_hash,omitempty"`
}

// Type implements Msg.
func (*MsgVehicleRecordAccident) Type() string { return TypeVehicleRecordAccident }

// ValidateBasic implements Msg.
func (m *MsgVehicleRecordAccident) ValidateBasic() error {
	var sev, at error
	switch m.Severity {
	case SeverityMinor, SeverityModerate, SeveritySevere, SeverityTotalLoss:
	default:
		sev = fmt.Errorf("severity %q: want minor, moderate, severe or total_loss", m.Severity)
	}
	if m.OccurredAt <= 0 {
		at = fmt.Errorf("occurred_at: %d, want unix seconds", m.OccurredAt)
	}
	return errors.Join(ValidateVIN(m.VIN), at, sev, validateText("summary", m.Summary, 1, MaxVehicleText),
		validateDocHash("doc_hash", m.DocHash, false))
}

// MsgVehicleRecordInspection records an inspection report: the hash of the
// report document and its key figures. Only an inspector may send it.
type MsgVehicleRecordInspection struct {
	VIN       string   `json:"vin"`
	DocHash   HexBytes `json:"doc_hash"`
	Result    string   `json:"result"`
	OdometerM uint64   `json:"odometer_m"`
	Defects   uint64   `json:"defects"`
	// SOHBP is the battery state of health measured, if any (0: none).
	SOHBP uint64 `json:"soh_bp,omitempty"`
}

// Type implements Msg.
func (*MsgVehicleRecordInspection) Type() string { return TypeVehicleRecordInspection }

// ValidateBasic implements Msg.
func (m *MsgVehicleRecordInspection) ValidateBasic() error {
	errs := []error{ValidateVIN(m.VIN), validateDocHash("doc_hash", m.DocHash, true)}
	if m.Result != InspectionPass && m.Result != InspectionFail {
		errs = append(errs, fmt.Errorf("result %q: want pass or fail", m.Result))
	}
	if m.OdometerM > MaxOdometerMetres {
		errs = append(errs, fmt.Errorf("odometer_m: %d, want at most %d", m.OdometerM, uint64(MaxOdometerMetres)))
	}
	if m.Defects > MaxInspectionDefects {
		errs = append(errs, fmt.Errorf("defects: %d, want at most %d", m.Defects, MaxInspectionDefects))
	}
	if m.SOHBP != 0 {
		errs = append(errs, validateSOH("soh_bp", m.SOHBP))
	}
	return errors.Join(errs...)
}

// MsgVehicleProposeTransfer proposes a sale of title from the vehicle's
// owner to Buyer at Price (uscn or ukrw). Only a dealer may send it. A
// proposal locks nothing (a dealer's new proposal for the vehicle replaces
// its own earlier one); the seller's acceptance locks the vehicle against
// other proposals until that transfer closes. The transfer happens, with
// the payment, in the transaction that brings the last approval (seller,
// buyer, and the registrar's review for a flagged vehicle).
type MsgVehicleProposeTransfer struct {
	VIN   string  `json:"vin"`
	Buyer Address `json:"buyer"`
	Price Coin    `json:"price"`
}

// Type implements Msg.
func (*MsgVehicleProposeTransfer) Type() string { return TypeVehicleProposeTransfer }

// ValidateBasic implements Msg.
func (m *MsgVehicleProposeTransfer) ValidateBasic() error {
	var denom error
	if m.Price.Denom != DenomSCoin && m.Price.Denom != DenomKRW {
		denom = fmt.Errorf("price: %s, want an amount in %s or %s", m.Price, DenomSCoin, DenomKRW)
	}
	return errors.Join(ValidateVIN(m.VIN), requireAddress("buyer", m.Buyer), requirePositive("price", m.Price), denom)
}

// MsgVehicleAcceptTransfer is the seller's or the buyer's signature on a
// proposed transfer.
type MsgVehicleAcceptTransfer struct {
	ID uint64 `json:"id"`
}

// Type implements Msg.
func (*MsgVehicleAcceptTransfer) Type() string { return TypeVehicleAcceptTransfer }

// ValidateBasic implements Msg.
func (m *MsgVehicleAcceptTransfer) ValidateBasic() error { return requireTransferID(m.ID) }

// MsgVehicleReviewTransfer is a vehicle_registrar's review of a proposed
// transfer of a flagged vehicle: approve lets it proceed, otherwise it is
// refused and closed.
type MsgVehicleReviewTransfer struct {
	ID      uint64 `json:"id"`
	Approve bool   `json:"approve"`
	Reason  string `json:"reason"`
}

// Type implements Msg.
func (*MsgVehicleReviewTransfer) Type() string { return TypeVehicleReviewTransfer }

// ValidateBasic implements Msg.
func (m *MsgVehicleReviewTransfer) ValidateBasic() error {
	return errors.Join(requireTransferID(m.ID), validateText("reason", m.Reason, 1, MaxVehicleText))
}

// MsgVehicleCancelTransfer withdraws an open transfer proposal. Its dealer,
// seller or buyer may send it.
type MsgVehicleCancelTransfer struct {
	ID uint64 `json:"id"`
}

// Type implements Msg.
func (*MsgVehicleCancelTransfer) Type() string { return TypeVehicleCancelTransfer }

// ValidateBasic implements Msg.
func (m *MsgVehicleCancelTransfer) ValidateBasic() error { return requireTransferID(m.ID) }

func requireTransferID(id uint64) error {
	if id == 0 {
		return fmt.Errorf("id: want a transfer id (1 or more), got 0")
	}
	return nil
}

// OdometerPoint is one point of a vehicle's odometer series: the last
// signed reading the chain accepted in one metering interval.
type OdometerPoint struct {
	Interval uint64 `json:"interval"`
	ValueM   uint64 `json:"value_m"`
	TimeMs   int64  `json:"time_ms"`
	Device   string `json:"device"`
	Seq      uint64 `json:"seq"`
}

// odometerDomain separates odometer digests from every other hash.
var odometerDomain = []byte("citychain/odometer/v1\x00")

// OdometerDigest extends a vehicle's odometer digest with a sealed point:
// SHA-256(domain || prev || interval || value_m || time_ms || seq, each
// 8 bytes big-endian || device). A vehicle's digest (proven with its
// record) covers every point but the last, which the record holds itself;
// a client verifies a report's series by folding its points from an empty
// digest.
func OdometerDigest(prev []byte, p OdometerPoint) HexBytes {
	h := sha256.New()
	h.Write(odometerDomain)
	h.Write(prev)
	var b [32]byte
	binary.BigEndian.PutUint64(b[0:], p.Interval)
	binary.BigEndian.PutUint64(b[8:], p.ValueM)
	binary.BigEndian.PutUint64(b[16:], uint64(p.TimeMs))
	binary.BigEndian.PutUint64(b[24:], p.Seq)
	h.Write(b[:])
	h.Write([]byte(p.Device))
	return h.Sum(nil)
}

// VerifyOdometerSeries checks a full odometer series against the digest
// and last point of a proven vehicle record.
func VerifyOdometerSeries(points []OdometerPoint, digest []byte, last *OdometerPoint, count uint64) error {
	if uint64(len(points)) != count {
		return fmt.Errorf("odometer series: %d points, the record counts %d", len(points), count)
	}
	if count == 0 {
		if last != nil || len(digest) != 0 {
			return fmt.Errorf("odometer series: empty, but the record has a last point or a digest")
		}
		return nil
	}
	var d HexBytes
	for i := 0; i < len(points)-1; i++ {
		if i > 0 && points[i].Interval <= points[i-1].Interval {
			return fmt.Errorf("odometer series: point %d (interval %d) is not after point %d", i, points[i].Interval, i-1)
		}
		d = OdometerDigest(d, points[i])
	}
	if !bytes.Equal(d, digest) {
		return fmt.Errorf("odometer series: digest %x of the points does not match the proven digest %x", []byte(d), digest)
	}
	if last == nil || points[len(points)-1] != *last {
		return fmt.Errorf("odometer series: the last point does not match the proven record")
	}
	return nil
}

// VehicleMsgs is the vehicles module's part of the transaction contract.
var VehicleMsgs = ModuleMsgs{
	Module: "vehicles",
	Roles:  []string{RoleInspector, RoleInsurer, RoleRepairShop, RoleDealer},
	Msgs: []MsgDef{
		{TypeVehicleRegister, func() Msg { return &MsgVehicleRegister{} }, RoleVehicleRegistrar},
		{TypeVehicleBindOdometer, func() Msg { return &MsgVehicleBindOdometer{} }, RoleVehicleRegistrar},
		{TypeVehicleCreateProgramme, func() Msg { return &MsgVehicleCreateProgramme{} }, RoleAgency},
		{TypeVehicleApproveSubsidy, func() Msg { return &MsgVehicleApproveSubsidy{} }, "the programme's agency"},
		{TypeVehicleRecordBattery, func() Msg { return &MsgVehicleRecordBattery{} }, RoleInspector},
		{TypeVehicleRecycle, func() Msg { return &MsgVehicleRecycle{} }, RoleInspector + " or " + RoleVehicleRegistrar},
		{TypeVehicleRecordAccident, func() Msg { return &MsgVehicleRecordAccident{} }, RoleInsurer + " or " + RoleRepairShop},
		{TypeVehicleRecordInspection, func() Msg { return &MsgVehicleRecordInspection{} }, RoleInspector},
		{TypeVehicleProposeTransfer, func() Msg { return &MsgVehicleProposeTransfer{} }, RoleDealer},
		{TypeVehicleAcceptTransfer, func() Msg { return &MsgVehicleAcceptTransfer{} }, "the seller or the buyer"},
		{TypeVehicleReviewTransfer, func() Msg { return &MsgVehicleReviewTransfer{} }, RoleVehicleRegistrar},
		{TypeVehicleCancelTransfer, func() Msg { return &MsgVehicleCancelTransfer{} }, "the dealer, the seller or the buyer"},
	},
}

// CodespaceVehicle is the codespace of the vehicles module's result codes.
const CodespaceVehicle = "vehicles"

// Result codes of the vehicles module (see Code). Frozen: a released code
// never changes meaning.
var (
	CodeVehicleNotRegistrar        = Code{CodespaceVehicle, 2}  // signer lacks the vehicle_registrar role
	CodeVehicleInvalidGenesis      = Code{CodespaceVehicle, 3}  // invalid vehicles genesis
	CodeVehicleExists              = Code{CodespaceVehicle, 4}  // vehicle already registered
	CodeVehicleUnknown             = Code{CodespaceVehicle, 5}  // unknown vehicle
	CodeVehicleUnknownDevice       = Code{CodespaceVehicle, 6}  // unknown device
	CodeVehicleNotOdometer         = Code{CodespaceVehicle, 7}  // device is not an active ev_odometer
	CodeVehicleDeviceBound         = Code{CodespaceVehicle, 8}  // device is bound to another vehicle
	CodeVehicleDeviceOwner         = Code{CodespaceVehicle, 9}  // device belongs to another account than the vehicle
	CodeVehicleNotAgency           = Code{CodespaceVehicle, 10} // signer lacks the agency role
	CodeVehicleProgrammeExists     = Code{CodespaceVehicle, 11} // subsidy programme already exists
	CodeVehicleUnknownProgramme    = Code{CodespaceVehicle, 12} // unknown subsidy programme
	CodeVehicleNotProgrammeAgency  = Code{CodespaceVehicle, 13} // signer is not the programme's agency
	CodeVehicleBudgetExhausted     = Code{CodespaceVehicle, 14} // programme budget is exhausted
	CodeVehicleSubsidised          = Code{CodespaceVehicle, 15} // vehicle already received a subsidy
	CodeVehicleCitizenSubsidised   = Code{CodespaceVehicle, 16} // citizen already received a subsidy
	CodeVehicleNotInspector        = Code{CodespaceVehicle, 17} // signer lacks the inspector role
	CodeVehicleNotAccidentRecorder = Code{CodespaceVehicle, 18} // signer lacks the insurer or repair_shop role
	CodeVehicleRecycled            = Code{CodespaceVehicle, 19} // vehicle is recycled
	CodeVehicleFutureTime          = Code{CodespaceVehicle, 20} // time is after the block time
	CodeVehicleNotDealer           = Code{CodespaceVehicle, 21} // signer lacks the dealer role
	CodeVehicleTransferOpen        = Code{CodespaceVehicle, 22} // vehicle already has an open transfer its owner accepted
	CodeVehicleSameOwner           = Code{CodespaceVehicle, 23} // buyer already owns the vehicle
	CodeVehicleUnknownTransfer     = Code{CodespaceVehicle, 24} // unknown transfer
	CodeVehicleTransferClosed      = Code{CodespaceVehicle, 25} // transfer is no longer open
	CodeVehicleTransferExpired     = Code{CodespaceVehicle, 26} // transfer proposal expired
	CodeVehicleNotParty            = Code{CodespaceVehicle, 27} // signer is not the transfer's seller or buyer
	CodeVehicleAlreadyAccepted     = Code{CodespaceVehicle, 28} // signer already accepted the transfer
	CodeVehicleNoReview            = Code{CodespaceVehicle, 29} // transfer needs no review, or was reviewed
	CodeVehicleTooManyRecords      = Code{CodespaceVehicle, 30} // vehicle has the maximum number of records of this kind
	CodeVehiclePayment             = Code{CodespaceVehicle, 31} // buyer cannot pay the price
	CodeVehicleClawback            = Code{CodespaceVehicle, 32} // seller cannot repay the subsidy clawback
	CodeVehicleNotRecycler         = Code{CodespaceVehicle, 33} // signer lacks the inspector or vehicle_registrar role
	CodeVehicleNotCanceller        = Code{CodespaceVehicle, 34} // signer is not the transfer's dealer, seller or buyer
	CodeVehicleInvalidRecipient    = Code{CodespaceVehicle, 36} // invalid owner or buyer
	CodeVehicleDeviceVIN           = Code{CodespaceVehicle, 37} // device's metadata names another VIN
	// 35 is reserved (never released).
)
