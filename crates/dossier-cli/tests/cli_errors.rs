//! What the command line says when it cannot do what was asked: the file named once, as it was
//! typed, what was expected and what was found, in plain words, and exit code 2; and the distinct
//! exit code 3 of a scan that read only part of its input.

#[path = "../../../tests/common/mod.rs"]
mod common;

use std::path::PathBuf;
use std::process::Output;

fn dossier(args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_dossier"))
        .args(args)
        .output()
        .expect("dossier runs")
}

/// The one error line of a failed run.
fn error_of(args: &[&str]) -> String {
    let out = dossier(args);
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    let text = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(text.lines().count(), 1, "{text}");
    text.trim_end().to_owned()
}

fn scratch(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = common::root().join("target/tmp/cli-errors");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn a_missing_file_is_named_once_with_the_reason_once() {
    let error = error_of(&["scan", "no/such/app.apk"]);
    assert_eq!(
        error,
        "dossier: error: cannot read no/such/app.apk: No such file or directory (os error 2)"
    );
}

#[test]
fn a_file_is_named_as_typed() {
    let error = error_of(&["scan", "/dev/null"]);
    assert!(
        error.starts_with("dossier: error: /dev/null: not an Android input"),
        "{error}"
    );
}

#[test]
fn an_empty_file_is_called_empty() {
    let empty = scratch("empty.apk", b"");
    let error = error_of(&["manifest", empty.to_str().unwrap()]);
    assert!(error.contains("an empty file"), "{error}");
    assert!(!error.contains("starting  "), "{error}");
}

#[test]
fn a_zip_cut_short_is_a_broken_app_not_some_other_file() {
    let apk = std::fs::read(common::fixture("beacon.apk")).unwrap();
    let cut = scratch("cut.apk", &apk[..apk.len() / 2]);
    let error = error_of(&["scan", cut.to_str().unwrap()]);
    assert!(error.contains("cut.apk: malformed zip archive"), "{error}");
    assert!(error.contains("cut short"), "{error}");
    assert!(!error.contains("neither a DEX nor a zip"), "{error}");
}

#[test]
fn counts_agree_with_their_nouns() {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("notes.txt", zip::write::SimpleFileOptions::default())
        .unwrap();
    std::io::Write::write_all(&mut zip, b"hello").unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    let one = scratch("one.zip", &bytes);
    let error = error_of(&["scan", one.to_str().unwrap()]);
    assert!(error.contains("a zip of 1 entry without"), "{error}");
}

#[test]
fn a_partial_scan_exits_3_unless_allowed() {
    let apk = common::fixture("vidshare.apk");
    let apk = apk.to_str().unwrap();
    let partial = dossier(&["scan", apk, "--max-entry-size", "2K"]);
    assert_eq!(partial.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&partial.stdout).contains("Partial scan"));
    let allowed = dossier(&["scan", apk, "--max-entry-size", "2K", "--allow-partial"]);
    assert_eq!(allowed.status.code(), Some(0));
    let complete = dossier(&["scan", apk]);
    assert_eq!(complete.status.code(), Some(0));
}

#[test]
fn a_dash_reads_standard_input() {
    use std::io::Write;
    let apk = common::fixture("beacon.apk");
    for command in ["scan", "manifest", "dex"] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_dossier"))
            .args([command, "-", "--format", "json"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(&std::fs::read(&apk).unwrap())
            .unwrap();
        let piped = child.wait_with_output().unwrap();
        assert!(piped.status.success(), "{command}");
        let from_file = dossier(&[command, apk.to_str().unwrap(), "--format", "json"]);
        let mut piped: serde_json::Value = serde_json::from_slice(&piped.stdout).unwrap();
        let from_file: serde_json::Value = serde_json::from_slice(&from_file.stdout).unwrap();
        if command == "scan" {
            assert_eq!(piped["input"]["path"], "<stdin>");
            piped["input"]["path"] = from_file["input"]["path"].clone();
        }
        assert!(piped == from_file, "{command}: stdin and file differ");
    }
}

#[test]
fn the_output_never_replaces_an_input_nor_follows_a_link() {
    let apk = scratch(
        "keep.apk",
        &std::fs::read(common::fixture("beacon.apk")).unwrap(),
    );
    let before = std::fs::read(&apk).unwrap();
    let error = error_of(&["scan", apk.to_str().unwrap(), "-o", apk.to_str().unwrap()]);
    assert!(error.contains("an input of this run"), "{error}");
    assert_eq!(std::fs::read(&apk).unwrap(), before);
    #[cfg(unix)]
    {
        let link = apk.with_file_name("report-link.json");
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(apk.with_file_name("elsewhere.json"), &link).unwrap();
        let error = error_of(&["scan", apk.to_str().unwrap(), "-o", link.to_str().unwrap()]);
        assert!(error.contains("symbolic link"), "{error}");
        assert!(!apk.with_file_name("elsewhere.json").exists());
    }
}
