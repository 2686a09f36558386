package metering_test

import (
	"strings"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/metering"
)

// TestGenesisClockParams: interval_seconds and max_future_skew_seconds are
// bounded at genesis (1 to one day; at most one hour), and a genesis
// outside the bounds is refused (invalid metering genesis) naming the field, the
// value and the bound. Without the bound a skew of 2^63 or more turned
// negative in the reading check and refused every reading.
func TestGenesisClockParams(t *testing.T) {
	ok := func(interval, skew uint64) metering.Params {
		p := metering.DefaultParams()
		p.IntervalSeconds, p.MaxFutureSkewSeconds = interval, skew
		return p
	}
	for _, c := range []struct {
		name string
		p    metering.Params
		want []string // empty: accepted
	}{
		{"defaults", metering.DefaultParams(), nil},
		{"one-second intervals, no skew", ok(1, 0), nil},
		{"a day, an hour", ok(metering.IntervalSecondsMax, metering.FutureSkewSecondsMax), nil},
		{"zero interval", ok(0, 0), []string{"params.interval_seconds 0", "want 1 to 86400"}},
		{"interval past a day", ok(86_401, 300), []string{"params.interval_seconds 86401", "want 1 to 86400"}},
		{"skew past an hour", ok(900, 3_601), []string{"params.max_future_skew_seconds 3601", "want at most 3600"}},
		{"skew that wraps int64", ok(900, 1<<63), []string{"params.max_future_skew_seconds 9223372036854775808", "want at most 3600"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			st := apptest.BuildAppState(apptest.DemoAccounts(), nil)
			st.Metering.Params = c.p
			a := apptest.Open(t, apptest.Options{})
			_, err := a.App.InitChain(t.Context(), &abci.RequestInitChain{Time: apptest.GenesisTime, ChainId: apptest.ChainID,
				InitialHeight: 1, AppStateBytes: apptest.MustJSON(t, st)})
			if len(c.want) == 0 {
				if err != nil {
					t.Fatalf("genesis %+v: got %v, want accepted", c.p, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("genesis %+v: accepted, want an error naming %q", c.p, c.want)
			}
			for _, w := range append([]string{"invalid metering genesis"}, c.want...) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("genesis %+v: got %v, want it to mention %q", c.p, err, w)
				}
			}
		})
	}
}
