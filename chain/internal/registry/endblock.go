package registry

import (
	"bytes"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
)

// EndBlock implements module.EndBlocker: it runs every queued deadline
// due at or before the block time, in key order (due time, then registry,
// then id). A record still in the deadline's state at its version moves to
// the deadline's state with no transaction: version + 1, a history step
// "deadline" with no signers, event registry.deadline, and the new state's
// deadline queued (due from this block's time, so never in this block).
// A deadline whose record moved on is dropped (a transition dequeues its
// record's deadline, so none is left in practice); one whose target state
// the enabled version no longer declares is dropped with event
// registry.deadline_dropped. All due deadlines run in the block: each is
// one record's move, and records only enter a state (and queue its
// deadline) one transaction or one deadline at a time.
func (k *Keeper) EndBlock(ctx *module.Context) error {
	kv := k.kv(ctx)
	end := store.PrefixEnd(append([]byte{prefixDeadline}, dueBytes(ctx.Time)...))
	var due []Deadline
	var keys [][]byte
	store.Each(kv, []byte{prefixDeadline}, end, func(key, value []byte) bool {
		var d Deadline
		store.DecodeJSON(value, &d)
		due = append(due, d)
		keys = append(keys, bytes.Clone(key))
		return true
	})
	for i := range due {
		d := &due[i]
		kv.Delete(keys[i])
		if b := kv.Get(dueKey(d.Registry, d.ID)); bytes.Equal(b, keys[i][1:9]) {
			kv.Delete(dueKey(d.Registry, d.ID))
		}
		r := getRegistry(kv, d.Registry)
		rec := getRecord(kv, d.Registry, d.ID)
		if r == nil || rec == nil || rec.State != d.State || rec.Version != d.Version {
			continue
		}
		if r.Def.State(d.To) == nil {
			ctx.Emit("registry.deadline_dropped", "registry", d.Registry, "id", module.U64(d.ID), "state", d.State, "to", d.To)
			continue
		}
		k.apply(ctx, kv, r, rec, "deadline", d.To, nil, nil)
		ctx.Emit("registry.deadline", "registry", d.Registry, "id", module.U64(d.ID), "from", d.State, "to", d.To,
			"version", module.U64(rec.Version))
	}
	return nil
}
