#!/usr/bin/env bash
# Self-test of the Spark recipe, run by hand (Spark is too heavy for every CI run): the corpus run
# through dist/spark_driver.py on a local[2] Spark gives the report `analyze` gives, byte for byte.
# Needs Java 17 or later (Debian: openjdk-17-jre-headless); installs pinned pyspark, pandas and
# pyarrow into a virtual environment when missing.
#   dist/spark_selftest.sh BINARY [VENV] [INPUT...]   (default VENV: target/spark-venv; input: corpus)
set -euo pipefail
cd "$(dirname "$0")/.."
binary=$(realpath "$1")
venv=${2:-target/spark-venv}
shift $(($# >= 2 ? 2 : 1))
[ "$#" -gt 0 ] || set -- corpus
command -v java >/dev/null || { echo "spark self-test: java is missing (apt-get install openjdk-17-jre-headless)" >&2; exit 2; }
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import pyspark, pandas, pyarrow
assert (pyspark.__version__, pandas.__version__, pyarrow.__version__) == ("4.3.0", "3.1.1", "26.0.1")' 2>/dev/null ||
  "$venv/bin/python" -m pip install -q pyspark==4.3.0 pandas==3.1.1 pyarrow==26.0.1
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
code=0
"$binary" analyze --threads 2 --quiet -o "$scratch/analyze.json" "$@" || code=$?
started=$(date +%s)
spark_code=0
PYSPARK_PYTHON="$venv/bin/python" "$venv/bin/python" dist/spark_driver.py --master 'local[2]' \
  --binary "$binary" --work "$scratch/work" --shards 3 --partitions 2 --output "$scratch/spark.json" "$@" \
  2>"$scratch/spark.log" || spark_code=$?
if [ "$code" != "$spark_code" ] || ! cmp "$scratch/analyze.json" "$scratch/spark.json"; then
  tail -40 "$scratch/spark.log" >&2
  echo "spark self-test: the report differs from analyze (exit $spark_code, analyze $code)" >&2
  exit 1
fi
echo "spark self-test: report identical to analyze ($(wc -c <"$scratch/spark.json") bytes, $(($(date +%s) - started)) s on local[2])"
