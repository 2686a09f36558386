package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
)

// parseMilestone reads a milestone index (from 0, in the contract's
// order); what names the argument.
func parseMilestone(what, s string) (uint32, error) {
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil || n >= tx.MaxMilestones {
		return 0, fmt.Errorf("%s %q: want a milestone index, 0 to %d (in the contract's order)", what, s, tx.MaxMilestones-1)
	}
	return uint32(n), nil
}

// contractIDArg checks a public-works contract id argument.
func contractIDArg(what, s string) error {
	if err := tx.ValidateProjectID(s); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// ---- tx contracts ----

// newTxContractsCmds is the "tx contracts" subtree: a public-works
// contract created with its money in escrow, milestones delivered and
// approved (releasing their money), instalments the prime pays its
// subcontractors, the grounds of direct payment, disputes and their
// resolution.
func newTxContractsCmds(g *globals, f *txFlags) []*cobra.Command {
	const ev = "contracts."
	milestoneArgs := func(args []string) (string, uint32, error) {
		if err := contractIDArg("ID", args[0]); err != nil {
			return "", 0, err
		}
		ms, err := parseMilestone("MILESTONE", args[1])
		return args[0], ms, err
	}

	var file string
	create := &cobra.Command{
		Use:   "create --file CONTRACT.json --from OWNER_AGENCY",
		Short: "Create a public-works contract (role " + tx.RoleAgency + ": the owner), its total moved into escrow; nothing of it can change afterwards",
		Long: `CONTRACT.json is a contracts/create message (docs/contracts.md), unknown fields refused:
  {"id": "bridge-2026", "prime": "<40 hex>", "supervisor": "<40 hex>", "arbiter": "<40 hex>", "guarantor": "<40 hex>",
   "pools": {"subcontract_krw": 60000000, "labour_krw": 30000000, "equipment_krw": 5000000, "materials_krw": 5000000},
   "subcontractors": [{"address": "<40 hex>", "share_krw": 60000000, "scope": "<sha256>"}],
   "milestones": [{"name": "foundation", "due": "2026-05-31", "weight_bp": 4000}, ...],
   "terms": "<sha256>"}
The supervisor holds ` + tx.RoleWorksSupervisor + `, the arbiter ` + tx.RoleArbitrator + `, the guarantor ` + tx.RoleGuarantor + `; the owner holds the
pools' total in ukrw (won × 1,000,000). Milestone weights are basis points of every pool and share (10,000 in all).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if file == "" {
				return fmt.Errorf("--file: the contract, a JSON contracts/create message (see --help)")
			}
			var m tx.MsgContractsCreate
			if err := readIdentityJSON("--file", file, &m); err != nil {
				return err
			}
			total, _ := m.Pools.Total()
			return g.submitEvents(cmd.Context(), f, ev, &m, map[string]any{"contract": m.ID, "escrow_krw": total},
				fmt.Sprintf("contract %s created, %d won in escrow", m.ID, total))
		},
	}
	create.Flags().StringVar(&file, "file", "", "the contract: a JSON contracts/create message")

	milestoneCmd := func(use, short string, build func(c string, ms uint32) tx.Msg) *cobra.Command {
		return &cobra.Command{
			Use: use, Short: short, Args: cobra.ExactArgs(2),
			RunE: func(cmd *cobra.Command, args []string) error {
				c, ms, err := milestoneArgs(args)
				if err != nil {
					return err
				}
				return g.submitEvents(cmd.Context(), f, ev, build(c, ms), nil)
			},
		}
	}
	deliver := milestoneCmd("deliver ID MILESTONE --from PRIME", "Record the delivery of a milestone (index from 0; the prime): its 60-day payment term starts",
		func(c string, ms uint32) tx.Msg {
			return &tx.MsgContractsDeliver{MsgContractsMilestone: tx.MsgContractsMilestone{Contract: c, Milestone: ms}}
		})
	approve := milestoneCmd("approve ID MILESTONE --from SUPERVISOR", "Approve a delivered milestone (the contract's supervisor): its labour share to the labour pool, equipment and materials to the prime, each sub's share to it (direct) or to the prime (an instalment owed)",
		func(c string, ms uint32) tx.Msg {
			return &tx.MsgContractsApprove{MsgContractsMilestone: tx.MsgContractsMilestone{Contract: c, Milestone: ms}}
		})

	paySub := &cobra.Command{
		Use:   "pay-subcontractor ID MILESTONE SUB --from PRIME",
		Short: "Pay a subcontractor's instalment for a milestone (the prime): the principal plus the interest accrued to today (15.5 % a year when late)",
		Args:  cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, ms, err := milestoneArgs(args)
			if err != nil {
				return err
			}
			sub, err := g.resolve("SUB", args[2])
			if err != nil {
				return err
			}
			return g.submitEvents(cmd.Context(), f, ev, &tx.MsgContractsPaySub{Contract: c, Milestone: ms, Subcontractor: sub}, nil)
		},
	}
	agree := &cobra.Command{
		Use:   "agree-direct ID SUB --from OWNER_PRIME_OR_SUB",
		Short: "Sign a three-party direct-payment agreement for SUB (the owner, the prime and the sub each send it); with the third, SUB is paid directly at once",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := contractIDArg("ID", args[0]); err != nil {
				return err
			}
			sub, err := g.resolve("SUB", args[1])
			if err != nil {
				return err
			}
			return g.submitEvents(cmd.Context(), f, ev, &tx.MsgContractsAgreeDirect{Contract: args[0], Subcontractor: sub}, nil)
		},
	}
	var evidence, evidenceFile string
	attest := &cobra.Command{
		Use:   "attest ID insolvency|guarantee_breach (--evidence HEX | --evidence-file F) --from COURT_OR_GUARANTOR",
		Short: "Attest a ground of direct payment against the prime: insolvency (role " + tx.RoleCourtRegistry + ") or guarantee_breach (the contract's guarantor)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := contractIDArg("ID", args[0]); err != nil {
				return err
			}
			if args[1] != tx.GroundInsolvency && args[1] != tx.GroundGuaranteeBreach {
				return fmt.Errorf("GROUND %q: want %s or %s", args[1], tx.GroundInsolvency, tx.GroundGuaranteeBreach)
			}
			h, err := hashOf("evidence", evidence, evidenceFile)
			if err != nil {
				return err
			}
			return g.submitEvents(cmd.Context(), f, ev, &tx.MsgContractsAttest{Contract: args[0], Ground: args[1], Evidence: h},
				map[string]any{"evidence": h}, "evidence "+h.String())
		},
	}
	attest.Flags().StringVar(&evidence, "evidence", "", "SHA-256 of the attested document, 64 hex characters")
	attest.Flags().StringVar(&evidenceFile, "evidence-file", "", "the attested document (its SHA-256 goes on chain)")
	request := &cobra.Command{
		Use:   "request-direct ID GROUND --from SUB",
		Short: "Request direct payment on an attested ground (insolvency or guarantee_breach; a subcontractor of the contract)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := contractIDArg("ID", args[0]); err != nil {
				return err
			}
			return g.submitEvents(cmd.Context(), f, ev, &tx.MsgContractsRequestDirect{Contract: args[0], Ground: args[1]}, nil)
		},
	}
	var reason, reasonFile string
	dispute := &cobra.Command{
		Use:   "dispute ID MILESTONE (--reason-file F | --reason HEX) --from PARTY",
		Short: "Freeze one milestone (open or delivered) until the contract's arbiter resolves it; the other milestones stay payable",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, ms, err := milestoneArgs(args)
			if err != nil {
				return err
			}
			h, err := hashOf("reason", reason, reasonFile)
			if err != nil {
				return err
			}
			return g.submitEvents(cmd.Context(), f, ev, &tx.MsgContractsDispute{Contract: c, Milestone: ms, Reason: h},
				map[string]any{"reason": h}, "reason "+h.String())
		},
	}
	dispute.Flags().StringVar(&reasonFile, "reason-file", "", "the claim (its SHA-256 goes on chain)")
	dispute.Flags().StringVar(&reason, "reason", "", "SHA-256 of the claim, 64 hex characters")
	resolve := &cobra.Command{
		Use:   "resolve ID MILESTONE release|refund --from ARBITER",
		Short: "Resolve a frozen milestone (the contract's arbiter): release it as an approval does, or refund its money to the owner",
		Args:  cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, ms, err := milestoneArgs(args)
			if err != nil {
				return err
			}
			if !slices.Contains([]string{tx.OutcomeRelease, tx.OutcomeRefund}, args[2]) {
				return fmt.Errorf("OUTCOME %q: want %s or %s", args[2], tx.OutcomeRelease, tx.OutcomeRefund)
			}
			return g.submitEvents(cmd.Context(), f, ev, &tx.MsgContractsResolve{Contract: c, Milestone: ms, Outcome: args[2]}, nil)
		},
	}

	cmd := &cobra.Command{Use: "contracts", Short: "Public-works contracts: create (escrow), deliver and approve milestones, pay subcontractors, direct payment, disputes"}
	cmd.AddCommand(create, deliver, approve, paySub, agree, attest, request, dispute, resolve)
	return []*cobra.Command{cmd}
}

// ---- query contracts ----

// newQueryContractsCmds is the "query contracts" subtree.
func newQueryContractsCmds(g *globals, f *queryFlags) []*cobra.Command {
	contract := &cobra.Command{
		Use: "contract ID [--prove]", Short: "A public-works contract: parties, pools, subcontractors (direct or not), milestones, escrow (--prove proves it, or its absence)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := contractIDArg("ID", args[0]); err != nil {
				return err
			}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				v, res, err := c.Contract(ctx, args[0], o)
				return f.found("contract "+args[0], v != nil, v, res, err)
			})
		},
	}
	var party string
	var pages pageFlags
	contracts := &cobra.Command{
		Use: "contracts [--party A]", Short: "Public-works contracts in id order, all or those a party takes part in, a page at a time", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var req tx.ContractsRequest
			if party != "" {
				a, err := g.resolve("--party", party)
				if err != nil {
					return err
				}
				req.Party = a
			}
			if err := f.computed("a page of contracts", "prove one with `query contracts contract ID --prove`"); err != nil {
				return err
			}
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				out := tx.ContractPage{Contracts: []tx.Contract{}}
				err := pages.each(ctx, f, func(ctx context.Context, pr tx.PageRequest, height int64) (string, int64, error) {
					r := req
					r.After, r.Limit = pr.After, uint32(pr.Limit)
					p, at, err := c.Contracts(ctx, r, height)
					if err != nil {
						return "", 0, err
					}
					out.Contracts, out.Next = append(out.Contracts, p.Contracts...), p.Next
					return p.Next, at, nil
				})
				return out, err
			})
		},
	}
	contracts.Flags().StringVar(&party, "party", "", "only the contracts this account takes part in (a key name or an address)")
	pages.register(contracts, "a contract id")
	instalment := &cobra.Command{
		Use: "instalment ID MILESTONE SUB [--prove]", Short: "What the prime owes a subcontractor for a milestone: principal, due, missed, paid with interest (--prove proves it, or its absence)", Args: cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := contractIDArg("ID", args[0]); err != nil {
				return err
			}
			ms, err := parseMilestone("MILESTONE", args[1])
			if err != nil {
				return err
			}
			sub, err := g.resolve("SUB", args[2])
			if err != nil {
				return err
			}
			req := tx.InstalmentRequest{Contract: args[0], Milestone: ms, Subcontractor: sub}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				v, res, err := c.ContractInstalment(ctx, req, o)
				return f.found(fmt.Sprintf("instalment of %s for milestone %d of %s", sub, ms, args[0]), v != nil, v, res, err)
			})
		},
	}
	instalments := &cobra.Command{
		Use: "instalments ID", Short: "Every instalment of a contract in (milestone, subcontractor) order", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := contractIDArg("ID", args[0]); err != nil {
				return err
			}
			if err := f.computed("the list of instalments", "prove one with `query contracts instalment ID MILESTONE SUB --prove`"); err != nil {
				return err
			}
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				l, err := c.ContractInstalments(ctx, args[0], f.height)
				if err == nil && l.Instalments == nil {
					l.Instalments = []tx.Instalment{}
				}
				return l, err
			})
		},
	}
	tiers := []string{tx.TierPrime, tx.TierSubcontract}
	line := &cobra.Command{
		Use: "line ID TIER PARTY [--prove]", Short: "One party's line of a contract's arrears view in tier prime or subcontract: owed, overdue, paid (absent: nothing owed or paid; --prove proves either)", Args: cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := contractIDArg("ID", args[0]); err != nil {
				return err
			}
			if !slices.Contains(tiers, args[1]) {
				return fmt.Errorf("TIER %q: want %s or %s (the labour tier's lines: query labour project-line)", args[1], tx.TierPrime, tx.TierSubcontract)
			}
			p, err := g.resolve("PARTY", args[2])
			if err != nil {
				return err
			}
			req := tx.ArrearsLineRequest{Contract: args[0], Tier: args[1], Party: p}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				v, res, err := c.ContractLine(ctx, req, o)
				return f.found(fmt.Sprintf("%s line of %s in %s", args[1], p, args[0]), v != nil, v, res, err)
			})
		},
	}
	arrears := &cobra.Command{
		Use: "arrears ID", Short: "A contract's public arrears view: owed, overdue and paid per tier (prime, subcontract, labour)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := contractIDArg("ID", args[0]); err != nil {
				return err
			}
			if err := f.computed("the arrears view", "prove a line with `query contracts line ID TIER PARTY --prove` or `query labour project-line PROJECT WORKER --prove`"); err != nil {
				return err
			}
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				return c.ContractArrears(ctx, args[0], f.height)
			})
		},
	}
	params := &cobra.Command{
		Use: "params", Short: "The contracts parameters: the dated late-payment rates, the due-date work per block", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := f.computed("the parameters", "they are in the genesis"); err != nil {
				return err
			}
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) { return c.ContractsParams(ctx, f.height) })
		},
	}
	cmd := &cobra.Command{Use: "contracts", Short: "Public-works contracts, instalments, arrears lines (proven with --prove), the arrears view, parameters"}
	cmd.AddCommand(contract, contracts, instalment, instalments, line, arrears, params)
	return []*cobra.Command{cmd}
}
