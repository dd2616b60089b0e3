#!/usr/bin/env bash
# Cost per simulated period and peak memory against world size (issue 13), on synthetic
# worlds from `chipsim generate`: buyers from 10 to 10^4 (20 products), products from 10 to
# 10^3 (20 buyers), and the supply graph from 10^2 to 3 x 10^3 nodes (`--nodes`). Each point
# runs one replicate and then enough replicates for about 2 s on one thread; the cost per
# replicate is the difference divided by the extra replicates (start-up and loading cancel),
# divided by the world's 28 quarters. Prints each point and the fitted growth exponent
# (least squares of log cost on log size) of each series.
# Usage: bench/scaling.sh [BUILD_DIR]
#   MAX_NODES=10000 adds the 10^4-node world: about 10 GB and minutes per replicate, because
#   the cost grows as buyers x products (docs/PERFORMANCE.md, "Scaling").
set -euo pipefail
cd "$(dirname "$0")/.."
chipsim=${1:-build}/sim/chipsim
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
periods=28

wall() {  # wall N WORLD -> "seconds peak_kB"
  /usr/bin/time -f "%e %M" -o "$tmp/time" "$chipsim" run "$2" -n "$1" --seed 1 --threads 1 -q \
    -o "$tmp/out.h5" --force --variables price --compression 0 >/dev/null
  cat "$tmp/time"
}

point() {  # point SERIES SIZE [generate args...]
  local series=$1 size=$2
  shift 2
  "$chipsim" generate "$@" -o "$tmp/world.toml" >/dev/null
  read -r t1 _ < <(wall 1 "$tmp/world.toml")
  local n
  n=$(awk -v t="$t1" 'BEGIN { n = int(2 / (t > 0.01 ? t : 0.01)) + 1; print (n < 3 ? 3 : (n > 400 ? 400 : n)) }')
  read -r tn rss < <(wall "$n" "$tmp/world.toml")
  awk -v s="$series" -v x="$size" -v t1="$t1" -v tn="$tn" -v n="$n" -v p="$periods" -v r="$rss" \
    'BEGIN { per = (tn - t1) / (n - 1); if (per <= 0) per = tn / n;
             printf "%-8s %8d  %10.1f us/period  %8.2f ms/replicate  peak RSS %8.1f MB  (%d replicates)\n",
                    s, x, per / p * 1e6, per * 1e3, r / 1024, n }' | tee -a "$tmp/points"
}

for b in 10 100 1000 10000; do point buyers "$b" --buyers "$b" --products 20 --vendors 5; done
for p in 10 100 1000; do point products "$p" --products "$p" --buyers 20 --vendors 5; done
for g in 100 300 1000 3000 10000 100000; do
  [ "$g" -le "${MAX_NODES:-3000}" ] && point nodes "$g" --nodes "$g"
done

echo "growth exponents (cost per period; peak RSS):"
for s in buyers products nodes; do
  awk -v s="$s" '$1 == s { x = log($2); y = log($3); m = log($9);
      n++; sx += x; sy += y; sxx += x * x; sxy += x * y; sm += m; sxm += x * m }
    END { d = n * sxx - sx * sx;
          printf "  %-8s %.2f; memory %.2f\n", s, (n * sxy - sx * sy) / d, (n * sxm - sx * sm) / d }' \
    "$tmp/points"
done
