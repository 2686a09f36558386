// Package app is the citychain ABCI 2.0 application: it decodes and checks
// transactions, routes their messages to the modules, keeps the state in an
// IAVL tree whose root is the app hash, and answers queries with ICS23
// proofs. Everything here is deterministic: block time only, no map order,
// no floats, no goroutines in state transitions.
package app

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	dbm "github.com/cosmos/cosmos-db"

	"github.com/citychain/citychain/chain/internal/metering"
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/internal/validators"
	"github.com/citychain/citychain/chain/tx"
)

// AppVersion is the application protocol version reported by Info.
const AppVersion uint64 = 1

// Config configures the application.
type Config struct {
	// CacheSize is the IAVL node cache size (nodes); 0 means 100,000.
	CacheSize int
	// VerifyCacheSize bounds the cache of transactions whose signature was
	// already verified (by CheckTx), so FinalizeBlock does not verify twice;
	// 0 means 50,000.
	VerifyCacheSize int
	// MaxPendingPerAccount bounds the transactions one signer may have in
	// the mempool at once; CheckTx rejects the next one until a block
	// includes (or a recheck evicts) some. 0 means DefaultMaxPendingPerAccount.
	MaxPendingPerAccount int
}

// DefaultMaxPendingPerAccount is the default of Config.MaxPendingPerAccount.
const DefaultMaxPendingPerAccount = 50

// App is the ABCI application.
type App struct {
	abci.BaseApplication

	mu      sync.Mutex
	logger  *slog.Logger
	cfg     Config
	tree    *store.Tree
	keepers *keepers
	modules []module.Module
	byName  map[string]module.Module // lookup only; never iterated

	// committed is the last committed state (the genesis state before the
	// first commit); check is the mempool's view: committed state plus
	// accepted txs.
	committed store.KV
	// committedSeq caches, until the next reset of the view, a signer's
	// committed sequence for CheckTx's pending count (nil: no account).
	committedSeq map[tx.Address]*uint64
	check        *store.Cache
	// checkCtx carries the height and time CheckTx runs at.
	checkCtx *module.Context

	verified map[[32]byte]*tx.Tx
}

var _ abci.Application = (*App)(nil)

// New opens the application over db, loading the last committed state.
func New(db dbm.DB, cfg Config, logger *slog.Logger) (*App, error) {
	if cfg.CacheSize == 0 {
		cfg.CacheSize = 100_000
	}
	if cfg.VerifyCacheSize == 0 {
		cfg.VerifyCacheSize = 50_000
	}
	if cfg.MaxPendingPerAccount == 0 {
		cfg.MaxPendingPerAccount = DefaultMaxPendingPerAccount
	}
	if cfg.MaxPendingPerAccount < 0 {
		return nil, fmt.Errorf("app config: MaxPendingPerAccount %d: want a positive number (0 for the default %d)", cfg.MaxPendingPerAccount, DefaultMaxPendingPerAccount)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	k, mods, err := wire(moduleList)
	if err != nil {
		return nil, err
	}
	tree, err := store.OpenTree(db, cfg.CacheSize)
	if err != nil {
		return nil, err
	}
	a := &App{
		logger: logger, cfg: cfg, tree: tree, keepers: k, modules: mods,
		byName: make(map[string]module.Module, len(mods)), verified: make(map[[32]byte]*tx.Tx),
	}
	for _, m := range mods {
		a.byName[m.Name()] = m
	}
	if err := a.resetCheckState(); err != nil {
		return nil, err
	}
	return a, nil
}

// Close releases the state database.
func (a *App) Close() error { return a.tree.Close() }

// ---- app metadata (prefix 0x00) ----

var (
	keyChainID   = []byte{prefixApp, 0x01} // chain id string
	keyBlockTime = []byte{prefixApp, 0x02} // last block time, unix nanoseconds, 8 bytes big-endian
)

func chainIDOf(kv store.KV) string { return string(kv.Get(keyChainID)) }

func blockTimeOf(kv store.KV) time.Time {
	b := kv.Get(keyBlockTime)
	if len(b) != 8 {
		return time.Unix(0, 0).UTC()
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(b))).UTC()
}

