//! The conventions people expect of a command-line tool: shell completions and man pages generated
//! from the same definition as `--help`, `--color`, `-q`, defaults shown in `--help`, and options
//! that would do nothing refused rather than ignored.

#[path = "../../../tests/common/mod.rs"]
mod common;

use std::process::Output;

fn dossier(args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_dossier"))
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("dossier runs")
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn completions_cover_every_command_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = stdout(&dossier(&["completions", shell]));
        for command in ["scan", "diff", "batch", "manifest", "dex", "rules"] {
            assert!(script.contains(command), "{shell}: {command} missing");
        }
        assert!(
            !script.contains("batch-worker"),
            "{shell}: a batch worker command shows"
        );
    }
}

#[test]
fn man_pages_come_from_the_command_definition() {
    let page = stdout(&dossier(&["manpage"]));
    assert!(page.contains(".TH dossier 1"), "{page}");
    assert!(page.contains("scan"), "{page}");
    let dir = common::root().join("target/tmp/man");
    let _ = std::fs::remove_dir_all(&dir);
    stdout(&dossier(&["manpage", "--dir", dir.to_str().unwrap()]));
    for name in [
        "dossier.1",
        "dossier-scan.1",
        "dossier-batch.1",
        "dossier-diff.1",
    ] {
        let page = std::fs::read_to_string(dir.join(name)).unwrap();
        assert!(page.starts_with(".ie") || page.contains(".TH"), "{name}");
    }
    let scan = std::fs::read_to_string(dir.join("dossier-scan.1")).unwrap();
    assert!(scan.contains("allow\\-partial"), "{scan}");
    assert!(!dir.join("dossier-batch-worker.1").exists());
}

#[test]
fn color_follows_the_flag_and_the_terminal() {
    let apk = common::fixture("vidshare.apks");
    let apk = apk.to_str().unwrap();
    let always = stdout(&dossier(&["scan", apk, "--color", "always"]));
    assert!(always.contains("\u{1b}["), "no colour with --color always");
    let never = stdout(&dossier(&["--color", "never", "scan", apk]));
    assert!(!never.contains('\u{1b}'));
    // Not a terminal here: auto means none.
    let auto = stdout(&dossier(&["scan", apk]));
    assert!(!auto.contains('\u{1b}'));
    assert_eq!(auto, never);
}

#[test]
fn quiet_batch_writes_nothing_to_stderr() {
    let apk = common::fixture("beacon.apk");
    let out = dossier(&["batch", "-q", apk.to_str().unwrap()]);
    assert!(out.status.success());
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
    let loud = dossier(&["batch", apk.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&loud.stderr).contains("1 ok"));
}

#[test]
fn help_shows_the_defaults_of_the_limits() {
    let help = stdout(&dossier(&["scan", "--help"]));
    for default in [
        "[default: 4G]",
        "[default: 1G]",
        "[default: 8G]",
        "[default: 400]",
    ] {
        assert!(help.contains(default), "{default} missing from scan --help");
    }
}

#[test]
fn verbose_is_refused_where_it_would_change_nothing() {
    let apk = common::fixture("beacon.apk");
    let out = dossier(&["scan", apk.to_str().unwrap(), "--format", "json", "-v"]);
    assert_eq!(out.status.code(), Some(2));
    let error = String::from_utf8_lossy(&out.stderr);
    assert!(
        error.contains("--verbose changes the text summary only"),
        "{error}"
    );
}

#[test]
fn the_report_names_the_input_in_the_style_asked() {
    let root = common::root().canonicalize().unwrap();
    let absolute = root.join("fixtures/built/beacon.apk");
    let path_in = |style: &str, typed: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_dossier"))
            .current_dir(&root)
            .args(["scan", typed, "--format", "json", "--path-style", style])
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&stdout(&out).into_bytes()).unwrap();
        report["input"]["path"].as_str().unwrap().to_owned()
    };
    let typed = "fixtures/built/beacon.apk";
    assert_eq!(path_in("typed", typed), typed);
    assert_eq!(path_in("name", typed), "beacon.apk");
    assert_eq!(path_in("full", typed), absolute.display().to_string());
    assert_eq!(path_in("relative", absolute.to_str().unwrap()), typed);
    assert_eq!(
        path_in("typed", absolute.to_str().unwrap()),
        absolute.display().to_string()
    );
}
