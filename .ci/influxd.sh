#!/usr/bin/env bash
# Builds the real InfluxDB 1.8 server the settlement tests run against into
# bin/influxd, from its Go module, where it is missing (about 90 s the first
# time). cmd/citychain/local finds it there (or through $CITYCHAIN_INFLUXD).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$PWD/bin/influxd"
if [ -x "$bin" ]; then
	echo "influxd: $bin present"
	exit 0
fi
echo "influxd: building $bin (about 90 s)"
mkdir -p "$PWD/bin"
GOBIN="$PWD/bin" GOFLAGS=-mod=mod go install github.com/influxdata/influxdb/cmd/influxd@v1.8.10
echo "influxd: $bin built"
