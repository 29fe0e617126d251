#!/bin/bash
# fuzz.sh [ROUNDS]: coverage-guided fuzzing of every parser with Jazzer, as a benchmark, not a test: each fuzz test
# (H.248 MessageParser, ng bencode, RTP/RTCP wire, SDP) runs ROUNDS times in fuzzing mode (JAZZER_FUZZ=1), each run
# as long as its @FuzzTest maxDuration (30-45 s). Jazzer keeps the corpus it grows in .cifuzz-corpus/ (ignored by
# git), so each round starts where the last stopped. Prints, per test and run, libFuzzer's last status line
# (executions, coverage, corpus size) and the outcome; a finding fails the run and Jazzer saves the crashing input
# next to the test's seed inputs (src/test/resources/.../<Test>Inputs/crash-*), which makes it a regression test.
set -u
rounds=${1:-3}
cd "$(dirname "$0")/.."
tests=("rtp:WireFuzzTest" "rtp:SdpFuzzTest" "control:MessageParserFuzzTest" "control:BencodeFuzzTest")
mvn -B -q -o install -DskipTests > /tmp/fuzz-build.log 2>&1 || { echo "fuzz: build failed (/tmp/fuzz-build.log)"; exit 2; }
for ((r = 1; r <= rounds; r++)); do
    for spec in "${tests[@]}"; do
        module=${spec%%:*} test=${spec#*:}
        log=/tmp/fuzz-$test-$r.log
        JAZZER_FUZZ=1 mvn -B -o -pl "$module" test -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false \
            -Djacoco.skip=true > "$log" 2>&1
        rc=$?
        status=$(grep -ahE '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED)' "$log" \
            "$module"/target/surefire-reports/*"$test"*-output.txt 2>/dev/null | tail -n 1 | sed 's/^[^#]*//')
        outcome=$([ $rc -eq 0 ] && echo "no finding" || echo "FAILED (finding or error, see $log)")
        echo "round=$r test=$test ${status:-no libFuzzer status line} outcome=$outcome"
    done
done
