#!/usr/bin/env bash
# Every numeric value or date in a shipped scenario must carry a comment naming its source
# (or saying "assumption"). Lists the lines that do not. Calibration targets
# (scenarios/calibration/) are exempt: each [[target]] must have a `source` key, which
# `chipsim calibrate` enforces.
set -uo pipefail
cd "$(dirname "$0")/.."
bad=$(grep -nHE '^[A-Za-z_][A-Za-z0-9_]*\s*=\s*([-+0-9{]|\[\s*\{|"[0-9]{4}([Qq]|-))' scenarios/*.toml scenarios/**/*.toml 2>/dev/null | grep -v '^scenarios/calibration/' | grep -v '#')
if [ -n "$bad" ]; then
  echo "sources: these scenario values carry no source comment:"
  echo "$bad"
  exit 1
fi
echo "sources: every number and date in scenarios/ carries a source comment"
