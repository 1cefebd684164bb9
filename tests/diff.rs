//! `dossier::diff` on real scans: the fixture pair `diffapp-v1` → `diffapp-v2` gives exactly the
//! changes it was built with; a report diffed with itself is empty (fixtures and corpus); on the
//! corpus's real version pairs the permission changes equal the set difference of
//! `aapt dump permissions`; saved JSON reports diff like the scans they came from; two runs give
//! the same diff; and what R8 renames between releases (obfuscated classes, their methods, DEX
//! numbering, offsets) and the order of lists never show up as a change.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use dossier::Report;
use dossier::Scanner;
use dossier::diff::{
    ApiItem, CategoryChange, CategoryItem, EndpointItem, PermissionItem, ReportDiff, Step,
    TrackerItem, diff_reports,
};
use dossier::report::{Location, Strength, Verdict};

/// The real version pairs of the corpus, older first.
const VERSION_PAIRS: &[(&str, &str)] = &[
    ("appium-settings-3.6.0.apk", "appium-settings-5.14.15.apk"),
    ("appium-settings-5.14.15.apk", "appium-settings-8.0.10.apk"),
    (
        "appium-uia2-server-4.29.1.apk",
        "appium-uia2-server-10.6.6.apk",
    ),
    ("pocoservice-1.0.84.apk", "pocoservice-1.0.94.apk"),
    ("yosemite-airtest-1.3.6.apk", "yosemite-airtest-1.4.3.apk"),
];

/// Fixtures that exercise the diff beyond the pair: SDK code, obfuscated code, splits, natives.
const FIXTURES: &[&str] = &[
    "diffapp-v1.apk",
    "diffapp-v2.apk",
    "vidshare.apk",
    "vidshare.apks",
    "vidshare-config-x86_64.apk",
    "oldtarget.apk",
    "beacon.apk",
    "apiprobe.apk",
];

fn scanner() -> &'static Scanner {
    static SCANNER: OnceLock<Scanner> = OnceLock::new();
    SCANNER.get_or_init(|| Scanner::with_builtin_rules().expect("built-in rules load"))
}

