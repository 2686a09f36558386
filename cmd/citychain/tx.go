package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
)

type txFlags struct {
	from    string
	memo    string
	timeout time.Duration
}

// submit signs msgs with the --from key, broadcasts them and waits for the
// block, printing the height and hash or the rejection's code and message.
func (g *globals) submit(ctx context.Context, f *txFlags, msgs ...tx.Msg) error {
	res, err := g.broadcast(ctx, f, msgs...)
	if err != nil {
		return err
	}
	if g.output == "json" {
		return g.printJSON(map[string]any{"hash": res.Hash, "height": res.Height, "code": 0})
	}
	fmt.Fprintf(g.out, "committed at height %d\ntx hash %s\n", res.Height, res.Hash)
	return nil
}

// broadcast signs msgs with --from, submits them and waits for their block;
// a transaction the chain rejected is printed (with -o json) and returned
// as an error.
func (g *globals) broadcast(ctx context.Context, f *txFlags, msgs ...tx.Msg) (*client.TxResult, error) {
	kr, err := g.keyring()
	if err != nil {
		return nil, err
	}
	if f.from == "" {
		return nil, errors.New("--from: name the key that signs")
	}
	key, err := kr.Get(f.from)
	if err != nil {
		return nil, err
	}
	c, err := client.New(g.node)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	res, err := c.Submit(ctx, key.Private, f.memo, msgs...)
	var te *client.TxError
	if errors.As(err, &te) && g.output == "json" {
		_ = g.printJSON(map[string]any{"hash": te.Hash, "height": te.Height, "codespace": te.Codespace, "code": te.Code, "log": te.Log})
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// resolve is a key name of the keyring or an address; what names the
// argument in the error.
func (g *globals) resolve(what, s string) (tx.Address, error) {
	kr, err := g.keyring()
	if err != nil {
		return tx.Address{}, err
	}
	a, err := kr.Resolve(s)
	if err != nil {
		return tx.Address{}, fmt.Errorf("%s: %w", what, err)
	}
	return a, nil
}

func (f *txFlags) register(cmd *cobra.Command) {
	cmd.PersistentFlags().StringVar(&f.from, "from", "", "name of the key that signs (in HOME/keys)")
	cmd.PersistentFlags().StringVar(&f.memo, "memo", "", "memo stored with the transaction")
	cmd.PersistentFlags().DurationVar(&f.timeout, "timeout", 30*time.Second, "how long to wait for inclusion")
}

func newTxCmd(g *globals) *cobra.Command {
	f := &txFlags{}
	cmd := &cobra.Command{Use: "tx", Short: "Sign, broadcast and wait for a transaction"}
	f.register(cmd)
	cmd.AddCommand(newTxBankCmd(g, f), newTxDeviceCmd(g, f), newTxRoleCmd(g, f))
	cmd.AddCommand(newTxMileageCmds(g, f)...)
	cmd.AddCommand(newTxMarketCmd(g, f))
	cmd.AddCommand(newTxVehiclesCmd(g, f))
	cmd.AddCommand(newTxValidatorCmd(g, f))
	return g.outputFlag(cmd)
}

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

func newTxDeviceCmd(g *globals, f *txFlags) *cobra.Command {
	var reg tx.MsgDeviceRegister
	var owner, pubkey string
	register := &cobra.Command{
		Use: "register ID --kind KIND --owner ADDRESS --pubkey HEX --from INSTALLER", Short: "Register a metering device",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			kr, err := g.keyring()
			if err != nil {
				return err
			}
			m := reg
			m.ID = args[0]
			if m.Owner, err = kr.Resolve(owner); err != nil {
				return fmt.Errorf("--owner: %w", err)
			}
			if m.PubKey, err = tx.ParsePubKey(pubkey); err != nil {
				return fmt.Errorf("--pubkey: %w", err)
			}
			if err := m.ValidateBasic(); err != nil {
				return err
			}
			return g.submit(cmd.Context(), f, &m)
		},
	}
	register.Flags().StringVar(&reg.Kind, "kind", tx.KindSolarInverter, "device kind: solar_inverter or ev_odometer")
	register.Flags().StringVar(&owner, "owner", "", "owner account (address or key name)")
	register.Flags().StringVar(&pubkey, "pubkey", "", "device ed25519 public key, 64 hex characters (edge-agent keygen prints it)")
	register.Flags().StringVar(&reg.Metadata.SerialNumber, "serial", "", "serial number")
	register.Flags().StringVar(&reg.Metadata.Manufacturer, "manufacturer", "", "manufacturer")
	register.Flags().StringVar(&reg.Metadata.Model, "model", "", "model")
	register.Flags().Uint64Var(&reg.Metadata.RatedPowerW, "rated-power-w", 0, "rated power in watts (inverters)")
	register.Flags().StringVar(&reg.Metadata.VIN, "vin", "", "vehicle identification number (odometers)")
	register.Flags().StringVar(&reg.Metadata.Site, "site", "", "installation site")

	var reason string
	revoke := &cobra.Command{
		Use: "revoke ID --from KEY", Short: "Revoke a device (owner or installer); cannot be undone",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.submit(cmd.Context(), f, &tx.MsgDeviceRevoke{ID: args[0], Reason: reason})
		},
	}
	revoke.Flags().StringVar(&reason, "reason", "", "why the device is revoked")

	var newKey string
	rotate := &cobra.Command{
		Use: "rotate ID --pubkey HEX --from KEY", Short: "Replace a device's key (new key epoch)",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pk, err := tx.ParsePubKey(newKey)
			if err != nil {
				return fmt.Errorf("--pubkey: %w", err)
			}
			return g.submit(cmd.Context(), f, &tx.MsgDeviceRotate{ID: args[0], PubKey: pk})
		},
	}
	rotate.Flags().StringVar(&newKey, "pubkey", "", "the new ed25519 public key, 64 hex characters")

	transfer := &cobra.Command{
		Use: "transfer ID NEW_OWNER --from OWNER", Short: "Give a device to a new owner",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			kr, err := g.keyring()
			if err != nil {
				return err
			}
			to, err := kr.Resolve(args[1])
			if err != nil {
				return fmt.Errorf("NEW_OWNER: %w", err)
			}
			return g.submit(cmd.Context(), f, &tx.MsgDeviceTransfer{ID: args[0], NewOwner: to})
		},
	}
	cmd := &cobra.Command{Use: "device", Short: "Register, revoke, rotate and transfer metering devices"}
	cmd.AddCommand(register, revoke, rotate, transfer)
	return cmd
}
