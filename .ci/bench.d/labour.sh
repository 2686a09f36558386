#!/usr/bin/env bash
# Labour (issue 20): a pay day of 10,000 part-time workers processed in the
# chain's end-of-block work — each worker's week closed (its five shifts
# read, the weekly holiday allowance checked, a wage statement with its
# items and deductions written) and paid (the statement, a bank transfer of
# the net from the escrow, the withheld shares, the events), over as many
# blocks as the budget of 2,000 units of work a block needs:
# labour.BenchmarkPayDay — against 10,000 plain bank transfers of ukrw in
# the same store setup (labour.BenchmarkBankTransfers), both in the same
# run (one process, one seeded state). Both report ns per worker; the
# ratio is what computing and recording a pay day costs over moving the
# money alone. Every figure is printed; nothing is asserted on time.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .tmp/bench
COUNT=${COUNT:-3}
median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) {print "nan"} else if (NR%2) {print a[(NR+1)/2]} else {print (a[NR/2]+a[NR/2+1])/2}}'; }
metric() { grep -E "^$2(-[0-9]+)?[[:space:]]" "$1" | awk -v u="$3" '{for (i=2;i<=NF;i++) if ($i==u) print $(i-1)}' | median; }

echo "== labour: a pay day of 10,000 workers in end-of-block work vs plain bank transfers, per worker =="
out=.tmp/bench/labour.txt
go test -run '^$' -bench 'BenchmarkPayDay$|BenchmarkBankTransfers$' -count "$COUNT" ./chain/internal/labour/ | grep -E '^Benchmark' | tee "$out"
p=$(metric "$out" BenchmarkPayDay ns/worker)
t=$(metric "$out" BenchmarkBankTransfers ns/worker)
k=$(metric "$out" BenchmarkPayDay blocks)
awk -v p="$p" -v t="$t" -v k="$k" 'BEGIN {printf "pay day: %.0f ns/worker (%.0f workers/s, %d blocks for 10,000)   bank transfers: %.0f ns/worker (%.0f/s)   ratio: %.2f (pay day per worker / transfer; median of runs)\n", p, 1e9/p, k, t, 1e9/t, p/t}'
