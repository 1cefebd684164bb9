//! Tampered archives built byte by byte: one test per trick Android tolerates (or that hides
//! content from Android), each checking the anomaly code AND that the content still reads
//! correctly or that the copy Android would use is the one chosen. Also input-kind detection,
//! split sets, multidex order, thread-shared budgets and hostile-input robustness.

#[path = "support/file_backed.rs"]
mod file_backed;

use std::io::Write;

use dossier::container::{Archive, ContainerError, InputKind, Limits, LoadedInput};

const LFH: u32 = 0x0403_4b50;
const CDH: u32 = 0x0201_4b50;
const EOCD: u32 = 0x0605_4b50;

/// One entry as it will be written; every field can be made to lie.
#[derive(Clone)]
struct Spec {
    name: Vec<u8>,
    local_name: Option<Vec<u8>>,
    payload: Vec<u8>,
    method: u16,
    local_method: Option<u16>,
    flags: u16,
    crc: u32,
    compressed: u32,
    uncompressed: u32,
    local_extra: Vec<u8>,
    central_extra: Vec<u8>,
}

fn deflate(content: &[u8]) -> Vec<u8> {
    let mut encoder =
        flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(content).unwrap();
    encoder.finish().unwrap()
}

fn stored(name: &str, content: &[u8]) -> Spec {
    Spec {
        name: name.as_bytes().to_vec(),
        local_name: None,
        payload: content.to_vec(),
        method: 0,
        local_method: None,
        flags: 0,
        crc: crc32fast::hash(content),
        compressed: content.len() as u32,
        uncompressed: content.len() as u32,
        local_extra: Vec::new(),
        central_extra: Vec::new(),
    }
}

fn deflated(name: &str, content: &[u8]) -> Spec {
    let payload = deflate(content);
    Spec {
        compressed: payload.len() as u32,
        payload,
        method: 8,
        ..stored(name, content)
    }
}

/// How the archive around the entries is laid out.
#[derive(Default)]
struct Layout {
    prefix: Vec<u8>,
    /// Add the prefix length to every offset (as `zip -A` does); otherwise offsets stay relative.
    offsets_include_prefix: bool,
    entries: Vec<Spec>,
    count_override: Option<u16>,
    cd_size_delta: i64,
    gap_before_eocd: Vec<u8>,
    comment: Vec<u8>,
}

