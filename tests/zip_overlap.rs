//! Overlapping entries, built at test time: many central directory names over one local record,
//! and David Fifield's chain in which each local header is quoted (a stored deflate block) in the
//! stream before it, so that the entries' compressed ranges nest inside one stream. The archive
//! is flagged (`zip.overlapping_entries`), the stream is inflated once whatever the read order,
//! entries that are not code are refused instead of read again, and code is never starved.

mod common;
#[path = "support/file_backed.rs"]
mod file_backed;
#[path = "support/raw_zip.rs"]
mod raw_zip;

use std::time::{Duration, Instant};

use dossier::container::{Archive, ContainerError, Limits, LoadedInput};
use dossier::{RuleSet, Scanner};
use raw_zip::{Builder, Record, deflate};

const MANIFEST_BYTES: &[u8] = b"\x03\x00\x08\x00fake binary manifest";
const DEX_BYTES: &[u8] = b"dex\n035\0 pretend this is a dex file with classes";

/// Mostly zeros with a pseudo-random byte every 1400: deflate packs it about 320:1, under the
/// default `max_ratio` of 400, so only the budget can stop it.
fn bomb_content(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|i| {
            if i % 1400 == 0 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            } else {
                0
            }
        })
        .collect()
}

/// `names` central records over one local record whose stream inflates to `inflated` bytes,
/// first in the archive, then a manifest and a DEX of their own.
fn names_over_one_record(names: usize, inflated: usize) -> Vec<u8> {
    let mut zip = Builder::default();
    let decoy = zip.deflated("res/xml/decoy0.xml", &bomb_content(inflated));
    for i in 1..names {
        zip.alias(&decoy, &format!("res/xml/decoy{i}.xml"));
    }
    zip.deflated("AndroidManifest.xml", MANIFEST_BYTES);
    zip.deflated("classes.dex", DEX_BYTES);
    zip.finish()
}

fn codes(input: &LoadedInput) -> Vec<String> {
    input.all_anomalies().into_iter().map(|a| a.code).collect()
}

fn count(codes: &[String], code: &str) -> usize {
    codes.iter().filter(|c| *c == code).count()
}

/// A budget of 8 MiB: each decoy name alone would inflate 3 MiB.
fn small_budget() -> Limits {
    Limits {
        max_total_inflated: 8 << 20,
        ..Limits::default()
    }
}

#[test]
fn forty_names_over_one_record_are_inflated_once_and_cannot_starve_the_dex() {
    let bytes = names_over_one_record(40, 3 << 20);
    assert!(bytes.len() < 64 << 10, "{} bytes", bytes.len());
    let input = LoadedInput::from_bytes(bytes, "app.apk", &small_budget()).unwrap();
    let archive = &input.archives[0].archive;
    // A naive reader: every entry in directory order, decoys first.
    let mut refused = 0;
    for entry in archive.entries() {
        match archive.read(entry) {
            Ok(_) => {}
            Err(ContainerError::OverlappingData { .. }) => refused += 1,
            Err(other) => panic!("{}: {other}", entry.name),
        }
    }
    assert_eq!(refused, 39);
    assert!(
        input.inflated_so_far() < (3 << 20) + 4096,
        "{} bytes inflated",
        input.inflated_so_far()
    );
    let dex = input.dex_entries();
    assert_eq!(input.read_dex(&dex[0]).unwrap(), DEX_BYTES);
    let codes = codes(&input);
    assert_eq!(count(&codes, "zip.overlapping_entries"), 1, "{codes:?}");
    assert_eq!(count(&codes, "zip.overlapping_entry_skipped"), 39);
    let overlap = input
        .all_anomalies()
        .into_iter()
        .find(|a| a.code == "zip.overlapping_entries")
        .unwrap();
    assert!(
        overlap
            .detail
            .starts_with("40 entries overlap in 1 group(s) (40 of them share a local header"),
        "{}",
        overlap.detail
    );
    assert!(
        overlap.detail.contains("\"res/xml/decoy0.xml\"") && overlap.detail.contains("35 more"),
        "{}",
        overlap.detail
    );
}

