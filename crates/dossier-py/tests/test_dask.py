"""dossier.dask: a LocalCluster of 2 workers audits the corpus and gives the records `dossier batch`
gives on the same inputs; the task plan keeps large files alone and copies of the same bytes together.

The corpus test needs the corpus (target/corpus, and ../shared/corpus/sdk-apps when present) and the
command-line tool (env DOSSIER_BIN, default target/debug/dossier: `cargo build -p dossier-cli`); it is
skipped without them unless DOSSIER_REQUIRE_CORPUS=1.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

pytest.importorskip("dask.dataframe")
pytest.importorskip("distributed")

import dask.bag as db  # noqa: E402
import pandas as pd  # noqa: E402
from dask.distributed import Client, LocalCluster  # noqa: E402

import dossier.dask  # noqa: E402

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "fixtures" / "built"
CORPUS_DIRS = [
    REPO / "target" / "corpus" / "apks",
    REPO / "target" / "corpus" / "dex",
    REPO.parent / "shared" / "corpus" / "sdk-apps",
]


def required(what: str) -> None:
    if os.environ.get("DOSSIER_REQUIRE_CORPUS") == "1":
        pytest.fail(f"{what} (DOSSIER_REQUIRE_CORPUS=1)")
    pytest.skip(what)


@pytest.fixture(scope="module")
def client():
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
        with Client(cluster) as connected:
            yield connected


def present(cell):
    """A cell of the frame as the record holds it: pandas' missing value as None."""
    return None if pd.isna(cell) else cell


def categories_of(report_json: str) -> list[tuple[str, str]]:
    return sorted((c["id"], c["verdict"]) for c in json.loads(report_json)["categories"])


def test_plan_keeps_large_files_alone_and_same_sizes_together():
    mib = 1024 * 1024
    sizes = {"big": 200 * mib, "mid": 70 * mib, "copy-a": 5 * mib, "copy-b": 5 * mib}
    sizes.update({f"small-{i:02}": 100_000 + i for i in range(40)})
    groups = dossier.dask._plan_tasks(list(sizes), threads=2, sizes=sizes)
    assert groups[0] == ["big"] and groups[1] == ["mid"], "largest first, one per task"
    assert any({"copy-a", "copy-b"} <= set(g) for g in groups), "the same size (maybe copies) in one task"
    assert sorted(p for g in groups for p in g) == sorted(sizes), "every path exactly once"
    assert len(groups) >= 6, "at least three tasks per worker thread"
    assert all(len(g) <= dossier.dask.DEFAULT_MAX_FILES for g in groups)


def test_plan_takes_each_path_once():
    sizes = {"a": 10, "b": 10}
    assert dossier.dask._plan_tasks(["a", "b", "a"], threads=1, sizes=sizes) == [["a", "b"]]
    assert dossier.dask._plan_tasks([], threads=4, sizes={}) == []


def test_columns_and_dtypes_are_declared(client):
    frame = dossier.dask.audit([FIXTURES], client)
    assert dict(frame.dtypes.astype(str)) == dict(frame.compute().dtypes.astype(str))
    assert list(frame.columns) == list(dossier.dask.COLUMNS)


def test_bag_of_paths_gives_the_same_rows_as_a_list(client):
    paths = sorted(str(p) for p in FIXTURES.iterdir())
    if not paths:
        required(f"no fixtures under {FIXTURES}")
    from_list = dossier.dask.audit(paths, client, summary=True).compute()
    from_bag = dossier.dask.audit(db.from_sequence(paths, npartitions=3), client, summary=True).compute()
    assert sorted(from_list.path) == sorted(from_bag.path) == sorted(paths)
    by_path = from_bag.set_index("path")
    for row in from_list.itertuples():
        assert row.status == by_path.loc[row.path, "status"]
        assert row.summary == by_path.loc[row.path, "summary"]
    assert from_list.report.isna().all() and from_list.summary.notna().any()


def test_copies_are_scanned_once_as_batch_does(client, tmp_path):
    source = FIXTURES / "beacon.apk"
    if not source.is_file():
        required(f"no fixture {source}")
    for name in ("a.apk", "b.apk"):
        (tmp_path / name).write_bytes(source.read_bytes())
    (tmp_path / "c.apk").write_bytes((FIXTURES / "plumbed.apk").read_bytes())
    rows = dossier.dask.audit([tmp_path], client, max_files=1).compute().set_index("path")
    first, copy = str(tmp_path / "a.apk"), str(tmp_path / "b.apk")
    assert rows.loc[first, "status"] == "ok" and rows.loc[str(tmp_path / "c.apk"), "status"] == "ok"
    assert (rows.loc[copy, "status"], rows.loc[copy, "duplicate_of"]) == ("skipped", first)
    assert rows.loc[copy, "sha256"] == rows.loc[first, "sha256"]


def test_an_unreadable_path_is_an_error_row(client, tmp_path):
    missing = str(tmp_path / "missing.apk")
    rows = dossier.dask.audit([missing], client).compute()
    assert list(rows.status) == ["error"] and rows.error.iloc[0]


def test_corpus_records_equal_those_of_batch(client, tmp_path):
    roots = [d for d in CORPUS_DIRS if d.is_dir()]
    if not CORPUS_DIRS[0].is_dir():
        required(f"no corpus at {CORPUS_DIRS[0]}")
    binary = Path(os.environ.get("DOSSIER_BIN", REPO / "target" / "debug" / "dossier"))
    if not binary.is_file():
        required(f"no dossier binary at {binary} (cargo build -p dossier-cli)")
    out = tmp_path / "batch.jsonl"
    subprocess.run(
        [str(binary), "batch", *map(str, roots), "-j", "2", "-o", str(out)],
        check=True,
        capture_output=True,
    )
    batch = [json.loads(line) for line in out.read_text().splitlines()]
    audited = dossier.dask.audit(roots, client).compute()

    assert sorted(audited.path) == sorted(r["path"] for r in batch), "the same inputs, each once"
    batch_by_path = {r["path"]: r for r in batch}
    for row in audited.itertuples():
        expected = batch_by_path[row.path]
        assert (row.status, row.sha256, present(row.duplicate_of)) == (
            expected["status"],
            expected["sha256"],
            expected["duplicate_of"],
        ), row.path

    ok = audited[audited.status == "ok"]
    batch_ok = {r["sha256"]: r for r in batch if r["status"] == "ok"}
    assert set(ok.sha256) == set(batch_ok), "the same sha256 set of ok records"
    for row in ok.itertuples():
        expected = batch_ok[row.sha256]["report"]
        assert categories_of(row.report) == sorted((c["id"], c["verdict"]) for c in expected["categories"]), (
            row.path
        )
        assert (present(row.package), present(row.version_name)) == (
            expected["app"]["package"],
            expected["app"]["version_name"],
        ), row.path
