package metering

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/citychain/citychain/chain/internal/devices"
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/edge/reading"
	"github.com/citychain/citychain/edge/signature"
)

// candidate is a reading that passed the cheap checks, waiting for its
// signature to be verified.
type candidate struct {
	r   reading.Signed
	dev *devices.Device
	pub tx.PubKey // the key of the reading's epoch
}

// submit applies a batch of signed readings relayed by the settlement role.
// The cheap checks come first and cost no signature verification: the
// registry (device, status, key epoch, kind), readings repeated within the
// message, and the device's floor (a sequence not above the last accepted
// one, an epoch gone back, a time gone back, a rollback already recorded)
// — a reading they reject could change nothing. Then one batch
// verification of every remaining signature (falling back to one-by-one
// verification to find the forged ones), then the sequence, value and time
// rules in message order. A message none of whose readings was accepted or
// recorded new fraud evidence fails with ErrNoNewReadings, so a batch of
// replayed or forged readings never reaches a block (CheckTx refuses it).
func (k *Keeper) submit(ctx *module.Context, signer tx.Address, m *tx.MsgSubmitReadings) error {
	if !k.roles.HasRole(ctx, signer, tx.RoleSettlement) {
		return ErrNotSettlement.Wrapf("%s does not hold role %q: only the settlement relay submits readings", signer, tx.RoleSettlement)
	}
	first := len(ctx.Events())
	cands, err := k.screen(ctx, m)
	if err != nil {
		return err
	}
	valid := verifyBatch(cands)
	params := k.Params(ctx)
	useful := false // a reading accepted, or new fraud evidence recorded
	for i, c := range cands {
		if !valid[i] {
			k.reject(ctx, c.r.Reading, ReasonBadSignature)
			continue
		}
		if reason := k.apply(ctx, params, c.r.Reading); reason == "" || reason == ReasonRolledBack {
			useful = true
		}
	}
	if !useful {
		return ErrNoNewReadings.Wrapf("none of the %d readings was accepted or is new fraud evidence; rejected: %s",
			len(m.Readings), rejections(ctx.Events()[first:]))
	}
	return nil
}

// screen decodes the message's readings and runs the checks that need no
// signature verification, rejecting what they refuse; it returns the
// readings whose signatures are worth verifying.
func (k *Keeper) screen(ctx *module.Context, m *tx.MsgSubmitReadings) ([]candidate, error) {
	var (
		cands  []candidate
		seen   = make(map[string]bool, len(m.Readings))         // wire bytes already in the message; looked up only
		states = make(map[string]*DeviceState, len(m.Readings)) // looked up only
	)
	for i, w := range m.Readings {
		r, err := reading.Decode(w)
		if err != nil {
			return nil, ErrMalformedReadings.Wrapf("readings[%d]: %v", i, err)
		}
		if seen[string(w)] {
			// The same bytes meet the same state the first copy left:
			// accepted once, this one would be replayed; rejected, so
			// would this one be.
			k.reject(ctx, r.Reading, ReasonDuplicate)
			continue
		}
		seen[string(w)] = true
		dev := k.devices.Device(ctx, r.DeviceID)
		if dev == nil {
			k.reject(ctx, r.Reading, ReasonUnregistered)
			continue
		}
		pub, reason := signingKey(dev, r.Reading)
		if reason == "" && !r.Kind.MeasuredBy(dev.Kind) {
			reason = ReasonWrongKind
		}
		st, ok := states[r.DeviceID]
		if !ok {
			st = k.State(ctx, r.DeviceID)
			states[r.DeviceID] = st
		}
		if reason == "" {
			reason = floorCheck(st, r.Reading)
		}
		if reason != "" {
			k.reject(ctx, r.Reading, reason)
			continue
		}
		cands = append(cands, candidate{r: r, dev: dev, pub: pub})
	}
	return cands, nil
}

// floorCheck is the part of the device's floor (floorReason) a reading can
// be rejected for without its signature verified, because the rejection
// changes nothing: a reading below the floor is rejected, except a
// rollback, which is evidence, and is rejected here only if it is not new:
// at or below the last rollback recorded (known_rollback). Replayed
// readings and known rollbacks therefore cost no verification.
func floorCheck(st *DeviceState, r reading.Reading) string {
	switch reason := floorReason(st, r); reason {
	case ReasonRolledBack:
		if r.Seq <= st.LastRollbackSeq {
			return ReasonKnownRollback
		}
		return ""
	default:
		return reason
	}
}

// rejections counts, by reason, the readings a message's events reject.
func rejections(evs []abci.Event) tally {
	var t tally
	for _, e := range evs {
		if e.Type != evRejected {
			continue
		}
		for _, a := range e.Attributes {
			if a.Key == "reason" {
				t.add(a.Value)
			}
		}
	}
	return t
}

// tally counts rejections by reason (a slice, so its order is fixed).
type tally []reasonCount

type reasonCount struct {
	reason string
	n      int
}

func (t *tally) add(reason string) {
	for i := range *t {
		if (*t)[i].reason == reason {
			(*t)[i].n++
			return
		}
	}
	*t = append(*t, reasonCount{reason, 1})
}

// String lists the counts by reason name: "bad_signature 2, replayed 148".
func (t tally) String() string {
	s := slices.Clone(t)
	slices.SortFunc(s, func(a, b reasonCount) int { return cmp.Compare(a.reason, b.reason) })
	parts := make([]string, len(s))
	for i, c := range s {
		parts[i] = fmt.Sprintf("%s %d", c.reason, c.n)
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// verifyBatch verifies every candidate's signature in one batch, under the
// project's one rule (edge/signature: ZIP-215, the rule of Signed.Verify,
// of settlement and of CometBFT): the verdict per signature is what
// verifying it alone gives, whatever else is in the batch (a failed batch
// is re-checked signature by signature with the same rule), so it is
// deterministic.
func verifyBatch(cands []candidate) []bool {
	out := make([]bool, len(cands))
	if len(cands) == 0 {
		return out
	}
	b := signature.NewBatch(len(cands))
	for _, c := range cands {
		msg, err := c.r.SigningBytes()
		if err != nil {
			return out // cannot happen for a decoded reading; reject all
		}
		b.Add(c.pub, msg, c.r.Signature[:])
	}
	copy(out, b.Verify())
	return out
}

// evRejected is the event of a rejected reading (apply emits
// metering.reading_accepted for an accepted one).
const evRejected = "metering.reading_rejected"

func (k *Keeper) reject(ctx *module.Context, r reading.Reading, reason string) {
	ctx.Emit(evRejected, "device", r.DeviceID, "seq", module.U64(r.Seq), "value", module.U64(r.Value), "reason", reason)
}