/// The whole scan of a real app with 40 decoy names over one stream placed before its entries:
/// the DEX is judged as in the clean app, the overlap is said, the decoys are refused as
/// overlapping (not cut by the budget), in bounded time.
#[test]
fn a_scan_of_an_app_with_forty_names_over_one_stream_keeps_its_findings() {
    let original = std::fs::read(common::fixture("oldtarget.apk")).unwrap();
    let mut reader = zip::ZipArchive::new(std::io::Cursor::new(original)).unwrap();
    let mut zip = Builder::default();
    let decoy = zip.deflated("res/xml/decoy0.xml", &bomb_content(3 << 20));
    for i in 1..40 {
        zip.alias(&decoy, &format!("res/xml/decoy{i}.xml"));
    }
    for i in 0..reader.len() {
        let mut entry = reader.by_index(i).unwrap();
        let name = entry.name().unwrap().into_owned();
        let mut content = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut content).unwrap();
        zip.deflated(&name, &content);
    }
    let dir = common::root().join("target/tmp/zip-overlap");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("forty-names-oldtarget.apk");
    std::fs::write(&path, zip.finish()).unwrap();

    let scanner = Scanner::new(RuleSet::builtin().unwrap(), small_budget());
    let clean = scanner
        .scan_path(&common::fixture("oldtarget.apk"))
        .unwrap();
    let started = Instant::now();
    let report = scanner.scan_path(&path).unwrap();
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(20), "{elapsed:?}");
    assert_eq!(common::categories(&report), common::categories(&clean));
    assert!(!report.categories.is_empty());
    let codes: Vec<&str> = report.anomalies.iter().map(|a| a.code.as_str()).collect();
    assert!(!codes.contains(&"dex.unreadable"), "{codes:?}");
    assert!(codes.contains(&"zip.overlapping_entries"), "{codes:?}");
    // The refused decoys are named as overlapping, none as cut by the budget.
    assert!(
        report
            .anomalies
            .iter()
            .all(|a| !a.detail.contains("max_total_inflated")),
        "{:#?}",
        report.anomalies
    );
    // Each refused decoy is said once, as overlapping; none makes the scan partial, since its
    // bytes were read under the first name.
    let skipped = |code: &str| report.anomalies.iter().filter(|a| a.code == code).count();
    assert_eq!(skipped("zip.overlapping_entry_skipped"), 39, "{codes:?}");
    assert_eq!(skipped("resource.unreadable"), 0, "{codes:?}");
    assert_eq!(report.status.state, dossier::report::ScanState::Complete);
}

/// Fifield's chain: entry `i`'s stream is a stored block quoting entry `i + 1`'s local header,
/// then entry `i + 1`'s stream; the last one holds the kernel. Returns the archive with the chain
/// first (names from `names`, outermost first, the last holding `kernel`) and a manifest after.
/// With `lie`, every record states a compressed size of 0 (the reader follows the streams anyway).
fn fifield_chain(names: &[&str], kernel: &[u8], lie: bool) -> Vec<u8> {
    // Built from the innermost entry outwards: each one's data holds the next one's header.
    let mut data = deflate(kernel);
    let mut content = kernel.to_vec();
    let mut records: Vec<Record> = Vec::new();
    for (depth, name) in names.iter().enumerate().rev() {
        let record = Record {
            name: (*name).to_owned(),
            method: 8,
            crc: crc32fast::hash(&content),
            compressed: if lie { 0 } else { data.len() as u32 },
            uncompressed: content.len() as u32,
            offset: 0,
        };
        records.push(record.clone());
        if depth > 0 {
            let quote = record.local_header();
            let mut outer = vec![0u8];
            outer.extend_from_slice(&(quote.len() as u16).to_le_bytes());
            outer.extend_from_slice(&(!(quote.len() as u16)).to_le_bytes());
            outer.extend_from_slice(&quote);
            outer.extend_from_slice(&data);
            data = outer;
            let mut longer = quote;
            longer.extend_from_slice(&content);
            content = longer;
        }
    }
    records.reverse();
    // Offsets: each header follows the previous header and its 5-byte stored block header.
    let mut offset = 0u32;
    for record in &mut records {
        record.offset = offset;
        offset += record.local_header().len() as u32 + 5;
    }
    let mut zip = Builder::default();
    zip.body.extend_from_slice(&records[0].local_header());
    zip.body.extend_from_slice(&data);
    zip.records = records;
    zip.deflated("AndroidManifest.xml", MANIFEST_BYTES);
    zip.finish()
}

