//! `dossier diff`: what changed between two reports of an app (usually two versions), keyed on
//! what each finding is — permission names, category ids, tracker ids, hosts, APIs, collector ids
//! — so that call-site offsets, DEX numbering, classes R8 renamed and the order of anything never
//! show up as a change. Pure: it reads two [`Report`]s; scanning and rendering are the caller's.
//!
//! [`Gate`] conditions (`new-tracker`, `new-permission`, ...) turn a diff into a CI verdict.

mod html;
mod json;
mod labels;
mod markdown;
mod model;
mod sarif;
mod text;

use std::collections::{BTreeMap, BTreeSet};

pub use html::{render_diff_html, render_timeline_html};
pub use json::{render_diff_json, render_timeline_json};
pub use markdown::{render_diff_markdown, render_timeline_markdown};
pub use model::*;
pub use sarif::render_diff_sarif;
pub use text::{render_diff_text, render_timeline_text};

use crate::report::{Report, Verdict};

/// Target SDK levels at which Android changes what a permission grants; crossing one is noted.
const TARGET_SDK_MILESTONES: &[(u32, &str)] = &[
    (16, "below API 16 READ_CONTACTS also grants the call log"),
    (
        23,
        "from API 23 dangerous permissions are asked at run time",
    ),
    (
        29,
        "below API 29 a location permission also works in the background",
    ),
    (
        30,
        "from API 30 package visibility applies: listing installed apps needs QUERY_ALL_PACKAGES",
    ),
    (
        33,
        "from API 33 media needs READ_MEDIA_* instead of READ_EXTERNAL_STORAGE",
    ),
];

/// Compares two reports. The result says what `new` has that `old` lacks and the reverse.
pub fn diff_reports(old: &Report, new: &Report) -> ReportDiff {
    let mut warnings = Vec::new();
    if old.tool.rules_digest != new.tool.rules_digest {
        warnings.push(format!(
            "the reports were made with different rules ({} and {}): a change may come from the rules, not the app",
            short(&old.tool.rules_digest),
            short(&new.tool.rules_digest)
        ));
    }
    if old.app.package != new.app.package {
        warnings.push(format!(
            "different packages: {} and {}",
            old.app.package.as_deref().unwrap_or("(none)"),
            new.app.package.as_deref().unwrap_or("(none)")
        ));
    }
    for (side, report) in [("old", old), ("new", new)] {
        if !report.status.reasons.is_empty() {
            warnings.push(format!(
                "the {side} scan is partial ({} part(s) unread): its findings may be missing",
                report.status.reasons.len()
            ));
        }
    }
    warnings.sort();
    ReportDiff {
        schema_version: DIFF_SCHEMA_VERSION.to_owned(),
        old: side(old),
        new: side(new),
        warnings,
        target_sdk: target_sdk(old.app.target_sdk, new.app.target_sdk),
        permissions: keyed(permissions(old), permissions(new)),
        categories: categories(old, new),
        trackers: keyed(trackers(old), trackers(new)),
        endpoints: endpoints(old, new),
        api_calls: keyed(api_calls(old), api_calls(new)),
        native_libs: keyed(native_libs(old), native_libs(new)),
        components: keyed(components(old), components(new)),
        anomalies: keyed(anomalies(old), anomalies(new)),
    }
}

impl ReportDiff {
    /// Whether nothing changed (warnings aside).
    pub fn is_empty(&self) -> bool {
        self.target_sdk.is_none()
            && self.permissions.is_empty()
            && self.categories.is_empty()
            && self.trackers.is_empty()
            && self.endpoints.is_empty()
            && self.api_calls.is_empty()
            && self.native_libs.is_empty()
            && self.components.is_empty()
            && self.anomalies.is_empty()
    }
}

fn short(digest: &str) -> &str {
    digest.get(..12).unwrap_or(digest)
}

fn side(report: &Report) -> DiffSide {
    DiffSide {
        package: report.app.package.clone(),
        version_code: report.app.version_code,
        version_name: report.app.version_name.clone(),
        sha256: report.input.sha256.clone(),
        target_sdk: report.app.target_sdk,
        rules_digest: report.tool.rules_digest.clone(),
    }
}

