// Package prod holds citychain's production deployment files (CometBFT
// config.toml of a validator, InfluxDB 1.8 configuration and retention
// policies, Prometheus alert rules, systemd units, an edge-agent sample
// configuration) and the tests that check them against the real
// components: CometBFT's config loader, a running influxd, the built
// binaries' flags, systemd-analyze and the metrics the code defines. See
// docs/operations.md.
package prod
