//! Every built-in rule fires on real input. The permission, API, native and library rules each
//! fire on the `apiprobe` fixture (`fixtures/apps/apiprobe/`, generated from the rule files by its
//! `gen.py`) through the whole scan — container, manifest, DEX, native library, rules, report —
//! so a rule whose matchers cannot meet real bytecode, or a rule added without fixture code,
//! fails here with the list of every rule that did not fire.
//!
//! Trackers (hundreds, converted from ETIP) get no fixture code: every code prefix, host and
//! meta-data key of every tracker must lead back to that tracker through the rule set's look-ups.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::OnceLock;

use dossier::report::{EvidenceKind, Report};
use dossier::rules::{RuleSet, TrackerRule};

/// The library's scan entry point, called from this one place.
fn scan(path: &Path, rules: &RuleSet) -> Report {
    dossier::Scanner::new(rules.clone(), dossier::Limits::default())
        .scan_path(path)
        .unwrap_or_else(|e| panic!("scan {}: {e}", path.display()))
}

const FIXTURE: &str = "apiprobe.apk";
const REBUILD: &str = "regenerate and rebuild the fixture: python3 fixtures/apps/apiprobe/gen.py \
    && bash fixtures/build.sh apiprobe (a new method or field needs its real signature in gen.py's \
    SIGNATURES)";

fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| RuleSet::builtin().expect("built-in rules load"))
}

/// The report of the fixture, made once for all tests.
fn probe() -> &'static Report {
    static REPORT: OnceLock<Report> = OnceLock::new();
    REPORT.get_or_init(|| scan(&common::fixture(FIXTURE), rules()))
}

/// Rule ids of the evidence of every category, with the kinds of evidence each came with.
fn evidence_kinds(report: &Report) -> BTreeMap<&str, BTreeSet<EvidenceKind>> {
    let mut kinds: BTreeMap<&str, BTreeSet<EvidenceKind>> = BTreeMap::new();
    for category in &report.categories {
        for evidence in &category.evidence {
            kinds
                .entry(&evidence.rule)
                .or_default()
                .insert(evidence.kind);
        }
    }
    kinds
}

/// Rule ids with evidence of one of `kinds`.
fn rules_with_evidence<'r>(report: &'r Report, kinds: &[EvidenceKind]) -> BTreeSet<&'r str> {
    evidence_kinds(report)
        .into_iter()
        .filter(|(_, found)| kinds.iter().any(|kind| found.contains(kind)))
        .map(|(rule, _)| rule)
        .collect()
}

/// Fails listing every id of `family` that is not among `fired`.
fn assert_all_fire<'a>(
    family: &str,
    ids: impl IntoIterator<Item = &'a str>,
    fired: &BTreeSet<&str>,
) {
    let ids: Vec<&str> = ids.into_iter().collect();
    let silent: Vec<&str> = ids
        .iter()
        .copied()
        .filter(|id| !fired.contains(id))
        .collect();
    assert!(
        silent.is_empty(),
        "{} of {} {family} rules did not fire on fixtures/built/{FIXTURE}: {silent:?}\n{REBUILD}",
        silent.len(),
        ids.len(),
    );
}

#[test]
fn api_rules_all_fire() {
    let report = probe();
    let mut fired: BTreeSet<&str> = evidence_kinds(report).into_keys().collect();
    fired.extend(report.api_calls.iter().map(|call| call.rule.as_str()));
    assert_all_fire("api", rules().apis().iter().map(|r| r.id.as_str()), &fired);
}

