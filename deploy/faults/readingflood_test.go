//go:build faults

package faults

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/cmd/citychain/local"
	"github.com/citychain/citychain/edge/reading"
)

// The reading flood (issue 16, item 2): funded accounts without the
// settlement role send well-formed, correctly signed and sequenced
// envelopes carrying full batches of signed readings that could only cost
// the validators verification work — readings of the registered devices at
// sequence numbers they have already passed, and readings above them,
// each signed by a key that is not the device's. Only the settlement relay
// may submit readings, so CheckTx refuses every one before it looks at a
// reading; a transaction over max_readings_per_tx is refused before it is
// executed at all.
const (
	readingFloodAccounts = 20 // funded from the treasury
	readingFloodWorkers  = 5  // each sends for readingFloodAccounts/readingFloodWorkers accounts in turn
	readingFloodBatches  = 8  // distinct pre-signed batches per kind
	readingFloodFunding  = 1_000_000
)

// readingFlood funds the flood accounts, floods every validator with
// readings transactions for about two settlement intervals, and checks
// that every synchronous one was refused by CheckTx with its code (counted
// per code), that no flood account's sequence moved (nothing was
// admitted), and then what tx-flood checks (floodAftermath): none in a
// block, transfers committing, the intervals inside the window anchored
// on time with their readings.
func (s *suite) readingFlood(t *testing.T) {
	ctx := t.Context()
	c, err := client.New(s.net.RPC())
	if err != nil {
		t.Fatal(err)
	}
	chainID, err := c.ChainID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	keys := make([]ed25519.PrivateKey, readingFloodAccounts)
	var fund []tx.Msg
	for i := range keys {
		_, keys[i], err = ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		fund = append(fund, &tx.MsgSend{To: addrOf(keys[i]), Amount: tx.Coin{Amount: readingFloodFunding, Denom: tx.DenomSCoin}})
	}
	treasury := local.Key(t, s.net.Keys, "treasury")
	fctx, cancel := context.WithTimeout(ctx, time.Minute)
	funded, err := c.Submit(fctx, treasury.Private, "fault suite reading flood accounts", fund...)
	cancel()
	if err != nil {
		t.Fatalf("fund the flood accounts: %v", err)
	}
	// Every validator knows the accounts before the flood: an unknown
	// account would be refused by the envelope checks, before metering.
	for _, v := range s.net.Validators {
		vWaitHeight(t, ctx, v, funded.Height+1, vProgressTimeout, "after funding the flood accounts")
	}

	kinds := s.readingFloodKinds(t, ctx, c)
	iv := time.Duration(s.net.IntervalSeconds) * time.Second
	hStart := vMaxHeight(ctx, s.net.Validators)
	start := time.Now()
	wctx, wcancel := context.WithTimeout(ctx, floodIntervals*iv)
	defer wcancel()

	var (
		mu      sync.Mutex
		sent    = map[[32]byte]string{} // hash -> kind
		codes   = map[string]int{}      // "codespace/code" of every synchronous answer
		wrong   []string
		n       atomic.Uint64 // makes every envelope distinct (its memo)
		nSync   atomic.Int64
		nAsync  atomic.Int64
		rpcErrs atomic.Int64
		wg      sync.WaitGroup
	)
	for w := range readingFloodWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			clients := map[string]*client.Client{}
			for i := 0; wctx.Err() == nil; i++ {
				v := s.net.Validators[(i+w)%len(s.net.Validators)]
				cl := clients[v.RPCURL]
				if cl == nil {
					var err error
					if cl, err = client.New(v.RPCURL); err != nil {
						panic(err)
					}
					clients[v.RPCURL] = cl
				}
				k := kinds[(i+w)%len(kinds)]
				key := keys[w+readingFloodWorkers*(i%(readingFloodAccounts/readingFloodWorkers))]
				// Nothing is ever admitted, so every account's next
				// sequence stays 0: each envelope is one CheckTx must
				// fully decode, verify and execute.
				raw, err := tx.Build(key, chainID, 0, fmt.Sprintf("reading flood %d", n.Add(1)), k.msgs[i%len(k.msgs)]...)
				if err != nil {
					panic(err) // fixed, valid messages
				}
				mu.Lock()
				sent[tx.Hash(raw)] = k.name
				mu.Unlock()
				if i%4 == 3 {
					if _, err := cl.RPC().BroadcastTxAsync(wctx, raw); err != nil && wctx.Err() == nil {
						rpcErrs.Add(1)
					}
					nAsync.Add(1)
					continue
				}
				res, err := cl.RPC().BroadcastTxSync(wctx, raw)
				if err != nil {
					if wctx.Err() == nil && rpcErrs.Add(1) <= 5 {
						t.Logf("%s to validator %d: RPC error: %v", k.name, v.Index, err)
					}
					continue
				}
				nSync.Add(1)
				mu.Lock()
				codes[fmt.Sprintf("%s/%d", res.Codespace, res.Code)]++
				if !k.code.Matches(res.Codespace, res.Code) && len(wrong) < 20 {
					wrong = append(wrong, fmt.Sprintf("%s to validator %d: got %s/%d (%s), want %s/%d",
						k.name, v.Index, res.Codespace, res.Code, res.Log, k.code.Codespace, k.code.Code))
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	end := time.Now()
	total := nSync.Load() + nAsync.Load()
	t.Logf("reading flood: %d transactions (%d sync, %d async, %d RPC errors) of %d readings or more in %s (%.0f/s); CheckTx answers by code: %v",
		total, nSync.Load(), nAsync.Load(), rpcErrs.Load(), tx.MaxReadingsPerMsg, end.Sub(start).Round(time.Millisecond),
		float64(total)/end.Sub(start).Seconds(), codes)
	if nSync.Load() == 0 {
		t.Errorf("reading flood: no synchronous broadcast answered")
	}
	for _, w := range wrong {
		t.Errorf("wrong answer: %s", w)
	}
	for _, k := range kinds {
		if codes[fmt.Sprintf("%s/%d", k.code.Codespace, k.code.Code)] == 0 {
			t.Errorf("%s: no synchronous broadcast refused with %s/%d", k.name, k.code.Codespace, k.code.Code)
		}
	}
	// Nothing was admitted: no flood account used a sequence number.
	for _, key := range keys {
		qctx, qcancel := context.WithTimeout(ctx, 5*time.Second)
		acc, err := c.Account(qctx, addrOf(key))
		qcancel()
		if err != nil {
			t.Errorf("flood account %s: %v", addrOf(key), err)
			continue
		}
		if acc.Sequence != 0 {
			t.Errorf("flood account %s: sequence %d, want 0 (no transaction of the flood admitted)", addrOf(key), acc.Sequence)
		}
	}
	s.floodAftermath(t, ctx, sent, hStart, start, end)
}

// readingFloodKind is one kind of useless readings transaction, its
// messages (pre-signed variants) and the code CheckTx must refuse it with.
type readingFloodKind struct {
	name string
	code tx.Code
	msgs [][]tx.Msg
}

// readingFloodKinds builds the flood's batches over the network's devices:
// "replayed", full messages of readings at sequence numbers each device
// has already passed; "forged", full messages of readings above them; both
// signed by random keys. "over-bound" carries one reading more than
// max_readings_per_tx in two messages.
func (s *suite) readingFloodKinds(t *testing.T, ctx context.Context, c *client.Client) []readingFloodKind {
	t.Helper()
	type dev struct {
		id   string
		kind reading.Kind
		seq  uint64 // the last accepted one
	}
	var devs []dev
	// The replayed readings need a history on chain: settlement submits
	// each device's last reading when an interval closes, so a scenario run
	// alone, right after the network started, waits for the first ones.
	deadline := time.Now().Add(2 * time.Minute)
	for _, id := range s.devices() {
		for {
			var d struct {
				Kind string `json:"kind"`
			}
			var st struct {
				Seq uint64 `json:"seq"`
			}
			qctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			err := c.QueryJSON(qctx, "/devices/device", []byte(id), &d)
			if err == nil {
				err = c.QueryJSON(qctx, "/metering/device", []byte(id), &st)
			}
			cancel()
			if err == nil && st.Seq >= 2 {
				k := reading.KindEnergyWh
				if !k.MeasuredBy(d.Kind) {
					k = reading.KindOdometerM
				}
				devs = append(devs, dev{id, k, st.Seq})
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("device %s: no accepted reading above seq 1 on chain by %s (last seq %d, err %v)",
					id, deadline.Format(time.TimeOnly), st.Seq, err)
			}
			if !sleep(ctx, time.Second) {
				t.Fatal(ctx.Err())
			}
		}
	}
	var p struct {
		MaxReadingsPerTx int `json:"max_readings_per_tx"`
	}
	if err := c.QueryJSON(ctx, "/metering/params", nil, &p); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	batch := func(b, size int, above bool) []tx.HexBytes {
		_, key, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		out := make([]tx.HexBytes, size)
		for i := range out {
			d := devs[(b+i)%len(devs)]
			seq := 1 + uint64(b*size+i)%(d.seq-1) // at or below the floor
			if above {
				seq = d.seq + 1_000_000 + uint64(b*size+i)
			}
			sg, err := reading.Reading{DeviceID: d.id, KeyEpoch: 1, Seq: seq, Kind: d.kind,
				TimeMs: now.Add(-time.Duration(i) * time.Second).UnixMilli(), Value: 1_000_000_000}.Sign(key)
			if err != nil {
				t.Fatal(err)
			}
			if out[i], err = sg.Encode(); err != nil {
				t.Fatal(err)
			}
		}
		return out
	}
	kinds := []readingFloodKind{
		{name: "replayed", code: tx.CodeMeteringNotSettlement},
		{name: "forged", code: tx.CodeMeteringNotSettlement},
		{name: "over-bound", code: tx.CodeMeteringTooManyReadings},
	}
	for b := range readingFloodBatches {
		kinds[0].msgs = append(kinds[0].msgs, []tx.Msg{&tx.MsgSubmitReadings{Readings: batch(b, tx.MaxReadingsPerMsg, false)}})
		kinds[1].msgs = append(kinds[1].msgs, []tx.Msg{&tx.MsgSubmitReadings{Readings: batch(b, tx.MaxReadingsPerMsg, true)}})
		var over []tx.Msg // max_readings_per_tx + 1 readings, in full messages and the rest
		for rs := batch(b, p.MaxReadingsPerTx+1, b%2 == 0); len(rs) > 0; {
			n := min(len(rs), tx.MaxReadingsPerMsg)
			over, rs = append(over, &tx.MsgSubmitReadings{Readings: rs[:n]}), rs[n:]
		}
		kinds[2].msgs = append(kinds[2].msgs, over)
	}
	return kinds
}

// addrOf is the account address of an ed25519 private key.
func addrOf(key ed25519.PrivateKey) tx.Address {
	return tx.PubKey(key.Public().(ed25519.PublicKey)).Address()
}
