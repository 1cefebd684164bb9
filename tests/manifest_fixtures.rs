//! The typed manifest of the hand-written fixtures in `fixtures/manifests/` (built by
//! `fixtures/manifests/build.sh` with aapt), checked field by field and, when aapt is
//! installed, against `aapt dump permissions` / `aapt dump badging`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use dossier::axml::manifest::{ExportedReason, Manifest, UsesPermission};
use dossier::axml::{ResourceTable, parse_xml, to_xml_text};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/manifests/built")
        .join(format!("{name}.apk"))
}

fn entry(apk: &Path, name: &str) -> Option<Vec<u8>> {
    let file = std::fs::File::open(apk).ok()?;
    let mut archive = zip::ZipArchive::new(file).ok()?;
    let mut entry = archive.by_name(name).ok()?;
    let mut bytes = Vec::new();
    entry.read_to_end(&mut bytes).ok()?;
    Some(bytes)
}

fn load(name: &str) -> (Manifest, ResourceTable, dossier::axml::XmlDocument) {
    let apk = fixture(name);
    let xml = entry(&apk, "AndroidManifest.xml").expect("fixture manifest");
    let arsc = entry(&apk, "resources.arsc").expect("fixture resources");
    let doc = parse_xml(&xml, "AndroidManifest.xml").expect("parses");
    let table = ResourceTable::parse(&arsc, "resources.arsc").expect("table parses");
    (Manifest::from_document(&doc, Some(&table)), table, doc)
}

fn aapt(args: &[&str], apk: &Path) -> Option<String> {
    let output = Command::new("aapt").args(args).arg(apk).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

fn permission(name: &str, max_sdk: Option<u32>, sdk23: bool) -> UsesPermission {
    UsesPermission {
        name: name.to_owned(),
        max_sdk,
        sdk23,
    }
}

#[test]
fn full_fixture_header_fields() {
    let (m, table, _) = load("full");
    assert_eq!(m.package.as_deref(), Some("com.dossier.fixture.full"));
    assert_eq!(m.version_code, Some(42));
    assert_eq!(
        m.version_name.as_deref(),
        Some("1.2.3-fixture"),
        "versionName resolved through @string"
    );
    assert_eq!((m.min_sdk, m.target_sdk), (Some(21), Some(30)));
    assert_eq!(m.compile_sdk, Some(29));
    assert_eq!(m.split, None);
    assert!(table.anomalies.is_empty(), "{:?}", table.anomalies);
    assert!(
        m.anomalies
            .iter()
            .all(|a| a.code == "manifest.duplicate_permission"),
        "{:?}",
        m.anomalies
    );
}

#[test]
fn full_fixture_permissions_are_merged_and_sorted() {
    let (m, _, _) = load("full");
    assert_eq!(
        m.permissions,
        vec![
            permission("android.permission.ACCESS_FINE_LOCATION", None, false),
            permission("android.permission.CAMERA", None, false),
            permission("android.permission.INTERNET", None, false),
            permission("android.permission.READ_CONTACTS", None, false),
            permission("android.permission.READ_PHONE_STATE", None, false),
            permission("android.permission.READ_SMS", Some(29), true),
            permission("android.permission.RECORD_AUDIO", None, true),
            permission("android.permission.WRITE_EXTERNAL_STORAGE", Some(28), false),
            permission("com.dossier.fixture.full.PRIVATE", None, false),
        ]
    );
    let declared: Vec<(&str, &str, Option<&str>)> = m
        .declared_permissions
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.protection_level.as_str(),
                p.group.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        declared,
        vec![
            ("com.dossier.fixture.full.DANGER", "dangerous", None),
            ("com.dossier.fixture.full.PLAIN", "normal", None),
            (
                "com.dossier.fixture.full.PRIVATE",
                "signature|privileged",
                Some("com.dossier.fixture.full.GROUP")
            ),
        ]
    );
}

