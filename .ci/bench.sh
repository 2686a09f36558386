#!/usr/bin/env bash
# make bench: every benchmark prints its result next to a baseline measured in
# the same run, and the ratio. Raw `go test -bench` output is kept in
# .tmp/bench/ for benchstat.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tmp/bench
COUNT=${COUNT:-3}

median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) {print "nan"} else if (NR%2) {print a[(NR+1)/2]} else {print (a[NR/2]+a[NR/2+1])/2}}'; }
metric() { # metric FILE BENCH UNIT -> median of that unit's values
	grep -E "^$2(-[0-9]+)?[[:space:]]" "$1" | awk -v u="$3" '{for (i=2;i<=NF;i++) if ($i==u) print $(i-1)}' | median
}

echo "== chain: committed signed transfers per second through one validator, over RPC =="
out=.tmp/bench/chain.txt
go test -run '^$' -bench 'BenchmarkTransfers|BenchmarkKVStore' -benchtime 1x -count "$COUNT" ./chain/node/ | tee "$out"
t=$(metric "$out" BenchmarkTransfers tx/s)
k=$(metric "$out" BenchmarkKVStore tx/s)
awk -v t="$t" -v k="$k" 'BEGIN {printf "citychain transfers: %.0f tx/s   kvstore baseline: %.0f tx/s   ratio: %.2f (median of runs)\n", t, k, t/k}'

echo
echo "== chain: committed signed readings per second through one validator, over RPC =="
out=.tmp/bench/chain-readings.txt
go test -run '^$' -bench 'BenchmarkReadings$' -benchtime 1x -count "$COUNT" ./chain/node/ | tee "$out"
go test -run '^$' -bench 'BenchmarkReadingsVerify' -count "$COUNT" ./chain/node/ | grep -E '^Benchmark' | tee -a "$out"
r=$(metric "$out" BenchmarkReadings readings/s)
v=$(metric "$out" BenchmarkReadingsVerify readings/s)
awk -v r="$r" -v v="$v" 'BEGIN {printf "citychain readings: %.0f readings/s   one-core batch verify baseline: %.0f readings/s   ratio: %.2f (median of runs)\n", r, v, r/v}'

for extra in .ci/bench.d/*.sh; do
	[ -e "$extra" ] || continue
	echo
	bash "$extra"
done
