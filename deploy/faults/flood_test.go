//go:build faults

package faults

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/cmd/citychain/local"
)

// The transaction flood: for about two settlement intervals, goroutines
// send invalid transactions of four kinds to every validator's RPC as fast
// as they go, mostly broadcast_tx_sync (whose CheckTx code is checked),
// every fourth broadcast_tx_async.
const (
	floodIntervals = 2
	floodWorkers   = 2 // per kind
	// floodGrace is settlement's --grace in the testnet (its default).
	floodGrace = 10 * time.Second
	// floodAnchorSlack is how long after an interval's end plus the grace
	// its anchor may commit: settlement's 1 s tick and a few blocks.
	floodAnchorSlack = 8 * time.Second
)

// floodKind is one kind of invalid transaction and the code CheckTx must
// answer it with.
type floodKind struct {
	name string
	code tx.Code
	make func(n uint64) []byte
}

func (s *suite) floodKinds(t *testing.T, ctx context.Context) []floodKind {
	t.Helper()
	alice, bob := local.Key(t, s.net.Keys, "alice"), local.Key(t, s.net.Keys, "bob")
	c, err := client.New(s.net.RPC())
	if err != nil {
		t.Fatal(err)
	}
	chainID, err := c.ChainID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := c.Account(ctx, alice.Address)
	if err != nil {
		t.Fatal(err)
	}
	send := &tx.MsgSend{To: bob.Address, Amount: tx.Coin{Amount: 1, Denom: tx.DenomSCoin}}
	build := func(key ed25519.PrivateKey, seq, n uint64) []byte {
		raw, err := tx.Build(key, chainID, seq, fmt.Sprintf("flood %d", n), send)
		if err != nil {
			panic(err) // a fixed, valid message
		}
		return raw
	}
	return []floodKind{
		{"oversized", tx.CodeTxTooLarge, func(n uint64) []byte {
			// A well-framed envelope 6 KiB over the limit.
			body := make([]byte, tx.MaxTxBytes+6*1024)
			for i := range body {
				body[i] = 'a'
			}
			binary.BigEndian.PutUint64(body, n)
			return tx.Encode(body, make([]byte, ed25519.SignatureSize))
		}},
		{"bad-signature", tx.CodeTxBadSignature, func(n uint64) []byte {
			// Alice's next transfer, its signature broken.
			raw := build(alice.Private, acc.Sequence, n)
			raw[len(raw)-1] ^= 0x01
			return raw
		}},
		{"unregistered-key", tx.CodeAuthUnknownAccount, func(n uint64) []byte {
			_, key, err := ed25519.GenerateKey(rand.Reader)
			if err != nil {
				panic(err)
			}
			return build(key, 0, n)
		}},
		{"garbage", tx.CodeTxMalformed, func(n uint64) []byte {
			b := make([]byte, 1+n%300)
			_, _ = rand.Read(b)
			b[0] = byte(2 + n%250) // never envelope version 1
			return b
		}},
	}
}

// txFlood floods every validator with oversized transactions, bad
// signatures, unregistered signers and garbage: each synchronous one is
// rejected with its code, none appears in a block of the flood window, the
// readings of the intervals inside the window are anchored in time and
// the transfer load keeps committing.
func (s *suite) txFlood(t *testing.T) {
	ctx := t.Context()
	kinds := s.floodKinds(t, ctx)
	iv := time.Duration(s.net.IntervalSeconds) * time.Second
	hStart := vMaxHeight(ctx, s.net.Validators)
	start := time.Now()
	fctx, cancel := context.WithTimeout(ctx, floodIntervals*iv)
	defer cancel()

	type tally struct{ sync, async, rpcErr atomic.Int64 }
	var (
		mu      sync.Mutex
		sent    = map[[32]byte]string{} // hash -> kind
		wrong   []string
		tallies = make([]tally, len(kinds))
		seqs    atomic.Uint64
		wg      sync.WaitGroup
	)
	// An RPC error (a node busy past the client's patience) is counted and
	// its first few logged; it is not a rejection.
	var errLogged atomic.Int64
	rpcErr := func(ki, v int, err error) {
		tallies[ki].rpcErr.Add(1)
		if errLogged.Add(1) <= 5 {
			t.Logf("%s to validator %d: RPC error: %v", kinds[ki].name, v, err)
		}
	}
	for ki, k := range kinds {
		for w := range floodWorkers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				clients := map[string]*client.Client{}
				for i := 0; fctx.Err() == nil; i++ {
					v := s.net.Validators[(i+w+ki)%len(s.net.Validators)]
					c := clients[v.RPCURL]
					if c == nil {
						var err error
						if c, err = client.New(v.RPCURL); err != nil {
							panic(err)
						}
						clients[v.RPCURL] = c
					}
					raw := k.make(seqs.Add(1))
					h := tx.Hash(raw)
					mu.Lock()
					sent[h] = k.name
					mu.Unlock()
					if i%4 == 3 {
						if _, err := c.RPC().BroadcastTxAsync(fctx, raw); err != nil && fctx.Err() == nil {
							rpcErr(ki, v.Index, err)
						}
						tallies[ki].async.Add(1)
						continue
					}
					res, err := c.RPC().BroadcastTxSync(fctx, raw)
					if err != nil {
						if fctx.Err() == nil {
							rpcErr(ki, v.Index, err)
						}
						continue
					}
					tallies[ki].sync.Add(1)
					if !k.code.Matches(res.Codespace, res.Code) {
						mu.Lock()
						if len(wrong) < 20 {
							wrong = append(wrong, fmt.Sprintf("%s to validator %d: got %s/%d (%s), want %s/%d",
								k.name, v.Index, res.Codespace, res.Code, res.Log, k.code.Codespace, k.code.Code))
						}
						mu.Unlock()
					}
				}
			}()
		}
	}
	wg.Wait()
	end := time.Now()
	var total int64
	for i, k := range kinds {
		n := tallies[i].sync.Load() + tallies[i].async.Load()
		total += n
		t.Logf("%s: %d sync, %d async, %d RPC errors", k.name, tallies[i].sync.Load(), tallies[i].async.Load(), tallies[i].rpcErr.Load())
		if tallies[i].sync.Load() == 0 {
			t.Errorf("%s: no synchronous broadcast answered", k.name)
		}
	}
	t.Logf("flood: %d transactions in %s (%.0f/s)", total, end.Sub(start).Round(time.Millisecond), float64(total)/end.Sub(start).Seconds())
	for _, w := range wrong {
		t.Errorf("wrong rejection: %s", w)
	}
	s.floodAftermath(t, ctx, sent, hStart, start, end)
}

