#!/usr/bin/env bash
# Installs what is missing, builds chipsim and runs every test through ctest, twice: in the
# Release build (build/) and in the ASan + UBSan build (build-asan/), so a memory error or
# undefined behaviour fails the run; then a 60-second libFuzzer smoke of each fuzz target.
# Usage: scripts/test.sh [--quick]   (--quick: the Release build only, for fast iteration)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

run_suite() {  # run_suite BUILD_DIR [build.sh args]
  local dir=$1; shift
  bash scripts/build.sh "$@"
  echo "== ctest in $dir"
  (cd "$dir" && ctest --output-on-failure -j "$(nproc)")
}

run_suite build
if [ "${1:-}" != "--quick" ]; then
  # Sanitizer reports must fail the tests, not just print.
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
  export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  run_suite build-asan --sanitize
  # The libFuzzer smoke: 60 seconds of each fuzz target (scenario, targets, sweep, HDF5
  # readers), built with clang in build-fuzz/ and seeded from scenarios/ and
  # tests/fuzz/regressions/ (scripts/fuzz.sh; a longer campaign: --campaign SECONDS).
  unset ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS
  echo "== fuzz smoke in build-fuzz"
  bash scripts/fuzz.sh
fi
