package main

import (
	"context"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
)

// newTxMileageCmds returns the "tx mileage" subtree and "tx metering"
// (clear-fraud, which the mileage rules depend on).
func newTxMileageCmd(g *globals, f *txFlags) *cobra.Command {
	resolve := g.resolve
	coin := func(s string) (tx.Coin, error) {
		c, err := tx.ParseCoin(s)
		if err != nil {
			return c, fmt.Errorf("AMOUNT: %w", err)
		}
		return c, nil
	}
	check := func(m tx.Msg) error { return m.ValidateBasic() }

	award := &cobra.Command{
		Use: "award TO AMOUNT REASON [MEMO] --from ISSUER", Short: "Award mileage (e.g. 2000000uscn voting) from the budget to a citizen",
		Args: cobra.RangeArgs(3, 4),
		RunE: func(cmd *cobra.Command, args []string) error {
			to, err := resolve("TO", args[0])
			if err != nil {
				return err
			}
			amt, err := coin(args[1])
			if err != nil {
				return err
			}
			m := &tx.MsgMileageAward{To: to, Amount: amt, ReasonCode: args[2]}
			if len(args) == 4 {
				m.Memo = args[3]
			}
			if err := check(m); err != nil {
				return err
			}
			return g.submit(cmd.Context(), f, m)
		},
	}
	spend := &cobra.Command{
		Use: "spend MERCHANT AMOUNT [MEMO] --from KEY", Short: "Spend mileage at a registered merchant or agency",
		Args: cobra.RangeArgs(2, 3),
		RunE: func(cmd *cobra.Command, args []string) error {
			to, err := resolve("MERCHANT", args[0])
			if err != nil {
				return err
			}
			amt, err := coin(args[1])
			if err != nil {
				return err
			}
			m := &tx.MsgMileageSpend{Merchant: to, Amount: amt}
			if len(args) == 3 {
				m.Memo = args[2]
			}
			if err := check(m); err != nil {
				return err
			}
			return g.submit(cmd.Context(), f, m)
		},
	}
	register := &cobra.Command{
		Use: "register-merchant ADDRESS NAME CATEGORY --from AGENCY", Short: "Register where mileage is spent (transit, donation, local_tax, merchant)",
		Args: cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := resolve("ADDRESS", args[0])
			if err != nil {
				return err
			}
			m := &tx.MsgMileageRegisterMerchant{Address: addr, Name: args[1], Category: args[2]}
			if err := check(m); err != nil {
				return err
			}
			return g.submit(cmd.Context(), f, m)
		},
	}
	fund := &cobra.Command{
		Use: "fund AMOUNT --from KEY", Short: "Move S-Coin into the mileage budget",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			amt, err := coin(args[0])
			if err != nil {
				return err
			}
			m := &tx.MsgMileageFund{Amount: amt}
			if err := check(m); err != nil {
				return err
			}
			return g.submit(cmd.Context(), f, m)
		},
	}
	var baseline uint64
	enroll := &cobra.Command{
		Use: "enroll-vehicle DEVICE [--baseline-km KM] --from KEY", Short: "Enrol an EV odometer in vehicle mileage from the next period",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m := &tx.MsgMileageEnrollVehicle{Device: args[0], BaselineKm: baseline}
			if err := check(m); err != nil {
				return err
			}
			return g.submit(cmd.Context(), f, m)
		},
	}
	enroll.Flags().Uint64Var(&baseline, "baseline-km", 0, "baseline km per period (agency or vehicle registrar only)")
	mileage := &cobra.Command{Use: "mileage", Short: "Award, spend and fund S-Coin mileage; merchants and vehicles"}
	mileage.AddCommand(award, spend, register, fund, enroll)

	return mileage
}

// newQueryMileageCmd is the "query mileage" subtree.
func newQueryMileageCmd(g *globals, f *queryFlags) *cobra.Command {
	addr := func(s string) (tx.Address, error) {
		kr, err := g.keyring()
		if err != nil {
			return tx.Address{}, err
		}
		return kr.Resolve(s)
	}
	account := &cobra.Command{
		Use: "account ADDRESS", Short: "Mileage balance and totals of an account", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := addr(args[0])
			if err != nil {
				return err
			}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				v, res, err := c.MileageAccount(ctx, a, o)
				if err == nil && v == nil {
					return map[string]any{"address": a.String(), "balance": 0}, res, nil
				}
				return raw(v, res, err)
			})
		},
	}
	var start, limit, from uint64
	history := &cobra.Command{
		Use: "history ADDRESS [--start N] [--limit N]", Short: "Awards, spends, expiries and vehicle rewards of an account", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := addr(args[0])
			if err != nil {
				return err
			}
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				return c.MileageHistory(ctx, tx.MileageHistoryRequest{Address: a, Start: start, Limit: limit}, 0)
			})
		},
	}
	history.Flags().Uint64Var(&start, "start", 0, "first entry")
	history.Flags().Uint64Var(&limit, "limit", 0, "entries (0: 50, at most 100)")
	vehicle := &cobra.Command{
		Use: "vehicle DEVICE [--from PERIOD] [--limit N]", Short: "An enrolled vehicle and its settled periods", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				return c.MileageVehicle(ctx, tx.MileageVehicleRequest{Device: args[0], From: from, Limit: limit}, 0)
			})
		},
	}
	vehicle.Flags().Uint64Var(&from, "from", 0, "first period")
	vehicle.Flags().Uint64Var(&limit, "limit", 0, "periods (0: 50, at most 100)")
	var after string
	merchants := &cobra.Command{
		Use: "merchants [--after ADDRESS]", Short: "Registered merchants and agencies, 100 a page", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var a *tx.Address
			if after != "" {
				v, err := addr(after)
				if err != nil {
					return err
				}
				a = &v
			}
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				return c.MileageMerchants(ctx, a, 0)
			})
		},
	}
	merchants.Flags().StringVar(&after, "after", "", "list merchants after this address (the previous page's next)")
	budget := &cobra.Command{
		Use: "budget", Short: "The mileage budget, the held mileage, totals and the settlement cursor", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				return c.MileageBudget(ctx, 0)
			})
		},
	}
	params := &cobra.Command{
		Use: "params", Short: "Mileage parameters", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				return raw(c.MileageParams(ctx, o))
			})
		},
	}
	period := &cobra.Command{
		Use: "period N", Short: "Summary of a vehicle reward period", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := strconv.ParseUint(args[0], 10, 64)
			if err != nil {
				return fmt.Errorf("period %q: want a period number (0, 1, 2...)", args[0])
			}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				return raw(c.MileagePeriod(ctx, n, o))
			})
		},
	}
	cmd := &cobra.Command{Use: "mileage", Short: "S-Coin mileage: accounts, history, vehicles, merchants, budget"}
	cmd.AddCommand(account, history, vehicle, merchants, budget, params, period)
	return cmd
}
