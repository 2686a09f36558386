package labour

import (
	"bytes"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// EndBlock implements module.EndBlocker. Up to MaxPaymentsPerBlock units
// of work in all, in order:
//   - week closings due at or before the block time, oldest first (a
//     contract behind by several weeks closes them in turn);
//   - statements due at or before the block time, in (due, id) order: each
//     is paid from its fund, or turns late when the fund is short, has a
//     late statement (a fund pays its statements oldest first) or already
//     failed in this block;
//   - funds that received money while holding late statements, in fund
//     order: their late (and due) statements are paid oldest first until
//     one cannot be, which stays late.
//
// What is left waits for the next block, in order.
func (k *Keeper) EndBlock(ctx *module.Context) error {
	b := k.begin(ctx)
	budget := int(params(b.kv).MaxPaymentsPerBlock)
	failed := map[string]bool{} // funds that could not pay in this block; looked up only

	for budget > 0 {
		keys := b.dueKeys(prefixClose, budget)
		if len(keys) == 0 {
			break
		}
		for _, key := range keys {
			budget--
			if c := getContract(b.kv, idOf(key[9:17])); c != nil && c.Status == tx.LabourActive && b.queuedAt(c) == timeOf(key[1:9]) {
				b.closeWeek(c)
			} else {
				b.setQueued(key, nil, false) // a stale entry: never written
			}
		}
	}
	if budget > 0 {
		for _, key := range b.dueKeys(prefixDue, budget) {
			budget--
			s := getStatement(b.kv, idOf(key[9:17]))
			fund := fundOf(s)
			f := b.fundOfStatement(s)
			if failed[string(fund)] || f.Late > 0 {
				b.markLate(s)
				b.setQueued(retryKey(fund), nil, f.Late > 0 && !failed[string(fund)])
				continue
			}
			if !b.pay(s) {
				failed[string(fund)] = true
			}
		}
	}
	if budget > 0 {
		var funds [][]byte
		store.EachPrefix(b.kv, []byte{prefixRetry}, func(key, _ []byte) bool {
			funds = append(funds, bytes.Clone(key[1:]))
			return true
		})
		for _, fund := range funds {
			if budget <= 0 {
				break
			}
			if failed[string(fund)] {
				b.setQueued(retryKey(fund), nil, false)
				continue
			}
			b.retry(fund, &budget, failed)
		}
	}
	return b.flush()
}

// dueKeys returns up to n keys of queue prefix whose time is at or
// before the block time, in key order.
func (b *batch) dueKeys(prefix byte, n int) [][]byte {
	var keys [][]byte
	end := store.PrefixEnd(append([]byte{prefix}, timeBytes(b.now)...))
	store.Each(b.kv, []byte{prefix}, end, func(key, _ []byte) bool {
		keys = append(keys, bytes.Clone(key))
		return len(keys) < n
	})
	return keys
}

// retry pays fund's late and due statements oldest first until one cannot
// be paid; the fund's retry mark goes when none is left to try.
func (b *batch) retry(fund []byte, budget *int, failed map[string]bool) {
	pfx := fundQueuePrefix(fund)
	var keys [][]byte
	store.EachPrefix(b.kv, pfx, func(key, _ []byte) bool {
		if timeOf(key[len(pfx):len(pfx)+8]) > b.now {
			return false
		}
		keys = append(keys, bytes.Clone(key))
		return len(keys) < *budget
	})
	done := true
	for i, key := range keys {
		*budget--
		s := getStatement(b.kv, idOf(key[len(pfx)+8:]))
		if !b.pay(s) {
			failed[string(fund)] = true
			break
		}
		if i == len(keys)-1 && *budget == 0 {
			done = false // the budget ran out: go on in the next block
		}
	}
	if done {
		b.setQueued(retryKey(fund), nil, false)
	}
}
