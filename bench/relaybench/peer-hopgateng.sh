#!/bin/bash
# relaybench peer "hopgateng": the Hopgate gateway driven over rtpengine's ng protocol by relaybench's own ngctl.py,
# exactly as peer-rtpengine.sh drives rtpengine (offer + answer per call, one at a time). Copy it next to
# relaybench's bench.sh (bench/ng-compare.sh does). Knobs: HOPGATE_JAR (required), HOPGATE_JAVA (java),
# HOPGATE_ARGS (extra gateway args), HOPGATE_NG (22299), HOPGATE_PORT_MIN/MAX (25000/31999), HOPGATE_READY_S (30).
# Prints "ng setup: calls=N time_s=S" (ngctl.py's set-up alone, JVM start excluded) on stderr.
set -e
. "$(dirname "$0")/lib.sh"
HOPGATE_NG=${HOPGATE_NG:-22299}
HOPGATE_PORT_MIN=${HOPGATE_PORT_MIN:-25000}
HOPGATE_PORT_MAX=${HOPGATE_PORT_MAX:-31999}
HOPGATE_READY_S=${HOPGATE_READY_S:-30}
cmd=$1 wd=$2 calls=${3:-100}
ng() { python3 "$RB_DIR/ngctl.py" --ng 127.0.0.1:"$HOPGATE_NG" "$@"; }
case "$cmd" in
start)
    [ -f "${HOPGATE_JAR:-}" ] || { echo "peer-hopgateng: set HOPGATE_JAR to control/target/hopgate.jar" >&2; exit 2; }
    mkdir -p "$wd"
    taskset -c "$RELAY_CPU" "${HOPGATE_JAVA:-java}" -jar "$HOPGATE_JAR" gateway --set control.listen=127.0.0.1:0 \
        --set admin.listen= --set media.address=127.0.0.1 --set "ng.listen=127.0.0.1:$HOPGATE_NG" \
        --set ng.delete-delay-ms=0 --set "media.port-min=$HOPGATE_PORT_MIN" --set "media.port-max=$HOPGATE_PORT_MAX" \
        $HOPGATE_ARGS > "$wd/hopgate.log" 2>&1 &
    echo $! > "$wd/relay.pid"
    rb_watchdog "$(cat "$wd/relay.pid")" "$RELAY_MAX_S"
    for ((i = 0; i < HOPGATE_READY_S * 10; i++)); do
        ng ping > /dev/null 2>&1 && break
        kill -0 "$(cat "$wd/relay.pid")" 2> /dev/null || { tail -n 20 "$wd/hopgate.log" >&2; exit 1; }
        sleep 0.1
    done
    t0=$(date +%s.%N)
    ng setup --calls "$calls" --gen-a-base "$(gen_port_a 0)" --gen-b-base "$(gen_port_b 0)" --step 4 \
        --out "$wd/streams.txt" --sdp-dir "$wd"
    echo "ng setup: calls=$calls time_s=$(echo "$(date +%s.%N) - $t0" | bc)" >&2 ;;
stop)
    rb_stop_pidfile "$wd/relay.pid" ;;
*) echo "usage: $0 start|stop WORKDIR [CALLS]" >&2; exit 2 ;;
esac
