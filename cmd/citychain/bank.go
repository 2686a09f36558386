package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
)

func newTxBankCmd(g *globals, f *txFlags) *cobra.Command {
	cmd := &cobra.Command{Use: "bank", Short: "Move, mint and burn S-Coin and KRW tokens"}
	cmd.AddCommand(
		&cobra.Command{
			Use: "send FROM TO AMOUNT", Short: "Send AMOUNT (e.g. 1000000uscn) from key FROM to an address or key name",
			Args: cobra.ExactArgs(3),
			RunE: func(cmd *cobra.Command, args []string) error {
				kr, err := g.keyring()
				if err != nil {
					return err
				}
				to, err := kr.Resolve(args[1])
				if err != nil {
					return fmt.Errorf("TO: %w", err)
				}
				amt, err := tx.ParseCoin(args[2])
				if err != nil {
					return fmt.Errorf("AMOUNT: %w", err)
				}
				f.from = args[0]
				return g.submit(cmd.Context(), f, &tx.MsgSend{To: to, Amount: amt})
			},
		},
		&cobra.Command{
			Use: "mint TO AMOUNT --from ISSUER", Short: "Mint new coins (the denomination's issuer only)",
			Args: cobra.ExactArgs(2),
			RunE: func(cmd *cobra.Command, args []string) error {
				kr, err := g.keyring()
				if err != nil {
					return err
				}
				to, err := kr.Resolve(args[0])
				if err != nil {
					return fmt.Errorf("TO: %w", err)
				}
				amt, err := tx.ParseCoin(args[1])
				if err != nil {
					return fmt.Errorf("AMOUNT: %w", err)
				}
				return g.submit(cmd.Context(), f, &tx.MsgMint{To: to, Amount: amt})
			},
		},
		&cobra.Command{
			Use: "burn AMOUNT --from KEY", Short: "Destroy coins from the signer's balance",
			Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				amt, err := tx.ParseCoin(args[0])
				if err != nil {
					return fmt.Errorf("AMOUNT: %w", err)
				}
				return g.submit(cmd.Context(), f, &tx.MsgBurn{Amount: amt})
			},
		},
	)
	return cmd
}

func newQueryBankCmd(g *globals, f *queryFlags) *cobra.Command {
	var denom string
	balance := &cobra.Command{
		Use: "balance ADDRESS", Short: "Balance of one denomination (an address or key name)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := g.resolve("ADDRESS", args[0])
			if err != nil {
				return err
			}
			if err := tx.ValidateDenom(denom); err != nil {
				return fmt.Errorf("--denom: %w", err)
			}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				amt, res, err := c.Balance(ctx, addr, denom, o)
				return map[string]any{"address": addr.String(), "amount": tx.Coin{Amount: amt, Denom: denom}}, res, err
			})
		},
	}
	balance.Flags().StringVar(&denom, "denom", tx.DenomSCoin, "denomination")
	balances := &cobra.Command{
		Use: "balances ADDRESS", Short: "Every balance of an account", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := g.resolve("ADDRESS", args[0])
			if err != nil {
				return err
			}
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				return c.Balances(ctx, addr, f.height)
			})
		},
	}
	supply := &cobra.Command{
		Use: "supply [DENOM]", Short: "Total supply of one denomination, or of all", Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
					return c.Supplies(ctx, f.height)
				})
			}
			d := args[0]
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				amt, res, err := c.Supply(ctx, d, o)
				return map[string]any{"supply": tx.Coin{Amount: amt, Denom: d}}, res, err
			})
		},
	}
	bank := &cobra.Command{Use: "bank", Short: "Balances and supply"}
	bank.AddCommand(balance, balances, supply)
	return bank
}
