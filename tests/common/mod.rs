//! Helpers shared by the integration tests: where the fixtures and the real-APK corpus are.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The crate root, so tests do not depend on the directory cargo runs them from.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> PathBuf {
    root().join("fixtures/built").join(name)
}

/// The corpus directory (`$DOSSIER_CORPUS`, else `target/corpus`), or None when it was not fetched.
/// With `DOSSIER_REQUIRE_CORPUS=1` (CI) a missing corpus fails the test instead of skipping it.
pub fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("DOSSIER_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/corpus"));
    if dir.join("apks").is_dir() {
        return Some(dir);
    }
    if std::env::var("DOSSIER_REQUIRE_CORPUS").as_deref() == Ok("1") {
        panic!(
            "DOSSIER_REQUIRE_CORPUS=1 but no corpus at {}",
            dir.display()
        );
    }
    eprintln!(
        "skipped: no corpus at {} (run ../shared/corpus/fetch.sh)",
        dir.display()
    );
    None
}

/// Every file of one corpus subfolder (`apks` or `dex`), sorted.
pub fn corpus_files(dir: &Path, sub: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join(sub))
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.is_file() && p.extension().is_some_and(|e| e != "log"));
    files.sort();
    files
}

/// Whether a reference tool (aapt, dexdump, unzip) is installed; differential tests skip without it.
pub fn have_tool(name: &str) -> bool {
    std::process::Command::new(name)
        .arg("--help")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok()
}
