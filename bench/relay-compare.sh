#!/bin/bash
# relay-compare.sh RELAYBENCH_DIR ROUNDS [CALLS] [PPS] [SECONDS]
# Side-by-side relay CPU, interleaved in one run: each round runs every peer once, in the same order, with the same
# load (relaybench's bench.sh: relay pinned to CPU 1, generator to CPU 0). Per peer and round two repetitions: the
# first warms the JIT, the second is the round's figure; both are printed. Hopgate runs with its defaults (connected
# sockets) and with media.connect-sockets=false. Peers not installed here are skipped with a line saying so.
# HOPGATE_JAR defaults to this checkout's control/target/hopgate.jar; with HOPGATE_BASELINE_JAR set (e.g. a jar built
# before a change) a peer hopgate-baseline runs that jar with its defaults in the same rounds, for a before/after
# comparison in one run; RELAY_COMPARE_SKIP lists peer names to leave out (e.g. "uringrelay hopgate-unconnected").
# Prints one line per repetition:
#   round=R peer=P rep=K relay_cpu_pct=... loss_pct=... p50_us=... p99_us=...
set -eu
rb=${1:?relaybench directory (e.g. a copy of the shared tools)} rounds=${2:-3}
calls=${3:-1000} pps=${4:-20000} secs=${5:-5}
export HOPGATE_JAR=${HOPGATE_JAR:-$(cd "$(dirname "$0")/.." && pwd)/control/target/hopgate.jar}
[ -f "$HOPGATE_JAR" ] || { echo "relay-compare: $HOPGATE_JAR missing: mvn -B -q package -DskipTests" >&2; exit 2; }
peers=(rawrelay uringrelay rtpengine hopgate:default: "hopgate:unconnected:--set media.connect-sockets=false")
[ -n "${HOPGATE_BASELINE_JAR:-}" ] && peers+=(hopgate:baseline:)
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<< "$2"; }
for ((round = 1; round <= rounds; round++)); do
    for spec in "${peers[@]}"; do
        IFS=: read -r peer label args <<< "$spec"
        name=${label:+$peer-$label}; name=${name:-$peer}
        case " ${RELAY_COMPARE_SKIP:-} " in *" $name "*) continue ;; esac
        jar=$HOPGATE_JAR
        [ "$label" = baseline ] && jar=$HOPGATE_BASELINE_JAR
        if [ "$peer" = uringrelay ] && [ ! -x "$rb/bin/uringrelay" ]; then
            echo "round=$round peer=$name skipped: $rb/bin/uringrelay not built (liburing-dev)"; continue
        fi
        if [ "$peer" = rtpengine ] && ! command -v rtpengine > /dev/null; then
            echo "round=$round peer=$name skipped: rtpengine not installed"; continue
        fi
        out=$(HOPGATE_JAR="$jar" HOPGATE_ARGS="$args" "$rb/bench.sh" "$peer" --calls "$calls" --pps "$pps" --seconds "$secs" --reps 2 \
            2> /tmp/relay-compare-$name.err) || { echo "round=$round peer=$name failed: $(tail -n 2 /tmp/relay-compare-$name.err | tr '\n' ' ')"; continue; }
        while read -r line; do
            echo "round=$round peer=$name rep=$(field rep "$line") relay_cpu_pct=$(field relay_cpu_pct "$line")" \
                "loss_pct=$(field loss_pct "$line") p50_us=$(field p50_us "$line") p99_us=$(field p99_us "$line")"
        done <<< "$out"
    done
done
