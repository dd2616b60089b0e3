#!/usr/bin/env bash
# Cost per simulated period and peak memory against world size (issue 13), on synthetic
# worlds from `chipsim generate`: buyers from 10 to 10^4 (20 products), products from 10 to
# 10^3 (20 buyers), and the supply graph from 10^2 to 3 x 10^3 nodes (`--nodes`), once with
# every buyer weighing every product and once with choice sets of 20 products per buyer
# (`--choice-set 20`, series nodes-k20). Each point
# times replicates of the world in process with Google Benchmark (BM_WorldReplicate of
# bench/model_bench.cpp: a reused Model, no loading and no output in the timing, at least
# 1 s of replicates after one to size the buffers), divided by the world's periods; peak
# memory is the benchmark process's. Prints each point and the fitted growth exponent
# (least squares of log cost on log size) of each series.
# Usage: bench/scaling.sh [BUILD_DIR]
#   MAX_NODES=10000 adds the 10^4-node worlds: 2 s a replicate with choice sets, but about
#   2 minutes and 3.3 GB without, where every buyer weighs every product.
#   RUN_100K=1 then runs 100 replicates of a 10^5-node world with choice sets of 20 through
#   `chipsim run` on every core (no file: -o none; about 45 minutes on 2 cores, 4 GB), and
#   prints the wall time, the replicates per second and the peak memory.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
chipsim=$build/sim/chipsim
bench=$build/bench/chipsim_model_bench
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

point() {  # point SERIES SIZE [generate args...]
  local series=$1 size=$2
  shift 2
  "$chipsim" generate "$@" -o "$tmp/world.toml" >/dev/null
  CHIPSIM_WORLD="$tmp/world.toml" /usr/bin/time -f "%M" -o "$tmp/rss" "$bench" \
    --benchmark_filter=BM_WorldReplicate --benchmark_min_time=1 --benchmark_format=csv \
    >"$tmp/csv" 2>/dev/null
  # CSV: name,iterations,real_time (ms),...,per_period (s),periods
  awk -F, -v s="$series" -v x="$size" -v r="$(cat "$tmp/rss")" \
    '$1 == "\"BM_WorldReplicate\"" {
       printf "%-8s %8d  %10.1f us/period  %8.2f ms/replicate  peak RSS %8.1f MB  (%d replicates)\n",
              s, x, $3 / $NF * 1000, $3, r / 1024, $2 }' "$tmp/csv" | tee -a "$tmp/points"
}

for b in 10 100 1000 10000; do point buyers "$b" --buyers "$b" --products 20 --vendors 5; done
for p in 10 100 1000; do point products "$p" --products "$p" --buyers 20 --vendors 5; done
for g in 100 300 1000 3000 10000 100000; do
  [ "$g" -le "${MAX_NODES:-3000}" ] && point nodes "$g" --nodes "$g"
done
for g in 100 300 1000 3000 10000 100000; do
  [ "$g" -le "${MAX_NODES:-3000}" ] && point nodes-k20 "$g" --nodes "$g" --choice-set 20
done

echo "growth exponents (cost per period; peak RSS):"
for s in buyers products nodes nodes-k20; do
  awk -v s="$s" '$1 == s { x = log($2); y = log($3); m = log($9);
      n++; sx += x; sy += y; sxx += x * x; sxy += x * y; sm += m; sxm += x * m }
    END { d = n * sxx - sx * sx;
          printf "  %-8s %.2f; memory %.2f\n", s, (n * sxy - sx * sy) / d, (n * sxm - sx * sm) / d }' \
    "$tmp/points"
done

if [ "${RUN_100K:-0}" = 1 ]; then
  "$chipsim" generate --nodes 100000 --choice-set 20 -o "$tmp/world100k.toml"
  # A trajectory of this world is about 170 MB, so chipsim chooses chunks of 1 replicate
  # (docs/OUTPUT.md, "Chunks"); one variable in the streaming summary (-o none keeps only
  # the per-year table).
  /usr/bin/time -f "%e %M" -o "$tmp/time100k" "$chipsim" run "$tmp/world100k.toml" -n 100 \
    -o none -q --variables price >/dev/null
  read -r wall rss <"$tmp/time100k"
  awk -v w="$wall" -v r="$rss" 'BEGIN { printf "10^5 nodes, choice sets of 20: 100 replicates in %.0f s (%.3f replicates/s), peak RSS %.0f MB\n", w, 100 / w, r / 1024 }'
fi
