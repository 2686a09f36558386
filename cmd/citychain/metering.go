package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/citychain/citychain/chain/tx"
)

func newTxMeteringCmd(g *globals, f *txFlags) *cobra.Command {
	var reason string
	clearFraud := &cobra.Command{
		Use: "clear-fraud DEVICE --reason TEXT --from KEY", Short: "Clear a device's odometer fraud flag (authority or vehicle registrar); the flag is kept in its history",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m := &tx.MsgClearFraud{Device: args[0], Reason: reason}
			if err := m.ValidateBasic(); err != nil {
				return fmt.Errorf("%w (give --reason)", err)
			}
			return g.submit(cmd.Context(), f, m)
		},
	}
	clearFraud.Flags().StringVar(&reason, "reason", "", "why the flag is cleared (the investigation's outcome)")
	metering := &cobra.Command{Use: "metering", Short: "Metering: fraud flags"}
	metering.AddCommand(clearFraud)
	return metering
}
