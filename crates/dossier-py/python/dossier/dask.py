"""Audits many apps on a Dask cluster: :func:`audit` turns a list (or a Dask bag) of paths into a
Dask DataFrame of batch records, one row per path, the same records as ``dossier batch``.

Each task scans a group of files with :func:`dossier.scan_many` on one thread: the parallelism is
Dask's (one task per worker thread), so the same code runs on a ``LocalCluster``, on Slurm through
dask-jobqueue and on Kubernetes through dask-kubernetes (``docs/python.md``). Scans run inside the
worker process: a scanner crash on a hostile file ends that worker, and Dask starts another and
runs the task again (``distributed.scheduler.allowed-failures`` times, then the task fails). For
inputs that may crash a scanner, ``dossier batch`` isolates each scan in a process of its own.

    >>> from dask.distributed import Client, LocalCluster        # doctest: +SKIP
    >>> import dossier.dask
    >>> client = Client(LocalCluster(n_workers=2, threads_per_worker=1))  # doctest: +SKIP
    >>> records = dossier.dask.audit(["a.apk", "b.apk"], client)  # doctest: +SKIP
    >>> records.to_parquet("audit.parquet")                       # doctest: +SKIP

pandas and dask are imported when :func:`audit` is called, so ``import dossier`` works without
them (``pip install "dossier[dask]"`` installs them).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Union

import dossier

if TYPE_CHECKING:
    import dask.bag
    import dask.dataframe
    import distributed
    import pandas

__all__ = ["COLUMNS", "audit"]

PathLike = Union[str, "os.PathLike[str]"]

#: The columns of :func:`audit`'s DataFrame and their pandas dtypes. The record's keys as
#: ``dossier batch`` writes them, the app's identity taken out of the report for convenience, and
#: the report (or summary) as JSON text, which Parquet stores as it is.
COLUMNS: dict[str, str] = {
    "path": "string",
    "sha256": "string",
    "size": "Int64",
    "status": "string",
    "error": "string",
    "reason": "string",
    "duplicate_of": "string",
    "package": "string",
    "version_code": "Int64",
    "version_name": "string",
    "report": "string",
    "summary": "string",
}

#: Bytes of input per task when the inputs are many: large enough that the cost of a task
#: (a few milliseconds) stays small beside its scans, small enough that a worker lost loses little.
DEFAULT_TARGET_BYTES = 64 * 1024 * 1024
#: Files per task at most, however small they are.
DEFAULT_MAX_FILES = 64
#: Tasks per worker thread, at least, when there are enough inputs: the last tasks then are the
#: small ones, and they even out the workers' finishing times.
TASKS_PER_THREAD = 3


def audit(
    paths: Sequence[PathLike] | dask.bag.Bag,
    client: distributed.Client | None = None,
    *,
    summary: bool = False,
    rules: PathLike | None = None,
    limits: Mapping[str, int] | None = None,
    target_bytes: int = DEFAULT_TARGET_BYTES,
    max_files: int = DEFAULT_MAX_FILES,
) -> dask.dataframe.DataFrame:
    """A Dask DataFrame of batch records, one row per path (lazy: nothing runs until it is
    computed, written with ``to_parquet``, or persisted).

    ``paths`` is a list of files and directories (walked recursively in sorted order, as
    ``dossier batch`` walks them), which every worker must be able to read under the same names
    (a shared file system), or a ``dask.bag.Bag`` of file paths. A list is grouped by file size,
    largest first: a file of ``target_bytes`` or more is a task of its own, smaller ones share a
    task up to ``target_bytes`` and ``max_files``, and the budget shrinks so that there are at least
    three tasks per worker thread of ``client`` (default: the current client) when there are enough
    files. Files of the same size share a task, so the same bytes under two paths are scanned once,
    the second path getting a ``skipped`` record with ``duplicate_of``, as ``dossier batch`` does.
    A bag keeps its own partitions (no sizes are read), and duplicates are found only within one.

    ``summary``, ``rules`` and ``limits`` are those of :func:`dossier.scan_many`; ``rules`` must be
    readable by every worker.

    Columns (:data:`COLUMNS`): ``path``, ``sha256``, ``size``, ``status``, ``error``, ``reason``,
    ``duplicate_of`` as in ``docs/batch.md``; ``package``, ``version_code``, ``version_name`` from the
    report's ``app``; ``report`` (or, with ``summary``, ``summary``) as compact JSON text, null for
    other statuses. Rows come in task order, not in the order of ``paths``, and the index counts
    from 0 in each task (write Parquet with ``write_index=False``).

    A file that cannot be scanned gets an ``error`` record, never an exception. A task fails only
    when its worker dies (a scanner crash on a hostile input) or is lost: Dask then reruns it on
    another worker, and fails the computation with ``KilledWorker`` once the task has killed
    ``distributed.scheduler.allowed-failures`` + 1 workers. Retries of tasks that raise are Dask's too:
    ``client.compute(frame, retries=3)`` or ``frame.to_parquet(..., compute_kwargs={"retries": 3})``.
    """
    try:
        import dask
        import dask.bag
        import dask.dataframe as dd
    except ImportError as missing:
        raise ImportError(f'dossier.dask needs Dask: pip install "dossier[dask]" ({missing})') from missing

    options = {
        "summary": summary,
        "rules": os.fspath(rules) if rules is not None else None,
        "limits": dict(limits) if limits is not None else None,
    }
    meta = _empty_frame()
    if isinstance(paths, dask.bag.Bag):
        scans = [dask.delayed(_scan_group)(part, options) for part in paths.to_delayed()]
        return dd.from_delayed(scans, meta=meta, verify_meta=False)
    groups = _plan_tasks(
        _files_of(paths),
        threads=_thread_count(client),
        target_bytes=target_bytes,
        max_files=max_files,
    )
    if not groups:
        return dd.from_pandas(meta, npartitions=1)
    return dd.from_map(
        _scan_group,
        groups,
        options=options,
        meta=meta,
        divisions=None,
        label="dossier-audit",
        enforce_metadata=False,
    )


def _plan_tasks(
    paths: Sequence[str],
    *,
    threads: int,
    target_bytes: int = DEFAULT_TARGET_BYTES,
    max_files: int = DEFAULT_MAX_FILES,
    sizes: Mapping[str, int] | None = None,
) -> list[list[str]]:
    """The groups of paths :func:`audit` makes tasks of, largest first (see there). ``sizes``
    stands in for reading each file's size (a file that cannot be read counts as empty: its task
    writes its ``error`` record)."""
    unique = list(dict.fromkeys(paths))
    size_of = dict(sizes) if sizes is not None else {path: _file_size(path) for path in unique}
    by_size: dict[int, list[str]] = {}
    for path in unique:
        by_size.setdefault(size_of.get(path, 0), []).append(path)
    total = sum(size_of.get(path, 0) for path in unique)
    wanted_tasks = max(1, threads) * TASKS_PER_THREAD
    budget = max(1, min(target_bytes, total // wanted_tasks))
    per_task = max(1, min(max_files, -(-len(unique) // wanted_tasks)))
    groups: list[list[str]] = []
    current: list[str] = []
    current_bytes = 0
    for size in sorted(by_size, reverse=True):
        # The same bytes have the same size: one task sees every copy and scans it once.
        same_size = sorted(by_size[size])
        if current and (
            current_bytes + size * len(same_size) > budget or len(current) + len(same_size) > per_task
        ):
            groups.append(current)
            current, current_bytes = [], 0
        current.extend(same_size)
        current_bytes += size * len(same_size)
    if current:
        groups.append(current)
    return groups


def _files_of(paths: Iterable[PathLike]) -> list[str]:
    """The paths given, each directory replaced by the files under it, walked as ``dossier batch``
    walks one: recursively, in sorted order, following links to files but not to directories."""
    files: list[str] = []
    for given in paths:
        path = os.fspath(given)
        if not os.path.isdir(path):
            files.append(path)
            continue
        for folder, subfolders, names in os.walk(path):
            subfolders.sort()
            inside = (os.path.join(folder, name) for name in sorted(names))
            files.extend(found for found in inside if os.path.isfile(found))
    return files


def _file_size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _thread_count(client: distributed.Client | None) -> int:
    """Worker threads of the client's cluster, or of this machine when there is no client."""
    if client is None:
        try:
            from distributed import default_client

            client = default_client()
        except (ImportError, ValueError):
            return os.cpu_count() or 1
    threads = sum(client.nthreads().values())
    return threads if threads > 0 else os.cpu_count() or 1


def _scan_group(paths: Iterable[PathLike], options: dict[str, Any]) -> pandas.DataFrame:
    """One task (a group of a list, or a partition of a bag): scans its paths on one thread and
    returns their rows."""
    records = dossier.scan_many([os.fspath(path) for path in paths], jobs=1, **options)
    return _frame_of(records)


def _compact(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _row_of(record: Mapping[str, Any]) -> dict[str, Any]:
    body = record.get("report") or record.get("summary") or {}
    app = body.get("app") or {}
    return {
        "path": record["path"],
        "sha256": record["sha256"],
        "size": record["size"],
        "status": record["status"],
        "error": record["error"],
        "reason": record["reason"],
        "duplicate_of": record["duplicate_of"],
        "package": app.get("package"),
        "version_code": app.get("version_code"),
        "version_name": app.get("version_name"),
        "report": _compact(record.get("report")),
        "summary": _compact(record.get("summary")),
    }


def _frame_of(records: Iterable[Mapping[str, Any]]) -> pandas.DataFrame:
    import pandas as pd

    rows = [_row_of(record) for record in records]
    return pd.DataFrame(rows, columns=list(COLUMNS)).astype(COLUMNS)


def _empty_frame() -> pandas.DataFrame:
    return _frame_of([])
