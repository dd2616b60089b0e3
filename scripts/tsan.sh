#!/usr/bin/env bash
# ThreadSanitizer over the engine's ensemble tests (the TBB pipeline, run_jobs, the sinks) and
# a threaded run of the command line, in build-tsan/ (clang, -O1 -g).
# Usage: scripts/tsan.sh
# TBB itself is not instrumented (Debian's libtbb); TSan sees its synchronisation through the
# pthread and atomic calls it makes, which is enough for the pipeline's hand-offs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
CC=clang CXX=clang++ cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCHIPSIM_TSAN=ON \
  -DCHIPSIM_BUILD_BENCHMARKS=OFF -DCHIPSIM_WARNINGS_AS_ERRORS=OFF >/dev/null
cmake --build build-tsan -j "$(nproc)" --target chipsim_engine_tests chipsim
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1"
build-tsan/tests/chipsim_engine_tests --gtest_filter='Ensemble*:EnsemblePaths*:JobPaths*'
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
build-tsan/sim/chipsim run scenarios/baseline.toml -n 256 --threads 4 -q -o "$tmp/t.h5" >/dev/null
echo "tsan: no data race reported"
