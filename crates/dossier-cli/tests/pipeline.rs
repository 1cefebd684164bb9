//! One pipeline for every command: `scan`, `dex` and `manifest` read an input through the same
//! steps and agree on what could be read; locations are structured all the way to SARIF; finding
//! keys do not depend on where a split set keeps its members.

#[path = "../../../tests/common/mod.rs"]
mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn dossier(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dossier"))
        .args(args)
        .output()
        .expect("dossier runs")
}

fn json_of(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The reasons of a status that concern reading code: container and DEX anomalies.
fn code_reasons(status: &Value) -> BTreeSet<String> {
    status["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {} {}",
                r["code"].as_str().unwrap(),
                r["where"].as_str().unwrap(),
                r["detail"].as_str().unwrap()
            )
        })
        .filter(|r| r.starts_with("dex.") || r.starts_with("zip."))
        .collect()
}

/// `--max-entry-size 2K` refuses every DEX of the fixture: `scan` and `dex` both say the scan is
/// partial, for the same reasons, and neither pretends the input was read.
#[test]
fn scan_and_dex_agree_when_a_limit_refuses_the_code() {
    let apk = common::fixture("vidshare.apk");
    let apk = apk.to_str().unwrap();
    let limit = ["--max-entry-size", "2K"];
    let partial = dossier(&[&["scan", apk, "--format", "json"][..], &limit[..]].concat());
    // A partial scan exits 3 (findings may be missing); --allow-partial keeps 0.
    assert_eq!(partial.status.code(), Some(3));
    let allowed = dossier(
        &[
            &["scan", apk, "--format", "json", "--allow-partial"][..],
            &limit[..],
        ]
        .concat(),
    );
    assert_eq!(partial.stdout, allowed.stdout);
    let scan = json_of(&allowed);
    let dex = json_of(&dossier(
        &[&["dex", apk, "--format", "json"][..], &limit[..]].concat(),
    ));
    assert_eq!(scan["status"]["state"], "partial");
    assert_eq!(dex["status"]["state"], "partial");
    let reasons = code_reasons(&scan["status"]);
    assert!(
        reasons
            .iter()
            .any(|r| r.starts_with("dex.unreadable classes.dex")),
        "{reasons:?}"
    );
    assert_eq!(reasons, code_reasons(&dex["status"]));

    let text = dossier(&[&["scan", apk][..], &limit[..]].concat());
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Partial scan"), "{text}");
    let text = dossier(&[&["dex", apk][..], &limit[..]].concat());
    assert!(String::from_utf8_lossy(&text.stdout).starts_with("PARTIAL:"));

    // Without the limit both are complete.
    let scan = json_of(&dossier(&["scan", apk, "--format", "json"]));
    let dex = json_of(&dossier(&["dex", apk, "--format", "json"]));
    assert_eq!(scan["status"]["state"], "complete");
    assert_eq!(dex["status"]["state"], "complete");
}

/// On every corpus file the three commands agree on what could be read: the same DEX and
/// container reasons from `scan` and `dex`, and `manifest` succeeds exactly when the scan found
/// a readable manifest. The scan's summary fits one screen at every common width.
#[test]
fn corpus_commands_agree_on_what_could_be_read() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let mut files = common::corpus_files(&corpus, "apks");
    files.extend(common::corpus_files(&corpus, "dex"));
    let mut disagreements = Vec::new();
    for file in &files {
        let path = file.to_str().unwrap();
        let scan = dossier(&["scan", path, "--format", "json", "--allow-partial"]);
        if !scan.status.success() {
            // Not an Android input at all: every command refuses it.
            for command in ["dex", "manifest"] {
                if dossier(&[command, path]).status.success() {
                    disagreements.push(format!("{path}: scan fails but {command} succeeds"));
                }
            }
            continue;
        }
        let scan = json_of(&scan);
        disagreements.extend(summary_misfits(path, &scan));
        let dex = dossier(&["dex", path, "--format", "json"]);
        let has_dex = scan["anomalies"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["code"] == "dex.unreadable")
            || dex.status.success();
        if has_dex {
            let dex = json_of(&dex);
            if code_reasons(&scan["status"]) != code_reasons(&dex["status"]) {
                disagreements.push(format!(
                    "{path}: scan {:?} vs dex {:?}",
                    code_reasons(&scan["status"]),
                    code_reasons(&dex["status"])
                ));
            }
        }
        let manifest_read = scan["app"]["package"].is_string();
        let manifest = dossier(&["manifest", path, "--format", "json"]);
        if manifest.status.success() != manifest_read {
            disagreements.push(format!(
                "{path}: manifest exit {:?}, scan read a manifest: {manifest_read}",
                manifest.status.code()
            ));
        }
    }
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}

/// Where the one-screen summary of a real app breaks its promise at a common width: more lines
/// than its budget, or a line wider than the terminal.
fn summary_misfits(path: &str, scan: &serde_json::Value) -> Vec<String> {
    use unicode_width::UnicodeWidthStr;
    let report: dossier::report::Report = serde_json::from_value(scan.clone()).unwrap();
    let mut misfits = Vec::new();
    for width in [60, 80, 100, 200] {
        let options = dossier::report::TextOptions {
            color: false,
            verbose: false,
            width: Some(width),
        };
        let text = dossier::report::render_text(&report, &options);
        let lines = text.lines().count();
        if lines > dossier::report::SUMMARY_MAX_LINES {
            misfits.push(format!("{path}: {lines} summary lines at {width} columns"));
        }
        if let Some(wide) = text.lines().find(|l| l.width() > width) {
            misfits.push(format!("{path}: wider than {width}: {wide:?}"));
        }
    }
    misfits
}

