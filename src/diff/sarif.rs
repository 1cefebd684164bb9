//! The SARIF 2.1.0 renderer of a diff, so that a code-scanning dashboard shows only what changed.
//!
//! Mapping:
//! - one run; one result per change: an added item has `baselineState` `new`, a removed one
//!   `absent`, a category whose verdict, strength or collectors changed (and the target SDK)
//!   `updated`;
//! - rule ids name the kind of item (`permission`, `category`, `tracker`, `endpoint`, `api_call`,
//!   `native_lib`, `component`, `anomaly`, `target_sdk`); `tool.driver.rules` lists those used;
//! - level `warning` for what adds data collection (a category added as `collected`, a category
//!   now collected or collected by one more collector) and for an added bundled tracker, `note`
//!   for everything else;
//! - `partialFingerprints["dossierDiffItem/v1"]` hashes the rule id and the item's key (the
//!   permission name, category id, tracker id, host, API, ABI and library name, component kind
//!   and name, anomaly code), so one item keeps its fingerprint across versions and a dashboard
//!   can match a `new` result with the `absent` one that later removes it;
//! - the package is each result's logical location (a diff has no file to point into);
//! - `run.properties` holds the two sides and the warnings.
//!
//! Message texts from the app go through [`crate::report::escape::visible`].

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::labels;
use super::model::{Changes, ReportDiff};
use crate::report::escape::visible;
use crate::report::sarif_fingerprint;

const SARIF_SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const FINGERPRINT_KEY: &str = "dossierDiffItem/v1";

/// One result before rule indexes are known.
struct Change {
    rule: &'static str,
    state: &'static str,
    level: &'static str,
    message: String,
    key: Vec<String>,
    item: Value,
}

/// Renders the diff as a SARIF 2.1.0 log (pretty JSON, trailing newline).
pub fn render_diff_sarif(diff: &ReportDiff) -> String {
    let changes = changes(diff);
    let rules: Vec<&'static str> = changes
        .iter()
        .map(|c| c.rule)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let package = labels::package(&diff.new);
    let results: Vec<Value> = changes
        .iter()
        .map(|change| {
            let key: Vec<&str> = change.key.iter().map(String::as_str).collect();
            json!({
                "ruleId": change.rule,
                "ruleIndex": rules.iter().position(|r| *r == change.rule),
                "level": change.level,
                "baselineState": change.state,
                "message": {"text": change.message},
                "locations": [{
                    "logicalLocations": [{
                        "fullyQualifiedName": visible(package),
                        "kind": "module",
                    }]
                }],
                "partialFingerprints": {
                    FINGERPRINT_KEY: sarif_fingerprint(change.rule, &key),
                },
                "properties": {"item": change.item},
            })
        })
        .collect();
    let rule_descriptors: Vec<Value> = rules
        .iter()
        .map(|id| {
            json!({
                "id": id,
                "shortDescription": {"text": rule_description(id)},
            })
        })
        .collect();
    let log = json!({
        "$schema": SARIF_SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "dossier",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rule_descriptors,
            }},
            "results": results,
            "properties": {
                "diffSchemaVersion": diff.schema_version,
                "old": diff.old,
                "new": diff.new,
                "warnings": diff.warnings,
            },
        }]
    });
    // A tree of strings, numbers and string-keyed maps: serialization cannot fail.
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}

fn rule_description(id: &str) -> &'static str {
    match id {
        "permission" => "A permission the app requests was added or removed.",
        "category" => {
            "A category of personal data appeared, disappeared or changed verdict, strength or collectors."
        }
        "tracker" => "A tracker SDK was added or removed.",
        "endpoint" => "A host the app talks to was added or removed.",
        "api_call" => "A call to a sensitive API was added or removed.",
        "native_lib" => "A native library was added or removed.",
        "component" => "An exported component was added or removed.",
        "anomaly" => "A kind of anomaly in the file appeared or disappeared.",
        _ => "The target SDK changed, and with it what some permissions grant.",
    }
}

