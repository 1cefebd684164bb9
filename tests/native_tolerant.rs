//! A native library that goblin rejects must not vanish from the report: one invalid UTF-8 byte in
//! a `DT_NEEDED` name used to drop its imports and endpoint strings while the scan exited 0. Such
//! a library is now read by hand (`dossier::native::read_elf_by_hand`): its needed libraries,
//! imports and JNI exports come from the dynamic section or the section headers, its printable
//! strings stay, and the anomaly `elf.partly_read` says what was recovered, which makes the scan
//! `partial`.
//!
//! The damaged libraries are made here from the fixtures' real `.so` files. The tolerant reader is
//! also held against goblin on every library of the corpus that goblin reads.

mod common;

use std::io::Read;
use std::path::Path;
use std::time::{Duration, Instant};

use common::Rng;
use dossier::native::{NativeFacts, read_elf, read_elf_by_hand};

const VIDCORE: &str = "lib/x86_64/libvidcore.so";

/// One entry of a fixture APK.
fn fixture_entry(apk: &str, entry: &str) -> Vec<u8> {
    let apk = std::fs::read(common::fixture(apk)).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(apk)).unwrap();
    let mut bytes = Vec::new();
    zip.by_name(entry).unwrap().read_to_end(&mut bytes).unwrap();
    bytes
}

/// The fixture's native library as built: needs libc.so.6, imports `__system_property_get` and
/// `getifaddrs`, exports one `Java_*` function.
fn vidcore() -> Vec<u8> {
    fixture_entry("vidshare-config-x86_64.apk", VIDCORE)
}

/// `bytes` with the `DT_NEEDED` name `libc.so.6` made invalid UTF-8 (`lib\xff.so.6`).
fn with_invalid_needed_name(mut bytes: Vec<u8>) -> Vec<u8> {
    let at = bytes
        .windows(10)
        .position(|w| w == b"libc.so.6\0")
        .expect("the library links libc.so.6");
    bytes[at + 3] = 0xff;
    bytes
}

/// A little-endian 64-bit header field.
fn set_u64(bytes: &mut [u8], at: usize, value: u64) {
    bytes[at..at + 8].copy_from_slice(&value.to_le_bytes());
}

fn get_u64(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap())
}

fn get_u16(bytes: &[u8], at: usize) -> u16 {
    u16::from_le_bytes(bytes[at..at + 2].try_into().unwrap())
}

/// Where the dynamic section of a 64-bit little-endian library ends: the end of its
/// `PT_DYNAMIC` program header.
fn end_of_dynamic(bytes: &[u8]) -> usize {
    let phoff = get_u64(bytes, 32) as usize;
    let phnum = get_u16(bytes, 56) as usize;
    (0..phnum)
        .map(|i| phoff + i * 56)
        .find(|&at| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) == 2)
        .map(|at| (get_u64(bytes, at + 8) + get_u64(bytes, at + 32)) as usize)
        .expect("the library has a PT_DYNAMIC")
}

/// What goblin reads of the intact library, to compare the recovered facts with.
fn intact() -> NativeFacts {
    let facts = read_elf(&vidcore(), VIDCORE).unwrap();
    assert!(facts.anomalies.is_empty(), "{:#?}", facts.anomalies);
    assert!(facts.imports.iter().any(|s| s == "__system_property_get"));
    assert!(facts.jni_exports.iter().any(|s| s.starts_with("Java_")));
    facts
}

/// The needed libraries, imports and JNI exports of `facts` are those of `intact`.
fn assert_same_linking(facts: &NativeFacts, intact: &NativeFacts) {
    assert_eq!(facts.needed, intact.needed);
    assert_eq!(facts.imports, intact.imports);
    assert_eq!(facts.jni_exports, intact.jni_exports);
}

