#!/bin/bash
# relaybench peer "rtpengineng": relaybench's own peer-rtpengine.sh, with its ngctl.py set-up timed the way
# peer-hopgateng.sh times Hopgate's ("ng setup: calls=N time_s=S" on stderr; rtpengine starts in well under the
# set-up time, so the start is included).
set -e
cmd=$1
if [ "$cmd" = start ]; then
    t0=$(date +%s.%N)
    "$(dirname "$0")/peer-rtpengine.sh" "$@"
    echo "ng setup: calls=${3:-100} time_s=$(echo "$(date +%s.%N) - $t0" | bc)" >&2
else
    exec "$(dirname "$0")/peer-rtpengine.sh" "$@"
fi
