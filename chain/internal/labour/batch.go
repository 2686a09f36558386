package labour

import (
	"bytes"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// batch is one state transition of the module (a message, an end-of-block
// run, a FundProject call): the store, the block time, and what it reads
// often and writes once at its end (flush): the rule table, the funds it
// touched, the statistics, and the insurance shares withheld from the
// wages it paid (sent to labour/withheld in one transfer).
type batch struct {
	k   *Keeper
	ctx *module.Context
	kv  store.KV
	now int64

	ruleRows []tx.LabourRule
	stats    *tx.LabourStats
	funds    map[string]*tx.LabourFund // by fund id; looked up only
	touched  [][]byte                  // fund ids to write, in first-touch order
	withheld uint64                    // won
}

func (k *Keeper) begin(ctx *module.Context) *batch {
	return &batch{k: k, ctx: ctx, kv: k.kv(ctx), now: ctx.Time.Unix(), funds: map[string]*tx.LabourFund{}}
}

// rules returns the effective rule table, read once per batch.
func (b *batch) rules() []tx.LabourRule {
	if b.ruleRows == nil {
		b.ruleRows = rules(b.kv)
	}
	return b.ruleRows
}

// st returns the statistics to change; flush writes them.
func (b *batch) st() *tx.LabourStats {
	if b.stats == nil {
		s := getStats(b.kv)
		b.stats = &s
	}
	return b.stats
}

// fund returns the fund id (owner's or project's) to change, a new empty
// one when it has none; flush writes it.
func (b *batch) fund(id []byte, owner tx.Address, project string) *tx.LabourFund {
	if f, ok := b.funds[string(id)]; ok {
		return f
	}
	f := getFund(b.kv, id)
	if f == nil {
		f = &tx.LabourFund{Project: project}
		if project == "" {
			f.Owner = owner
		}
	}
	b.funds[string(id)] = f
	b.touched = append(b.touched, bytes.Clone(id))
	return f
}

// fundOfStatement is fund for statement s.
func (b *batch) fundOfStatement(s *tx.WageStatement) *tx.LabourFund {
	return b.fund(fundOf(s), s.Employer, s.Project)
}

// flush writes the touched funds and the statistics and sends the
// withheld shares.
func (b *batch) flush() error {
	if b.withheld > 0 {
		if err := b.k.bank.Send(b.ctx, EscrowAddress, WithheldAddress, tx.WonCoin(b.withheld)); err != nil {
			return module.ErrInternal.Wrapf("withhold %d won: %v", b.withheld, err)
		}
		b.withheld = 0
	}
	for _, id := range b.touched {
		store.PutJSON(b.kv, fundKey(id), b.funds[string(id)])
	}
	b.touched = nil
	clear(b.funds)
	if b.stats != nil {
		store.PutJSON(b.kv, []byte{prefixStats}, b.stats)
	}
	return nil
}

// ---- queues and indexes ----

// setQueued sets or deletes a queue key, keeping Stats.Queued.
func (b *batch) setQueued(key, value []byte, on bool) {
	has := b.kv.Has(key)
	switch {
	case on && !has:
		b.st().Queued++
	case !on && has:
		b.st().Queued--
	}
	if on {
		if value == nil {
			value = []byte{1}
		}
		b.kv.Set(key, value)
	} else if has {
		b.kv.Delete(key)
	}
}

// queue sets a queue key known to be absent, keeping Stats.Queued.
func (b *batch) queue(key, value []byte) {
	if value == nil {
		value = []byte{1}
	}
	b.kv.Set(key, value)
	b.st().Queued++
}

// unqueueKey deletes a queue key known to be present.
func (b *batch) unqueueKey(key []byte) {
	b.kv.Delete(key)
	b.st().Queued--
}

// closeTime is when contract c's next week closes: the end of the week
// ClosedThrough starts, or, when a shift clocked in before that end is
// still open (openIn, 0 for none), 24 hours after its clock-in, when the
// shift expires.
func closeTime(c *tx.LabourContract, openIn int64) int64 {
	at := c.ClosedThrough + weekSeconds
	if c.Open != 0 && openIn < at {
		at = max(at, openIn+maxShiftSeconds)
	}
	return at
}

// openIn is the clock-in time of c's open shift, 0 when none is open.
func (b *batch) openIn(c *tx.LabourContract) int64 {
	if c.Open == 0 {
		return 0
	}
	s := getShift(b.kv, c.ID, c.Open)
	if s == nil {
		return 0
	}
	return s.In
}

// requeue moves c's week-closing entry from the time it had (was, 0 for
// none) to the one its state gives now (none unless active).
func (b *batch) requeue(c *tx.LabourContract, was int64) {
	now := int64(0)
	if c.Status == tx.LabourActive {
		now = closeTime(c, b.openIn(c))
	}
	if was == now {
		return
	}
	if was != 0 {
		b.unqueueKey(closeKey(was, c.ID))
	}
	if now != 0 {
		b.queue(closeKey(now, c.ID), nil)
	}
}

// queuedAt is the time of c's week-closing entry (0 for none).
func (b *batch) queuedAt(c *tx.LabourContract) int64 {
	if c.Status != tx.LabourActive {
		return 0
	}
	return closeTime(c, b.openIn(c))
}

func putContract(kv store.KV, c *tx.LabourContract) { store.PutJSON(kv, contractKey(c.ID), c) }

func putShift(kv store.KV, s *tx.Shift) { store.PutJSON(kv, shiftKey(s.Contract, s.ID), s) }

func putStatement(kv store.KV, s *tx.WageStatement) { store.PutJSON(kv, statementKey(s.ID), s) }

// indexContract writes a new contract's indexes.
func indexContract(kv store.KV, c *tx.LabourContract) {
	kv.Set(byEmployerKey(c.Employer, c.ID), []byte{1})
	kv.Set(byWorkerKey(c.Worker, c.ID), []byte{1})
}

// indexStatement writes a new statement's indexes.
func indexStatement(kv store.KV, s *tx.WageStatement) {
	kv.Set(stmtContractKey(s.Contract, s.ID), []byte{1})
	kv.Set(stmtWorkerKey(s.Worker, s.ID), []byte{1})
	kv.Set(stmtEmployerKey(s.Employer, s.ID), []byte{1})
}

// addLine changes worker's line of project, and the project's totals, by
// dOwed (a statement turning late, or a late one paid) and dPaid.
func addLine(kv store.KV, project string, worker tx.Address, dOwed int64, dPaid uint64) {
	var l tx.LabourProjectLine
	if !store.GetJSON(kv, lineKey(project, worker), &l) {
		l = tx.LabourProjectLine{Project: project, Worker: worker}
	}
	l.OwedKRW = uint64(int64(l.OwedKRW) + dOwed)
	l.PaidKRW += dPaid
	store.PutJSON(kv, lineKey(project, worker), &l)
	owed, paid := totals(kv, project)
	setTotals(kv, project, uint64(int64(owed)+dOwed), paid+dPaid)
}

func totals(kv store.KV, project string) (owed, paid uint64) {
	v := kv.Get(totalsKey(project))
	if len(v) != 16 {
		return 0, 0
	}
	return idOf(v[:8]), idOf(v[8:])
}

func setTotals(kv store.KV, project string, owed, paid uint64) {
	kv.Set(totalsKey(project), append(u64(owed), u64(paid)...))
}
