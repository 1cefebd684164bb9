//! Hostile input: truncated files, flipped bytes, counts and offsets set to 2^32-1. The reader must
//! never panic, must finish quickly and must keep its output bounded.

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use dossier::dex::{self, ScanOptions};

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/dex")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Parses and scans with sites on, and reads the class hierarchy; checks the output stays bounded
/// by the input.
fn scan_bounded(bytes: &[u8]) -> Duration {
    let start = Instant::now();
    let facts = dex::scan_many(
        &[("hostile.dex".to_owned(), bytes)],
        &ScanOptions {
            sites: true,
            ..Default::default()
        },
    );
    // The class hierarchy of every section (what overrides are judged on), bounded the same way.
    if let Ok(sections) = dex::parse_sections(bytes, "hostile.dex") {
        for section in &sections {
            let hierarchy = dex::class_hierarchy(section, None);
            assert!(hierarchy.len() <= section.class_defs.count as usize);
            let methods: usize = hierarchy
                .classes()
                .map(|c| c.virtual_methods().count())
                .sum();
            let interfaces: usize = hierarchy.classes().map(|c| c.interfaces().count()).sum();
            assert!(
                methods <= bytes.len() / 3,
                "{methods} methods from {} bytes",
                bytes.len()
            );
            assert!(interfaces <= bytes.len() / 2);
            // Texts are capped at 8 times the file plus 16 MiB; numbers at a few per byte.
            assert!(hierarchy.heap_size() <= 40 * bytes.len() + (16 << 20));
        }
    }
    let elapsed = start.elapsed();
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
    for f in &facts {
        assert!(f.anomalies.len() <= dex::file::MAX_ANOMALIES + 1);
        // Every id comes from an instruction of at least two bytes.
        assert!(f.invoked_methods.len() + f.const_strings.len() <= bytes.len());
        assert!(f.reflective.len() <= bytes.len() * 64);
    }
    elapsed
}

/// A small deterministic generator (xorshift), so failures can be replayed.
struct XorShift(u64);
impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn every_truncation_of_the_fixture() {
    let bytes = fixture("refs.dex");
    for len in 0..bytes.len() {
        scan_bounded(&bytes[..len]);
    }
}

#[test]
fn every_single_byte_flipped() {
    let original = fixture("refs.dex");
    for at in 0..original.len() {
        let mut bytes = original.clone();
        bytes[at] ^= 0xff;
        scan_bounded(&bytes);
    }
}

