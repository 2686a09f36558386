package client

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cometbft/cometbft/rpc/client"
	"github.com/cometbft/cometbft/types"
	ics23 "github.com/cosmos/ics23/go"

	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// QueryError is a query the node answered with an error code.
type QueryError struct {
	Path      string
	Codespace string
	Code      uint32
	Log       string
}

func (e *QueryError) Error() string {
	return fmt.Sprintf("query %s: %s code %d: %s", e.Path, e.Codespace, e.Code, e.Log)
}

// Is makes errors.Is(err, tx.CodeX) match the code the node answered.
func (e *QueryError) Is(target error) bool {
	c, ok := target.(tx.Code)
	return ok && c.Matches(e.Codespace, e.Code)
}

// QueryResult is a query's answer at a height.
type QueryResult struct {
	Path string
	// Data is the query's request data (a key such as an id, or JSON).
	Data   []byte
	Height int64
	// Key is the state key the answer is the value of, when it is one key.
	Key []byte
	// Value is the stored value (provable queries) or a JSON answer; nil
	// when the key holds nothing.
	Value []byte
	// Proof is set when the query asked for one.
	Proof *ics23.CommitmentProof
}

// Found reports whether the value exists.
func (r *QueryResult) Found() bool { return r.Value != nil }

// Query runs an ABCI query. A "not found" answer is not an error: it comes
// back with a nil Value (and, with prove, a proof of absence).
func (c *Client) Query(ctx context.Context, path string, data []byte, height int64, prove bool) (*QueryResult, error) {
	res, err := c.rpc.ABCIQueryWithOptions(ctx, path, data, client.ABCIQueryOptions{Height: height, Prove: prove})
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", path, err)
	}
	r := res.Response
	if r.Code != 0 && !tx.CodeAppNotFound.Matches(r.Codespace, r.Code) {
		return nil, &QueryError{Path: path, Codespace: r.Codespace, Code: r.Code, Log: r.Log}
	}
	out := &QueryResult{Path: path, Data: data, Height: r.Height, Key: r.Key, Value: r.Value}
	if r.Code != 0 {
		out.Value = nil
	}
	if prove {
		if r.ProofOps == nil || len(r.ProofOps.Ops) != 1 {
			return nil, fmt.Errorf("query %s: asked for a proof, node returned none", path)
		}
		op := r.ProofOps.Ops[0]
		if op.Type != "ics23:iavl" {
			return nil, fmt.Errorf("query %s: proof type %q, want ics23:iavl", path, op.Type)
		}
		var p ics23.CommitmentProof
		if err := p.Unmarshal(op.Data); err != nil {
			return nil, fmt.Errorf("query %s: decode proof: %w", path, err)
		}
		out.Proof = &p
	}
	return out, nil
}

// QueryJSON runs a query and decodes its JSON answer into v. The typed
// queries (Balance, Device, Vehicle, ...) are the usual way to read.
func (c *Client) QueryJSON(ctx context.Context, path string, data []byte, v any) error {
	_, err := c.queryJSON(ctx, path, data, 0, v)
	return err
}

// queryJSON runs a query at height and decodes its JSON answer into v; an
// absent answer is ErrNotFound, one that does not decode an *AnswerError.
func (c *Client) queryJSON(ctx context.Context, path string, data []byte, height int64, v any) (*QueryResult, error) {
	res, err := c.Query(ctx, path, data, height, false)
	if err != nil {
		return nil, err
	}
	if !res.Found() {
		return nil, fmt.Errorf("%w: %s %s", ErrNotFound, path, data)
	}
	if err := json.Unmarshal(res.Value, v); err != nil {
		return nil, &AnswerError{Path: path, Err: fmt.Errorf("query %s: decode answer: %w", path, err)}
	}
	return res, nil
}

// Verification says what a proof was checked against.
type Verification struct {
	// StateHeight is the height of the state the value was read from.
	StateHeight int64
	// HeaderHeight is the block whose header carries that state's app hash
	// (StateHeight + 1); HeaderHash is that header's hash.
	HeaderHeight int64
	HeaderHash   []byte
	AppHash      []byte
	// SignedPower and TotalPower are the voting power whose signatures on
	// the header's commit were checked, out of the total of the header's
	// validator set (which the light client verified from the trust root).
	SignedPower int64
	TotalPower  int64
	// Trusted is the trust root the light client verified the header
	// from.
	Trusted TrustRoot
}

// Verify checks a proven query result against a trust root the caller
// holds (SetTrust; ErrNoTrustRoot without one): it waits for the block
// after the state's height, has CometBFT's light client verify that
// block's header from the trust root (following every validator-set change
// on the way: skipping verification with a trust level of 1/3, bisecting
// where the set changed too much; comparing with the witnesses), and
// checks the ICS23 proof of (key, value) against the verified header's app
// hash. A node that reports another chain, or headers signed by validators
// that do not follow from the root, fails with ErrUntrusted; whatever the
// node says about its validators is not believed.
func (c *Client) Verify(ctx context.Context, res *QueryResult) (*Verification, error) {
	if res.Proof == nil {
		return nil, fmt.Errorf("query %s: no proof to verify", res.Path)
	}
	v := c.verifier()
	if v == nil {
		return nil, ErrNoTrustRoot
	}
	h := res.Height + 1
	if err := c.WaitHeight(ctx, h); err != nil {
		return nil, err
	}
	lb, root, err := v.header(ctx, c, h)
	if err != nil {
		return nil, err
	}
	if err := store.VerifyProof(lb.AppHash, res.Proof, res.Key, res.Value); err != nil {
		return nil, fmt.Errorf("proof against header %d (verified from %s): %w", h, root, err)
	}
	var signed int64
	for i, sig := range lb.Commit.Signatures {
		if sig.BlockIDFlag == types.BlockIDFlagCommit && i < len(lb.ValidatorSet.Validators) {
			signed += lb.ValidatorSet.Validators[i].VotingPower
		}
	}
	return &Verification{StateHeight: res.Height, HeaderHeight: h, HeaderHash: lb.Hash(), AppHash: lb.AppHash,
		SignedPower: signed, TotalPower: lb.ValidatorSet.TotalVotingPower(), Trusted: root}, nil
}

// WaitHeight waits until the node has a block at height h, polling its
// status every PollInterval.
func (c *Client) WaitHeight(ctx context.Context, h int64) error {
	t := time.NewTicker(c.PollInterval)
	defer t.Stop()
	for {
		st, err := c.rpc.Status(ctx)
		if err != nil {
			return fmt.Errorf("node status: %w", err)
		}
		if st.SyncInfo.LatestBlockHeight >= h {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for block %d: %w", h, ctx.Err())
		case <-t.C:
		}
	}
}
