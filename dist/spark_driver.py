#!/usr/bin/env python3
"""Runs `mentorlens dist` on Spark: each stage is `spark.range(n).repartition(n).mapInPandas(...)`,
one partition per mentorlens task, the binary shipped to the executors with `addFile`. Spark
only runs the binary's tasks (each a subprocess); the work folder, on a file system every executor
sees, carries the exchanges. A task is idempotent, so Spark's task retries rerun it safely.
DataFrame operations only (no RDD), so it runs on Spark Connect too.

    python dist/spark_driver.py --binary target/release/mentorlens --work /shared/work \
        --shards 64 --output report.json /shared/crawl      # SparkSession from the environment
    ... --master local[2]                                   # a local Spark for a test

The exit code is the one `mentorlens analyze` gives (3 when some inputs failed).
"""

import argparse
import json
import os
import subprocess
import sys


def task_runner(binary_name, work, stage, threads):
    """The function mapInPandas calls on the executor: runs the task of each id it is given."""

    def run(batches):
        import pandas
        from pyspark import SparkFiles

        binary = SparkFiles.get(binary_name)
        os.chmod(binary, 0o755)
        for batch in batches:
            for task in batch["id"]:
                command = [binary, "dist", "task", stage, str(task), "--work", work]
                command += ["--threads", str(threads)]
                completed = subprocess.run(command, capture_output=True, text=True)
                if completed.returncode != 0:
                    raise RuntimeError(
                        f"task {stage} {task} failed (exit {completed.returncode}): "
                        f"{completed.stderr.strip()}"
                    )
                yield pandas.DataFrame({"task": [int(task)]})

    return run


def run_stages(spark, binary, work, threads):
    """Every stage of the plan in `work`, in order, one Spark partition per task."""
    stages = json.loads(
        subprocess.run(
            [binary, "dist", "stages", "--work", work], check=True, capture_output=True, text=True
        ).stdout
    )
    for stage in stages["stages"]:
        tasks = stage["tasks"]
        if tasks == 0:
            continue
        run = task_runner(os.path.basename(binary), work, stage["name"], threads)
        done = spark.range(tasks).repartition(tasks).mapInPandas(run, "task long").collect()
        if sorted(row.task for row in done) != list(range(tasks)):
            raise RuntimeError(f"stage {stage['name']}: not every task reported back")


def ship(spark, binary):
    """Sends the binary to every executor (SparkContext.addFile; on Spark Connect, which has no
    SparkContext, addArtifacts with file=True)."""
    try:
        context = spark.sparkContext
    except Exception:  # Spark Connect
        spark.addArtifacts(binary, file=True)
    else:
        context.addFile(binary)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("inputs", nargs="+", help="files or folders, as analyze takes them")
    parser.add_argument("--binary", required=True, help="the mentorlens executable to ship")
    parser.add_argument("--work", required=True, help="work folder every executor can read")
    parser.add_argument("--shards", type=int, default=8)
    parser.add_argument("--partitions", type=int, default=1, help="tasks of the ids, copies, blocking, anchors, scoring and joins stages")
    parser.add_argument("--output", "-o", required=True, help="the report file")
    parser.add_argument("--format", default="json", choices=["json", "jsonl", "html", "parquet"])
    parser.add_argument("--threads", type=int, default=1, help="threads inside each task")
    parser.add_argument("--master", help="Spark master, e.g. local[2] (default: the environment's)")
    parser.add_argument("--compress", action="store_true", help="zstd exchange files (dist plan --compress)")
    args = parser.parse_args()

    from pyspark.sql import SparkSession

    binary = os.path.abspath(args.binary)
    work = os.path.abspath(args.work)
    subprocess.run(
        [binary, "dist", "plan", "--work", work, "--shards", str(args.shards)]
        + ["--partitions", str(args.partitions)]
        + (["--compress"] if args.compress else [])
        + args.inputs,
        check=True,
    )
    builder = SparkSession.builder.appName("mentorlens-dist")
    if args.master:
        builder = builder.master(args.master)
    spark = builder.getOrCreate()
    try:
        ship(spark, binary)
        run_stages(spark, binary, work, args.threads)
    finally:
        spark.stop()
    assemble = [binary, "dist", "assemble", "--work", work, "--format", args.format]
    return subprocess.run(assemble + ["--output", args.output]).returncode


if __name__ == "__main__":
    sys.exit(main())