fn chain_names(count: usize, last: &str) -> Vec<String> {
    let mut names: Vec<String> = (0..count - 1)
        .map(|i| format!("res/raw/r{i}.bin"))
        .collect();
    names.push(last.to_owned());
    names
}

/// Reads every entry of the chain in `order`, returning how many were refused as overlapping.
fn read_all(archive: &Archive, order: impl Iterator<Item = usize>) -> usize {
    let mut refused = 0;
    for index in order {
        let entry = &archive.entries()[index];
        match archive.read(entry) {
            Ok(_) => {}
            Err(ContainerError::OverlappingData { .. }) => refused += 1,
            Err(other) => panic!("{}: {other}", entry.name),
        }
    }
    refused
}

#[test]
fn a_chain_of_quoted_headers_is_inflated_once_in_either_order() {
    let kernel = bomb_content(1 << 20);
    let names = chain_names(20, "res/raw/kernel.bin");
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let limits = Limits {
        max_total_inflated: 4 << 20,
        ..Limits::default()
    };
    for lie in [false, true] {
        let bytes = fifield_chain(&names, &kernel, lie);
        // Read by position from a file, the chain reads alike: windows of the stream end where
        // another entry's bytes begin just as slices of the input do.
        file_backed::assert_file_reads_like_memory(&bytes, "chain.apk", &limits);
        for reverse in [false, true] {
            let archive = Archive::parse(bytes.clone(), "chain.apk", &limits).unwrap();
            let codes: Vec<String> = archive.anomalies().into_iter().map(|a| a.code).collect();
            // Stated spans show the nesting; with every compressed size 0 they do not, and only
            // the reads find it.
            assert_eq!(
                count(&codes, "zip.overlapping_entries"),
                usize::from(!lie),
                "{codes:?}"
            );
            let order: Vec<usize> = if reverse {
                (0..20).rev().collect()
            } else {
                (0..20).collect()
            };
            let refused = read_all(&archive, order.into_iter());
            assert_eq!(refused, 19, "lie {lie}, reverse {reverse}");
            // Each kernel byte inflated once (plus the quoted headers of the outermost read).
            assert!(
                archive.inflated_so_far() < (1 << 20) + 4096,
                "lie {lie}, reverse {reverse}: {} bytes",
                archive.inflated_so_far()
            );
            // The manifest after the chain is untouched.
            let manifest = archive.find("AndroidManifest.xml").unwrap();
            assert_eq!(archive.read(manifest).unwrap(), MANIFEST_BYTES);
        }
    }
}

/// A read that fails (here at `max_entry_size`) still used the bytes it inflated: the other
/// names of the chain are refused instead of inflating the kernel again up to the cap each.
#[test]
fn a_failed_read_of_a_chain_counts_as_read() {
    let kernel = bomb_content(1 << 20);
    let names = chain_names(20, "res/raw/kernel.bin");
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let limits = Limits {
        max_entry_size: 256 << 10,
        ..Limits::default()
    };
    let bytes = fifield_chain(&names, &kernel, true);
    file_backed::assert_file_reads_like_memory(&bytes, "chain.apk", &limits);
    let archive = Archive::parse(bytes, "chain.apk", &limits).unwrap();
    let mut too_large = 0;
    let mut refused = 0;
    for entry in archive
        .entries()
        .iter()
        .filter(|e| e.name.starts_with("res/"))
    {
        match archive.read(entry) {
            Err(ContainerError::EntryTooLarge { .. }) => too_large += 1,
            Err(ContainerError::OverlappingData { .. }) => refused += 1,
            other => panic!("{}: {other:?}", entry.name),
        }
    }
    assert_eq!((too_large, refused), (1, 19));
    assert!(
        archive.inflated_so_far() < 512 << 10,
        "{}",
        archive.inflated_so_far()
    );
}

/// The DEX at the bottom of a chain of decoys is code: read whole even after a decoy that
/// contains it was read, so decoys cannot hide it.
#[test]
fn code_inside_a_chain_is_still_read() {
    let names = chain_names(10, "classes.dex");
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let bytes = fifield_chain(&names, DEX_BYTES, false);
    let input = LoadedInput::from_bytes(bytes, "app.apk", &Limits::default()).unwrap();
    let archive = &input.archives[0].archive;
    assert_eq!(read_all(archive, 0..9), 8);
    let dex = input.dex_entries();
    assert_eq!(dex.len(), 1);
    assert_eq!(input.read_dex(&dex[0]).unwrap(), DEX_BYTES);
}

