#!/usr/bin/env bash
# Sweep throughput on one machine and across MPI ranks, and the cost of merging shards
# (issue 12's benchmark; figures in docs/PERFORMANCE.md).
# Usage: bench/sweep_scaling.sh [BUILD_DIR]   (default build/; needs GNU time and mpirun)
# Runs bench/lhs-256.toml (256 points x 100 replicates) with 1 rank x 1 thread, 1 rank x 2
# threads, 2 ranks x 1 thread (mpirun), then splits it into 64 shards and times the merge.
# VARIABLES (default: all) restricts the output, e.g. VARIABLES=domestic_units,market_units.
set -euo pipefail
cd "$(dirname "$0")/.."
chipsim=$(realpath "${1:-build}/sim/chipsim")
sweep=bench/lhs-256.toml
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
vars=()
[ -n "${VARIABLES:-}" ] && vars=(--variables "$VARIABLES")
points=256 replicates=${REPLICATES:-100}

measure() {  # measure LABEL COMMAND...
  local label=$1
  shift
  /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" >/dev/null
  read -r wall rss <"$tmp/time"
  awk -v l="$label" -v w="$wall" -v p="$points" -v n="$replicates" -v r="$rss" \
    'BEGIN { printf "%-34s %8.2f s  %6.2f points/s  %7.0f rep/s  peak RSS %6.1f MB\n", l, w, p / w, p * n / w, r / 1024 }'
}

measure "1 rank x 1 thread" "$chipsim" sweep "$sweep" -n "$replicates" -q --threads 1 \
  -o "$tmp/a.h5" "${vars[@]}"
measure "1 rank x 2 threads" "$chipsim" sweep "$sweep" -n "$replicates" -q --threads 2 \
  -o "$tmp/b.h5" "${vars[@]}"
measure "2 ranks x 1 thread (mpirun)" mpirun --allow-run-as-root --oversubscribe -n 2 \
  "$chipsim" sweep "$sweep" -n "$replicates" -q -o "$tmp/c.h5" "${vars[@]}"
ls -l "$tmp/a.h5" | awk '{ printf "output file: %.1f MB\n", $5 / 1e6 }'
rm -f "$tmp"/[abc].h5

# 64 shards run one after another (each as an array task would), then one merge.
parts=()
start=$(date +%s.%N)
for k in $(seq 0 63); do
  "$chipsim" sweep "$sweep" -n "$replicates" -q --threads 2 --shard "$k/64" \
    -o "$tmp/part-$k.h5" "${vars[@]}" >/dev/null
  parts+=("$tmp/part-$k.h5")
done
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" 'BEGIN { printf "%-34s %8.2f s  (sum of the 64 shards, 2 threads)\n", "64 shards run in turn", e - s }'
measure "merge of 64 shards" "$chipsim" merge "${parts[@]}" -o "$tmp/merged.h5"
