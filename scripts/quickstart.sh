#!/usr/bin/env bash
# Quick start: install what is missing, build chipsim, and run the baseline scenario end to
# end. Safe to run again: every step skips what is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/build.sh

chipsim=build/sim/chipsim
mkdir -p out
echo
echo "== chipsim validate scenarios/baseline.toml"
"$chipsim" validate scenarios/baseline.toml
echo
echo "== chipsim graph scenarios/baseline.toml --format dot -o out/baseline.dot"
"$chipsim" graph scenarios/baseline.toml --format dot -o out/baseline.dot
echo "wrote out/baseline.dot ($(grep -c -- '->' out/baseline.dot) edges); render with: dot -Tsvg out/baseline.dot -o out/baseline.svg"
echo
echo "== chipsim run scenarios/baseline.toml -n 200 --seed 1 -o out/baseline.h5"
"$chipsim" run scenarios/baseline.toml -n 200 --seed 1 -o out/baseline.h5
echo
echo "== chipsim inspect out/baseline.h5"
"$chipsim" inspect out/baseline.h5
echo
echo "Open it in Python: /usr/bin/python3 -c 'import xarray as xr; print(xr.open_dataset(\"out/baseline.h5\", engine=\"h5netcdf\"))'"
