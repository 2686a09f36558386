#!/usr/bin/env bash
# gofmt, go vet and staticcheck (installed into bin/ from the module proxy).
set -euo pipefail
cd "$(dirname "$0")/.."
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './bin/*'))
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
echo "lint: ok"