fn target_sdk(old: Option<u32>, new: Option<u32>) -> Option<TargetSdkChange> {
    if old == new {
        return None;
    }
    let (low, high) = {
        let a = old.unwrap_or(1);
        let b = new.unwrap_or(1);
        (a.min(b), a.max(b))
    };
    let notes = TARGET_SDK_MILESTONES
        .iter()
        .filter(|(level, _)| low < *level && *level <= high)
        .map(|(_, note)| (*note).to_owned())
        .collect();
    Some(TargetSdkChange { old, new, notes })
}

/// Added and removed items of two keyed maps, in key order.
fn keyed<K: Ord, T: Clone>(old: BTreeMap<K, T>, new: BTreeMap<K, T>) -> Changes<T> {
    Changes {
        added: new
            .iter()
            .filter(|(k, _)| !old.contains_key(k))
            .map(|(_, v)| v.clone())
            .collect(),
        removed: old
            .iter()
            .filter(|(k, _)| !new.contains_key(k))
            .map(|(_, v)| v.clone())
            .collect(),
    }
}

fn permissions(report: &Report) -> BTreeMap<String, PermissionItem> {
    report
        .permissions
        .iter()
        .map(|p| {
            (
                p.name.clone(),
                PermissionItem {
                    name: p.name.clone(),
                    protection: p.protection.clone(),
                },
            )
        })
        .collect()
}

fn category_item(c: &crate::report::CategoryFinding) -> CategoryItem {
    CategoryItem {
        id: c.id.clone(),
        verdict: c.verdict,
        strength: c.strength,
        collected_by: c.collected_by.clone(),
        collectors: c.collectors.clone(),
    }
}

fn categories(old: &Report, new: &Report) -> CategoryChanges {
    let old_map: BTreeMap<&str, CategoryItem> = old
        .categories
        .iter()
        .map(|c| (c.id.as_str(), category_item(c)))
        .collect();
    let new_map: BTreeMap<&str, CategoryItem> = new
        .categories
        .iter()
        .map(|c| (c.id.as_str(), category_item(c)))
        .collect();
    let mut changes = CategoryChanges::default();
    for (id, item) in &new_map {
        match old_map.get(id) {
            None => changes.added.push(item.clone()),
            Some(before) => {
                let change = CategoryChange {
                    id: (*id).to_owned(),
                    verdict: (before.verdict != item.verdict).then_some(Step {
                        old: before.verdict,
                        new: item.verdict,
                    }),
                    strength: (before.strength != item.strength).then_some(Step {
                        old: before.strength,
                        new: item.strength,
                    }),
                    collected_by_added: minus(&item.collected_by, &before.collected_by),
                    collected_by_removed: minus(&before.collected_by, &item.collected_by),
                    collectors_added: minus(&item.collectors, &before.collectors),
                    collectors_removed: minus(&before.collectors, &item.collectors),
                };
                let changed = change.verdict.is_some()
                    || change.strength.is_some()
                    || !change.collected_by_added.is_empty()
                    || !change.collected_by_removed.is_empty()
                    || !change.collectors_added.is_empty()
                    || !change.collectors_removed.is_empty();
                if changed {
                    changes.changed.push(change);
                }
            }
        }
    }
    changes.removed = old_map
        .iter()
        .filter(|(id, _)| !new_map.contains_key(*id))
        .map(|(_, item)| item.clone())
        .collect();
    changes
}

/// The items of `a` not in `b`, sorted.
fn minus(a: &[String], b: &[String]) -> Vec<String> {
    let b: BTreeSet<&String> = b.iter().collect();
    let mut out: Vec<String> = a.iter().filter(|x| !b.contains(x)).cloned().collect();
    out.sort();
    out.dedup();
    out
}

fn trackers(report: &Report) -> BTreeMap<(String, bool), TrackerItem> {
    report
        .trackers
        .iter()
        .map(|t| {
            (
                (t.id.clone(), t.confirmed),
                TrackerItem {
                    id: t.id.clone(),
                    name: t.name.clone(),
                    owner_name: t.owner_name.clone(),
                    country: t.country.clone(),
                    confirmed: t.confirmed,
                },
            )
        })
        .collect()
}

