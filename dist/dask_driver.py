#!/usr/bin/env python3
"""Runs `mentorlens dist` on a Dask cluster: one Dask task per mentorlens task, stage by stage.

Every decision is made by the mentorlens binary; Dask only runs its tasks (each a subprocess of
the binary) and the work folder, on a file system every worker sees, carries the exchanges. A task
is idempotent, so Dask's retries rerun it safely.

    python dist/dask_driver.py --binary target/release/mentorlens --work /shared/work \
        --shards 64 --output report.json corpus/            # a LocalCluster on this machine
    ... --scheduler tcp://scheduler:8786                     # an existing scheduler
    ... --slurm-jobs 8                                       # dask-jobqueue's SLURMCluster

The exit code is the one `mentorlens analyze` gives (3 when some inputs failed).
"""

import argparse
import json
import subprocess
import sys


def run_task(binary, work, stage, task, threads):
    """One mentorlens task; raises on failure so that Dask retries it or reports it."""
    command = [binary, "dist", "task", stage, str(task), "--work", work]
    if threads:
        command += ["--threads", str(threads)]
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0:
        raise RuntimeError(
            f"task {stage} {task} failed (exit {completed.returncode}): {completed.stderr.strip()}"
        )
    return task


def make_client(args):
    """A client of the scheduler the arguments name, or of a new local or Slurm cluster."""
    from dask.distributed import Client, LocalCluster

    if args.scheduler:
        return Client(args.scheduler)
    if args.slurm_jobs:
        from dask_jobqueue import SLURMCluster

        cluster = SLURMCluster(cores=args.threads or 1, memory=args.slurm_memory, processes=1)
        cluster.scale(jobs=args.slurm_jobs)
        return Client(cluster)
    cluster = LocalCluster(
        n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None
    )
    return Client(cluster)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("inputs", nargs="+", help="files or folders, as analyze takes them")
    parser.add_argument("--binary", default="mentorlens", help="the mentorlens executable")
    parser.add_argument("--work", required=True, help="work folder every worker can read")
    parser.add_argument("--shards", type=int, default=8)
    parser.add_argument("--partitions", type=int, default=1, help="tasks of the ids, copies, blocking, anchors, scoring and joins stages")
    parser.add_argument("--config", help="settings file (mentorlens.toml)")
    parser.add_argument("--output", "-o", required=True, help="the report file")
    parser.add_argument("--format", default="json", choices=["json", "jsonl", "html", "parquet"])
    parser.add_argument("--workers", type=int, default=2, help="LocalCluster workers")
    parser.add_argument("--threads", type=int, default=1, help="threads inside each task")
    parser.add_argument("--scheduler", help="address of an existing Dask scheduler")
    parser.add_argument("--slurm-jobs", type=int, help="dask-jobqueue SLURMCluster jobs")
    parser.add_argument("--slurm-memory", default="4GB")
    parser.add_argument("--retries", type=int, default=2)
    parser.add_argument("--compress", action="store_true", help="zstd exchange files (dist plan --compress)")
    args = parser.parse_args()

    plan = [args.binary, "dist", "plan", "--work", args.work, "--shards", str(args.shards)]
    plan += ["--partitions", str(args.partitions)]
    if args.config:
        plan += ["--config", args.config]
    if args.compress:
        plan += ["--compress"]
    subprocess.run(plan + args.inputs, check=True)
    stages = json.loads(
        subprocess.run(
            [args.binary, "dist", "stages", "--work", args.work],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    client = make_client(args)
    try:
        for stage in stages["stages"]:
            futures = client.map(
                run_task,
                [args.binary] * stage["tasks"],
                [args.work] * stage["tasks"],
                [stage["name"]] * stage["tasks"],
                range(stage["tasks"]),
                [args.threads] * stage["tasks"],
                retries=args.retries,
                pure=False,
            )
            client.gather(futures)
    finally:
        client.close()
    assemble = [args.binary, "dist", "assemble", "--work", args.work]
    assemble += ["--format", args.format, "--output", args.output]
    return subprocess.run(assemble).returncode


if __name__ == "__main__":
    sys.exit(main())
