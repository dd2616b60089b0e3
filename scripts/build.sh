#!/usr/bin/env bash
# Configures and builds chipsim. Usage: scripts/build.sh [--sanitize]
#   default     Release build in build/
#   --sanitize  Debug build with AddressSanitizer + UndefinedBehaviorSanitizer in build-asan/
set -euo pipefail
cd "$(dirname "$0")/.."

dir=build
args=(-DCMAKE_BUILD_TYPE=Release)
if [ "${1:-}" = "--sanitize" ]; then
  dir=build-asan
  args=(-DCMAKE_BUILD_TYPE=Debug -DCHIPSIM_SANITIZE=ON -DCHIPSIM_BUILD_BENCHMARKS=OFF)
fi
cmake -S . -B "$dir" "${args[@]}" >/dev/null
cmake --build "$dir" -j "$(nproc)"
