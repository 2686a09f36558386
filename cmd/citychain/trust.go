package main

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/citychain/citychain/chain/client"
)

// The trust root may come from the environment instead of flags.
const (
	envTrustGenesis   = "CITYCHAIN_TRUST_GENESIS"
	envTrustHeight    = "CITYCHAIN_TRUST_HEIGHT"
	envTrustHash      = "CITYCHAIN_TRUST_HASH"
	envTrustingPeriod = "CITYCHAIN_TRUSTING_PERIOD"
	envWitnesses      = "CITYCHAIN_WITNESSES"
	envTrustStore     = "CITYCHAIN_TRUST_STORE"
)

// trustFlags are the global flags naming the trust root proofs are
// verified from (--prove, reading-proof, audit, the API's ?prove=true).
type trustFlags struct {
	genesis   string
	height    int64
	hash      string
	period    time.Duration
	witnesses []string
	store     string
	cmd       *cobra.Command // the root, to see which flags were given
}

func (f *trustFlags) register(root *cobra.Command) {
	f.cmd = root
	p := root.PersistentFlags()
	p.StringVar(&f.genesis, "trust-genesis", "", "verify proofs from this genesis file (the chain's genesis.json you hold, e.g. HOME/config/genesis.json of your node) [$"+envTrustGenesis+"]")
	p.Int64Var(&f.height, "trust-height", 0, "verify proofs from the header at this height (with --trust-hash) [$"+envTrustHeight+"]")
	p.StringVar(&f.hash, "trust-hash", "", "the hash (64 hex characters) of the --trust-height header, from a source you trust [$"+envTrustHash+"]")
	p.DurationVar(&f.period, "trusting-period", client.DefaultTrustingPeriod, "how long a verified header stays a base for verifying later ones; the trust root must be younger [$"+envTrustingPeriod+"]")
	p.StringSliceVar(&f.witnesses, "witness", nil, "RPC URL of another node the light client cross-checks headers with (repeatable) [$"+envWitnesses+", comma-separated]")
	p.StringVar(&f.store, "trust-store", "", "keep verified headers in this directory, so later runs with the same trust root go on from the latest one (default: memory) [$"+envTrustStore+"]")
}

// changed reports whether the flag was given on the command line.
func (f *trustFlags) changed(name string) bool {
	fl := f.cmd.PersistentFlags().Lookup(name)
	return fl != nil && fl.Changed
}

// errNoTrust is --prove (or another proven read) without a trust root.
var errNoTrust = fmt.Errorf("%w; give --trust-genesis FILE (the chain's genesis.json you hold, e.g. HOME/config/genesis.json of a node you run; or $%s) or --trust-height H --trust-hash HASH (a header you trust; or $%s and $%s)",
	client.ErrNoTrustRoot, envTrustGenesis, envTrustHeight, envTrustHash)

// config is the trust configuration of the flags and environment; nil
// when no trust root is given.
func (f *trustFlags) config() (*client.TrustConfig, error) {
	if !f.changed("trust-genesis") && !f.changed("trust-height") && !f.changed("trust-hash") {
		// A trust root on the command line replaces the environment's.
		f.genesis, f.hash = os.Getenv(envTrustGenesis), os.Getenv(envTrustHash)
		if v := os.Getenv(envTrustHeight); v != "" {
			h, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("$%s %q: want a block height", envTrustHeight, v)
			}
			f.height = h
		}
	}
	if v := os.Getenv(envTrustingPeriod); v != "" && !f.changed("trusting-period") {
		d, err := time.ParseDuration(v)
		if err != nil {
			return nil, fmt.Errorf("$%s %q: want a duration such as 336h", envTrustingPeriod, v)
		}
		f.period = d
	}
	if v := os.Getenv(envWitnesses); v != "" && !f.changed("witness") {
		f.witnesses = strings.Split(v, ",")
	}
	if !f.changed("trust-store") {
		fromEnv(&f.store, envTrustStore)
	}
	if f.genesis == "" && f.height == 0 && f.hash == "" {
		return nil, nil
	}
	if f.period <= 0 {
		return nil, fmt.Errorf("--trusting-period %s: want a positive duration", f.period)
	}
	cfg := client.TrustConfig{TrustingPeriod: f.period, Witnesses: f.witnesses, StoreDir: f.store}
	switch {
	case f.genesis != "" && (f.height != 0 || f.hash != ""):
		return nil, errors.New("--trust-genesis and --trust-height/--trust-hash: give one trust root, not both")
	case f.genesis != "":
		g, err := client.TrustGenesisFile(f.genesis)
		if err != nil {
			return nil, fmt.Errorf("--trust-genesis %s: %w", f.genesis, err)
		}
		cfg.Genesis = g.Genesis
	default:
		if f.height <= 0 {
			return nil, fmt.Errorf("--trust-height %d: want the height (>= 1) of the header whose --trust-hash you trust", f.height)
		}
		h, err := hex.DecodeString(f.hash)
		if err != nil || len(h) != 32 {
			return nil, fmt.Errorf("--trust-hash %q: want the 64 hex characters of block %d's hash", f.hash, f.height)
		}
		cfg.Height, cfg.Hash = f.height, h
	}
	return &cfg, nil
}

// provingClient is a client of --node that verifies proofs from the trust
// root of the flags (or environment); without one it fails, saying how to
// give one. Close it (it may hold the --trust-store).
func (g *globals) provingClient() (*client.Client, error) {
	cfg, err := g.trust.config()
	if err != nil {
		return nil, err
	}
	if cfg == nil {
		return nil, errNoTrust
	}
	c, err := client.New(g.node)
	if err != nil {
		return nil, err
	}
	if err := c.SetTrust(*cfg); err != nil {
		return nil, err
	}
	return c, nil
}

// proofJSON is what the JSON output says a proof was verified against.
func proofJSON(ver *client.Verification) map[string]any {
	return map[string]any{
		"verified": true, "header_height": ver.HeaderHeight, "header_hash": fmt.Sprintf("%X", ver.HeaderHash),
		"app_hash": fmt.Sprintf("%X", ver.AppHash), "signed_power": ver.SignedPower, "total_power": ver.TotalPower,
		"trust_root": trustRootJSON(ver.Trusted),
	}
}

func trustRootJSON(r client.TrustRoot) map[string]any {
	m := map[string]any{"kind": r.Kind, "chain_id": r.ChainID, "height": r.Height, "hash": fmt.Sprintf("%X", r.Hash)}
	if r.ValidatorsHash != nil {
		m["validators_hash"] = fmt.Sprintf("%X", r.ValidatorsHash)
	}
	return m
}

// trustLine is the text output's last line about a verified proof: what
// the header was verified from.
func trustLine(ver *client.Verification) string {
	return fmt.Sprintf("header %d (hash %X) verified by the light client from the trust root: %s\n", ver.HeaderHeight, ver.HeaderHash, ver.Trusted)
}