fn u16le(out: &mut Vec<u8>, value: u16) {
    out.extend_from_slice(&value.to_le_bytes());
}
fn u32le(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn build(layout: &Layout) -> Vec<u8> {
    let mut out = layout.prefix.clone();
    let base = if layout.offsets_include_prefix {
        0
    } else {
        layout.prefix.len()
    };
    let mut offsets = Vec::new();
    for spec in &layout.entries {
        offsets.push((out.len() - base) as u32);
        let local_name = spec.local_name.as_ref().unwrap_or(&spec.name);
        u32le(&mut out, LFH);
        u16le(&mut out, 20);
        u16le(&mut out, spec.flags);
        u16le(&mut out, spec.local_method.unwrap_or(spec.method));
        u16le(&mut out, 0);
        u16le(&mut out, 0);
        u32le(&mut out, spec.crc);
        u32le(&mut out, spec.compressed);
        u32le(&mut out, spec.uncompressed);
        u16le(&mut out, local_name.len() as u16);
        u16le(&mut out, spec.local_extra.len() as u16);
        out.extend_from_slice(local_name);
        out.extend_from_slice(&spec.local_extra);
        out.extend_from_slice(&spec.payload);
    }
    let cd_start = out.len();
    for (spec, offset) in layout.entries.iter().zip(&offsets) {
        central_record(&mut out, spec, *offset);
    }
    let cd_size = out.len() - cd_start;
    out.extend_from_slice(&layout.gap_before_eocd);
    u32le(&mut out, EOCD);
    u16le(&mut out, 0);
    u16le(&mut out, 0);
    let count = layout.count_override.unwrap_or(layout.entries.len() as u16);
    u16le(&mut out, count);
    u16le(&mut out, count);
    u32le(&mut out, (cd_size as i64 + layout.cd_size_delta) as u32);
    u32le(&mut out, (cd_start - base) as u32);
    u16le(&mut out, layout.comment.len() as u16);
    out.extend_from_slice(&layout.comment);
    out
}

fn central_record(out: &mut Vec<u8>, spec: &Spec, offset: u32) {
    u32le(out, CDH);
    u16le(out, 0x0314);
    u16le(out, 20);
    u16le(out, spec.flags);
    u16le(out, spec.method);
    u16le(out, 0);
    u16le(out, 0);
    u32le(out, spec.crc);
    u32le(out, spec.compressed);
    u32le(out, spec.uncompressed);
    u16le(out, spec.name.len() as u16);
    u16le(out, spec.central_extra.len() as u16);
    u16le(out, 0);
    u16le(out, 0);
    u16le(out, 0);
    u32le(out, 0);
    u32le(out, offset);
    out.extend_from_slice(&spec.name);
    out.extend_from_slice(&spec.central_extra);
}

fn archive_of(entries: Vec<Spec>) -> Vec<u8> {
    build(&Layout {
        entries,
        ..Layout::default()
    })
}

/// The archive read from memory, after checking that read from a file it reads the same.
fn parse(bytes: Vec<u8>) -> Archive {
    file_backed::assert_file_reads_like_memory(&bytes, "test.apk", &Limits::default());
    Archive::parse(bytes, "test.apk", &Limits::default()).expect("archive parses")
}

fn codes(archive: &Archive) -> Vec<String> {
    archive.anomalies().into_iter().map(|a| a.code).collect()
}

fn has(archive: &Archive, code: &str) -> bool {
    codes(archive).iter().any(|c| c == code)
}

fn read_named(archive: &Archive, name: &str) -> Vec<u8> {
    let entry = archive
        .find(name)
        .unwrap_or_else(|| panic!("{name} not found"));
    archive.read(entry).unwrap().into_inner()
}

const MANIFEST_BYTES: &[u8] = b"\x03\x00\x08\x00fake binary manifest";
const DEX_BYTES: &[u8] = b"dex\n035\0 pretend this is a dex file with classes";

#[test]
fn fake_encryption_flag_is_ignored_and_data_read() {
    let mut spec = deflated("classes.dex", DEX_BYTES);
    spec.flags |= 1;
    let archive = parse(archive_of(vec![spec]));
    assert!(has(&archive, "zip.encryption_flag"));
    assert_eq!(read_named(&archive, "classes.dex"), DEX_BYTES);
}

#[test]
fn unknown_compression_method_is_read_as_stored() {
    let mut spec = stored("AndroidManifest.xml", MANIFEST_BYTES);
    spec.method = 0x5a5a;
    let archive = parse(archive_of(vec![spec]));
    assert!(has(&archive, "zip.unknown_compression_method"));
    assert_eq!(read_named(&archive, "AndroidManifest.xml"), MANIFEST_BYTES);
}

#[test]
fn badpack_bogus_compressed_size_on_stored_entry_uses_uncompressed_size() {
    let mut spec = stored("AndroidManifest.xml", MANIFEST_BYTES);
    spec.compressed = 0x00ff_ffff;
    let next = stored("classes.dex", DEX_BYTES);
    let archive = parse(archive_of(vec![spec, next]));
    assert!(has(&archive, "zip.stored_size_mismatch"));
    assert_eq!(read_named(&archive, "AndroidManifest.xml"), MANIFEST_BYTES);
    assert_eq!(read_named(&archive, "classes.dex"), DEX_BYTES);
}

#[test]
fn crc_mismatch_is_recorded_and_data_still_returned() {
    let mut spec = deflated("classes.dex", DEX_BYTES);
    spec.crc ^= 0xdead_beef;
    let archive = parse(archive_of(vec![spec]));
    assert!(!has(&archive, "zip.crc_mismatch"), "only known once read");
    assert_eq!(read_named(&archive, "classes.dex"), DEX_BYTES);
    assert!(has(&archive, "zip.crc_mismatch"));
}

#[test]
fn duplicate_names_keep_every_copy_and_find_returns_the_first() {
    let first = stored("classes.dex", b"dex\n035\0first");
    let second = stored("classes.dex", b"dex\n035\0second");
    let archive = parse(archive_of(vec![first, second]));
    assert_eq!(archive.entries().len(), 2);
    assert!(has(&archive, "zip.duplicate_entry"));
    let chosen = archive.find("classes.dex").unwrap();
    assert_eq!(chosen.index, 0);
    assert_eq!(archive.read(chosen).unwrap(), b"dex\n035\0first");
    assert_eq!(
        archive.read(&archive.entries()[1]).unwrap(),
        b"dex\n035\0second"
    );
}

#[test]
fn local_name_mismatch_uses_the_central_directory_name() {
    let mut spec = deflated("classes.dex", DEX_BYTES);
    spec.local_name = Some(b"decoy.txt".to_vec());
    let archive = parse(archive_of(vec![spec]));
    assert!(has(&archive, "zip.local_name_mismatch"));
    assert!(archive.find("decoy.txt").is_none());
    assert_eq!(read_named(&archive, "classes.dex"), DEX_BYTES);
}

#[test]
fn local_extra_longer_than_central_takes_data_offset_from_local_header() {
    let mut spec = stored("AndroidManifest.xml", MANIFEST_BYTES);
    spec.local_extra = vec![0xaa; 13];
    let mut other = deflated("classes.dex", DEX_BYTES);
    other.central_extra = vec![0x55, 0x54, 0x01, 0x00, 0x00];
    let archive = parse(archive_of(vec![spec, other]));
    assert_eq!(read_named(&archive, "AndroidManifest.xml"), MANIFEST_BYTES);
    assert_eq!(read_named(&archive, "classes.dex"), DEX_BYTES);
    assert!(codes(&archive).is_empty(), "{:?}", codes(&archive));
}

#[test]
fn local_method_mismatch_uses_the_central_method() {
    let mut spec = deflated("classes.dex", DEX_BYTES);
    spec.local_method = Some(0);
    let archive = parse(archive_of(vec![spec]));
    assert!(has(&archive, "zip.local_method_mismatch"));
    assert_eq!(read_named(&archive, "classes.dex"), DEX_BYTES);
}

#[test]
fn local_size_mismatch_without_data_descriptor_is_recorded() {
    let mut spec = stored("AndroidManifest.xml", MANIFEST_BYTES);
    spec.local_name = None;
    let mut bytes = archive_of(vec![spec]);
    // Patch the local header's uncompressed size (offset 22).
    bytes[22] ^= 0x40;
    let archive = parse(bytes);
    assert!(has(&archive, "zip.local_header_mismatch"));
    assert_eq!(read_named(&archive, "AndroidManifest.xml"), MANIFEST_BYTES);
}

#[test]
fn prepended_data_with_adjusted_offsets_is_read() {
    let archive = parse(build(&Layout {
        prefix: b"#!/bin/sh\necho self-extracting stub\n".repeat(3),
        offsets_include_prefix: true,
        entries: vec![deflated("classes.dex", DEX_BYTES)],
        ..Layout::default()
    }));
    assert!(has(&archive, "zip.prepended_data"));
    assert!(!has(&archive, "zip.offsets_shifted"));
    assert_eq!(read_named(&archive, "classes.dex"), DEX_BYTES);
}

#[test]
fn prepended_data_with_unadjusted_offsets_is_detected_and_corrected() {
    let archive = parse(build(&Layout {
        prefix: vec![0x7f; 333],
        offsets_include_prefix: false,
        entries: vec![
            stored("AndroidManifest.xml", MANIFEST_BYTES),
            deflated("classes.dex", DEX_BYTES),
        ],
        ..Layout::default()
    }));
    assert!(has(&archive, "zip.offsets_shifted"));
    assert!(has(&archive, "zip.prepended_data"));
    assert_eq!(read_named(&archive, "AndroidManifest.xml"), MANIFEST_BYTES);
    assert_eq!(read_named(&archive, "classes.dex"), DEX_BYTES);
}

#[test]
fn garbage_between_central_directory_and_eocd_is_tolerated() {
    let archive = parse(build(&Layout {
        entries: vec![deflated("classes.dex", DEX_BYTES)],
        gap_before_eocd: b"GARBAGE".to_vec(),
        ..Layout::default()
    }));
    assert!(has(&archive, "zip.garbage_before_eocd"));
    assert_eq!(read_named(&archive, "classes.dex"), DEX_BYTES);
}

#[test]
fn maximal_comment_is_tolerated_and_flagged() {
    let archive = parse(build(&Layout {
        entries: vec![deflated("classes.dex", DEX_BYTES)],
        comment: vec![b'c'; 65535],
        ..Layout::default()
    }));
    assert!(has(&archive, "zip.max_comment"));
    assert_eq!(read_named(&archive, "classes.dex"), DEX_BYTES);
}

/// An EOCD record placed inside the real comment whose comment length reaches the end of the
/// file: Android's backward scan stops there first.
fn fake_eocd(points_to: u32, cd_size: u32, trailing: usize) -> Vec<u8> {
    let mut fake = Vec::new();
    u32le(&mut fake, EOCD);
    u16le(&mut fake, 0);
    u16le(&mut fake, 0);
    u16le(&mut fake, 1);
    u16le(&mut fake, 1);
    u32le(&mut fake, cd_size);
    u32le(&mut fake, points_to);
    u16le(&mut fake, trailing as u16);
    fake.extend(std::iter::repeat_n(b'x', trailing));
    fake
}

#[test]
fn fake_eocd_in_comment_pointing_nowhere_is_skipped() {
    let mut comment = b"note: ".to_vec();
    comment.extend(fake_eocd(0x00ab_cdef, 0x10, 5));
    let archive = parse(build(&Layout {
        entries: vec![deflated("classes.dex", DEX_BYTES)],
        comment,
        ..Layout::default()
    }));
    assert!(has(&archive, "zip.fake_eocd"));
    assert_eq!(archive.entries().len(), 1);
    assert_eq!(read_named(&archive, "classes.dex"), DEX_BYTES);
}

#[test]
fn fake_eocd_in_comment_describing_another_directory_is_what_android_uses() {
    // The comment holds a second, valid-looking EOCD that points at the same directory but
    // counts fewer records: Android (backward scan) uses it, a forward reader would not.
    let entries = vec![
        stored("AndroidManifest.xml", MANIFEST_BYTES),
        deflated("classes.dex", DEX_BYTES),
    ];
    let plain = archive_of(entries.clone());
    let eocd_at = plain.len() - 22;
    let cd_size = u32::from_le_bytes(plain[eocd_at + 12..eocd_at + 16].try_into().unwrap());
    let cd_offset = u32::from_le_bytes(plain[eocd_at + 16..eocd_at + 20].try_into().unwrap());
    let mut inner = fake_eocd(cd_offset, cd_size, 0);
    inner[8] = 1; // counts only the first record
    inner[10] = 1;
    let archive = parse(build(&Layout {
        entries,
        comment: inner,
        ..Layout::default()
    }));
    assert!(has(&archive, "zip.fake_eocd"));
    assert!(has(&archive, "zip.hidden_entries"));
    assert!(archive.entries()[1].hidden_from_android);
    assert_eq!(read_named(&archive, "classes.dex"), DEX_BYTES);
}

#[test]
fn eocd_undercount_hides_entries_from_android_but_not_from_us() {
    let archive = parse(build(&Layout {
        entries: vec![
            stored("AndroidManifest.xml", MANIFEST_BYTES),
            deflated("classes2.dex", DEX_BYTES),
        ],
        count_override: Some(1),
        ..Layout::default()
    }));
    assert!(has(&archive, "zip.hidden_entries"));
    assert!(!archive.entries()[0].hidden_from_android);
    assert!(archive.entries()[1].hidden_from_android);
    assert_eq!(read_named(&archive, "classes2.dex"), DEX_BYTES);
}

#[test]
fn eocd_overcount_is_recorded() {
    let archive = parse(build(&Layout {
        entries: vec![stored("AndroidManifest.xml", MANIFEST_BYTES)],
        count_override: Some(3),
        ..Layout::default()
    }));
    assert!(has(&archive, "zip.entry_count_mismatch"));
    assert_eq!(read_named(&archive, "AndroidManifest.xml"), MANIFEST_BYTES);
}

#[test]
fn invalid_utf8_name_keeps_raw_bytes_and_lossy_display() {
    let mut spec = stored("x", b"payload");
    spec.name = b"assets/\xff\xfe.bin".to_vec();
    let archive = parse(archive_of(vec![spec]));
    assert!(has(&archive, "zip.name_invalid_utf8"));
    let entry = &archive.entries()[0];
    assert_eq!(entry.raw_name, b"assets/\xff\xfe.bin");
    assert_eq!(entry.name, "assets/\u{fffd}\u{fffd}.bin");
    assert_eq!(archive.read(entry).unwrap(), b"payload");
}

#[test]
fn nul_in_name_is_recorded() {
    let archive = parse(archive_of(vec![stored("classes.dex\0.txt", DEX_BYTES)]));
    assert!(has(&archive, "zip.name_nul"));
    assert!(archive.find("classes.dex").is_none());
    assert_eq!(read_named(&archive, "classes.dex\0.txt"), DEX_BYTES);
}

#[test]
fn path_traversal_names_are_recorded() {
    for name in ["../../evil.so", "/system/bin/sh", "lib\\..\\x.so", "C:/x"] {
        let archive = parse(archive_of(vec![stored(name, b"x")]));
        assert!(has(&archive, "zip.name_path_traversal"), "{name}");
        assert_eq!(read_named(&archive, name), b"x");
    }
    let clean = parse(archive_of(vec![stored("lib/arm64-v8a/libok..so", b"x")]));
    assert!(!has(&clean, "zip.name_path_traversal"));
}

#[test]
fn zip64_records_and_extra_fields_are_followed() {
    // Write a zip64 archive by hand: the entry's offset lives in the zip64 extra field and the
    // EOCD defers to a zip64 EOCD record through the locator.
    let content = DEX_BYTES;
    let mut spec = stored("classes.dex", content);
    let mut out = Vec::new();
    // The central record gets a zip64 extra carrying the real offset (0).
    spec.central_extra = {
        let mut extra = Vec::new();
        u16le(&mut extra, 1);
        u16le(&mut extra, 8);
        extra.extend_from_slice(&0u64.to_le_bytes());
        extra
    };
    u32le(&mut out, LFH);
    u16le(&mut out, 45);
    u16le(&mut out, 0);
    u16le(&mut out, 0);
    u32le(&mut out, 0);
    u32le(&mut out, spec.crc);
    u32le(&mut out, spec.compressed);
    u32le(&mut out, spec.uncompressed);
    u16le(&mut out, spec.name.len() as u16);
    u16le(&mut out, 0);
    out.extend_from_slice(&spec.name);
    out.extend_from_slice(content);
    let cd_start = out.len();
    central_record(&mut out, &spec, u32::MAX);
    let cd_size = out.len() - cd_start;
    let zip64_eocd_at = out.len();
    u32le(&mut out, 0x0606_4b50);
    out.extend_from_slice(&44u64.to_le_bytes());
    u16le(&mut out, 45);
    u16le(&mut out, 45);
    u32le(&mut out, 0);
    u32le(&mut out, 0);
    out.extend_from_slice(&1u64.to_le_bytes());
    out.extend_from_slice(&1u64.to_le_bytes());
    out.extend_from_slice(&(cd_size as u64).to_le_bytes());
    out.extend_from_slice(&(cd_start as u64).to_le_bytes());
    u32le(&mut out, 0x0706_4b50);
    u32le(&mut out, 0);
    out.extend_from_slice(&(zip64_eocd_at as u64).to_le_bytes());
    u32le(&mut out, 1);
    u32le(&mut out, EOCD);
    u16le(&mut out, 0);
    u16le(&mut out, 0);
    u16le(&mut out, 0xffff);
    u16le(&mut out, 0xffff);
    u32le(&mut out, 0xffff_ffff);
    u32le(&mut out, 0xffff_ffff);
    u16le(&mut out, 0);
    let archive = parse(out);
    assert_eq!(archive.entries().len(), 1);
    assert_eq!(archive.entries()[0].local_header_offset, 0);
    assert!(codes(&archive).is_empty(), "{:?}", codes(&archive));
    assert_eq!(read_named(&archive, "classes.dex"), content);
}

#[test]
fn truncated_central_directory_keeps_the_records_that_are_there() {
    let archive = parse(build(&Layout {
        entries: vec![
            stored("AndroidManifest.xml", MANIFEST_BYTES),
            deflated("classes.dex", DEX_BYTES),
        ],
        cd_size_delta: 40,
        ..Layout::default()
    }));
    assert!(has(&archive, "zip.truncated_central_directory"));
    assert_eq!(read_named(&archive, "classes.dex"), DEX_BYTES);
}

#[test]
fn missing_central_directory_recovers_entries_from_local_headers() {
    let mut bytes = archive_of(vec![
        stored("AndroidManifest.xml", MANIFEST_BYTES),
        deflated("classes.dex", DEX_BYTES),
    ]);
    // Break the central directory signatures and the offset the EOCD gives.
    let eocd_at = bytes.len() - 22;
    bytes[eocd_at + 16] ^= 0x01;
    let cd_at = bytes
        .windows(4)
        .position(|w| w == CDH.to_le_bytes())
        .unwrap();
    bytes[cd_at] = b'Q';
    let archive = parse(bytes);
    assert!(has(&archive, "zip.central_directory_missing"));
    assert!(has(&archive, "zip.recovered_from_local_header"));
    let entry = archive.find("classes.dex").unwrap();
    assert!(entry.recovered && entry.hidden_from_android);
    assert_eq!(archive.read(entry).unwrap(), DEX_BYTES);
}

#[test]
fn empty_zip_is_an_apk_without_entries() {
    let bytes = build(&Layout::default());
    assert_eq!(bytes.len(), 22);
    let input = LoadedInput::from_bytes(bytes, "empty.apk", &Limits::default()).unwrap();
    assert_eq!(input.kind, InputKind::Apk);
    assert!(input.archives[0].archive.entries().is_empty());
    assert!(input.base_entry("AndroidManifest.xml").unwrap().is_none());
    assert!(
        input
            .all_anomalies()
            .iter()
            .any(|a| a.code == "zip.empty_archive")
    );
}

// ---- input kinds ----

fn zip_bytes(entries: Vec<Spec>) -> Vec<u8> {
    archive_of(entries)
}

#[test]
fn bare_dex_is_recognised_by_magic() {
    let input = LoadedInput::from_bytes(DEX_BYTES.to_vec(), "x.bin", &Limits::default()).unwrap();
    assert_eq!(input.kind, InputKind::Dex);
    let dexes = input.dex_entries();
    assert_eq!(dexes.len(), 1);
    assert_eq!(input.read_dex(&dexes[0]).unwrap(), DEX_BYTES);
}

#[test]
fn apk_lists_nested_apks_native_libs_and_multidex_in_loader_order() {
    let bytes = zip_bytes(vec![
        deflated("AndroidManifest.xml", MANIFEST_BYTES),
        deflated("classes3.dex", b"dex\n035\0three"),
        deflated("classes.dex", b"dex\n035\0one"),
        deflated("classes2.dex", b"dex\n035\0two"),
        deflated("classes5.dex", b"dex\n035\0five (after a gap)"),
        deflated("classes02.dex", b"dex\n035\0zero-padded"),
        deflated("lib/arm64-v8a/libfoo.so", b"\x7fELF"),
        deflated("lib/x86/libfoo.so", b"\x7fELF"),
        stored("assets/plugin/inner.apk", b"PK\x05\x06"),
    ]);
    let input = LoadedInput::from_bytes(bytes, "app.apk", &Limits::default()).unwrap();
    assert_eq!(input.kind, InputKind::Apk);
    assert_eq!(
        input.nested_apks,
        vec!["assets/plugin/inner.apk".to_owned()]
    );
    let dexes = input.dex_entries();
    let labels: Vec<(&str, bool)> = dexes
        .iter()
        .map(|d| (d.label.as_str(), d.loaded_by_android))
        .collect();
    assert_eq!(
        labels,
        vec![
            ("classes.dex", true),
            ("classes2.dex", true),
            ("classes3.dex", true),
            ("classes5.dex", false),
            ("classes02.dex", false),
        ]
    );
    assert_eq!(**input.read_dex(&dexes[1]).unwrap(), b"dex\n035\0two"[..]);
    let not_loaded: Vec<String> = input
        .all_anomalies()
        .into_iter()
        .filter(|a| a.code == "zip.dex_not_loaded")
        .map(|a| a.location)
        .collect();
    assert_eq!(not_loaded, vec!["classes02.dex", "classes5.dex"]);
    let libs = input.native_libs();
    let abis: Vec<&str> = libs.iter().map(|l| l.abi.as_str()).collect();
    assert_eq!(abis, vec!["arm64-v8a", "x86"]);
    assert_eq!(input.read_entry(&libs[0]).unwrap(), b"\x7fELF");
    assert_eq!(
        input.base_entry("AndroidManifest.xml").unwrap().unwrap(),
        MANIFEST_BYTES
    );
}

fn member_apk(dex: &[u8]) -> Vec<u8> {
    zip_bytes(vec![
        deflated("AndroidManifest.xml", MANIFEST_BYTES),
        deflated("classes.dex", dex),
    ])
}

#[test]
fn bundletool_apks_picks_base_master_and_skips_standalones() {
    let bytes = zip_bytes(vec![
        stored("toc.pb", b"\x0a\x00"),
        stored(
            "splits/base-xxhdpi.apk",
            &zip_bytes(vec![deflated("AndroidManifest.xml", MANIFEST_BYTES)]),
        ),
        stored("splits/base-master.apk", &member_apk(b"dex\n035\0base")),
        stored(
            "splits/feature-master.apk",
            &member_apk(b"dex\n035\0feature"),
        ),
        stored(
            "standalones/standalone-arm64.apk",
            &member_apk(b"dex\n035\0standalone"),
        ),
    ]);
    let input = LoadedInput::from_bytes(bytes, "app.apks", &Limits::default()).unwrap();
    assert_eq!(input.kind, InputKind::SplitSet);
    let names: Vec<&str> = input.archives.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "splits/base-xxhdpi.apk",
            "splits/base-master.apk",
            "splits/feature-master.apk"
        ]
    );
    assert_eq!(
        input.archives[input.base.unwrap()].name,
        "splits/base-master.apk"
    );
    let labels: Vec<String> = input.dex_entries().into_iter().map(|d| d.label).collect();
    assert_eq!(
        labels,
        vec![
            "splits/base-master.apk!classes.dex",
            "splits/feature-master.apk!classes.dex"
        ]
    );
    assert_eq!(
        input.base_entry("classes.dex").unwrap().unwrap(),
        b"dex\n035\0base"
    );
}

