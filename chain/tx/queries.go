package tx

import "time"

// Query requests and answers that clients decode or build (chain/client
// and, through it, the CLI, the API and settlement). They are the chain's
// own types: each module declares them here and aliases them, so the chain
// and its clients share one definition. Answers a client only relays, as
// the chain wrote them, keep their types inside the module.

// Account is the state of one account (/auth/account).
type Account struct {
	Address  Address `json:"address"`
	PubKey   PubKey  `json:"pubkey,omitempty"` // set by the account's first transaction
	Sequence uint64  `json:"sequence"`         // the sequence its next transaction must carry
}

// BalanceRequest asks /bank/balance for one balance.
type BalanceRequest struct {
	Address Address `json:"address"`
	Denom   string  `json:"denom"`
}

// Device is a registered device (/devices/device, /devices/by_owner).
type Device struct {
	ID    string  `json:"id"`
	Kind  string  `json:"kind"`
	Owner Address `json:"owner"`
	// Installer is the installer of record: the account that registered
	// the device, or the one an authority reassigned it to. It (while it
	// holds the installer role) or an authority rotates and revokes the
	// device's key. Zero for a device registered at genesis without one:
	// only an authority manages it until it reassigns it.
	Installer Address        `json:"installer,omitzero"`
	Status    string         `json:"status"`
	KeyEpoch  uint32         `json:"key_epoch"`
	PubKey    PubKey         `json:"pubkey"`
	Keys      []DeviceKey    `json:"keys"`
	Metadata  DeviceMetadata `json:"metadata"`
	// Registered is the block height of registration.
	Registered int64 `json:"registered_height"`
	// RevokedHeight and RevokeReason are set once revoked.
	RevokedHeight int64  `json:"revoked_height,omitempty"`
	RevokeReason  string `json:"revoke_reason,omitempty"`
}

// DeviceKey is one key of a device's history. A key is valid from the
// block that set it until (excluding) the block of the next rotation or
// revocation; the times are those blocks' times, so a reading's signed
// time tells whether the key was valid when it was signed.
type DeviceKey struct {
	Epoch      uint32    `json:"epoch"`
	PubKey     PubKey    `json:"pubkey"`
	FromHeight int64     `json:"from_height"`
	ToHeight   int64     `json:"to_height,omitempty"`
	FromTime   time.Time `json:"from_time"`
	ToTime     time.Time `json:"to_time,omitzero"`
}

// MeteringParams are the metering module's genesis parameters
// (/metering/params).
type MeteringParams struct {
	// IntervalSeconds is the settlement interval length: interval =
	// floor(reading time / IntervalSeconds).
	IntervalSeconds uint64 `json:"interval_seconds"`
	// MaxFutureSkewSeconds bounds how far a reading's timestamp may be ahead
	// of the block time.
	MaxFutureSkewSeconds uint64 `json:"max_future_skew_seconds"`
	// MaxReadingsPerTx bounds the signed readings of one transaction, over
	// all its messages: CheckTx refuses a transaction carrying more, and a
	// proposal holding one is rejected.
	MaxReadingsPerTx uint64 `json:"max_readings_per_tx"`
	// MaxReadingsPerBlock bounds the signed readings of one block, the
	// signature verification work a block may cost: a proposer leaves out
	// the readings transactions that would pass it, and a proposal over it
	// is rejected.
	MaxReadingsPerBlock uint64 `json:"max_readings_per_block"`
}

// Anchor is the Merkle root of an interval's stored readings
// (/metering/anchor).
type Anchor struct {
	Interval  uint64    `json:"interval"`
	Root      HexBytes  `json:"root"`
	Count     uint64    `json:"count"`
	Height    int64     `json:"height"`
	Submitter Address   `json:"submitter"`
	Time      time.Time `json:"time"`
}

// RangeRequest selects a device's (/metering/deltas) or a reading kind's
// (/metering/totals) intervals from From to To inclusive.
type RangeRequest struct {
	Device string `json:"device,omitempty"`
	Kind   string `json:"kind,omitempty"`
	From   uint64 `json:"from"`
	To     uint64 `json:"to"`
}

// IntervalValue is one interval's delta.
type IntervalValue struct {
	Interval uint64 `json:"interval"`
	Delta    uint64 `json:"delta"`
}

