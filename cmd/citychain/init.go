package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/citychain/citychain/chain/node"
)

func printIdentity(g *globals, id *node.Identity, joined bool) error {
	if g.output == "json" {
		return g.printJSON(id)
	}
	if joined {
		fmt.Fprintf(g.out, "wrote node home %s (moniker %q)\n", id.Home, id.Moniker)
	}
	fmt.Fprintf(g.out, "node id:              %s\n", id.NodeID)
	fmt.Fprintf(g.out, "validator public key: %s\n", id.PubKey)
	fmt.Fprintf(g.out, "validator address:    %s\n", id.Address)
	if joined {
		fmt.Fprintf(g.out, "start it with: citychain node --home %s\n", id.Home)
		fmt.Fprintf(g.out, "to make it a validator, the authority runs:\n  citychain tx validator set-power %s POWER --name %s --from authority\n", id.PubKey, id.Moniker)
	}
	return nil
}

func newInitCmd(g *globals) *cobra.Command {
	var o node.JoinOptions
	cmd := &cobra.Command{
		Use:   "init --home DIR --genesis FILE --moniker NAME --persistent-peers ID@HOST:PORT,...",
		Short: "Write a node home that joins an existing network (prints its node id and validator key)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Home = g.home
			id, err := node.Join(o)
			if err != nil {
				return err
			}
			return printIdentity(g, id, true)
		},
	}
	cmd.Flags().StringVar(&o.Genesis, "genesis", "", "the network's genesis file (copied into the home)")
	cmd.Flags().StringVar(&o.Moniker, "moniker", "", "the node's name")
	cmd.Flags().StringVar(&o.PersistentPeers, "persistent-peers", "", "nodes of the network to connect to: ID@HOST:PORT,... (citychain show-validator prints a node's id)")
	cmd.Flags().StringVar(&o.RPCListen, "rpc-laddr", "", "RPC listen address (default tcp://127.0.0.1:26657)")
	cmd.Flags().StringVar(&o.P2PListen, "p2p-laddr", "", "P2P listen address (default tcp://0.0.0.0:26656)")
	cmd.Flags().DurationVar(&o.TimeoutCommit, "timeout-commit", 0, "CometBFT timeout_commit; use the network's (default 1s)")
	cmd.Flags().BoolVar(&o.LocalNetwork, "local-network", false, "several nodes on one IP address (a network on one machine): allow duplicate IPs, no peer exchange")
	return g.outputFlag(cmd)
}

func newShowValidatorCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "show-validator --home DIR",
		Short: "Print a home's node id and validator public key",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			id, err := node.ShowValidator(g.home)
			if err != nil {
				return err
			}
			return printIdentity(g, id, false)
		},
	}
	return g.outputFlag(cmd)
}
