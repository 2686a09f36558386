package app

import (
	"context"
	"strings"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
)

// ProofOpType names the one proof operation the app returns: an ICS23
// commitment proof in the IAVL spec, whose root is the app hash.
const ProofOpType = "ics23:iavl"

// Query answers reads on committed state. Paths:
//
//	/store              data: a raw state key; value is the raw stored bytes
//	/<module>/<path>    a module query (see each module's README)
//
// Height 0 means the last committed height. When the answer is one state key
// and prove is set, ProofOps holds an ICS23 proof of (key, value) against the
// app hash, which CometBFT publishes in the header of the next block
// (height + 1).
func (a *App) Query(_ context.Context, req *abci.RequestQuery) (*abci.ResponseQuery, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	fail := func(err error) (*abci.ResponseQuery, error) {
		cs, code, log := module.Codes(err)
		return &abci.ResponseQuery{Codespace: cs, Code: code, Log: log, Height: req.Height}, nil
	}
	height := req.Height
	latest := a.tree.Version()
	if height == 0 {
		height = latest
	}
	if height <= 0 || height > latest {
		return fail(module.ErrBadQuery.Wrapf("height %d: state exists for heights 1 to %d", req.Height, latest))
	}
	snap, err := a.tree.Snapshot(height)
	if err != nil {
		return fail(module.ErrBadQuery.Wrapf("height %d: %v", height, err))
	}

	var res *module.QueryResult
	path := strings.TrimPrefix(req.Path, "/")
	if path == "store" {
		if len(req.Data) == 0 {
			return fail(module.ErrBadQuery.Wrapf("/store: data must be the state key to read"))
		}
		res = &module.QueryResult{Key: req.Data}
	} else {
		name, sub, _ := strings.Cut(path, "/")
		mod, ok := a.byName[name]
		if !ok {
			return fail(module.ErrUnknownQuery.Wrapf("%q: no module %q", req.Path, name))
		}
		res, err = mod.Query(&module.Query{
			Path: sub, Data: req.Data, Height: height,
			Store: func(p byte) store.KV { return store.NewPrefixed(snap, []byte{p}) },
		})
		if err != nil {
			return fail(err)
		}
	}
	out := &abci.ResponseQuery{Height: height, Value: res.Value}
	if res.Key != nil {
		out.Key = res.Key
		out.Value = snap.Get(res.Key)
		if req.Prove {
			proof, err := snap.Proof(res.Key)
			if err != nil {
				return fail(module.ErrInternal.Wrapf("proof of %x: %v", res.Key, err))
			}
			data, err := proof.Marshal()
			if err != nil {
				return fail(module.ErrInternal.Wrapf("encode proof: %v", err))
			}
			out.ProofOps = &cmtcrypto.ProofOps{Ops: []cmtcrypto.ProofOp{{Type: ProofOpType, Key: res.Key, Data: data}}}
		}
		if out.Value == nil {
			cs, code, log := module.Codes(module.ErrNotFound.Wrapf("no value at key %x", res.Key))
			out.Codespace, out.Code, out.Log = cs, code, log
		}
	}
	return out, nil
}
