package main

import (
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/citychain/citychain/cmd/citychain/testnet"
)

// newTestnetRunCmd is `citychain testnet run`: a real multi-process network
// on this machine (cmd/citychain/testnet) in the foreground.
func newTestnetRunCmd(g *globals) *cobra.Command {
	var (
		cfg     testnet.Config
		verbose bool
	)
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run a multi-process network on this machine until interrupted: validators, Mosquitto, InfluxDB, settlement, simulators, edge agents, API",
		Long: `run creates DIR on first use (validator homes node0..N-1 sharing one
genesis with the simulated devices registered, demo account keys in DIR/keys,
device keys in DIR/devices) and runs every part as its own process: the
validators (bin/citychain node, P2P through loopback relays), Mosquitto with
persistence and a user per gateway, settlement and an observer (DIR/mqtt), InfluxDB (bin/influxd), bin/citychain settle, bin/citychain sim,
one bin/edge-agent per gateway and bin/citychain api, all on free loopback
ports, logs in DIR/logs. It prints "testnet ready" and the endpoints once
every validator produces blocks and readings are stored; Ctrl-C or SIGTERM
stops everything. Running it again on DIR continues the same chain.
make testnet-up / testnet-down run it in the background.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			level := slog.LevelWarn
			if verbose {
				level = slog.LevelInfo
			}
			cfg.Logger = newLoggerAt(level)
			n, err := testnet.Start(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			for _, v := range n.Validators {
				fmt.Fprintf(g.out, "validator %d RPC: %s (home %s)\n", v.Index, v.RPCURL, v.Home)
			}
			fmt.Fprintf(g.out, "API:      %s/ (OpenAPI at /openapi.json)\n", n.APIURL)
			fmt.Fprintf(g.out, "MQTT:     %s (users and passwords in %s/mqtt/credentials.json; observer %q reads everything)\n", n.Mosquitto.URL(), n.Dir(), n.MQTTObserver)
			fmt.Fprintf(g.out, "InfluxDB: %s (bucket %s)\n", n.Influx.URL, n.InfluxBucket)
			fmt.Fprintf(g.out, "keys:     %s\n", n.Keys)
			fmt.Fprintf(g.out, "logs:     %s/logs\n", n.Dir())
			fmt.Fprintf(g.out, "testnet ready: chain %s, %d validators, %d devices on %d edge agents, interval %ds (Ctrl-C stops)\n",
				n.ChainID, len(n.Validators), len(n.Manifest.Devices), len(n.Agents), n.IntervalSeconds)
			<-cmd.Context().Done()
			fmt.Fprintln(g.out, "stopping testnet")
			if err := n.Close(); err != nil {
				return err
			}
			fmt.Fprintln(g.out, "testnet stopped")
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Dir, "dir", "./.tmp/testnet", "directory of the network: homes, keys, data, logs")
	f.IntVar(&cfg.Validators, "validators", 4, "number of validators (at creation; must match on a rerun)")
	f.IntVar(&cfg.Inverters, "inverters", 8, "simulated inverters (at creation)")
	f.IntVar(&cfg.EVs, "evs", 2, "simulated EVs (at creation)")
	f.Uint64Var(&cfg.IntervalSeconds, "interval-seconds", 20, "settlement interval in seconds (at creation)")
	f.Float64Var(&cfg.Speed, "speed", 60, "simulated seconds per real second (at creation)")
	f.DurationVar(&cfg.TimeoutCommit, "timeout-commit", 0, "CometBFT timeout_commit (default 500ms)")
	f.StringVar(&cfg.Bin, "bin", "", "directory with the citychain and edge-agent binaries (default <repo>/bin; make build)")
	f.BoolVar(&verbose, "verbose", false, "log informational messages of the harness")
	return cmd
}
