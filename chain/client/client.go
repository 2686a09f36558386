// Package client talks to a citychain node over CometBFT RPC: it builds and
// signs transactions, broadcasts them and waits for their inclusion, and runs
// queries, verifying their ICS23 proofs against a block header that
// CometBFT's light client verified from a trust root the caller holds (a
// genesis file, or a trusted height and hash; see SetTrust). The CLI, the
// settlement service and the API use it.
package client

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"strconv"

	"fmt"
	"strings"
	"sync"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"

	"github.com/citychain/citychain/chain/tx"
)

// Client is a connection to one node's RPC endpoint.
type Client struct {
	rpc     *rpchttp.HTTP
	mu      sync.Mutex // guards chainID
	chainID string
	// PollInterval is how often WaitTx asks whether a transaction is in a
	// block.
	PollInterval time.Duration
	// OdometerPageLimit is how many points a page VehicleReport reads a
	// vehicle's odometer series in holds (0: 1000, the node's maximum).
	OdometerPageLimit uint64

	lightMu sync.Mutex // guards light
	light   *lightVerifier
}

// New connects to the node at addr ("http://host:26657" or "tcp://host:26657").
func New(addr string) (*Client, error) {
	addr = rpcURL(addr)
	c, err := rpchttp.New(addr, "/websocket")
	if err != nil {
		return nil, fmt.Errorf("rpc client for %s: %w", addr, err)
	}
	return &Client{rpc: c, PollInterval: 100 * time.Millisecond}, nil
}

// RPC exposes the underlying CometBFT RPC client.
func (c *Client) RPC() *rpchttp.HTTP { return c.rpc }

// ChainID returns the node's chain id (asked once, then remembered). It is
// safe for concurrent use.
func (c *Client) ChainID(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.chainID != "" {
		return c.chainID, nil
	}
	st, err := c.rpc.Status(ctx)
	if err != nil {
		return "", fmt.Errorf("node status: %w", err)
	}
	c.chainID = st.NodeInfo.Network
	return c.chainID, nil
}

// TxError is a transaction rejected by CheckTx or failed in its block.
type TxError struct {
	Hash      string
	Height    int64 // 0 when rejected before inclusion
	Codespace string
	Code      uint32
	Log       string
}

func (e *TxError) Error() string {
	where := "rejected"
	if e.Height > 0 {
		where = fmt.Sprintf("failed in block %d", e.Height)
	}
	return fmt.Sprintf("transaction %s %s: %s code %d: %s", e.Hash, where, e.Codespace, e.Code, e.Log)
}

// Is makes errors.Is(err, tx.CodeX) match the code the chain answered.
func (e *TxError) Is(target error) bool {
	c, ok := target.(tx.Code)
	return ok && c.Matches(e.Codespace, e.Code)
}

// TxResult is a transaction committed successfully.
type TxResult struct {
	Hash   string
	Height int64
	Events []abci.Event
}

// Attr is the value of key in the transaction's first event of type typ.
func (r *TxResult) Attr(typ, key string) (string, bool) {
	for _, e := range r.Events {
		if e.Type != typ {
			continue
		}
		for _, a := range e.Attributes {
			if a.Key == key {
				return a.Value, true
			}
		}
	}
	return "", false
}

// ID is the decimal "id" attribute of the transaction's first event of
// type typ: the id the chain gave what the transaction created (an anchor,
// a transfer proposal).
func (r *TxResult) ID(typ string) (uint64, error) {
	v, ok := r.Attr(typ, "id")
	id, err := strconv.ParseUint(v, 10, 64)
	if !ok || err != nil {
		return 0, fmt.Errorf("transaction %s committed at height %d, but its events carry no %s id", r.Hash, r.Height, typ)
	}
	return id, nil
}

// Account is an account's state: its address, public key and next
// sequence number.
type Account = tx.Account

// Account returns the committed account at addr; ErrNotFound if none.
func (c *Client) Account(ctx context.Context, addr tx.Address) (*Account, error) {
	a, _, err := c.AccountState(ctx, addr, ReadOpts{})
	if err != nil {
		return nil, err
	}
	if a == nil {
		return nil, fmt.Errorf("%w: account %s", ErrNotFound, addr)
	}
	return a, nil
}

// Submit signs msgs with priv at the account's next sequence number,
// broadcasts the transaction and waits until it is in a block.
func (c *Client) Submit(ctx context.Context, priv ed25519.PrivateKey, memo string, msgs ...tx.Msg) (*TxResult, error) {
	chainID, err := c.ChainID(ctx)
	if err != nil {
		return nil, err
	}
	addr := tx.AddressOf(priv.Public().(ed25519.PublicKey))
	acc, err := c.Account(ctx, addr)
	if err != nil {
		return nil, err
	}
	raw, err := tx.Build(priv, chainID, acc.Sequence, memo, msgs...)
	if err != nil {
		return nil, err
	}
	return c.BroadcastAndWait(ctx, raw)
}

// Broadcast sends raw with broadcast_tx_sync and returns its hash once
// CheckTx admitted it, or a *TxError.
func (c *Client) Broadcast(ctx context.Context, raw []byte) (string, error) {
	h := tx.Hash(raw)
	hash := strings.ToUpper(hex.EncodeToString(h[:]))
	res, err := c.rpc.BroadcastTxSync(ctx, raw)
	if err != nil {
		return hash, fmt.Errorf("broadcast %s: %w", hash, err)
	}
	if res.Code != abci.CodeTypeOK {
		return hash, &TxError{Hash: hash, Codespace: res.Codespace, Code: res.Code, Log: res.Log}
	}
	return hash, nil
}

// WaitTx polls until the transaction is in a block, then returns its result
// or a *TxError if it failed there.
func (c *Client) WaitTx(ctx context.Context, hash string) (*TxResult, error) {
	hb, err := hex.DecodeString(hash)
	if err != nil {
		return nil, fmt.Errorf("transaction hash %q: %w", hash, err)
	}
	t := time.NewTicker(c.PollInterval)
	defer t.Stop()
	for {
		res, err := c.rpc.Tx(ctx, hb, false)
		if err == nil {
			if res.TxResult.Code != abci.CodeTypeOK {
				return nil, &TxError{Hash: hash, Height: res.Height, Codespace: res.TxResult.Codespace, Code: res.TxResult.Code, Log: res.TxResult.Log}
			}
			return &TxResult{Hash: hash, Height: res.Height, Events: res.TxResult.Events}, nil
		}
		if !strings.Contains(err.Error(), "not found") {
			return nil, fmt.Errorf("look up transaction %s: %w", hash, err)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("wait for transaction %s: %w", hash, ctx.Err())
		case <-t.C:
		}
	}
}

// BroadcastAndWait broadcasts raw and waits for its inclusion.
func (c *Client) BroadcastAndWait(ctx context.Context, raw []byte) (*TxResult, error) {
	hash, err := c.Broadcast(ctx, raw)
	if err != nil {
		return nil, err
	}
	return c.WaitTx(ctx, hash)
}

// ErrNotFound reports a query for state that does not exist.
var ErrNotFound = errors.New("not found")
