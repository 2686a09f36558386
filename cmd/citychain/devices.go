package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
)

func newTxDeviceCmd(g *globals, f *txFlags) *cobra.Command {
	var reg tx.MsgDeviceRegister
	var owner, pubkey string
	register := &cobra.Command{
		Use: "register ID --kind KIND --owner ADDRESS --pubkey HEX --from INSTALLER", Short: "Register a metering device or a workplace terminal",
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
	register.Flags().StringVar(&reg.Kind, "kind", tx.KindSolarInverter, "device kind: solar_inverter, ev_odometer or work_terminal (a workplace time clock)")
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
		Use: "revoke ID --from KEY", Short: "Revoke a device (its installer of record or an authority); cannot be undone",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.submit(cmd.Context(), f, &tx.MsgDeviceRevoke{ID: args[0], Reason: reason})
		},
	}
	revoke.Flags().StringVar(&reason, "reason", "", "why the device is revoked")

	var newKey string
	rotate := &cobra.Command{
		Use: "rotate ID --pubkey HEX --from KEY", Short: "Replace a device's key (its installer of record or an authority): a new key epoch of the same meter",
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
	reassign := &cobra.Command{
		Use: "reassign-installer ID INSTALLER --from AUTHORITY", Short: "Make another installer the device's installer of record (an authority)",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			to, err := g.resolve("INSTALLER", args[1])
			if err != nil {
				return err
			}
			m := &tx.MsgDeviceReassignInstaller{ID: args[0], Installer: to}
			if err := m.ValidateBasic(); err != nil {
				return err
			}
			return g.submit(cmd.Context(), f, m)
		},
	}
	cmd := &cobra.Command{Use: "device", Short: "Register, revoke, rotate and transfer metering devices, and reassign their installer"}
	cmd.AddCommand(register, revoke, rotate, transfer, reassign)
	return cmd
}

func newQueryDeviceCmds(g *globals, f *queryFlags) []*cobra.Command {
	device := &cobra.Command{
		Use: "device ID", Short: "A registered device", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				return decoded(c.Device(ctx, args[0], o))
			})
		},
	}
	var pages pageFlags
	devices := &cobra.Command{
		Use: "devices OWNER", Short: "Devices owned by an account, in id order, a page at a time", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := g.resolve("OWNER", args[0])
			if err != nil {
				return err
			}
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				out := tx.DevicePage{Devices: []tx.Device{}}
				err := pages.each(ctx, f, func(ctx context.Context, pr tx.PageRequest, height int64) (string, int64, error) {
					p, err := c.DevicesByOwner(ctx, tx.DevicesByOwnerRequest{Owner: addr, PageRequest: pr}, height)
					if err != nil {
						return "", 0, err
					}
					out.Devices, out.Next = append(out.Devices, p.Devices...), p.Next
					return p.Next, p.Height, nil
				})
				return out, err
			})
		},
	}
	pages.register(devices, "a device id")
	return []*cobra.Command{device, devices}
}
