// Command edge-agent is the citychain gateway: it polls Modbus meters,
// signs cumulative readings with per-device ed25519 keys, keeps them in a
// durable outbox and publishes them over MQTT. See docs/edge-agent.md.
//
//	edge-agent keygen --out FILE
//	edge-agent run --config FILE [--log-level debug|info|warn|error]
package main

import (
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/citychain/citychain/edge/agent"
)

const usage = `usage:
  edge-agent keygen --out FILE              create a device key (mode 0600), print its public key (hex)
  edge-agent run --config FILE [--log-level L]  run the gateway
`

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "edge-agent:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("missing command")
	}
	switch args[0] {
	case "keygen":
		fs := flag.NewFlagSet("keygen", flag.ContinueOnError)
		fs.SetOutput(stderr)
		out := fs.String("out", "", "key file to create (must not exist)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *out == "" {
			return errors.New("keygen: --out is required")
		}
		pub, err := agent.GenerateKey(*out)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, hex.EncodeToString(pub))
		return nil
	case "run":
		fs := flag.NewFlagSet("run", flag.ContinueOnError)
		fs.SetOutput(stderr)
		path := fs.String("config", "", "YAML config file")
		level := fs.String("log-level", "info", "debug, info, warn or error")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *path == "" {
			return errors.New("run: --config is required")
		}
		var lvl slog.Level
		if err := lvl.UnmarshalText([]byte(*level)); err != nil {
			return fmt.Errorf("--log-level %q: want debug, info, warn or error", *level)
		}
		logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lvl}))
		cfg, err := agent.LoadConfig(*path)
		if err != nil {
			return err
		}
		a, err := agent.New(cfg, logger)
		if err != nil {
			return err
		}
		defer a.Close()
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		logger.Info("edge agent running", "gateway", cfg.GatewayID, "devices", len(cfg.Devices), "metrics", a.MetricsAddr())
		return a.Run(ctx)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", args[0])
	}
}
