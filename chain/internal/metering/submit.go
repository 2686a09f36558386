package metering

import (
	"crypto/ed25519"

	cmted25519 "github.com/cometbft/cometbft/crypto/ed25519"

	"github.com/citychain/citychain/chain/internal/devices"
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/edge/reading"
)

// candidate is a reading that passed the registry checks, waiting for its
// signature to be verified.
type candidate struct {
	r   reading.Signed
	dev *devices.Device
	pub tx.PubKey // the key of the reading's epoch
}

// submit applies a batch of signed readings. Registry checks come first,
// then one batch verification of every remaining signature (falling back
// to one-by-one verification to find the forged ones), then the sequence,
// value and time rules in message order.
func (k *Keeper) submit(ctx *module.Context, m *tx.MsgSubmitReadings) error {
	var cands []candidate
	for i, w := range m.Readings {
		r, err := reading.Decode(w)
		if err != nil {
			return ErrMalformedReadings.Wrapf("readings[%d]: %v", i, err)
		}
		dev := k.devices.Device(ctx, r.DeviceID)
		switch {
		case dev == nil:
			k.reject(ctx, r.Reading, ReasonUnregistered)
		default:
			pub, reason := signingKey(dev, r.Reading)
			if reason == "" && !r.Kind.MeasuredBy(dev.Kind) {
				reason = ReasonWrongKind
			}
			if reason != "" {
				k.reject(ctx, r.Reading, reason)
				continue
			}
			cands = append(cands, candidate{r: r, dev: dev, pub: pub})
		}
	}
	valid := verifyBatch(cands)
	params := k.Params(ctx)
	for i, c := range cands {
		if !valid[i] {
			k.reject(ctx, c.r.Reading, ReasonBadSignature)
			continue
		}
		k.apply(ctx, params, c.r.Reading)
	}
	return nil
}

// verifyBatch verifies every candidate's signature. The verdict per
// signature is the same as verifying one by one (a failed batch is
// re-checked signature by signature), so it is deterministic.
func verifyBatch(cands []candidate) []bool {
	out := make([]bool, len(cands))
	if len(cands) == 0 {
		return out
	}
	bv := cmted25519.NewBatchVerifier()
	for _, c := range cands {
		msg, err := c.r.SigningBytes()
		if err != nil {
			return out // cannot happen for a decoded reading; reject all
		}
		if err := bv.Add(cmted25519.PubKey(c.pub), msg, c.r.Signature[:]); err != nil {
			return out
		}
	}
	if ok, _ := bv.Verify(); ok {
		for i := range out {
			out[i] = true
		}
		return out
	}
	for i, c := range cands {
		out[i] = c.r.Verify(ed25519.PublicKey(c.pub)) == nil
	}
	return out
}

func (k *Keeper) reject(ctx *module.Context, r reading.Reading, reason string) {
	ctx.Emit("metering.reading_rejected", "device", r.DeviceID, "seq", module.U64(r.Seq), "value", module.U64(r.Value), "reason", reason)
}
