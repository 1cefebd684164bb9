//! An input scanned from its path reads its entries from the file by position, after parsing
//! its directory from the parts of the file it needs; scanned from bytes, it reads them from
//! memory.
//! Both give the same report, and a file that changes under the scan gives errors, not a crash.

mod common;

use std::io::Write;

use dossier::Scanner;
use dossier::container::{Archive, Limits};

/// Every built fixture and bare DEX: the report from the path and the report from the same bytes
/// agree (a path is hashed as it streams, then its archive read by position, or a DEX read whole).
#[test]
fn a_path_and_its_bytes_give_the_same_report() {
    let scanner = Scanner::with_builtin_rules().unwrap();
    let mut paths = Vec::new();
    for dir in ["fixtures/built", "fixtures/dex"] {
        for entry in std::fs::read_dir(common::root().join(dir)).unwrap() {
            paths.push(entry.unwrap().path());
        }
    }
    let mut seen = 0;
    let scannable = |path: &std::path::Path| {
        path.is_file()
            && path
                .extension()
                .is_some_and(|ext| ext != "md" && ext != "sh" && ext != "json")
    };
    for path in paths.into_iter().filter(|path| scannable(path)) {
        let name = path.display().to_string();
        let from_path = scanner.scan_path(&path).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let from_bytes = scanner.scan_bytes(bytes, &name).unwrap();
        assert_eq!(
            serde_json::to_string(&from_path).unwrap(),
            serde_json::to_string(&from_bytes).unwrap(),
            "{name}"
        );
        seen += 1;
    }
    assert!(seen >= 15, "only {seen} fixtures");
}

/// A file cut short after its directory was parsed: reads past the new end fail with an error
/// naming the entry, and reads before it still work.
#[test]
fn a_file_cut_after_parsing_gives_errors() {
    let mut zip = Vec::new();
    {
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(&mut zip));
        let deflated = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        writer.start_file("first.txt", stored).unwrap();
        writer.write_all(b"first entry, stored").unwrap();
        writer.start_file("classes.dex", deflated).unwrap();
        writer.write_all(&vec![7u8; 300_000]).unwrap();
        writer.start_file("last.bin", stored).unwrap();
        writer.write_all(&[1u8; 4096]).unwrap();
        writer.finish().unwrap();
    }
    let path = std::env::temp_dir().join(format!("dossier-cut-{}.zip", std::process::id()));
    std::fs::write(&path, &zip).unwrap();
    let file = std::fs::File::open(&path).unwrap();
    let archive = Archive::parse_file(file, "cut.zip", &Limits::default()).unwrap();
    // Cut the file just after the first entry's data.
    let cut = zip
        .windows(19)
        .position(|w| w == b"first entry, stored")
        .unwrap()
        + 19;
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(cut as u64)
        .unwrap();
    let read = |name: &str| archive.read(archive.find(name).unwrap());
    assert_eq!(
        read("first.txt").unwrap().into_inner(),
        b"first entry, stored"
    );
    let dex = read("classes.dex").unwrap_err().to_string();
    assert!(dex.contains("classes.dex"), "{dex}");
    let last = read("last.bin").unwrap_err().to_string();
    assert!(last.contains("last.bin"), "{last}");
    let _ = std::fs::remove_file(&path);
}