#[test]
fn full_fixture_application_and_components() {
    let (m, _, _) = load("full");
    let app = m.application.as_ref().expect("application");
    assert_eq!(
        app.label.as_deref(),
        Some("Dossier Fixture"),
        "default-config label, not values-fr"
    );
    assert_eq!(
        app.name.as_deref(),
        Some("com.dossier.fixture.full.FixtureApp")
    );
    assert_eq!(
        (app.debuggable, app.allow_backup, app.uses_cleartext_traffic),
        (Some(true), Some(false), Some(false))
    );
    assert_eq!(
        app.network_security_config.as_deref(),
        Some("@xml/network_security_config")
    );

    let summary: Vec<(&str, &str, bool, ExportedReason)> = m
        .components
        .iter()
        .map(|c| {
            (
                c.kind.as_str(),
                c.name.as_str(),
                c.exported,
                c.exported_reason,
            )
        })
        .collect();
    let p = "com.dossier.fixture.full";
    assert_eq!(
        summary,
        vec![
            (
                "activity",
                &*format!("{p}.DeepLinkActivity"),
                false,
                ExportedReason::Explicit
            ),
            (
                "activity",
                &*format!("{p}.MainActivity"),
                true,
                ExportedReason::IntentFilter
            ),
            (
                "activity",
                &*format!("{p}.Settings"),
                false,
                ExportedReason::Default
            ),
            (
                "activity-alias",
                &*format!("{p}.Launcher"),
                true,
                ExportedReason::IntentFilter
            ),
            (
                "provider",
                &*format!("{p}.DataProvider"),
                true,
                ExportedReason::Explicit
            ),
            (
                "receiver",
                &*format!("{p}.BootReceiver"),
                true,
                ExportedReason::IntentFilter
            ),
            (
                "service",
                &*format!("{p}.SyncService"),
                true,
                ExportedReason::Explicit
            ),
        ]
    );
    let alias = m
        .components
        .iter()
        .find(|c| c.kind == "activity-alias")
        .unwrap();
    assert_eq!(
        alias.target_activity.as_deref(),
        Some("com.dossier.fixture.full.MainActivity")
    );
    let provider = m.components.iter().find(|c| c.kind == "provider").unwrap();
    assert_eq!(
        provider.authorities,
        vec![
            "com.dossier.fixture.full.data",
            "com.dossier.fixture.full.alt"
        ]
    );
    assert_eq!(
        provider.read_permission.as_deref(),
        Some("com.dossier.fixture.full.PRIVATE")
    );
    assert_eq!(provider.write_permission, None);
    let service = m.components.iter().find(|c| c.kind == "service").unwrap();
    assert_eq!(
        service.permission.as_deref(),
        Some("com.dossier.fixture.full.PRIVATE")
    );
    let deep = m
        .components
        .iter()
        .find(|c| c.name.ends_with("DeepLinkActivity"))
        .unwrap();
    let filter = &deep.intent_filters[0];
    assert_eq!(filter.actions, vec!["android.intent.action.VIEW"]);
    assert_eq!(
        filter.categories,
        vec![
            "android.intent.category.DEFAULT",
            "android.intent.category.BROWSABLE"
        ]
    );
    assert_eq!(filter.data[0].scheme.as_deref(), Some("https"));
    assert_eq!(filter.data[0].host.as_deref(), Some("example.com"));
    assert_eq!(filter.data[0].path_prefix.as_deref(), Some("/open"));
    assert_eq!(filter.data[1].mime_type.as_deref(), Some("text/plain"));
}

