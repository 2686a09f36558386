#!/bin/sh
# make testnet-down: stop the network started by make testnet-up with SIGTERM
# and wait until its process and every process it started are gone.
set -eu
dir=${TESTNET_DIR:-.tmp/testnet}
pidfile=$dir/run.pid
if [ ! -f "$pidfile" ]; then
	echo "no testnet running ($pidfile missing)"
	exit 0
fi
pid=$(cat "$pidfile")
abs=$(cd "$dir" && pwd)
# left lists the processes whose command line names the network directory
# (matched by the shell itself, so the check does not find itself), except
# this script and its caller (make's shell names the directory too).
left() {
	for p in /proc/[0-9]*; do
		case ${p#/proc/} in "$$" | "$PPID") continue ;; esac
		cmd=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline") || continue
		case $cmd in
		*"$abs"*) echo "${p#/proc/}: $cmd" ;;
		esac
	done 2>/dev/null
}
if kill -TERM "$pid" 2>/dev/null; then
	echo "stopping testnet (pid $pid)"
	i=0
	while kill -0 "$pid" 2>/dev/null; do
		i=$((i + 1))
		if [ "$i" -ge 1200 ]; then
			echo "testnet (pid $pid) still running after 60 s" >&2
			exit 1
		fi
		sleep 0.05
	done
fi
i=0
while [ -n "$(left)" ]; do
	i=$((i + 1))
	if [ "$i" -ge 200 ]; then
		echo "processes of the testnet still running:" >&2
		left >&2
		exit 1
	fi
	sleep 0.05
done
rm -f "$pidfile"
echo "testnet stopped; its state stays in $dir (make testnet-up continues it)"
