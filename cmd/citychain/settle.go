package main

import (
	"errors"
	"log/slog"
	"os"

	"github.com/spf13/cobra"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/settlement"
)

// newSettleCmd runs a settlement replica: MQTT -> verify -> InfluxDB ->
// Merkle anchors and last readings on chain.
func newSettleCmd(g *globals) *cobra.Command {
	var (
		cfg  settlement.Config
		from string
	)
	cmd := &cobra.Command{
		Use:   "settle",
		Short: "Run a settlement replica: verify readings from MQTT, store them in InfluxDB, anchor each interval on chain",
		Long: `Consumes signed readings from the MQTT shared subscription
$share/<group>/citychain/v1/readings/+, verifies each against the on-chain
device registry, stores the valid ones in InfluxDB (each (device, seq) once),
and for every closed interval submits the last reading of each device and
anchors the RFC 6962 Merkle root of the interval's readings. Replicas with the
same --group split the load; each needs its own --client-id. See
docs/settlement.md.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fromEnv(&cfg.MQTTPassword, envMQTTPassword)
			fromEnv(&cfg.InfluxToken, envInfluxToken)
			c, err := client.New(g.node)
			if err != nil {
				return err
			}
			deps := settlement.Deps{Chain: c}
			if !cfg.NoAnchor {
				if from == "" {
					return errors.New("--from: name the key holding role settlement (or pass --no-anchor)")
				}
				kr, err := g.keyring()
				if err != nil {
					return err
				}
				k, err := kr.Get(from)
				if err != nil {
					return err
				}
				deps.Key = k.Private
			}
			svc, err := settlement.New(cfg, slog.New(slog.NewTextHandler(os.Stderr, nil)), deps)
			if err != nil {
				return err
			}
			defer svc.Close()
			return svc.Run(cmd.Context())
		},
	}
	f := cmd.Flags()
	f.StringVar(&from, "from", "settlement", "key (in HOME/keys) that signs anchors; its account needs role settlement")
	f.StringVar(&cfg.MQTTURL, "mqtt", "tcp://127.0.0.1:1883", "MQTT broker (ssl:// or mqtts:// for TLS)")
	f.StringVar(&cfg.MQTTCAFile, "mqtt-ca", "", "PEM CA bundle verifying the TLS broker (default: the system's roots)")
	f.StringVar(&cfg.MQTTCertFile, "mqtt-cert", "", "PEM client certificate for a broker that requires one; needs --mqtt-key")
	f.StringVar(&cfg.MQTTKeyFile, "mqtt-key", "", "the PEM private key of --mqtt-cert")
	f.StringVar(&cfg.MQTTServerName, "mqtt-server-name", "", "name checked in the broker's certificate (default: the --mqtt host)")
	f.StringVar(&cfg.Group, "group", "settle", "shared-subscription group; replicas of one group split the readings")
	f.StringVar(&cfg.ClientID, "client-id", "", "persistent MQTT session id, stable per replica (default settle-<hostname>)")
	f.StringVar(&cfg.MQTTUsername, "mqtt-username", "", "MQTT user name")
	f.StringVar(&cfg.MQTTPassword, "mqtt-password", "", "MQTT password (default $"+envMQTTPassword+", which keeps it out of the process list)")
	influxFlags{&cfg.InfluxURL, &cfg.InfluxToken, &cfg.InfluxOrg, &cfg.InfluxBucket, &cfg.Measurement}.register(cmd, defaultInfluxURL, "InfluxDB HTTP API")
	f.StringVar(&cfg.MetricsAddr, "metrics-addr", "", "serve Prometheus /metrics on this host:port")
	f.StringVar(&cfg.TLSCertFile, "tls-cert", "", "serve /metrics over HTTPS with this PEM certificate; needs --tls-key")
	f.StringVar(&cfg.TLSKeyFile, "tls-key", "", "the PEM private key of --tls-cert")
	f.IntVar(&cfg.Workers, "workers", 0, "parallel verifiers (default GOMAXPROCS)")
	f.IntVar(&cfg.BatchSize, "batch-size", 0, "readings per InfluxDB write (default 5000)")
	f.DurationVar(&cfg.FlushInterval, "flush-interval", 0, "how long a write batch waits to fill (default 10ms)")
	f.DurationVar(&cfg.DeviceTTL, "device-ttl", 0, "how long a registry entry is trusted (default 30s; negative: ask the chain for every reading)")
	f.DurationVar(&cfg.Grace, "grace", 0, "how long after an interval ends its readings may still arrive (default 10s)")
	f.DurationVar(&cfg.Lookback, "lookback", 0, "how far back unsettled intervals are looked for after a start (default 48h)")
	f.DurationVar(&cfg.TxTimeout, "tx-timeout", 0, "wait for a transaction's inclusion before resubmitting (default 30s)")
	f.BoolVar(&cfg.NoAnchor, "no-anchor", false, "only verify and store; another replica settles")
	return cmd
}