// OdometerSummary is a vehicle record's odometer: the points themselves
// are stored under their own keys: Points counts them, Last is the newest
// and Digest folds every point before it with OdometerDigest, so a proof of
// the vehicle record proves the whole series (VerifyOdometerSeries).
type OdometerSummary struct {
	Points uint64         `json:"points"`
	Last   *OdometerPoint `json:"last"`
	Digest HexBytes       `json:"digest"`
}

// OdometerRequest pages through a vehicle's odometer series from interval
// From (/vehicles/odometer).
type OdometerRequest struct {
	VIN   string `json:"vin"`
	From  uint64 `json:"from"`
	Limit uint64 `json:"limit"`
}

// OdometerPage is one page of a vehicle's odometer series; Next, when set,
// is the From of the next page.
type OdometerPage struct {
	VIN    string          `json:"vin"`
	Points []OdometerPoint `json:"points"`
	Next   *uint64         `json:"next,omitempty"`
}

// VehicleListRequest lists vehicles in VIN order after After, all of them
// or those of Owner (/vehicles/list).
type VehicleListRequest struct {
	Owner *Address `json:"owner,omitempty"`
	After string   `json:"after,omitempty"`
	Limit uint64   `json:"limit,omitempty"`
}

// MileageHistoryRequest pages through an account's mileage history from
// entry Start (/mileage/history).
type MileageHistoryRequest struct {
	Address Address `json:"address"`
	Start   uint64  `json:"start"`
	Limit   uint64  `json:"limit"`
}

// MileageVehicleRequest pages through an enrolled vehicle's settled
// periods from period From (/mileage/vehicle).
type MileageVehicleRequest struct {
	Device string `json:"device"`
	From   uint64 `json:"from"`
	Limit  uint64 `json:"limit"`
}

// Page sizes of the list queries that grow without bound (/devices/by_owner,
// /market/orders, /market/trades, /market/book, /market/settlements): a
// request without a limit gets DefaultListLimit items, one above
// MaxListLimit is refused.
const (
	DefaultListLimit = 100
	MaxListLimit     = 1000
)

// PageRequest is the page a list query asks for: at most Limit items (0:
// DefaultListLimit) after the cursor After ("": from the first). After is
// the Next of the previous answer, which the client passes back as it is
// (an id or the hex of a store key, by query). Answers list their items in
// store key order and carry Next, empty on the last page.
type PageRequest struct {
	After string `json:"after,omitempty"`
	Limit uint64 `json:"limit,omitempty"`
}

// DevicesByOwnerRequest pages through an account's devices in id order
// (/devices/by_owner); After is a device id.
type DevicesByOwnerRequest struct {
	Owner Address `json:"owner"`
	PageRequest
}

// DevicePage is one page of an account's devices; Next, when set, is the
// After of the next page.
type DevicePage struct {
	Devices []Device `json:"devices"`
	Next    string   `json:"next,omitempty"`
}

// MembersRequest pages through the holders of a role in address order
// (/auth/members); After is an address.
type MembersRequest struct {
	Role string `json:"role"`
	PageRequest
}

// MemberPage is one page of a role's holders; Next, when set, is the
// After of the next page.
type MemberPage struct {
	Members []Address `json:"members"`
	Next    string    `json:"next,omitempty"`
}

// MarketOrdersRequest pages through an account's orders in id order,
// oldest first (/market/orders); After is an order id (decimal).
type MarketOrdersRequest struct {
	Owner Address `json:"owner"`
	PageRequest
}

// MarketTradesRequest pages through the trades of an account (as seller or
// buyer, by interval then sequence; After is opaque hex) or of an interval
// (by sequence; After is a sequence number, decimal) (/market/trades): one
// of Account and Interval.
type MarketTradesRequest struct {
	Account  *Address `json:"account,omitempty"`
	Interval *uint64  `json:"interval,omitempty"`
	PageRequest
}

// MarketIntervalRequest pages through an interval's book (/market/book:
// offers then bids, each in matching order; After is opaque hex) or its
// trades (/market/settlements, by sequence; After is decimal).
type MarketIntervalRequest struct {
	Interval uint64 `json:"interval"`
	PageRequest
}
