#!/usr/bin/env bash
# Configures and builds chipsim. Usage: scripts/build.sh [--sanitize]
#   default     Release build in build/
#   --sanitize  optimised build (-O2 -g1) with AddressSanitizer + UndefinedBehaviorSanitizer in
#               build-asan/ (optimised so the integration tests run in reasonable time; -g1
#               keeps the line tables a sanitizer report needs and compiles about 30% faster
#               than -g, which adds the variables' debug information)
set -euo pipefail
cd "$(dirname "$0")/.."

dir=build
args=(-DCMAKE_BUILD_TYPE=Release)
if [ "${1:-}" = "--sanitize" ]; then
  dir=build-asan
  args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG"
    -DCHIPSIM_SANITIZE=ON -DCHIPSIM_BUILD_BENCHMARKS=OFF)
fi
cmake -S . -B "$dir" "${args[@]}" >/dev/null
cmake --build "$dir" -j "$(nproc)"
