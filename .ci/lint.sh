#!/usr/bin/env bash
# gofmt, go vet, staticcheck (installed into bin/ from the module proxy) and
# detlint, the determinism analyzer (chain/determinism), over the packages
# that run state transitions (docs/chain.md, "Determinism lint").
set -euo pipefail
cd "$(dirname "$0")/.."
# (Files deleted in the working tree but not yet committed are skipped.)
unformatted=$( (git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './bin/*') |
	while read -r f; do if [ -e "$f" ]; then echo "$f"; fi; done | xargs -r gofmt -l)
if [ -n "$unformatted" ]; then
	echo "gofmt: these files need formatting:" >&2
	echo "$unformatted" >&2
	exit 1
fi
go vet ./...
if [ ! -x bin/staticcheck ]; then
	GOBIN="$PWD/bin" go install honnef.co/go/tools/cmd/staticcheck@v0.7.0
fi
bin/staticcheck ./...
# State-transition packages: the app (not apptest) and every module, the
# module framework and the store, and chain/regschema (registry records are
# validated in state transitions). Test files are not checked.
go build -o bin/detlint ./cmd/detlint
bin/detlint -test=false ./chain/app ./chain/internal/... ./chain/regschema ./chain/votecrypto
echo "lint: ok"