#[test]
fn full_fixture_meta_data_queries_features_libraries() {
    let (m, _, _) = load("full");
    let meta: Vec<(&str, &str, Option<&str>, Option<&str>)> = m
        .meta_data
        .iter()
        .map(|d| {
            (
                d.location.as_str(),
                d.name.as_str(),
                d.value.as_deref(),
                d.resource_name.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        meta,
        vec![
            (
                "application",
                "com.example.API_KEY",
                Some("AIzaFixtureKey"),
                Some("string/api_key")
            ),
            (
                "application",
                "com.example.CONFIG",
                None,
                Some("xml/network_security_config")
            ),
            (
                "application",
                "com.example.ENABLED",
                Some("true"),
                Some("bool/feature_enabled")
            ),
            (
                "application",
                "com.example.LEVEL",
                Some("5"),
                Some("integer/level")
            ),
            ("application", "com.example.LITERAL", Some("hello"), None),
            ("application", "com.example.NUMBER", Some("7"), None),
            (
                "com.dossier.fixture.full.SyncService",
                "com.example.SERVICE_META",
                Some("in-service"),
                None
            ),
        ]
    );
    assert!(
        m.meta_data[0]
            .resource
            .as_deref()
            .unwrap()
            .starts_with("@0x7f")
    );
    assert_eq!(m.queries.packages, vec!["com.example.other"]);
    assert_eq!(m.queries.providers, vec!["com.example.provider"]);
    assert_eq!(m.queries.intents.len(), 1);
    assert_eq!(
        m.queries.intents[0].actions,
        vec!["android.intent.action.VIEW"]
    );
    assert_eq!(
        m.queries.intents[0].data[0].scheme.as_deref(),
        Some("https")
    );
    let features: Vec<(&str, bool)> = m
        .uses_features
        .iter()
        .map(|f| (f.name.as_str(), f.required))
        .collect();
    assert_eq!(
        features,
        vec![
            ("android.hardware.camera", false),
            ("android.hardware.location.gps", true),
            ("glEsVersion=0x00020000", true)
        ]
    );
    let libraries: Vec<(&str, bool)> = m
        .uses_libraries
        .iter()
        .map(|l| (l.name.as_str(), l.required))
        .collect();
    assert_eq!(
        libraries,
        vec![
            ("com.google.android.maps", true),
            ("org.apache.http.legacy", false)
        ]
    );
}

#[test]
fn sdk31_fixture_exported_missing_split_and_version_major() {
    let (m, _, _) = load("sdk31");
    assert_eq!(m.version_code, Some((1u64 << 32) | 3));
    assert_eq!(m.split.as_deref(), Some("config.fixture"));
    assert_eq!(
        m.permissions,
        vec![permission("android.permission.READ_CALENDAR", None, true)]
    );
    assert_eq!(
        m.application.as_ref().and_then(|a| a.label.as_deref()),
        Some("Literal Label")
    );
    let activity = &m.components[0];
    assert!(activity.exported);
    assert_eq!(activity.exported_reason, ExportedReason::IntentFilter);
    assert!(
        m.anomalies
            .iter()
            .any(|a| a.code == "manifest.exported_missing"),
        "{:?}",
        m.anomalies
    );
}

#[test]
fn legacy_fixture_provider_exported_by_default() {
    let (m, _, _) = load("legacy");
    let provider = m.components.iter().find(|c| c.kind == "provider").unwrap();
    assert_eq!(provider.name, "org.example.LegacyProvider");
    assert!(provider.exported);
    assert_eq!(
        provider.exported_reason,
        ExportedReason::ProviderLegacyDefault
    );
    let service = m.components.iter().find(|c| c.kind == "service").unwrap();
    assert_eq!(
        (service.exported, service.exported_reason),
        (false, ExportedReason::Default)
    );
}

#[test]
fn manifest_without_resources_keeps_references() {
    let apk = fixture("full");
    let doc = parse_xml(&entry(&apk, "AndroidManifest.xml").unwrap(), "m").unwrap();
    let m = Manifest::from_document(&doc, None);
    let label = m
        .application
        .as_ref()
        .and_then(|a| a.label.clone())
        .unwrap();
    assert!(label.starts_with("@0x7f"), "{label}");
    assert!(
        m.anomalies
            .iter()
            .any(|a| a.code == "manifest.unresolved_reference")
    );
}

#[test]
fn serialized_manifest_is_stable() {
    let (a, _, _) = load("full");
    let (b, _, _) = load("full");
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap()
    );
}

#[test]
fn printed_xml_parses_and_names_references() {
    let (_, table, doc) = load("full");
    let text = to_xml_text(&doc, Some(&table));
    assert!(
        text.contains(r#"xmlns:android="http://schemas.android.com/apk/res/android""#),
        "{text}"
    );
    assert!(
        text.contains(r#"android:label="@string/app_name""#),
        "{text}"
    );
    assert!(text.contains(r#"android:versionCode="42""#), "{text}");
    assert!(
        text.contains(r#"package="com.dossier.fixture.full""#),
        "{text}"
    );
    let mut reader = quick_xml::Reader::from_str(&text);
    let mut depth = 0i32;
    loop {
        match reader.read_event().expect("printed XML is well formed") {
            quick_xml::events::Event::Start(_) => depth += 1,
            quick_xml::events::Event::End(_) => depth -= 1,
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(depth, 0);
}

/// Cross-check with aapt (skipped when aapt is not installed).
#[test]
fn fixtures_agree_with_aapt() {
    for name in ["full", "sdk31", "legacy"] {
        let apk = fixture(name);
        let Some(dump) = aapt(&["dump", "permissions"], &apk) else {
            eprintln!("aapt not available; skipped");
            return;
        };
        let mut expected: Vec<String> = dump
            .lines()
            .filter_map(|l| {
                l.strip_prefix("uses-permission: name='")
                    .or_else(|| l.strip_prefix("uses-permission-sdk-23: name='"))
            })
            .map(|rest| rest.split('\'').next().unwrap_or_default().to_owned())
            .collect();
        expected.sort();
        expected.dedup();
        let (m, _, _) = load(name);
        assert_eq!(m.permission_names(), expected, "{name}");
        let badging = aapt(&["dump", "badging"], &apk).unwrap();
        let package_line = badging.lines().next().unwrap();
        assert!(package_line.contains(&format!("name='{}'", m.package.as_deref().unwrap())));
        assert!(package_line.contains(&format!(
            "versionCode='{}'",
            m.version_code.unwrap() & 0xffff_ffff
        )));
        assert!(package_line.contains(&format!(
            "versionName='{}'",
            m.version_name.as_deref().unwrap()
        )));
        let label = badging
            .lines()
            .find_map(|l| l.strip_prefix("application-label:'"))
            .map(|l| l.trim_end_matches('\''));
        assert_eq!(
            label,
            m.application.as_ref().and_then(|a| a.label.as_deref()),
            "{name}"
        );
    }
}
