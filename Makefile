# citychain — build, test, demo, bench, lint.
# Everything a target needs is installed by the scripts it calls, so each
# works on a fresh machine with only Go (and apt, as root or with sudo).

GO      ?= go
BIN     := $(CURDIR)/bin
HOME_DIR ?= $(CURDIR)/.tmp/devnet

.PHONY: all build test test-deps demo testnet-up testnet-down bench lint clean

all: build

## build: compile the binaries into bin/
build:
	$(GO) build -o $(BIN)/citychain ./cmd/citychain
	$(GO) build -trimpath -ldflags='-s -w' -o $(BIN)/edge-agent ./cmd/edge-agent

## test-deps: install what the integration tests run against (Mosquitto, mbpoll, bin/influxd)
test-deps:
	./.ci/test-deps.sh
	./.ci/influxd.sh

## test: the whole test suite, against real services on free loopback ports
test: test-deps
	CI=$${CI:-} $(GO) test -count=1 -timeout 25m ./...

## test-faults: the fault-tolerance suite on a real 4-validator network (deploy/faults, docs/reliability.md)
.PHONY: test-faults
test-faults: build test-deps
	CI=$${CI:-} $(GO) test -tags faults -count=1 -timeout 20m -v ./deploy/faults/

## demo: run the whole system on embedded defaults (Ctrl-C stops it; state is kept in .tmp/devnet)
demo: build
	./.ci/influxd.sh
	$(BIN)/citychain devnet --home $(HOME_DIR)

## testnet-up: a 4-validator multi-process network in the background (state in .tmp/testnet; again: continues it)
testnet-up: build
	./.ci/influxd.sh
	BIN=$(BIN) TESTNET_DIR=$(CURDIR)/.tmp/testnet ./deploy/testnet/up.sh

## testnet-down: stop it (SIGTERM) and wait until every process is gone
testnet-down:
	TESTNET_DIR=$(CURDIR)/.tmp/testnet ./deploy/testnet/down.sh

## bench: benchmarks, printed as ratios against a baseline measured in the same run
bench:
	./.ci/bench.sh

## lint: gofmt, go vet, staticcheck and the determinism check (cmd/detlint) over the state-transition packages
lint:
	./.ci/lint.sh

clean:
	rm -rf $(BIN) .tmp
