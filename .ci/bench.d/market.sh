#!/usr/bin/env bash
# Energy market clearing: the clearing function EndBlock calls (read the
# interval's book from the IAVL tree, match, write trades and closed orders,
# refund escrow through the bank) for 10,000 and 100,000 orders. The
# baseline, measured in the same run, is sorting the same orders in memory
# into matching order. n log n growth from 10k to 100k is 12.5x.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .tmp/bench
COUNT=${COUNT:-3}
out=.tmp/bench/market.txt

median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) {print "nan"} else if (NR%2) {print a[(NR+1)/2]} else {print (a[NR/2]+a[NR/2+1])/2}}'; }
metric() { # metric FILE BENCH -> median ns/op
	grep -E "^$2(-[0-9]+)?[[:space:]]" "$1" | awk '{for (i=2;i<=NF;i++) if ($i=="ns/op") print $(i-1)}' | median
}

echo "== market: clearing an interval of N orders inside EndBlock's clearing function, over the IAVL store =="
go test -run '^$' -bench 'BenchmarkClear|BenchmarkSort' -benchtime 3x -count "$COUNT" -timeout 30m ./chain/internal/market/ | tee "$out"
c10=$(metric "$out" 'BenchmarkClear/orders=10000')
c100=$(metric "$out" 'BenchmarkClear/orders=100000')
s10=$(metric "$out" 'BenchmarkSort/orders=10000')
s100=$(metric "$out" 'BenchmarkSort/orders=100000')
awk -v c10="$c10" -v c100="$c100" -v s10="$s10" -v s100="$s100" 'BEGIN {
	printf "10,000 orders:  clear %8.1f ms   sort baseline %7.2f ms   ratio %6.1fx\n", c10/1e6, s10/1e6, c10/s10
	printf "100,000 orders: clear %8.1f ms   sort baseline %7.2f ms   ratio %6.1fx\n", c100/1e6, s100/1e6, c100/s100
	printf "growth 10k -> 100k: clear %.1fx, sort %.1fx, n log n 12.5x (median of runs)\n", c100/c10, s100/s10
}'
