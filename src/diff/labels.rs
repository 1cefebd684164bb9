//! Words and counts the diff renderers (Markdown, HTML, SARIF) share, as plain unescaped text:
//! each renderer escapes them for its medium.

use super::model::{
    CategoryChange, CategoryItem, DiffSide, EndpointItem, PermissionItem, ReportDiff, TrackerItem,
};
pub(super) use crate::report::view::{strength_label, verdict_label};

/// How a version is named: `1.2 (12)`, `1.2`, `code 12`, or `?`.
pub(super) fn version(side: &DiffSide) -> String {
    match (&side.version_name, side.version_code) {
        (Some(name), Some(code)) => format!("{name} ({code})"),
        (Some(name), None) => name.clone(),
        (None, Some(code)) => format!("code {code}"),
        (None, None) => "?".to_owned(),
    }
}

/// The package a diff or a timeline is about, or a stand-in when the input had none.
pub(super) fn package(side: &DiffSide) -> &str {
    side.package.as_deref().unwrap_or("(no package)")
}

/// Owner and country of a tracker or host: `Google (US)`, `Google`, `(US)`, or empty.
pub(super) fn owner_country(owner: Option<&str>, country: Option<&str>) -> String {
    match (owner, country) {
        (Some(owner), Some(country)) => format!("{owner} ({country})"),
        (Some(owner), None) => owner.to_owned(),
        (None, Some(country)) => format!("({country})"),
        (None, None) => String::new(),
    }
}

/// What a category that appeared or disappeared was on its side: `collected (called)`.
pub(super) fn category_state(item: &CategoryItem) -> String {
    format!(
        "{} ({})",
        verdict_label(item.verdict),
        strength_label(item.strength)
    )
}

/// The parts of a category change that are not collector ids, in reading order:
/// `possible → collected`, `strength referenced → called`.
pub(super) fn category_steps(change: &CategoryChange) -> Vec<String> {
    let mut parts = Vec::new();
    if let Some(step) = change.verdict {
        parts.push(format!(
            "{} → {}",
            verdict_label(step.old),
            verdict_label(step.new)
        ));
    }
    if let Some(step) = change.strength {
        parts.push(format!(
            "strength {} → {}",
            strength_label(step.old),
            strength_label(step.new)
        ));
    }
    parts
}

/// The collector lists of a category change, each with the words that introduce it.
pub(super) fn collector_steps(change: &CategoryChange) -> [(&'static str, &[String]); 4] {
    [
        ("now also collected by", &change.collected_by_added),
        ("no longer collected by", &change.collected_by_removed),
        ("now also in the code of", &change.collectors_added),
        ("no longer in the code of", &change.collectors_removed),
    ]
}

/// ` (hint)` after a tracker whose classes are not bundled, nothing otherwise.
pub(super) fn hint_suffix(item: &TrackerItem) -> &'static str {
    if item.confirmed { "" } else { " (hint)" }
}

/// Hosts listed with their URLs: how many URLs each shows before "… n more".
pub(super) const URLS_PER_HOST: usize = 5;

/// The URLs of a host to show, and how many are left out.
pub(super) fn shown_urls(item: &EndpointItem) -> (&[String], usize) {
    let shown = item.urls.len().min(URLS_PER_HOST);
    (&item.urls[..shown], item.urls.len() - shown)
}

/// Each section that changed with its counts (added, removed, changed), in the order every
/// renderer shows the sections; empty when nothing changed.
pub(super) fn section_counts(diff: &ReportDiff) -> Vec<(&'static str, usize, usize, usize)> {
    let rows = [
        (
            "permissions",
            diff.permissions.added.len(),
            diff.permissions.removed.len(),
            0,
        ),
        (
            "data categories",
            diff.categories.added.len(),
            diff.categories.removed.len(),
            diff.categories.changed.len(),
        ),
        (
            "trackers",
            diff.trackers.added.len(),
            diff.trackers.removed.len(),
            0,
        ),
        (
            "endpoint hosts",
            diff.endpoints.added.len(),
            diff.endpoints.removed.len(),
            0,
        ),
        (
            "API calls",
            diff.api_calls.added.len(),
            diff.api_calls.removed.len(),
            0,
        ),
        (
            "native libraries",
            diff.native_libs.added.len(),
            diff.native_libs.removed.len(),
            0,
        ),
        (
            "exported components",
            diff.components.added.len(),
            diff.components.removed.len(),
            0,
        ),
        (
            "anomalies",
            diff.anomalies.added.len(),
            diff.anomalies.removed.len(),
            0,
        ),
        ("target SDK", 0, 0, usize::from(diff.target_sdk.is_some())),
    ];
    rows.into_iter()
        .filter(|(_, added, removed, changed)| added + removed + changed > 0)
        .collect()
}

/// `+2 −1 ~3`, leaving out zero counts.
pub(super) fn counts_text(added: usize, removed: usize, changed: usize) -> String {
    let mut parts = Vec::new();
    if added > 0 {
        parts.push(format!("+{added}"));
    }
    if removed > 0 {
        parts.push(format!("−{removed}"));
    }
    if changed > 0 {
        parts.push(format!("~{changed}"));
    }
    parts.join(" ")
}

/// Permissions with dangerous ones first, then by name (the model's order).
pub(super) fn dangerous_first(items: &[PermissionItem]) -> Vec<&PermissionItem> {
    let mut sorted: Vec<_> = items.iter().collect();
    sorted.sort_by_key(|p| !p.is_dangerous());
    sorted
}

/// `10 → 33`, with `?` for a missing level.
pub(super) fn sdk_step(old: Option<u32>, new: Option<u32>) -> String {
    let level = |l: Option<u32>| l.map_or_else(|| "?".to_owned(), |l| l.to_string());
    format!("{} → {}", level(old), level(new))
}
