#!/usr/bin/env bash
# Fails if any C++ file in sim/, tests/ or bench/ differs from .clang-format's layout.
# Fix with: clang-format -i $(git ls-files 'sim/*.cpp' 'sim/*.hpp' 'tests/*.cpp' 'tests/*.hpp' 'bench/*.cpp')
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(find sim tests bench -name '*.cpp' -o -name '*.hpp' | sort)
clang-format --dry-run --Werror $files
echo "format: $(echo "$files" | wc -l) files match .clang-format"
