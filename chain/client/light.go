package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	dbm "github.com/cometbft/cometbft-db"
	"github.com/cometbft/cometbft/libs/log"
	"github.com/cometbft/cometbft/light"
	"github.com/cometbft/cometbft/light/provider"
	lighthttp "github.com/cometbft/cometbft/light/provider/http"
	lightstore "github.com/cometbft/cometbft/light/store"
	"github.com/cometbft/cometbft/light/store/db"
	"github.com/cometbft/cometbft/types"
)

// DefaultTrustingPeriod is how long a verified header stays a base for
// verifying later ones when TrustConfig does not say: two weeks. A header
// older than that is no longer trusted, because validators that have left
// the set since could sign a different history without anyone being able
// to hold them to account.
const DefaultTrustingPeriod = 14 * 24 * time.Hour

var (
	// ErrNoTrustRoot reports a proof asked to be verified by a client that
	// holds no trust root (SetTrust was not called).
	ErrNoTrustRoot = errors.New("no trust root: a proof is verified from a genesis file or a trusted header (height and hash) you hold, not from what the node says")
	// ErrUntrusted reports a node whose headers do not follow from the
	// trust root: another chain, or a forged history.
	ErrUntrusted = errors.New("NOT ON THE TRUSTED CHAIN")
	// ErrTrustExpired reports a trust root (or the latest header verified
	// from it) older than the trusting period.
	ErrTrustExpired = errors.New("trust root expired")
)

// TrustConfig is the trust root proofs are verified from, and how the
// light client follows the chain from it. Set either Genesis, or Height and
// Hash.
type TrustConfig struct {
	// Genesis is the chain's genesis document as the user holds it: its
	// validators must have signed the chain's first block (at the genesis'
	// initial height), whose header becomes the first trusted header.
	Genesis *types.GenesisDoc
	// Height and Hash are a header the user trusts (from a node they run,
	// a validator, a published checkpoint, or the header a previous
	// verification printed).
	Height int64
	Hash   []byte
	// TrustingPeriod is how long a verified header stays a base for
	// verifying later ones [DefaultTrustingPeriod]. The trust root itself
	// must be younger than this.
	TrustingPeriod time.Duration
	// Witnesses are RPC addresses of other nodes; every header the light
	// client verifies is compared with theirs, and a conflict fails the
	// verification. Without witnesses the queried node is its own witness
	// (no cross-check: forged headers are still refused, because they do
	// not follow from the trust root, but a fork signed by a third of the
	// trusted validators is not noticed).
	Witnesses []string
	// StoreDir keeps the verified headers in a database in this directory,
	// so that trust carries over restarts: a later client with the same
	// trust root goes on from the latest header verified (which must be
	// within the trusting period) without going back to the root. Empty
	// keeps them in memory. One process at a time may use a directory;
	// Close releases it.
	StoreDir string
}

// TrustRoot says what a verification started from.
type TrustRoot struct {
	// Kind is "genesis" or "header".
	Kind    string
	ChainID string
	// Height and Hash are the first trusted header: the chain's first
	// block for a genesis, the given header otherwise.
	Height int64
	Hash   []byte
	// ValidatorsHash is the hash of the genesis validator set (kind
	// genesis), which signed that first block.
	ValidatorsHash []byte
}

func (r TrustRoot) String() string {
	if r.Kind == "genesis" {
		return fmt.Sprintf("genesis of chain %s (validators hash %X, block %d hash %X)", r.ChainID, r.ValidatorsHash, r.Height, r.Hash)
	}
	return fmt.Sprintf("header %d of chain %s (hash %X)", r.Height, r.ChainID, r.Hash)
}

// TrustGenesisFile is a TrustConfig trusting the genesis file at path.
func TrustGenesisFile(path string) (TrustConfig, error) {
	g, err := types.GenesisDocFromFile(path)
	if err != nil {
		return TrustConfig{}, fmt.Errorf("trusted genesis: %w", err)
	}
	return TrustConfig{Genesis: g}, nil
}

