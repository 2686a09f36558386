package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
)

// newTxAuthCmds are `tx role grant/revoke` and `tx auth approve/withdraw`.
func newTxAuthCmds(g *globals, f *txFlags) []*cobra.Command {
	return []*cobra.Command{newTxRoleCmd(g, f), newTxProposalCmd(g, f)}
}

func newTxRoleCmd(g *globals, f *txFlags) *cobra.Command {
	mk := func(use, short string, grant bool) *cobra.Command {
		return &cobra.Command{
			Use: use, Short: short, Args: cobra.ExactArgs(2),
			Long: "A role grant or revocation is an authority action: it runs when authority_threshold authorities\n" +
				"(k of n, in the auth genesis) have sent it. The command prints whether it ran or is pending, with the\n" +
				"proposal id the other authorities approve (`citychain tx auth approve ID`) or send the same command for.",
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
					return g.submitAction(cmd.Context(), f, &tx.MsgRoleGrant{Address: addr, Role: args[1]})
				}
				return g.submitAction(cmd.Context(), f, &tx.MsgRoleRevoke{Address: addr, Role: args[1]})
			},
		}
	}
	cmd := &cobra.Command{Use: "role", Short: "Grant and revoke roles (k of n authorities)"}
	cmd.AddCommand(
		mk("grant ADDRESS ROLE --from AUTHORITY", "Grant ROLE to an address or key name", true),
		mk("revoke ADDRESS ROLE --from AUTHORITY", "Revoke ROLE from an address or key name", false),
	)
	return cmd
}

func newTxProposalCmd(g *globals, f *txFlags) *cobra.Command {
	approve := &cobra.Command{
		Use: "approve ID --from AUTHORITY", Short: "Approve a pending authority proposal; the k-th approval runs it", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := tx.ParseProposalID(strings.ToLower(args[0]))
			if err != nil {
				return fmt.Errorf("ID: %w", err)
			}
			return g.submitAction(cmd.Context(), f, &tx.MsgProposalApprove{ID: id})
		},
	}
	withdraw := &cobra.Command{
		Use: "withdraw ID --from AUTHORITY", Short: "Take back your approval of a pending authority proposal", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := tx.ParseProposalID(strings.ToLower(args[0]))
			if err != nil {
				return fmt.Errorf("ID: %w", err)
			}
			return g.submit(cmd.Context(), f, &tx.MsgProposalWithdraw{ID: id})
		},
	}
	cmd := &cobra.Command{Use: "auth", Short: "Approve or withdraw authority proposals (role grants, validator changes)"}
	cmd.AddCommand(approve, withdraw)
	return cmd
}

// submitAction submits one authority action (or auth/approve) and prints
// whether it ran or is a proposal still waiting for approvals, with its id.
func (g *globals) submitAction(ctx context.Context, f *txFlags, m tx.Msg) error {
	res, err := g.broadcast(ctx, f, m)
	if err != nil {
		return err
	}
	out := map[string]any{"hash": res.Hash, "height": res.Height, "code": 0, "status": "executed"}
	if id, ok := res.Attr("auth.proposal_approved", "id"); ok {
		approvals, _ := res.Attr("auth.proposal_approved", "approvals")
		threshold, _ := res.Attr("auth.proposal_approved", "threshold")
		expires, _ := res.Attr("auth.proposal_approved", "expires")
		out["status"], out["proposal"], out["approvals"], out["threshold"], out["expires"] = "pending", id, approvals, threshold, expires
		if g.output == "json" {
			return g.printJSON(out)
		}
		fmt.Fprintf(g.out, "committed at height %d\ntx hash %s\npending: proposal %s has %s of %s approvals, expires %s\n"+
			"(other authorities: citychain tx auth approve %s --from KEY)\n", res.Height, res.Hash, id, approvals, threshold, expires, id)
		return nil
	}
	if id, ok := res.Attr("auth.proposal_executed", "id"); ok {
		out["proposal"] = id
	}
	if g.output == "json" {
		return g.printJSON(out)
	}
	fmt.Fprintf(g.out, "committed at height %d\ntx hash %s\nexecuted\n", res.Height, res.Hash)
	return nil
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
	return []*cobra.Command{account, role, newQueryProposalsCmd(g, f)}
}

// newQueryProposalsCmd is `query auth proposals|proposal|params|authorities`.
func newQueryProposalsCmd(g *globals, f *queryFlags) *cobra.Command {
	var pages pageFlags
	list := &cobra.Command{
		Use: "proposals", Short: "Authority proposals, pending and executed (until they expire), with their approvals, k and n", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				out := tx.ProposalPage{Proposals: []tx.Proposal{}}
				err := pages.each(ctx, f, func(ctx context.Context, pr tx.PageRequest, height int64) (string, int64, error) {
					p, at, err := c.Proposals(ctx, tx.ProposalListRequest{PageRequest: pr}, height)
					if err != nil {
						return "", 0, err
					}
					out.Threshold, out.Authorities = p.Threshold, p.Authorities
					out.Proposals, out.Next = append(out.Proposals, p.Proposals...), p.Next
					return p.Next, at, nil
				})
				return out, err
			})
		},
	}
	pages.register(list, "a proposal id")
	one := &cobra.Command{
		Use: "proposal ID", Short: "One authority proposal: its message, approvals, state and expiry", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := tx.ParseProposalID(strings.ToLower(args[0]))
			if err != nil {
				return fmt.Errorf("ID: %w", err)
			}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				return decoded(c.Proposal(ctx, id, o))
			})
		},
	}
	params := &cobra.Command{
		Use: "params", Short: "The authority threshold k and the proposal lifetime", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				return c.AuthParams(ctx, f.height)
			})
		},
	}
	authorities := &cobra.Command{
		Use: "authorities", Short: "The n authorities' addresses", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				return c.Authorities(ctx, f.height)
			})
		},
	}
	cmd := &cobra.Command{Use: "auth", Short: "Authority proposals and parameters"}
	cmd.AddCommand(list, one, params, authorities)
	return cmd
}
