//! Verdicts hold up: plumbing in support libraries is never collection, permissions are judged on
//! the target SDK with Android's split permissions, and — over every real APK we have — no
//! category whose every API needs a permission is `collected` by an app that holds none of them.
//!
//! The corpus check computes what an app holds and which categories are gated straight from the
//! rule files and the report, not through the analysis code it checks.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use dossier::report::{CategoryFinding, EvidenceKind, Report, Standing, Verdict};

fn scan(path: &Path) -> Report {
    dossier::Scanner::with_builtin_rules()
        .expect("built-in rules")
        .scan_path(path)
        .unwrap_or_else(|e| panic!("scan {}: {e}", path.display()))
}

fn category<'r>(report: &'r Report, id: &str) -> &'r CategoryFinding {
    report
        .categories
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no category {id}"))
}

fn standings(category: &CategoryFinding) -> BTreeSet<Standing> {
    category.evidence.iter().map(|e| e.standing).collect()
}

/// A crackme with no permission, whose support libraries hold AppCompat's night mode, FileProvider,
/// a widget's own accessibility event, SearchView's voice button, AppCompat's exception handler,
/// ExoPlayer's DRM property read and gson's locale: nothing is collected.
#[test]
fn plumbing_without_permissions_collects_nothing() {
    let report = scan(&common::fixture("plumbed.apk"));
    assert!(report.permissions.is_empty());
    let collected: Vec<&str> = report
        .categories
        .iter()
        .filter(|c| c.verdict == Verdict::Collected)
        .map(|c| c.id.as_str())
        .collect();
    assert!(collected.is_empty(), "collected: {collected:?}");
    // The calls that would need a permission are blocked, with the permission named.
    for (id, needs) in [
        ("location_precise", "ACCESS_FINE_LOCATION"),
        ("location_approximate", "ACCESS_COARSE_LOCATION"),
        ("media_files", "READ_EXTERNAL_STORAGE"),
        ("keystrokes", "BIND_ACCESSIBILITY_SERVICE"),
        ("microphone", "RECORD_AUDIO"),
    ] {
        let c = category(&report, id);
        assert_eq!(c.verdict, Verdict::Blocked, "{id}: {}", c.verdict_reason);
        assert!(
            c.verdict_reason.contains(needs),
            "{id}: {}",
            c.verdict_reason
        );
        assert!(c.collected_by.is_empty());
    }
    // Plumbing that needs no permission is named by its rule.
    let crash = category(&report, "crash_diagnostics");
    assert_eq!(crash.verdict, Verdict::Possible);
    assert!(
        crash
            .evidence
            .iter()
            .any(|e| e.standing == Standing::Plumbing
                && e.exemption.as_deref() == Some("appcompat_drawable_error_handler"))
    );
    let battery = category(&report, "battery_info");
    assert_eq!(battery.verdict, Verdict::Possible);
    assert_eq!(standings(battery), BTreeSet::from([Standing::Plumbing]));
    // A library reading the locale is context.
    let info = category(&report, "device_info");
    assert_eq!(info.verdict, Verdict::Possible);
    assert_eq!(standings(info), BTreeSet::from([Standing::Context]));
    // ExoPlayer reads a DRM property other than the device-unique id: no device id at all.
    assert!(report.categories.iter().all(|c| c.id != "device_ids"));
}

/// An app targeting API 14: READ_CONTACTS grants the call log, fine location grants background
/// location, listing installed apps needs no permission; night mode stays plumbing with the
/// permission held; the DRM id is read next to its key; the locale is context in the app's code
/// and collection in a tracker's.
#[test]
fn target_sdk_and_split_permissions_decide() {
    let report = scan(&common::fixture("oldtarget.apk"));
    assert_eq!(report.app.target_sdk, Some(14));
    for id in [
        "call_log",
        "location_background",
        "installed_apps",
        "device_ids",
        "location_precise",
    ] {
        let c = category(&report, id);
        assert_eq!(c.verdict, Verdict::Collected, "{id}: {}", c.verdict_reason);
        assert_eq!(c.collected_by, ["app"], "{id}");
    }
    let installed = report
        .api_calls
        .iter()
        .find(|a| a.rule == "installed_packages")
        .expect("installed_packages call");
    assert!(installed.missing_permissions.is_empty());
    // Night mode's read is plumbing even though the app holds the permission.
    let precise = category(&report, "location_precise");
    assert!(
        precise
            .evidence
            .iter()
            .any(|e| e.standing == Standing::Plumbing
                && e.location.as_ref().and_then(|l| l.class.as_deref())
                    == Some("Landroidx/appcompat/app/TwilightManager;"))
    );
    // The locale: context in the app, collection in AppsFlyer.
    let info = category(&report, "device_info");
    assert_eq!(info.verdict, Verdict::Collected);
    assert_eq!(info.collected_by, ["appsflyer"]);
    assert!(
        info.evidence
            .iter()
            .any(|e| e.standing == Standing::Context && e.collector.as_deref() == Some("app"))
    );
    // A permission alone is only possible.
    let contacts = category(&report, "contacts");
    assert_eq!(contacts.verdict, Verdict::Possible);
    assert!(
        contacts.verdict_reason.contains("only declared"),
        "{}",
        contacts.verdict_reason
    );
}

