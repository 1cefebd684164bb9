//! Golden reports that find themselves: every input in `fixtures/built/` (and `fixtures/dex/`'s
//! built files) has its expected JSON report in `tests/golden/<file name>.json`. A fixture without
//! one, or a golden file without its fixture, fails; a report that differs fails with a line diff.
//! Refresh all of them with `DOSSIER_UPDATE_GOLDEN=1 cargo test --test golden` and review the diff.

#[path = "../../../tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The fixture inputs: every file of `fixtures/built/` plus the bare DEX and JAR fixtures.
fn inputs() -> Vec<PathBuf> {
    let root = common::root();
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("fixtures/built"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.push(root.join("fixtures/dex/refs.dex"));
    files.push(root.join("fixtures/dex/multidex.zip"));
    files.sort();
    files
}

/// The report as the command line writes it, run from the fixture's folder so that the path in
/// the report is the bare file name, whatever the checkout's location.
fn report_of(input: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_dossier"))
        .current_dir(input.parent().unwrap())
        .args(["scan", "--format", "json"])
        .arg(input.file_name().unwrap())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}: {}",
        input.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The first lines where two texts differ, with line numbers, for a failure message a person can
/// read without a diff tool.
fn line_diff(expected: &str, actual: &str) -> String {
    let expected: Vec<&str> = expected.lines().collect();
    let actual: Vec<&str> = actual.lines().collect();
    let mut out = String::new();
    let mut shown = 0;
    for i in 0..expected.len().max(actual.len()) {
        let (e, a) = (expected.get(i), actual.get(i));
        if e == a {
            continue;
        }
        out.push_str(&format!(
            "  line {}:\n    - {}\n    + {}\n",
            i + 1,
            e.unwrap_or(&"<end>"),
            a.unwrap_or(&"<end>")
        ));
        shown += 1;
        if shown == 12 {
            out.push_str("  ...\n");
            break;
        }
    }
    out
}

#[test]
fn every_fixture_report_equals_its_golden_file() {
    let dir = common::root().join("tests/golden");
    let update = std::env::var("DOSSIER_UPDATE_GOLDEN").as_deref() == Ok("1");
    let mut problems = Vec::new();
    let mut expected_names = Vec::new();
    for input in inputs() {
        let name = format!("{}.json", input.file_name().unwrap().to_string_lossy());
        expected_names.push(name.clone());
        let actual = report_of(&input);
        let path = dir.join(&name);
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &actual).unwrap();
            continue;
        }
        match std::fs::read_to_string(&path) {
            Err(_) => problems.push(format!("{name}: no golden file (tests/golden/{name})")),
            Ok(expected) if expected != actual => problems.push(format!(
                "{name} differs:\n{}",
                line_diff(&expected, &actual)
            )),
            Ok(_) => {}
        }
    }
    for entry in std::fs::read_dir(&dir).unwrap().filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !expected_names.contains(&name) {
            problems.push(format!("tests/golden/{name}: no fixture of that name"));
        }
    }
    assert!(
        problems.is_empty(),
        "{}\nIf the change is intended: DOSSIER_UPDATE_GOLDEN=1 cargo test --test golden, then review the diff.",
        problems.join("\n")
    );
}

#[test]
fn line_diff_names_the_differing_lines() {
    let diff = line_diff("a\nb\nc", "a\nx\nc\nd");
    assert!(diff.contains("line 2:\n    - b\n    + x"), "{diff}");
    assert!(diff.contains("line 4:\n    - <end>\n    + d"), "{diff}");
    assert!(!diff.contains("line 1:"));
}
