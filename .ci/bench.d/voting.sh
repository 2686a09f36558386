#!/usr/bin/env bash
# Voting (issue 19): ballots verified per second — votecrypto.VerifyBallot
# of a 5-option choose-one ballot (shape, canonical encodings, six
# Fiat-Shamir challenges and one multi-scalar multiplication over the 24
# Chaum-Pedersen equations: votecrypto.BenchmarkVerifyBallot5) — against raw
# crypto/ed25519 verifications of a 100-byte message in the same run
# (BenchmarkEd25519Verify), both on one core; then the same ballots on two
# cores (BenchmarkVerifyBallot5Parallel with -cpu 2). The target is ≥ 500
# ballots/s on two cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .tmp/bench
COUNT=${COUNT:-3}
median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) {print "nan"} else if (NR%2) {print a[(NR+1)/2]} else {print (a[NR/2]+a[NR/2+1])/2}}'; }
metric() { grep -E "^$2(-[0-9]+)?[[:space:]]" "$1" | awk -v u="$3" '{for (i=2;i<=NF;i++) if ($i==u) print $(i-1)}' | median; }

echo "== voting: ballots (5 options) verified per second vs raw ed25519 verifications =="
out=.tmp/bench/voting.txt
go test -run '^$' -bench 'BenchmarkVerifyBallot5$|BenchmarkEd25519Verify$' -cpu 1 -count "$COUNT" ./chain/votecrypto/ | grep -E '^Benchmark' | tee "$out"
go test -run '^$' -bench 'BenchmarkVerifyBallot5Parallel$' -cpu 2 -count "$COUNT" ./chain/votecrypto/ | grep -E '^Benchmark' | tee -a "$out"
b=$(metric "$out" BenchmarkVerifyBallot5 ballots/s)
e=$(metric "$out" BenchmarkEd25519Verify verifies/s)
p=$(metric "$out" BenchmarkVerifyBallot5Parallel ballots/s)
awk -v b="$b" -v e="$e" -v p="$p" 'BEGIN {printf "ballots verified: %.0f/s on one core   ed25519 baseline: %.0f verifies/s   ratio: %.3f (%.1f ed25519 verifications per ballot)   two cores: %.0f ballots/s (median of runs)\n", b, e, b/e, e/b, p}'
