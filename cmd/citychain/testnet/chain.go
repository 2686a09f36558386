package testnet

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/simulators"
)

// Height is the latest committed height reported by the node at rpcURL.
func Height(ctx context.Context, rpcURL string) (int64, error) {
	c, err := client.New(rpcURL)
	if err != nil {
		return 0, err
	}
	st, err := c.RPC().Status(ctx)
	if err != nil {
		return 0, fmt.Errorf("status of %s: %w", rpcURL, err)
	}
	return st.SyncInfo.LatestBlockHeight, nil
}

// Anchor is an interval's anchor on chain.
type Anchor struct {
	Interval uint64 `json:"interval"`
	Count    uint64 `json:"count"`
	Height   int64  `json:"height"`
}

// AnchorOf reads interval's anchor; found is false while it has none.
func AnchorOf(ctx context.Context, rpcURL string, interval uint64) (a Anchor, found bool, err error) {
	c, err := client.New(rpcURL)
	if err != nil {
		return a, false, err
	}
	err = c.QueryJSON(ctx, "/metering/anchor", []byte(strconv.FormatUint(interval, 10)), &a)
	if errors.Is(err, client.ErrNotFound) {
		return a, false, nil
	}
	return a, err == nil, err
}

func queryJSON(ctx context.Context, rpcURL, path string, v any) error {
	c, err := client.New(rpcURL)
	if err != nil {
		return err
	}
	return c.QueryJSON(ctx, path, nil, v)
}

// simYAML writes a simulators config as `citychain sim --config` reads it
// (docs/simulators.md).
func simYAML(c simulators.Config) string {
	var b strings.Builder
	b.WriteString("# Written by deploy/testnet before each start of the simulators:\n# the world's clock and counters continue.\n")
	fmt.Fprintf(&b, "speed: %g\nstart: %s\ndevices:\n", c.Speed, c.Start.Format(time.RFC3339Nano))
	for _, d := range c.Devices {
		fmt.Fprintf(&b, "  - kind: %s\n    id: %s\n    listen: %s\n    unit_id: %d\n    seed: %d\n", d.Kind, d.ID, d.Listen, max(d.UnitID, 1), d.Seed)
		if d.Kind == simulators.KindSolarInverter {
			fmt.Fprintf(&b, "    rated_power_w: %d\n    initial_wh: %d\n", d.RatedPowerW, d.InitialWh)
		} else {
			fmt.Fprintf(&b, "    initial_odometer_m: %d\n", d.InitialOdometerM)
		}
	}
	return b.String()
}
