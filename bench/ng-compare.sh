#!/bin/bash
# ng-compare.sh RELAYBENCH_DIR ROUNDS [CALLS] [PPS] [SECONDS]
# rtpengine and Hopgate, both set up over the ng protocol by relaybench's ngctl.py (offer + answer per call), one
# interleaved run: per round each relay is started fresh, CALLS calls are set up (timed), then relaybench's load runs
# twice (the first warms the JIT). RELAYBENCH_DIR must be a writable copy: the two peer scripts of
# bench/relaybench/ are copied into it. Prints one line per set-up and per repetition.
set -eu
rb=${1:?writable relaybench directory} rounds=${2:-3} calls=${3:-1000} pps=${4:-20000} secs=${5:-5}
here=$(cd "$(dirname "$0")" && pwd)
export HOPGATE_JAR=${HOPGATE_JAR:-$here/../control/target/hopgate.jar}
cp "$here"/relaybench/peer-*.sh "$rb"/ && chmod +x "$rb"/peer-hopgateng.sh "$rb"/peer-rtpengineng.sh
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<< "$2"; }
for ((round = 1; round <= rounds; round++)); do
    for peer in rtpengineng hopgateng; do
        out=$("$rb/bench.sh" "$peer" --calls "$calls" --pps "$pps" --seconds "$secs" --reps 2 2> /tmp/ng-compare.err) ||
            { echo "round=$round peer=$peer failed: $(tail -n 3 /tmp/ng-compare.err | tr '\n' ' ')"; continue; }
        echo "round=$round peer=$peer $(grep -o 'ng setup: .*' /tmp/ng-compare.err)"
        while read -r line; do
            echo "round=$round peer=$peer rep=$(field rep "$line") relay_cpu_pct=$(field relay_cpu_pct "$line")" \
                "loss_pct=$(field loss_pct "$line") p50_us=$(field p50_us "$line") p99_us=$(field p99_us "$line")"
        done <<< "$out"
    done
done