#[test]
fn xapk_without_base_name_picks_member_with_manifest_and_dex() {
    let bytes = zip_bytes(vec![
        stored("manifest.json", b"{}"),
        stored(
            "config.arm64_v8a.apk",
            &zip_bytes(vec![deflated("AndroidManifest.xml", MANIFEST_BYTES)]),
        ),
        stored("com.example.app.apk", &member_apk(b"dex\n035\0main")),
    ]);
    let input = LoadedInput::from_bytes(bytes, "app.xapk", &Limits::default()).unwrap();
    assert_eq!(input.kind, InputKind::SplitSet);
    assert_eq!(
        input.archives[input.base.unwrap()].name,
        "com.example.app.apk"
    );
}

#[test]
fn encrypted_apkm_is_a_clear_error() {
    let noise: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let bytes = zip_bytes(vec![
        stored("info.json", b"{\"pname\":\"x\"}"),
        stored("base.apk", &noise),
    ]);
    let error = LoadedInput::from_bytes(bytes, "app.apkm", &Limits::default()).unwrap_err();
    assert!(matches!(error, ContainerError::Encrypted { .. }), "{error}");
}

#[test]
fn jar_of_dex_without_manifest() {
    let bytes = zip_bytes(vec![
        deflated("classes.dex", DEX_BYTES),
        stored("META-INF/MANIFEST.MF", b"x"),
    ]);
    let input = LoadedInput::from_bytes(bytes, "u2.jar", &Limits::default()).unwrap();
    assert_eq!(input.kind, InputKind::Jar);
    assert_eq!(input.dex_entries().len(), 1);
}

