#!/bin/sh
# make testnet-up: start `citychain testnet run` in the background, wait until
# it is ready and print its endpoints. The network lives in $TESTNET_DIR
# (.tmp/testnet): pid in run.pid, output in run.log. Running it again on an
# existing directory continues the same chain.
set -eu
bin=${BIN:-bin}
dir=${TESTNET_DIR:-.tmp/testnet}
mkdir -p "$dir"
pidfile=$dir/run.pid
log=$dir/run.log
if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
	echo "testnet already running (pid $(cat "$pidfile")); make testnet-down stops it" >&2
	exit 1
fi
: >"$log"
nohup "$bin/citychain" testnet run --dir "$dir" >>"$log" 2>&1 </dev/null &
pid=$!
echo "$pid" >"$pidfile"
echo "testnet starting (pid $pid, log $log)"
deadline=$(($(date +%s) + 300))
while :; do
	if grep -q '^testnet ready' "$log"; then
		sed -n '/^validator 0 RPC/,/^testnet ready/p' "$log"
		exit 0
	fi
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "testnet exited before it was ready; last lines of $log:" >&2
		tail -n 40 "$log" >&2
		rm -f "$pidfile"
		exit 1
	fi
	if [ "$(date +%s)" -ge "$deadline" ]; then
		echo "testnet not ready after 300 s; last lines of $log (make testnet-down stops it):" >&2
		tail -n 40 "$log" >&2
		exit 1
	fi
	sleep 0.5
done
