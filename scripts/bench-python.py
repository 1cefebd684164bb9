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


def cpu_seconds() -> float:
    """CPU time of this process (the client and, for a LocalCluster, the scheduler), of its children
    that ended (a batch and its workers) and of those still running (the Dask nannies and workers)."""
    import psutil

    own = os.times()
    total = own.user + own.system + own.children_user + own.children_system
    for child in psutil.Process().children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def timed(run) -> tuple[float, float]:
    """Wall seconds and CPU seconds (every process involved) of one run."""
    cpu = cpu_seconds()
    started = time.perf_counter()
    run()
    return time.perf_counter() - started, cpu_seconds() - cpu


def row(label: str, runs: list[tuple[float, float]], files: int, megabytes: float) -> str:
    walls = [wall for wall, _ in runs]
    wall = statistics.median(walls)
    cpu = statistics.median(cpu for _, cpu in runs)
    spread = f"{min(walls):.2f}–{max(walls):.2f}"
    rates = f"{files / wall:.1f} | {megabytes / wall:.1f}"
    return f"| {label} | {files} | {wall:.2f} | {spread} | {rates} | {cpu:.2f} |"


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
        f"| run | files | wall s (median of {args.rounds}) | min–max s | files/s | MB/s | CPU s (median) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    with tempfile.TemporaryDirectory() as work:
        listing = Path(work) / "inputs.txt"
        listing.write_text("".join(f"{p}\n" for p in paths))
        out = Path(work) / "audit.parquet"
        cluster_started = time.perf_counter()
        with (
            LocalCluster(n_workers=jobs, threads_per_worker=1, dashboard_address=None) as cluster,
            Client(cluster) as client,
        ):
            start_up = time.perf_counter() - cluster_started
            cold, _ = timed(lambda: dossier.dask.audit(paths, client).compute())
            tasks = dossier.dask.audit(paths, client).npartitions

            def batch(*extra: str):
                command = [
                    args.bin,
                    "batch",
                    "--from",
                    str(listing),
                    "-j",
                    str(jobs),
                    "-o",
                    "/dev/null",
                    *extra,
                ]
                return lambda: subprocess.run(command, check=True, stderr=subprocess.DEVNULL)

            runs = {
                f"`dossier batch --jobs {jobs}`": batch(),
                f"`dossier batch --jobs {jobs} --summary`": batch("--summary"),
                f"`dossier.dask.audit`, {jobs} workers × 1 thread, `.compute()`": lambda: dossier.dask.audit(
                    paths, client
                ).compute(),
                f"`dossier.dask.audit(summary=True)`, {jobs} workers, `.compute()`": lambda: (
                    dossier.dask.audit(paths, client, summary=True).compute()
                ),
                f"`dossier.dask.audit`, {jobs} workers, `.to_parquet()`": lambda: dossier.dask.audit(
                    paths, client
                ).to_parquet(out, write_index=False, overwrite=True),
            }
            # Round by round, each run in turn: a change of the machine's load touches all alike.
            walls: dict[str, list[tuple[float, float]]] = {label: [] for label in runs}
            for _ in range(args.rounds):
                for label, run in runs.items():
                    walls[label].append(timed(run))
    lines += [row(label, times, len(paths), megabytes) for label, times in walls.items()]
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