// resetCheckState points the mempool's view at the last committed state.
func (a *App) resetCheckState() error {
	var base store.KV = a.tree
	if v := a.tree.Version(); v > 0 {
		snap, err := a.tree.Snapshot(v)
		if err != nil {
			return err
		}
		base = snap
	}
	a.committed = base
	a.committedSeq = make(map[tx.Address]*uint64)
	a.check = store.NewCache(base)
	a.checkCtx = module.NewContext(a.check, chainIDOf(base), a.tree.Version()+1, blockTimeOf(base))
	return nil
}

// ---- Info / InitChain ----

// Info reports the last committed height and app hash, so CometBFT replays
// any blocks the app is missing after a crash.
func (a *App) Info(_ context.Context, _ *abci.RequestInfo) (*abci.ResponseInfo, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	res := &abci.ResponseInfo{Data: "citychain", Version: "0.1.0", AppVersion: AppVersion}
	if v := a.tree.Version(); v > 0 {
		res.LastBlockHeight = v
		res.LastBlockAppHash = a.tree.Hash()
	}
	return res, nil
}

// InitChain loads the genesis app state into the modules, in module order.
func (a *App) InitChain(_ context.Context, req *abci.RequestInitChain) (*abci.ResponseInitChain, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if req.InitialHeight > 1 {
		return nil, fmt.Errorf("initial height %d: only 1 is supported", req.InitialHeight)
	}
	blk := store.NewCache(a.tree)
	if err := a.loadGenesis(blk, req); err != nil {
		return nil, err
	}
	blk.Write()
	if err := a.resetCheckState(); err != nil {
		return nil, err
	}
	a.logger.Info("genesis loaded", "chain_id", req.ChainId, "app_hash", fmt.Sprintf("%X", a.tree.WorkingHash()))
	return &abci.ResponseInitChain{AppHash: a.tree.WorkingHash()}, nil
}

// loadGenesis writes req's genesis into kv: the chain id, the block time,
// each module's section in module order (a module without one is skipped),
// then the genesis validators, which are the genesis file's (CometBFT passes
// them here; InitChain's response leaves them as they are).
func (a *App) loadGenesis(kv store.KV, req *abci.RequestInitChain) error {
	sections, err := decodeGenesis(req.AppStateBytes, a.modules)
	if err != nil {
		return err
	}
	kv.Set(keyChainID, []byte(req.ChainId))
	kv.Set(keyBlockTime, binary.BigEndian.AppendUint64(nil, uint64(req.Time.UnixNano())))
	ctx := module.NewContext(kv, req.ChainId, 0, req.Time)
	for _, m := range a.modules {
		raw, ok := sections[m.Name()]
		if !ok {
			continue
		}
		if err := m.InitGenesis(ctx, raw); err != nil {
			return fmt.Errorf("genesis of module %s: %w", m.Name(), err)
		}
	}
	if err := a.keepers.validators.InitValidators(ctx, req.Validators); err != nil {
		return fmt.Errorf("genesis of module validators: %w", err)
	}
	return nil
}

// ---- CheckTx ----

// CheckTx admits a transaction to the mempool when it decodes, its signature
// verifies, its chain id is this chain's, its signer has fewer than
// MaxPendingPerAccount transactions in the mempool, it carries at most the
// metering parameter max_readings_per_tx signed readings, its sequence is
// exactly the signer's next one (counting transactions already in the
// mempool), and its messages execute against the mempool's view of the
// state (so a readings batch with nothing new in it is refused here).
func (a *App) CheckTx(_ context.Context, req *abci.RequestCheckTx) (*abci.ResponseCheckTx, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	t, err := a.decodeVerified(req.Tx)
	if err != nil {
		cs, code, log := module.Codes(err)
		return &abci.ResponseCheckTx{Codespace: cs, Code: code, Log: log}, nil
	}
	if err := a.checkPending(t.Signer()); err != nil {
		cs, code, log := module.Codes(err)
		return &abci.ResponseCheckTx{Codespace: cs, Code: code, Log: log}, nil
	}
	if n, limit := tx.ReadingsIn(t.Msgs), a.keepers.metering.Params(a.checkCtx).MaxReadingsPerTx; uint64(n) > limit {
		cs, code, log := module.Codes(metering.ErrTooManyReadings.Wrapf("%d signed readings, limit %d (max_readings_per_tx)", n, limit))
		return &abci.ResponseCheckTx{Codespace: cs, Code: code, Log: log}, nil
	}
	// A transaction rejected by CheckTx never reaches a block, so it must not
	// consume its sequence in the mempool's view either: its writes, the
	// sequence included, are kept only when it passes.
	txc := store.NewCache(a.check)
	res := a.execute(a.checkCtx.WithStore(txc), t)
	if res.Code == abci.CodeTypeOK {
		txc.Write()
	}
	return &abci.ResponseCheckTx{Codespace: res.Codespace, Code: res.Code, Log: res.Log, GasWanted: 1}, nil
}