/// The permissions of the rule files, read here without the analysis code.
struct RuleFacts {
    /// Per category, the permission lists of the API rules that map to it.
    category_rules: BTreeMap<String, Vec<ApiFacts>>,
    /// (from, grants, below target SDK) of every split permission.
    splits: Vec<(String, Vec<String>, Option<u32>)>,
    /// Permissions of each API rule id.
    api: BTreeMap<String, ApiFacts>,
}

#[derive(Clone)]
struct ApiFacts {
    permissions: Vec<String>,
    free_below: Option<u32>,
}

fn rule_facts() -> RuleFacts {
    let read = |name: &str| -> toml::Table {
        let text = std::fs::read_to_string(common::root().join("rules").join(name)).unwrap();
        text.parse().unwrap()
    };
    let strings = |v: Option<&toml::Value>| -> Vec<String> {
        v.and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut facts = RuleFacts {
        category_rules: BTreeMap::new(),
        splits: Vec::new(),
        api: BTreeMap::new(),
    };
    for api in read("apis.toml")["api"].as_array().unwrap() {
        let rule = ApiFacts {
            permissions: strings(api.get("permissions")),
            free_below: api
                .get("permission_free_below_target_sdk")
                .and_then(|v| v.as_integer())
                .map(|v| v as u32),
        };
        for category in strings(api.get("categories")) {
            facts
                .category_rules
                .entry(category)
                .or_default()
                .push(rule.clone());
        }
        facts
            .api
            .insert(api["id"].as_str().unwrap().to_owned(), rule);
    }
    for split in read("permissions.toml")["split_permission"]
        .as_array()
        .unwrap()
    {
        facts.splits.push((
            split["from"].as_str().unwrap().to_owned(),
            strings(split.get("grants")),
            split
                .get("below_target_sdk")
                .and_then(|v| v.as_integer())
                .map(|v| v as u32),
        ));
    }
    facts
}

/// What the app of `report` holds: its requested permissions, the BIND_* permissions guarding
/// its components (from the component evidence), and the split permissions of its target SDK.
fn held(report: &Report, facts: &RuleFacts) -> (BTreeSet<String>, u32) {
    let target = report.app.target_sdk.or(report.app.min_sdk).unwrap_or(1);
    let mut held: BTreeSet<String> = report.permissions.iter().map(|p| p.name.clone()).collect();
    for category in &report.categories {
        for e in category
            .evidence
            .iter()
            .filter(|e| e.kind == EvidenceKind::Component)
        {
            if let Some(guard) = e.detail.rsplit(" guarded by ").next() {
                held.insert(guard.to_owned());
            }
        }
    }
    loop {
        let before = held.len();
        for (from, grants, below) in &facts.splits {
            if held.contains(from) && below.is_none_or(|b| target < b) {
                held.extend(grants.iter().cloned());
            }
        }
        if held.len() == before {
            break;
        }
    }
    (held, target)
}

/// Over the corpus and the SDK apps: a category whose every API rule needs a permission is never
/// `collected` when the app holds none of them, and no collecting item's rule lacks its permission.
#[test]
fn no_gated_category_is_collected_without_its_permission() {
    let mut inputs = Vec::new();
    if let Some(dir) = common::corpus() {
        inputs.extend(common::corpus_files(&dir, "apks"));
    }
    inputs.extend(common::sdk_apps());
    if inputs.is_empty() {
        return;
    }
    let facts = rule_facts();
    let scanner = dossier::Scanner::with_builtin_rules().unwrap();
    let mut checked = 0;
    let mut violations = Vec::new();
    for path in &inputs {
        let Ok(report) = scanner.scan_path(path) else {
            continue;
        };
        if report.app.package.is_none() {
            continue;
        }
        let (held, target) = held(&report, &facts);
        for category in report
            .categories
            .iter()
            .filter(|c| c.verdict == Verdict::Collected)
        {
            checked += 1;
            let rules = facts
                .category_rules
                .get(&category.id)
                .cloned()
                .unwrap_or_default();
            let gated = !rules.is_empty()
                && rules
                    .iter()
                    .all(|r| !r.permissions.is_empty() && r.free_below.is_none_or(|b| target >= b));
            if gated {
                let gates: BTreeSet<&String> = rules.iter().flat_map(|r| &r.permissions).collect();
                if !gates.iter().any(|p| held.contains(*p)) {
                    violations.push(format!(
                        "{}: {} collected without any of {gates:?}",
                        path.display(),
                        category.id
                    ));
                }
            }
            for e in category
                .evidence
                .iter()
                .filter(|e| e.standing == Standing::Collects)
            {
                let Some(rule) = facts.api.get(&e.rule) else {
                    continue;
                };
                let free = rule.free_below.is_some_and(|b| target < b);
                if !free
                    && !rule.permissions.is_empty()
                    && !rule.permissions.iter().any(|p| held.contains(p))
                {
                    violations.push(format!(
                        "{}: {} collects through {} without any of {:?}",
                        path.display(),
                        category.id,
                        e.rule,
                        rule.permissions
                    ));
                }
            }
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
    eprintln!(
        "checked {checked} collected categories in {} inputs",
        inputs.len()
    );
}
