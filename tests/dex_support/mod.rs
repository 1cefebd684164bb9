//! Shared helpers of the DEX integration tests: finding the corpus and pulling DEX bytes out of
//! APKs and JARs. Included by the `tests/dex_*.rs` files with `#[path]`; on its own it has no tests.
#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};

/// The corpus directory: `$DOSSIER_CORPUS`, else `target/corpus` under the crate root.
/// (`tests/common`, which also fails instead of skipping under `DOSSIER_REQUIRE_CORPUS=1`).
pub fn corpus_dir() -> Option<PathBuf> {
    crate::common::corpus()
}

fn files_in(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == extension))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// `classes*.dex` entries of a zip (APK or JAR) as (entry name, bytes); empty when the zip crate
/// cannot open the archive (some corpus APKs are deliberately malformed).
pub fn dex_entries_of_zip(path: &Path) -> Vec<(String, Vec<u8>)> {
    let Ok(file) = std::fs::File::open(path) else {
        return Vec::new();
    };
    let Ok(mut archive) = zip::ZipArchive::new(file) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let Ok(mut entry) = archive.by_index(i) else {
            continue;
        };
        let name = match entry.name() {
            Ok(n) => n.into_owned(),
            Err(_) => continue,
        };
        if !(name.starts_with("classes") && name.ends_with(".dex") && !name.contains('/')) {
            continue;
        }
        let mut bytes = Vec::new();
        if entry.read_to_end(&mut bytes).is_ok() {
            out.push((name, bytes));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Every DEX of the corpus as (label, bytes): bare `dex/*.dex`, then the `classes*.dex` of every
/// `dex/*.jar` and `apks/*.apk`, labelled `file!entry`.
pub fn corpus_dex_files(corpus: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for path in files_in(&corpus.join("dex"), "dex") {
        if let Ok(bytes) = std::fs::read(&path) {
            out.push((file_name(&path), bytes));
        }
    }
    for path in files_in(&corpus.join("dex"), "jar")
        .into_iter()
        .chain(files_in(&corpus.join("apks"), "apk"))
    {
        for (entry, bytes) in dex_entries_of_zip(&path) {
            out.push((format!("{}!{entry}", file_name(&path)), bytes));
        }
    }
    out
}

pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Whether a tool can be started.
pub fn have_tool(name: &str) -> bool {
    std::process::Command::new(name)
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok()
}