// checkPending rejects a transaction of a signer who already has
// MaxPendingPerAccount transactions in the mempool. Every transaction the
// mempool view admitted consumed one sequence number of its signer, so the
// signer's pending count is its sequence in the view minus its committed
// sequence. The view is reset at Commit and rebuilt by the recheck of what
// is left, so included and evicted transactions stop counting.
func (a *App) checkPending(signer tx.Address) error {
	view := a.keepers.auth.Account(a.checkCtx, signer)
	if view == nil {
		return nil // Ante rejects it
	}
	seq, ok := a.committedSeq[signer]
	if !ok {
		if c := a.keepers.auth.Account(a.checkCtx.WithStore(a.committed), signer); c != nil {
			seq = &c.Sequence
		}
		a.committedSeq[signer] = seq
	}
	pending := view.Sequence
	if seq != nil {
		// The view is built on the committed state, so it is never behind.
		if d, ok := tx.SubUint64(view.Sequence, *seq); ok {
			pending = d
		} else {
			pending = 0
		}
	}
	if limit := uint64(a.cfg.MaxPendingPerAccount); pending >= limit {
		return ErrTooManyPending.Wrapf("account %s has %d transactions pending in the mempool (limit %d); wait for a block", signer, pending, limit)
	}
	return nil
}

// proposable reports whether a proposal may carry raw, returning it
// decoded: it decodes, its signature verifies and its signer has an account
// in the last committed state, or the transaction opens its signer's
// account (tx.OpensAccount: one voting/cast at sequence 0, whose module
// checks its credential). Any other unregistered key cannot get a
// transaction into a block, even through a byzantine proposer. known remembers, for one
// proposal, the signers already looked up (a lookup decodes the account; a
// block often carries many transactions of one signer); it is only read by
// key.
func (a *App) proposable(raw []byte, known map[tx.Address]bool) (*tx.Tx, error) {
	t, err := a.decodeVerified(raw)
	if err != nil {
		return nil, err
	}
	signer := t.Signer()
	exists, ok := known[signer]
	if !ok {
		exists = a.keepers.auth.Account(a.checkCtx.WithStore(a.committed), signer) != nil
		known[signer] = exists
	}
	if !exists && !tx.OpensAccount(t) {
		return nil, fmt.Errorf("signer %s has no account in the last committed state", signer)
	}
	return t, nil
}

// readingLimits are the metering module's bounds on the signed readings of
// a transaction and of a block, from the last committed state, so every
// validator judges a proposal by the same ones.
func (a *App) readingLimits() (perTx, perBlock uint64) {
	p := a.keepers.metering.Params(a.checkCtx.WithStore(a.committed))
	return p.MaxReadingsPerTx, p.MaxReadingsPerBlock
}

// decodeVerified decodes raw and verifies its signature, using the cache of
// transactions CheckTx already verified.
func (a *App) decodeVerified(raw []byte) (*tx.Tx, error) {
	h := tx.Hash(raw)
	if t, ok := a.verified[h]; ok {
		return t, nil
	}
	t, err := tx.Decode(raw)
	if err != nil {
		return nil, txError(err)
	}
	if err := t.Verify(); err != nil {
		return nil, txError(err)
	}
	if len(a.verified) >= a.cfg.VerifyCacheSize {
		clear(a.verified)
	}
	a.verified[h] = t
	return t, nil
}

