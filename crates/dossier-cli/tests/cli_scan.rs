//! `dossier scan` end to end: every data category on the vidshare fixture with the right strength
//! and collector, nothing at all on the clean decoy app, every output format valid, user rules,
//! and the real-APK corpus. Each fixture's whole JSON report is pinned in `golden.rs`.

#[path = "../../../tests/common/mod.rs"]
mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

/// Runs the binary from `fixtures/built` so that `input.path` in reports is just the file name.
fn dossier_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dossier"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("dossier runs")
}

fn built() -> std::path::PathBuf {
    common::root().join("fixtures/built")
}

fn scan(name: &str, format: &str) -> String {
    let out = dossier_in(&built(), &["scan", name, "--format", format]);
    assert!(
        out.status.success(),
        "scan {name} --format {format}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn scan_json(name: &str) -> Value {
    serde_json::from_str(&scan(name, "json")).expect("valid JSON")
}

fn category<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("category {id} not found"))
}

/// The API call of a report with this signature.
fn api_call<'a>(report: &'a Value, api: &str) -> &'a Value {
    report["api_calls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["api"] == api)
        .unwrap_or_else(|| panic!("no call of {api}"))
}

fn evidence_kinds(category: &Value) -> BTreeSet<String> {
    category["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect()
}

/// The expectation for each taxonomy category on the vidshare split set: its strength, a collector
/// that must be named, and an evidence kind that must be among its evidence.
const EXPECTED: &[(&str, &str, &str, &str)] = &[
    ("location_precise", "called", "app", "api_call"),
    ("location_approximate", "called", "app", "api_call"),
    ("location_background", "called", "app", "api_call"),
    ("contacts", "called", "app", "field_read"),
    ("call_log", "called", "app", "string"),
    ("sms", "called", "app", "api_call"),
    ("calendar", "called", "app", "field_read"),
    ("accounts", "called", "app", "api_call"),
    ("phone_number", "called", "app", "api_call"),
    ("device_ids", "called", "bytedance_applog", "string"),
    ("advertising_id", "called", "appsflyer", "api_call"),
    ("device_info", "called", "bytedance_applog", "native_import"),
    ("battery_info", "called", "pangle", "api_call"),
    ("storage_info", "called", "pangle", "api_call"),
    ("network_info", "called", "app", "native_import"),
    ("wifi_info", "called", "pangle", "api_call"),
    ("bluetooth", "called", "app", "api_call"),
    ("installed_apps", "reflective", "app", "reflection"),
    ("app_usage", "called", "app", "api_call"),
    ("clipboard", "called", "app", "api_call"),
    ("keystrokes", "called", "app", "component"),
    ("screen_content", "called", "app", "override"),
    ("camera", "called", "app", "api_call"),
    ("microphone", "called", "app", "api_call"),
    ("media_files", "called", "app", "field_read"),
    ("sensors", "called", "pangle", "api_call"),
    ("health_fitness", "called", "app", "api_call"),
    ("web_browsing", "called", "app", "api_call"),
    ("app_interactions", "called", "app", "tracker"),
    ("crash_diagnostics", "called", "sentry", "tracker"),
];

#[test]
fn every_taxonomy_category_is_found_with_its_strength_and_collector() {
    let report = scan_json("vidshare.apks");
    let taxonomy: BTreeSet<String> = dossier::rules::RuleSet::builtin()
        .unwrap()
        .categories()
        .iter()
        .map(|c| c.id.clone())
        .collect();
    let expected: BTreeSet<String> = EXPECTED.iter().map(|e| e.0.to_owned()).collect();
    assert_eq!(
        expected, taxonomy,
        "the expectation table must cover the taxonomy exactly"
    );
    let found: BTreeSet<String> = report["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(found, taxonomy);
    for (id, strength, collector, kind) in EXPECTED {
        let finding = category(&report, id);
        assert_eq!(finding["strength"], *strength, "{id}");
        let collectors: Vec<&str> = finding["collectors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert!(
            collectors.contains(collector),
            "{id}: {collector} not among {collectors:?}"
        );
        assert!(
            evidence_kinds(finding).contains(*kind),
            "{id}: no {kind} evidence in {:?}",
            evidence_kinds(finding)
        );
        assert!(
            !finding["play"].as_str().unwrap().is_empty()
                && !finding["apple"].as_str().unwrap().is_empty(),
            "{id}"
        );
        for evidence in finding["evidence"].as_array().unwrap() {
            assert!(
                !evidence["rule"].as_str().unwrap().is_empty(),
                "{id}: evidence without a rule"
            );
        }
    }
}

#[test]
fn call_sites_name_dex_class_method_and_collector() {
    let report = scan_json("vidshare.apks");
    // Camera.open in the editor split.
    let call = api_call(
        &report,
        "Landroid/hardware/Camera;->open(I)Landroid/hardware/Camera;",
    );
    assert_eq!(call["strength"], "called");
    let site = &call["sites"][0];
    let location = &site["location"];
    assert_eq!(location["member"], "splits/editor-master.apk");
    assert_eq!(location["entry"], "classes.dex");
    assert_eq!(
        location["class"],
        "Lcom/example/vidshare/editor/EditorActivity;"
    );
    assert_eq!(location["method"], "onResume");
    assert_eq!(location["proto"], "()V");
    assert_eq!(site["collector"], "app");

    let device_id = api_call(
        &report,
        "Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;",
    );
    assert_eq!(device_id["sites"][0]["collector"], "bytedance_applog");
    // A field reads as a field signature.
    assert!(
        report["api_calls"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["api"] == "Landroid/os/Build;->MODEL:Ljava/lang/String;")
    );
}

/// Who each class of vidshare belongs to. What broke: a manifest component under
/// `com.facebook.` made every `com.facebook` package the app's own code; two-letter packages
/// such as `de.` were called obfuscated; a permission made "the app" a collector of categories
/// only SDK code collects.
#[test]
fn attribution_holds_on_the_vidshare_fixture() {
    let report = scan_json("vidshare.apks");
    let model = api_call(&report, "Landroid/os/Build;->MODEL:Ljava/lang/String;");
    let by_class: BTreeMap<&str, &str> = model["sites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["location"]["class"].as_str().unwrap(),
                s["collector"].as_str().unwrap(),
            )
        })
        .collect();
    for (class, collector) in [
        // An SDK package in the namespace of an SDK activity the manifest declares
        // (`com.facebook.FacebookActivity`) is the SDK's, not the app's.
        ("Lcom/facebook/internal/Utility;", "other:com.facebook"),
        // A library whose activity the manifest declares keeps its name.
        (
            "Lcom/journeyapps/barcodescanner/camera/CameraConfigurationUtils;",
            "zxing_android_embedded",
        ),
        // A real package behind a two-letter country code: unidentified, not obfuscated.
        ("Lde/vidtools/metrics/Beacon;", "other:de.vidtools"),
        ("La/b/C;", "obfuscated"),
    ] {
        assert_eq!(
            by_class.get(class),
            Some(&collector),
            "{class}: {by_class:?}"
        );
    }
    let kinds: BTreeMap<&str, &str> = report["collectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap(), c["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(kinds["app"], "app");
    assert_eq!(kinds["other:de.vidtools"], "unidentified");
    assert_eq!(kinds["obfuscated"], "unidentified");
    assert_eq!(kinds["zxing_android_embedded"], "library");

    // The app requests READ_PHONE_STATE, but only SDK code reads device ids: the permission
    // names no collector, and the app is no collector of the category.
    let device_ids = category(&report, "device_ids");
    assert_eq!(device_ids["strength"], "called");
    let collectors: Vec<&str> = device_ids["collectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(!collectors.contains(&"app"), "{collectors:?}");
    assert!(collectors.contains(&"bytedance_applog"), "{collectors:?}");
    let permission = device_ids["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "permission")
        .expect("a permission among the device_ids evidence");
    assert!(permission["collector"].is_null(), "{permission}");
}

#[test]
fn one_apk_without_its_splits_only_declares_the_camera() {
    // The camera code lives in the editor split: the base APK alone only asks for the permission.
    let report = scan_json("vidshare.apk");
    let camera = category(&report, "camera");
    assert_eq!(camera["strength"], "declared");
    assert_eq!(
        evidence_kinds(camera),
        BTreeSet::from(["permission".to_owned()])
    );
    // A permission names no collector: the category is the manifest's only.
    assert_eq!(camera["collectors"], serde_json::json!([]));
}

#[test]
fn trackers_and_endpoints_with_owners_and_countries() {
    let report = scan_json("vidshare.apks");
    let trackers: BTreeMap<String, &Value> = report["trackers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["id"].as_str().unwrap().to_owned(), t))
        .collect();
    for id in [
        "appsflyer",
        "bytedance_applog",
        "facebook_analytics",
        "google_admob",
        "google_firebase_analytics",
        "pangle",
        "sentry",
    ] {
        let tracker = trackers
            .get(id)
            .unwrap_or_else(|| panic!("tracker {id} missing: {:?}", trackers.keys()));
        assert!(
            !tracker["evidence"].as_array().unwrap().is_empty(),
            "{id} without evidence"
        );
    }
    assert_eq!(trackers.len(), 7, "{:?}", trackers.keys());
    assert_eq!(trackers["pangle"]["country"], "CN");
    assert_eq!(trackers["bytedance_applog"]["class_count"], 1);
    // AdMob is known only from its manifest key: declared evidence, no classes.
    assert_eq!(trackers["google_admob"]["class_count"], 0);
    assert_eq!(trackers["google_admob"]["evidence"][0]["kind"], "meta_data");

    let endpoints: BTreeMap<String, &Value> = report["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["url"].as_str().unwrap().to_owned(), e))
        .collect();
    let expect = [
        (
            "https://log.byteoversea.com/service/2/app_log/",
            Some("CN"),
            "dex",
        ),
        (
            "https://api16-access-sg.pangle.io/api/ad/union/sdk/get_ads/",
            Some("CN"),
            "dex",
        ),
        ("https://graph.facebook.com/v16.0/", Some("US"), "dex"),
        (
            "https://launches.appsflyer.com/api/v6.9/androidevent?app_id=",
            Some("US"),
            "dex",
        ),
        ("https://o0.ingest.sentry.io/0", Some("US"), "manifest"),
        ("https://api.vidshare.example.com/v2/", None, "resource"),
        ("api.vidshare.example.com", None, "resource"),
        (
            "https://feed.vidshare.example.com/api/v1/recommend",
            None,
            "asset",
        ),
        (
            "https://mon.vidshare-metrics.example.net/collect",
            None,
            "native",
        ),
    ];
    for (url, country, kind) in expect {
        let endpoint = endpoints
            .get(url)
            .unwrap_or_else(|| panic!("{url} missing: {:?}", endpoints.keys()));
        assert_eq!(endpoint["country"].as_str(), country, "{url}");
        assert!(
            endpoint["sources"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["kind"] == kind),
            "{url}: no {kind} source"
        );
    }
    assert_eq!(
        endpoints.len(),
        expect.len(),
        "unexpected endpoints: {:?}",
        endpoints.keys()
    );
    let applog = endpoints["https://log.byteoversea.com/service/2/app_log/"];
    assert_eq!(applog["trackers"], serde_json::json!(["bytedance_applog"]));
    assert_eq!(applog["sources"][0]["collector"], "bytedance_applog");
}

#[test]
fn the_clean_app_has_no_finding_at_all() {
    let report = scan_json("cleannotes.apk");
    for key in [
        "permissions",
        "categories",
        "api_calls",
        "trackers",
        "endpoints",
        "native_libs",
        "anomalies",
    ] {
        assert_eq!(report[key], serde_json::json!([]), "{key} should be empty");
    }
    assert_eq!(report["app"]["package"], "com.example.cleannotes");
}

#[test]
fn split_set_flavours_agree_and_reports_are_deterministic() {
    let apks = scan_json("vidshare.apks");
    let xapk = scan_json("vidshare.xapk");
    assert_eq!(
        apks["categories"].as_array().unwrap().len(),
        xapk["categories"].as_array().unwrap().len()
    );
    for (a, b) in apks["categories"]
        .as_array()
        .unwrap()
        .iter()
        .zip(xapk["categories"].as_array().unwrap())
    {
        assert_eq!(
            (&a["id"], &a["strength"], &a["collectors"]),
            (&b["id"], &b["strength"], &b["collectors"])
        );
    }
    let tracker_counts = |report: &Value| -> Vec<(String, u64)> {
        report["trackers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["id"].as_str().unwrap().to_owned(),
                    t["class_count"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(tracker_counts(&apks), tracker_counts(&xapk));
    assert_eq!(scan("vidshare.apks", "json"), scan("vidshare.apks", "json"));
    assert_eq!(apks["input"]["members"][0], "splits/base-master.apk");
}

#[test]
fn json_and_sarif_validate_against_their_schemas() {
    let report_schema = common::load_json("docs/report.schema.json");
    let sarif_schema = common::official_sarif_schema();
    for name in ["vidshare.apks", "vidshare.apk", "cleannotes.apk"] {
        let report = scan_json(name);
        let problems = common::schema_errors(&report_schema, &report);
        assert!(problems.is_empty(), "{name}: {problems:#?}");
        let sarif: Value = serde_json::from_str(&scan(name, "sarif")).unwrap();
        let problems = common::schema_errors(&sarif_schema, &sarif);
        assert!(problems.is_empty(), "{name}: {problems:#?}");
    }
    let sarif: Value = serde_json::from_str(&scan("vidshare.apks", "sarif")).unwrap();
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let camera_rule = rules
        .iter()
        .find(|r| r["id"] == "camera_capture")
        .expect("camera rule described");
    assert!(
        !camera_rule["fullDescription"]["text"]
            .as_str()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn text_markdown_and_html_render_the_same_findings() {
    let text = scan("vidshare.apks", "text");
    assert!(!text.contains('\u{1b}'), "no colour when not on a terminal");
    for needle in [
        "VidShare",
        "com.example.vidshare",
        "location_precise",
        "Pangle",
        "ByteDance (CN)",
        "api16-access-sg.pangle.io",
    ] {
        assert!(text.contains(needle), "text lacks {needle}");
    }
    let markdown = scan("vidshare.apks", "md");
    assert!(markdown.contains("location_precise") && markdown.contains("Pangle"));
    let html = scan("vidshare.apks", "html");
    assert!(html.starts_with("<!DOCTYPE html>") || html.starts_with("<!doctype html>"));
    assert!(html.contains("location_precise") && html.contains("Pangle"));
    let verbose = dossier_in(&built(), &["scan", "vidshare.apks", "--verbose"]);
    let verbose = String::from_utf8(verbose.stdout).unwrap();
    assert!(
        verbose.contains("EditorActivity"),
        "--verbose lists call sites"
    );
    assert!(verbose.len() > text.len());
}

#[test]
fn user_rules_add_a_tracker_and_bad_rules_are_located() {
    let dir = std::env::temp_dir().join(format!("dossier-rules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("mine.toml"),
        r#"[[tracker]]
id = "vidshare_inhouse_analytics"
name = "VidShare in-house analytics"
categories = ["app_interactions"]
code = ["com.example.vidshare.analytics."]
doc = { what = "The app's own analytics package.", why = "It reports screens.", example = "com.example.vidshare.analytics.Events", references = ["https://example.com/"] }
"#,
    )
    .unwrap();
    let out = dossier_in(
        &built(),
        &[
            "scan",
            "vidshare.apk",
            "--format",
            "json",
            "--rules",
            dir.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        report["trackers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == "vidshare_inhouse_analytics")
    );
    let builtin_digest = scan_json("vidshare.apk")["tool"]["rules_digest"].clone();
    assert_ne!(report["tool"]["rules_digest"], builtin_digest);

    let out = dossier_in(&built(), &["rules", "check", dir.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    std::fs::write(
        dir.join("broken.toml"),
        "[[tracker]]\nid = \"Not Snake\"\nname = 3\n",
    )
    .unwrap();
    let out = dossier_in(&built(), &["rules", "check", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("broken.toml:"),
        "errors name the file and position: {stderr}"
    );
    let out = dossier_in(
        &built(),
        &["scan", "vidshare.apk", "--rules", dir.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).ok();

    let out = dossier_in(&built(), &["rules", "list"]);
    let listing = String::from_utf8_lossy(&out.stdout);
    assert!(listing.contains("camera_capture") && listing.contains("pangle"));
}

#[test]
fn scan_errors_exit_with_two_and_name_the_file() {
    let out = dossier_in(&built(), &["scan", "no-such-file.apk"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-file.apk"));

    // An input above --max-input-size is refused before it is read, naming the file and the limit.
    let out = dossier_in(
        &built(),
        &["scan", "vidshare.apk", "--max-input-size", "1K"],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("vidshare.apk") && stderr.contains("max_input_size"),
        "{stderr}"
    );
}

/// Every real input — the fetched corpus and, when it is beside the repository, the SDK apps of
/// `../shared/corpus/sdk-apps` — scans and renders in every format without a panic. Real apps
/// carry text no fixture thought of: `spyphone-mondow-14.0.0.apk` has `https://…/để`, which once
/// panicked the not-endpoint check (exit 101).
#[test]
fn corpus_every_input_scans_without_failure() {
    let mut files = Vec::new();
    if let Some(corpus) = common::corpus() {
        files.extend(common::corpus_files(&corpus, "apks"));
        files.extend(common::corpus_files(&corpus, "dex"));
    }
    files.extend(common::sdk_apps());
    let scanner = dossier::Scanner::with_builtin_rules().unwrap();
    let mut failures = Vec::new();
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        match scanner.scan_path(file) {
            Ok(report) => {
                render_every_format(&report);
                // Every finding carries evidence.
                for category in &report.categories {
                    assert!(
                        !category.evidence.is_empty(),
                        "{name}: {} without evidence",
                        category.id
                    );
                }
                for tracker in &report.trackers {
                    assert!(
                        !tracker.evidence.is_empty(),
                        "{name}: {} without evidence",
                        tracker.id
                    );
                }
            }
            Err(err) => failures.push(format!("{name}: {err}")),
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// URLs with CJK, Vietnamese, emoji, right-to-left and zero-width text right after them, in an
/// asset whose own name is not ASCII, through the binary in every format: each exits normally
/// (it exited 101 on `https://…/để`, cut inside `đ` by the not-endpoint check) and names the
/// endpoints.
#[test]
fn urls_next_to_non_ascii_text_scan_in_every_format() {
    let tails = [
        "để đăng ký",
        "上注册",
        "accounts。）",
        "😀👨\u{200d}👩",
        "\u{202e}مرحبا",
        "\u{200b}\u{feff}",
    ];
    let mut asset = String::new();
    for n in 0..40 {
        for tail in tails {
            let tail: String = tail.chars().cycle().take(n).collect();
            asset.push_str(&format!("https://www.spappmonitoring.com/{tail}\n"));
            asset.push_str(&format!("{tail} https://api{n}.example.com/v1/{tail}\n"));
            asset.push_str(&format!(
                "http://www.w3.org/{tail} https://d.android.com/{tail}\n"
            ));
        }
    }
    let dir = std::env::temp_dir().join(format!("dossier-unicode-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let apk = common::apk_with_asset(
        "vidshare.apk",
        &dir,
        "unicode.apk",
        "assets/上注册 để.txt",
        asset.as_bytes(),
    );
    let apk = apk.to_str().unwrap();
    for args in [
        &["--format", "text"][..],
        &["--format", "text", "--verbose"],
        &["--format", "json"],
        &["--format", "sarif"],
        &["--format", "md"],
        &["--format", "html"],
    ] {
        let out = dossier_in(&dir, &[&["scan", apk][..], args].concat());
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8(out.stdout).expect("UTF-8 output");
        // The summary, Markdown and HTML show a few endpoints per owner; these list them all.
        let complete =
            args.contains(&"--verbose") || args.contains(&"json") || args.contains(&"sarif");
        assert!(
            !complete || stdout.contains("spappmonitoring.com"),
            "{args:?}"
        );
    }
    let json = dossier_in(&dir, &["scan", apk, "--format", "json"]).stdout;
    let report: Value = serde_json::from_slice(&json).expect("valid JSON");
    let hosts: BTreeSet<&str> = report["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["host"].as_str())
        .collect();
    assert!(hosts.contains("www.spappmonitoring.com") && hosts.contains("api39.example.com"));
    assert!(!hosts.contains("www.w3.org") && !hosts.contains("d.android.com"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every output format of `dossier scan`, summary and verbose text included; a renderer that
/// panics fails the test.
fn render_every_format(report: &dossier::Report) {
    use dossier::report::{self, TextOptions};
    for verbose in [false, true] {
        let text = report::render_text(
            report,
            &TextOptions {
                color: !verbose,
                verbose,
                width: None,
            },
        );
        assert!(!text.is_empty());
    }
    let json: Value = serde_json::from_str(&report::render_json(report)).expect("JSON parses");
    assert!(json.is_object());
    let docs = BTreeMap::<String, report::RuleDocText>::new();
    let sarif: Value = serde_json::from_str(&report::render_sarif(report, &docs)).expect("SARIF");
    assert!(sarif.is_object());
    assert!(!report::render_markdown(report).is_empty());
    assert!(!report::render_html(report).is_empty());
}

/// The whole pipeline on damaged copies of the fixture: every outcome is a report or a typed
/// error, never a panic. Mutations come from a fixed-seed xorshift so failures reproduce.
#[test]
fn damaged_apks_never_panic_the_whole_scan() {
    let original = std::fs::read(common::fixture("vidshare.apk")).unwrap();
    let scanner = dossier::Scanner::with_builtin_rules().unwrap();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let (mut reports, mut errors) = (0, 0);
    for round in 0..300 {
        let mut bytes = original.clone();
        match round % 3 {
            0 => bytes.truncate((next() % bytes.len() as u64) as usize),
            1 => {
                for _ in 0..(1 + next() % 8) {
                    let at = (next() % bytes.len() as u64) as usize;
                    bytes[at] = next() as u8;
                }
            }
            _ => {
                // Overwrite a 4-byte word with an extreme count or offset.
                let at = (next() % (bytes.len() as u64 - 4)) as usize;
                let value = [u32::MAX, 0x7fff_ffff, 0x8000_0000, 0][(next() % 4) as usize];
                bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
            }
        }
        let outcome = scanner
            .open_bytes(bytes, &format!("round-{round}.apk"))
            .map(|input| scanner.facts(input));
        match outcome {
            Ok(facts) => {
                let report = scanner.report(&facts);
                let _ = dossier::report::render_text(&report, &Default::default());
                reports += 1;
            }
            Err(_) => errors += 1,
        }
    }
    assert_eq!(reports + errors, 300);
    assert!(
        reports > 100,
        "most damaged copies should still give a report ({reports})"
    );
}

/// Permission-aware notes: target-SDK rules that apply to this app, calls that need a permission
/// the app does not request, and silence where the app does hold what a rule asks for.
#[test]
fn notes_follow_target_sdk_and_permissions() {
    let report = scan_json("vidshare.apks");
    let notes = |id: &str| -> Vec<String> {
        category(&report, id)["notes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap().to_owned())
            .collect()
    };
    // targetSdk 30: IMEI and friends need a privileged permission from API 29.
    assert!(
        notes("device_ids")
            .iter()
            .any(|n| n.starts_with("telephony_hardware_ids:")),
        "{:?}",
        notes("device_ids")
    );
    // The app declares AD_ID, and its accessibility service is guarded by BIND_ACCESSIBILITY_SERVICE.
    assert!(
        notes("advertising_id").is_empty(),
        "{:?}",
        notes("advertising_id")
    );
    assert!(notes("keystrokes").is_empty(), "{:?}", notes("keystrokes"));

    // A user rule that needs a permission vidshare does not request.
    let dir = std::env::temp_dir().join(format!("dossier-notes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("extra.toml"),
        r#"[[api]]
id = "clipboard_needs_precise_state"
categories = ["clipboard"]
methods = ["Landroid/content/ClipboardManager;->getPrimaryClip"]
permissions = ["android.permission.READ_PRECISE_PHONE_STATE"]
doc = { what = "A test rule.", why = "It needs a permission the fixture lacks.", example = "getPrimaryClip", references = ["https://example.com/"] }
"#,
    )
    .unwrap();
    let out = dossier_in(
        &built(),
        &[
            "scan",
            "vidshare.apks",
            "--format",
            "json",
            "--rules",
            dir.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let call = report["api_calls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule"] == "clipboard_needs_precise_state")
        .expect("the user rule matched");
    assert_eq!(
        call["missing_permissions"],
        serde_json::json!(["android.permission.READ_PRECISE_PHONE_STATE"])
    );
    let clipboard_notes = category(&report, "clipboard")["notes"]
        .as_array()
        .unwrap()
        .clone();
    assert!(
        clipboard_notes
            .iter()
            .any(|n| n.as_str().unwrap().contains("READ_PRECISE_PHONE_STATE"))
    );
    std::fs::remove_dir_all(&dir).ok();
}
