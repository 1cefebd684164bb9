//! The crafted inputs of issue 14 that made a scan hold gigabytes, built at test time as small
//! files, each scanned by the real binary in a child process whose peak resident memory is read
//! back (`wait4`). With `--memory-budget` set low, every scan must stay under the budget plus what
//! a plain scan of the same app needs, end, and say what it skipped (`partial`), while the app's
//! own code is still read.

#[path = "../../../tests/common/mod.rs"]
mod common;
#[path = "../../../tests/support/raw_zip.rs"]
mod raw_zip;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use raw_zip::{Builder, repeated_deflate};
use serde_json::Value;

/// The budget every crafted scan runs under.
const BUDGET_MIB: u64 = 160;
/// Allocator slack and what the budget does not count (rules, report), above a plain scan.
const SLACK_MIB: u64 = 96;

struct Run {
    code: i32,
    peak_mib: u64,
    report: Value,
    stderr: String,
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile_memory");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Scans `input` in a child and reads its peak resident set size from the kernel.
fn scan_measured(input: &Path, budget_mib: Option<u64>) -> Run {
    // Tests run in parallel, several on the same fixture: each run writes files of its own.
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let out = scratch(&format!("run{run}.report.json"));
    let err = scratch(&format!("run{run}.stderr.txt"));
    let mut command = Command::new(env!("CARGO_BIN_EXE_dossier"));
    command
        .args(["scan", "--format", "json", "-o"])
        .arg(&out)
        .arg(input)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&err).unwrap());
    if let Some(mib) = budget_mib {
        command.args(["--memory-budget", &format!("{mib}M")]);
    }
    let child = command.spawn().expect("dossier starts");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our own child, not yet waited for; the pointers are to live locals.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4 failed");
    // The child is reaped: `Child` must not wait for it again.
    std::mem::forget(child);
    let mut stderr = String::new();
    std::fs::File::open(&err)
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -libc::WTERMSIG(status)
    };
    let report = std::fs::read_to_string(&out)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or(Value::Null);
    let _ = std::fs::remove_file(&out);
    Run {
        code,
        // ru_maxrss is in KiB on Linux.
        peak_mib: usage.ru_maxrss as u64 / 1024,
        report,
        stderr,
    }
}

/// Every entry of a fixture APK, decompressed: the app the crafted parts are added to.
fn fixture_entries(name: &str) -> Vec<(String, Vec<u8>)> {
    let file = std::fs::File::open(common::fixture(name)).unwrap();
    let mut archive = zip::ZipArchive::new(file).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).unwrap();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            (entry.name().unwrap().into_owned(), bytes)
        })
        .collect()
}

/// 1 MiB of a 200-byte pseudo-random pattern repeated: deflate packs it about 240:1, under the
/// default `--max-ratio` of 400, so no limit but the memory budget stops a stream of it.
fn pattern_chunk() -> Vec<u8> {
    let mut x: u32 = 0x1234_5678;
    let pattern: Vec<u8> = (0..200)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect();
    pattern.iter().copied().cycle().take(1 << 20).collect()
}

/// A deflated entry of `mib` MiB of the pattern (CRC left 0: the reader records the mismatch).
fn big_entry(zip: &mut Builder, name: &str, mib: usize) {
    let stream = repeated_deflate(&pattern_chunk(), mib);
    zip.add_stream(name, 8, 0, (mib << 20) as u32, &stream);
}

fn add_fixture(zip: &mut Builder, entries: &[(String, Vec<u8>)]) {
    for (name, bytes) in entries {
        zip.deflated(name, bytes);
    }
}

