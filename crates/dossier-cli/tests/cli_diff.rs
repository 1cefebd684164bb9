//! `dossier diff` end to end: saved reports diff exactly like the apps they were made from, the
//! output is deterministic, a version diffed with itself says "No change.", `--fail-on` exits 1
//! only when met, different apps are refused (exit 2) unless asked, and a timeline is ordered by
//! version code whatever order it is given in. The semantics are pinned in `tests/diff.rs`.

#[path = "../../../tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn dossier(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dossier"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("dossier runs")
}

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A scratch directory under the target directory, emptied first.
fn scratch(name: &str) -> PathBuf {
    let dir = common::root().join("target/tmp").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn save_report(app: &Path, to: &Path) {
    let out = dossier(&[
        "scan",
        app.to_str().unwrap(),
        "--format",
        "json",
        "-o",
        to.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The appium-settings versions of the corpus, oldest first; None without the corpus.
fn appium_versions() -> Option<Vec<PathBuf>> {
    let dir = common::corpus()?;
    let files: Vec<PathBuf> = ["3.6.0", "5.14.15", "8.0.10"]
        .iter()
        .map(|v| dir.join("apks").join(format!("appium-settings-{v}.apk")))
        .collect();
    files.iter().all(|f| f.is_file()).then_some(files)
}

#[test]
fn saved_reports_diff_byte_for_byte_like_the_apps() {
    let Some(versions) = appium_versions() else {
        return;
    };
    let dir = scratch("cli-diff-saved");
    let old_json = dir.join("old.json");
    let new_json = dir.join("new.json");
    save_report(&versions[1], &old_json);
    save_report(&versions[2], &new_json);
    for format in ["json", "text", "md", "sarif", "html"] {
        let apps = dossier(&[
            "diff",
            versions[1].to_str().unwrap(),
            versions[2].to_str().unwrap(),
            "--format",
            format,
        ]);
        let saved = dossier(&[
            "diff",
            old_json.to_str().unwrap(),
            new_json.to_str().unwrap(),
            "--format",
            format,
        ]);
        let mixed = dossier(&[
            "diff",
            old_json.to_str().unwrap(),
            versions[2].to_str().unwrap(),
            "--format",
            format,
        ]);
        assert!(apps.status.success() && saved.status.success() && mixed.status.success());
        assert_eq!(text(&apps), text(&saved), "format {format}");
        assert_eq!(text(&apps), text(&mixed), "format {format}");
        // Deterministic: a second run gives the same bytes.
        let again = dossier(&[
            "diff",
            versions[1].to_str().unwrap(),
            versions[2].to_str().unwrap(),
            "--format",
            format,
        ]);
        assert_eq!(text(&apps), text(&again), "format {format}");
    }
    let json: serde_json::Value = serde_json::from_str(&text(&dossier(&[
        "diff",
        old_json.to_str().unwrap(),
        new_json.to_str().unwrap(),
        "--format",
        "json",
    ])))
    .unwrap();
    assert_eq!(json["schema_version"], "1.0");
    assert_eq!(json["old"]["version_name"], "5.14.15");
    assert_eq!(json["new"]["version_name"], "8.0.10");
    for key in [
        "permissions",
        "trackers",
        "endpoints",
        "api_calls",
        "native_libs",
        "components",
        "anomalies",
    ] {
        assert!(
            json[key]["added"].is_array() && json[key]["removed"].is_array(),
            "{key}"
        );
    }
    assert!(json["categories"]["changed"].is_array());
}

#[test]
fn a_version_against_itself_is_no_change_and_meets_no_gate() {
    let app = common::fixture("vidshare.apks");
    let out = dossier(&[
        "diff",
        app.to_str().unwrap(),
        app.to_str().unwrap(),
        "--fail-on",
        "new-category,stronger-verdict,new-tracker,new-permission,new-dangerous-permission,new-endpoint-country,new-endpoint,new-exported-component",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text(&out).contains("No change."), "{}", text(&out));
}

#[test]
fn gates_exit_1_only_when_met() {
    let Some(versions) = appium_versions() else {
        return;
    };
    let (old, new) = (versions[0].to_str().unwrap(), versions[2].to_str().unwrap());
    // 3.6.0 → 8.0.10 adds RECORD_AUDIO (dangerous) and no tracker.
    let met = dossier(&["diff", old, new, "--fail-on", "new-dangerous-permission"]);
    assert_eq!(met.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&met.stderr);
    assert!(stderr.contains("RECORD_AUDIO"), "{stderr}");
    let clean = dossier(&["diff", old, new, "--fail-on", "new-tracker"]);
    assert_eq!(
        clean.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&clean.stderr)
    );
    let unknown = dossier(&["diff", old, new, "--fail-on", "new-moon"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("unknown --fail-on condition 'new-moon'")
    );
}

#[test]
fn different_apps_are_refused_unless_asked() {
    let a = common::fixture("vidshare.apk");
    let b = common::fixture("cleannotes.apk");
    let refused = dossier(&["diff", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("different apps"), "{stderr}");
    let allowed = dossier(&[
        "diff",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--allow-different-package",
        "--format",
        "json",
    ]);
    assert_eq!(allowed.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_str(&text(&allowed)).unwrap();
    assert!(
        json["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().starts_with("different packages"))
    );
}

#[test]
fn a_timeline_is_ordered_by_version_code() {
    let Some(versions) = appium_versions() else {
        return;
    };
    let given = [&versions[2], &versions[0], &versions[1]];
    let args: Vec<&str> = given.iter().map(|p| p.to_str().unwrap()).collect();
    let out = dossier(&[&["diff"], args.as_slice(), &["--format", "json"]].concat());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_str(&text(&out)).unwrap();
    let names: Vec<&str> = json["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["3.6.0", "5.14.15", "8.0.10"]);
    assert_eq!(json["reordered"], true);
    assert_eq!(json["steps"].as_array().unwrap().len(), 2);
    // Screen content arrives with 5.14.15 (MediaProjection recording).
    let row = json["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "screen_content")
        .expect("a screen_content row");
    assert_eq!(row["cells"][0], serde_json::Value::Null);
    assert_eq!(row["cells"][1], "collected");
    let plain = dossier(&[&["diff"], args.as_slice()].concat());
    assert!(text(&plain).contains("ordered by version code, not as given"));
    // SARIF compares two versions only.
    let sarif = dossier(&[&["diff"], args.as_slice(), &["--format", "sarif"]].concat());
    assert_eq!(sarif.status.code(), Some(2));
}

#[test]
fn a_json_file_that_is_no_report_is_refused_with_its_name() {
    let dir = scratch("cli-diff-notreport");
    let fake = dir.join("package.json");
    std::fs::write(&fake, "{\"name\": \"left-pad\"}").unwrap();
    let app = common::fixture("vidshare.apk");
    let out = dossier(&["diff", fake.to_str().unwrap(), app.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("package.json") && stderr.contains("not a report"),
        "{stderr}"
    );
}
