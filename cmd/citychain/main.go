// Command citychain is the citychain node and its command-line client: run a
// devnet, a validator or write a testnet; manage keys; send transactions and
// query state over CometBFT RPC.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRootCmd(os.Stdout)
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(exitCode(err))
	}
}

// globals are the flags every command shares.
type globals struct {
	home   string
	node   string
	output string
	out    io.Writer
	trust  trustFlags // the trust root proofs are verified from (trust.go)
}

func defaultHome() string {
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".citychain")
	}
	return ".citychain"
}

func newRootCmd(out io.Writer) *cobra.Command {
	g := &globals{out: out}
	root := &cobra.Command{
		Use:           "citychain",
		Short:         "citychain: the city's public ledger for metering, S-Coin and registries",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&g.home, "home", defaultHome(), "node home directory (config, data, keys)")
	root.PersistentFlags().StringVar(&g.node, "node", "http://127.0.0.1:26657", "CometBFT RPC endpoint of a node")
	g.trust.register(root)
	root.AddCommand(
		newDevnetCmd(g), newNodeCmd(g), newTestnetCmd(g),
		newKeysCmd(g), newTxCmd(g), newQueryCmd(g),
		newSettleCmd(g), newAPICmd(g), newSimCmd(),
		newAuditCmd(g), newMQTTCmd(g), newExportCmd(g),
	)
	root.AddCommand(newInitCmd(g), newShowValidatorCmd(g))
	root.AddCommand(newWalletCmd(g))
	root.AddCommand(newVoteCmd(g))
	root.AddCommand(newVerifyCmd(g))
	root.AddCommand(newIssueCmd(g))
	return root
}

// Secrets may come from the environment instead of flags, so they stay out
// of the process list (a systemd EnvironmentFile, for instance).
const (
	envMQTTPassword = "CITYCHAIN_MQTT_PASSWORD"
	envInfluxToken  = "CITYCHAIN_INFLUX_TOKEN"
)

// fromEnv sets *p from the environment variable env when the flag left it
// empty.
func fromEnv(p *string, env string) {
	if *p == "" {
		*p = os.Getenv(env)
	}
}

// outputFlag adds -o/--output (text or json) to a command tree.
func (g *globals) outputFlag(cmd *cobra.Command) *cobra.Command {
	cmd.PersistentFlags().StringVarP(&g.output, "output", "o", "text", "output format: text or json")
	return cmd
}
