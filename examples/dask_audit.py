#!/usr/bin/env python3
"""Audits every file under a directory on a local Dask cluster and writes the records as Parquet.

    pip install "./crates/dossier-py[dask]"
    python examples/dask_audit.py fixtures/built -o audit.parquet

The same code runs on a Slurm or Kubernetes cluster once the LocalCluster below is replaced by a
SLURMCluster (dask-jobqueue) or a KubeCluster (dask-kubernetes): see docs/python.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from dask.distributed import Client, LocalCluster

import dossier.dask


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", help="the files to audit (walked recursively)")
    parser.add_argument("-o", "--output", default="audit.parquet", help="Parquet directory to write")
    parser.add_argument("--workers", type=int, default=2, help="Dask worker processes (one thread each)")
    parser.add_argument("--summary", action="store_true", help="compact summaries instead of full reports")
    parser.add_argument("--retries", type=int, default=2, help="times Dask reruns a task whose worker died")
    args = parser.parse_args()

    if not os.path.isdir(args.directory):
        print(f"{args.directory}: not a directory", file=sys.stderr)
        return 2
    with LocalCluster(n_workers=args.workers, threads_per_worker=1) as cluster, Client(cluster) as client:
        started = time.perf_counter()
        records = dossier.dask.audit([args.directory], client, summary=args.summary)
        records.to_parquet(args.output, write_index=False, compute_kwargs={"retries": args.retries})
        elapsed = time.perf_counter() - started
    import pandas as pd

    written = pd.read_parquet(args.output)
    counts = ", ".join(f"{n} {status}" for status, n in written["status"].value_counts().sort_index().items())
    print(f"{len(written)} record(s) in {elapsed:.1f} s ({counts}) -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
