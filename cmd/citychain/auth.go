package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
)

func newTxRoleCmd(g *globals, f *txFlags) *cobra.Command {
	mk := func(use, short string, grant bool) *cobra.Command {
		return &cobra.Command{
			Use: use, Short: short, Args: cobra.ExactArgs(2),
			RunE: func(cmd *cobra.Command, args []string) error {
				kr, err := g.keyring()
				if err != nil {
					return err
				}
				addr, err := kr.Resolve(args[0])
				if err != nil {
					return fmt.Errorf("ADDRESS: %w", err)
				}
				if err := tx.ValidateRole(args[1]); err != nil {
					return fmt.Errorf("ROLE: %w", err)
				}
				if grant {
					return g.submit(cmd.Context(), f, &tx.MsgRoleGrant{Address: addr, Role: args[1]})
				}
				return g.submit(cmd.Context(), f, &tx.MsgRoleRevoke{Address: addr, Role: args[1]})
			},
		}
	}
	cmd := &cobra.Command{Use: "role", Short: "Grant and revoke roles (authorities only)"}
	cmd.AddCommand(
		mk("grant ADDRESS ROLE --from AUTHORITY", "Grant ROLE to an address or key name", true),
		mk("revoke ADDRESS ROLE --from AUTHORITY", "Revoke ROLE from an address or key name", false),
	)
	return cmd
}

func newQueryAuthCmds(g *globals, f *queryFlags) []*cobra.Command {
	account := &cobra.Command{
		Use: "account ADDRESS", Short: "An account's public key and sequence number", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := g.resolve("ADDRESS", args[0])
			if err != nil {
				return err
			}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				return decoded(c.AccountState(ctx, addr, o))
			})
		},
	}
	role := &cobra.Command{
		Use: "role ADDRESS", Short: "Roles an account holds", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := g.resolve("ADDRESS", args[0])
			if err != nil {
				return err
			}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				roles, res, err := c.Roles(ctx, addr, o)
				if roles == nil {
					roles = []string{}
				}
				return roles, res, err
			})
		},
	}
	return []*cobra.Command{account, role}
}