/// Every change of the diff, section by section in the model's order.
fn changes(diff: &ReportDiff) -> Vec<Change> {
    let mut out = Vec::new();
    keyed(&mut out, &diff.permissions, "permission", |p| {
        let protection = p
            .protection
            .as_deref()
            .map(|l| format!(" ({})", visible(l)))
            .unwrap_or_default();
        (
            "note",
            format!("permission {}{protection}", visible(&p.name)),
            vec![p.name.clone()],
        )
    });
    categories(&mut out, diff);
    keyed(&mut out, &diff.trackers, "tracker", |t| {
        let owner = labels::owner_country(t.owner_name.as_deref(), t.country.as_deref());
        let owner = if owner.is_empty() {
            String::new()
        } else {
            format!(", {}", visible(&owner))
        };
        (
            if t.confirmed { "warning" } else { "note" },
            format!(
                "tracker {}{}{owner}",
                visible(&t.name),
                labels::hint_suffix(t)
            ),
            vec![t.id.clone()],
        )
    });
    keyed(&mut out, &diff.endpoints, "endpoint", |e| {
        let owner = labels::owner_country(e.owner_name.as_deref(), e.country.as_deref());
        let owner = if owner.is_empty() {
            String::new()
        } else {
            format!(", {}", visible(&owner))
        };
        let country = if e.new_country {
            " (a country no host of the old version is in)"
        } else {
            ""
        };
        (
            "note",
            format!("host {}{owner}{country}", visible(&e.host)),
            vec![e.host.clone()],
        )
    });
    keyed(&mut out, &diff.api_calls, "api_call", |a| {
        let by = match &a.collector {
            Some(collector) => format!(" by {}", visible(collector)),
            None => " (no call site)".to_owned(),
        };
        (
            "note",
            format!("call to {}{by}", visible(&a.api)),
            vec![a.api.clone(), a.collector.clone().unwrap_or_default()],
        )
    });
    keyed(&mut out, &diff.native_libs, "native_lib", |l| {
        (
            "note",
            format!("native library {} ({})", visible(&l.name), visible(&l.abi)),
            vec![l.abi.clone(), l.name.clone()],
        )
    });
    keyed(&mut out, &diff.components, "component", |c| {
        let guard = c.permission.as_deref().map_or_else(
            || " with no permission".to_owned(),
            |p| format!(" guarded by {}", visible(p)),
        );
        (
            "note",
            format!("exported {} {}{guard}", visible(&c.kind), visible(&c.name)),
            vec![c.kind.clone(), c.name.clone()],
        )
    });
    keyed(&mut out, &diff.anomalies, "anomaly", |a| {
        (
            "note",
            format!("anomaly {} ({} times)", visible(&a.code), a.count),
            vec![a.code.clone()],
        )
    });
    if let Some(sdk) = &diff.target_sdk {
        let mut message = format!("target SDK {}", labels::sdk_step(sdk.old, sdk.new));
        for note in &sdk.notes {
            message.push_str("; ");
            message.push_str(&visible(note));
        }
        out.push(Change {
            rule: "target_sdk",
            state: "updated",
            level: "note",
            message,
            key: Vec::new(),
            item: serde_json::to_value(sdk).unwrap_or(Value::Null),
        });
    }
    out
}

/// Pushes one change per added (`new`) and removed (`absent`) item; `describe` gives its level
/// when added, its message without the verb, and its key. A removal is always a note.
fn keyed<T: serde::Serialize>(
    out: &mut Vec<Change>,
    changes: &Changes<T>,
    rule: &'static str,
    describe: impl Fn(&T) -> (&'static str, String, Vec<String>),
) {
    for (state, verb, items) in [
        ("new", "added", &changes.added),
        ("absent", "removed", &changes.removed),
    ] {
        for item in items {
            let (level, message, key) = describe(item);
            out.push(Change {
                rule,
                state,
                level: if state == "new" { level } else { "note" },
                message: format!("{verb} {message}"),
                key,
                item: serde_json::to_value(item).unwrap_or(Value::Null),
            });
        }
    }
}

fn categories(out: &mut Vec<Change>, diff: &ReportDiff) {
    let categories = &diff.categories;
    let collected = |c: &super::model::CategoryItem| c.verdict == crate::report::Verdict::Collected;
    for (state, verb, items) in [
        ("new", "added", &categories.added),
        ("absent", "removed", &categories.removed),
    ] {
        for c in items {
            let by = if c.collected_by.is_empty() {
                String::new()
            } else {
                format!(" by {}", visible(&c.collected_by.join(", ")))
            };
            out.push(Change {
                rule: "category",
                state,
                level: if state == "new" && collected(c) {
                    "warning"
                } else {
                    "note"
                },
                message: format!(
                    "{verb} category {}: {}{by}",
                    visible(&c.id),
                    labels::category_state(c)
                ),
                key: vec![c.id.clone()],
                item: serde_json::to_value(c).unwrap_or(Value::Null),
            });
        }
    }
    for change in &categories.changed {
        let mut parts = labels::category_steps(change);
        for (words, ids) in labels::collector_steps(change) {
            if !ids.is_empty() {
                parts.push(format!("{words} {}", visible(&ids.join(", "))));
            }
        }
        let more_collection = change
            .verdict
            .is_some_and(|v| v.new == crate::report::Verdict::Collected)
            || !change.collected_by_added.is_empty();
        out.push(Change {
            rule: "category",
            state: "updated",
            level: if more_collection { "warning" } else { "note" },
            message: format!(
                "changed category {}: {}",
                visible(&change.id),
                parts.join("; ")
            ),
            key: vec![change.id.clone()],
            item: serde_json::to_value(change).unwrap_or(Value::Null),
        });
    }
}
