// Package node runs a citychain validator: a CometBFT v0.38 node with the
// citychain application in the same process (proxy.NewLocalClientCreator),
// from a home directory laid out like CometBFT's (config/, data/), plus the
// devnet and testnet home generators.
package node

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cfg "github.com/cometbft/cometbft/config"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	nm "github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/proxy"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/spf13/viper"

	"github.com/citychain/citychain/chain/app"
)

// Options configures a running node. Empty address fields keep what the
// home's config.toml says.
type Options struct {
	Home string
	// RPCListen overrides rpc.laddr, e.g. "tcp://127.0.0.1:26657".
	RPCListen string
	// P2PListen overrides p2p.laddr.
	P2PListen string
	// CometLogLevel filters CometBFT's own log: "error" (default), "info",
	// "debug" or "none".
	CometLogLevel string
	// CometLog receives CometBFT's log; nil means standard error.
	CometLog io.Writer
	// Logger receives the application's log.
	Logger *slog.Logger
	App    app.Config
	// NewApp, when set, replaces the citychain application (benchmarks run
	// CometBFT's kvstore example through the same node this way); it gets
	// the node's data directory.
	NewApp func(dataDir string) (abci.Application, error)
}

// Node is a running validator.
type Node struct {
	cmt    *nm.Node
	app    abci.Application
	appDB  dbm.DB
	config *cfg.Config
}

// LoadConfig reads HOME/config/config.toml over CometBFT's defaults.
func LoadConfig(home string) (*cfg.Config, error) {
	c := cfg.DefaultConfig()
	path := filepath.Join(home, "config", "config.toml")
	v := viper.New()
	v.SetConfigFile(path)
	if err := v.ReadInConfig(); err != nil {
		return nil, fmt.Errorf("read %s: %w (run `citychain devnet` or `citychain testnet` to create a home)", path, err)
	}
	if err := v.Unmarshal(c); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	c.SetRoot(home)
	if err := c.ValidateBasic(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// Start opens the home and starts the node; it returns once the node runs.
func Start(opts Options) (*Node, error) {
	if opts.Home == "" {
		return nil, errors.New("node: no home directory")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	c, err := LoadConfig(opts.Home)
	if err != nil {
		return nil, err
	}
	if opts.RPCListen != "" {
		c.RPC.ListenAddress = opts.RPCListen
	}
	if opts.P2PListen != "" {
		c.P2P.ListenAddress = opts.P2PListen
	}
	logger, err := cometLogger(opts.CometLog, opts.CometLogLevel)
	if err != nil {
		return nil, err
	}

	var (
		application abci.Application
		appDB       dbm.DB
	)
	if opts.NewApp != nil {
		application, err = opts.NewApp(c.DBDir())
	} else {
		appDB, err = dbm.NewGoLevelDB("citystate", c.DBDir(), nil)
		if err != nil {
			return nil, fmt.Errorf("open app state in %s: %w", c.DBDir(), err)
		}
		application, err = app.New(appDB, opts.App, opts.Logger)
	}
	if err != nil {
		closeDB(appDB)
		return nil, err
	}

	pv := privval.LoadFilePV(c.PrivValidatorKeyFile(), c.PrivValidatorStateFile())
	nodeKey, err := p2p.LoadNodeKey(c.NodeKeyFile())
	if err != nil {
		closeDB(appDB)
		return nil, fmt.Errorf("load node key: %w", err)
	}
	n, err := nm.NewNode(c, pv, nodeKey, proxy.NewLocalClientCreator(application),
		nm.DefaultGenesisDocProviderFunc(c), shutdownSafeDBProvider,
		nm.DefaultMetricsProvider(c.Instrumentation), logger)
	if err != nil {
		closeDB(appDB)
		return nil, fmt.Errorf("create node: %w", err)
	}
	if err := n.Start(); err != nil {
		closeDB(appDB)
		return nil, fmt.Errorf("start node: %w", err)
	}
	opts.Logger.Info("node started", "home", opts.Home, "rpc", c.RPC.ListenAddress, "p2p", c.P2P.ListenAddress)
	return &Node{cmt: n, app: application, appDB: appDB, config: c}, nil
}

// RPCAddress is the node's RPC endpoint as an http:// URL.
func (n *Node) RPCAddress() string {
	return strings.Replace(n.config.RPC.ListenAddress, "tcp://", "http://", 1)
}

// Config is the node's CometBFT configuration.
func (n *Node) Config() *cfg.Config { return n.config }

// CometNode exposes the CometBFT node (for tests and benchmarks).
func (n *Node) CometNode() *nm.Node { return n.cmt }

// Stop stops the node and closes the application's database.
func (n *Node) Stop() error {
	var errs []error
	if n.cmt.IsRunning() {
		if err := n.cmt.Stop(); err != nil {
			errs = append(errs, fmt.Errorf("stop node: %w", err))
		}
		n.cmt.Wait()
	}
	if n.appDB != nil {
		if err := n.appDB.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close app state: %w", err))
		}
	}
	return errors.Join(errs...)
}

// Run starts the node and stops it when ctx is cancelled.
func Run(ctx context.Context, opts Options) error {
	n, err := Start(opts)
	if err != nil {
		return err
	}
	<-ctx.Done()
	return n.Stop()
}

func cometLogger(w io.Writer, level string) (cmtlog.Logger, error) {
	if w == nil {
		w = os.Stderr
	}
	switch level {
	case "none":
		return cmtlog.NewNopLogger(), nil
	case "":
		level = "error"
	}
	opt, err := cmtlog.AllowLevel(level)
	if err != nil {
		return nil, fmt.Errorf("comet log level %q: want none, error, info or debug", level)
	}
	return cmtlog.NewFilter(cmtlog.NewTMLogger(cmtlog.NewSyncWriter(w)), opt), nil
}

// WaitForHeight blocks until the node has applied and committed block h.
func (n *Node) WaitForHeight(ctx context.Context, h int64) error {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		info, err := n.cmt.ProxyApp().Query().Info(ctx, &abci.RequestInfo{})
		if err != nil {
			return fmt.Errorf("wait for block %d: %w", h, err)
		}
		if info.LastBlockHeight >= h {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for block %d: %w", h, ctx.Err())
		case <-t.C:
		}
	}
}

func closeDB(db dbm.DB) {
	if db != nil {
		db.Close()
	}
}
