package settlement

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"time"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
)

// submitter sends the service's transactions with consecutive account
// sequence numbers and tracks each to inclusion. After anything that may
// have left its sequence wrong (a broadcast error, a sequence refusal, a
// transaction failed in its block or not seen in time) it reads the
// sequence from the chain again before the next transaction. Only the
// settle loop uses it.
type submitter struct {
	s    *Service
	seq  uint64
	have bool
}

// txOutcome is what became of one transaction of a submission: included
// and successful (res), refused by CheckTx (err with Height 0; its sequence
// was not used) or failed in its block (err with Height > 0), or, with
// neither, unknown: not sent, or not seen in a block within TxTimeout.
type txOutcome struct {
	res *client.TxResult
	err *client.TxError
}

// submit sends each message in its own transaction, in order, waits for
// each to be in a block and returns what became of each. It resubmits
// nothing. Its error is ctx's, or a transaction that could not be built.
func (sub *submitter) submit(ctx context.Context, memo string, msgs []tx.Msg) ([]txOutcome, error) {
	s := sub.s
	out := make([]txOutcome, len(msgs))
	chainID, err := retry(ctx, s, "read chain id", func() (string, error) { return s.chain.ChainID(ctx) })
	if err != nil {
		return nil, err
	}
	if !sub.have {
		acc, err := s.chain.Account(ctx, tx.AddressOf(s.key.Public().(ed25519.PublicKey)))
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			s.log.Warn("read settlement account", "err", err)
			return out, nil
		}
		sub.seq, sub.have = acc.Sequence, true
	}
	hashes := make([]string, len(msgs))
broadcast:
	for i, m := range msgs {
		raw, err := tx.Build(s.key, chainID, sub.seq, memo, m)
		if err != nil {
			return nil, fmt.Errorf("build transaction: %w", err)
		}
		h, err := s.chain.Broadcast(ctx, raw)
		var te *client.TxError
		switch {
		case err == nil:
			sub.seq++
			hashes[i] = h
		case errors.As(err, &te) && !errors.Is(err, tx.CodeAuthWrongSequence):
			out[i].err = te // the next message takes the sequence
		default:
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			s.log.Warn("broadcast failed; will resubmit", "err", err)
			sub.have = false
			break broadcast
		}
	}
	for i, h := range hashes {
		if h == "" {
			continue
		}
		wctx, cancel := context.WithTimeout(ctx, s.cfg.TxTimeout)
		res, err := s.chain.WaitTx(wctx, h)
		cancel()
		var te *client.TxError
		switch {
		case err == nil:
			out[i].res = res
		case errors.As(err, &te):
			// Failed in its block: its sequence may or may not be used.
			out[i].err = te
			sub.have = false
		default:
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			// The later transactions cannot be in a block before it.
			s.log.Warn("transaction not included in time; will resubmit", "tx", h, "err", err)
			sub.have = false
			return out, nil
		}
	}
	return out, nil
}

// send submits one message until it is in a block: it resubmits, with a
// fresh sequence and backing off, what was not seen included or failed on
// a sequence; any other refusal or failure in its block is returned (a
// *client.TxError).
func (sub *submitter) send(ctx context.Context, memo string, m tx.Msg) error {
	s := sub.s
	wait := s.cfg.RetryMin
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			s.m.submitRetry()
			if err := sleep(ctx, wait); err != nil {
				return err
			}
			wait = min(2*wait, s.cfg.RetryMax)
		}
		out, err := sub.submit(ctx, memo, []tx.Msg{m})
		if err != nil {
			return err
		}
		switch o := out[0]; {
		case o.res != nil:
			return nil
		case o.err != nil && !errors.Is(o.err, tx.CodeAuthWrongSequence):
			return o.err
		}
	}
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
