#!/bin/bash
# soak.sh RELAYBENCH_DIR SECONDS PPS [CALLS]
# Soak: the Hopgate gateway (defaults, Netty's PARANOID leak detector on) carries CALLS calls set up over H.248 by
# relaybench's peer-hopgate.sh, at PPS packets/s for SECONDS, while its RSS is sampled every 10 s. Prints the load
# line (loss, latency, relay CPU), the RSS samples with first/last/min/max, and any leak report from the log.
set -eu
rb=${1:?relaybench directory} secs=${2:-600} pps=${3:-50000} calls=${4:-1000}
export HOPGATE_JAR=${HOPGATE_JAR:-$(cd "$(dirname "$0")/.." && pwd)/control/target/hopgate.jar}
export HOPGATE_JAVA_OPTS="${HOPGATE_JAVA_OPTS:--Xmx512m} -Dio.netty.leakDetection.level=PARANOID"
. "$rb/lib.sh"
wd=$(mktemp -d /tmp/soak.XXXXXX)
trap '"$rb/peer-hopgate.sh" stop "$wd" > /dev/null 2>&1 || true; kill "${sampler:-0}" 2> /dev/null || true' EXIT
"$rb/peer-hopgate.sh" start "$wd" "$calls" >&2
pid=$(cat "$wd/relay.pid")
( for ((i = 0; i <= secs / 10 + 1; i++)); do
      rss=$(ps -o rss= -p "$pid" 2> /dev/null) || break
      echo "$((i * 10)) $rss"; sleep 10
  done ) > "$wd/rss.txt" &
sampler=$!
rb_load "$wd" hopgate-soak "$pps" "$secs"
kill "$sampler" 2> /dev/null || true
echo "rss_kb (t_s rss):"; tr '\n' ' ' < "$wd/rss.txt"; echo
awk 'NR == 1 {f = $2; mn = $2; mx = $2} {l = $2; if ($2 < mn) mn = $2; if ($2 > mx) mx = $2}
     $1 == 60 {w = $2}
     END {printf "rss_kb first=%d at_60s=%d last=%d min=%d max=%d last/at_60s=%.3f\n", f, w, l, mn, mx, l / w}' "$wd/rss.txt"
echo "leak reports in the gateway log: $(grep -c 'LEAK:' "$wd/hopgate.log" || true)"