/// Reads a damaged library, checks goblin rejected it (one `elf.partly_read` anomaly) and
/// returns the facts with the anomaly's detail.
fn read_damaged(bytes: &[u8]) -> (NativeFacts, String) {
    let facts = read_elf(bytes, VIDCORE).expect("a damaged ELF is still read");
    let codes: Vec<&str> = facts.anomalies.iter().map(|a| a.code.as_str()).collect();
    assert_eq!(codes, ["elf.partly_read"], "{:#?}", facts.anomalies);
    let detail = facts.anomalies[0].detail.clone();
    (facts, detail)
}

#[test]
fn an_invalid_utf8_needed_name_keeps_the_imports_exports_and_strings() {
    let intact = intact();
    let (facts, detail) = read_damaged(&with_invalid_needed_name(vidcore()));
    assert_eq!(facts.imports, intact.imports);
    assert_eq!(facts.jni_exports, intact.jni_exports);
    assert_eq!(facts.machine, intact.machine);
    assert!(facts.is_64);
    // The bad byte stays visible in the name instead of hiding it.
    assert_eq!(facts.needed, ["lib\u{fffd}.so.6"]);
    assert!(
        facts
            .strings
            .iter()
            .any(|s| s.contains("https://mon.vidshare-metrics.example.net/collect"))
    );
    assert!(
        detail.starts_with("goblin rejected its structure ("),
        "{detail}"
    );
    assert!(
        detail.contains(
            "recovered by hand 1 needed library and 9 dynamic symbols from the dynamic section"
        ),
        "{detail}"
    );
    // What is not an ELF at all is still refused.
    assert!(read_elf(b"MZ not an elf", "lib/x86_64/x.so").is_err());
    assert!(read_elf_by_hand(b"MZ not an elf", "lib/x86_64/x.so").is_err());
}

#[test]
fn a_section_header_table_past_the_end_keeps_the_dynamic_section() {
    let intact = intact();
    let mut bytes = vidcore();
    set_u64(&mut bytes, 40, 1 << 40); // e_shoff
    let (facts, detail) = read_damaged(&bytes);
    assert_same_linking(&facts, &intact);
    assert!(detail.contains("from the dynamic section"), "{detail}");
}

#[test]
fn a_truncated_library_keeps_what_precedes_the_cut() {
    let intact = intact();
    let bytes = vidcore();
    // Cut just after the dynamic section: the section headers at the end are gone.
    let (facts, _) = read_damaged(&bytes[..end_of_dynamic(&bytes)]);
    assert_same_linking(&facts, &intact);
    // Cut in the middle of the dynamic section: its first entries are still read (the needed
    // libraries come first), and nothing panics whatever is cut.
    let (facts, _) = read_damaged(&bytes[..end_of_dynamic(&bytes) - 300]);
    assert_eq!(facts.needed, intact.needed);
}

#[test]
fn damaged_program_headers_leave_the_section_headers() {
    let intact = intact();
    let mut bytes = vidcore();
    set_u64(&mut bytes, 32, 1 << 40); // e_phoff
    let (facts, detail) = read_damaged(&bytes);
    assert_same_linking(&facts, &intact);
    assert!(
        detail.contains("1 needed library and 9 dynamic symbols from the section headers"),
        "{detail}"
    );
}

#[test]
fn a_library_with_nothing_left_to_read_keeps_its_strings() {
    let bytes = vidcore();
    // The ELF header alone survives, and the strings of a class byte no loader accepts.
    let (facts, detail) = read_damaged(&bytes[..64]);
    assert!(facts.imports.is_empty() && facts.needed.is_empty());
    assert!(
        detail.contains("no needed libraries and no dynamic symbols"),
        "{detail}"
    );
    let mut unknown_class = bytes.clone();
    unknown_class[4] = 7;
    let (facts, detail) = read_damaged(&unknown_class);
    assert!(
        detail.contains("not even its ELF header could be read"),
        "{detail}"
    );
    assert!(
        facts
            .strings
            .iter()
            .any(|s| s.contains("https://mon.vidshare-metrics.example.net/collect"))
    );
}

