#!/bin/bash
# Whole-process timings of two or more tagdesk binaries, alternating run by run (a noisy host
# then slows them alike), wall time from a nanosecond clock; prints median, quartiles, minimum.
#
#   benches/alternate.sh RUNS "ARGUMENTS" BINARY...
#   benches/alternate.sh 10 "stats /tmp/corpus10k" /tmp/tagdesk-old target/release/tagdesk
set -euo pipefail
runs=$1; shift; args=$1; shift
out=$(mktemp -d)
for i in $(seq "$runs"); do
  for b in "$@"; do
    s=$(date +%s%N)
    # shellcheck disable=SC2086 # the arguments are one string, split on purpose
    "$b" $args >/dev/null 2>&1
    e=$(date +%s%N)
    echo $(( (e - s) / 1000000 )) >> "$out/$(echo "$b" | tr / _)"
  done
done
for b in "$@"; do
  sort -n "$out/$(echo "$b" | tr / _)" | awk -v name="$b" '{ v[NR] = $1 }
    END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
          printf "%-32s median %6.1f ms  q1 %d  q3 %d  min %d  (%d runs)\n",
                 name, m, v[int(NR / 4) + 1], v[int(3 * NR / 4) + 1], v[1], NR }'
done
rm -r "$out"
