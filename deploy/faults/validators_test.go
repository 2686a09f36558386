//go:build faults

package faults

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/cmd/citychain/testnet"
)

// Validator scenarios: a validator killed and restarted, two of four
// stopped (the chain halts, never forks) and a validator cut off from its
// peers. Each uses only s.net; its helpers are prefixed v.

// Bounds of the validator scenarios' waits.
const (
	vProgressTimeout = 45 * time.Second // for the others to advance a few blocks
	vCatchUpTimeout  = 2 * time.Minute  // for a restarted or restored validator to catch up
	vAdvance         = 5                // blocks the others must make during a fault
	vHaltWindow      = 8 * time.Second  // how long a halted chain is watched (many block times)
)

// validatorKill SIGKILLs validator 3 under load: the other three keep
// producing blocks; restarted, it catches up to the same block and app
// hash at the same height as the others.
func (s *suite) validatorKill(t *testing.T) {
	ctx := t.Context()
	v := s.net.Validators[3]
	others := vExcept(s.net.Validators, v)
	h0 := vMaxHeight(ctx, s.net.Validators)
	if err := v.Kill(); err != nil {
		t.Fatalf("kill validator %d: %v", v.Index, err)
	}
	if v.Running() {
		t.Fatalf("validator %d still running after SIGKILL", v.Index)
	}
	hKill := vMaxHeight(ctx, others)
	t.Logf("validator %d killed at height %d", v.Index, hKill)
	for _, o := range others {
		vWaitHeight(t, ctx, o, hKill+vAdvance, vProgressTimeout, "with validator 3 killed")
	}
	t.Logf("the other three reached height %d without it", hKill+vAdvance)

	if err := v.Start(ctx); err != nil {
		t.Fatalf("restart validator %d: %v", v.Index, err)
	}
	target := vMaxHeight(ctx, others) + 2
	vWaitHeight(t, ctx, v, target, vCatchUpTimeout, "after its restart")
	vSameBlock(t, ctx, s.net.Validators, target)
	vSameBlocks(t, ctx, s.net.Validators, max(h0-2, 1), target)
	t.Logf("validator %d restarted and caught up: same block and app hash at height %d", v.Index, target)
}

// twoStopped stops two of the four validators (validator 2 with SIGTERM,
// validator 3 with SIGKILL): with half the voting power gone the height
// stops advancing, watched over many block times; started again, the chain
// resumes. No two validators ever hold different blocks at one height.
func (s *suite) twoStopped(t *testing.T) {
	ctx := t.Context()
	v2, v3 := s.net.Validators[2], s.net.Validators[3]
	running := []*testnet.Validator{s.net.Validators[0], s.net.Validators[1]}
	h0 := vMaxHeight(ctx, s.net.Validators)
	if err := v2.Stop(); err != nil {
		t.Fatalf("stop validator 2: %v", err)
	}
	if err := v3.Kill(); err != nil {
		t.Fatalf("kill validator 3: %v", err)
	}
	hStop := vMaxHeight(ctx, running)
	t.Logf("validators 2 (SIGTERM) and 3 (SIGKILL) down at height %d", hStop)

	// A block whose precommits were already gathered may still commit;
	// after it, nothing.
	hHalt := hStop
	deadline := time.Now().Add(vHaltWindow)
	tick := time.NewTicker(250 * time.Millisecond)
	for time.Now().Before(deadline) {
		for _, v := range running {
			h, err := vHeight(ctx, v.RPCURL)
			if err != nil {
				t.Fatalf("validator %d while halted: %v", v.Index, err)
			}
			if h > hStop+1 {
				tick.Stop()
				t.Fatalf("validator %d at height %d with two of four validators down (stopped at %d): the chain did not halt", v.Index, h, hStop)
			}
			hHalt = max(hHalt, h)
		}
		<-tick.C
	}
	tick.Stop()
	vSameBlocks(t, ctx, running, max(h0-2, 1), hHalt)
	t.Logf("height held at %d for %s", hHalt, vHaltWindow)

	for _, v := range []*testnet.Validator{v2, v3} {
		if err := v.Start(ctx); err != nil {
			t.Fatalf("start validator %d again: %v", v.Index, err)
		}
	}
	target := hHalt + vAdvance
	for _, v := range s.net.Validators {
		vWaitHeight(t, ctx, v, target, vCatchUpTimeout, "after the two were started again")
	}
	vSameBlocks(t, ctx, s.net.Validators, max(h0-2, 1), target)
	t.Logf("chain resumed: all four at height %d or above, one block per height", target)
}

