#!/usr/bin/env bash
# Installs the real services the integration tests run against, where they
# are missing: Mosquitto (MQTT broker and clients) and mbpoll (an outsider's
# Modbus client), Chromium (the dashboard's browser test) and Python 3 (the
# independent election verifier, docs/examples/voting_verify.py). Tests start their own instances on free loopback ports.
set -euo pipefail

need=()
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
command -v mosquitto_pub >/dev/null 2>&1 || need+=(mosquitto-clients)
command -v mbpoll >/dev/null 2>&1 || need+=(mbpoll)
command -v chromium >/dev/null 2>&1 || need+=(chromium) # the API's dashboard browser test
command -v python3 >/dev/null 2>&1 || need+=(python3)   # chain/votecrypto TestIndependentVerifier

if [ ${#need[@]} -gt 0 ]; then
	sudo=""
	if [ "$(id -u)" -ne 0 ]; then
		if command -v sudo >/dev/null 2>&1; then
			sudo="sudo"
		else
			echo "test-deps: need ${need[*]} and cannot install them: not root and no sudo" >&2
			exit 1
		fi
	fi
	echo "test-deps: installing ${need[*]}"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
# Debian installs mosquitto in /usr/sbin, which is not always on PATH.
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || { echo "test-deps: mosquitto missing after install" >&2; exit 1; }
echo "test-deps: mosquitto, mbpoll, chromium and python3 present"
