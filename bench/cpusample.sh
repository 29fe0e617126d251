#!/bin/bash
# usage: cpusample.sh PID  -> per-second CPU% of the process (utime+stime from /proc/PID/stat, CLK_TCK=100)
pid=$1; prev=""
while [ -e /proc/$pid/stat ]; do
  t=$(awk '{print $14+$15}' /proc/$pid/stat 2>/dev/null) || break
  [ -n "$prev" ] && echo "$(date +%T) cpu=$((t-prev))%"
  prev=$t; sleep 1
done
