package devnet

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/citychain/citychain/chain/client"
)

// IntervalReport is what the devnet prints for each settled interval.
type IntervalReport struct {
	Interval  uint64
	Start     time.Time
	Anchored  bool
	Readings  uint64 // under the anchor's Merkle root
	Root      string
	EnergyWh  uint64 // metered by inverters, from the chain's deltas
	DistanceM uint64 // driven by EVs, from the chain's deltas
	// Accepted and Rejected count the settlement service's verdicts since
	// the previous report.
	Accepted, Rejected uint64
}

func (r IntervalReport) String() string {
	anchor := "not anchored"
	if r.Anchored {
		root := r.Root
		if len(root) > 12 {
			root = root[:12] + "…"
		}
		anchor = fmt.Sprintf("%d readings anchored (root %s)", r.Readings, root)
	}
	return fmt.Sprintf("interval %d %s: %s; accepted %d, rejected %d; energy %d Wh, distance %d m",
		r.Interval, r.Start.UTC().Format("15:04:05"), anchor, r.Accepted, r.Rejected, r.EnergyWh, r.DistanceM)
}

type intervalValue struct {
	Interval uint64 `json:"interval"`
	Delta    uint64 `json:"delta"`
}

type anchorView struct {
	Root  string `json:"root"`
	Count uint64 `json:"count"`
}

// Report reads interval's anchor and metered totals from the chain.
func Report(ctx context.Context, c *client.Client, interval uint64, intervalSeconds uint64) (IntervalReport, error) {
	r := IntervalReport{Interval: interval, Start: time.Unix(int64(interval*intervalSeconds), 0)}
	res, err := c.Query(ctx, "/metering/anchor", []byte(strconv.FormatUint(interval, 10)), 0, false)
	if err != nil {
		return r, err
	}
	if res.Found() {
		var a anchorView
		if err := json.Unmarshal(res.Value, &a); err != nil {
			return r, fmt.Errorf("decode anchor: %w", err)
		}
		r.Anchored, r.Readings, r.Root = true, a.Count, a.Root
	}
	for _, k := range []struct {
		kind string
		dst  *uint64
	}{{"energy_wh", &r.EnergyWh}, {"odometer_m", &r.DistanceM}} {
		req, _ := json.Marshal(map[string]any{"kind": k.kind, "from": interval, "to": interval})
		var vals []intervalValue
		if err := c.QueryJSON(ctx, "/metering/totals", req, &vals); err != nil {
			return r, err
		}
		for _, v := range vals {
			*k.dst += v.Delta
		}
	}
	return r, nil
}

// Watch prints a report line for every interval that closes while the
// devnet runs, once it is anchored or two intervals later, until ctx ends.
func (s *System) Watch(ctx context.Context) error {
	c, err := client.New(s.Node.RPCAddress())
	if err != nil {
		return err
	}
	var params struct {
		IntervalSeconds uint64 `json:"interval_seconds"`
	}
	if err := c.QueryJSON(ctx, "/metering/params", nil, &params); err != nil {
		return err
	}
	next := uint64(0)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if err := s.Err(); err != nil {
			return err
		}
		st, err := c.RPC().Status(ctx)
		if err != nil {
			continue
		}
		cur := uint64(st.SyncInfo.LatestBlockTime.Unix()) / params.IntervalSeconds
		if next == 0 {
			next = cur // report from the first interval that closes from now on
		}
		for next < cur {
			r, err := Report(ctx, c, next, params.IntervalSeconds)
			if err != nil {
				break
			}
			if !r.Anchored && cur < next+2 {
				break // give settlement time to anchor
			}
			fmt.Fprintln(s.cfg.Out, r)
			next++
		}
	}
}