/// Endpoints by host (links included: a new privacy-policy host is a change too).
fn hosts(report: &Report) -> BTreeMap<String, EndpointItem> {
    let mut by_host: BTreeMap<String, EndpointItem> = BTreeMap::new();
    for endpoint in &report.endpoints {
        let host = endpoint.host.to_ascii_lowercase();
        let item = by_host.entry(host.clone()).or_insert_with(|| EndpointItem {
            host,
            owner_name: endpoint.owner_name.clone(),
            country: endpoint.country.clone(),
            new_country: false,
            urls: Vec::new(),
        });
        item.urls.push(endpoint.url.clone());
    }
    for item in by_host.values_mut() {
        item.urls.sort();
        item.urls.dedup();
    }
    by_host
}

fn endpoints(old: &Report, new: &Report) -> Changes<EndpointItem> {
    let old_hosts = hosts(old);
    let new_hosts = hosts(new);
    let countries = |hosts: &BTreeMap<String, EndpointItem>| -> BTreeSet<String> {
        hosts.values().filter_map(|h| h.country.clone()).collect()
    };
    let old_countries = countries(&old_hosts);
    let mut changes = keyed(old_hosts, new_hosts);
    for item in &mut changes.added {
        item.new_country = item
            .country
            .as_ref()
            .is_some_and(|c| !old_countries.contains(c));
    }
    changes
}

/// Sensitive APIs by (signature, calling collector); an API no instruction uses is keyed with
/// no collector.
fn api_calls(report: &Report) -> BTreeMap<(String, Option<String>), ApiItem> {
    let mut by_key: BTreeMap<(String, Option<String>), ApiItem> = BTreeMap::new();
    for call in &report.api_calls {
        let collectors: BTreeSet<Option<String>> = if call.sites.is_empty() {
            BTreeSet::from([None])
        } else {
            call.sites
                .iter()
                .map(|s| Some(s.collector.clone()))
                .collect()
        };
        for collector in collectors {
            let item = by_key
                .entry((call.api.clone(), collector.clone()))
                .or_insert_with(|| ApiItem {
                    api: call.api.clone(),
                    collector,
                    categories: Vec::new(),
                    strength: call.strength,
                });
            item.categories.extend(call.categories.iter().cloned());
            item.strength = item.strength.max(call.strength);
        }
    }
    for item in by_key.values_mut() {
        item.categories.sort();
        item.categories.dedup();
    }
    by_key
}

fn native_libs(report: &Report) -> BTreeMap<(String, String), NativeLibItem> {
    report
        .native_libs
        .iter()
        .map(|lib| {
            let name = lib
                .location
                .entry
                .rsplit('/')
                .next()
                .unwrap_or(&lib.location.entry)
                .to_owned();
            let item = NativeLibItem {
                abi: lib.abi.clone(),
                name,
            };
            ((item.abi.clone(), item.name.clone()), item)
        })
        .collect()
}

fn components(report: &Report) -> BTreeMap<(String, String), ComponentItem> {
    report
        .exported_components
        .iter()
        .map(|c| {
            (
                (c.kind.clone(), c.name.clone()),
                ComponentItem {
                    kind: c.kind.clone(),
                    name: c.name.clone(),
                    permission: c.permission.clone(),
                },
            )
        })
        .collect()
}

fn anomalies(report: &Report) -> BTreeMap<String, AnomalyItem> {
    let mut by_code: BTreeMap<String, AnomalyItem> = BTreeMap::new();
    for anomaly in &report.anomalies {
        by_code
            .entry(anomaly.code.clone())
            .or_insert_with(|| AnomalyItem {
                code: anomaly.code.clone(),
                count: 0,
            })
            .count += 1;
    }
    by_code
}

/// One version's cells of a presence table: id → (label, cell value).
type Cells = BTreeMap<String, (String, String)>;

