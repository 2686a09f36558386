package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
)

func newTxValidatorCmd(g *globals, f *txFlags) *cobra.Command {
	var name string
	setPower := &cobra.Command{
		Use:   "set-power PUBKEY_HEX POWER [--name NAME] --from AUTHORITY",
		Short: "Add a validator, change its power, or remove it with power 0 (k of n authorities)",
		Long: "PUBKEY_HEX is the validator's ed25519 consensus key as `citychain init` and `citychain show-validator` print it.\n" +
			"A validator change is an authority action: it runs when authority_threshold authorities have sent it (the\n" +
			"command prints whether it ran or is pending, with the proposal id to approve with `citychain tx auth approve`).\n" +
			"CometBFT applies the change two blocks after the one that runs it.",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			pub, err := tx.ParsePubKey(strings.ToLower(args[0]))
			if err != nil {
				return fmt.Errorf("PUBKEY_HEX: %w", err)
			}
			power, err := strconv.ParseUint(args[1], 10, 64)
			if err != nil {
				return fmt.Errorf("POWER %q: want a whole number from 0 (remove) to %d", args[1], tx.MaxValidatorPower)
			}
			m := &tx.MsgValidatorSetPower{PubKey: pub, Power: power, Name: name}
			if err := m.ValidateBasic(); err != nil {
				return err
			}
			return g.submitAction(cmd.Context(), f, m)
		},
	}
	setPower.Flags().StringVar(&name, "name", "", "the validator's name (empty keeps the current one)")
	cmd := &cobra.Command{Use: "validator", Short: "Change the validator set (k of n authorities)"}
	cmd.AddCommand(setPower)
	return cmd
}

func newQueryValidatorsCmd(g *globals, f *queryFlags) *cobra.Command {
	return &cobra.Command{
		Use: "validators", Short: "The validator set in chain state (pub_key, address, power, name)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				return raw(c.ValidatorSet(ctx, o))
			})
		},
	}
}
