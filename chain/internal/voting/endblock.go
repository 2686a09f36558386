package voting

import (
	"bytes"
	"strconv"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// MaxEndBlockEntries bounds the queue entries EndBlock takes in one
// block, over its three queues together (answer dues, support ends,
// election openings and closings); what is left waits for the next block,
// in order. The bound keeps a block's end-of-block work small whatever
// the number of proposals and elections due at once.
const MaxEndBlockEntries = 1000

// EndBlock implements module.EndBlocker. In order, up to
// MaxEndBlockEntries queue entries in all:
//   - every answer level due at or before the block time and unanswered
//     becomes overdue (event voting.answer_overdue);
//   - every open proposal whose support period ended at or before the
//     block time closes (event voting.proposal_closed);
//   - every election scheduled at or before this height: one in setup at
//     the block before its open height runs its DKG's end (open or
//     failed), one open at its close height closes (its tally is fixed).
func (k *Keeper) EndBlock(ctx *module.Context) error {
	kv := k.kv(ctx)
	budget := MaxEndBlockEntries
	now := ctx.Time.Unix()

	for _, key := range due(kv, prefixAnswerDue, timeBytes(now), &budget) {
		kv.Delete(key)
		id, level := idOf(key[9:17]), int(key[17])
		prop := getProposal(kv, id)
		if prop == nil || level >= len(prop.Levels) {
			continue
		}
		l := &prop.Levels[level]
		if l.AnsweredAt != 0 || l.Overdue {
			continue
		}
		l.Overdue = true
		store.PutJSON(kv, proposalKey(id), prop)
		ctx.Emit("voting.answer_overdue", "proposal", module.U64(id), "level", l.Level, "due", strconv.FormatInt(l.Due, 10))
	}
	for _, key := range due(kv, prefixSupportEnds, timeBytes(now), &budget) {
		kv.Delete(key)
		prop := getProposal(kv, idOf(key[9:17]))
		if prop == nil || prop.Status != tx.ProposalOpen {
			continue
		}
		prop.Status = tx.ProposalClosed
		store.PutJSON(kv, proposalKey(prop.ID), prop)
		ctx.Emit("voting.proposal_closed", "proposal", module.U64(prop.ID), "supports", module.U64(prop.Supports))
	}
	for _, key := range due(kv, prefixSchedule, u64(uint64(ctx.Height)), &budget) {
		kv.Delete(key)
		e := getElection(kv, idOf(key[9:17]))
		switch {
		case e == nil:
		case e.Status == tx.ElectionSetup:
			k.open(ctx, kv, e)
		case e.Status == tx.ElectionOpen:
			k.closeElection(ctx, kv, e)
		}
	}
	return nil
}

// due returns the keys of queue prefix whose 8-byte order part is at or
// before upto, in key order, at most *budget of them (taken from it).
func due(kv store.KV, prefix byte, upto []byte, budget *int) [][]byte {
	var keys [][]byte
	if *budget <= 0 {
		return nil
	}
	end := store.PrefixEnd(append([]byte{prefix}, upto...))
	store.Each(kv, []byte{prefix}, end, func(key, _ []byte) bool {
		keys = append(keys, bytes.Clone(key))
		*budget--
		return *budget > 0
	})
	return keys
}
