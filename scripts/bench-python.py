#!/usr/bin/env python3
"""Throughput of dossier.dask.audit on a LocalCluster of 2 workers (one thread each) against
`dossier batch --jobs 2` on the same corpus (target/corpus and ../shared/corpus/sdk-apps): wall
seconds (median of ROUNDS), files/s and MB/s, with full reports and with summaries. The cluster's
start-up and its first (cold) run are measured apart, not in the medians.

Usage (the package installed in a venv: docs/python.md; a release build of the CLI):
    target/venv/bin/python scripts/bench-python.py [--bin target/release/dossier] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def timed(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def row(label: str, walls: list[float], files: int, megabytes: float) -> str:
    wall = statistics.median(walls)
    spread = f"{min(walls):.2f}–{max(walls):.2f}"
    return f"| {label} | {files} | {wall:.2f} | {spread} | {files / wall:.1f} | {megabytes / wall:.1f} |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default=str(REPO / "target" / "release" / "dossier"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    from dask.distributed import Client, LocalCluster

    import dossier.dask

    roots = [REPO / "target" / "corpus"]
    if (REPO.parent / "shared" / "corpus" / "sdk-apps").is_dir():
        roots.append(REPO.parent / "shared" / "corpus" / "sdk-apps")
    paths = dossier.dask._files_of(roots)
    megabytes = sum(os.path.getsize(p) for p in paths) / 1e6
    jobs = args.workers
    lines = [
        f"inputs: {len(paths)} files, {megabytes:.1f} MB; {args.rounds} rounds; "
        f"load average before: {os.getloadavg()[0]:.2f}",
        "",
        f"| run | files | wall s (median of {args.rounds}) | min–max s | files/s | MB/s |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    with tempfile.TemporaryDirectory() as work:
        listing = Path(work) / "inputs.txt"
        listing.write_text("".join(f"{p}\n" for p in paths))
        for summary in (False, True):
            command = [args.bin, "batch", "--from", str(listing), "-j", str(jobs), "-o", "/dev/null"]
            if summary:
                command.append("--summary")
            walls = [
                timed(lambda: subprocess.run(command, check=True, stderr=subprocess.DEVNULL))
                for _ in range(args.rounds)
            ]
            label = f"`dossier batch --jobs {jobs}`" + (" --summary" if summary else "")
            lines.append(row(label, walls, len(paths), megabytes))

        cluster_started = time.perf_counter()
        with LocalCluster(n_workers=jobs, threads_per_worker=1, dashboard_address=None) as cluster, Client(
            cluster
        ) as client:
            start_up = time.perf_counter() - cluster_started
            cold = timed(lambda: dossier.dask.audit(paths, client).compute())
            tasks = dossier.dask.audit(paths, client).npartitions
            for summary in (False, True):
                walls = [
                    timed(lambda: dossier.dask.audit(paths, client, summary=summary).compute())
                    for _ in range(args.rounds)
                ]
                label = f"`dossier.dask.audit`, {jobs} workers × 1 thread, to pandas" + (
                    ", summary=True" if summary else ""
                )
                lines.append(row(label, walls, len(paths), megabytes))
            out = Path(work) / "audit.parquet"
            walls = [
                timed(lambda: dossier.dask.audit(paths, client).to_parquet(out, write_index=False, overwrite=True))
                for _ in range(args.rounds)
            ]
            lines.append(row(f"`dossier.dask.audit`, {jobs} workers, `to_parquet`", walls, len(paths), megabytes))
    lines += [
        "",
        f"LocalCluster({jobs} workers) + Client start-up: {start_up:.2f} s; first audit on the fresh "
        f"cluster (workers import dossier, load the rules): {cold:.2f} s; tasks per audit: {tasks}; "
        f"load average after: {os.getloadavg()[0]:.2f}",
    ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