// SetTrust makes the client verify proofs with CometBFT's light client
// from the trust root cfg gives. It checks cfg without asking the node;
// the root is checked against the node on the first Verify.
func (c *Client) SetTrust(cfg TrustConfig) error {
	switch {
	case cfg.Genesis != nil && (cfg.Height != 0 || cfg.Hash != nil):
		return errors.New("trust root: give a genesis or a trusted header (height and hash), not both")
	case cfg.Genesis != nil:
		if err := cfg.Genesis.ValidateAndComplete(); err != nil {
			return fmt.Errorf("trusted genesis: %w", err)
		}
		if len(cfg.Genesis.Validators) == 0 {
			return fmt.Errorf("trusted genesis of chain %s lists no validators (the application chose them); trust a header (height and hash) instead", cfg.Genesis.ChainID)
		}
	case cfg.Height <= 0 && cfg.Hash == nil:
		return ErrNoTrustRoot
	case cfg.Height <= 0:
		return fmt.Errorf("trusted header height %d: want a block height >= 1 with its hash", cfg.Height)
	case len(cfg.Hash) != 32:
		return fmt.Errorf("trusted header hash %X: want the 32-byte (64 hex characters) hash of block %d", cfg.Hash, cfg.Height)
	}
	if cfg.TrustingPeriod < 0 {
		return fmt.Errorf("trusting period %s: want a positive duration", cfg.TrustingPeriod)
	}
	if cfg.TrustingPeriod == 0 {
		cfg.TrustingPeriod = DefaultTrustingPeriod
	}
	cfg.Witnesses = append([]string(nil), cfg.Witnesses...)
	for i, w := range cfg.Witnesses {
		cfg.Witnesses[i] = rpcURL(w)
	}
	var kv dbm.DB = dbm.NewMemDB()
	if cfg.StoreDir != "" {
		var err error
		if kv, err = dbm.NewDB("light", dbm.GoLevelDBBackend, cfg.StoreDir); err != nil {
			return fmt.Errorf("trust store %s: %w", cfg.StoreDir, err)
		}
	}
	c.lightMu.Lock()
	old := c.light
	c.light = &lightVerifier{cfg: cfg, db: kv, store: db.New(kv, "light")}
	c.lightMu.Unlock()
	if old != nil {
		_ = old.close()
	}
	return nil
}

// Close releases the trust store (TrustConfig.StoreDir); proofs are no
// longer verified after it.
func (c *Client) Close() error {
	c.lightMu.Lock()
	v := c.light
	c.light = nil
	c.lightMu.Unlock()
	if v == nil {
		return nil
	}
	return v.close()
}

