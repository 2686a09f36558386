package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
)

type queryFlags struct {
	prove   bool
	height  int64
	timeout time.Duration
}

// provable runs a query whose answer is one state key; render turns the
// stored value (nil when absent) into what is printed. With --prove the
// proof is verified against the signed header of the next block.
func (g *globals) provable(ctx context.Context, f *queryFlags, path string, data []byte, render func(value []byte) (any, error)) error {
	c, err := client.New(g.node)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	res, err := c.Query(ctx, path, data, f.height, f.prove)
	if err != nil {
		return err
	}
	view, err := render(res.Value)
	if err != nil {
		return err
	}
	out := map[string]any{"height": res.Height, "result": view}
	var ver *client.Verification
	if f.prove {
		if ver, err = c.Verify(ctx, res); err != nil {
			return fmt.Errorf("PROOF NOT VERIFIED: %w", err)
		}
		out["proof"] = map[string]any{
			"verified": true, "header_height": ver.HeaderHeight, "app_hash": fmt.Sprintf("%X", ver.AppHash),
			"signed_power": ver.SignedPower, "total_power": ver.TotalPower,
		}
	}
	if g.output == "json" {
		return g.printJSON(out)
	}
	b, _ := json.MarshalIndent(view, "", "  ")
	fmt.Fprintf(g.out, "%s\n(state at height %d)\n", b, res.Height)
	if ver != nil {
		fmt.Fprintf(g.out, "proof verified: key %X %s at height %d against app hash %X in header %d, signed by %d of %d voting power\n",
			res.Key, map[bool]string{true: "holds this value", false: "is absent"}[res.Found()], res.Height, ver.AppHash, ver.HeaderHeight, ver.SignedPower, ver.TotalPower)
	}
	return nil
}

// list runs a query with a JSON answer and prints it.
func (g *globals) list(ctx context.Context, f *queryFlags, path string, data []byte) error {
	c, err := client.New(g.node)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	var v any
	if err := c.QueryJSON(ctx, path, data, &v); err != nil {
		return err
	}
	return g.printJSON(v)
}

func rawJSON(value []byte) (any, error) {
	if value == nil {
		return nil, nil
	}
	return json.RawMessage(value), nil
}

func newQueryCmd(g *globals) *cobra.Command {
	f := &queryFlags{}
	cmd := &cobra.Command{Use: "query", Aliases: []string{"q"}, Short: "Read chain state (with --prove, verified against a signed header)"}
	cmd.PersistentFlags().BoolVar(&f.prove, "prove", false, "fetch a Merkle proof and verify it against the next block's signed header")
	cmd.PersistentFlags().Int64Var(&f.height, "height", 0, "state height to read (0: latest)")
	cmd.PersistentFlags().DurationVar(&f.timeout, "timeout", 30*time.Second, "how long to wait for the node")

	addrArg := func(s string) (tx.Address, error) {
		kr, err := g.keyring()
		if err != nil {
			return tx.Address{}, err
		}
		return kr.Resolve(s)
	}

	var denom string
	balance := &cobra.Command{
		Use: "balance ADDRESS", Short: "Balance of one denomination (an address or key name)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := addrArg(args[0])
			if err != nil {
				return err
			}
			if err := tx.ValidateDenom(denom); err != nil {
				return fmt.Errorf("--denom: %w", err)
			}
			data, _ := json.Marshal(map[string]string{"address": addr.String(), "denom": denom})
			return g.provable(cmd.Context(), f, "/bank/balance", data, func(v []byte) (any, error) {
				amt, err := decodeAmount(v)
				if err != nil {
					return nil, err
				}
				return map[string]any{"address": addr.String(), "amount": tx.Coin{Amount: amt, Denom: denom}}, nil
			})
		},
	}
	balance.Flags().StringVar(&denom, "denom", tx.DenomSCoin, "denomination")
	balances := &cobra.Command{
		Use: "balances ADDRESS", Short: "Every balance of an account", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := addrArg(args[0])
			if err != nil {
				return err
			}
			return g.list(cmd.Context(), f, "/bank/balances", []byte(addr.String()))
		},
	}
	supply := &cobra.Command{
		Use: "supply [DENOM]", Short: "Total supply of one denomination, or of all", Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return g.list(cmd.Context(), f, "/bank/supplies", nil)
			}
			d := args[0]
			return g.provable(cmd.Context(), f, "/bank/supply", []byte(d), func(v []byte) (any, error) {
				amt, err := decodeAmount(v)
				if err != nil {
					return nil, err
				}
				return map[string]any{"supply": tx.Coin{Amount: amt, Denom: d}}, nil
			})
		},
	}
	bank := &cobra.Command{Use: "bank", Short: "Balances and supply"}
	bank.AddCommand(balance, balances, supply)

	device := &cobra.Command{
		Use: "device ID", Short: "A registered device", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.provable(cmd.Context(), f, "/devices/device", []byte(args[0]), rawJSON)
		},
	}
	devices := &cobra.Command{
		Use: "devices OWNER", Short: "Devices owned by an account", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := addrArg(args[0])
			if err != nil {
				return err
			}
			return g.list(cmd.Context(), f, "/devices/by_owner", []byte(addr.String()))
		},
	}
	account := &cobra.Command{
		Use: "account ADDRESS", Short: "An account's public key and sequence number", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := addrArg(args[0])
			if err != nil {
				return err
			}
			return g.provable(cmd.Context(), f, "/auth/account", []byte(addr.String()), rawJSON)
		},
	}
	role := &cobra.Command{
		Use: "role ADDRESS", Short: "Roles an account holds", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := addrArg(args[0])
			if err != nil {
				return err
			}
			return g.provable(cmd.Context(), f, "/auth/roles", []byte(addr.String()), func(v []byte) (any, error) {
				if v == nil {
					return []string{}, nil
				}
				return json.RawMessage(v), nil
			})
		},
	}
	cmd.AddCommand(bank, device, devices, account, role)
	cmd.AddCommand(newQueryMileageCmd(g, f))
	cmd.AddCommand(newQueryMarketCmd(g, f))
	cmd.AddCommand(newQueryVehiclesCmd(g, f))
	cmd.AddCommand(newQueryValidatorsCmd(g, f))
	cmd.AddCommand(newReadingProofCmd(g))
	return g.outputFlag(cmd)
}

func decodeAmount(v []byte) (uint64, error) {
	if v == nil {
		return 0, nil
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("stored amount is %d bytes, want 8", len(v))
	}
	var n uint64
	for _, b := range v {
		n = n<<8 | uint64(b)
	}
	return n, nil
}
