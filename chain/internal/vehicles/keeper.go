// Package vehicles is the city's vehicle register: every vehicle by VIN with
// its battery, owner and bound odometer device, the EV lifecycle (subsidy
// programmes with escrowed budgets and clawback, battery health,
// recycling) and the used-car trust system (the odometer series from
// signed readings, permanent rollback flags, accident and inspection
// records, and title transfers proposed by a licensed dealer, signed by
// seller and buyer and paid in the same transaction).
package vehicles

import (
	"time"

	"github.com/citychain/citychain/chain/internal/devices"
	"github.com/citychain/citychain/chain/internal/metering"
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// EscrowAddress holds the budgets of every subsidy programme: its balance in
// a denomination is the sum of the remaining budgets of the programmes in
// that denomination. No key controls it; only this module moves its funds.
var EscrowAddress = tx.ModuleAddress(tx.ModuleAccountVehicleSubsidies)

// Bank is what vehicles needs of the bank module.
type Bank interface {
	Send(ctx *module.Context, from, to tx.Address, amount tx.Coin) error
	Balance(ctx *module.Context, addr tx.Address, denom string) uint64
}

// Roles is what vehicles needs of the auth module.
type Roles interface {
	HasRole(ctx *module.Context, addr tx.Address, role string) bool
	EnsureAccount(ctx *module.Context, addr tx.Address)
}

// Devices is what vehicles needs of the devices module.
type Devices interface {
	Device(ctx *module.Context, id string) *devices.Device
	SetOwner(ctx *module.Context, id string, owner tx.Address) error
}

// Metering is what vehicles needs of the metering module.
type Metering interface {
	State(ctx *module.Context, id string) *metering.DeviceState
	Params(ctx *module.Context) metering.Params
}

// Keeper owns the vehicles module's state.
type Keeper struct {
	prefix   byte
	bank     Bank
	roles    Roles
	devices  Devices
	metering Metering
}

var (
	_ module.Module      = (*Keeper)(nil)
	_ metering.Odometers = (*Keeper)(nil)
	_ devices.Bindings   = (*Keeper)(nil)
)

// NewKeeper returns the keeper for the module's key space under prefix.
func NewKeeper(prefix byte, bank Bank, roles Roles, devs Devices, meter Metering) *Keeper {
	return &Keeper{prefix: prefix, bank: bank, roles: roles, devices: devs, metering: meter}
}

// Name implements module.Module.
func (*Keeper) Name() string { return Codespace }

func (k *Keeper) kv(ctx *module.Context) store.KV { return ctx.Store(k.prefix) }

// ---- state types ----

// Vehicle statuses.
const (
	StatusActive   = "active"
	StatusRecycled = "recycled"
)

// Vehicle is one registered vehicle and its whole history. Every list is
// append-only and bounded by Params.MaxRecords.
type Vehicle struct {
	VIN              string          `json:"vin"`
	Model            string          `json:"model"`
	Year             uint32          `json:"year"`
	Battery          tx.Battery      `json:"battery"`
	Owner            tx.Address      `json:"owner"`
	Device           string          `json:"odometer_device"`
	Status           string          `json:"status"`
	RegisteredBy     tx.Address      `json:"registered_by"`
	RegisteredHeight int64           `json:"registered_height"`
	RegisteredTime   time.Time       `json:"registered_time"`
	Owners           []Ownership     `json:"owners"`
	Devices          []Binding       `json:"devices"`
	Flags            []Flag          `json:"flags"`
	Accidents        []Accident      `json:"accidents"`
	Inspections      []Inspection    `json:"inspections"`
	BatteryHealth    []BatteryHealth `json:"battery_health"`
	Subsidy          *Subsidy        `json:"subsidy"`
	Recycling        *Recycling      `json:"recycling"`
	Odometer         Odometer        `json:"odometer"`
	// OpenTransfer is the id of the open transfer its owner accepted (0:
	// none). Only that acceptance locks the vehicle against other
	// proposals: a dealer's proposal alone locks nothing (see transfer.go).
	OpenTransfer uint64 `json:"open_transfer"`
}

// Flagged reports whether the vehicle carries an odometer flag. Flags are
// never cleared.
func (v *Vehicle) Flagged() bool { return len(v.Flags) > 0 }

// Ownership is one owner of the vehicle's title, oldest first.
type Ownership struct {
	Owner      tx.Address `json:"owner"`
	FromHeight int64      `json:"from_height"`
	FromTime   time.Time  `json:"from_time"`
	// Transfer is the title transfer that made this owner (0: registration).
	Transfer uint64      `json:"transfer,omitempty"`
	Price    *tx.Coin    `json:"price,omitempty"`
	Dealer   *tx.Address `json:"dealer,omitempty"`
}

// Binding is one odometer device bound to the vehicle, oldest first.
type Binding struct {
	Device     string     `json:"device"`
	FromHeight int64      `json:"from_height"`
	By         tx.Address `json:"by"`
}

// Flag kinds.
const (
	// FlagOdometerRollback: a signed odometer reading went below the
	// vehicle's odometer.
	FlagOdometerRollback = "odometer_rollback"
)

// Flag is permanent evidence against the vehicle's odometer. Count is the
// number of rejected readings of the same device since the flag was raised.
type Flag struct {
	Kind      string    `json:"kind"`
	Device    string    `json:"device"`
	Seq       uint64    `json:"seq"`
	ValueM    uint64    `json:"value_m"`
	PreviousM uint64    `json:"previous_m"`
	Count     uint64    `json:"count"`
	Height    int64     `json:"height"`
	Time      time.Time `json:"time"`
}

// Accident is an accident record by an insurer or a repair shop.
type Accident struct {
	OccurredAt int64       `json:"occurred_at"`
	Severity   string      `json:"severity"`
	Summary    string      `json:"summary"`
	DocHash    tx.HexBytes `json:"doc_hash,omitempty"`
	By         tx.Address  `json:"by"`
	Height     int64       `json:"height"`
	Time       time.Time   `json:"time"`
}

// Inspection is an inspection report: the document's hash and key figures.
type Inspection struct {
	DocHash   tx.HexBytes `json:"doc_hash"`
	Result    string      `json:"result"`
	OdometerM uint64      `json:"odometer_m"`
	Defects   uint64      `json:"defects"`
	SOHBP     uint64      `json:"soh_bp,omitempty"`
	By        tx.Address  `json:"by"`
	Height    int64       `json:"height"`
	Time      time.Time   `json:"time"`
}

// BatteryHealth is one state-of-health measurement by an inspector.
type BatteryHealth struct {
	SOHBP   uint64      `json:"soh_bp"`
	DocHash tx.HexBytes `json:"doc_hash,omitempty"`
	By      tx.Address  `json:"by"`
	Height  int64       `json:"height"`
	Time    time.Time   `json:"time"`
}

// Subsidy statuses.
const (
	SubsidyHeld       = "held"        // within the holding period: a sale claws the rest back
	SubsidyClawedBack = "clawed_back" // the title moved within the holding period
)

// Subsidy is the one subsidy approved for a vehicle. A sale before
// HoldingUntil claws back Amount × (HoldingUntil − sale time) ÷ holding
// period (rounded down) from the seller into the programme's budget.
type Subsidy struct {
	Programme        string     `json:"programme"`
	Amount           tx.Coin    `json:"amount"`
	Holder           tx.Address `json:"holder"`
	Agency           tx.Address `json:"agency"`
	Height           int64      `json:"height"`
	Time             time.Time  `json:"time"`
	HoldingUntil     time.Time  `json:"holding_until"`
	Status           string     `json:"status"`
	ClawedBack       *tx.Coin   `json:"clawed_back,omitempty"`
	ClawbackTransfer uint64     `json:"clawback_transfer,omitempty"`
}

// Recycling records a vehicle's end of life.
type Recycling struct {
	Reason string     `json:"reason"`
	By     tx.Address `json:"by"`
	Height int64      `json:"height"`
	Time   time.Time  `json:"time"`
}

// Odometer summarises the vehicle's odometer series, whose points are
// stored under their own keys: Points counts them, Last is the newest and
// Digest folds every point before it with tx.OdometerDigest, so a proof of
// the vehicle record proves the whole series (declared in chain/tx).
type Odometer = tx.OdometerSummary

// Programme is an EV subsidy programme. Remaining is the budget still in
// escrow for it (clawbacks return to it).
type Programme struct {
	ID                   string     `json:"id"`
	Name                 string     `json:"name"`
	Agency               tx.Address `json:"agency"`
	Amount               tx.Coin    `json:"amount"`
	Budget               tx.Coin    `json:"budget"`
	Remaining            tx.Coin    `json:"remaining"`
	HoldingPeriodSeconds uint64     `json:"holding_period_seconds"`
	Approved             uint64     `json:"approved"`
	ClawedBack           uint64     `json:"clawed_back"` // total amount returned by clawbacks
	Height               int64      `json:"height"`
	Time                 time.Time  `json:"time"`
}

// CitizenSubsidy is the one subsidy an account received.
type CitizenSubsidy struct {
	Address   tx.Address `json:"address"`
	VIN       string     `json:"vin"`
	Programme string     `json:"programme"`
	Height    int64      `json:"height"`
}

// Transfer statuses.
const (
	TransferOpen      = "open"
	TransferCompleted = "completed"
	TransferCancelled = "cancelled"
	TransferRefused   = "refused" // the registrar's review refused it
	TransferExpired   = "expired"
	TransferVoided    = "voided" // the vehicle was recycled
	// TransferSuperseded: the title moved by another transfer, or the
	// same dealer proposed again for the vehicle.
	TransferSuperseded = "superseded"
)

// Transfer is a title transfer proposed by a dealer.
type Transfer struct {
	ID             uint64     `json:"id"`
	VIN            string     `json:"vin"`
	Dealer         tx.Address `json:"dealer"`
	Seller         tx.Address `json:"seller"`
	Buyer          tx.Address `json:"buyer"`
	Price          tx.Coin    `json:"price"`
	Status         string     `json:"status"`
	SellerAccepted bool       `json:"seller_accepted"`
	BuyerAccepted  bool       `json:"buyer_accepted"`
	// NeedsReview is set when the vehicle is flagged; the transfer then
	// waits for a vehicle_registrar's review.
	NeedsReview  bool        `json:"needs_review"`
	Reviewed     bool        `json:"reviewed"`
	ReviewedBy   *tx.Address `json:"reviewed_by,omitempty"`
	ReviewReason string      `json:"review_reason,omitempty"`
	Clawback     *tx.Coin    `json:"clawback,omitempty"`
	Height       int64       `json:"height"`
	Time         time.Time   `json:"time"`
	ExpiresAt    time.Time   `json:"expires_at"`
	ClosedHeight int64       `json:"closed_height,omitempty"`
}

// Counters are the module's running counts.
type Counters struct {
	Vehicles     uint64 `json:"vehicles"`
	Recycled     uint64 `json:"recycled"`
	Flagged      uint64 `json:"flagged"`
	NextTransfer uint64 `json:"next_transfer"`
	Transfers    uint64 `json:"transfers"` // completed
	Subsidies    uint64 `json:"subsidies"`
}

// ---- state helpers ----

func getJSON(kv store.KV, key []byte, v any) bool { return store.GetJSON(kv, key, v) }

func getJSONBytes(b []byte, v any) { store.DecodeJSON(b, v) }

func putJSON(kv store.KV, key []byte, v any) { store.PutJSON(kv, key, v) }

func (k *Keeper) vehicle(kv store.KV, vin string) *Vehicle {
	var v Vehicle
	if !getJSON(kv, vehicleKey(vin), &v) {
		return nil
	}
	return &v
}

// Vehicle returns the vehicle with vin, or nil.
func (k *Keeper) Vehicle(ctx *module.Context, vin string) *Vehicle { return k.vehicle(k.kv(ctx), vin) }

func (k *Keeper) putVehicle(kv store.KV, v *Vehicle) { putJSON(kv, vehicleKey(v.VIN), v) }

func (k *Keeper) counters(kv store.KV) Counters {
	c := Counters{NextTransfer: 1}
	getJSON(kv, counterKey, &c)
	return c
}

// BoundVehicle implements devices.Bindings: the VIN the device is bound to,
// or "".
func (k *Keeper) BoundVehicle(ctx *module.Context, device string) string {
	var vin string
	getJSON(k.kv(ctx), deviceKey(device), &vin)
	return vin
}

// Handle implements module.Module.
func (k *Keeper) Handle(ctx *module.Context, signer tx.Address, msg tx.Msg) error {
	switch m := msg.(type) {
	case *tx.MsgVehicleRegister:
		return k.register(ctx, signer, m)
	case *tx.MsgVehicleBindOdometer:
		return k.bindOdometer(ctx, signer, m)
	case *tx.MsgVehicleCreateProgramme:
		return k.createProgramme(ctx, signer, m)
	case *tx.MsgVehicleApproveSubsidy:
		return k.approveSubsidy(ctx, signer, m)
	case *tx.MsgVehicleRecordBattery:
		return k.recordBattery(ctx, signer, m)
	case *tx.MsgVehicleRecycle:
		return k.recycle(ctx, signer, m)
	case *tx.MsgVehicleRecordAccident:
		return k.recordAccident(ctx, signer, m)
	case *tx.MsgVehicleRecordInspection:
		return k.recordInspection(ctx, signer, m)
	case *tx.MsgVehicleProposeTransfer:
		return k.proposeTransfer(ctx, signer, m)
	case *tx.MsgVehicleAcceptTransfer:
		return k.acceptTransfer(ctx, signer, m)
	case *tx.MsgVehicleReviewTransfer:
		return k.reviewTransfer(ctx, signer, m)
	case *tx.MsgVehicleCancelTransfer:
		return k.cancelTransfer(ctx, signer, m)
	}
	return module.ErrInternal.Wrapf("vehicles cannot handle %s", msg.Type())
}