/// One random corruption of `bytes`: flipped bytes, a header field or table word overwritten
/// with an extreme value, a cut, or several of these at once.
fn corrupt(bytes: &[u8], random: &mut Rng) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for _ in 0..1 + random.below(4) {
        match random.below(5) {
            0 => {
                let at = random.below(out.len());
                out[at] ^= 1 << random.below(8);
            }
            1 => {
                // The ELF header and program headers hold the offsets and counts.
                let at = random.below(64 + 9 * 56 - 8);
                let value = [0, 1, u64::MAX, 1 << 31, random.next()][random.below(5)];
                out[at..at + 8].copy_from_slice(&value.to_le_bytes());
            }
            2 => {
                let at = random.below(out.len() - 8);
                out[at..at + 8].copy_from_slice(&random.next().to_le_bytes());
            }
            3 => {
                let len = 4 + random.below(out.len() - 4);
                out.truncate(len);
            }
            _ => {
                let at = random.below(out.len());
                out[at] = 0xff;
            }
        }
        if out.len() < 600 {
            break;
        }
    }
    // The magic stays: a file without it is refused before any reading.
    out[..4].copy_from_slice(b"\x7fELF");
    out
}

#[test]
fn random_corruptions_never_panic_and_finish_fast() {
    const ROUNDS: usize = 6000;
    // The fixtures' x86_64 libraries, and the corpus's (32- and 64-bit ARM and x86) when it is
    // there, the large ones left out to keep the loop short.
    let mut libraries = vec![
        vidcore(),
        fixture_entry("apiprobe.apk", "lib/x86_64/libapiprobe.so"),
    ];
    libraries.extend(
        corpus_elves()
            .iter()
            .map(|(_, bytes)| bytes)
            .filter(|bytes| bytes.len() <= 256 << 10)
            .cloned(),
    );
    let started = Instant::now();
    let mut random = Rng(0x0ddb_a11c_0ffe_e5ed);
    let mut read_by_hand = 0;
    for round in 0..ROUNDS {
        let bytes = corrupt(&libraries[round % libraries.len()], &mut random);
        // The tolerant reader alone, not behind read_elf's catch_unwind, so a panic fails here.
        let by_hand = read_elf_by_hand(&bytes, "x.so").expect("still starts with the ELF magic");
        read_by_hand += usize::from(!by_hand.imports.is_empty());
        let facts = read_elf(&bytes, "x.so").expect("still starts with the ELF magic");
        assert!(facts.imports.len() <= 200_000);
    }
    let elapsed = started.elapsed();
    eprintln!(
        "{ROUNDS} corruptions of {} libraries in {elapsed:?}; imports recovered by hand from {read_by_hand}",
        libraries.len()
    );
    // Debug builds on a shared machine: generous, but a read that walked a claimed count
    // instead of the file would take minutes.
    assert!(elapsed < Duration::from_secs(60), "{elapsed:?}");
    assert!(read_by_hand > ROUNDS / 2, "{read_by_hand}");
}

