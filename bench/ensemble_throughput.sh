#!/usr/bin/env bash
# Ensemble throughput and peak memory of `chipsim run` on the baseline (issue 4's benchmark).
# Usage: bench/ensemble_throughput.sh [BUILD_DIR]   (default build/; needs GNU time)
# Prints one line per configuration: replicates, threads, output mode, wall seconds,
# replicates per second and peak resident memory. Files go to a temporary folder.
set -euo pipefail
cd "$(dirname "$0")/.."
chipsim=${1:-build}/sim/chipsim
scenario=scenarios/baseline.toml
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

measure() {  # measure REPLICATES THREADS LABEL [extra chipsim args...]
  local n=$1 threads=$2 label=$3
  shift 3
  /usr/bin/time -f "%e %M" -o "$tmp/time" \
    "$chipsim" run "$scenario" -n "$n" --seed 1 --threads "$threads" -q -o "$tmp/out.h5" "$@" \
    >/dev/null
  read -r wall rss <"$tmp/time"
  awk -v n="$n" -v t="$threads" -v l="$label" -v w="$wall" -v r="$rss" \
    'BEGIN { printf "%8d replicates  %d thread(s)  %-28s %8.2f s  %7.0f rep/s  peak RSS %6.1f MB\n", n, t, l, w, n / w, r / 1024 }'
  rm -f "$tmp/out.h5"
}

case "${BENCH:-throughput}" in
  throughput)
    # What a run costs besides its replicates (start-up, the file's layout, the summaries'
    # write, the end): the wall time of one replicate (docs/PERFORMANCE.md, "Fixed cost").
    for _ in 1 2 3; do
      measure 1 2 "one replicate (fixed cost)"
    done
    for threads in 1 2; do
      measure 10000 "$threads" "full, uncompressed" --compression 0
      measure 10000 "$threads" "full, deflate 1" --compression 1
      measure 10000 "$threads" "summary only" --summary-only
    done
    ;;
  memory)
    measure 1000 2 "full, uncompressed" --compression 0
    measure 10000 2 "full, uncompressed" --compression 0
    measure 100000 2 "summary only" --summary-only
    ;;
esac
