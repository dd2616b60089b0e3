#!/usr/bin/env bash
# One task of a Slurm job array running a chipsim sweep (docs/CLUSTER.md). Each task runs the
# shard SLURM_ARRAY_TASK_ID of SLURM_ARRAY_TASK_COUNT into $OUT.part-K.h5; the merge step
# (sweep-merge.sh, submitted with --dependency=afterok:<array job>) combines them.
#
#   export SWEEP=scenarios/sweeps/sobol-5.toml OUT=sobol.h5 CHIPSIM_ARGS="-n 50"
#   sbatch --array=0-63 --cpus-per-task=4 --export=ALL scripts/slurm/sweep-array.sh
#
# Environment: SWEEP (sweep file), OUT (final file), CHIPSIM (default: chipsim on PATH),
# CHIPSIM_ARGS (extra options, e.g. "-n 50 --variables domestic_units,market_units").
# A requeued or re-run task continues its own part with --resume.
#SBATCH --job-name=chipsim-sweep
#SBATCH --output=chipsim-sweep-%A_%a.log
set -euo pipefail
: "${SWEEP:?set SWEEP to the sweep file}" "${OUT:?set OUT to the output file}"
: "${SLURM_ARRAY_TASK_ID:?run as a Slurm array task (or set SLURM_ARRAY_TASK_ID)}"
chipsim=${CHIPSIM:-chipsim}
count=${SLURM_ARRAY_TASK_COUNT:-}
if [ -z "$count" ]; then  # older Slurm: the array's bounds
  count=$((SLURM_ARRAY_TASK_MAX - SLURM_ARRAY_TASK_MIN + 1))
fi
threads=${SLURM_CPUS_PER_TASK:-0}
args=()
[ "$threads" -gt 0 ] && args+=(--threads "$threads")
# shellcheck disable=SC2086  # CHIPSIM_ARGS is a list of options
exec "$chipsim" sweep "$SWEEP" -o "$OUT.part-$SLURM_ARRAY_TASK_ID.h5" \
  --shard "$SLURM_ARRAY_TASK_ID/$count" --resume "${args[@]}" ${CHIPSIM_ARGS:-}
