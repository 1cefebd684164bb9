"""The Python API on the fixtures: each call gives exactly what the command-line tool writes (the
binary at $DOSSIER_BIN, default target/debug/dossier), bytes scan like paths, errors raise the
documented exceptions, and scan_many / frame give the records and the table of `dossier batch`."""

from __future__ import annotations

import json
import os
import subprocess
import threading
from pathlib import Path

import pytest

import dossier

ROOT = Path(__file__).resolve().parents[3]
BUILT = ROOT / "fixtures" / "built"
BIN = Path(os.environ.get("DOSSIER_BIN", ROOT / "target" / "debug" / "dossier"))


def cli(*args: str) -> subprocess.CompletedProcess:
    if not BIN.is_file():
        pytest.fail(f"no dossier binary at {BIN} (cargo build -p dossier-cli, or set DOSSIER_BIN)")
    return subprocess.run([str(BIN), *args], capture_output=True, check=False)


def cli_json(*args: str):
    out = cli(*args)
    assert out.returncode == 0, out.stderr.decode()
    return json.loads(out.stdout)


def test_version_and_schema_versions():
    assert dossier.__version__ == cli("--version").stdout.decode().split()[-1]
    assert dossier.REPORT_SCHEMA_VERSION.startswith("2.")
    assert dossier.CSV_COLUMNS[:2] == ("path", "sha256")


@pytest.mark.parametrize("name", ["vidshare.apks", "beacon.apk", "plumbed.apk", "cleannotes.apk"])
def test_scan_equals_the_cli_report(name):
    path = str(BUILT / name)
    assert dossier.scan(path) == cli_json("scan", path, "--format", "json")


def test_scan_from_bytes_equals_scan_from_a_path():
    path = BUILT / "vidshare.apks"
    from_path = dossier.scan(path)
    from_bytes = dossier.scan(path.read_bytes(), name=str(path))
    assert from_bytes == from_path
    # Without a name the report says where the bytes came from, and nothing else changes.
    anonymous = dossier.scan(bytearray(path.read_bytes()))
    assert anonymous["input"]["path"] == "<bytes>"
    anonymous["input"]["path"] = from_path["input"]["path"]
    assert anonymous == from_path


def test_manifest_equals_the_cli_manifest():
    path = str(BUILT / "vidshare.apks")
    assert dossier.manifest(path) == cli_json("manifest", path, "--format", "json")
    assert dossier.manifest(Path(path).read_bytes())["package"] == "com.example.vidshare"


def test_diff_equals_the_cli_diff_from_apps_reports_and_saved_files(tmp_path):
    old, new = str(BUILT / "diffapp-v1.apk"), str(BUILT / "diffapp-v2.apk")
    expected = cli_json("diff", old, new, "--format", "json")
    assert dossier.diff(old, new) == expected
    assert dossier.diff(dossier.scan(old), dossier.scan(new)) == expected
    saved = tmp_path / "old.json"
    saved.write_text(json.dumps(dossier.scan(old)))
    assert dossier.diff(saved, new) == expected


def test_errors_raise_the_documented_exceptions(tmp_path):
    assert issubclass(dossier.InputError, dossier.DossierError)
    assert issubclass(dossier.RulesError, dossier.DossierError)
    with pytest.raises(dossier.InputError, match="not an Android input"):
        dossier.scan(b"hello, not an app")
    with pytest.raises(dossier.InputError, match="cannot read"):
        dossier.scan(tmp_path / "missing.apk")
    with pytest.raises(dossier.InputError, match="max_input_size"):
        dossier.scan(BUILT / "beacon.apk", limits={"max_input_size": 100})
    with pytest.raises(dossier.InputError, match="max_input_size"):
        dossier.scan((BUILT / "beacon.apk").read_bytes(), limits={"max_input_size": 100})
    with pytest.raises(ValueError, match="unknown limit"):
        dossier.scan(BUILT / "beacon.apk", limits={"max_size": 100})
    with pytest.raises(dossier.InputError, match="no AndroidManifest.xml"):
        dossier.manifest(ROOT / "fixtures" / "dex" / "refs.dex")
    bad_rules = tmp_path / "rules"
    bad_rules.mkdir()
    (bad_rules / "bad.toml").write_text("[[api]]\nid = 'x'\nunknown_key = 1\n")
    with pytest.raises(dossier.RulesError):
        dossier.scan(BUILT / "beacon.apk", rules=bad_rules)
    with pytest.raises(dossier.DossierError, match="different apps"):
        dossier.diff(BUILT / "beacon.apk", BUILT / "plumbed.apk")
    assert dossier.diff(BUILT / "beacon.apk", BUILT / "plumbed.apk", allow_different_package=True)
    with pytest.raises(dossier.InputError, match="no schema_version"):
        dossier.diff(b"{}", BUILT / "beacon.apk")