fn codes_of(report: &Value, field: &str) -> Vec<String> {
    report["status"][field]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|a| a["code"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn categories(report: &Value) -> Vec<(String, String)> {
    report["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_owned(),
                c["verdict"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// What a plain scan of the fixture needs, the floor every crafted scan is measured against.
fn plain(name: &str) -> Run {
    let run = scan_measured(&common::fixture(name), None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run
}

/// A crafted scan ends partial (exit 3) under the budget, naming `code` among its reasons.
fn assert_bounded(run: &Run, floor: &Run, code: &str) {
    assert_eq!(run.code, 3, "exit code; stderr: {}", run.stderr);
    let limit = BUDGET_MIB + floor.peak_mib + SLACK_MIB;
    assert!(
        run.peak_mib <= limit,
        "peak {} MiB > {limit} MiB (budget {BUDGET_MIB}, plain scan {})",
        run.peak_mib,
        floor.peak_mib
    );
    let reasons = codes_of(&run.report, "reasons");
    assert!(
        reasons.iter().any(|c| c == code),
        "{code} not in {reasons:?}"
    );
}

#[test]
fn decoy_resources_before_the_code_are_bounded_and_the_code_is_still_judged() {
    let floor = plain("vidshare.apk");
    let mut zip = Builder::default();
    for i in 0..3 {
        big_entry(&mut zip, &format!("res/xml/decoy{i}.xml"), 600);
    }
    add_fixture(&mut zip, &fixture_entries("vidshare.apk"));
    let path = scratch("decoys.apk");
    std::fs::write(&path, zip.finish()).unwrap();
    let run = scan_measured(&path, Some(BUDGET_MIB));
    assert_bounded(&run, &floor, "scan.memory_budget");
    assert_eq!(categories(&run.report), categories(&floor.report));
}

#[test]
fn native_libraries_that_inflate_past_the_budget_are_skipped_by_name() {
    let floor = plain("vidshare.apk");
    let mut zip = Builder::default();
    add_fixture(&mut zip, &fixture_entries("vidshare.apk"));
    for i in 0..4 {
        big_entry(&mut zip, &format!("lib/arm64-v8a/libdecoy{i}.so"), 600);
    }
    let path = scratch("natives.apk");
    std::fs::write(&path, zip.finish()).unwrap();
    let run = scan_measured(&path, Some(BUDGET_MIB));
    assert_bounded(&run, &floor, "scan.memory_budget");
    let skipped: Vec<&str> = run.report["status"]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["code"] == "scan.memory_budget")
        .filter_map(|a| a["where"].as_str())
        .collect();
    assert_eq!(skipped.len(), 4, "{skipped:?}");
    assert!(
        skipped.iter().all(|w| w.contains("libdecoy")),
        "{skipped:?}"
    );
    assert_eq!(categories(&run.report), categories(&floor.report));
}

#[test]
fn text_assets_of_millions_of_distinct_pieces_are_bounded() {
    let floor = plain("vidshare.apk");
    let mut text = String::with_capacity(40 << 20);
    for i in 0..3_000_000u32 {
        use std::fmt::Write;
        write!(text, "x{i:07}.y ").unwrap();
    }
    let packed = raw_zip::deflate(text.as_bytes());
    let crc = crc32fast::hash(text.as_bytes());
    let mut zip = Builder::default();
    add_fixture(&mut zip, &fixture_entries("vidshare.apk"));
    for i in 0..2 {
        zip.add_stream(
            &format!("assets/pieces{i}.txt"),
            8,
            crc,
            text.len() as u32,
            &packed,
        );
    }
    let path = scratch("pieces.apk");
    std::fs::write(&path, zip.finish()).unwrap();
    let run = scan_measured(&path, Some(BUDGET_MIB));
    assert_bounded(&run, &floor, "scan.memory_budget");
}

/// A binary XML whose UTF-16 string pool has `offsets` strings starting inside one run of code
/// units that count down, so that each is a distinct string of up to 20,000 characters: 40 KB
/// that a reader without a budget decodes to about 80 MiB.
fn amplifying_xml(offsets: u32) -> Vec<u8> {
    const RUN: u32 = 20_000;
    let strings_start = 28 + 4 * offsets;
    let mut pool = Vec::new();
    // The run, then one zero unit that ends every string.
    let pool_size = strings_start + 2 * RUN + 4;
    for value in [0x001c_0001u32, pool_size, offsets, 0, 0, strings_start, 0] {
        pool.extend_from_slice(&value.to_le_bytes());
    }
    for i in 0..offsets {
        pool.extend_from_slice(&(2 * i).to_le_bytes());
    }
    for k in 0..RUN {
        // The length prefix at offset k is RUN - 1 - k: the string runs to the end of the run.
        pool.extend_from_slice(&((RUN - 1 - k) as u16).to_le_bytes());
    }
    pool.extend_from_slice(&[0; 4]);
    // One element, `<a>`, naming string 0, so the document has an element to read.
    let mut element = Vec::new();
    for value in [0x0010_0102u32, 36, 1, u32::MAX, u32::MAX, 0] {
        element.extend_from_slice(&value.to_le_bytes());
    }
    for value in [0x0014_0014u32, 0, 0] {
        element.extend_from_slice(&value.to_le_bytes());
    }
    let mut xml = Vec::new();
    let total = 8 + pool.len() + element.len();
    xml.extend_from_slice(&0x0008_0003u32.to_le_bytes());
    xml.extend_from_slice(&(total as u32).to_le_bytes());
    xml.extend_from_slice(&pool);
    xml.extend_from_slice(&element);
    xml
}

#[test]
fn string_pools_that_amplify_are_cut_at_a_few_times_their_size() {
    let floor = plain("vidshare.apk");
    let doc = amplifying_xml(1_400);
    let mut zip = Builder::default();
    add_fixture(&mut zip, &fixture_entries("vidshare.apk"));
    for i in 0..400 {
        zip.deflated(&format!("res/xml/pool{i}.xml"), &doc);
    }
    let path = scratch("pools.apk");
    std::fs::write(&path, zip.finish()).unwrap();
    let started = std::time::Instant::now();
    let run = scan_measured(&path, Some(BUDGET_MIB));
    let took = started.elapsed();
    assert_bounded(&run, &floor, "axml.string_budget_exhausted");
    // Each file decodes at most four times its size: 400 files are no more work than a few
    // dozen MiB of text (unbounded, they were 400 × 64 MiB).
    assert!(took < std::time::Duration::from_secs(60), "{took:?}");
    assert_eq!(categories(&run.report), categories(&floor.report));
}

#[test]
fn split_members_past_the_budget_are_skipped_and_the_base_is_read() {
    let floor = plain("vidshare.apk");
    // The base member: the fixture as it is. Each decoy member: an APK whose one stored entry is
    // 600 MiB of the pattern, deflated in the outer archive at about 240:1.
    let base = std::fs::read(common::fixture("vidshare.apk")).unwrap();
    let chunk = pattern_chunk();
    let head = raw_zip::local_header("assets/blob.bin", 0, 0, 600 << 20, 600 << 20);
    let mut outer = Builder::default();
    outer.deflated("base.apk", &base);
    for i in 0..3 {
        // Local header, then the stored bytes: a stream of the header's block and the pattern's.
        let mut stream = raw_zip::deflate_flushed(&head);
        let body = repeated_deflate(&chunk, 600);
        stream.extend_from_slice(&body);
        outer.add_stream(
            &format!("split_decoy{i}.apk"),
            8,
            0,
            (head.len() + (600 << 20)) as u32,
            &stream,
        );
    }
    let path = scratch("members.apks");
    std::fs::write(&path, outer.finish()).unwrap();
    let run = scan_measured(&path, Some(BUDGET_MIB));
    assert_bounded(&run, &floor, "scan.memory_budget");
    assert_eq!(categories(&run.report), categories(&floor.report));
}

#[path = "../../../tests/dex_support/shared_code.rs"]
#[allow(dead_code)]
mod shared_code;

#[test]
fn a_scan_past_its_timeout_ends_partial_and_says_where_it_stopped() {
    // Two million methods sharing one code item: seconds of work in the dev profile.
    let path = scratch("slow.dex");
    std::fs::write(&path, shared_code::shared_code_dex(2_000_000)).unwrap();
    let started = std::time::Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_dossier"))
        .args(["scan", "--format", "json", "--timeout", "0.01"])
        .arg(&path)
        .output()
        .expect("dossier runs");
    let took = started.elapsed();
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let reasons = codes_of(&report, "reasons");
    assert!(reasons.iter().any(|c| c == "dex.deadline"), "{reasons:?}");
    // The budget counts from when the input is read; reading it and writing the report are
    // outside it, and short.
    assert!(took < std::time::Duration::from_secs(5), "{took:?}");
    let whole = Command::new(env!("CARGO_BIN_EXE_dossier"))
        .args(["scan", "--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(whole.status.code(), Some(0));
}