/// The whole scan: the `apiprobe` fixture, whose library imports every symbol of the native rules,
/// with that library damaged so goblin rejects it. Every native rule still fires.
#[test]
fn a_damaged_library_still_gives_its_categories_in_a_scan() {
    let entry = "lib/x86_64/libapiprobe.so";
    let damaged = with_invalid_needed_name(fixture_entry("apiprobe.apk", entry));
    let dir = std::env::temp_dir().join(format!("dossier-native-tolerant-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let apk = replace_entry("apiprobe.apk", &dir, entry, &damaged);
    let rules = dossier::rules::RuleSet::builtin().unwrap();
    let report = dossier::Scanner::new(rules.clone(), dossier::Limits::default())
        .scan_path(&apk)
        .unwrap();
    std::fs::remove_dir_all(&dir).ok();
    let fired: std::collections::BTreeSet<&str> = report
        .categories
        .iter()
        .flat_map(|c| &c.evidence)
        .filter(|e| e.kind == dossier::report::EvidenceKind::NativeImport)
        .map(|e| e.rule.as_str())
        .collect();
    let silent: Vec<&str> = rules
        .natives()
        .iter()
        .map(|r| r.id.as_str())
        .filter(|id| !fired.contains(id))
        .collect();
    assert!(silent.is_empty(), "native rules silent: {silent:?}");
    let reasons: Vec<&str> = report
        .status
        .reasons
        .iter()
        .map(|a| a.code.as_str())
        .collect();
    assert!(reasons.contains(&"elf.partly_read"), "{reasons:?}");
}

/// A copy of a fixture with one entry's content replaced (stored, so the test does not depend
/// on the compressor), other entries copied as they are.
fn replace_entry(base: &str, dir: &Path, entry: &str, content: &[u8]) -> std::path::PathBuf {
    use std::io::Write;
    let original = std::fs::read(common::fixture(base)).unwrap();
    let mut reader = zip::ZipArchive::new(std::io::Cursor::new(original)).unwrap();
    let path = dir.join(base);
    let mut writer = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    for i in 0..reader.len() {
        let file = reader.by_index_raw(i).unwrap();
        if file.name().is_ok_and(|n| n == entry) {
            continue;
        }
        writer.raw_copy_file(file).unwrap();
    }
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    writer.start_file(entry, options).unwrap();
    writer.write_all(content).unwrap();
    writer.finish().unwrap();
    path
}

/// Every ELF file in the corpus APKs (any entry starting with the ELF magic), with its name,
/// read once for all tests.
fn corpus_elves() -> &'static [(String, Vec<u8>)] {
    static ELVES: std::sync::OnceLock<Vec<(String, Vec<u8>)>> = std::sync::OnceLock::new();
    ELVES.get_or_init(read_corpus_elves)
}

fn read_corpus_elves() -> Vec<(String, Vec<u8>)> {
    let mut apks = common::sdk_apps();
    if let Some(dir) = common::corpus() {
        apks.extend(common::corpus_files(&dir, "apks"));
    }
    let mut elves = Vec::new();
    for apk in apks {
        let Ok(file) = std::fs::File::open(&apk) else {
            continue;
        };
        let Ok(mut zip) = zip::ZipArchive::new(file) else {
            continue;
        };
        for i in 0..zip.len() {
            let Ok(mut entry) = zip.by_index(i) else {
                continue;
            };
            let mut bytes = Vec::new();
            if entry.size() > 64 << 20 || entry.read_to_end(&mut bytes).is_err() {
                continue;
            }
            if bytes.starts_with(b"\x7fELF") {
                let name = apk.file_name().unwrap().to_string_lossy();
                let entry_name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
                elves.push((format!("{name}!{entry_name}"), bytes));
            }
        }
    }
    elves
}

/// On every corpus library goblin reads, the tolerant reader alone finds the same needed
/// libraries, imports and JNI exports.
#[test]
fn the_tolerant_reader_agrees_with_goblin_on_the_corpus() {
    let elves = corpus_elves();
    let mut compared = 0;
    let mut agreed = 0;
    let mut disagreements = Vec::new();
    for (name, bytes) in elves {
        let goblin = read_elf(bytes, name).unwrap();
        if goblin.anomalies.iter().any(|a| a.code == "elf.partly_read") {
            continue;
        }
        compared += 1;
        let by_hand = read_elf_by_hand(bytes, name).unwrap();
        let same = |what: &str, a: &Vec<String>, b: &Vec<String>| {
            (a != b).then(|| format!("{name}: {what}: goblin {} by hand {}", a.len(), b.len()))
        };
        let differences: Vec<String> = [
            same("needed", &goblin.needed, &by_hand.needed),
            same("imports", &goblin.imports, &by_hand.imports),
            same("jni_exports", &goblin.jni_exports, &by_hand.jni_exports),
            same(
                "machine",
                &vec![goblin.machine.clone()],
                &vec![by_hand.machine.clone()],
            ),
        ]
        .into_iter()
        .flatten()
        .collect();
        agreed += usize::from(differences.is_empty());
        disagreements.extend(differences);
    }
    eprintln!(
        "{} ELF files in the corpus, {compared} read by goblin, {agreed} of them agree",
        elves.len()
    );
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}
