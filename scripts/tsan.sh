#!/usr/bin/env bash
# ThreadSanitizer over the engine's ensemble tests (the TBB pipeline, run_jobs, the sinks) and
# a threaded run and sweep of the command line, in build-tsan/ (clang, -O1 -g).
# Usage: scripts/tsan.sh
# TBB itself is not instrumented (Debian's libtbb), so TSan cannot see its hand-offs between
# pipeline stages; sim/engine/ensemble.cpp states them (__tsan_release/__tsan_acquire, only
# under TSan), and everything else - the sinks, the writer, the models - is checked as is.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
CC=clang CXX=clang++ cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCHIPSIM_TSAN=ON \
  -DCHIPSIM_BUILD_BENCHMARKS=OFF -DCHIPSIM_WARNINGS_AS_ERRORS=OFF >/dev/null
cmake --build build-tsan -j "$(nproc)" --target chipsim_engine_tests chipsim
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/tests/tsan.supp"
build-tsan/tests/chipsim_engine_tests --gtest_filter='*Ensemble*:*JobPaths*'
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A run and a sweep on 4 threads: the workers filter output chunks (io::OutputWriter::encode)
# while the writer stores earlier ones.
build-tsan/sim/chipsim run scenarios/baseline.toml -n 256 --threads 4 -q -o "$tmp/t.h5" >/dev/null
build-tsan/sim/chipsim sweep scenarios/sweeps/hbm-smic-grid.toml -n 4 --threads 4 -q \
  -o "$tmp/s.h5" >/dev/null
echo "tsan: no data race reported"
