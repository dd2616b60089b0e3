#!/usr/bin/env bash
# The what-if tables of docs/SCENARIOS.md: runs the baseline and every scenario in
# scenarios/whatif/ on the same 500 replicates (the baseline's seed: common random numbers)
# and prints, per scenario, `chipsim compare` of the baseline (A) against it (B) for China
# in 2025, 2027 and 2030, with NVIDIA's and Huawei's revenue there.
#   scripts/scenario-tables.sh            print the tables (Markdown)
#   scripts/scenario-tables.sh --check    fail if docs/SCENARIOS.md does not hold them verbatim
# CHIPSIM=path/to/chipsim overrides the binary (default build/sim/chipsim).
set -euo pipefail
cd "$(dirname "$0")/.."
chipsim=${CHIPSIM:-build/sim/chipsim}
n=500
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$chipsim" run scenarios/baseline.toml -n $n -q --compression 0 -o "$tmp/baseline.h5" >/dev/null
{
  for f in scenarios/whatif/*.toml; do
    name=$(basename "$f" .toml)
    "$chipsim" run "$f" -n $n -q --compression 0 -o "$tmp/$name.h5" >/dev/null
    # The header comment from "Policy question:" to its first blank or non-comment line.
    question=$(awk '/^# Policy question: /{on=1} on && !/^#/{exit}
                    on {l=$0; sub(/^# (Policy question: )?/, "", l); printf "%s%s", (n++ ? " " : ""), l}
                    END {print ""}' "$f")
    echo "#### $name"
    echo
    echo "**Question:** $question"
    echo
    echo "\`\`\`"
    echo "chipsim compare baseline.h5 $name.h5 --region CN --year 2025 --year 2027 --year 2030 --vendor NVIDIA --vendor Huawei"
    echo "\`\`\`"
    echo
    "$chipsim" compare "$tmp/baseline.h5" "$tmp/$name.h5" --region CN --year 2025 --year 2027 \
      --year 2030 --vendor NVIDIA --vendor Huawei | sed -n '/^| outcome/,$p'
    echo
  done
} >"$tmp/tables.md"

if [ "${1:-}" = "--check" ]; then
  # The tables sit between two marker lines in docs/SCENARIOS.md.
  sed -n '/^<!-- scenario-tables:begin -->$/,/^<!-- scenario-tables:end -->$/p' docs/SCENARIOS.md |
    sed '1d;$d' >"$tmp/doc.md"
  if ! diff -u "$tmp/doc.md" "$tmp/tables.md"; then
    echo "scenario-tables: docs/SCENARIOS.md differs from scripts/scenario-tables.sh (above)"
    exit 1
  fi
  echo "scenario-tables: docs/SCENARIOS.md holds the tables this command produces"
else
  cat "$tmp/tables.md"
fi