/// Each matcher list of an API rule is met by the code it is about: `methods` by an invoke,
/// `fields` by a read, `strings` and `string_prefixes` by a loaded string, `classes` by a
/// reference, `overrides` by a class overriding the callback. A rule that fires only through its strings would hide a method list that matches
/// nothing.
#[test]
fn api_rules_fire_through_every_matcher_list() {
    let kinds = evidence_kinds(probe());
    let mut wrong = Vec::new();
    for rule in rules().apis() {
        let mut expected = BTreeSet::new();
        if !rule.methods.is_empty() {
            expected.insert(EvidenceKind::ApiCall);
        }
        if !rule.fields.is_empty() {
            expected.insert(EvidenceKind::FieldRead);
        }
        if !rule.strings.is_empty() || !rule.string_prefixes.is_empty() {
            expected.insert(EvidenceKind::String);
        }
        if !rule.classes.is_empty() {
            expected.insert(EvidenceKind::ApiReference);
        }
        if !rule.overrides.is_empty() {
            expected.insert(EvidenceKind::Override);
        }
        let found = kinds.get(rule.id.as_str()).cloned().unwrap_or_default();
        if !expected.is_subset(&found) {
            let missing: Vec<_> = expected.difference(&found).collect();
            wrong.push(format!("{}: no evidence of kind {missing:?}", rule.id));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} api rules miss a kind of evidence on fixtures/built/{FIXTURE}:\n{}\n{REBUILD}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// The fixture requests what the API rules need, so its calls are reported without a
/// "the app does not request" caveat (which would also mean the manifest lost a permission).
#[test]
fn probe_requests_every_permission_the_api_rules_need() {
    let lacking: Vec<(&str, &[String])> = probe()
        .api_calls
        .iter()
        .filter(|call| !call.missing_permissions.is_empty())
        .map(|call| (call.rule.as_str(), call.missing_permissions.as_slice()))
        .collect();
    assert!(
        lacking.is_empty(),
        "calls reported without their permission: {lacking:?}\n{REBUILD}"
    );
}

#[test]
fn permission_rules_all_fire() {
    let fired = rules_with_evidence(
        probe(),
        &[EvidenceKind::Permission, EvidenceKind::Component],
    );
    assert_all_fire(
        "permission",
        rules().permissions().iter().map(|r| r.id.as_str()),
        &fired,
    );
}

#[test]
fn native_rules_all_fire() {
    let report = probe();
    let fired = rules_with_evidence(report, &[EvidenceKind::NativeImport]);
    assert_all_fire(
        "native",
        rules().natives().iter().map(|r| r.id.as_str()),
        &fired,
    );
    // The fixture imports every symbol, not only one per rule.
    let imported: BTreeSet<&str> = report
        .native_libs
        .iter()
        .flat_map(|lib| lib.imports.iter().map(String::as_str))
        .collect();
    let silent: Vec<&str> = rules()
        .natives()
        .iter()
        .flat_map(|r| r.symbols.iter().map(String::as_str))
        .filter(|symbol| !imported.contains(symbol))
        .collect();
    assert!(
        silent.is_empty(),
        "native symbols not reported as imports: {silent:?}\n{REBUILD}"
    );
}

/// A library shows in a report as the collector of the calls made in its classes.
#[test]
fn library_rules_all_fire() {
    let fired: BTreeSet<&str> = probe()
        .collectors
        .iter()
        .filter(|collector| collector.kind == dossier::report::CollectorKind::Library)
        .map(|collector| collector.id.as_str())
        .collect();
    assert_all_fire(
        "library",
        rules().libraries().iter().map(|r| r.id.as_str()),
        &fired,
    );
}

/// The longest code entry of `tracker` that covers the dotted class name `class` (0: none).
fn covering_code_len(tracker: &TrackerRule, class: &str) -> usize {
    tracker
        .code
        .iter()
        .filter(|code| {
            if let Some(stem) = code.strip_suffix('*') {
                class.starts_with(stem)
            } else if code.ends_with('.') {
                class.starts_with(code.as_str())
            } else {
                class == code.as_str() || class.starts_with(&format!("{code}$"))
            }
        })
        .map(|code| matched_len(code))
        .max()
        .unwrap_or(0)
}

/// How many characters of a class name a code entry covers (a name prefix's `*` covers none).
fn matched_len(code: &str) -> usize {
    code.strip_suffix('*').map_or(code.len(), str::len)
}

/// Every tracker signature leads back to its tracker: a class under each code prefix (or the
/// class itself and a nested class of it, or classes continuing a name prefix `com.x.sdk*`) is attributed to the tracker, or to one with a longer
/// matching prefix; each host, and a subdomain of it, names the tracker; each meta-data key
/// finds it.
#[test]
fn tracker_rules_all_match_their_signatures() {
    let rules = rules();
    let mut lost = Vec::new();
    for tracker in rules.trackers() {
        for code in &tracker.code {
            let classes = if let Some(stem) = code.strip_suffix('*') {
                // A name prefix: the package of that name, a longer package and a longer class.
                vec![
                    format!("{stem}.DossierProbe"),
                    format!("{stem}dossierprobe.X"),
                    format!("{stem}DossierProbe"),
                ]
            } else if code.ends_with('.') {
                vec![format!("{code}DossierProbe")]
            } else {
                vec![code.clone(), format!("{code}$DossierProbe")]
            };
            for class in classes {
                let descriptor = format!("L{};", class.replace('.', "/"));
                match rules.tracker_for_class(&descriptor) {
                    Some(found) if found.id == tracker.id => {}
                    Some(found) if covering_code_len(found, &class) > matched_len(code) => {}
                    Some(found) => lost.push(format!(
                        "{}: class {class} (code `{code}`) goes to `{}`",
                        tracker.id, found.id
                    )),
                    None => lost.push(format!(
                        "{}: class {class} (code `{code}`) goes to no tracker",
                        tracker.id
                    )),
                }
            }
        }
        for host in &tracker.hosts {
            for name in [host.clone(), format!("dossierprobe.{host}")] {
                if !rules
                    .trackers_for_host(&name)
                    .iter()
                    .any(|t| t.id == tracker.id)
                {
                    lost.push(format!("{}: host {name} does not name it", tracker.id));
                }
            }
        }
        for key in &tracker.meta_data {
            match rules.tracker_for_meta_data(key) {
                Some(found) if found.id == tracker.id => {}
                other => lost.push(format!(
                    "{}: meta-data key {key} goes to {:?}",
                    tracker.id,
                    other.map(|t| &t.id)
                )),
            }
        }
    }
    assert!(
        lost.is_empty(),
        "{} tracker signatures do not lead back to their tracker:\n{}",
        lost.len(),
        lost.join("\n")
    );
}
