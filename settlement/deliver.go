package settlement

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/settlement/internal/store"
)

// The chain's events for each submitted reading, and the reasons of
// metering.reading_rejected that deliver reads (see the metering module's
// README).
const (
	evReadingAccepted = "metering.reading_accepted"
	evReadingRejected = "metering.reading_rejected"
	chainReplayed     = "replayed"    // its sequence is not above the device's on chain: on chain already
	chainFutureTime   = "future_time" // ahead of the block time: it may pass later
)

// outgoing is a reading deliver is to account for.
type outgoing struct {
	store.Stored
	// alone: send it in a transaction of its own, to learn its own fate
	// (set after a transaction of several was refused as a whole).
	alone bool
}

// deliver submits readings, the last stored reading of each device in
// interval, until every one is accounted for:
//
//   - on chain: accepted now, or the device's sequence on chain already
//     reached it (an earlier submission, another replica), or
//   - refused by the chain for a reason resubmitting cannot change (a
//     revoked device, a rolled-back value, ...): then recorded in the
//     store as a refusal, which the audit reports, before deliver returns.
//
// A transaction refused on its sequence, failed in its block or not seen in
// a block in time has its readings resubmitted with a fresh sequence, as
// does a reading the chain found ahead of its clock. A transaction the
// chain refused as a whole because none of its readings was new
// (tx.CodeMeteringNoNewReadings) has each reading not yet on chain sent
// alone to learn its own reason. deliver returns nil only when nothing is
// unaccounted for, so that the interval may be anchored; any other refusal
// (the account lacks the settlement role, ...) is returned and nothing is
// anchored.
func (s *Service) deliver(ctx context.Context, sub *submitter, interval uint64, rs []store.Stored, perTx int) error {
	pending := make([]outgoing, len(rs))
	for i := range rs {
		pending[i] = outgoing{Stored: rs[i]}
	}
	memo := fmt.Sprintf("settlement interval %d", interval)
	wait := s.cfg.RetryMin
	for round := 0; len(pending) > 0; round++ {
		if round > 0 {
			s.m.submitRetry()
			s.log.Warn("readings not yet accounted for; resubmitting", "interval", interval, "readings", len(pending), "in", wait)
			if err := sleep(ctx, wait); err != nil {
				return err
			}
			wait = min(2*wait, s.cfg.RetryMax)
		}
		batches := chunkOutgoing(pending, perTx)
		msgs := make([]tx.Msg, len(batches))
		for i, b := range batches {
			m := &tx.MsgSubmitReadings{Readings: make([]tx.HexBytes, len(b))}
			for k := range b {
				m.Readings[k] = b[k].Wire
			}
			msgs[i] = m
		}
		outs, err := sub.submit(ctx, memo, msgs)
		if err != nil {
			return err
		}
		var (
			next    []outgoing
			ask     []question // on chain? then done; else as the question says
			refused []store.Refusal
		)
		for i, o := range outs {
			b, te := batches[i], o.err
			switch {
			case o.res != nil:
				fates := readingFates(o.res.Events)
				for _, r := range b {
					f, ok := fates[deviceSeq{r.DeviceID, r.Seq}]
					switch {
					case !ok:
						ask = append(ask, question{r: r})
					case f.accepted || f.reason == chainReplayed:
					case f.reason == chainFutureTime:
						next = append(next, r)
					default:
						// On chain after all (another replica's later
						// reading, say), or refused for good.
						ask = append(ask, question{r: r, refusal: f.reason})
					}
				}
			case te != nil && errors.Is(te, tx.CodeMeteringNoNewReadings):
				// Each reading is on chain already or was refused; the
				// refusal of a lone reading is its own.
				for _, r := range b {
					q := question{r: r}
					if len(b) == 1 {
						q.refusal, q.maybeAhead = fmt.Sprintf("%s code %d: %s", te.Codespace, te.Code, te.Log), true
					}
					q.r.alone = true
					ask = append(ask, q)
				}
			case te != nil && te.Height == 0 && !errors.Is(te, tx.CodeAuthWrongSequence) && !errors.Is(te, tx.CodeTxTooManyPending):
				return fmt.Errorf("submit readings: %w", te)
			case te != nil:
				s.log.Warn("readings transaction failed; resubmitting its readings", "interval", interval, "readings", len(b), "err", te)
				next = append(next, b...)
			default:
				next = append(next, b...)
			}
		}
		for _, q := range ask {
			onChain, err := s.chainHas(ctx, q.r.DeviceID, q.r.Seq)
			if err != nil {
				return err
			}
			switch {
			case onChain:
			case q.refusal == "":
				next = append(next, q.r)
			case q.maybeAhead && s.aheadOfChain(ctx, q.r.TimeMs):
				next = append(next, q.r) // future_time now, not for ever
			default:
				refused = append(refused, store.Refusal{Reading: q.r.Reading, Reason: q.refusal})
			}
		}
		if err := s.recordRefusals(ctx, interval, refused); err != nil {
			return err
		}
		pending = next
	}
	return nil
}

