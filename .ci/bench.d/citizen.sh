#!/usr/bin/env bash
# Citizen services (issue 17), each against a baseline measured in the same run:
# - credentials: one status check, and one revocation, with 10 M credentials
#   issued (5 lists of 2^21 entries, 500 k revoked) against 10 k: both must
#   stay flat (credentials.BenchmarkStatusCheck, BenchmarkRevoke);
# - SD-JWT presentations verified per second (issuer signature, disclosure
#   digests, key binding: two Ed25519 verifications plus JOSE parsing)
#   against raw ed25519.Verify of a 200-byte message (sdjwt.BenchmarkVerifyPresentation,
#   BenchmarkEd25519Verify);
# - certificates: anchoring a batch of 10,000 against a batch of 1 (the
#   transaction carries the root only) (certificates.BenchmarkIssueAnchor);
# - presentations checked end to end by chain/verify from a snapshot against
#   the three raw ed25519 verifications they contain (verify.BenchmarkVerify*).
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .tmp/bench
COUNT=${COUNT:-3}
median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) {print "nan"} else if (NR%2) {print a[(NR+1)/2]} else {print (a[NR/2]+a[NR/2+1])/2}}'; }
metric() { grep -E "^$2(-[0-9]+)?[[:space:]]" "$1" | awk -v u="$3" '{for (i=2;i<=NF;i++) if ($i==u) print $(i-1)}' | median; }

echo "== credentials: status check and revoke at 10 M vs 10 k issued credentials =="
out=.tmp/bench/credentials.txt
go test -run '^$' -bench 'BenchmarkStatusCheck|BenchmarkRevoke' -count "$COUNT" ./chain/internal/credentials/ | grep -E '^Benchmark' | tee "$out"
for b in BenchmarkStatusCheck BenchmarkRevoke; do
	small=$(metric "$out" "$b/size=10k" ns/op); big=$(metric "$out" "$b/size=10M" ns/op)
	awk -v n="$b" -v s="$small" -v l="$big" 'BEGIN {printf "%s at 10 M: %.1f us   10 k baseline: %.1f us   ratio: %.2f (median of runs)\n", n, l/1e3, s/1e3, l/s}'
done

echo
echo "== sdjwt: presentations verified per second vs raw ed25519 verifications =="
out=.tmp/bench/sdjwt.txt
go test -run '^$' -bench 'BenchmarkVerifyPresentation|BenchmarkEd25519Verify' -count "$COUNT" ./chain/sdjwt/ | grep -E '^Benchmark' | tee "$out"
p=$(metric "$out" BenchmarkVerifyPresentation presentations/s)
v=$(metric "$out" BenchmarkEd25519Verify verifications/s)
awk -v p="$p" -v v="$v" 'BEGIN {printf "SD-JWT presentations: %.0f/s   raw ed25519 verify baseline: %.0f/s   ratio: %.2f (two signatures each: at most 0.5) (median of runs)\n", p, v, p/v}'

echo
echo "== certificates: anchoring 10,000 certificates vs 1, one transaction per block =="
out=.tmp/bench/certificates.txt
go test -run '^$' -bench 'BenchmarkIssueAnchor' -benchtime 500x -count "$COUNT" ./chain/internal/certificates/ | grep -E '^Benchmark' | tee "$out"
one=$(metric "$out" BenchmarkIssueAnchor/count=1 ns/op); many=$(metric "$out" BenchmarkIssueAnchor/count=10000 ns/op)
awk -v a="$one" -v b="$many" 'BEGIN {printf "anchor of 10,000: %.0f us/block   anchor of 1 baseline: %.0f us/block   ratio: %.2f (median of runs)\n", b/1e3, a/1e3, b/a}'

echo
echo "== verify: credential presentations checked end to end (signatures, key binding, anchor path, accreditation, status bit) from a snapshot =="
out=.tmp/bench/verify.txt
go test -run '^$' -bench 'BenchmarkVerify' -count "$COUNT" ./chain/verify/ | grep -E '^Benchmark' | tee "$out"
p=$(metric "$out" BenchmarkVerifyPresentation presentations/s)
b=$(metric "$out" BenchmarkVerifyPresentationBaseline presentations/s)
e=$(metric "$out" BenchmarkVerifyEntry entries/s)
awk -v p="$p" -v b="$b" -v e="$e" 'BEGIN {printf "presentation checks: %.0f/s   its three raw ed25519 verifications: %.0f/s   ratio: %.2f   door entries (card + 1 credential): %.0f/s (median of runs)\n", p, b, p/b, e}'