#[test]
fn other_inputs_are_not_android() {
    let plain_zip = zip_bytes(vec![stored("readme.txt", b"hello")]);
    for bytes in [plain_zip, b"%PDF-1.7 not a zip at all".to_vec(), Vec::new()] {
        let error = LoadedInput::from_bytes(bytes, "x", &Limits::default()).unwrap_err();
        assert!(
            matches!(error, ContainerError::NotAnAndroidInput { .. }),
            "{error}"
        );
    }
}

#[test]
fn loaded_input_is_send_and_sync() {
    fn assert_sync<T: Send + Sync>() {}
    assert_sync::<LoadedInput>();
    assert_sync::<Archive>();
}

#[test]
fn inflate_budget_is_shared_across_threads() {
    let content = vec![7u8; 100_000];
    let bytes = zip_bytes(vec![
        deflated("AndroidManifest.xml", MANIFEST_BYTES),
        deflated("classes.dex", &content),
    ]);
    let limits = Limits {
        max_total_inflated: 250_000,
        ..Limits::default()
    };
    let input = LoadedInput::from_bytes(bytes, "app.apk", &limits).unwrap();
    let dex = input.dex_entries().remove(0);
    let results: Vec<Result<Vec<u8>, ContainerError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                scope.spawn(|| {
                    input
                        .read_dex(&dex)
                        .map(|held| held.into_inner().into_owned())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let ok = results.iter().filter(|r| r.is_ok()).count();
    assert!(ok <= 2, "{ok} reads fit in a budget of 2.5 reads");
    assert!(
        results
            .iter()
            .any(|r| matches!(r, Err(ContainerError::TotalInflatedExceeded { .. })))
    );
}

// ---- hostile input ----

fn exercise(bytes: Vec<u8>) {
    if let Ok(input) = LoadedInput::from_bytes(bytes, "hostile", &Limits::default()) {
        for member in &input.archives {
            for entry in member.archive.entries() {
                let _ = member.archive.read(entry);
            }
        }
        let _ = input.dex_entries();
        let _ = input.all_anomalies();
    }
}

fn sample() -> Vec<u8> {
    build(&Layout {
        entries: vec![
            stored("AndroidManifest.xml", MANIFEST_BYTES),
            deflated("classes.dex", DEX_BYTES),
            deflated("lib/x86/libz.so", &[1u8; 300]),
        ],
        comment: b"comment".to_vec(),
        ..Layout::default()
    })
}

#[test]
fn truncation_at_every_offset_never_panics() {
    let bytes = sample();
    for cut in 0..=bytes.len() {
        exercise(bytes[..cut].to_vec());
    }
}

#[test]
fn random_byte_flips_never_panic() {
    let bytes = sample();
    // xorshift64: deterministic, no crate needed.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let started = std::time::Instant::now();
    for _ in 0..3000 {
        let mut mutated = bytes.clone();
        let flips = 1 + next() % 4;
        for _ in 0..flips {
            let at = (next() % mutated.len() as u64) as usize;
            mutated[at] = next() as u8;
        }
        exercise(mutated);
    }
    assert!(started.elapsed().as_secs() < 60);
}
