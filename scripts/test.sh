#!/usr/bin/env bash
# Installs what is missing, builds chipsim and runs every test (GoogleTest and checks, all
# through ctest). Usage: scripts/test.sh [--sanitize]  (--sanitize: the ASan+UBSan build)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/build.sh "$@"
dir=build
[ "${1:-}" = "--sanitize" ] && dir=build-asan
cd "$dir"
ctest --output-on-failure -j "$(nproc)"
