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
// one bad reading does not undo the others or the fraud flag it raises.
var (
	ErrNotSettlement     = module.NewError(tx.CodeMeteringNotSettlement, "signer lacks the settlement role")
	ErrIntervalOpen      = module.NewError(tx.CodeMeteringIntervalOpen, "interval has not closed yet")
	ErrInvalidGenesis    = module.NewError(tx.CodeMeteringInvalidGenesis, "invalid metering genesis")
	ErrAlreadyAnchored   = module.NewError(tx.CodeMeteringAlreadyAnchored, "interval already anchored")
	ErrMalformedReadings = module.NewError(tx.CodeMeteringMalformedReadings, "malformed reading")
	ErrNotClearer        = module.NewError(tx.CodeMeteringNotClearer, "signer may not clear fraud flags")
	ErrNotFlagged        = module.NewError(tx.CodeMeteringNotFlagged, "device has no fraud flag")
)

// Reasons a reading is rejected, as they appear in the
// metering.reading_rejected event.
const (
	ReasonUnregistered  = "unregistered"   // no device with that id
	ReasonRevoked       = "revoked"        // the device is revoked
	ReasonWrongEpoch    = "wrong_epoch"    // signed with another key epoch than the current one
	ReasonWrongKind     = "wrong_kind"     // quantity does not match the device kind
	ReasonBadSignature  = "bad_signature"  // forged: the signature does not verify
	ReasonReplayed      = "replayed"       // sequence not above the last accepted one
	ReasonRolledBack    = "rolled_back"    // value below the last accepted one: fraud flag
	ReasonFutureTime    = "future_time"    // timestamp too far after the block time
	ReasonTimeRegressed = "time_regressed" // timestamp before the last accepted reading's
	ReasonOverflow      = "overflow"       // a delta or total would pass 2^64-1
)