/// Code names over one local record: Android would load each, but the bytes are the same, so
/// each distinct record is scanned once and the other names are said.
#[test]
fn code_names_over_one_record_are_listed_once() {
    let mut zip = Builder::default();
    zip.deflated("AndroidManifest.xml", MANIFEST_BYTES);
    let dex = zip.deflated("classes.dex", DEX_BYTES);
    zip.alias(&dex, "classes2.dex");
    zip.deflated("classes3.dex", b"dex\n035\0three");
    let lib = zip.deflated("lib/arm64-v8a/liba.so", b"\x7fELF one");
    zip.alias(&lib, "lib/x86/liba.so");
    let input = LoadedInput::from_bytes(zip.finish(), "app.apk", &Limits::default()).unwrap();
    let labels: Vec<(String, bool)> = input
        .dex_entries()
        .into_iter()
        .map(|d| (d.label, d.loaded_by_android))
        .collect();
    // classes3.dex is still loaded: classes2.dex exists for Android, it is only not scanned twice.
    assert_eq!(
        labels,
        vec![("classes.dex".into(), true), ("classes3.dex".into(), true)]
    );
    let libs: Vec<String> = input.native_libs().into_iter().map(|l| l.label).collect();
    assert_eq!(libs, vec!["lib/arm64-v8a/liba.so"]);
    let skipped: Vec<String> = input
        .all_anomalies()
        .into_iter()
        .filter(|a| a.code == "zip.overlapping_entry_skipped")
        .map(|a| a.location)
        .collect();
    assert_eq!(skipped, vec!["classes2.dex", "lib/x86/liba.so"]);
    let codes = codes(&input);
    assert!(
        !codes.contains(&"zip.dex_not_loaded".to_owned()),
        "{codes:?}"
    );
    assert_eq!(count(&codes, "zip.overlapping_entries"), 1);
}

/// A plain archive, entries laid end to end: no overlap, every entry read. An empty stored
/// entry's data offset is the next local header (as in a real app of the corpus): reading the
/// entry after it first does not make it look overlapping.
#[test]
fn entries_end_to_end_do_not_overlap() {
    let mut zip = Builder::default();
    zip.deflated("AndroidManifest.xml", MANIFEST_BYTES);
    zip.deflated("res/xml/a.xml", &bomb_content(100_000));
    zip.add("res/raw/b.bin", 0, b"stored bytes", b"stored bytes");
    zip.add("res/drawable/empty.jpg", 0, b"", b"");
    zip.deflated("classes.dex", DEX_BYTES);
    let input = LoadedInput::from_bytes(zip.finish(), "app.apk", &Limits::default()).unwrap();
    let archive = &input.archives[0].archive;
    // Code first, then the rest: a stream before read bytes still reads to its own end.
    input.read_dex(&input.dex_entries()[0]).unwrap();
    assert_eq!(read_all(archive, 0..archive.entries().len()), 0);
    assert!(codes(&input).is_empty(), "{:?}", codes(&input));
}

/// A split set whose member names share one local record: the member is parsed and held once.
#[test]
fn split_members_over_one_record_are_read_once() {
    let mut member = Builder::default();
    member.deflated("AndroidManifest.xml", MANIFEST_BYTES);
    member.deflated("classes.dex", DEX_BYTES);
    let member = member.finish();
    let mut outer = Builder::default();
    let base = outer.add("splits/base-master.apk", 0, &member, &member);
    for i in 0..7 {
        outer.alias(&base, &format!("splits/copy{i}-master.apk"));
    }
    let input = LoadedInput::from_bytes(outer.finish(), "app.apks", &Limits::default()).unwrap();
    let members: Vec<&str> = input.archives.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(members, vec!["splits/base-master.apk"]);
    let codes = codes(&input);
    assert_eq!(
        count(&codes, "zip.overlapping_entry_skipped"),
        7,
        "{codes:?}"
    );
    assert_eq!(count(&codes, "zip.overlapping_entries"), 1, "{codes:?}");
    assert_eq!(input.dex_entries().len(), 1);
}
