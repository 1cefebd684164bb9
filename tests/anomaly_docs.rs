//! Every anomaly code used anywhere in `src/` has a row in one of the `docs/anomalies-*.md`
//! tables, so no code reaches a report undocumented.

use std::path::{Path, PathBuf};

/// The format prefixes of anomaly codes (`zip.crc_mismatch`, `elf.unreadable`, ...).
const PREFIXES: &[&str] = &[
    "zip.",
    "axml.",
    "arsc.",
    "manifest.",
    "dex.",
    "elf.",
    "split.",
    "asset.",
];

/// String literals that look like codes but are file names, not anomalies.
const NOT_CODES: &[&str] = &["manifest.json"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn codes_in(source: &str) -> Vec<String> {
    source
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|piece| {
            PREFIXES.iter().any(|p| {
                piece.strip_prefix(p).is_some_and(|rest| {
                    !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                })
            })
        })
        .filter(|piece| !NOT_CODES.contains(piece))
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_anomaly_code_is_documented() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut docs = String::new();
    for entry in std::fs::read_dir(root.join("docs")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("anomalies-") && name.ends_with(".md") {
            docs.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let mut seen = std::collections::BTreeSet::new();
    let mut missing = Vec::new();
    for path in files {
        let source = std::fs::read_to_string(&path).unwrap();
        for code in codes_in(&source) {
            if !docs.contains(&format!("`{code}`")) {
                missing.push(format!(
                    "{code} ({})",
                    path.strip_prefix(root).unwrap().display()
                ));
            }
            seen.insert(code);
        }
    }
    // The scanner must really be finding codes, or this test could pass on nothing.
    assert!(
        seen.len() >= 100,
        "found only {} codes: {seen:?}",
        seen.len()
    );
    assert!(
        missing.is_empty(),
        "undocumented anomaly codes: {missing:#?}"
    );
}

#[test]
fn the_code_scanner_finds_codes_and_skips_file_names() {
    let source = r#"Anomaly::new("zip.crc_mismatch", x, y); find("manifest.json"); "dex.Not_a_code"; "elf.unreadable""#;
    assert_eq!(codes_in(source), ["zip.crc_mismatch", "elf.unreadable"]);
}
