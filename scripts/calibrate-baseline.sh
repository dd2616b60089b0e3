#!/usr/bin/env bash
# The baseline's calibration (docs/CALIBRATION.md).
#   scripts/calibrate-baseline.sh          score scenarios/baseline.toml against the targets
#                                          (1,000 replicates; the table in docs/CALIBRATION.md)
#   scripts/calibrate-baseline.sh --fit    refit the behavioural parameters (9 free values, most
#                                          tied across buyers) from the baseline's current
#                                          values; writes out/baseline-fit.toml (an overlay) and
#                                          its report
# CHIPSIM=path/to/chipsim overrides the binary (default build/sim/chipsim).
set -euo pipefail
cd "$(dirname "$0")/.."
chipsim=${CHIPSIM:-build/sim/chipsim}
targets=scenarios/calibration/targets.toml
mkdir -p out

tie() {  # tie KEY BUYER... -> buyer.B1.KEY,buyer.B2.KEY,...
  local key=$1 out=""
  shift
  for b in "$@"; do out="$out${out:+,}buyer.$b.$key"; done
  echo "$out"
}
china="Alibaba ByteDance Tencent Baidu Other-CN State-CN"

if [ "${1:-}" = "--fit" ]; then
  # shellcheck disable=SC2086
  "$chipsim" calibrate scenarios/baseline.toml --targets "$targets" -n 48 --max-evals 500 \
    --free "$(tie domestic_preference Alibaba ByteDance Tencent)=-3:3" \
    --free "$(tie domestic_preference Other-CN State-CN Baidu)=-3:5" \
    --free "$(tie ecosystem_weight US-Hyperscalers ROW-Buyers)=1:8" \
    --free "$(tie accelerator_share $china)=0.3:0.7" \
    --free buyer.US-Hyperscalers.accelerator_share=0.2:0.5 \
    --free buyer.Other-CN.capex=2e9:3e10 \
    --free ecosystem.CANN.learning=0:0.2 \
    --free "$(tie price_sensitivity $china)=1:4" \
    --free market.stockpile_boost=0:3 \
    --known-miss china_spend_2025_2030 \
    -o out/baseline-fit.toml --report out/baseline-fit-report.md
else
  "$chipsim" calibrate scenarios/baseline.toml --targets "$targets" -n 1000 --check \
    --known-miss china_spend_2025_2030 --report out/calibration-report.md
fi
