#!/usr/bin/env bash
# Runs `mentorlens dist` on a Slurm cluster: one job array per stage, each stage after the one
# before it (--dependency=afterok), then one job that assembles the report. Every decision is made
# by the mentorlens binary; Slurm only runs its tasks. The work folder and the inputs must be on a
# file system every node sees. A task is idempotent: resubmitting a failed array element (or the
# whole script with the same arguments) reruns only what is not done.
#
#   dist/slurm.sh BINARY WORK SHARDS OUTPUT INPUT...
#   e.g. dist/slurm.sh $PWD/target/release/mentorlens /shared/work 256 /shared/report.json /shared/crawl
#
# The ids, copies, blocking, anchors, scoring and joins stages run PARTITIONS tasks each (default 1), e.g. PARTITIONS=16 dist/slurm.sh ...
# Extra `dist plan` flags come from PLAN_OPTIONS, e.g. PLAN_OPTIONS="--compress --group-batch 4096".
# Extra sbatch options (partition, account, time, memory) come from SBATCH_OPTIONS, e.g.
#   SBATCH_OPTIONS="--partition=cpu --time=02:00:00 --mem=8G --cpus-per-task=4"
set -euo pipefail
if [ "$#" -lt 5 ]; then
  echo "usage: $0 BINARY WORK SHARDS OUTPUT INPUT..." >&2
  exit 2
fi
binary=$1 work=$2 shards=$3 output=$4
shift 4
read -r -a options <<<"${SBATCH_OPTIONS:-}"
read -r -a plan_options <<<"${PLAN_OPTIONS:-}"
"$binary" dist plan --work "$work" --shards "$shards" --partitions "${PARTITIONS:-1}" \
  "${plan_options[@]}" "$@"
mkdir -p "$work/slurm-logs"
dependency=()
# One array per stage, in the order `dist stages` lists them.
while read -r stage tasks; do
  [ "$tasks" -gt 0 ] || continue
  job=$(sbatch --parsable "${options[@]}" "${dependency[@]}" \
    --job-name="mentorlens-$stage" --array="0-$((tasks - 1))" \
    --output="$work/slurm-logs/$stage-%a.log" \
    --wrap="\"$binary\" dist task $stage \$SLURM_ARRAY_TASK_ID --work \"$work\" --threads \${SLURM_CPUS_PER_TASK:-1}")
  dependency=(--dependency="afterok:${job%%;*}")
done < <("$binary" dist stages --work "$work" |
  python3 -c 'import json, sys
for stage in json.load(sys.stdin)["stages"]:
    print(stage["name"], stage["tasks"])')
# Exit 3 (some inputs could not be read) is a finished report, as with analyze.
job=$(sbatch --parsable "${options[@]}" "${dependency[@]}" --job-name=mentorlens-assemble \
  --output="$work/slurm-logs/assemble.log" \
  --wrap="\"$binary\" dist assemble --work \"$work\" -o \"$output\"; code=\$?; [ \$code -eq 0 ] || [ \$code -eq 3 ]")
echo "submitted; the report is written by job ${job%%;*} to $output"
