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

// submitter sends the service's transactions in order with consecutive
// account sequence numbers, tracks each to inclusion and resubmits what did
// not make it (timeout, sequence error, node unreachable) with a freshly
// read sequence. Only the settle loop uses it.
type submitter struct {
	s    *Service
	seq  uint64
	have bool
}

// send submits each message in its own transaction, in order, and returns
// once all are in blocks. A transaction the chain refuses for a reason
// other than its sequence ends send with that *client.TxError (messages
// after it are not sent); one that fails inside a block is logged and
// counted as done, except when it is the only message, whose error is
// returned.
func (sub *submitter) send(ctx context.Context, memo string, msgs ...tx.Msg) error {
	s := sub.s
	chainID, err := retry(ctx, s, "read chain id", func() (string, error) { return s.chain.ChainID(ctx) })
	if err != nil {
		return err
	}
	addr := tx.AddressOf(s.key.Public().(ed25519.PublicKey))
	wait := s.cfg.RetryMin
	for attempt := 0; len(msgs) > 0; attempt++ {
		if attempt > 0 {
			s.m.submitRetry()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(wait):
			}
			wait = min(2*wait, s.cfg.RetryMax)
		}
		if !sub.have {
			acc, err := s.chain.Account(ctx, addr)
			if err != nil {
				s.log.Warn("read settlement account", "err", err)
				continue
			}
			sub.seq, sub.have = acc.Sequence, true
		}
		var hashes []string
		var refused error
		for _, m := range msgs {
			raw, err := tx.Build(s.key, chainID, sub.seq, memo, m)
			if err != nil {
				return fmt.Errorf("build transaction: %w", err)
			}
			h, err := s.chain.Broadcast(ctx, raw)
			if err != nil {
				var te *client.TxError
				if errors.As(err, &te) && !errors.Is(err, tx.CodeAuthWrongSequence) {
					refused = err
				} else {
					s.log.Warn("broadcast failed; will resubmit", "err", err)
					sub.have = false
				}
				break
			}
			sub.seq++
			hashes = append(hashes, h)
		}
		done := 0
		for _, h := range hashes {
			wctx, cancel := context.WithTimeout(ctx, s.cfg.TxTimeout)
			_, err := s.chain.WaitTx(wctx, h)
			cancel()
			if err != nil {
				var te *client.TxError
				if !errors.As(err, &te) {
					if ctx.Err() != nil {
						return ctx.Err()
					}
					s.log.Warn("transaction not included in time; will resubmit", "tx", h, "err", err)
					sub.have = false
					break
				}
				if len(msgs) == 1 {
					return err
				}
				s.log.Error("transaction failed in its block", "tx", h, "err", err)
			}
			done++
		}
		msgs = msgs[done:]
		if refused != nil && done == len(hashes) {
			return refused
		}
	}
	return nil
}