#[test]
fn every_aligned_word_set_to_u32_max() {
    // Covers every count and offset of the header and id tables, string data offsets, the
    // code_item `insns_size` fields, type list sizes and class data offsets.
    let original = fixture("refs.dex");
    for at in (0..original.len() - 3).step_by(2) {
        let mut bytes = original.clone();
        bytes[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        scan_bounded(&bytes);
    }
}

#[test]
fn uleb_runs_of_0xff_in_class_data() {
    // Class data counts and method deltas decoded from 0xff runs are 2^32-1 and overflow.
    let original = fixture("refs.dex");
    for at in (0x70..original.len()).step_by(7) {
        let mut bytes = original.clone();
        let end = (at + 10).min(bytes.len());
        bytes[at..end].fill(0xff);
        scan_bounded(&bytes);
    }
}

#[test]
fn random_multi_byte_corruption() {
    let original = fixture("refs.dex");
    let mut rng = XorShift(0x5eed_dec0_de00_0001);
    for _ in 0..3000 {
        let mut bytes = original.clone();
        let flips = 1 + rng.next() % 16;
        for _ in 0..flips {
            let at = (rng.next() % bytes.len() as u64) as usize;
            bytes[at] = rng.next() as u8;
        }
        scan_bounded(&bytes);
    }
}

#[test]
fn garbage_and_wrong_magic_are_errors_not_panics() {
    assert!(matches!(
        dex::parse_sections(b"dex\n035\0", "short"),
        Err(dex::DexError::TooShort { .. })
    ));
    let mut bytes = fixture("refs.dex");
    bytes[0] = b'D';
    assert!(matches!(
        dex::parse_sections(&bytes, "magic"),
        Err(dex::DexError::BadMagic { .. })
    ));
    let mut bytes = fixture("refs.dex");
    bytes[0x28..0x2c].copy_from_slice(&0x7856_3412u32.to_le_bytes());
    assert!(matches!(
        dex::parse_sections(&bytes, "endian"),
        Err(dex::DexError::BigEndian { .. })
    ));
    let facts = dex::scan_many(
        &[("x".to_owned(), &b"PK\x03\x04"[..])],
        &ScanOptions::default(),
    );
    assert_eq!(facts[0].anomalies[0].code, "dex.unreadable");
}

#[test]
fn container_with_hostile_section_sizes() {
    let original = fixture("refs.dex");
    for file_size in [0u32, 1, 0x6f, 0x70, 0x78, u32::MAX] {
        let mut bytes = original.clone();
        bytes[4..7].copy_from_slice(b"041");
        bytes[0x20..0x24].copy_from_slice(&file_size.to_le_bytes());
        bytes[0x24..0x28].copy_from_slice(&0x78u32.to_le_bytes());
        // container_size / header_offset land on the first string ids: any values will do.
        bytes[0x70..0x74].copy_from_slice(&u32::MAX.to_le_bytes());
        scan_bounded(&bytes);
        let sections = dex::parse_sections(&bytes, "c").expect("first header is fine");
        assert!(sections.len() <= dex::file::MAX_CONTAINER_SECTIONS);
    }
}

#[test]
fn many_class_defs_sharing_one_class_data_stay_linear() {
    // Thousands of class definitions all pointing at the same class data: each copy costs 32 bytes
    // of input, so the work stays proportional to the file.
    let original = fixture("refs.dex");
    let sections = dex::parse_sections(&original, "r").unwrap();
    let table = sections[0].class_defs;
    let defs = original[table.offset..table.offset + 3 * 32].to_vec();
    let copies = 20_000usize;
    let mut bytes = original.clone();
    let at = bytes.len();
    for _ in 0..copies {
        bytes.extend_from_slice(&defs);
    }
    bytes[0x60..0x64].copy_from_slice(&(3 * copies as u32).to_le_bytes());
    bytes[0x64..0x68].copy_from_slice(&(at as u32).to_le_bytes());
    scan_bounded(&bytes);
    let facts = dex::scan_many(&[("dup".to_owned(), &bytes[..])], &ScanOptions::default());
    assert!(
        facts[0]
            .anomalies
            .iter()
            .any(|a| a.code == "dex.duplicate_method")
    );
}

#[test]
fn methods_sharing_one_huge_code_item_hit_the_work_budget() {
    // 10,000 distinct methods whose code is the same 10,000-unit code item: walking each would
    // cost 1e8 units; the scan must stop at its budget (16 units per input byte) with an anomaly.
    let mut bytes = fixture("refs.dex");
    let count = 10_000u32;
    let method_ids = bytes.len() as u32;
    let first_method = bytes[0x5c..0x60].to_vec();
    let first_method = u32::from_le_bytes(first_method.try_into().unwrap()) as usize;
    let one = bytes[first_method..first_method + 8].to_vec();
    for _ in 0..count {
        bytes.extend_from_slice(&one);
    }
    bytes[0x58..0x5c].copy_from_slice(&count.to_le_bytes());
    bytes[0x5c..0x60].copy_from_slice(&method_ids.to_le_bytes());
    let code_off = bytes.len() as u32;
    let units = 10_000u32;
    bytes.extend_from_slice(&[1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    bytes.extend_from_slice(&units.to_le_bytes());
    bytes.resize(bytes.len() + units as usize * 2, 0); // nop
    let class_data = bytes.len() as u32;
    let uleb = |mut v: u32, out: &mut Vec<u8>| loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            break;
        }
        out.push(b | 0x80);
    };
    for v in [0, 0, count, 0] {
        uleb(v, &mut bytes);
    }
    for i in 0..count {
        uleb(u32::from(i > 0), &mut bytes); // method index delta: 0, 1, 2, ...
        uleb(1, &mut bytes); // public
        uleb(code_off, &mut bytes);
    }
    let def = bytes.len() as u32;
    bytes.extend_from_slice(&[0; 24]);
    bytes.extend_from_slice(&class_data.to_le_bytes());
    bytes.extend_from_slice(&[0; 4]);
    bytes[0x60..0x64].copy_from_slice(&1u32.to_le_bytes());
    bytes[0x64..0x68].copy_from_slice(&def.to_le_bytes());
    scan_bounded(&bytes);
    let facts = dex::scan_many(
        &[("shared".to_owned(), &bytes[..])],
        &ScanOptions::default(),
    );
    assert!(
        facts[0]
            .anomalies
            .iter()
            .any(|a| a.code == "dex.work_budget")
    );
}

#[test]
fn corrupted_corpus_dex_when_present() {
    // A real, larger DEX (okhttp, 0.5 MB) with random corruption; skipped without the corpus.
    let Some(dir) = common::corpus() else { return };
    let Ok(original) = std::fs::read(dir.join("dex/okhttp-d8-038.dex")) else {
        assert!(
            !common::corpus_required(),
            "okhttp DEX missing from the corpus"
        );
        eprintln!("skipped: okhttp DEX not in the corpus");
        return;
    };
    let mut rng = XorShift(0x0123_4567_89ab_cdef);
    for round in 0..40 {
        let mut bytes = original.clone();
        if round % 4 == 0 {
            let len = (rng.next() % bytes.len() as u64) as usize;
            bytes.truncate(len);
        }
        for _ in 0..1 + rng.next() % 64 {
            if bytes.is_empty() {
                break;
            }
            let at = (rng.next() % bytes.len() as u64) as usize;
            bytes[at] = rng.next() as u8;
        }
        scan_bounded(&bytes);
    }
}
