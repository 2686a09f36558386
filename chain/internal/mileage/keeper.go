// Package mileage is S-Coin mileage: vehicle mileage paid per reward period
// from the metering module's signed odometer deltas (a per-km reward for
// electric vehicles and a bonus for driving less than a registered
// baseline), and citizen mileage awarded by issuers for policy participation
// and spent at registered merchants and agencies. Everything is paid from
// the mileage budget account, which never goes negative.
package mileage

import (
	"encoding/binary"
	"fmt"

	"github.com/citychain/citychain/chain/internal/devices"
	"github.com/citychain/citychain/chain/internal/metering"
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Module accounts. No key controls them; only this module moves their funds.
var (
	// BudgetAddress holds the mileage budget: anyone may fund it with
	// mileage/fund (a plain bank/send to it is refused); awards and
	// vehicle rewards are paid from it.
	BudgetAddress = tx.ModuleAddress(tx.ModuleAccountMileage)
	// HeldAddress holds the awarded, unspent citizen mileage: its balance is
	// the sum of every account's mileage balance.
	HeldAddress = tx.ModuleAddress(tx.ModuleAccountMileageHeld)
)

// Bank is what mileage needs of the bank module.
type Bank interface {
	Send(ctx *module.Context, from, to tx.Address, amount tx.Coin) error
	Balance(ctx *module.Context, addr tx.Address, denom string) uint64
}

// Roles is what mileage needs of the auth module.
type Roles interface {
	HasRole(ctx *module.Context, addr tx.Address, role string) bool
	EnsureAccount(ctx *module.Context, addr tx.Address)
}

// Devices is what mileage needs of the devices module.
type Devices interface {
	Device(ctx *module.Context, id string) *devices.Device
}

// Metering is what mileage needs of the metering module.
type Metering interface {
	Params(ctx *module.Context) metering.Params
	Delta(ctx *module.Context, id string, interval uint64) uint64
	State(ctx *module.Context, id string) *metering.DeviceState
}

// Keeper owns the mileage module's state.
type Keeper struct {
	prefix   byte
	bank     Bank
	roles    Roles
	devices  Devices
	metering Metering
}

var (
	_ module.Module     = (*Keeper)(nil)
	_ module.EndBlocker = (*Keeper)(nil)
)

// NewKeeper returns the keeper for the module's key space under prefix.
func NewKeeper(prefix byte, bank Bank, roles Roles, devs Devices, meter Metering) *Keeper {
	return &Keeper{prefix: prefix, bank: bank, roles: roles, devices: devs, metering: meter}
}

// Name implements module.Module.
func (*Keeper) Name() string { return Codespace }

func (k *Keeper) kv(ctx *module.Context) store.KV { return ctx.Store(k.prefix) }

// ---- state types ----

// Cursor is the next vehicle reward period to settle and, within it, the
// last vehicle already settled ("" before the first).
type Cursor struct {
	Period uint64 `json:"period"`
	After  string `json:"after"`
}

// Totals are the module's running totals (uscn). Cumulative figures
// saturate at 2^64-1 instead of wrapping.
type Totals struct {
	Funded        uint64 `json:"funded"` // through mileage/fund only
	Awarded       uint64 `json:"awarded"`
	Spent         uint64 `json:"spent"`
	Expired       uint64 `json:"expired"`
	VehiclePaid   uint64 `json:"vehicle_paid"`
	VehicleUnpaid uint64 `json:"vehicle_unpaid"`
	// Forfeited counts vehicle periods forfeited for a fraud flag.
	Forfeited   uint64 `json:"forfeited"`
	NextAwardID uint64 `json:"next_award_id"`
}

// Account is one account's mileage: Balance is its awarded, unspent and
// unexpired mileage, held by HeldAddress (not part of its bank balance).
type Account struct {
	Address       tx.Address `json:"address"`
	Balance       uint64     `json:"balance"`
	Awarded       uint64     `json:"awarded"`
	Spent         uint64     `json:"spent"`
	Expired       uint64     `json:"expired"`
	Received      uint64     `json:"received"` // as a merchant
	VehiclePaid   uint64     `json:"vehicle_paid"`
	VehicleUnpaid uint64     `json:"vehicle_unpaid"`
	OpenAwards    uint64     `json:"open_awards"`
	History       uint64     `json:"history"` // number of history entries
}

// Lot is the unspent part of one award. Spending consumes lots oldest
// first; a lot still open at ExpiresAt (unix seconds; 0: never) expires.
type Lot struct {
	ID         uint64     `json:"id"`
	Amount     uint64     `json:"amount"`
	Remaining  uint64     `json:"remaining"`
	ReasonCode string     `json:"reason_code"`
	Issuer     tx.Address `json:"issuer"`
	Height     int64      `json:"height"`
	ExpiresAt  uint64     `json:"expires_at"`
}

// History entry kinds.
const (
	KindAward         = "award"          // mileage awarded to the account
	KindSpend         = "spend"          // mileage spent at a merchant
	KindReceived      = "received"       // mileage a citizen spent at this merchant
	KindExpire        = "expire"         // an award's unspent part expired to the budget
	KindVehicleReward = "vehicle_reward" // a vehicle period's reward to its owner
)

// HistoryEntry is one line of an account's mileage history.
type HistoryEntry struct {
	N            uint64     `json:"n"`
	Kind         string     `json:"kind"`
	Amount       uint64     `json:"amount"`
	Unpaid       uint64     `json:"unpaid,omitempty"`
	Counterparty tx.Address `json:"counterparty"`
	ReasonCode   string     `json:"reason_code,omitempty"`
	Memo         string     `json:"memo,omitempty"`
	AwardID      uint64     `json:"award_id,omitempty"`
	Device       string     `json:"device,omitempty"`
	Period       uint64     `json:"period,omitempty"`
	Height       int64      `json:"height"`
	Time         int64      `json:"time"` // block time, unix seconds
}

// Merchant is a registered place to spend mileage.
type Merchant struct {
	Address      tx.Address `json:"address"`
	Name         string     `json:"name"`
	Category     string     `json:"category"`
	RegisteredBy tx.Address `json:"registered_by"`
	Height       int64      `json:"height"`
	Received     uint64     `json:"received"`
}

// Vehicle is an enrolled vehicle (an ev_odometer device).
type Vehicle struct {
	Device     string     `json:"device"`
	FromPeriod uint64     `json:"from_period"`
	Baselines  []Baseline `json:"baselines"`
	EnrolledBy tx.Address `json:"enrolled_by"`
	Height     int64      `json:"height"`
}

// Baseline is a vehicle's baseline distance per period from FromPeriod on.
type Baseline struct {
	FromPeriod uint64 `json:"from_period"`
	Km         uint64 `json:"km"`
}

// Vehicle period statuses.
const (
	StatusPaid      = "paid"      // reward paid in full
	StatusPartial   = "partial"   // the budget paid part; the rest is unpaid, for ever
	StatusUnpaid    = "unpaid"    // the budget was empty; unpaid, for ever
	StatusNoReward  = "no_reward" // nothing earned
	StatusForfeited = "forfeited" // fraud flag during the period or until settlement
	StatusNoOwner   = "ineligible_owner"
)

// VehiclePeriod is the settled reward of one vehicle for one period.
type VehiclePeriod struct {
	Device       string     `json:"device"`
	Period       uint64     `json:"period"`
	Owner        tx.Address `json:"owner"`
	DistanceM    uint64     `json:"distance_m"`
	CountedM     uint64     `json:"counted_m"`
	BaselineKm   uint64     `json:"baseline_km"`
	ReductionBP  uint64     `json:"reduction_bp"`
	PerKm        uint64     `json:"per_km"`
	Bonus        uint64     `json:"bonus"`
	Reward       uint64     `json:"reward"`
	Paid         uint64     `json:"paid"`
	Unpaid       uint64     `json:"unpaid"`
	Status       string     `json:"status"`
	SettleHeight int64      `json:"settle_height"`
}

// PeriodSummary sums one period's settled vehicles.
type PeriodSummary struct {
	Period    uint64 `json:"period"`
	Vehicles  uint64 `json:"vehicles"`
	DistanceM uint64 `json:"distance_m"`
	Reward    uint64 `json:"reward"`
	Paid      uint64 `json:"paid"`
	Unpaid    uint64 `json:"unpaid"`
	Forfeited uint64 `json:"forfeited"`
	Settled   bool   `json:"settled"`
	Height    int64  `json:"height"` // when Settled: the height that finished it
}

// ---- store helpers ----

func getJSON(kv store.KV, key []byte, v any) bool { return store.GetJSON(kv, key, v) }

func getJSONBytes(b []byte, v any) { store.DecodeJSON(b, v) }

func putJSON(kv store.KV, key []byte, v any) { store.PutJSON(kv, key, v) }

// sat adds for cumulative statistics: it saturates instead of wrapping.
func sat(a, b uint64) uint64 {
	if s, ok := tx.AddUint64(a, b); ok {
		return s
	}
	return ^uint64(0)
}

// mustAdd and mustSub are for balances whose bounds the module's
// invariants guarantee; failing means the store is broken.
func mustAdd(a, b uint64, what string) uint64 {
	s, ok := tx.AddUint64(a, b)
	if !ok {
		panic(fmt.Errorf("mileage: %s overflows: %d + %d", what, a, b))
	}
	return s
}

func mustSub(a, b uint64, what string) uint64 {
	d, ok := tx.SubUint64(a, b)
	if !ok {
		panic(fmt.Errorf("mileage: %s underflows: %d - %d", what, a, b))
	}
	return d
}

func unix(ctx *module.Context) uint64 {
	if s := ctx.Time.Unix(); s > 0 {
		return uint64(s)
	}
	return 0
}

func scn(v uint64) tx.Coin { return tx.Coin{Amount: v, Denom: tx.DenomSCoin} }

// Params returns the module parameters.
func (k *Keeper) Params(ctx *module.Context) Params {
	var p Params
	if !getJSON(k.kv(ctx), paramsKey, &p) {
		return DefaultParams()
	}
	return p
}

func (k *Keeper) totals(ctx *module.Context) Totals {
	var t Totals
	getJSON(k.kv(ctx), totalsKey, &t)
	return t
}

// Account returns addr's mileage account (zero when it has none).
func (k *Keeper) Account(ctx *module.Context, addr tx.Address) Account {
	a := Account{Address: addr}
	getJSON(k.kv(ctx), accountKey(addr), &a)
	return a
}

func (k *Keeper) merchant(kv store.KV, addr tx.Address) *Merchant {
	var m Merchant
	if !getJSON(kv, merchantKey(addr), &m) {
		return nil
	}
	return &m
}

func (k *Keeper) vehicle(kv store.KV, id string) *Vehicle {
	var v Vehicle
	if !getJSON(kv, vehicleKey(id), &v) {
		return nil
	}
	return &v
}

// addHistory appends e to acct's history; the caller stores acct.
func (k *Keeper) addHistory(ctx *module.Context, acct *Account, e HistoryEntry) {
	e.N, e.Height, e.Time = acct.History, ctx.Height, ctx.Time.Unix()
	putJSON(k.kv(ctx), historyKey(acct.Address, acct.History), e)
	acct.History++
}

// Handle implements module.Module.
func (k *Keeper) Handle(ctx *module.Context, signer tx.Address, msg tx.Msg) error {
	switch m := msg.(type) {
	case *tx.MsgMileageFund:
		return k.fund(ctx, signer, m)
	case *tx.MsgMileageAward:
		return k.award(ctx, signer, m)
	case *tx.MsgMileageSpend:
		return k.spend(ctx, signer, m)
	case *tx.MsgMileageRegisterMerchant:
		if !k.roles.HasRole(ctx, signer, tx.RoleAgency) {
			return ErrNotAgency.Wrapf("%s does not hold role %q", signer, tx.RoleAgency)
		}
		return k.registerMerchant(ctx, signer, m)
	case *tx.MsgMileageEnrollVehicle:
		return k.enroll(ctx, signer, m, k.period(ctx, k.Params(ctx))+1)
	}
	return module.ErrInternal.Wrapf("mileage cannot handle %s", msg.Type())
}

// EndBlock implements module.EndBlocker: it settles the vehicle periods
// that have ended, then expires awards past their expiry.
func (k *Keeper) EndBlock(ctx *module.Context) error {
	p := k.Params(ctx)
	if err := k.settleVehicles(ctx, p); err != nil {
		return err
	}
	return k.expireAwards(ctx, p)
}

func u64key(b []byte) uint64 { return binary.BigEndian.Uint64(b) }