// execute runs one decoded transaction on ctx's store: the envelope checks
// and sequence (kept even when a message fails, so a failed transaction
// cannot be replayed), then every message, all or nothing.
func (a *App) execute(ctx *module.Context, t *tx.Tx) *abci.ExecTxResult {
	if t.Body.ChainID != ctx.ChainID {
		cs, code, log := module.Codes(ErrWrongChainID.Wrapf("transaction is for %q, this chain is %q", t.Body.ChainID, ctx.ChainID))
		return &abci.ExecTxResult{Codespace: cs, Code: code, Log: log}
	}
	ante := store.NewCache(ctx.KV())
	actx := ctx.WithStore(ante)
	if err := a.keepers.auth.Ante(actx, t); err != nil {
		cs, code, log := module.Codes(err)
		return &abci.ExecTxResult{Codespace: cs, Code: code, Log: log}
	}
	ante.Write()

	signer := t.Signer()
	msgs := store.NewCache(ctx.KV())
	mctx := ctx.WithStore(msgs)
	for i, m := range t.Msgs {
		mod, ok := a.byName[tx.Module(m.Type())]
		if !ok {
			cs, code, log := module.Codes(ErrNoRoute.Wrapf("message %d: no module handles %q", i, m.Type()))
			return &abci.ExecTxResult{Codespace: cs, Code: code, Log: log}
		}
		mctx.Emit("message", "action", m.Type(), "sender", signer.String(), "index", module.U64(uint64(i)))
		if err := a.deliver(mctx, mod, signer, m); err != nil {
			cs, code, log := module.Codes(err)
			return &abci.ExecTxResult{Codespace: cs, Code: code, Log: fmt.Sprintf("message %d (%s): %s", i, m.Type(), log)}
		}
	}
	msgs.Write()
	return &abci.ExecTxResult{Code: abci.CodeTypeOK, Events: mctx.Events(), GasWanted: 1, GasUsed: 1}
}

// deliver runs one message, routed to mod, through auth's gate (no single
// key rules the city): an authority action an authority sends under a
// threshold k > 1 is recorded as an approval of its proposal and runs only
// with the k-th approval (its own or an auth/approve naming it), in that
// transaction, signed by the k-th approver. Everything else reaches its
// module as it is.
func (a *App) deliver(ctx *module.Context, mod module.Module, signer tx.Address, m tx.Msg) error {
	run, err := a.keepers.auth.Gate(ctx, signer, m)
	if err != nil || run == nil {
		return err
	}
	if run != m {
		var ok bool
		if mod, ok = a.byName[tx.Module(run.Type())]; !ok {
			return ErrNoRoute.Wrapf("approved proposal: no module handles %q", run.Type())
		}
	}
	return mod.Handle(ctx, signer, run)
}

// ---- proposals ----

// PrepareProposal keeps the mempool's transactions, in order, up to the block
// byte limit, dropping any that no longer decode or verify and any whose
// signer has no committed account (one created by an earlier transaction
// still in the mempool waits for the next block). It keeps the block's
// signature verification work under budget: a transaction carrying signed
// readings is left out when it has more than max_readings_per_tx or would
// take the block past max_readings_per_block, and so is every later
// transaction of its signer (their sequences follow it), while other
// signers' transactions still fill the block. What is left out waits in
// the mempool for the next block.
func (a *App) PrepareProposal(_ context.Context, req *abci.RequestPrepareProposal) (*abci.ResponsePrepareProposal, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var size int64
	var readings uint64
	perTx, perBlock := a.readingLimits()
	out := make([][]byte, 0, len(req.Txs))
	known := map[tx.Address]bool{}
	deferred := map[tx.Address]bool{} // signers with a transaction left out for the budget; looked up only
	for _, raw := range req.Txs {
		if size+int64(len(raw)) > req.MaxTxBytes {
			break
		}
		t, err := a.proposable(raw, known)
		if err != nil {
			continue
		}
		signer := t.Signer()
		if deferred[signer] {
			continue
		}
		if n := uint64(tx.ReadingsIn(t.Msgs)); n > 0 {
			if n > perTx || readings+n > perBlock {
				deferred[signer] = true
				continue
			}
			readings += n
		}
		size += int64(len(raw))
		out = append(out, raw)
	}
	return &abci.ResponsePrepareProposal{Txs: out}, nil
}