// floodAftermath checks a flood's window: none of the flood's transactions
// (sent, by hash, with their kind) is in a block from hStart to a few
// after the flood, transfers kept committing in those blocks, and every
// interval the window from start to end touches is anchored, with
// readings, by its end plus settlement's grace plus floodAnchorSlack.
func (s *suite) floodAftermath(t *testing.T, ctx context.Context, sent map[[32]byte]string, hStart int64, start, end time.Time) {
	t.Helper()
	// Nothing of the flood is in a block: scan every block of the window
	// and a few after it (asynchronous ones were checked after their send).
	hEnd := vMaxHeight(ctx, s.net.Validators) + 3
	v0 := s.net.Validators[0]
	vWaitHeight(t, ctx, v0, hEnd, vProgressTimeout, "after the flood")
	c, err := client.New(v0.RPCURL)
	if err != nil {
		t.Fatal(err)
	}
	transfers := 0
	for h := hStart; h <= hEnd; h++ {
		bctx, bcancel := context.WithTimeout(ctx, 5*time.Second)
		res, err := c.RPC().Block(bctx, &h)
		bcancel()
		if err != nil {
			t.Fatalf("block %d: %v", h, err)
		}
		for _, raw := range res.Block.Txs {
			if k, ok := sent[tx.Hash(raw)]; ok {
				t.Errorf("block %d holds a flood transaction (%s)", h, k)
			}
			if d, err := tx.Decode(raw); err == nil && len(d.Msgs) > 0 && d.Msgs[0].Type() == "bank/send" {
				transfers++
			}
		}
	}
	t.Logf("blocks %d..%d: %d transfers committed during the flood", hStart, hEnd, transfers)
	if transfers == 0 {
		t.Errorf("no transfer committed in blocks %d..%d during the flood", hStart, hEnd)
	}

	// Every interval the flood window touches is anchored, with readings,
	// by its end plus the grace plus the slack.
	secs := s.net.IntervalSeconds
	first, last := uint64(start.Unix())/secs, uint64(end.Unix())/secs
	for i := first; i <= last; i++ {
		due := time.Unix(int64((i+1)*secs), 0).Add(floodGrace + floodAnchorSlack)
		a := vWaitAnchor(t, ctx, s.net.RPC(), i, due.Add(30*time.Second))
		if a.Count == 0 {
			t.Errorf("interval %d anchored with no readings", i)
		}
		lag := a.Time.Sub(time.Unix(int64((i+1)*secs), 0))
		t.Logf("interval %d: %d readings anchored at height %d, %s after its end", i, a.Count, a.Height, lag.Round(time.Millisecond))
		if a.Time.After(due) {
			t.Errorf("interval %d anchored at %s, %s after its end; want within the grace %s plus %s",
				i, a.Time.Format(time.TimeOnly), lag.Round(time.Millisecond), floodGrace, floodAnchorSlack)
		}
	}
}

// vAnchor is an interval's anchor on chain.
type vAnchor struct {
	Count  uint64    `json:"count"`
	Height int64     `json:"height"`
	Time   time.Time `json:"time"`
}

// vWaitAnchor waits until interval i is anchored, at the latest until
// deadline.
func vWaitAnchor(t *testing.T, ctx context.Context, rpcURL string, i uint64, deadline time.Time) vAnchor {
	t.Helper()
	c, err := client.New(rpcURL)
	if err != nil {
		t.Fatal(err)
	}
	for {
		var a vAnchor
		qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := c.QueryJSON(qctx, "/metering/anchor", fmt.Appendf(nil, "%d", i), &a)
		cancel()
		if err == nil {
			return a
		}
		if time.Now().After(deadline) {
			t.Fatalf("interval %d not anchored by %s: %v", i, deadline.Format(time.TimeOnly), err)
		}
		select {
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
}