/// An APK with one asset whose name holds a space, written in the test.
fn apk_with_spaced_asset(dir: &Path) -> std::path::PathBuf {
    common::apk_with_asset(
        "cleannotes.apk",
        dir,
        "spaced.apk",
        "assets/my config.json",
        br#"{"api": "https://collect.tracker-example.net/v1/events"}"#,
    )
}

/// An endpoint in `assets/my config.json` keeps its whole entry name in JSON and SARIF (1.x
/// joined locations with a space and SARIF split them again, giving artifact `assets/my`).
#[test]
fn entry_names_with_spaces_survive_to_sarif() {
    let dir = std::env::temp_dir().join(format!("dossier-spaced-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let apk = apk_with_spaced_asset(&dir);
    let apk = apk.to_str().unwrap();

    let report = json_of(&dossier(&["scan", apk, "--format", "json"]));
    let endpoint = report["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["host"] == "collect.tracker-example.net")
        .expect("the asset's endpoint");
    assert_eq!(endpoint["sources"][0]["kind"], "asset");
    assert_eq!(
        endpoint["sources"][0]["location"]["entry"],
        "assets/my config.json"
    );

    let sarif = json_of(&dossier(&["scan", apk, "--format", "sarif"]));
    let run = &sarif["runs"][0];
    let artifacts = run["artifacts"].as_array().unwrap();
    let uris: Vec<&str> = artifacts
        .iter()
        .map(|a| a["location"]["uri"].as_str().unwrap())
        .collect();
    assert!(uris.contains(&"assets/my%20config.json"), "{uris:?}");
    assert!(!uris.contains(&"assets/my"), "{uris:?}");
    let result = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "endpoint")
        .expect("an endpoint result");
    let index = result["locations"][0]["physicalLocation"]["artifactLocation"]["index"]
        .as_u64()
        .unwrap() as usize;
    assert_eq!(
        artifacts[index]["location"]["uri"],
        "assets/my%20config.json"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// The same app packed as `.apks` and as `.xapk` keeps its members under other names: every
/// finding key is the same, though member names appear in the locations.
#[test]
fn finding_keys_do_not_depend_on_member_names() {
    let scanner = dossier::Scanner::with_builtin_rules().unwrap();
    let apks = scanner
        .scan_path(&common::fixture("vidshare.apks"))
        .unwrap();
    let xapk = scanner
        .scan_path(&common::fixture("vidshare.xapk"))
        .unwrap();
    assert_ne!(apks.input.members, xapk.input.members);
    let keys = |report: &dossier::Report| -> BTreeSet<String> {
        let mut keys = BTreeSet::new();
        for c in &report.categories {
            keys.insert(c.key().0);
            keys.extend(c.evidence.iter().map(|e| e.key().0));
        }
        for call in &report.api_calls {
            keys.insert(call.key().0);
            keys.extend(call.sites.iter().map(|s| s.key().0));
        }
        keys.extend(report.trackers.iter().map(|t| t.key().0));
        keys.extend(report.endpoints.iter().map(|e| e.key().0));
        keys.extend(report.native_libs.iter().map(|l| l.key().0));
        keys.extend(report.permissions.iter().map(|p| p.key().0));
        keys
    };
    let (a, b) = (keys(&apks), keys(&xapk));
    assert!(a.len() > 100, "{}", a.len());
    assert_eq!(a, b);
    // The locations do differ: the keys are what makes them comparable.
    assert_ne!(
        serde_json::to_string(&apks.api_calls).unwrap(),
        serde_json::to_string(&xapk.api_calls).unwrap()
    );
}

/// The pipeline's facts do not depend on the rules: the same facts judged by two rule sets give
/// each its own report, and by no rules at all, no finding.
#[test]
fn facts_serve_any_rule_set() {
    let builtin = dossier::Scanner::with_builtin_rules().unwrap();
    let input = builtin.open_path(&common::fixture("vidshare.apk")).unwrap();
    let facts = builtin.facts(input);
    let full = builtin.report(&facts);
    let bare =
        dossier::Scanner::new(dossier::RuleSet::empty(), dossier::Limits::default()).report(&facts);
    assert!(!full.categories.is_empty() && !full.api_calls.is_empty());
    assert!(bare.categories.is_empty() && bare.api_calls.is_empty() && bare.trackers.is_empty());
    assert_eq!(full.input, bare.input);
    assert_eq!(full.anomalies, bare.anomalies);
    // Reading again gives the same report: facts are not consumed by a report.
    assert_eq!(builtin.report(&facts), full);
}

/// The input is read once, with a hard cap: a device whose metadata says 0 bytes is refused at
/// the limit instead of being read without end.
#[test]
fn inputs_are_read_with_a_hard_cap() {
    if !Path::new("/dev/zero").exists() {
        return;
    }
    let started = std::time::Instant::now();
    let out = dossier(&["scan", "/dev/zero", "--max-input-size", "1000"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("/dev/zero"), "{stderr}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "read far past the limit"
    );
}
