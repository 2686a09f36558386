package main

import (
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/citychain/citychain/chain/node"
)

type nodeFlags struct {
	rpcLaddr, p2pLaddr, logLevel string
}

func (f *nodeFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.rpcLaddr, "rpc-laddr", "", "RPC listen address (default from config.toml, tcp://127.0.0.1:26657 for a new devnet)")
	cmd.Flags().StringVar(&f.p2pLaddr, "p2p-laddr", "", "P2P listen address (default from config.toml, tcp://0.0.0.0:26656)")
	cmd.Flags().StringVar(&f.logLevel, "log-level", "error", "CometBFT log level: none, error, info or debug")
}

func newLogger() *slog.Logger { return newLoggerAt(slog.LevelInfo) }

func newLoggerAt(level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

func newNodeCmd(g *globals) *cobra.Command {
	f := &nodeFlags{}
	cmd := &cobra.Command{
		Use:   "node",
		Short: "Run one validator from an existing home",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return node.Run(cmd.Context(), node.Options{
				Home: g.home, RPCListen: f.rpcLaddr, P2PListen: f.p2pLaddr,
				CometLogLevel: f.logLevel, Logger: newLogger(),
			})
		},
	}
	f.register(cmd)
	return cmd
}

func newTestnetCmd(g *globals) *cobra.Command {
	var o node.TestnetOptions
	var out, hosts string
	cmd := &cobra.Command{
		Use:   "testnet",
		Short: "Write the homes and shared genesis of an N-validator network",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if hosts != "" {
				o.Hosts = strings.Split(hosts, ",")
			}
			if err := node.Testnet(out, o); err != nil {
				return err
			}
			fmt.Fprintf(g.out, "wrote %d validator homes under %s (node0 .. node%d) and keys in %s/keys\n", o.Validators, out, o.Validators-1, out)
			fmt.Fprintf(g.out, "start each with: citychain node --home %s/nodeI\n", out)
			return nil
		},
	}
	cmd.Flags().IntVar(&o.Validators, "validators", 4, "number of validators")
	cmd.Flags().StringVar(&out, "output", "./testnet", "directory to write the homes into")
	cmd.Flags().StringVar(&o.ChainID, "chain-id", "citychain-testnet", "chain id")
	cmd.Flags().StringVar(&hosts, "hosts", "", "comma-separated host of each validator (default: all on 127.0.0.1 with spaced ports)")
	cmd.Flags().IntVar(&o.P2PPort, "p2p-port", 26656, "P2P port of the first validator")
	cmd.Flags().IntVar(&o.RPCPort, "rpc-port", 26657, "RPC port of the first validator")
	cmd.Flags().IntVar(&o.PortStep, "port-step", 10, "port distance between validators on one host")
	cmd.Flags().DurationVar(&o.TimeoutCommit, "timeout-commit", 0, "CometBFT timeout_commit (default 1s)")
	cmd.AddCommand(newTestnetRunCmd(g))
	return cmd
}