// question is a reading whose fate deliver asks the chain's state about.
type question struct {
	r outgoing
	// refusal, if set, is why the chain refused it: recorded unless it is on
	// chain after all; empty: resubmit it unless it is on chain.
	refusal string
	// maybeAhead: the refusal may be the chain's clock lagging the
	// reading's time (the reason is not known), so it is resubmitted while
	// the reading is ahead of the latest block.
	maybeAhead bool
}

// chunkOutgoing groups readings into transactions of at most perTx, those
// marked alone one per transaction.
func chunkOutgoing(rs []outgoing, perTx int) [][]outgoing {
	var out [][]outgoing
	var shared []outgoing
	for _, r := range rs {
		if r.alone {
			out = append(out, []outgoing{r})
		} else {
			shared = append(shared, r)
		}
	}
	for c := range slices.Chunk(shared, perTx) {
		out = append(out, c)
	}
	return out
}

type deviceSeq struct {
	device string
	seq    uint64
}

// readingFate is what the chain did with one reading of a transaction.
type readingFate struct {
	accepted bool
	reason   string
}

// readingFates reads the fate of each reading from a transaction's events.
func readingFates(evs []abci.Event) map[deviceSeq]readingFate {
	out := map[deviceSeq]readingFate{}
	for _, e := range evs {
		if e.Type != evReadingAccepted && e.Type != evReadingRejected {
			continue
		}
		var dev, reason string
		var seq uint64
		for _, a := range e.Attributes {
			switch a.Key {
			case "device":
				dev = a.Value
			case "seq":
				seq, _ = strconv.ParseUint(a.Value, 10, 64)
			case "reason":
				reason = a.Value
			}
		}
		out[deviceSeq{dev, seq}] = readingFate{accepted: e.Type == evReadingAccepted, reason: reason}
	}
	return out
}

// chainHas reports whether the chain's last accepted reading of device has
// a sequence of at least seq: reading seq is on chain or superseded there.
func (s *Service) chainHas(ctx context.Context, device string, seq uint64) (bool, error) {
	raw, err := retry(ctx, s, "read device state", func() (json.RawMessage, error) {
		raw, _, err := s.chain.DeviceState(ctx, device, client.ReadOpts{})
		return raw, err
	})
	if err != nil || raw == nil {
		return false, err
	}
	var st struct {
		Seq uint64 `json:"seq"`
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		return false, fmt.Errorf("device %s state: %w", device, err)
	}
	return st.Seq >= seq, nil
}

// aheadOfChain reports whether a reading of timeMs is too far ahead of the
// latest block for the chain to accept it now (its CheckTx judges by the
// latest block's time, which lags after a halt): it may pass later. An
// unanswered status counts as ahead: resubmitting is the safe side.
func (s *Service) aheadOfChain(ctx context.Context, timeMs int64) bool {
	st, err := s.chain.RPC().Status(ctx)
	if err != nil {
		s.log.Warn("read the chain's latest block time", "err", err)
		return true
	}
	limit := st.SyncInfo.LatestBlockTime.Unix() + int64(s.params.MaxFutureSkewSeconds)
	return timeMs/1000 > limit
}

// recordRefusals stores refusals, retrying until they are stored: the
// interval is anchored only after.
func (s *Service) recordRefusals(ctx context.Context, interval uint64, rs []store.Refusal) error {
	if len(rs) == 0 {
		return nil
	}
	if _, err := retry(ctx, s, "record refused readings", func() (struct{}, error) {
		return struct{}{}, s.store.WriteRefusals(ctx, rs)
	}); err != nil {
		return err
	}
	for _, r := range rs {
		s.m.readingRefused()
		s.log.Error("the chain refused a reading for good; recorded as a gap for the audit", "interval", interval,
			"device", r.DeviceID, "seq", r.Seq, "value", r.Value, "reason", r.Reason)
	}
	return nil
}
