#!/usr/bin/env bash
# City API read throughput and p99 latency at a fixed request rate, from a
# Go load generator on loopback (api.BenchmarkLoad): a balance read (an ABCI
# query through an in-process node) against static /healthz measured in the
# same run as the baseline. API_BENCH_RATE (req/s, 500) and
# API_BENCH_SECONDS (10) set the load.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .tmp/bench
out=.tmp/bench/api.txt
echo "== api: balance read vs /healthz at ${API_BENCH_RATE:-500} req/s for ${API_BENCH_SECONDS:-10}s, loopback =="
go test -run '^$' -bench 'BenchmarkLoad' -benchtime 1x -count 1 ./api/ | tee "$out"
val() { grep -E "^BenchmarkLoad/$1(-[0-9]+)?[[:space:]]" "$out" | awk -v u="$2" '{for (i=2;i<=NF;i++) if ($i==u) print $(i-1)}' | head -1; }
bt=$(val balance req/s); bp=$(val balance p99-ms)
ht=$(val healthz req/s); hp=$(val healthz p99-ms)
awk -v bt="$bt" -v bp="$bp" -v ht="$ht" -v hp="$hp" 'BEGIN {
	printf "balance: %.0f req/s, p99 %.2f ms   healthz baseline: %.0f req/s, p99 %.2f ms\n", bt, bp, ht, hp
	printf "ratios: throughput %.2f, p99 latency %.1fx the baseline\n", bt/ht, (hp > 0 ? bp/hp : 0)
}'
