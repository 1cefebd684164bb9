//! `dossier manifest` end to end: the binary on the fixtures, on tampered copies, on bad inputs,
//! and on the real-APK corpus against aapt.

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

fn manifest_json(path: &Path) -> Value {
    let out = dossier(&["manifest", path.to_str().unwrap(), "--format", "json"]);
    assert!(
        out.status.success(),
        "dossier manifest {} failed: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

fn strings(value: &Value, key: &str) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item[key].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn vidshare_json_has_the_contract_keys_and_values() {
    let json = manifest_json(&common::fixture("vidshare.apk"));
    for key in [
        "package",
        "version_code",
        "version_name",
        "min_sdk",
        "target_sdk",
        "permissions",
        "components",
        "meta_data",
        "queries",
        "anomalies",
    ] {
        assert!(json.get(key).is_some(), "missing key {key}");
    }
    assert_eq!(json["package"], "com.example.vidshare");
    assert_eq!(json["version_code"], 30201);
    assert_eq!(json["version_name"], "3.2.1");
    assert_eq!(json["min_sdk"], 21);
    assert_eq!(json["target_sdk"], 30);
    assert_eq!(json["input_kind"], "apk");

    let permissions = json["permissions"].as_array().unwrap();
    let find = |name: &str| {
        permissions
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    assert_eq!(
        find("android.permission.READ_EXTERNAL_STORAGE")["max_sdk"],
        32
    );
    assert_eq!(find("android.permission.CAMERA")["max_sdk"], Value::Null);
    assert_eq!(find("android.permission.USE_FINGERPRINT")["sdk23"], true);
    assert_eq!(find("android.permission.CHANGE_WIFI_STATE")["max_sdk"], 30);
    assert_eq!(permissions.len(), 32);

    let components = json["components"].as_array().unwrap();
    let kinds: BTreeSet<&str> = components
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        BTreeSet::from([
            "activity",
            "activity-alias",
            "provider",
            "receiver",
            "service"
        ])
    );
    let component = |name: &str| {
        components
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    // targetSdk 30: an intent filter without android:exported makes a component exported.
    let main = component("com.example.vidshare.MainActivity");
    assert_eq!(main["exported"], true);
    assert_eq!(main["exported_reason"], "intent_filter");
    assert_eq!(
        component("com.example.vidshare.feed.FeedActivity")["exported"],
        false
    );
    assert_eq!(
        component("com.example.vidshare.push.BootReceiver")["exported"],
        true
    );
    assert_eq!(
        component("com.example.vidshare.a11y.GestureService")["permission"],
        "android.permission.BIND_ACCESSIBILITY_SERVICE"
    );

    let meta = json["meta_data"].as_array().unwrap();
    let value_of = |name: &str| meta.iter().find(|m| m["name"] == name).unwrap()["value"].clone();
    assert_eq!(
        value_of("com.facebook.sdk.ApplicationId"),
        "1234567890123456"
    );
    assert_eq!(value_of("firebase_analytics_collection_enabled"), "true");
    assert_eq!(value_of("com.example.vidshare.BUILD_NUMBER"), "4242");

    assert_eq!(
        json["queries"]["packages"],
        serde_json::json!(["com.instagram.android", "com.whatsapp"])
    );
    assert_eq!(json["application"]["label"], "VidShare");
    assert_eq!(json["anomalies"], serde_json::json!([]));
}

#[test]
fn xml_output_is_the_decoded_manifest() {
    let out = dossier(&[
        "manifest",
        common::fixture("vidshare.apk").to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("<?xml"));
    assert!(text.contains(r#"<activity-alias android:name=".LauncherAlias""#));
    assert!(text.contains(r#"android:label="@string/app_name""#));
}

#[test]
fn split_sets_give_the_base_manifest_and_list_the_splits() {
    for name in ["vidshare.apks", "vidshare.xapk"] {
        let json = manifest_json(&common::fixture(name));
        assert_eq!(json["input_kind"], "split_set", "{name}");
        assert_eq!(json["package"], "com.example.vidshare", "{name}");
        assert_eq!(
            json["split"],
            Value::Null,
            "{name}: the base has no split name"
        );
        let splits: Vec<Value> = json["splits"].as_array().unwrap().clone();
        let names: BTreeSet<String> = splits
            .iter()
            .filter_map(|s| s["split"].as_str().map(str::to_owned))
            .collect();
        assert_eq!(
            names,
            BTreeSet::from(["config.x86_64".to_owned(), "editor".to_owned()]),
            "{name}"
        );
        assert_eq!(splits[0]["split"], Value::Null, "{name}: base listed first");
    }
}

#[test]
fn output_file_and_errors_with_exit_code_two() {
    let dir = std::env::temp_dir().join(format!("dossier-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out_file = dir.join("m.json");
    let out = dossier(&[
        "manifest",
        common::fixture("cleannotes.apk").to_str().unwrap(),
        "--format",
        "json",
        "-o",
        out_file.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
    let written: Value = serde_json::from_slice(&std::fs::read(&out_file).unwrap()).unwrap();
    assert_eq!(written["package"], "com.example.cleannotes");

    let missing = dir.join("no-such.apk");
    let out = dossier(&["manifest", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such.apk"));

    let text_file = dir.join("notes.txt");
    std::fs::write(&text_file, "just some text, not an app").unwrap();
    let out = dossier(&["manifest", text_file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("notes.txt"));

    // A bare DEX has code but no manifest: a clear error, not an empty manifest.
    let dex_file = common::root().join("fixtures/dex/refs.dex");
    let out = dossier(&["manifest", dex_file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no AndroidManifest.xml"));
    std::fs::remove_dir_all(&dir).ok();
}

/// Sets general-purpose bit 0 (encryption) on every central directory record, as malware does to
/// break zip libraries; Android ignores the bit.
fn with_fake_encryption(mut apk: Vec<u8>) -> Vec<u8> {
    let mut at = 0;
    while let Some(pos) = apk[at..].windows(4).position(|w| w == b"PK\x01\x02") {
        let record = at + pos;
        apk[record + 8] |= 1;
        at = record + 4;
    }
    apk
}

#[test]
fn tampered_apk_still_decodes_with_the_anomaly_reported() {
    let apk = std::fs::read(common::fixture("vidshare.apk")).unwrap();
    let dir = std::env::temp_dir().join(format!("dossier-tamper-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("tampered.bin");
    std::fs::write(&path, with_fake_encryption(apk)).unwrap();
    let json = manifest_json(&path);
    assert_eq!(json["package"], "com.example.vidshare");
    let codes = strings(&json["anomalies"], "code");
    assert!(
        codes.contains(&"zip.encryption_flag".to_owned()),
        "{codes:?}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// `aapt dump permissions` lines: `uses-permission: name='X'` and `uses-permission-sdk-23: name='X'`.
fn aapt_permissions(apk: &Path) -> Option<BTreeSet<String>> {
    let out = Command::new("aapt")
        .args(["dump", "permissions"])
        .arg(apk)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut names = BTreeSet::new();
    for line in text.lines() {
        if let Some(rest) = line
            .strip_prefix("uses-permission: name='")
            .or_else(|| line.strip_prefix("uses-permission-sdk-23: name='"))
        {
            names.insert(rest.split('\'').next().unwrap_or_default().to_owned());
        }
    }
    Some(names)
}

#[test]
fn corpus_every_apk_decodes_and_permissions_match_aapt() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let have_aapt = common::have_tool("aapt");
    let mut compared = 0;
    let mut refused_by_aapt = Vec::new();
    for apk in common::corpus_files(&corpus, "apks") {
        let out = dossier(&["manifest", apk.to_str().unwrap(), "--format", "json"]);
        let name = apk.file_name().unwrap().to_string_lossy().into_owned();
        // Exit 2 with a message is fine for inputs with no manifest; a panic (101) or a signal never is.
        assert!(
            matches!(out.status.code(), Some(0) | Some(2)),
            "{name}: exit {:?}: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        if !have_aapt {
            continue;
        }
        match aapt_permissions(&apk) {
            Some(expected) => {
                assert!(
                    out.status.success(),
                    "{name}: aapt reads it but dossier failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                let json: Value = serde_json::from_slice(&out.stdout).unwrap();
                let ours: BTreeSet<String> =
                    strings(&json["permissions"], "name").into_iter().collect();
                assert_eq!(ours, expected, "{name}: permissions differ from aapt");
                compared += 1;
            }
            None => refused_by_aapt.push(name),
        }
    }
    if have_aapt {
        eprintln!("compared with aapt: {compared}; refused by aapt: {refused_by_aapt:?}");
        if common::corpus_required() {
            assert!(compared >= 20, "only {compared} APKs compared with aapt");
        }
    }
}
