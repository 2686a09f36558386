package contracts

import (
	"bytes"
	"encoding/binary"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// EndBlock implements module.EndBlocker: it marks missed the unpaid
// instalments whose due time the block time passed, oldest due first (then
// contract, milestone, subcontractor), at most params.MaxDuePerBlock in a
// block; the rest wait for the next block, in the same order. A missed
// instalment stays owed (with interest when paid) and counts against the
// prime: at tx.MissedForDirectPay missed instalments its subcontractor
// is paid directly (ground missed_instalments), with no one filing
// anything.
func (k *Keeper) EndBlock(ctx *module.Context) error {
	kv := k.kv(ctx)
	now := ctx.Time.Unix()
	limit := uint64(params(kv).MaxDuePerBlock)
	// Keys before the block time's are due before it: the block time
	// passed them.
	end := append([]byte{prefixDue}, timeBytes(now)...)
	var keys [][]byte
	store.Each(kv, []byte{prefixDue}, end, func(key, _ []byte) bool {
		keys = append(keys, bytes.Clone(key))
		return uint64(len(keys)) < limit
	})
	for _, key := range keys {
		kv.Delete(key)
		id, rest, _ := bytes.Cut(key[9:], []byte{0})
		milestone := binary.BigEndian.Uint32(rest[:4])
		var sub tx.Address
		copy(sub[:], rest[4:])
		if err := k.miss(ctx, string(id), milestone, sub); err != nil {
			return err
		}
	}
	return nil
}

// miss marks an unpaid instalment missed.
func (k *Keeper) miss(ctx *module.Context, id string, milestone uint32, sub tx.Address) error {
	kv := k.kv(ctx)
	c := getContract(kv, id)
	in := getInstalment(kv, id, milestone, sub)
	if c == nil || in == nil || in.PaidAt != 0 || in.Missed {
		return module.ErrInternal.Wrapf("the due queue names instalment %s/%d/%s, which is not an unpaid one", id, milestone, sub)
	}
	j := subIndex(c, sub)
	if j < 0 {
		return module.ErrInternal.Wrapf("instalment %s/%d of %s, not a subcontractor", id, milestone, sub)
	}
	in.Missed = true
	putInstalment(kv, in)
	s := &c.Subcontractors[j]
	s.Missed++
	l := getLine(kv, id, tx.TierSubcontract, sub)
	l.OverdueKRW += in.PrincipalKRW
	putLine(kv, l)
	ctx.Emit("contracts.missed", "contract", id, "milestone", module.U64(uint64(milestone)), "subcontractor", sub.String(),
		"principal_krw", module.U64(in.PrincipalKRW), "due", module.U64(uint64(in.Due)), "missed", module.U64(uint64(s.Missed)))
	if !s.Direct && s.Missed >= tx.MissedForDirectPay {
		makeDirect(ctx, c, j, tx.GroundMissed)
	}
	putContract(kv, c)
	return nil
}
