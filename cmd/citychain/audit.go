package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/settlement"
)

// exitError is a command error with a process exit status other than 1.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// exitCode is the process exit status for an error a command returned: 1
// unless the command chose another.
func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return 1
}

// usageError marks err as a usage or connection error of audit (status 2).
func usageError(err error) error {
	if err == nil {
		return nil
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return err
	}
	return &exitError{code: 2, err: err}
}

// newAuditCmd checks InfluxDB against the chain's anchors and deltas.
func newAuditCmd(g *globals) *cobra.Command {
	var (
		sc       settlement.StoreConfig
		from, to string
		grace    time.Duration
		timeout  time.Duration
	)
	cmd := &cobra.Command{
		Use:   "audit --from INTERVAL --to INTERVAL",
		Short: "Check the readings stored in InfluxDB against the chain: anchors (proven), last readings and deltas per device",
		Long: `audit rebuilds every interval's Merkle root and count from the readings stored
in InfluxDB and compares them with the interval's anchor on chain (proven
against a header the light client verified from the trust root,
--trust-genesis or --trust-height/--trust-hash); it reports intervals stored but not anchored and
anchored but not stored, duplicate and conflicting points, misplaced points,
readings out of order, and per device the chain's last reading and delta of
the interval against what the stored readings give. See docs/settlement.md
("Audit").

INTERVAL is an interval number, an RFC 3339 time (its interval), "last" (the
latest interval that is closed and past --grace at the latest block's time)
or "last-N" (N intervals before that).

Exit status: 0 clean, 1 discrepancies found (the report is printed),
2 bad usage or a store or node that cannot be read.`,
		Args: func(cmd *cobra.Command, args []string) error { return usageError(cobra.NoArgs(cmd, args)) },
		RunE: func(cmd *cobra.Command, _ []string) error {
			if g.output != "text" && g.output != "json" {
				return usageError(fmt.Errorf("--output %q: want text or json", g.output))
			}
			fromEnv(&sc.Token, envInfluxToken)
			if sc.Bucket == "" {
				return usageError(errors.New("--influx-bucket: required (InfluxDB 1.8: database/retention-policy)"))
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			c, err := g.provingClient() // anchors are proven: needs a trust root
			if err != nil {
				return usageError(err)
			}
			defer c.Close()
			lo, err := resolveAuditInterval(ctx, c, "--from", from, grace)
			if err != nil {
				return usageError(err)
			}
			hi, err := resolveAuditInterval(ctx, c, "--to", to, grace)
			if err != nil {
				return usageError(err)
			}
			rep, err := settlement.Audit(ctx, sc, c, lo, hi)
			if err != nil {
				return usageError(err)
			}
			if g.output == "json" {
				err = g.printJSON(rep)
			} else {
				err = rep.WriteText(g.out)
			}
			if err != nil {
				return usageError(err)
			}
			if !rep.Clean() {
				return &exitError{code: 1, err: fmt.Errorf("audit of intervals %d..%d: %d discrepancies", lo, hi, len(rep.Findings))}
			}
			return nil
		},
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError(err) })
	f := cmd.Flags()
	f.StringVar(&from, "from", "", `first interval: a number, an RFC 3339 time, "last" or "last-N" (required)`)
	f.StringVar(&to, "to", "last", `last interval, as --from`)
	f.DurationVar(&grace, "grace", 10*time.Second, `settlement's --grace: "last" skips intervals that ended less than this before the latest block`)
	influxFlags{&sc.URL, &sc.Token, &sc.Org, &sc.Bucket, &sc.Measurement}.register(cmd, defaultInfluxURL, "InfluxDB HTTP API")
	f.DurationVar(&timeout, "timeout", 30*time.Minute, "give up after")
	return g.outputFlag(cmd)
}

// resolveAuditInterval reads an INTERVAL flag value.
func resolveAuditInterval(ctx context.Context, c *client.Client, flag, s string, grace time.Duration) (uint64, error) {
	if s == "" {
		return 0, fmt.Errorf(`%s: required; want an interval number, an RFC 3339 time, "last" or "last-N"`, flag)
	}
	if n, err := strconv.ParseUint(s, 10, 64); err == nil {
		return n, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		secs, err := auditIntervalSeconds(ctx, c)
		if err != nil {
			return 0, err
		}
		if t.Unix() < 0 {
			return 0, fmt.Errorf("%s %q: want a time after 1970", flag, s)
		}
		return uint64(t.Unix()) / secs, nil
	}
	back, ok := uint64(0), s == "last"
	if rest, found := strings.CutPrefix(s, "last-"); found {
		n, err := strconv.ParseUint(rest, 10, 64)
		back, ok = n, err == nil
	}
	if !ok {
		return 0, fmt.Errorf(`%s %q: want an interval number, an RFC 3339 time (2026-12-01T10:00:00Z), "last" or "last-N"`, flag, s)
	}
	secs, err := auditIntervalSeconds(ctx, c)
	if err != nil {
		return 0, err
	}
	st, err := c.RPC().Status(ctx)
	if err != nil {
		return 0, fmt.Errorf("node status: %w", err)
	}
	// Interval i is settled once its end plus grace has passed:
	// (i+1)·secs + grace <= block time.
	settledBelow := st.SyncInfo.LatestBlockTime.Add(-grace).Unix()
	if settledBelow < 0 || uint64(settledBelow)/secs < back+1 {
		return 0, fmt.Errorf("%s %q: the chain (latest block %s) has fewer than %d settled intervals", flag, s, st.SyncInfo.LatestBlockTime.UTC().Format(time.RFC3339), back+1)
	}
	return uint64(settledBelow)/secs - 1 - back, nil
}

func auditIntervalSeconds(ctx context.Context, c *client.Client) (uint64, error) {
	p, _, err := c.MeteringParams(ctx, client.ReadOpts{})
	if err != nil {
		return 0, err
	}
	if p == nil || p.IntervalSeconds == 0 {
		return 0, errors.New("metering params: interval_seconds is 0")
	}
	return p.IntervalSeconds, nil
}
