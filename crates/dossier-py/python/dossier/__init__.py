"""dossier reads an Android app without running it and reports what personal data its code can
collect, who collects it (the app itself or a named SDK) and where it may send it.

Every function returns plain Python objects: a report is exactly the JSON that
``dossier scan --format json`` writes (``docs/report-schema.md``), a batch record exactly a line of
``dossier batch`` (``docs/batch.md``). The work is done in Rust with the GIL released, so threads
(and Dask workers) run beside it.

    >>> import dossier
    >>> report = dossier.scan("app.apk")                       # doctest: +SKIP
    >>> [(c["id"], c["verdict"]) for c in report["categories"]]  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Union

from . import _native
from ._native import DossierError, InputError, RulesError

if TYPE_CHECKING:
    import pandas

__all__ = [
    "BATCH_SCHEMA_VERSION",
    "CSV_COLUMNS",
    "DossierError",
    "InputError",
    "REPORT_SCHEMA_VERSION",
    "RulesError",
    "__version__",
    "diff",
    "frame",
    "manifest",
    "scan",
    "scan_many",
]

__version__: str = _native.__version__
REPORT_SCHEMA_VERSION: str = _native.REPORT_SCHEMA_VERSION
BATCH_SCHEMA_VERSION: str = _native.BATCH_SCHEMA_VERSION
#: The columns of the long-format table, in order (``dossier batch --csv``, :func:`frame`).
CSV_COLUMNS: tuple[str, ...] = tuple(_native.csv_columns())

PathLike = Union[str, "os.PathLike[str]"]
Source = Union[PathLike, bytes, bytearray, memoryview]
Limits = Mapping[str, int]


def _name(name: str | None) -> str:
    return name if name is not None else "<bytes>"


def scan(
    source: Source,
    *,
    rules: PathLike | None = None,
    limits: Limits | None = None,
    name: str | None = None,
) -> dict[str, Any]:
    """The report of an app: an APK, a split set (.apks, .xapk, .apkm), a DEX or a JAR.

    ``source`` is a path, or the file's bytes (from object storage, a tar stream...: no temporary
    file is written); ``name`` then stands for the file in the report (``input.path``).
    ``rules`` is a directory of rule files added to the built-in rules; ``limits`` overrides the
    caps against hostile archives: ``max_input_size``, ``max_entry_size``, ``max_total_inflated``,
    ``max_ratio``, ``memory_budget``, ``max_entries``.

    Raises :class:`InputError` when the input cannot be read as an Android input (missing file,
    not an app, refused by a limit, malformed), :class:`RulesError` for a bad rules directory.
    """
    rules_dir = os.fspath(rules) if rules is not None else None
    limit_map = dict(limits) if limits is not None else None
    if isinstance(source, (bytes, bytearray, memoryview)):
        text = _native.scan_bytes(bytes(source), _name(name), rules_dir, limit_map)
    else:
        text = _native.scan_path(os.fspath(source), rules_dir, limit_map)
    return json.loads(text)


def manifest(source: Source, *, limits: Limits | None = None, name: str | None = None) -> dict[str, Any]:
    """The typed manifest of an app (package, versions, permissions, components, meta-data...),
    as ``dossier manifest --format json`` writes it. Raises :class:`InputError` for an input
    without a manifest (a DEX, a JAR) or one that cannot be read."""
    limit_map = dict(limits) if limits is not None else None
    if isinstance(source, (bytes, bytearray, memoryview)):
        text = _native.manifest_bytes(bytes(source), _name(name), limit_map)
    else:
        text = _native.manifest_path(os.fspath(source), limit_map)
    return json.loads(text)


def _report_of(source: Source | Mapping[str, Any], rules: PathLike | None, limits: Limits | None) -> str:
    """A report as JSON: a dict given, a saved JSON report (path or bytes), or an app to scan."""
    if isinstance(source, Mapping):
        return json.dumps(source)
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        if _native.looks_like_report(data[:64]):
            return _native.read_report(data)
        return json.dumps(scan(data, rules=rules, limits=limits))
    path = os.fspath(source)
    with open(path, "rb") as head:
        start = head.read(64)
    if _native.looks_like_report(start):
        with open(path, "rb") as whole:
            return _native.read_report(whole.read())
    return json.dumps(scan(path, rules=rules, limits=limits))


def diff(
    old: Source | Mapping[str, Any],
    new: Source | Mapping[str, Any],
    *,
    allow_different_package: bool = False,
    rules: PathLike | None = None,
    limits: Limits | None = None,
) -> dict[str, Any]:
    """What changed from ``old`` to ``new`` (``docs/diff-schema.md``): permissions, categories and
    their verdicts and collectors, trackers, endpoint hosts, APIs, native libraries, exported
    components, anomalies. Each side is an app (path or bytes), a report saved by
    ``dossier scan --format json`` (path or bytes), or a report dict from :func:`scan`.

    Raises :class:`DossierError` when the two are different apps, unless
    ``allow_different_package``."""
    old_json = _report_of(old, rules, limits)
    new_json = _report_of(new, rules, limits)
    return json.loads(_native.diff(old_json, new_json, allow_different_package))


def scan_many(
    paths: Iterable[PathLike],
    *,
    jobs: int | None = None,
    rules: PathLike | None = None,
    limits: Limits | None = None,
    summary: bool = False,
) -> Iterator[dict[str, Any]]:
    """Scans many files in parallel in Rust (``jobs`` threads, default every core) and yields one
    batch record per path as each finishes, the same records as ``dossier batch``: ``path``,
    ``sha256``, ``size``, ``status`` (``ok``, ``error``, ``skipped``, ``timeout``), ``error``,
    ``reason``, ``duplicate_of``, and ``report`` (or ``summary`` when ``summary`` is true).

    A file that cannot be scanned gets an error record; nothing is raised for it. The same bytes
    under two paths are scanned once. Unlike ``dossier batch``, scans run in this process: use the
    command-line batch for hostile inputs that may crash or hang a scanner."""
    rules_dir = os.fspath(rules) if rules is not None else None
    limit_map = dict(limits) if limits is not None else None
    stream = _native.scan_many([os.fspath(p) for p in paths], jobs, rules_dir, limit_map, summary)
    for line in stream:
        yield json.loads(line)



def _dtypes() -> dict[str, str]:
    """pandas dtypes of :func:`frame`: those ``docs/batch.md`` loads ``batch --csv`` with."""
    types = {column: "string" for column in CSV_COLUMNS}
    types["version_code"] = "Int64"
    types["collects"] = "boolean"
    return types


def _cell(column: str, text: str) -> Any:
    if text == "":
        return None
    if column == "version_code":
        return int(text)
    if column == "collects":
        return text == "true"
    return text


def frame(records: Iterable[Mapping[str, Any]]) -> "pandas.DataFrame":
    """Records (from :func:`scan_many` or lines of ``dossier batch``) as one pandas DataFrame in
    the long format of ``dossier batch --csv``: a ``row`` column (``app``, ``category``,
    ``tracker``, ``endpoint``, ``permission``) and the columns of :data:`CSV_COLUMNS`, with the
    dtypes ``docs/batch.md`` uses to load the CSV (``version_code`` Int64, ``collects`` boolean,
    the rest string). Needs pandas (``pip install "dossier[pandas]"``)."""
    import pandas as pd

    rows = []
    for record in records:
        for cells in _native.csv_rows(json.dumps(record)):
            rows.append([_cell(column, text) for column, text in zip(CSV_COLUMNS, cells)])
    return pd.DataFrame(rows, columns=list(CSV_COLUMNS)).astype(_dtypes())
