#!/bin/bash
# flood.sh RELAYBENCH_DIR [CALLS] [NORMAL_PPS] [FLOOD_PPS] [FLOOD_S]
# Overload and recovery: the Hopgate gateway (defaults) carries CALLS calls set up over H.248 by relaybench's
# peer-hopgate.sh. Phases, back to back on the same calls: normal load for 5 s; FLOOD_PPS (meant to be about twice
# the gateway's capacity) for FLOOD_S s while an H.248 AuditValue probes every 100 ms; then normal load again, first
# for 2 s and then for 8 s. Prints one relaybench line per phase (loss, latency, relay CPU) and the probe's line.
# What it shows: whether H.248 keeps answering during the flood, and whether loss goes back to 0 by itself after it.
set -eu
rb=${1:?relaybench directory} calls=${2:-1000} normal=${3:-20000} flood=${4:-120000} flood_s=${5:-10}
here=$(cd "$(dirname "$0")" && pwd)
export HOPGATE_JAR=${HOPGATE_JAR:-$here/../control/target/hopgate.jar}
export HOPGATE_JAVA_OPTS=${HOPGATE_JAVA_OPTS:--Xmx512m}
. "$rb/lib.sh"
wd=$(mktemp -d /tmp/flood.XXXXXX)
trap '"$rb/peer-hopgate.sh" stop "$wd" > /dev/null 2>&1 || true' EXIT
"$rb/peer-hopgate.sh" start "$wd" "$calls" >&2
port=${HOPGATE_CONTROL_PORT:-2944}
phase() { echo "phase=$1 $(rb_load "$wd" "hopgate-$1" "$2" "$3" | tail -n 1)"; }
phase before "$normal" 5
python3 "$here/h248-probe.py" "$port" "$flood_s" > "$wd/probe.txt" &
probe=$!
phase flood "$flood" "$flood_s"
wait "$probe" || true
echo "phase=flood $(cat "$wd/probe.txt")"
phase after-0-2s "$normal" 2
phase after-2-10s "$normal" 8
