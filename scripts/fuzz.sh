#!/usr/bin/env bash
# libFuzzer targets of chipsim (tests/fuzz), built with Debian's clang in build-fuzz/.
# Usage:
#   scripts/fuzz.sh                     build, then the 60-second smoke of every target (ctest)
#   scripts/fuzz.sh --campaign SECONDS  build, then SECONDS per target (600: the 10-minute
#                                       campaign); any crash is left as build-fuzz/tests/fuzz/crash-*
#   scripts/fuzz.sh --seeds DIR         (internal) fill DIR/seeds-* from scenarios/
# A crash found becomes a regression test: copy the input into tests/fuzz/regressions/ (the
# smoke runs every file there as a seed, so it must load without crashing).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

seeds() {  # seeds DIR
  local dir=$1
  mkdir -p "$dir"/seeds-{scenario,targets,sweep,hdf5} "$dir"/corpus-{scenario,targets,sweep,hdf5}
  cp scenarios/*.toml scenarios/whatif/*.toml "$dir/seeds-scenario/" 2>/dev/null || true
  cp scenarios/calibration/*.toml "$dir/seeds-targets/"
  cp scenarios/sweeps/*.toml bench/*.toml "$dir/seeds-sweep/"
  cp tests/fuzz/regressions/scenario-* "$dir/seeds-scenario/" 2>/dev/null || true
  cp tests/fuzz/regressions/hdf5-* "$dir/seeds-hdf5/" 2>/dev/null || true
  # Small output files of each layout: a run, float32 without compression, summary-only.
  # Any chipsim executable writes them: the Release build's if there is one (scripts/test.sh
  # builds it first), else the fuzz tree's.
  local exe=$root/build/sim/chipsim
  if [ ! -x "$exe" ]; then
    exe=$dir/../../sim/chipsim
    [ -x "$exe" ] || cmake --build "$dir/../.." --target chipsim >/dev/null
  fi
  # Written the same, byte for byte, in any clone at any time (docs/OUTPUT.md, "Reproducible
  # files"): a fixed creation time, and a command line with no absolute path, run in a
  # scratch folder. So the smoke fuzzes the same inputs for a given commit everywhere.
  local tmp
  tmp=$(mktemp -d)
  cp scenarios/baseline.toml "$tmp/"
  (
    cd "$tmp"
    export SOURCE_DATE_EPOCH=0 ASAN_OPTIONS=detect_leaks=0 PATH="$(dirname "$exe"):$PATH"
    chipsim run baseline.toml -n 2 -q -o run.h5 --variables price,revenue >/dev/null
    chipsim run baseline.toml -n 2 -q -o f32.h5 --variables price --float32 --compression 0 >/dev/null
    chipsim run baseline.toml -n 2 -q -o summary.h5 --summary-only --variables price >/dev/null
  )
  mv -f "$tmp"/*.h5 "$dir/seeds-hdf5/"
  rm -rf "$tmp"
}

case "${1:-}" in
  --seeds)
    seeds "$2"
    exit 0
    ;;
esac

bash scripts/install-deps.sh
# -g1: the line tables a crash report needs, and a faster build than -g.
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" \
  -DCHIPSIM_FUZZ=ON -DCHIPSIM_BUILD_TESTS=OFF -DCHIPSIM_BUILD_BENCHMARKS=OFF \
  -DCHIPSIM_WARNINGS_AS_ERRORS=OFF >/dev/null
cmake --build build-fuzz -j "$(nproc)" --target fuzz_scenario fuzz_targets fuzz_sweep fuzz_hdf5
if [ "${1:-}" = "--campaign" ]; then
  seconds=${2:-600}
  dir=$root/build-fuzz/tests/fuzz
  seeds "$dir"
  for t in scenario targets sweep hdf5; do
    echo "== fuzz_$t for $seconds s"
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1 \
      LSAN_OPTIONS=suppressions=$root/tests/lsan.supp \
      "$dir/fuzz_$t" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 -max_len=262144 \
      -artifact_prefix="$dir/crash-$t-" -print_final_stats=1 "$dir/corpus-$t" "$dir/seeds-$t" \
      2>&1 | tail -15
  done
else
  (cd build-fuzz && ctest --output-on-failure -j "$(nproc)" -L fuzz)
fi
