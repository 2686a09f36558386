#!/usr/bin/env bash
# The generic registry (issue 18): records created per second through a
# registry definition (decode a signed registry/create, verify its
# signature, the role check through the grant, the data canonicalised and
# validated against the registry's schema, the record, counts, state
# index, two field indexes and history written: registry.BenchmarkCreateRecord)
# against the same signed transactions and record bytes written by a
# hand-coded module path (decode, verify, one store.PutJSON:
# registry.BenchmarkHandCoded), in the same run.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .tmp/bench
COUNT=${COUNT:-3}
median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) {print "nan"} else if (NR%2) {print a[(NR+1)/2]} else {print (a[NR/2]+a[NR/2+1])/2}}'; }
metric() { grep -E "^$2(-[0-9]+)?[[:space:]]" "$1" | awk -v u="$3" '{for (i=2;i<=NF;i++) if ($i==u) print $(i-1)}' | median; }

echo "== registry: records created per second through a registry definition vs a hand-coded write =="
out=.tmp/bench/registry.txt
go test -run '^$' -bench 'BenchmarkCreateRecord|BenchmarkHandCoded' -count "$COUNT" ./chain/internal/registry/ | grep -E '^Benchmark' | tee "$out"
r=$(metric "$out" BenchmarkCreateRecord records/s)
h=$(metric "$out" BenchmarkHandCoded records/s)
awk -v r="$r" -v h="$h" 'BEGIN {printf "registry records: %.0f/s   hand-coded baseline (decode, verify, one store write): %.0f/s   ratio: %.2f (median of runs)\n", r, h, r/h}'