/// Orders three or more reports by version code (stable: equal or missing codes keep the order
/// given) and compares each with the next.
pub fn timeline(reports: &[Report]) -> Timeline {
    let mut order: Vec<usize> = (0..reports.len()).collect();
    order.sort_by_key(|&i| reports[i].app.version_code.unwrap_or(0));
    let reordered = order.iter().enumerate().any(|(pos, &i)| pos != i);
    let sorted: Vec<&Report> = order.iter().map(|&i| &reports[i]).collect();
    let steps = sorted
        .windows(2)
        .map(|pair| diff_reports(pair[0], pair[1]))
        .collect();
    let rows = |cell: &dyn Fn(&Report) -> Cells| {
        let per_version: Vec<Cells> = sorted.iter().map(|r| cell(r)).collect();
        let mut labels: BTreeMap<String, String> = BTreeMap::new();
        for version in &per_version {
            for (id, (label, _)) in version {
                labels.entry(id.clone()).or_insert_with(|| label.clone());
            }
        }
        labels
            .into_iter()
            .map(|(id, label)| PresenceRow {
                cells: per_version
                    .iter()
                    .map(|v| v.get(&id).map(|(_, value)| value.clone()))
                    .collect(),
                id,
                label,
            })
            .collect::<Vec<_>>()
    };
    let categories = rows(&|r: &Report| {
        r.categories
            .iter()
            .map(|c| {
                let verdict = serde_json::to_value(c.verdict)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                (c.id.clone(), (c.id.clone(), verdict))
            })
            .collect()
    });
    let trackers = rows(&|r: &Report| {
        r.trackers
            .iter()
            .map(|t| {
                let state = if t.confirmed { "confirmed" } else { "hint" };
                (t.id.clone(), (t.name.clone(), state.to_owned()))
            })
            .collect()
    });
    let owners = rows(&|r: &Report| {
        let mut count: BTreeMap<String, (String, BTreeSet<String>)> = BTreeMap::new();
        for e in &r.endpoints {
            let id = e.owner.clone().unwrap_or_else(|| "unknown".to_owned());
            let label = match (&e.owner_name, &e.country) {
                (Some(name), Some(country)) => format!("{name} ({country})"),
                (Some(name), None) => name.clone(),
                _ => "unknown owner".to_owned(),
            };
            count
                .entry(id)
                .or_insert_with(|| (label, BTreeSet::new()))
                .1
                .insert(e.host.to_ascii_lowercase());
        }
        count
            .into_iter()
            .map(|(id, (label, hosts))| (id, (label, hosts.len().to_string())))
            .collect()
    });
    Timeline {
        schema_version: DIFF_SCHEMA_VERSION.to_owned(),
        versions: sorted.iter().map(|r| side(r)).collect(),
        reordered,
        steps,
        categories,
        trackers,
        owners,
    }
}

/// A condition under which `dossier diff --fail-on` fails a build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Gate {
    /// A category is added, or turns `collected`.
    NewCategory,
    /// A category's verdict goes up (`blocked` → `possible` → `collected`) or its strength rises.
    StrongerVerdict,
    /// A tracker SDK is added (hints included).
    NewTracker,
    /// A permission is requested that was not (other than the app's own, under its package name).
    NewPermission,
    /// A dangerous (runtime) permission is requested that was not.
    NewDangerousPermission,
    /// An endpoint host owned in a country no endpoint of the old version was in.
    NewEndpointCountry,
    /// An endpoint host is added.
    NewEndpoint,
    /// A component is newly exported.
    NewExportedComponent,
}

impl Gate {
    /// Every gate with its command-line name.
    pub const ALL: [(Gate, &'static str); 8] = [
        (Gate::NewCategory, "new-category"),
        (Gate::StrongerVerdict, "stronger-verdict"),
        (Gate::NewTracker, "new-tracker"),
        (Gate::NewPermission, "new-permission"),
        (Gate::NewDangerousPermission, "new-dangerous-permission"),
        (Gate::NewEndpointCountry, "new-endpoint-country"),
        (Gate::NewEndpoint, "new-endpoint"),
        (Gate::NewExportedComponent, "new-exported-component"),
    ];

    /// The gate of a command-line name.
    pub fn parse(name: &str) -> Option<Gate> {
        Gate::ALL.iter().find(|(_, n)| *n == name).map(|(g, _)| *g)
    }

    pub fn name(self) -> &'static str {
        Gate::ALL
            .iter()
            .find(|(g, _)| *g == self)
            .map_or("", |(_, n)| n)
    }

