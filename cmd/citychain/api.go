package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/citychain/citychain/api"
	"github.com/citychain/citychain/chain/client"
)

// newAPICmd is `citychain api`: the city API and dashboard against a node,
// and `citychain api hash-key` to make a consumer key.
func newAPICmd(g *globals) *cobra.Command {
	var (
		cfg       api.Config
		keysFile  string
		influx    api.InfluxConfig
		anonymous bool
	)
	cmd := &cobra.Command{
		Use:   "api",
		Short: "Serve the city API (REST, OpenAPI, server-sent events) and the dashboard against a node",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if keysFile != "" {
				b, err := os.ReadFile(keysFile)
				if err != nil {
					return fmt.Errorf("--keys: %w", err)
				}
				if err := json.Unmarshal(b, &cfg.Keys); err != nil {
					return fmt.Errorf("--keys %s: want a JSON array of {\"name\",\"sha256\",\"rate\",\"burst\"}: %w", keysFile, err)
				}
			}
			fromEnv(&influx.Token, envInfluxToken)
			if influx.URL != "" {
				cfg.Influx = &influx
			}
			cfg.AnonymousReads = anonymous
			trust, err := g.trust.config() // --trust-genesis or --trust-height/--trust-hash, for ?prove=true
			if err != nil {
				return err
			}
			cfg.Trust = trust
			if trust == nil {
				fmt.Fprintln(os.Stderr, "warning: no trust root (--trust-genesis, or --trust-height and --trust-hash): ?prove=true answers carry their proofs unverified")
			}
			c, err := client.New(g.node)
			if err != nil {
				return err
			}
			defer c.Close()
			s, err := api.New(cfg, c)
			if err != nil {
				return err
			}
			return s.Run(cmd.Context())
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Listen, "listen", "127.0.0.1:8080", "HTTP listen address")
	f.StringVar(&cfg.TLSCertFile, "tls-cert", "", "serve HTTPS with this PEM certificate (chain) file; needs --tls-key")
	f.StringVar(&cfg.TLSKeyFile, "tls-key", "", "the PEM private key of --tls-cert")
	f.StringVar(&keysFile, "keys", "", "JSON file of API keys: [{\"name\":\"agency\",\"sha256\":\"<hash-key output>\",\"rate\":10,\"burst\":20}]")
	f.BoolVar(&anonymous, "anonymous-reads", false, "let GET requests without a key through, rate limited per client address")
	f.Float64Var(&cfg.AnonymousRate, "anonymous-rate", 5, "requests per second per anonymous client")
	influxFlags{url: &influx.URL, token: &influx.Token, org: &influx.Org, bucket: &influx.Bucket}.register(cmd, "", "InfluxDB URL (readings endpoints answer 503 without it)")
	f.DurationVar(&cfg.ReadHeaderTimeout, "read-header-timeout", 5*time.Second, "time a client has to send its request headers")
	f.IntVar(&cfg.MaxStreamsPerClient, "max-streams-per-client", 4, "event streams one client (remote IP address) may hold open; one more is refused with 429")
	f.IntVar(&cfg.MaxStreams, "max-streams", 256, "event streams the server holds open in all; one more is refused with 503")
	f.DurationVar(&cfg.StreamWriteTimeout, "stream-write-timeout", 10*time.Second, "time each write to an event stream may take; a client that does not read is dropped")

	hash := &cobra.Command{
		Use:   "hash-key",
		Short: "Make a new random API key and print it with the SHA-256 the configuration stores",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			key, h, err := api.NewKey()
			if err != nil {
				return err
			}
			fmt.Fprintf(g.out, "key:    %s   (give this to the consumer; it is not stored)\nsha256: %s   (put this in --keys)\n", key, h)
			return nil
		},
	}
	cmd.AddCommand(hash)
	return cmd
}
