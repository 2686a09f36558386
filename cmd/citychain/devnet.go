package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/spf13/cobra"

	"github.com/citychain/citychain/api"
	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/cmd/citychain/devnet"
)

func newDevnetCmd(g *globals) *cobra.Command {
	f := &nodeFlags{}
	var (
		chainOnly bool
		verbose   bool
		apiListen string
		c         devnet.Config
	)
	cmd := &cobra.Command{
		Use:   "devnet",
		Short: "Create (if missing) and run the whole system on one machine: validator, broker, InfluxDB, simulated meters, edge agents, settlement",
		Long: `devnet creates HOME on first use (validator, demo accounts with keys in
HOME/keys, simulated devices registered in genesis with keys in HOME/devices)
and runs everything: a single validator, an embedded MQTT broker (or --mqtt),
InfluxDB from bin/influxd (or --influx-url), 20 simulated SunSpec inverters and
5 EV odometer units, their edge agents, the settlement service and the city
API with its dashboard (--api-listen, http://127.0.0.1:8080/ by default; reads
without a key). It prints a line per settlement interval. --chain-only runs
just the validator.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.rpcLaddr == "" {
				f.rpcLaddr = "tcp://127.0.0.1:26657"
			}
			if chainOnly {
				return runChainOnly(cmd, g, f, c.TimeoutCommit)
			}
			c.Home, c.RPCListen, c.P2PListen, c.CometLogLevel = g.home, f.rpcLaddr, f.p2pLaddr, f.logLevel
			c.Out, c.Logger = g.out, newLogger()
			if !verbose {
				c.Logger = newLoggerAt(slog.LevelWarn)
			}
			sys, err := devnet.Start(cmd.Context(), c)
			if err != nil {
				return err
			}
			fmt.Fprintf(g.out, "devnet running: chain %s, RPC %s, MQTT %s, InfluxDB %s (bucket %s)\n",
				node.DevnetChainID, sys.Node.RPCAddress(), sys.MQTTURL, sys.InfluxURL, sys.InfluxBucket)
			ctx, cancel := context.WithCancel(cmd.Context())
			defer cancel()
			apiDone := make(chan error, 1)
			if apiListen == "" {
				apiDone <- nil
			} else {
				ln, err := startDevnetAPI(ctx, sys, apiListen, c.Logger, apiDone)
				if err != nil {
					return errors.Join(err, sys.Close())
				}
				fmt.Fprintf(g.out, "city API and dashboard: http://%s/ (OpenAPI at /openapi.json, reference at /docs)\n", ln)
			}
			fmt.Fprintf(g.out, "%d devices on %d edge agents; one line per settled interval follows (Ctrl-C stops)\n", len(sys.Manifest.Devices), len(sys.Agents))
			werr := sys.Watch(ctx)
			fmt.Fprintln(g.out, "stopping devnet")
			cancel()
			return errors.Join(werr, <-apiDone, sys.Close())
		},
	}
	f.register(cmd)
	fl := cmd.Flags()
	fl.BoolVar(&chainOnly, "chain-only", false, "run only the validator")
	fl.StringVar(&apiListen, "api-listen", "127.0.0.1:8080", "address of the city API and dashboard (empty: none)")
	fl.BoolVar(&verbose, "verbose", false, "log every part's informational messages (default: warnings and errors)")
	fl.DurationVar(&c.TimeoutCommit, "timeout-commit", 0, "CometBFT timeout_commit for a new devnet (default 1s)")
	fl.StringVar(&c.MQTTURL, "mqtt", "", "external MQTT broker URL (default: embedded broker)")
	fl.StringVar(&c.MQTTListen, "mqtt-listen", "127.0.0.1:1883", "address of the embedded MQTT broker")
	fl.StringVar(&c.InfluxURL, "influx-url", "", "external InfluxDB URL (default: bin/influxd started in HOME/influxdb)")
	fl.StringVar(&c.InfluxToken, "influx-token", "", "external InfluxDB token")
	fl.StringVar(&c.InfluxBucket, "influx-bucket", "", "external InfluxDB bucket (db/rp on InfluxDB 1.8)")
	fl.StringVar(&c.InfluxListen, "influx-listen", "127.0.0.1:8086", "address of the local InfluxDB")
	fl.IntVar(&c.Inverters, "inverters", 20, "simulated inverters (at creation)")
	fl.IntVar(&c.EVs, "evs", 5, "simulated EVs (at creation)")
	fl.IntVar(&c.SimBasePort, "sim-base-port", 5020, "first simulator Modbus port (0: free ports)")
	fl.Float64Var(&c.Speed, "speed", 60, "simulated seconds per real second (at creation)")
	fl.DurationVar(&c.PollInterval, "poll-interval", 2*time.Second, "edge agents' poll interval")
	fl.Uint64Var(&c.IntervalSeconds, "interval-seconds", node.DevnetInterval, "settlement interval in seconds (at creation)")
	return cmd
}

// startDevnetAPI serves the city API and dashboard against the devnet's
// node and InfluxDB, reads open to anyone on the machine, until ctx ends;
// done receives Serve's result. It returns the bound address.
func startDevnetAPI(ctx context.Context, sys *devnet.System, listen string, log *slog.Logger, done chan<- error) (string, error) {
	nc, err := client.New(sys.Node.RPCAddress())
	if err != nil {
		return "", err
	}
	// Proofs are verified from the genesis the devnet wrote.
	trust, err := client.TrustGenesisFile(sys.Node.Config().GenesisFile())
	if err != nil {
		return "", err
	}
	s, err := api.New(api.Config{
		Listen: listen, AnonymousReads: true, AnonymousRate: 50, AnonymousBurst: 200, Logger: log.With("part", "api"),
		Influx: &api.InfluxConfig{URL: sys.InfluxURL, Token: sys.InfluxToken, Bucket: sys.InfluxBucket}, Trust: &trust,
	}, nc)
	if err != nil {
		return "", err
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		_ = s.Close()
		return "", fmt.Errorf("--api-listen %s: %w", listen, err)
	}
	go func() { done <- s.Serve(ctx, ln) }()
	return ln.Addr().String(), nil
}

// runChainOnly runs just the validator of a devnet home.
func runChainOnly(cmd *cobra.Command, g *globals, f *nodeFlags, timeoutCommit time.Duration) error {
	created, err := node.EnsureDevnet(g.home, node.DevnetOptions{RPCListen: f.rpcLaddr, P2PListen: f.p2pLaddr, TimeoutCommit: timeoutCommit})
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(g.out, "created devnet home %s (keys in %s)\n", g.home, node.KeyringDir(g.home))
	}
	n, err := node.Start(node.Options{Home: g.home, RPCListen: f.rpcLaddr, P2PListen: f.p2pLaddr, CometLogLevel: f.logLevel, Logger: newLogger()})
	if err != nil {
		return err
	}
	if err := n.WaitForHeight(cmd.Context(), 1); err != nil {
		return errors.Join(err, n.Stop())
	}
	fmt.Fprintf(g.out, "devnet running: chain %s, RPC %s\n", node.DevnetChainID, n.RPCAddress())
	fmt.Fprintf(g.out, "try: citychain --home %s --node %s query bank balance alice --prove --trust-genesis %s\n", g.home, n.RPCAddress(), node.GenesisFile(g.home))
	<-cmd.Context().Done()
	fmt.Fprintln(g.out, "stopping devnet")
	return n.Stop()
}
