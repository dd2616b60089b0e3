#!/usr/bin/env bash
# Instructions per replicate of the model, counted by valgrind's callgrind: a run of 40
# replicates minus a run of 10, divided by 30, so loading and the first replicate cancel.
# Unlike wall time, the count does not wander with this VM's phases (docs/PERFORMANCE.md).
# Usage: bench/instructions.sh [SCENARIO] [BUILD_DIR]   (defaults: the baseline, build/)
# Needs valgrind; takes about a minute for the baseline.
set -euo pipefail
cd "$(dirname "$0")/.."
scenario=${1:-scenarios/baseline.toml}
exe=${2:-build}/bench/chipsim_model_replicates
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
count() {  # count N: instructions of a run of N replicates
  valgrind --tool=callgrind --callgrind-out-file="$tmp/out.$1" "$exe" "$scenario" "$1" \
    >/dev/null 2>"$tmp/log.$1"
  awk '/Collected :/ { print $4 }' "$tmp/log.$1"
}
i40=$(count 40)
i10=$(count 10)
echo "$scenario: $(((i40 - i10) / 30)) instructions per replicate"