def batch_records(*args: str) -> dict[str, dict]:
    out = cli("batch", *args)
    assert out.returncode == 0, out.stderr.decode()
    return {r["path"]: r for r in map(json.loads, out.stdout.decode().splitlines())}


def test_scan_many_yields_the_records_of_dossier_batch(tmp_path):
    copy = tmp_path / "beacon-copy.apk"
    copy.write_bytes((BUILT / "beacon.apk").read_bytes())
    text = tmp_path / "notes.txt"
    text.write_text("not an app\n")
    paths = sorted(str(p) for p in BUILT.iterdir() if p.is_file()) + [str(copy), str(text), str(tmp_path / "gone.apk")]
    for summary in (False, True):
        flags = ["--summary"] if summary else []
        expected = batch_records(*paths, "-j", "2", *flags)
        got = {r["path"]: r for r in dossier.scan_many(paths, jobs=2, summary=summary)}
        assert got.keys() == expected.keys()
        for path, record in expected.items():
            # Which of two copies is scanned first depends on timing: compare what it stands for.
            mine = got[path]
            if record["duplicate_of"] or mine["duplicate_of"]:
                assert (record["sha256"], record["status"] in ("ok", "skipped")) == (
                    mine["sha256"],
                    mine["status"] in ("ok", "skipped"),
                )
                continue
            assert mine == record, path


def test_a_stream_dropped_early_stops(tmp_path):
    paths = [str(p) for p in BUILT.iterdir() if p.is_file()]
    stream = dossier.scan_many(paths, jobs=1)
    first = next(stream)
    assert first["status"] in ("ok", "skipped", "error")
    stream.close()  # the generator and the Rust stream behind it are dropped without a hang


def test_frame_equals_the_batch_csv_loaded_as_documented(tmp_path):
    pd = pytest.importorskip("pandas")
    jsonl, csv = tmp_path / "out.jsonl", tmp_path / "out.csv"
    out = cli("batch", str(BUILT), "-o", str(jsonl), "--csv", str(csv))
    assert out.returncode == 0, out.stderr.decode()
    records = [json.loads(line) for line in jsonl.read_text().splitlines()]
    dtypes = {c: "string" for c in dossier.CSV_COLUMNS} | {"version_code": "Int64", "collects": "boolean"}
    loaded = pd.read_csv(csv, dtype=dtypes, keep_default_na=False, na_values=[""])
    made = dossier.frame(records)
    assert list(made.columns) == list(dossier.CSV_COLUMNS)
    assert made.dtypes.to_dict() == loaded.dtypes.to_dict()
    pd.testing.assert_frame_equal(made, loaded)


def test_scans_release_the_gil():
    """Another Python thread keeps running while Rust scans."""
    ticks = []
    done = threading.Event()

    def tick():
        while not done.is_set():
            ticks.append(1)
            done.wait(0.001)

    ticker = threading.Thread(target=tick)
    ticker.start()
    try:
        before = len(ticks)
        for _ in range(3):
            dossier.scan(BUILT / "vidshare.apks")
        during = len(ticks) - before
    finally:
        done.set()
        ticker.join()
    assert during > 5, "the ticking thread was stopped while dossier scanned"
