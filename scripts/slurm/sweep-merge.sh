#!/usr/bin/env bash
# The merge step after a sweep's job array (docs/CLUSTER.md):
#
#   jid=$(sbatch --parsable --array=0-63 ... scripts/slurm/sweep-array.sh)
#   sbatch --dependency=afterok:$jid --export=ALL,OUT=sobol.h5 scripts/slurm/sweep-merge.sh
#
# Combines $OUT.part-*.h5 into $OUT; chipsim merge names any missing shard and refuses parts
# of another sweep. The parts are removed once the merged file is complete.
#SBATCH --job-name=chipsim-merge
#SBATCH --output=chipsim-merge-%j.log
set -euo pipefail
: "${OUT:?set OUT to the output file}"
chipsim=${CHIPSIM:-chipsim}
shopt -s nullglob
parts=("$OUT".part-*.h5)
if [ ${#parts[@]} -eq 0 ]; then
  echo "sweep-merge: no parts $OUT.part-*.h5" >&2
  exit 2
fi
"$chipsim" merge "${parts[@]}" -o "$OUT"
rm -f -- "${parts[@]}"
