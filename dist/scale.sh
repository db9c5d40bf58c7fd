#!/usr/bin/env bash
# Time and peak memory of each task of `mentorlens dist`, one task after another, with
# /usr/bin/time -v; then whether the report equals `analyze`'s (when COMPARE=1).
#   dist/scale.sh BINARY INPUT WORK SHARDS [PARTITIONS]   (PARTITIONS: ids, copies, blocking, anchors, scoring and joins tasks)
# PLAN_FLAGS adds flags to `dist plan` (e.g. PLAN_FLAGS="--run-pairs 50000").
# e.g. cargo run --release --example gen_corpus -- --planted --docs 100000 --seed 7 --out /tmp/c100k
#      dist/scale.sh target/release/mentorlens /tmp/c100k /tmp/w100k 8
set -euo pipefail
binary=$1 input=$2 work=$3 shards=$4 partitions=${5:-1}
read -ra plan_flags <<<"${PLAN_FLAGS:-}"
measure() {
  local name=$1
  shift
  /usr/bin/time -v "$@" 2>"$work.time" >/dev/null || [ $? -eq 3 ]
  awk -v name="$name" -F': ' '/Elapsed \(wall clock\)/ {wall=$2} /User time/ {user=$2}
    /System time/ {sys=$2} /Maximum resident set size/ {rss=$2}
    END {printf "%-14s wall %s  CPU %6.1f s (user %6.1f s)  peak RSS %7.1f MB\n", name, wall,
      user + sys, user, rss/1024}' "$work.time"
}
measure plan "$binary" dist plan "$input" --work "$work" --shards "$shards" \
  --partitions "$partitions" "${plan_flags[@]}"
# Every stage in the order `dist stages` lists them.
while read -r stage tasks; do
  for ((k = 0; k < tasks; k++)); do
    measure "$stage $k" "$binary" dist task "$stage" "$k" --work "$work" --threads 2
  done
done < <("$binary" dist stages --work "$work" |
  grep -o '"name":"[a-z]*","tasks":[0-9]*' | sed 's/"name":"\([a-z]*\)","tasks":/\1 /')
measure assemble "$binary" dist assemble --quiet --work "$work" -o "$work.report.json"
if [ "${COMPARE:-0}" = 1 ]; then
  measure analyze "$binary" analyze --quiet --threads 2 "$input" -o "$work.analyze.json"
  cmp "$work.report.json" "$work.analyze.json" && echo "report identical to analyze"
fi
