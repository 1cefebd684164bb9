//! Every input a fuzzer found that crashed, hung or used too much memory, replayed through the
//! exact code its fuzz target runs (`fuzz/exercise.rs`), each within a time bound. Found inputs
//! are kept in `tests/data/fuzz/TARGET/`, named after what they showed; docs/ROBUSTNESS.md says
//! how to run the fuzzers.

#[path = "../fuzz/exercise.rs"]
#[allow(dead_code)]
mod exercise;

use std::path::Path;
use std::time::{Duration, Instant};

/// Far above what any of them takes once fixed (milliseconds), below the hangs they were (the
/// repeated attribute names took 4 s in the dev profile and 38 s under the fuzzer).
const LIMIT: Duration = Duration::from_secs(1);

fn replay(target: &str, run: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/fuzz")
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    let mut paths: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
    paths.sort();
    for path in paths {
        let bytes = std::fs::read(&path).unwrap();
        let started = Instant::now();
        run(&bytes);
        let took = started.elapsed();
        assert!(took < LIMIT, "{} took {took:?}", path.display());
    }
}

#[test]
fn zip_inputs() {
    replay("zip", exercise::zip);
}

#[test]
fn axml_inputs() {
    replay("axml", exercise::axml);
}

#[test]
fn arsc_inputs() {
    replay("arsc", exercise::arsc);
}

#[test]
fn dex_inputs() {
    replay("dex", exercise::dex);
}

#[test]
fn elf_inputs() {
    replay("elf", exercise::elf);
}

#[test]
fn scan_inputs() {
    replay("scan", exercise::scan);
}
