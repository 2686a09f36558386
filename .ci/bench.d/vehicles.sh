#!/usr/bin/env bash
# Vehicle report query: `query vehicles report` (the record, the whole
# odometer series and the programme) for a vehicle with 10,000 odometer
# points, against a plain state read of the same record (vehicles/vehicle),
# both ABCI queries of committed state through the app, measured in the
# same run (vehicles.BenchmarkReport); and the cost the register adds to
# metering: signed odometer readings of a unit bound to a vehicle against
# the same readings of an unbound unit (vehicles.BenchmarkReadings).
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .tmp/bench
COUNT=${COUNT:-3}
out=.tmp/bench/vehicles.txt
median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) {print "nan"} else if (NR%2) {print a[(NR+1)/2]} else {print (a[NR/2]+a[NR/2+1])/2}}'; }
metric() { grep -E "^$2(-[0-9]+)?[[:space:]]" "$1" | awk -v u="$3" '{for (i=2;i<=NF;i++) if ($i==u) print $(i-1)}' | median; }

echo "== vehicles: report query of a vehicle with 10,000 odometer points vs a plain state read =="
go test -run '^$' -bench 'BenchmarkReport|BenchmarkReadings' -count "$COUNT" ./chain/internal/vehicles/ | grep -E '^Benchmark' | tee "$out"
r=$(metric "$out" BenchmarkReport/report ns/op)
p=$(metric "$out" BenchmarkReport/plain ns/op)
b=$(metric "$out" BenchmarkReport/report bytes/answer)
awk -v r="$r" -v p="$p" -v b="$b" 'BEGIN {printf "report (first 1,000 of 10k points, %.0f KB): %.2f ms   plain read baseline: %.1f us   ratio: %.0fx (median of runs)\n", b/1024, r/1e6, p/1e3, r/p}'
u=$(metric "$out" BenchmarkReadings/unbound us/reading)
v=$(metric "$out" BenchmarkReadings/bound us/reading)
awk -v u="$u" -v v="$v" 'BEGIN {printf "odometer reading of a bound unit: %.1f us   unbound baseline: %.1f us   ratio: %.2f (median of runs)\n", v, u, v/u}'
