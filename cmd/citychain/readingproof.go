package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/settlement"
)

// newReadingProofCmd proves that a stored reading is under its interval's
// anchored Merkle root, the anchor itself proven against a signed header.
func newReadingProofCmd(g *globals) *cobra.Command {
	var (
		sc      settlement.StoreConfig
		timeout time.Duration
	)
	cmd := &cobra.Command{
		Use:   "reading-proof DEVICE SEQ",
		Short: "Prove a stored reading: its Merkle path to the interval's root, and that root's anchor on chain (proof verified from --trust-genesis or --trust-height/--trust-hash)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			fromEnv(&sc.Token, envInfluxToken)
			seq, err := strconv.ParseUint(args[1], 10, 64)
			if err != nil || seq == 0 {
				return fmt.Errorf("SEQ %q: want a sequence number >= 1", args[1])
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			c, err := g.provingClient()
			if err != nil {
				return err
			}
			defer c.Close()
			params, _, err := c.MeteringParams(ctx, client.ReadOpts{})
			if err != nil {
				return err
			}
			if params == nil {
				return fmt.Errorf("%w: metering params", client.ErrNotFound)
			}
			p, err := settlement.ProveReading(ctx, sc, params.IntervalSeconds, args[0], seq)
			if err != nil {
				return err
			}
			a, res, err := c.Anchor(ctx, p.Interval, client.ReadOpts{Prove: true})
			if err != nil {
				return err
			}
			ver, err := c.Verify(ctx, res)
			if err != nil {
				return fmt.Errorf("%w: anchor of interval %d: %w", client.ErrNotVerified, p.Interval, err)
			}
			if a == nil {
				return fmt.Errorf("interval %d is not anchored yet (proven absent at height %d); the rebuilt root is %x", p.Interval, res.Height, p.Root)
			}
			if !bytes.Equal(a.Root, p.Root) || a.Count != p.Size {
				return fmt.Errorf("MISMATCH: interval %d anchored root %x over %d readings, but the store rebuilds root %x over %d",
					p.Interval, a.Root, a.Count, p.Root, p.Size)
			}
			anchor := proofJSON(ver)
			anchor["interval"], anchor["root"], anchor["count"], anchor["height"] = p.Interval, a.Root, a.Count, res.Height
			out := map[string]any{
				"reading": p,
				"anchor":  anchor,
			}
			if g.output == "json" {
				return g.printJSON(out)
			}
			b, _ := json.MarshalIndent(p, "", "  ")
			fmt.Fprintf(g.out, "%s\nleaf %d of %d verifies against root %x\n", b, p.Index, p.Size, p.Root)
			fmt.Fprintf(g.out, "proof verified: interval %d anchored with that root at height %d, against app hash %X in header %d, signed by %d of %d voting power\n",
				p.Interval, res.Height, ver.AppHash, ver.HeaderHeight, ver.SignedPower, ver.TotalPower)
			fmt.Fprint(g.out, trustLine(ver))
			return nil
		},
	}
	f := cmd.Flags()
	influxFlags{&sc.URL, &sc.Token, &sc.Org, &sc.Bucket, &sc.Measurement}.register(cmd, defaultInfluxURL, "InfluxDB HTTP API")
	f.DurationVar(&timeout, "timeout", 30*time.Second, "give up after")
	return cmd
}