fn scan(path: &Path) -> Report {
    scanner()
        .scan_path(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn fixture(name: &str) -> Report {
    scan(&common::fixture(name))
}

/// Every real APK dossier can scan (the corpus, and the SDK apps when they are there), by file
/// name, scanned once for all the tests of this file. Empty when neither is there.
fn real_reports() -> &'static BTreeMap<String, Report> {
    static REPORTS: OnceLock<BTreeMap<String, Report>> = OnceLock::new();
    REPORTS.get_or_init(|| {
        let mut paths = common::sdk_apps();
        if let Some(dir) = common::corpus() {
            paths.extend(common::corpus_files(&dir, "apks"));
        }
        let mut reports = BTreeMap::new();
        for path in paths {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            // Some corpus files are deliberately broken archives: those have no report to diff.
            match scanner().scan_path(&path) {
                Ok(report) => {
                    reports.insert(name, report);
                }
                Err(e) => eprintln!("{name}: not scanned ({e})"),
            }
        }
        reports
    })
}

/// The corpus reports of one version pair, or None (said on stderr) when a file is missing;
/// missing files fail under `DOSSIER_REQUIRE_CORPUS=1`.
fn corpus_pair(old: &str, new: &str) -> Option<(&'static Report, &'static Report)> {
    common::corpus()?;
    let reports = real_reports();
    match (reports.get(old), reports.get(new)) {
        (Some(a), Some(b)) => Some((a, b)),
        _ => {
            assert!(
                !common::corpus_required(),
                "DOSSIER_REQUIRE_CORPUS=1 but {old} or {new} is not in the corpus"
            );
            eprintln!("skipped: {old} or {new} is not in the corpus");
            None
        }
    }
}

fn json(diff: &ReportDiff) -> String {
    serde_json::to_string(diff).unwrap()
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

// The fixture pair.

/// v2 adds READ_SMS with an SMS inbox read in the app's own code, the AppsFlyer SDK and the
/// host `ingest.stormtrail.io`; it drops the Adjust SDK and the app's Wi-Fi read while keeping
/// ACCESS_WIFI_STATE. Those, and what follows from them, are the whole diff.
#[test]
fn fixture_pair_diff_is_exactly_the_changes_built_in() {
    let old = fixture("diffapp-v1.apk");
    let new = fixture("diffapp-v2.apk");
    let diff = diff_reports(&old, &new);

    assert_eq!(diff.old.package.as_deref(), Some("com.example.diffapp"));
    assert_eq!(diff.new.package, diff.old.package);
    assert_eq!(
        (diff.old.version_code, diff.new.version_code),
        (Some(1), Some(2))
    );
    assert_ne!(diff.old.sha256, diff.new.sha256);
    assert!(diff.warnings.is_empty(), "{:?}", diff.warnings);
    assert_eq!(diff.target_sdk, None);

    assert_eq!(
        diff.permissions.added,
        vec![PermissionItem {
            name: "android.permission.READ_SMS".into(),
            protection: Some("dangerous".into()),
        }]
    );
    assert!(diff.permissions.removed.is_empty());

    // sms is new and collected by the app: the inbox URI read, with READ_SMS held.
    assert_eq!(
        diff.categories.added,
        vec![CategoryItem {
            id: "sms".into(),
            verdict: Verdict::Collected,
            strength: Strength::Called,
            collected_by: strings(&["app"]),
            collectors: strings(&["app"]),
        }]
    );
    assert!(diff.categories.removed.is_empty());
    assert_eq!(
        diff.categories.changed,
        vec![
            // Both SDKs stand for in-app events: the category stays, its SDK changes.
            CategoryChange {
                id: "app_interactions".into(),
                verdict: None,
                strength: None,
                collected_by_added: vec![],
                collected_by_removed: vec![],
                collectors_added: strings(&["appsflyer"]),
                collectors_removed: strings(&["adjust"]),
            },
            // The Wi-Fi read is gone; the kept permission still declares the category.
            CategoryChange {
                id: "wifi_info".into(),
                verdict: Some(Step {
                    old: Verdict::Collected,
                    new: Verdict::Possible,
                }),
                strength: Some(Step {
                    old: Strength::Called,
                    new: Strength::Declared,
                }),
                collected_by_added: vec![],
                collected_by_removed: strings(&["app"]),
                collectors_added: vec![],
                collectors_removed: strings(&["app"]),
            },
        ]
    );

    assert_eq!(
        diff.trackers.added,
        vec![TrackerItem {
            id: "appsflyer".into(),
            name: "AppsFlyer".into(),
            owner_name: Some("AppsFlyer".into()),
            country: Some("US".into()),
            confirmed: true,
        }]
    );
    let removed_trackers: Vec<(&str, bool)> = diff
        .trackers
        .removed
        .iter()
        .map(|t| (t.id.as_str(), t.confirmed))
        .collect();
    assert_eq!(removed_trackers, vec![("adjust", true)]);

    assert_eq!(
        diff.endpoints.added,
        vec![EndpointItem {
            host: "ingest.stormtrail.io".into(),
            owner_name: None,
            country: None,
            new_country: false,
            urls: strings(&["https://ingest.stormtrail.io/v1/reports"]),
        }]
    );
    assert!(diff.endpoints.removed.is_empty());

    assert_eq!(
        diff.api_calls.added,
        vec![ApiItem {
            api: "Landroid/provider/Telephony$Sms$Inbox;->CONTENT_URI:Landroid/net/Uri;".into(),
            categories: strings(&["sms"]),
            collectors: strings(&["app"]),
        }]
    );
    assert_eq!(
        diff.api_calls.removed,
        vec![ApiItem {
            api: "Landroid/net/wifi/WifiManager;->getConnectionInfo()Landroid/net/wifi/WifiInfo;"
                .into(),
            categories: strings(&["wifi_info"]),
            collectors: strings(&["app"]),
        }]
    );

    assert!(diff.native_libs.is_empty());
    assert!(diff.components.is_empty());
    assert!(diff.anomalies.is_empty());

    // And the way back is the mirror image.
    let back = diff_reports(&new, &old);
    assert_eq!(back.permissions.removed, diff.permissions.added);
    assert_eq!(back.categories.removed, diff.categories.added);
    assert_eq!(back.trackers.added, diff.trackers.removed);
    assert_eq!(back.endpoints.removed, diff.endpoints.added);
    assert_eq!(back.api_calls.added, diff.api_calls.removed);
}

// Self-diffs.

fn assert_self_diff_empty(name: &str, report: &Report) {
    let diff = diff_reports(report, report);
    assert!(diff.is_empty(), "{name}: {}", json(&diff));
    assert!(diff.warnings.len() <= 2, "{name}: {:?}", diff.warnings);
}

#[test]
fn a_fixture_diffed_with_itself_is_empty() {
    for name in FIXTURES {
        assert_self_diff_empty(name, &fixture(name));
    }
}

#[test]
fn a_real_report_diffed_with_itself_is_empty() {
    let reports = real_reports();
    for (name, report) in reports {
        assert_self_diff_empty(name, report);
    }
    eprintln!("{} real reports diffed with themselves", reports.len());
}

// The real version pairs against aapt.

/// `uses-permission` and `uses-permission-sdk-23` names of `aapt dump permissions`, or None when
/// aapt cannot read the file.
fn aapt_permissions(apk: &Path) -> Option<BTreeSet<String>> {
    let output = Command::new("aapt")
        .args(["dump", "permissions"])
        .arg(apk)
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout);
    Some(
        text.lines()
            .filter_map(|l| {
                l.strip_prefix("uses-permission: name='")
                    .or_else(|| l.strip_prefix("uses-permission-sdk-23: name='"))
            })
            .filter_map(|rest| rest.split('\'').next())
            .map(str::to_owned)
            .collect(),
    )
}

#[test]
fn version_pair_permission_changes_equal_aapt_set_difference() {
    let Some(dir) = common::corpus() else {
        return;
    };
    if !common::have_tool("aapt") {
        assert!(
            !common::corpus_required(),
            "DOSSIER_REQUIRE_CORPUS=1 but aapt is not installed"
        );
        eprintln!("aapt not available; skipped");
        return;
    }
    let mut compared = 0;
    for (old_name, new_name) in VERSION_PAIRS {
        let Some((old, new)) = corpus_pair(old_name, new_name) else {
            continue;
        };
        let apks = dir.join("apks");
        let (Some(before), Some(after)) = (
            aapt_permissions(&apks.join(old_name)),
            aapt_permissions(&apks.join(new_name)),
        ) else {
            panic!("aapt cannot read {old_name} or {new_name}, which dossier scans");
        };
        let diff = diff_reports(old, new);
        let added: Vec<String> = diff
            .permissions
            .added
            .iter()
            .map(|p| p.name.clone())
            .collect();
        let removed: Vec<String> = diff
            .permissions
            .removed
            .iter()
            .map(|p| p.name.clone())
            .collect();
        let expected_added: Vec<String> = after.difference(&before).cloned().collect();
        let expected_removed: Vec<String> = before.difference(&after).cloned().collect();
        assert_eq!(added, expected_added, "{old_name} -> {new_name}: added");
        assert_eq!(
            removed, expected_removed,
            "{old_name} -> {new_name}: removed"
        );
        compared += 1;
        eprintln!(
            "{old_name} -> {new_name}: +{} -{} permissions, +{} -{} ~{} categories, +{} -{} hosts, +{} -{} apis",
            added.len(),
            removed.len(),
            diff.categories.added.len(),
            diff.categories.removed.len(),
            diff.categories.changed.len(),
            diff.endpoints.added.len(),
            diff.endpoints.removed.len(),
            diff.api_calls.added.len(),
            diff.api_calls.removed.len(),
        );
    }
    eprintln!("{compared} version pairs compared with aapt");
}

// Saved reports and determinism.

/// A report as `dossier scan --format json` saves it, read back.
fn round_trip(report: &Report) -> Report {
    let text = serde_json::to_string_pretty(report).unwrap();
    serde_json::from_str::<Report>(&text).expect("a saved report reads back")
}

fn assert_saved_reports_diff_like_scans(label: &str, old: &Report, new: &Report) {
    let from_scans = diff_reports(old, new);
    let from_saved = diff_reports(&round_trip(old), &round_trip(new));
    assert_eq!(json(&from_saved), json(&from_scans), "{label}");
    let mixed = diff_reports(old, &round_trip(new));
    assert_eq!(
        json(&mixed),
        json(&from_scans),
        "{label}: scan against saved"
    );
}

#[test]
fn saved_json_reports_diff_like_the_scans() {
    let old = fixture("diffapp-v1.apk");
    let new = fixture("diffapp-v2.apk");
    assert_saved_reports_diff_like_scans("diffapp", &old, &new);
    assert_saved_reports_diff_like_scans(
        "vidshare",
        &fixture("vidshare.apk"),
        &fixture("vidshare.apks"),
    );
    for (old_name, new_name) in VERSION_PAIRS {
        if let Some((old, new)) = corpus_pair(old_name, new_name) {
            assert_saved_reports_diff_like_scans(old_name, old, new);
        }
    }
}

#[test]
fn two_runs_give_the_same_diff() {
    let first = diff_reports(&fixture("diffapp-v1.apk"), &fixture("diffapp-v2.apk"));
    let second = diff_reports(&fixture("diffapp-v1.apk"), &fixture("diffapp-v2.apk"));
    assert_eq!(json(&first), json(&second));
    // A real pair, rescanned: the scans themselves must not vary between runs.
    let (old_name, new_name) = VERSION_PAIRS[1];
    if let Some((old, new)) = corpus_pair(old_name, new_name) {
        let dir = common::corpus().unwrap().join("apks");
        let again = diff_reports(&scan(&dir.join(old_name)), &scan(&dir.join(new_name)));
        assert_eq!(
            json(&again),
            json(&diff_reports(old, new)),
            "{old_name} -> {new_name}"
        );
    }
}

// What R8 changes between releases.

/// How much of a class descriptor is minifier output: all of it (`La/b/C;`, every part one to
/// three letters or digits), only the class's own name (`Lcom/google/android/gms/common/internal/zaf;`,
/// a kept package), or nothing.
#[derive(Debug, PartialEq)]
enum Obfuscated {
    Whole,
    ClassName,
    No,
}

fn obfuscated(descriptor: &str) -> Obfuscated {
    let short = |part: &str| {
        (1..=3).contains(&part.len()) && part.chars().all(|c| c.is_ascii_alphanumeric())
    };
    let Some(body) = descriptor
        .strip_prefix('L')
        .and_then(|d| d.strip_suffix(';'))
    else {
        return Obfuscated::No;
    };
    let parts: Vec<&str> = body.split('/').collect();
    if parts.iter().all(|part| short(part)) {
        Obfuscated::Whole
    } else if parts.last().is_some_and(|name| short(name)) {
        Obfuscated::ClassName
    } else {
        Obfuscated::No
    }
}

/// Renames the way a new R8 run does: each obfuscated class gets another short name (a fresh one
/// per class, so two classes never merge), its methods other short names, and code moves to
/// another DEX file at other offsets. Counts the locations it rewrote.
struct Renamer {
    classes: BTreeMap<String, String>,
    rewritten: usize,
}

impl Renamer {
    fn rename(&mut self, location: &mut Location) {
        let Some(class) = location.class.clone() else {
            return;
        };
        let next = self.classes.len();
        let fresh = match obfuscated(&class) {
            Obfuscated::Whole => format!("Lzq/r{next};"),
            Obfuscated::ClassName => match class.rsplit_once('/') {
                Some((package, _)) => format!("{package}/r{next};"),
                None => return,
            },
            Obfuscated::No => return,
        };
        let renamed = self.classes.entry(class).or_insert(fresh).clone();
        location.class = Some(renamed);
        if let Some(method) = &mut location.method {
            *method = format!("m{}", method.len());
        }
        location.entry = if location.entry == "classes.dex" {
            "classes2.dex".to_owned()
        } else {
            "classes.dex".to_owned()
        };
        location.offset = location.offset.map(|o| o + 7);
        self.rewritten += 1;
    }
}

fn every_location(report: &mut Report, renamer: &mut Renamer) {
    for category in &mut report.categories {
        for evidence in &mut category.evidence {
            if let Some(location) = &mut evidence.location {
                renamer.rename(location);
            }
        }
    }
    for call in &mut report.api_calls {
        for site in &mut call.sites {
            renamer.rename(&mut site.location);
        }
    }
    for tracker in &mut report.trackers {
        for evidence in &mut tracker.evidence {
            if let Some(location) = &mut evidence.location {
                renamer.rename(location);
            }
        }
    }
    for endpoint in &mut report.endpoints {
        for source in &mut endpoint.sources {
            renamer.rename(&mut source.location);
        }
    }
}

/// Every list of the report in another order (reversed, then its first element moved last).
fn shuffle(report: &mut Report) {
    fn mix<T>(items: &mut [T]) {
        items.reverse();
        if !items.is_empty() {
            items.rotate_left(1);
        }
    }
    mix(&mut report.permissions);
    for category in &mut report.categories {
        mix(&mut category.evidence);
        mix(&mut category.collectors);
        mix(&mut category.collected_by);
    }
    mix(&mut report.categories);
    for call in &mut report.api_calls {
        mix(&mut call.sites);
        mix(&mut call.categories);
    }
    mix(&mut report.api_calls);
    mix(&mut report.trackers);
    for endpoint in &mut report.endpoints {
        mix(&mut endpoint.sources);
    }
    mix(&mut report.endpoints);
    mix(&mut report.native_libs);
    mix(&mut report.exported_components);
    mix(&mut report.collectors);
    mix(&mut report.anomalies);
}

/// The report as the next R8 release would give it, its lists shuffled and normalized again;
/// `None` when the report has no obfuscated code to rename.
fn renamed_release(report: &Report) -> Option<Report> {
    let mut renamed = report.clone();
    let mut renamer = Renamer {
        classes: BTreeMap::new(),
        rewritten: 0,
    };
    every_location(&mut renamed, &mut renamer);
    shuffle(&mut renamed);
    renamed.normalize();
    (renamer.rewritten > 0).then_some(renamed)
}

/// Whether `report` had obfuscated code to rename; if so, its renamed release diffs as empty.
fn assert_renaming_does_not_show(name: &str, report: &Report) -> bool {
    let Some(renamed) = renamed_release(report) else {
        return false;
    };
    assert_ne!(&renamed, report, "{name}: the renaming changed nothing");
    let diff = diff_reports(report, &renamed);
    assert!(diff.is_empty(), "{name}: {}", json(&diff));
    assert!(diff_reports(&renamed, report).is_empty(), "{name}");
    true
}

#[test]
fn renamed_obfuscated_classes_and_list_order_do_not_show() {
    // vidshare has minifier output in `a.b`.
    assert!(
        assert_renaming_does_not_show("vidshare.apk", &fixture("vidshare.apk")),
        "vidshare lost its obfuscated code"
    );
    let reports = real_reports();
    let renamed = reports
        .iter()
        .filter(|(name, report)| assert_renaming_does_not_show(name, report))
        .count();
    eprintln!(
        "renamed obfuscated code in {renamed} of {} real reports",
        reports.len()
    );
}

#[test]
fn obfuscated_names_are_recognised() {
    assert_eq!(obfuscated("La/b/C;"), Obfuscated::Whole);
    assert_eq!(obfuscated("Lo/a0;"), Obfuscated::Whole);
    assert_eq!(
        obfuscated("Lcom/google/android/gms/common/internal/zaf;"),
        Obfuscated::ClassName
    );
    assert_eq!(
        obfuscated("Lcom/example/diffapp/MainActivity;"),
        Obfuscated::No
    );
    assert_eq!(obfuscated("Lcom/appsflyer/AppsFlyerLib;"), Obfuscated::No);
}
