#!/usr/bin/env bash
# CI check of the Dask driver: the corpus run through dist/dask_driver.py on a 2-worker
# LocalCluster gives the report `analyze` gives, byte for byte, in JSON and JSON Lines (the JSON
# Lines run with its exchange files compressed, `--compress`).
#   dist/dask_check.sh PYTHON BINARY [INPUT...]   (default input: corpus)
set -euo pipefail
python=$1 binary=$2
shift 2
[ "$#" -gt 0 ] || set -- corpus
cd "$(dirname "$0")/.."
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for format in json jsonl; do
  compress=()
  [ "$format" = jsonl ] && compress=(--compress)
  code=0
  "$binary" analyze --threads 2 --quiet --format "$format" -o "$scratch/analyze.$format" "$@" || code=$?
  dask_code=0
  "$python" dist/dask_driver.py --binary "$binary" --work "$scratch/work-$format" --shards 3 --partitions 3 \
    --workers 2 --format "$format" --output "$scratch/dask.$format" "${compress[@]}" "$@" \
    2>"$scratch/dask.log" || dask_code=$?
  if [ "$code" != "$dask_code" ] || ! cmp "$scratch/analyze.$format" "$scratch/dask.$format"; then
    cat "$scratch/dask.log" >&2
    echo "dask driver: the $format report differs from analyze (exit $dask_code, analyze $code)" >&2
    exit 1
  fi
  echo "dask driver: $format report identical to analyze ($(wc -c <"$scratch/dask.$format") bytes)${compress:+, exchanges compressed}"
done