// RefreshTrust has the light client verify the node's latest header, so
// that the latest trusted header stays within the trusting period while
// no proof is asked for (the API does this periodically).
func (c *Client) RefreshTrust(ctx context.Context) error {
	v := c.verifier()
	if v == nil {
		return ErrNoTrustRoot
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	lc, err := v.client(ctx, c)
	if err != nil {
		return err
	}
	if _, err := lc.Update(ctx, time.Now()); err != nil {
		return v.failed(ctx, c, err, "the latest header")
	}
	return nil
}

// Trusted is the trust root of the client: nil before SetTrust, and a root
// with only Kind set until the first Verify has checked it against the
// chain.
func (c *Client) Trusted() *TrustRoot {
	v := c.verifier()
	if v == nil {
		return nil
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.root != nil {
		r := *v.root
		return &r
	}
	if v.cfg.Genesis != nil {
		return &TrustRoot{Kind: "genesis", ChainID: v.cfg.Genesis.ChainID}
	}
	return &TrustRoot{Kind: "header", Height: v.cfg.Height, Hash: v.cfg.Hash}
}

func (c *Client) verifier() *lightVerifier {
	c.lightMu.Lock()
	defer c.lightMu.Unlock()
	return c.light
}

// lightVerifier verifies headers with a CometBFT light client from one
// trust root. Trusted headers are kept in an in-memory store that outlives
// any one light client: after a failed verification (which may have
// dropped the node as primary), the next starts a new light client from
// the headers already trusted.
type lightVerifier struct {
	cfg   TrustConfig
	db    dbm.DB // under store, and the trust root it was filled from
	store lightstore.Store

	mu   sync.Mutex // guards the rest, and serialises light client calls
	root *TrustRoot
	lc   *light.Client
}

// close closes the store once no verification is using it.
func (v *lightVerifier) close() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.lc = nil
	return v.db.Close()
}

// header verifies the header at height h of the node c talks to and
// returns it with its validator set.
func (v *lightVerifier) header(ctx context.Context, c *Client, h int64) (*types.LightBlock, TrustRoot, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	lc, err := v.client(ctx, c)
	if err != nil {
		return nil, TrustRoot{}, err
	}
	root := *v.root
	lb, err := lc.VerifyLightBlockAtHeight(ctx, h, time.Now())
	if err != nil {
		return nil, root, v.failed(ctx, c, err, fmt.Sprintf("header %d", h))
	}
	return lb, root, nil
}

// failed is the error of a failed verification of what; the light client
// is dropped (it may have dropped the node as its primary), and the next
// verification starts a new one from the headers trusted so far. v.mu is
// held.
func (v *lightVerifier) failed(ctx context.Context, c *Client, err error, what string) error {
	v.lc = nil
	root := *v.root
	var exp light.ErrOldHeaderExpired
	switch {
	case errors.As(err, &exp):
		return fmt.Errorf("%w: the latest header verified from %s expired at %s (trusting period %s): give a more recent trusted header (height and hash)",
			ErrTrustExpired, root, exp.At.UTC().Format(time.RFC3339), v.cfg.TrustingPeriod)
	case ctx.Err() != nil:
		return fmt.Errorf("verify %s: %w", what, err)
	}
	return fmt.Errorf("%w: %s of %s does not follow from the trust root %s: %w", ErrUntrusted, what, c.remote(), root, err)
}

// client is the light client, made (and the trust root checked against
// the node) on first use. v.mu is held.
func (v *lightVerifier) client(ctx context.Context, c *Client) (*light.Client, error) {
	if v.lc != nil {
		return v.lc, nil
	}
	chainID, err := c.ChainID(ctx)
	if err != nil {
		return nil, err
	}
	if g := v.cfg.Genesis; g != nil && g.ChainID != chainID {
		return nil, fmt.Errorf("%w: node %s is on chain %q, the trusted genesis is chain %q", ErrUntrusted, c.remote(), chainID, g.ChainID)
	}
	primary := lighthttp.NewWithClient(chainID, c.rpc)
	witnesses := make([]provider.Provider, 0, len(v.cfg.Witnesses)+1)
	for _, w := range v.cfg.Witnesses {
		p, err := lighthttp.New(chainID, w)
		if err != nil {
			return nil, fmt.Errorf("witness %s: %w", w, err)
		}
		witnesses = append(witnesses, p)
	}
	if len(witnesses) == 0 {
		// The light client needs a witness; the node stands in for one.
		witnesses = append(witnesses, lighthttp.NewWithClient(chainID, c.rpc))
	}
	opts := []light.Option{light.Logger(log.NewNopLogger()), light.MaxRetryAttempts(2)}
	if v.root == nil {
		if err := v.resume(chainID); err != nil {
			return nil, err
		}
	}
	if v.root != nil {
		// The root was checked before: go on from the headers trusted so far.
		lc, err := light.NewClientFromTrustedStore(chainID, v.cfg.TrustingPeriod, primary, witnesses, v.store, opts...)
		if err != nil {
			return nil, fmt.Errorf("light client: %w", err)
		}
		v.lc = lc
		return lc, nil
	}
	root, err := v.checkRoot(ctx, c, chainID, primary)
	if err != nil {
		return nil, err
	}
	lc, err := light.NewClient(ctx, chainID, light.TrustOptions{Period: v.cfg.TrustingPeriod, Height: root.Height, Hash: root.Hash},
		primary, witnesses, v.store, opts...)
	if err != nil {
		if ctx.Err() == nil {
			err = fmt.Errorf("%w: start from %s at node %s: %w", ErrUntrusted, root, c.remote(), err)
		}
		return nil, err
	}
	b, err := json.Marshal(root)
	if err == nil {
		err = v.db.SetSync(keyTrustRoot, b)
	}
	if err != nil {
		return nil, fmt.Errorf("trust store: %w", err)
	}
	v.root, v.lc = &root, lc
	return lc, nil
}

// keyTrustRoot holds, beside the trusted headers, the trust root they were
// verified from (JSON TrustRoot).
var keyTrustRoot = []byte("citychain/trust-root")

// resume takes up the headers in the store when they were verified from
// the configured trust root; otherwise it empties the store. v.mu is held.
func (v *lightVerifier) resume(chainID string) error {
	b, err := v.db.Get(keyTrustRoot)
	if err != nil {
		return fmt.Errorf("trust store: %w", err)
	}
	var r TrustRoot
	last, _ := v.store.LastLightBlockHeight()
	if b != nil && json.Unmarshal(b, &r) == nil && last > 0 && v.sameRoot(r, chainID) {
		v.root = &r
		return nil
	}
	if err := v.store.Prune(0); err != nil {
		return fmt.Errorf("trust store: %w", err)
	}
	return nil
}

// sameRoot reports whether r, read from the store, is the configured
// trust root.
func (v *lightVerifier) sameRoot(r TrustRoot, chainID string) bool {
	if g := v.cfg.Genesis; g != nil {
		return r.Kind == "genesis" && r.ChainID == g.ChainID && r.Height == g.InitialHeight && bytes.Equal(r.ValidatorsHash, g.ValidatorHash())
	}
	return r.Kind == "header" && r.ChainID == chainID && r.Height == v.cfg.Height && bytes.Equal(r.Hash, v.cfg.Hash)
}

// checkRoot turns the configured trust root into a trusted header. For a
// genesis, the node's block at the initial height must be that genesis'
// first block: its header names the genesis validators and the genesis
// time, and more than two thirds of the genesis validators' power signed
// it. The trusted header must be younger than the trusting period.
func (v *lightVerifier) checkRoot(ctx context.Context, c *Client, chainID string, primary provider.Provider) (TrustRoot, error) {
	now := time.Now()
	g := v.cfg.Genesis
	if g == nil {
		root := TrustRoot{Kind: "header", ChainID: chainID, Height: v.cfg.Height, Hash: v.cfg.Hash}
		lb, err := primary.LightBlock(ctx, root.Height)
		if err != nil {
			return root, fmt.Errorf("trusted header %d from node %s: %w", root.Height, c.remote(), err)
		}
		if !bytes.Equal(lb.Hash(), root.Hash) {
			return root, fmt.Errorf("%w: node %s has block %d with hash %X; the trusted header's hash is %X", ErrUntrusted, c.remote(), root.Height, lb.Hash(), root.Hash)
		}
		if light.HeaderExpired(lb.SignedHeader, v.cfg.TrustingPeriod, now) {
			return root, expired(root, lb.Time, v.cfg.TrustingPeriod)
		}
		return root, nil
	}
	vals := make([]*types.Validator, len(g.Validators))
	for i, gv := range g.Validators {
		vals[i] = types.NewValidator(gv.PubKey, gv.Power)
	}
	set := types.NewValidatorSet(vals)
	root := TrustRoot{Kind: "genesis", ChainID: g.ChainID, Height: g.InitialHeight, ValidatorsHash: set.Hash()}
	lb, err := primary.LightBlock(ctx, root.Height)
	if err != nil {
		return root, fmt.Errorf("first block (%d) of chain %s from node %s: %w", root.Height, g.ChainID, c.remote(), err)
	}
	switch {
	case !bytes.Equal(lb.ValidatorsHash, root.ValidatorsHash):
		return root, fmt.Errorf("%w: node %s's block %d names validators hash %X; the trusted genesis' validators hash to %X",
			ErrUntrusted, c.remote(), root.Height, lb.ValidatorsHash, root.ValidatorsHash)
	case !lb.Time.Equal(g.GenesisTime):
		return root, fmt.Errorf("%w: node %s's block %d has time %s; the trusted genesis time is %s",
			ErrUntrusted, c.remote(), root.Height, lb.Time.UTC().Format(time.RFC3339Nano), g.GenesisTime.UTC().Format(time.RFC3339Nano))
	}
	if err := set.VerifyCommitLight(g.ChainID, lb.Commit.BlockID, lb.Height, lb.Commit); err != nil {
		return root, fmt.Errorf("%w: node %s's block %d is not signed by the trusted genesis' validators: %w", ErrUntrusted, c.remote(), root.Height, err)
	}
	root.Hash = lb.Hash()
	if light.HeaderExpired(lb.SignedHeader, v.cfg.TrustingPeriod, now) {
		return root, expired(root, lb.Time, v.cfg.TrustingPeriod)
	}
	return root, nil
}

func expired(root TrustRoot, at time.Time, period time.Duration) error {
	return fmt.Errorf("%w: %s is from %s, older than the trusting period %s: give a more recent trusted header (height and hash) or, knowingly, a longer trusting period",
		ErrTrustExpired, root, at.UTC().Format(time.RFC3339), period)
}

// rpcURL is addr as an http(s) URL: "host:port" and "tcp://host:port"
// become "http://host:port".
func rpcURL(addr string) string {
	if !strings.Contains(addr, "://") {
		addr = "http://" + addr
	}
	return strings.Replace(addr, "tcp://", "http://", 1)
}

// remote is the node's address, for messages.
func (c *Client) remote() string { return c.rpc.Remote() }