    /// What in `diff` meets this gate, one line each; empty when it is not met.
    pub fn reasons(self, diff: &ReportDiff) -> Vec<String> {
        match self {
            Gate::NewCategory => {
                let mut out: Vec<String> = diff
                    .categories
                    .added
                    .iter()
                    .filter(|c| c.verdict == Verdict::Collected)
                    .map(|c| format!("category {} is collected", c.id))
                    .collect();
                out.extend(
                    diff.categories
                        .changed
                        .iter()
                        .filter(|c| c.verdict.is_some_and(|v| v.new == Verdict::Collected))
                        .map(|c| format!("category {} is now collected", c.id)),
                );
                out
            }
            Gate::StrongerVerdict => diff
                .categories
                .changed
                .iter()
                .filter(|c| {
                    c.verdict.is_some_and(|v| rank(v.new) > rank(v.old))
                        || c.strength.is_some_and(|s| s.new > s.old)
                })
                .map(|c| format!("category {} is stronger", c.id))
                .collect(),
            Gate::NewTracker => diff
                .trackers
                .added
                .iter()
                .map(|t| format!("tracker {}", t.name))
                .collect(),
            // The app's own permissions (AndroidX adds `<package>.DYNAMIC_RECEIVER_NOT_EXPORTED_
            // PERMISSION` to every app targeting API 33) grant nothing of the user's.
            Gate::NewPermission => diff
                .permissions
                .added
                .iter()
                .filter(|p| !own_permission(diff, &p.name))
                .map(|p| format!("permission {}", p.name))
                .collect(),
            Gate::NewDangerousPermission => diff
                .permissions
                .added
                .iter()
                .filter(|p| p.is_dangerous())
                .map(|p| format!("dangerous permission {}", p.name))
                .collect(),
            Gate::NewEndpointCountry => diff
                .endpoints
                .added
                .iter()
                .filter(|e| e.new_country)
                .map(|e| {
                    format!(
                        "host {} in a new country ({})",
                        e.host,
                        e.country.as_deref().unwrap_or("?")
                    )
                })
                .collect(),
            Gate::NewEndpoint => diff
                .endpoints
                .added
                .iter()
                .map(|e| format!("host {}", e.host))
                .collect(),
            Gate::NewExportedComponent => diff
                .components
                .added
                .iter()
                .map(|c| format!("exported {} {}", c.kind, c.name))
                .collect(),
        }
    }
}

/// Whether a permission is one the app defines under its own package name.
fn own_permission(diff: &ReportDiff, name: &str) -> bool {
    [&diff.old.package, &diff.new.package]
        .into_iter()
        .flatten()
        .any(|package| {
            name.strip_prefix(package.as_str())
                .is_some_and(|rest| rest.starts_with('.'))
        })
}

/// Verdicts ordered by how much they say the app collects.
fn rank(verdict: Verdict) -> u8 {
    match verdict {
        Verdict::Blocked => 0,
        Verdict::Possible => 1,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gate_names_round_trip_and_unknown_names_are_none() {
        for (gate, name) in Gate::ALL {
            assert_eq!(Gate::parse(name), Some(gate));
            assert_eq!(gate.name(), name);
        }
        assert_eq!(Gate::parse("new-moon"), None);
    }

    #[test]
    fn a_target_sdk_change_notes_the_milestones_it_crosses() {
        assert!(target_sdk(Some(30), Some(30)).is_none());
        let up = target_sdk(Some(28), Some(31)).unwrap();
        assert_eq!(up.notes.len(), 2, "{:?}", up.notes);
        assert!(up.notes[0].contains("background"));
        assert!(up.notes[1].contains("QUERY_ALL_PACKAGES"));
        // Going down crosses the same milestones.
        assert_eq!(target_sdk(Some(31), Some(28)).unwrap().notes, up.notes);
        // A missing target is API 1 for Android.
        let from_none = target_sdk(None, Some(16)).unwrap();
        assert_eq!(from_none.notes.len(), 1);
    }

    #[test]
    fn keyed_changes_are_set_differences_in_key_order() {
        let old: BTreeMap<&str, &str> = [("a", "A"), ("b", "B")].into_iter().collect();
        let new: BTreeMap<&str, &str> = [("b", "B2"), ("c", "C")].into_iter().collect();
        let changes = keyed(old, new);
        assert_eq!(changes.added, ["C"]);
        assert_eq!(changes.removed, ["A"]);
        assert_eq!(minus(&["x".into(), "y".into()], &["y".into()]), ["x"]);
    }
}