// validatorCut cuts validator 2's P2P links: the other three continue, the
// cut one does not advance; restored, it catches up to the same block and
// app hash.
func (s *suite) validatorCut(t *testing.T) {
	ctx := t.Context()
	v := s.net.Validators[2]
	others := vExcept(s.net.Validators, v)
	h0 := vMaxHeight(ctx, s.net.Validators)
	if err := v.Cut(); err != nil {
		t.Fatalf("cut validator %d: %v", v.Index, err)
	}
	hv, err := vHeight(ctx, v.RPCURL)
	if err != nil {
		t.Fatal(err)
	}
	hCut := vMaxHeight(ctx, others)
	t.Logf("validator %d cut at its height %d (others at %d)", v.Index, hv, hCut)
	began := time.Now()
	for _, o := range others {
		vWaitHeight(t, ctx, o, hCut+2*vAdvance, vProgressTimeout, "with validator 2 cut off")
	}
	hvAfter, err := vHeight(ctx, v.RPCURL)
	if err != nil {
		t.Fatalf("cut validator %d stopped answering RPC: %v", v.Index, err)
	}
	if !v.Running() {
		t.Fatalf("cut validator %d exited", v.Index)
	}
	if hvAfter > hv+1 {
		t.Fatalf("cut validator %d advanced from %d to %d while the others went from %d to %d", v.Index, hv, hvAfter, hCut, hCut+2*vAdvance)
	}
	t.Logf("after %s the others passed %d, the cut one stayed at %d", time.Since(began).Round(time.Millisecond), hCut+2*vAdvance, hvAfter)

	if err := v.Restore(); err != nil {
		t.Fatalf("restore validator %d: %v", v.Index, err)
	}
	target := vMaxHeight(ctx, others) + 2
	restored := time.Now()
	vWaitHeight(t, ctx, v, target, vCatchUpTimeout, "after its links were restored")
	vSameBlock(t, ctx, s.net.Validators, target)
	vSameBlocks(t, ctx, s.net.Validators, max(h0-2, 1), target)
	t.Logf("validator %d caught up to height %d in %s: same block and app hash", v.Index, target, time.Since(restored).Round(time.Millisecond))
}

// vExcept lists vs without v.
func vExcept(vs []*testnet.Validator, v *testnet.Validator) []*testnet.Validator {
	var out []*testnet.Validator
	for _, o := range vs {
		if o != v {
			out = append(out, o)
		}
	}
	return out
}

// vHeight is the latest height of the node at rpcURL.
func vHeight(ctx context.Context, rpcURL string) (int64, error) {
	c, err := client.New(rpcURL)
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	st, err := c.RPC().Status(ctx)
	if err != nil {
		return 0, fmt.Errorf("status of %s: %w", rpcURL, err)
	}
	return st.SyncInfo.LatestBlockHeight, nil
}

// vMaxHeight is the highest height among the running validators of vs.
func vMaxHeight(ctx context.Context, vs []*testnet.Validator) int64 {
	var h int64
	for _, v := range vs {
		if !v.Running() {
			continue
		}
		if hv, err := vHeight(ctx, v.RPCURL); err == nil {
			h = max(h, hv)
		}
	}
	return h
}

// vWaitHeight waits until v has committed block h.
func vWaitHeight(t *testing.T, ctx context.Context, v *testnet.Validator, h int64, timeout time.Duration, when string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last int64
	for {
		got, err := vHeight(ctx, v.RPCURL)
		if err == nil && got >= h {
			return
		}
		last = got
		if time.Now().After(deadline) {
			t.Fatalf("validator %d at height %d %s, not %d after %s (err %v; log %s)", v.Index, last, when, h, timeout, err, v.LogPath())
		}
		select {
		case <-ctx.Done():
			t.Fatalf("validator %d: waiting for height %d: %v", v.Index, h, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// vBlock is what a node stores for one height.
type vBlock struct {
	Hash, AppHash string
}

// vBlockAt reads block h from the node at rpcURL.
func vBlockAt(ctx context.Context, rpcURL string, h int64) (vBlock, error) {
	c, err := client.New(rpcURL)
	if err != nil {
		return vBlock{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	res, err := c.RPC().Block(ctx, &h)
	if err != nil {
		return vBlock{}, fmt.Errorf("block %d from %s: %w", h, rpcURL, err)
	}
	return vBlock{Hash: res.BlockID.Hash.String(), AppHash: res.Block.Header.AppHash.String()}, nil
}

// vSameBlock requires every validator of vs to hold the same block, with
// the same app hash, at height h.
func vSameBlock(t *testing.T, ctx context.Context, vs []*testnet.Validator, h int64) {
	t.Helper()
	var want vBlock
	for i, v := range vs {
		// The one that caught up may pass a validator that was never
		// stopped: each compares once it holds h.
		vWaitHeight(t, ctx, v, h, vProgressTimeout, "to compare its block")
		got, err := vBlockAt(ctx, v.RPCURL, h)
		if err != nil {
			t.Fatalf("validator %d: %v", v.Index, err)
		}
		if i == 0 {
			want = got
			continue
		}
		if got != want {
			t.Fatalf("height %d: validator %d has block %s app hash %s, validator %d has block %s app hash %s",
				h, v.Index, got.Hash, got.AppHash, vs[0].Index, want.Hash, want.AppHash)
		}
	}
}

// vSameBlocks requires, at every height from..to, that no two validators
// of vs hold different blocks (a validator below a height is skipped).
func vSameBlocks(t *testing.T, ctx context.Context, vs []*testnet.Validator, from, to int64) {
	t.Helper()
	tops := map[int]int64{}
	for _, v := range vs {
		h, err := vHeight(ctx, v.RPCURL)
		if err != nil {
			t.Fatalf("validator %d: %v", v.Index, err)
		}
		tops[v.Index] = h
	}
	for h := from; h <= to; h++ {
		var (
			want  vBlock
			owner = -1
		)
		for _, v := range vs {
			if tops[v.Index] < h {
				continue
			}
			got, err := vBlockAt(ctx, v.RPCURL, h)
			if err != nil {
				t.Fatalf("validator %d: %v", v.Index, err)
			}
			if owner < 0 {
				want, owner = got, v.Index
				continue
			}
			if got.Hash != want.Hash {
				t.Fatalf("fork at height %d: validator %d has block %s, validator %d has block %s", h, v.Index, got.Hash, owner, want.Hash)
			}
		}
	}
}
