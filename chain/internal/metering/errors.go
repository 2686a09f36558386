package metering

import (
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
)

// Codespace of the metering module's errors.
const Codespace = tx.CodespaceMetering

// Result codes, declared in chain/tx. Frozen: a released code never
// changes meaning. Individual readings are not rejected with codes: a
// submit message reports each reading's fate in its events (see README), so
// one bad reading does not undo the others or the fraud flag it raises. A
// message none of whose readings is new (accepted, or new fraud evidence)
// fails as a whole with ErrNoNewReadings.
var (
	ErrNotSettlement     = module.NewError(tx.CodeMeteringNotSettlement, "signer lacks the settlement role")
	ErrIntervalOpen      = module.NewError(tx.CodeMeteringIntervalOpen, "interval has not closed yet")
	ErrInvalidGenesis    = module.NewError(tx.CodeMeteringInvalidGenesis, "invalid metering genesis")
	ErrAlreadyAnchored   = module.NewError(tx.CodeMeteringAlreadyAnchored, "interval already anchored")
	ErrMalformedReadings = module.NewError(tx.CodeMeteringMalformedReadings, "malformed reading")
	ErrNotClearer        = module.NewError(tx.CodeMeteringNotClearer, "signer may not clear fraud flags")
	ErrNotFlagged        = module.NewError(tx.CodeMeteringNotFlagged, "device has no fraud flag")
	ErrNoNewReadings     = module.NewError(tx.CodeMeteringNoNewReadings, "no reading is new")
	ErrTooManyReadings   = module.NewError(tx.CodeMeteringTooManyReadings, "too many readings in the transaction")
)

// Reasons a reading is rejected, as they appear in the
// metering.reading_rejected event.
const (
	ReasonUnregistered = "unregistered" // no device with that id
	ReasonRevoked      = "revoked"      // the device is revoked
	// ReasonWrongEpoch: an unknown or future key epoch, an earlier epoch's
	// reading signed after that epoch ended (its key had been replaced or
	// revoked), or an epoch older than the last accepted reading's.
	ReasonWrongEpoch    = "wrong_epoch"
	ReasonWrongKind     = "wrong_kind"     // quantity does not match the device kind
	ReasonBadSignature  = "bad_signature"  // forged: the signature does not verify
	ReasonReplayed      = "replayed"       // sequence not above the last accepted one (not verified)
	ReasonDuplicate     = "duplicate"      // the same bytes earlier in the message (not verified)
	ReasonRolledBack    = "rolled_back"    // value below the last accepted one: fraud flag
	ReasonKnownRollback = "known_rollback" // a rollback at or below the last one recorded (not verified)
	ReasonFutureTime    = "future_time"    // timestamp too far after the block time
	ReasonTimeRegressed = "time_regressed" // timestamp before the last accepted reading's
	ReasonOverflow      = "overflow"       // a delta or total would pass 2^64-1
)
