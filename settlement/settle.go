package settlement

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/settlement/internal/store"
	"github.com/citychain/citychain/settlement/merkle"
)

// settleLoop settles every closed interval (end + Grace in the past) that
// has stored readings and is not anchored on chain, oldest first.
func (s *Service) settleLoop(ctx context.Context) {
	started := time.Now()
	sub := &submitter{s: s}
	var scannedBelow uint64
	t := time.NewTicker(s.cfg.Tick)
	defer t.Stop()
	for {
		if time.Since(started) >= s.cfg.Grace {
			if err := s.settlePass(ctx, sub, &scannedBelow); err != nil && ctx.Err() == nil {
				s.log.Warn("settle pass failed; retrying", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (s *Service) settlePass(ctx context.Context, sub *submitter, scannedBelow *uint64) error {
	now := time.Now()
	limit := s.params.interval(now.Add(-s.cfg.Grace).UnixMilli()) // intervals below are ready
	if limit <= *scannedBelow {
		return nil
	}
	from := *scannedBelow
	if from == 0 {
		from = s.params.interval(now.Add(-s.cfg.Lookback).UnixMilli())
	}
	// From here on no reading of an interval below limit is stored. Not
	// while InfluxDB writes fail, nor within Grace of their recovery: the
	// readings the outage held back would find their intervals sealed.
	s.sealMu.Lock()
	if s.storeFailing.Load() || time.Since(time.Unix(0, s.storeBackAt.Load())) < s.cfg.Grace {
		s.sealMu.Unlock()
		return nil
	}
	sealed := s.sealedBelow
	if limit > s.sealedBelow {
		s.sealedBelow = limit
	}
	s.sealMu.Unlock()

	counts, err := s.store.Counts(ctx, s.params.start(from), s.params.start(limit), time.Duration(s.params.IntervalSeconds)*time.Second)
	if err != nil {
		// Nothing of this pass is settled: reopen its intervals, so readings
		// that arrive until the store answers again are not lost as late.
		s.sealMu.Lock()
		if s.sealedBelow == limit {
			s.sealedBelow = sealed
		}
		s.sealMu.Unlock()
		return err
	}
	var intervals []uint64
	for startSec := range counts {
		intervals = append(intervals, uint64(startSec)/s.params.IntervalSeconds)
	}
	slices.Sort(intervals)
	for _, i := range intervals {
		if anchored, known := s.anchors.get(i); known && anchored {
			continue
		}
		a, err := queryAnchor(ctx, s.chain, i)
		if err != nil {
			return err
		}
		if a != nil {
			s.anchors.set(i, true)
			continue
		}
		if err := s.settle(ctx, sub, i); err != nil {
			return fmt.Errorf("settle interval %d: %w", i, err)
		}
	}
	*scannedBelow = limit
	s.anchors.prune(from)
	return nil
}

// settle rebuilds interval's Merkle tree from InfluxDB, delivers the last
// reading of each device to the chain (deliver: every one on chain, or
// refused for good and recorded for the audit) and only then anchors the
// root.
func (s *Service) settle(ctx context.Context, sub *submitter, interval uint64) error {
	start := s.params.start(interval)
	stored, err := s.store.Range(ctx, start, s.params.start(interval+1))
	if err != nil {
		return err
	}
	if len(stored) == 0 {
		return nil
	}
	leaves := make([]merkle.Leaf, len(stored))
	for i, r := range stored {
		leaves[i] = merkle.Leaf{Device: r.DeviceID, Seq: r.Seq, Wire: r.Wire}
	}
	tree := merkle.FromLeaves(leaves) // sorts leaves
	slices.SortFunc(stored, func(a, b store.Stored) int { return merkle.Compare(leafOf(&a), leafOf(&b)) })
	var last []store.Stored
	for i := range stored {
		if i+1 == len(stored) || stored[i+1].DeviceID != stored[i].DeviceID {
			last = append(last, stored[i])
		}
	}
	// The chain's bound on readings per transaction, read afresh: it is a
	// parameter.
	p, err := fetchParams(ctx, s.chain)
	if err != nil {
		return fmt.Errorf("read metering params: %w", err)
	}
	perTx := tx.MaxReadingsPerMsg
	if p.MaxReadingsPerTx > 0 && p.MaxReadingsPerTx < uint64(perTx) {
		perTx = int(p.MaxReadingsPerTx)
	}
	if err := s.deliver(ctx, sub, interval, last, perTx); err != nil {
		return fmt.Errorf("deliver readings: %w", err)
	}
	s.m.readingsSubmitted(len(last))

	memo := fmt.Sprintf("settlement interval %d", interval)
	root := tree.Root()
	err = sub.send(ctx, memo, &tx.MsgAnchor{Interval: interval, Root: root, Count: tree.Size()})
	if errors.Is(err, tx.CodeMeteringAlreadyAnchored) {
		a, qerr := queryAnchor(ctx, s.chain, interval)
		if qerr != nil {
			return qerr
		}
		if a != nil && bytes.Equal(a.Root, root) && a.Count == tree.Size() {
			err = nil
		} else if a != nil {
			s.m.anchorConflict()
			s.anchors.set(interval, true)
			s.log.Error("ALARM: interval anchored on chain with a different root", "interval", interval,
				"root", fmt.Sprintf("%x", root), "count", tree.Size(), "chain_root", fmt.Sprintf("%x", a.Root), "chain_count", a.Count)
			return nil
		}
	}
	if err != nil {
		return fmt.Errorf("anchor: %w", err)
	}
	s.anchors.set(interval, true)
	s.m.intervalAnchored()
	s.log.Info("interval anchored", "interval", interval, "readings", tree.Size(), "devices", len(last), "root", fmt.Sprintf("%x", root))
	return nil
}
