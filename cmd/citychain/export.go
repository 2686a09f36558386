package main

import (
	"fmt"
	"os"

	"github.com/cometbft/cometbft/libs/json"
	"github.com/spf13/cobra"

	"github.com/citychain/citychain/chain/node"
)

func newExportCmd(g *globals) *cobra.Command {
	var (
		height  int64
		out     string
		chainID string
		verify  bool
	)
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write a stopped node's state at a height as the genesis of a new chain",
		Long: `Reads the committed state of the node in --home (stop it first) at --height
(default: the last committed height) and writes it as a genesis document:
every module's state, the validator set, the block time as the genesis time.
A new node started from it has the same state (the same state hash). This is
how state is carried across a breaking upgrade (docs/operations.md).
Unless --verify=false, the genesis is imported into a fresh in-memory
application first, and the export fails if its state hash differs.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if height < 0 {
				return fmt.Errorf("--height %d: want 0 (the last committed height) or a committed height", height)
			}
			e, err := node.Export(g.home, height, chainID)
			if err != nil {
				return err
			}
			if verify {
				if err := node.VerifyExport(e); err != nil {
					return err
				}
			}
			b, err := json.MarshalIndent(e.Genesis, "", "  ")
			if err != nil {
				return err
			}
			b = append(b, '\n')
			if out == "" || out == "-" {
				_, err = g.out.Write(b)
				return err
			}
			if err := os.WriteFile(out, b, 0o644); err != nil {
				return fmt.Errorf("--out: %w", err)
			}
			checked := ""
			if verify {
				checked = " (a fresh import reproduces it)"
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "exported height %d of %s to %s; state hash %X%s\n", e.Height, e.SourceChainID, out, e.StateHash, checked)
			return nil
		},
	}
	cmd.Flags().Int64Var(&height, "height", 0, "height to export (0: the last committed height)")
	cmd.Flags().StringVar(&out, "out", "", "file to write the genesis to (default: standard output)")
	cmd.Flags().StringVar(&chainID, "chain-id", "", "chain id of the new chain (default: the exported chain's)")
	cmd.Flags().BoolVar(&verify, "verify", true, "import the genesis into a fresh application and check the state hash before writing")
	return cmd
}
