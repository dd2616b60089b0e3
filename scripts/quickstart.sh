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
echo "== chipsim run scenarios/baseline.toml -n 200 --seed 1 --force -o out/baseline.h5"
"$chipsim" run scenarios/baseline.toml -n 200 --seed 1 --force -o out/baseline.h5
echo
echo "== chipsim inspect out/baseline.h5"
"$chipsim" inspect out/baseline.h5
echo
echo "== chipsim run scenarios/whatif/02-china-accepts-h200.toml -n 200 --seed 1 -q --force -o out/h200.h5"
"$chipsim" run scenarios/whatif/02-china-accepts-h200.toml -n 200 --seed 1 -q --force -o out/h200.h5 >/dev/null
echo
echo "== chipsim compare out/baseline.h5 out/h200.h5 --region CN --year 2027"
"$chipsim" compare out/baseline.h5 out/h200.h5 --region CN --year 2027
echo
# The Python package lives in analysis/; PYTHONPATH makes it importable from here.
py() { PYTHONPATH="$PWD/analysis${PYTHONPATH:+:$PYTHONPATH}" /usr/bin/python3 "$@"; }
echo "== python3 -m chipsim fan out/baseline.h5 domestic_share_revenue --region CN -o out/fan.png"
py -m chipsim fan out/baseline.h5 domestic_share_revenue --region CN -o out/fan.png
echo
echo "== python3 -m chipsim report out/baseline.h5 out/h200.h5 -o out/report"
py -m chipsim report out/baseline.h5 out/h200.h5 -o out/report \
  --targets scenarios/calibration/targets.toml
echo
echo "Next: open out/report/index.html in a browser, or in Python:"
echo "  PYTHONPATH=analysis /usr/bin/python3 -c 'import chipsim; print(chipsim.open(\"out/baseline.h5\"))'"
echo "  notebook: analysis/notebooks/quickstart.ipynb"
