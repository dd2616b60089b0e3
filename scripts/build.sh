#!/usr/bin/env bash
# Configures and builds chipsim. Usage: scripts/build.sh [--sanitize]
#   default     Release build in build/
#   --sanitize  optimised build (-O2 -g) with AddressSanitizer + UndefinedBehaviorSanitizer in
#               build-asan/ (optimised so the integration tests run in reasonable time)
set -euo pipefail
cd "$(dirname "$0")/.."

dir=build
args=(-DCMAKE_BUILD_TYPE=Release)
if [ "${1:-}" = "--sanitize" ]; then
  dir=build-asan
  args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCHIPSIM_SANITIZE=ON -DCHIPSIM_BUILD_BENCHMARKS=OFF)
fi
cmake -S . -B "$dir" "${args[@]}" >/dev/null
cmake --build "$dir" -j "$(nproc)"
