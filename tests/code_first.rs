//! Code first: every entry of an input draws on one inflation budget, so decoy resources that
//! inflate up to it must not starve the code that decides the verdicts. An APK whose first
//! entries are large XML decoys still has its DEX read and judged; what the budget cut is a named
//! reason of a `partial` status.

mod common;

use std::io::Write;

use dossier::report::{Report, ScanState};
use dossier::{Limits, Scanner};

/// Pseudo-random bytes over four symbols: they compress about 4:1, under any ratio limit.
fn decoy(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            b"abcd"[(x & 3) as usize]
        })
        .collect()
}

/// `base` with `count` decoy XML entries of `size` bytes written before its own entries, and,
/// with `arsc`, a decoy `resources.arsc` three times that size in place of its own, first.
fn with_decoys_first(
    base: &str,
    count: usize,
    size: usize,
    arsc: bool,
    dir: &std::path::Path,
) -> std::path::PathBuf {
    let original = std::fs::read(common::fixture(base)).unwrap();
    let mut reader = zip::ZipArchive::new(std::io::Cursor::new(original)).unwrap();
    let path = dir.join(format!("decoyed-{arsc}-{base}"));
    let mut writer = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    if arsc {
        writer.start_file("resources.arsc", deflated).unwrap();
        writer.write_all(&decoy(size * 3, 3)).unwrap();
    }
    for i in 0..count {
        writer
            .start_file(format!("res/xml/decoy{i}.xml"), deflated)
            .unwrap();
        writer.write_all(&decoy(size, i as u64 + 7)).unwrap();
    }
    for i in 0..reader.len() {
        let entry = reader.by_index_raw(i).unwrap();
        if arsc && entry.name().is_ok_and(|n| n == "resources.arsc") {
            continue;
        }
        writer.raw_copy_file(entry).unwrap();
    }
    writer.finish().unwrap();
    path
}

/// The reports of `oldtarget.apk` as built and with decoys first (see `with_decoys_first`),
/// both scanned with an 8 MiB inflation budget that the decoys pass and the app fits in.
fn clean_and_decoyed(count: usize, arsc: bool, tag: &str) -> (Report, Report) {
    let dir = common::root().join("target/tmp").join(tag);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let decoyed = with_decoys_first("oldtarget.apk", count, 3 << 20, arsc, &dir);
    let limits = Limits {
        max_total_inflated: 8 << 20,
        ..Limits::default()
    };
    let scanner = Scanner::new(dossier::RuleSet::builtin().unwrap(), limits);
    let clean = scanner
        .scan_path(&common::fixture("oldtarget.apk"))
        .unwrap();
    (clean, scanner.scan_path(&decoyed).unwrap())
}

#[test]
fn decoy_resources_cannot_starve_the_code() {
    let (clean, report) = clean_and_decoyed(4, false, "code-first");
    assert!(
        report.anomalies.iter().all(|a| a.code != "dex.unreadable"),
        "{:#?}",
        report.anomalies
    );
    assert_eq!(common::categories(&report), common::categories(&clean));
    assert!(!report.categories.is_empty());
    // What the budget refused is said, and the scan is partial.
    assert_eq!(
        report.status.state,
        ScanState::Partial,
        "{:#?}",
        report.status
    );
    assert!(
        report
            .status
            .reasons
            .iter()
            .any(|r| r.location.contains("res/xml/decoy")),
        "{:#?}",
        report.status
    );
}

/// A `resources.arsc` that inflates past the budget is read after the code: the DEX is judged,
/// the resource table is reported unreadable.
#[test]
fn a_decoy_resource_table_cannot_starve_the_code() {
    let (clean, report) = clean_and_decoyed(0, true, "code-first-arsc");
    let codes: Vec<&str> = report.anomalies.iter().map(|a| a.code.as_str()).collect();
    assert!(!codes.contains(&"dex.unreadable"), "{codes:?}");
    assert!(codes.contains(&"arsc.unreadable"), "{codes:?}");
    assert_eq!(common::categories(&report), common::categories(&clean));
    assert_eq!(report.status.state, ScanState::Partial);
}