// ProcessProposal rejects a proposed block carrying a transaction that does
// not decode, whose signature does not verify, whose signer has no
// committed account or that carries more than max_readings_per_tx signed
// readings, and a block carrying more than max_readings_per_block (both
// from the last committed state): PrepareProposal never includes one, so an
// honest proposer is never rejected.
func (a *App) ProcessProposal(_ context.Context, req *abci.RequestProcessProposal) (*abci.ResponseProcessProposal, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	reject := func(err error) (*abci.ResponseProcessProposal, error) {
		a.logger.Warn("rejecting proposal", "height", req.Height, "err", err)
		return &abci.ResponseProcessProposal{Status: abci.ResponseProcessProposal_REJECT}, nil
	}
	var readings uint64
	perTx, perBlock := a.readingLimits()
	known := map[tx.Address]bool{}
	for i, raw := range req.Txs {
		t, err := a.proposable(raw, known)
		if err != nil {
			return reject(err)
		}
		n := uint64(tx.ReadingsIn(t.Msgs))
		if n > perTx {
			return reject(fmt.Errorf("transaction %d carries %d signed readings, limit %d (max_readings_per_tx)", i, n, perTx))
		}
		if readings += n; readings > perBlock {
			return reject(fmt.Errorf("the block carries more than %d signed readings (max_readings_per_block) by transaction %d", perBlock, i))
		}
	}
	return &abci.ResponseProcessProposal{Status: abci.ResponseProcessProposal_ACCEPT}, nil
}

// ---- FinalizeBlock / Commit ----

// FinalizeBlock executes the block's transactions in order, runs the modules'
// end-of-block work, stages every write into the tree and returns the new
// app hash. The writes are persisted by Commit.
func (a *App) FinalizeBlock(_ context.Context, req *abci.RequestFinalizeBlock) (*abci.ResponseFinalizeBlock, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	blk := store.NewCache(a.tree)
	chainID := chainIDOf(a.tree)
	ctx := module.NewContext(blk, chainID, req.Height, req.Time)
	blk.Set(keyBlockTime, binary.BigEndian.AppendUint64(nil, uint64(req.Time.UnixNano())))
	valsBefore := a.keepers.validators.Set(ctx)

	results := make([]*abci.ExecTxResult, len(req.Txs))
	for i, raw := range req.Txs {
		t, err := a.decodeVerified(raw)
		if err != nil {
			cs, code, log := module.Codes(err)
			results[i] = &abci.ExecTxResult{Codespace: cs, Code: code, Log: log}
			continue
		}
		results[i] = a.execute(ctx.WithStore(blk), t)
		delete(a.verified, tx.Hash(raw))
	}

	var events []abci.Event
	for _, m := range a.modules {
		eb, ok := m.(module.EndBlocker)
		if !ok {
			continue
		}
		c := store.NewCache(blk)
		ectx := ctx.WithStore(c)
		if err := eb.EndBlock(ectx); err != nil {
			// End-of-block work that fails leaves no writes; the block goes on.
			a.logger.Error("end block failed", "module", m.Name(), "height", req.Height, "err", err)
			continue
		}
		c.Write()
		events = append(events, ectx.Events()...)
	}

	updates := validators.Updates(valsBefore, a.keepers.validators.Set(ctx))
	blk.Write()
	return &abci.ResponseFinalizeBlock{TxResults: results, Events: events, ValidatorUpdates: updates, AppHash: a.tree.WorkingHash()}, nil
}

// Commit persists the state staged by FinalizeBlock as a new tree version and
// resets the mempool's view to it.
func (a *App) Commit(_ context.Context, _ *abci.RequestCommit) (*abci.ResponseCommit, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	hash, version, err := a.tree.Commit()
	if err != nil {
		return nil, err
	}
	if err := a.resetCheckState(); err != nil {
		return nil, err
	}
	a.logger.Debug("committed", "height", version, "app_hash", fmt.Sprintf("%X", hash))
	return &abci.ResponseCommit{}, nil
}

// txError maps envelope decoding errors to the "tx" codespace.
func txError(err error) error {
	var inv *tx.InvalidMsgError
	switch {
	case errors.Is(err, tx.ErrTooLarge):
		return ErrTxTooLarge.Wrapf("%v", err)
	case errors.Is(err, tx.ErrUnknownMsg):
		return ErrUnknownMsg.Wrapf("%v", err)
	case errors.As(err, &inv):
		return ErrInvalidMsg.Wrapf("%v", err)
	case errors.Is(err, tx.ErrBadSignature):
		return ErrBadSignature.Wrapf("%v", err)
	}
	return ErrMalformed.Wrapf("%v", err)
}
