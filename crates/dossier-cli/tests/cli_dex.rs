//! `dossier dex` end to end on every kind of input: APK, split set, bare DEX, JAR of DEX files.

#[path = "../../../tests/common/mod.rs"]
mod common;

use std::process::{Command, Output};

use serde_json::Value;

fn dossier(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dossier"))
        .args(args)
        .output()
        .expect("dossier runs")
}

fn dex_json(path: &str, extra: &[&str]) -> Value {
    let mut args = vec!["dex", path, "--format", "json"];
    args.extend_from_slice(extra);
    let out = dossier(&args);
    assert!(
        out.status.success(),
        "dex {path}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn json_has_the_documented_shape_and_signature_form() {
    let apk = common::fixture("vidshare.apk");
    let json = dex_json(apk.to_str().unwrap(), &[]);
    let dex = &json["dex"][0];
    for key in [
        "name",
        "version",
        "classes",
        "methods",
        "strings",
        "invoked_methods",
        "fields",
        "const_strings",
    ] {
        assert!(dex.get(key).is_some(), "missing {key}");
    }
    assert_eq!(dex["name"], "classes.dex");
    assert_eq!(dex["version"], "035");
    assert!(dex.get("sites").is_none(), "sites only with --sites");
    let invoked: Vec<&str> = dex["invoked_methods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert!(invoked.contains(&"Landroid/location/LocationManager;->getLastKnownLocation(Ljava/lang/String;)Landroid/location/Location;"));
    let mut sorted = invoked.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(invoked, sorted, "sorted and unique");
    assert!(
        dex["const_strings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "android_id")
    );
}

#[test]
fn sites_name_the_calling_class_and_method() {
    let apk = common::fixture("vidshare.apk");
    let json = dex_json(apk.to_str().unwrap(), &["--sites"]);
    let sites = &json["dex"][0]["sites"];
    let callers = sites["callers"].as_array().unwrap();
    let uses = sites["invoked_methods"]["Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;"]
        .as_array()
        .unwrap();
    // Each use is "caller@offset": the caller's position in `callers` and the code-unit offset of
    // its first instruction using the reference.
    let (position, offset) = uses[0].as_str().unwrap().split_once('@').unwrap();
    assert!(offset.starts_with("0x") && u32::from_str_radix(&offset[2..], 16).is_ok());
    let caller = &callers[position.parse::<usize>().unwrap()];
    assert_eq!(caller["class"], "Lcom/bytedance/applog/AppLog;");
    assert_eq!(caller["method"], "init(Landroid/content/Context;)V");
    assert_eq!(caller["dex"], "classes.dex");
    let reflective = json["dex"][0]["reflective"].as_array().unwrap();
    assert!(
        reflective
            .iter()
            .any(|r| r["class"] == "Landroid/content/pm/PackageManager;"
                && r["member"] == "getInstalledApplications")
    );
}

#[test]
fn split_sets_bare_dex_and_jars() {
    let set = dex_json(common::fixture("vidshare.apks").to_str().unwrap(), &[]);
    let names: Vec<&str> = set["dex"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "splits/base-master.apk!classes.dex",
            "splits/editor-master.apk!classes.dex"
        ]
    );

    let bare = common::root().join("fixtures/dex/refs.dex");
    let json = dex_json(bare.to_str().unwrap(), &[]);
    assert_eq!(json["dex"].as_array().unwrap().len(), 1);

    let jar = common::root().join("fixtures/dex/multidex.zip");
    let json = dex_json(jar.to_str().unwrap(), &[]);
    let names: Vec<&str> = json["dex"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["classes.dex", "classes2.dex"]);

    let out = dossier(&[
        "dex",
        common::fixture("vidshare-config-x86_64.apk")
            .to_str()
            .unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "an APK without DEX is an error for `dex`"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("no classes"));
}

#[test]
fn text_is_the_default_and_lists_counts() {
    let out = dossier(&["dex", common::fixture("vidshare.apks").to_str().unwrap()]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("splits/editor-master.apk!classes.dex (DEX 035)"));
    assert!(text.contains("all 2 DEX:"));
}
