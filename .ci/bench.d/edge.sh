#!/usr/bin/env bash
# Edge agent footprint: CPU and memory of bin/edge-agent polling N simulated
# SunSpec inverters once a second and publishing to a local Mosquitto. The
# baseline, measured in the same run, is the same agent polling one device.
# Aims (issue "Metering pipeline"): 200 devices under 10% of one core, 40 MB.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${EDGE_DEVICES:-200}
SECS=${EDGE_SECONDS:-60}
go build -o bin/citychain ./cmd/citychain
go build -trimpath -ldflags='-s -w' -o bin/edge-agent ./cmd/edge-agent
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
mosq=$(command -v mosquitto || echo /usr/sbin/mosquitto)
mport=$(freeport)
printf 'listener %s 127.0.0.1\nallow_anonymous true\n' "$mport" > "$work/mosquitto.conf"
"$mosq" -c "$work/mosquitto.conf" >"$work/mosquitto.log" 2>&1 & pids+=($!)
base=$(( 20000 + RANDOM % 8000 )) # below the ephemeral port range
bin/citychain sim --inverters "$N" --base-port "$base" --speed 60 --log-level warn >"$work/sim.log" 2>&1 & pids+=($!)
for _ in $(seq 1 50); do
	(exec 3<>"/dev/tcp/127.0.0.1/$((base + N - 1))") 2>/dev/null && break
	sleep 0.2
done
if ! (exec 3<>"/dev/tcp/127.0.0.1/$((base + N - 1))") 2>/dev/null; then
	echo "edge bench: simulators did not start:" >&2; cat "$work/sim.log" >&2; exit 1
fi

# measure NDEV: run an agent polling the first NDEV inverters; print "cpu_percent rss_mb readings"
measure() {
	local ndev=$1 dir="$work/agent$1"
	mkdir -p "$dir/keys"
	{
		printf 'gateway_id: bench-%s\npoll_interval: 1s\nkey_epoch: 1\nstate_dir: state\noutbox:\n  path: outbox\nmqtt:\n  broker: tcp://127.0.0.1:%s\ndevices:\n' "$ndev" "$mport"
		for i in $(seq 0 $((ndev - 1))); do
			bin/edge-agent keygen --out "$dir/keys/d$i.key" >/dev/null
			printf '  - id: inv-%04d\n    kind: energy_wh\n    address: 127.0.0.1:%s\n    key_file: keys/d%s.key\n    sunspec: true\n' "$i" $((base + i)) "$i"
		done
	} > "$dir/agent.yaml"
	bin/edge-agent run --config "$dir/agent.yaml" --log-level warn >"$dir/log" 2>&1 &
	local pid=$!
	sleep 10 # discovery and warm-up
	local hz t0 t1 rss=0 r
	hz=$(getconf CLK_TCK)
	t0=$(awk '{print $14+$15}' "/proc/$pid/stat")
	for _ in $(seq 1 "$SECS"); do
		sleep 1
		r=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
		[ "$r" -gt "$rss" ] && rss=$r
	done
	t1=$(awk '{print $14+$15}' "/proc/$pid/stat")
	kill "$pid"; wait "$pid" 2>/dev/null || true
	if grep -q "poll failed" "$dir/log"; then echo "edge bench: polls failed:" >&2; tail -3 "$dir/log" >&2; exit 1; fi
	awk -v a="$t0" -v b="$t1" -v hz="$hz" -v s="$SECS" -v rss="$rss" 'BEGIN {printf "%.2f %.1f\n", 100*(b-a)/hz/s, rss/1024}'
}

echo "== edge agent: CPU and memory polling $N SunSpec inverters every second (${SECS}s) =="
read -r bc bm < <(measure 1)
read -r nc nm < <(measure "$N")
printf 'baseline, 1 device:   %6.2f%% of one core, %5.1f MB RSS\n' "$bc" "$bm"
printf '%d devices:          %6.2f%% of one core, %5.1f MB RSS\n' "$N" "$nc" "$nm"
awk -v bc="$bc" -v nc="$nc" -v bm="$bm" -v nm="$nm" 'BEGIN {printf "ratio to baseline: CPU %.1fx, memory %.2fx; aims: CPU < 10%% (%s), RSS < 40 MB (%s)\n", (bc>0? nc/bc : 0), nm/bm, (nc<10?"met":"missed"), (nm<40?"met":"missed")}'
