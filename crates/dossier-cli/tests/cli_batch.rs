//! `dossier batch` end to end: one valid record per input over the corpus and the fixtures, each
//! record's report exactly what `scan --format json` writes, injected panics, aborts, hangs and
//! runaway allocations turned into records while the batch goes on, a run killed with SIGKILL and
//! resumed ending with every input exactly once, Ctrl-C finishing the records in flight, shards
//! that are disjoint and cover everything, and the CSV loading in pandas and DuckDB.

#[path = "../../../tests/common/mod.rs"]
mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn dossier() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dossier"));
    command
        .env("NO_COLOR", "1")
        .env_remove("DOSSIER_BATCH_FAULTS");
    command
}

fn run(args: &[&str]) -> Output {
    dossier().args(args).output().expect("dossier runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A scratch directory under the target directory, emptied first.
fn scratch(name: &str) -> PathBuf {
    let dir = common::root().join("target/tmp").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Every record of a JSON Lines output, each line checked to be one whole JSON object.
fn records(jsonl: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(jsonl).unwrap();
    assert!(text.is_empty() || text.ends_with('\n'), "a torn last line");
    text.lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

/// Records by path; fails when a path has two.
fn by_path(records: &[Value]) -> BTreeMap<String, Value> {
    let mut map = BTreeMap::new();
    for record in records {
        let path = record["path"].as_str().unwrap().to_owned();
        assert!(
            map.insert(path.clone(), record.clone()).is_none(),
            "two records for {path}"
        );
    }
    map
}

/// Every regular file under `dir`, as the batch lists them.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                stack.push(path);
            } else if meta.is_file() {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The fixture APKs copied into `dir`, a copy of one under another name, and a text file.
fn small_inputs(dir: &Path) -> Vec<PathBuf> {
    for name in [
        "vidshare.apks",
        "beacon.apk",
        "plumbed.apk",
        "oldtarget.apk",
    ] {
        std::fs::copy(common::fixture(name), dir.join(name)).unwrap();
    }
    std::fs::copy(common::fixture("beacon.apk"), dir.join("beacon-copy.apk")).unwrap();
    std::fs::write(dir.join("notes.txt"), "not an app\n").unwrap();
    files_under(dir)
}

fn fault(dir: &Path, name: &str, word: &str, size: usize) -> PathBuf {
    let mut bytes = format!("dossier-fault:{word}\n").into_bytes();
    bytes.resize(size.max(bytes.len()), b'.');
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn every_input_gets_exactly_one_valid_record_with_the_report_scan_writes() {
    let dir = scratch("batch-all");
    let inputs = dir.join("in");
    std::fs::create_dir_all(&inputs).unwrap();
    let mut expected = small_inputs(&inputs);
    let mut args = vec!["batch".to_owned(), s(&inputs).to_owned()];
    let corpus = common::corpus();
    if let Some(corpus) = &corpus {
        expected.extend(files_under(corpus));
        args.push(s(corpus).to_owned());
    }
    let built = common::root().join("fixtures/built");
    expected.extend(files_under(&built));
    args.push(s(&built).to_owned());
    let out_path = dir.join("out.jsonl");
    args.extend([
        "-o".into(),
        s(&out_path).to_owned(),
        "-j".into(),
        "2".into(),
    ]);
    let out = dossier().args(&args).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains(" ok, "), "{}", stderr(&out));

    let records = records(&out_path);
    let recorded = by_path(&records);
    let expected: BTreeSet<String> = expected.iter().map(|p| s(p).to_owned()).collect();
    assert_eq!(
        recorded.keys().cloned().collect::<BTreeSet<_>>(),
        expected,
        "one record per input, no more"
    );
    for record in &records {
        let errors = common::docs_schema_errors("batch-record.schema.json", record);
        assert!(errors.is_empty(), "{}: {errors:?}", record["path"]);
        let status = record["status"].as_str().unwrap();
        assert_eq!(record["report"].is_object(), status == "ok", "{record:#}");
        if status == "error" || status == "timeout" {
            assert!(record["error"].is_string(), "{record:#}");
        }
    }

    // The same bytes under several paths (the fixture and two copies): one is scanned, the others
    // point to it.
    let sha = recorded[s(&inputs.join("beacon-copy.apk"))]["sha256"].clone();
    let same: Vec<&Value> = records.iter().filter(|r| r["sha256"] == sha).collect();
    assert_eq!(same.len(), 3);
    let scanned: Vec<&&Value> = same.iter().filter(|r| r["status"] == "ok").collect();
    assert_eq!(scanned.len(), 1, "{same:#?}");
    for copy in same.iter().filter(|r| r["status"] != "ok") {
        assert_eq!(copy["status"], "skipped");
        assert_eq!(copy["duplicate_of"], scanned[0]["path"]);
        assert!(copy["report"].is_null());
    }
    let text = &recorded[s(&inputs.join("notes.txt"))];
    assert_eq!(text["status"], "skipped");
    assert!(
        text["reason"]
            .as_str()
            .unwrap()
            .starts_with("not an Android input"),
        "{text:#}"
    );

    // A record's report is what `scan --format json` writes for the same path.
    let vidshare_sha = &recorded[s(&inputs.join("vidshare.apks"))]["sha256"];
    let vidshare = records
        .iter()
        .find(|r| r["sha256"] == *vidshare_sha && r["status"] == "ok")
        .expect("one copy of vidshare.apks scanned");
    let scan = run(&[
        "scan",
        vidshare["path"].as_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(scan.status.success());
    let scanned: Value = serde_json::from_slice(&scan.stdout).unwrap();
    assert!(
        vidshare["report"] == scanned,
        "the record's report differs from scan's"
    );

    // On the corpus, the batch agrees with `scan` on what is readable.
    if let Some(corpus) = &corpus {
        for file in files_under(corpus).iter().take(12) {
            let scan = run(&["scan", s(file), "--format", "json", "--allow-partial"]);
            let record = &recorded[s(file)];
            assert_eq!(
                scan.status.success(),
                record["status"] == "ok",
                "{}: scan says {}, batch says {record:#}",
                file.display(),
                stderr(&scan)
            );
        }
    }
}

#[test]
fn injected_failures_become_records_and_the_batch_goes_on() {
    let dir = scratch("batch-faults");
    let inputs = dir.join("in");
    std::fs::create_dir_all(&inputs).unwrap();
    std::fs::copy(common::fixture("beacon.apk"), inputs.join("beacon.apk")).unwrap();
    std::fs::copy(common::fixture("plumbed.apk"), inputs.join("plumbed.apk")).unwrap();
    fault(&inputs, "panic.apk", "panic", 0);
    fault(&inputs, "abort.apk", "abort", 0);
    fault(&inputs, "hang.apk", "hang", 0);
    fault(&inputs, "alloc.apk", "alloc", 0);
    let out_path = dir.join("out.jsonl");
    let out = dossier()
        .env("DOSSIER_BATCH_FAULTS", "1")
        .args(["batch", s(&inputs), "-o", s(&out_path), "-j", "2"])
        .args(["--timeout", "4", "--max-memory", "600M"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let recorded = by_path(&records(&out_path));
    assert_eq!(recorded.len(), 6);
    let get = |name: &str| &recorded[s(&inputs.join(name))];
    let error = |name: &str| get(name)["error"].as_str().unwrap_or_default().to_owned();
    assert_eq!(get("beacon.apk")["status"], "ok");
    assert_eq!(get("plumbed.apk")["status"], "ok");
    assert_eq!(get("panic.apk")["status"], "error");
    assert!(
        error("panic.apk").contains("panicked") && error("panic.apk").contains("injected panic"),
        "{}",
        error("panic.apk")
    );
    assert_eq!(get("abort.apk")["status"], "error");
    assert!(
        error("abort.apk").contains("SIGABRT"),
        "{}",
        error("abort.apk")
    );
    assert_eq!(get("hang.apk")["status"], "timeout");
    assert_eq!(get("alloc.apk")["status"], "error");
    assert!(
        error("alloc.apk").contains("memory budget"),
        "{}",
        error("alloc.apk")
    );
    // The records the coordinator writes for a dead worker still carry what was read.
    for name in ["abort.apk", "hang.apk", "alloc.apk"] {
        assert!(get(name)["sha256"].is_string(), "{:#}", get(name));
    }
}

/// Waits until `jsonl` has at least `lines` lines and then stops growing for a while.
fn wait_for_stall(jsonl: &Path, lines: usize) -> usize {
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut last = (0, Instant::now());
    loop {
        assert!(Instant::now() < deadline, "the batch never stalled");
        let count = std::fs::read_to_string(jsonl)
            .map(|text| text.lines().count())
            .unwrap_or(0);
        if count != last.0 {
            last = (count, Instant::now());
        } else if count >= lines && last.1.elapsed() > Duration::from_millis(800) {
            return count;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Processes whose environment holds `DOSSIER_TEST_MARK=mark` (0 where /proc is missing).
fn processes_marked(mark: &str) -> usize {
    let needle = format!("DOSSIER_TEST_MARK={mark}\0");
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .filter(|entry| {
            entry
                .file_name()
                .to_string_lossy()
                .bytes()
                .all(|b| b.is_ascii_digit())
        })
        .filter_map(|entry| std::fs::read(entry.path().join("environ")).ok())
        .filter(|environ| {
            environ
                .windows(needle.len())
                .any(|window| window == needle.as_bytes())
        })
        .count()
}

/// Inputs for the interruption tests: the fixtures, and a file that hangs in the middle of the
/// dispatch order (inputs go largest first), so some records are written before it and some not.
fn interrupted_inputs(dir: &Path) -> (PathBuf, Vec<PathBuf>) {
    let inputs = dir.join("in");
    std::fs::create_dir_all(&inputs).unwrap();
    let mut sizes = Vec::new();
    for file in files_under(&common::root().join("fixtures/built")) {
        let to = inputs.join(file.file_name().unwrap());
        std::fs::copy(&file, &to).unwrap();
        sizes.push(std::fs::metadata(&to).unwrap().len());
    }
    sizes.sort_unstable();
    let median = usize::try_from(sizes[sizes.len() / 2]).unwrap();
    fault(&inputs, "hang.apk", "hang", median + 1);
    let files = files_under(&inputs);
    (inputs, files)
}

#[test]
fn a_batch_killed_with_sigkill_resumes_to_exactly_one_record_per_input() {
    let dir = scratch("batch-kill");
    let (inputs, files) = interrupted_inputs(&dir);
    let out_path = dir.join("out.jsonl");
    let csv_path = dir.join("out.csv");
    let mark = format!("batch-kill-{}", std::process::id());
    let mut child = dossier()
        .env("DOSSIER_BATCH_FAULTS", "1")
        .env("DOSSIER_TEST_MARK", &mark)
        .args(["batch", s(&inputs), "-o", s(&out_path)])
        .args(["--csv", s(&csv_path), "-j", "1"])
        .args(["--timeout", "600"])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let before = wait_for_stall(&out_path, 2);
    assert_eq!(processes_marked(&mark), 2, "the coordinator and its worker");
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(
        before < files.len(),
        "the batch finished before it was killed"
    );
    // The worker, stuck in an endless scan, notices that its coordinator is gone and ends.
    let deadline = Instant::now() + Duration::from_secs(5);
    while processes_marked(&mark) > 0 {
        assert!(
            Instant::now() < deadline,
            "a worker outlived its coordinator"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // A record torn by the kill, as a write cut short would leave it.
    let mut out = std::fs::OpenOptions::new()
        .append(true)
        .open(&out_path)
        .unwrap();
    out.write_all(b"{\"batch_schema\":\"1.0\",\"path\":\"")
        .unwrap();
    drop(out);

    // Without the fault switch the hanging file is no app at all: the resumed run skips it.
    let resumed = run(&[
        "batch",
        s(&inputs),
        "-o",
        s(&out_path),
        "--csv",
        s(&csv_path),
        "--resume",
    ]);
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    assert!(stderr(&resumed).contains("torn"), "{}", stderr(&resumed));
    assert!(
        stderr(&resumed).contains(&format!("{before} recorded before")),
        "{}",
        stderr(&resumed)
    );
    let recorded = by_path(&records(&out_path));
    let expected: BTreeSet<String> = files.iter().map(|p| s(p).to_owned()).collect();
    assert_eq!(recorded.keys().cloned().collect::<BTreeSet<_>>(), expected);

    // The CSV was rebuilt from the records: one app row per record.
    let csv = std::fs::read_to_string(&csv_path).unwrap();
    let app_rows = csv
        .lines()
        .filter(|line| line.split(',').nth(6) == Some("app"))
        .count();
    assert_eq!(app_rows, files.len(), "{csv}");
}

#[test]
fn ctrl_c_finishes_the_records_in_flight_and_exits_130() {
    let dir = scratch("batch-sigint");
    let (inputs, files) = interrupted_inputs(&dir);
    let out_path = dir.join("out.jsonl");
    let child = dossier()
        .env("DOSSIER_BATCH_FAULTS", "1")
        .args(["batch", s(&inputs), "-o", s(&out_path), "-j", "1"])
        .args(["--timeout", "3"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let before = wait_for_stall(&out_path, 2);
    let interrupt = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupt.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert!(stderr(&out).contains("interrupted"), "{}", stderr(&out));
    let recorded = by_path(&records(&out_path));
    // The hanging input was in flight: it got its (timeout) record, and nothing after it started.
    assert_eq!(recorded.len(), before + 1);
    assert_eq!(recorded[s(&inputs.join("hang.apk"))]["status"], "timeout");
    assert!(recorded.len() < files.len());
}

#[test]
fn shards_are_disjoint_and_cover_every_input() {
    let dir = scratch("batch-shards");
    let built = common::root().join("fixtures/built");
    let mut union = BTreeSet::new();
    let mut total = 0;
    for k in 1..=3 {
        let out_path = dir.join(format!("shard-{k}.jsonl"));
        let shard = format!("{k}/3");
        let out = run(&[
            "batch",
            s(&built),
            "--summary",
            "--shard",
            &shard,
            "-o",
            s(&out_path),
            // Not there yet: --resume starts it (one job script for every submission).
            "--resume",
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        let records = records(&out_path);
        assert!(!records.is_empty(), "shard {k} is empty");
        total += records.len();
        for record in records {
            if record["status"] == "ok" {
                assert!(record["report"].is_null() && record["summary"].is_object());
            }
            union.insert(record["path"].as_str().unwrap().to_owned());
        }
    }
    let expected: BTreeSet<String> = files_under(&built)
        .iter()
        .map(|p| s(p).to_owned())
        .collect();
    assert_eq!(total, union.len(), "a path in two shards");
    assert_eq!(union, expected);
}

#[test]
fn paths_from_standard_input_and_records_to_standard_output() {
    let beacon = common::fixture("beacon.apk");
    let missing = common::root().join("target/tmp/no-such-file.apk");
    let mut child = dossier()
        .args(["batch", "--from", "-", "-j", "1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let list = format!("{}\n\n{}\r\n", beacon.display(), missing.display());
    child
        .stdin
        .take()
        .unwrap()
        .write_all(list.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let records: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let recorded = by_path(&records);
    assert_eq!(recorded.len(), 2);
    assert_eq!(recorded[s(&beacon)]["status"], "ok");
    let missing = &recorded[s(&missing)];
    assert_eq!(missing["status"], "error");
    assert!(missing["sha256"].is_null());
    assert!(
        missing["error"]
            .as_str()
            .unwrap()
            .contains("cannot read it"),
        "{missing:#}"
    );
}

#[test]
fn an_existing_output_is_never_overwritten_and_a_foreign_file_never_resumed() {
    let dir = scratch("batch-refusals");
    let out_path = dir.join("out.jsonl");
    std::fs::write(&out_path, "keep me\n").unwrap();
    let beacon = common::fixture("beacon.apk");
    let out = run(&["batch", s(&beacon), "-o", s(&out_path)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--resume"), "{}", stderr(&out));
    let out = run(&["batch", s(&beacon), "-o", s(&out_path), "--resume"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("line 1 is not a batch record"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&out_path).unwrap(), "keep me\n");
    let out = run(&["batch"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nothing to scan"), "{}", stderr(&out));
    let out = run(&["batch", s(&beacon), "--max-memory", "10M"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("below"), "{}", stderr(&out));
}

#[test]
fn outputs_inside_the_scanned_directory_are_not_inputs() {
    let dir = scratch("batch-outputs-inside");
    std::fs::copy(common::fixture("beacon.apk"), dir.join("beacon.apk")).unwrap();
    let (jsonl, csv) = (dir.join("out.jsonl"), dir.join("out.csv"));
    let out = run(&["batch", s(&dir), "-o", s(&jsonl), "--csv", s(&csv)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let recorded = by_path(&records(&jsonl));
    assert_eq!(
        recorded.keys().collect::<Vec<_>>(),
        [s(&dir.join("beacon.apk"))]
    );
}

/// The CSV loads with one call in pandas and one in DuckDB, and the example query runs in both
/// (scripts/batch-csv-check.py). The packages come from the environment `scripts/test` prepares
/// (`DOSSIER_PYTHON`); without it the test says so and skips, unless CI requires it.
#[test]
fn the_csv_loads_in_pandas_and_duckdb_in_one_call() {
    let python = match std::env::var_os("DOSSIER_PYTHON") {
        Some(python) => PathBuf::from(python),
        None => {
            assert!(
                std::env::var("DOSSIER_REQUIRE_PYTHON").as_deref() != Ok("1"),
                "DOSSIER_REQUIRE_PYTHON=1 but no DOSSIER_PYTHON"
            );
            eprintln!("skipped: no DOSSIER_PYTHON with pandas and duckdb (scripts/test sets it)");
            return;
        }
    };
    let dir = scratch("batch-csv");
    let inputs = dir.join("in");
    std::fs::create_dir_all(&inputs).unwrap();
    small_inputs(&inputs);
    let mut args = vec![s(&inputs).to_owned()];
    args.extend(common::sdk_apps().iter().map(|p| s(p).to_owned()));
    let (jsonl, csv) = (dir.join("out.jsonl"), dir.join("out.csv"));
    let out = dossier()
        .arg("batch")
        .args(&args)
        .args(["-o", s(&jsonl), "--csv", s(&csv)])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let check = Command::new(python)
        .arg(common::root().join("scripts/batch-csv-check.py"))
        .args([&csv, &jsonl])
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        stderr(&check)
    );
}
