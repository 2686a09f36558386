#!/usr/bin/env bash
# Settlement ingest: signed readings per second through a real Mosquitto into
# the settlement service (verify against the chain registry, dedupe, batched
# InfluxDB writes, ack), against raw ed25519 verification on this machine
# (all cores) measured in the same run; and p99 latency from signing to
# stored at a steady 4,000 readings/s.
set -euo pipefail
cd "$(dirname "$0")/../.."
./.ci/influxd.sh >/dev/null
mkdir -p .tmp/bench
COUNT=${COUNT:-3}
out=.tmp/bench/settlement.txt
median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) {print "nan"} else if (NR%2) {print a[(NR+1)/2]} else {print (a[NR/2]+a[NR/2+1])/2}}'; }
metric() { grep -E "^$2(-[0-9]+)?[[:space:]]" "$1" | awk -v u="$3" '{for (i=2;i<=NF;i++) if ($i==u) print $(i-1)}' | median; }

echo "== settlement: signed readings per second, Mosquitto -> verify -> InfluxDB =="
: >"$out"
go test -run '^$' -bench 'BenchmarkVerifyEd25519|BenchmarkVerifyZIP215' -count "$COUNT" ./settlement/ | grep -E '^Benchmark' | tee -a "$out"
go test -run '^$' -bench 'BenchmarkIngest|BenchmarkLatency' -benchtime 1x -count "$COUNT" ./settlement/ 2>/dev/null | grep -E '^Benchmark' | tee -a "$out"
r=$(metric "$out" BenchmarkIngest readings/s)
v=$(metric "$out" BenchmarkVerifyEd25519 verify/s)
z=$(metric "$out" BenchmarkVerifyZIP215 verify/s)
p=$(metric "$out" BenchmarkLatency p99-ms)
awk -v r="$r" -v v="$v" -v z="$z" -v p="$p" 'BEGIN {printf "settlement ingest: %.0f readings/s   raw ed25519 verify baseline: %.0f verify/s   ratio: %.2f   ZIP-215 verify (the rule settlement uses): %.0f verify/s   ratio: %.2f   p99 signing-to-stored at 4000/s: %.1f ms (median of runs)\n", r, v, r/v, z, r/z, p}'
