//! Derived views of a [`Report`] that several renderers show the same way: display names of
//! collectors, endpoints grouped by owner, the strength of one collector in one category,
//! Java-style names from DEX descriptors, short store labels. Nothing here escapes: callers pass
//! every string through [`super::escape`] for their medium.

use super::model::{CategoryFinding, Endpoint, EvidenceKind, Location, Report, Strength};

/// The word a reader sees for a strength; the same as its JSON spelling.
pub fn strength_label(strength: Strength) -> &'static str {
    match strength {
        Strength::Declared => "declared",
        Strength::Referenced => "referenced",
        Strength::Reflective => "reflective",
        Strength::Native => "native",
        Strength::Called => "called",
    }
}

/// What an evidence kind means, in words.
pub fn evidence_kind_label(kind: EvidenceKind) -> &'static str {
    match kind {
        EvidenceKind::Permission => "permission",
        EvidenceKind::Component => "component",
        EvidenceKind::MetaData => "meta-data",
        EvidenceKind::ApiCall => "api call",
        EvidenceKind::FieldRead => "field read",
        EvidenceKind::ApiReference => "api reference",
        EvidenceKind::String => "string",
        EvidenceKind::Reflection => "reflection",
        EvidenceKind::NativeImport => "native import",
        EvidenceKind::Tracker => "tracker code",
        EvidenceKind::Host => "host",
        EvidenceKind::Override => "callback override",
    }
}

/// The display name of a collector id, or the id itself when the report does not name it.
pub fn collector_name<'a>(report: &'a Report, id: &'a str) -> &'a str {
    report
        .collectors
        .iter()
        .find(|c| c.id == id)
        .map_or(id, |c| c.name.as_str())
}

/// The display name of an owner id, taken from the endpoints that name it; the id otherwise.
pub fn owner_name<'a>(report: &'a Report, owner: &'a str) -> &'a str {
    report
        .endpoints
        .iter()
        .filter(|e| e.owner.as_deref() == Some(owner))
        .find_map(|e| e.owner_name.as_deref())
        .or_else(|| {
            report
                .trackers
                .iter()
                .filter(|t| t.owner.as_deref() == Some(owner))
                .find_map(|t| t.owner_name.as_deref())
        })
        .unwrap_or(owner)
}

/// Collector ids that appear in any category, in the order of `report.collectors` (sorted by id)
/// with the app's own code first, then any id the collectors list does not describe.
pub fn category_collectors(report: &Report) -> Vec<String> {
    let mut used: Vec<String> = report
        .categories
        .iter()
        .flat_map(|c| {
            c.collectors
                .iter()
                .cloned()
                .chain(c.evidence.iter().filter_map(|e| e.collector.clone()))
        })
        .collect();
    used.sort();
    used.dedup();
    used.sort_by_key(|id| id != "app");
    used
}

/// The strongest evidence of `collector` in `category`; `None` when none of the evidence is
/// attributed to it (the category may still list it as a collector).
pub fn collector_strength(category: &CategoryFinding, collector: &str) -> Option<Strength> {
    category
        .evidence
        .iter()
        .filter(|e| e.collector.as_deref() == Some(collector))
        .map(|e| e.strength)
        .max()
}

/// The part of a store label after its last `›` (`Location › Precise location` → `Precise
/// location`), for tables too narrow for the whole path.
pub fn short_store_label(label: &str) -> &str {
    // "App info and performance › Diagnostics (IP-derived location: Location › Approximate
    // location)": the type is what follows the first '›', up to any parenthesised aside.
    let after = label.split_once('›').map_or(label, |(_, rest)| rest);
    after.split(" (").next().unwrap_or(after).trim()
}

/// `Lcom/example/Foo$Bar;` → `com.example.Foo$Bar`; anything that is not a class descriptor is
/// returned unchanged.
pub fn java_class_name(descriptor: &str) -> String {
    match descriptor
        .strip_prefix('L')
        .and_then(|d| d.strip_suffix(';'))
    {
        Some(inner) => inner.replace('/', "."),
        None => descriptor.to_owned(),
    }
}

/// Endpoints of one organisation (or of no known one), with its country.
pub struct EndpointGroup<'a> {
    /// Owner id; `None` for hosts no rule attributes.
    pub owner: Option<&'a str>,
    /// Display name: the owner's name, its id, or `unknown owner`.
    pub name: &'a str,
    pub country: Option<&'a str>,
    /// Sorted by url, as in the report.
    pub endpoints: Vec<&'a Endpoint>,
}

/// Endpoints grouped by (owner, country): known owners by name, then the unattributed group.
pub fn endpoint_groups(report: &Report) -> Vec<EndpointGroup<'_>> {
    let mut groups: Vec<EndpointGroup<'_>> = Vec::new();
    for endpoint in &report.endpoints {
        let owner = endpoint.owner.as_deref();
        let country = endpoint.country.as_deref();
        let name = endpoint
            .owner_name
            .as_deref()
            .or(owner)
            .unwrap_or("unknown owner");
        match groups
            .iter_mut()
            .find(|g| g.owner == owner && g.name == name && g.country == country)
        {
            Some(group) => group.endpoints.push(endpoint),
            None => groups.push(EndpointGroup {
                owner,
                name,
                country,
                endpoints: vec![endpoint],
            }),
        }
    }
    groups.sort_by(|a, b| {
        a.owner
            .is_none()
            .cmp(&b.owner.is_none())
            .then_with(|| a.name.cmp(b.name))
            .then_with(|| a.owner.cmp(&b.owner))
            .then_with(|| a.country.cmp(&b.country))
    });
    for group in &mut groups {
        group.endpoints.sort_by(|a, b| a.url.cmp(&b.url));
    }
    groups
}

/// `12.3 MiB`-style size for people.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// The first 12 hex digits of a digest: enough to tell two inputs apart at a glance.
pub fn short_digest(digest: &str) -> &str {
    digest.get(..12).unwrap_or(digest)
}

/// The warning a partial report opens with, and one line per reason (`code at where: detail`);
/// `None` for a complete report. Lists that a cap cut are named too.
pub fn partial_notice(report: &Report) -> Option<(String, Vec<String>)> {
    let status = &report.status;
    if status.state == super::model::ScanState::Complete && status.truncated.is_empty() {
        return None;
    }
    let mut lines: Vec<String> = status
        .reasons
        .iter()
        .map(|r| format!("{} at {}: {}", r.code, r.location, r.detail))
        .collect();
    if !status.truncated.is_empty() {
        lines.push(format!(
            "lists cut at their cap: {}",
            status.truncated.join(", ")
        ));
    }
    let headline = if status.state == super::model::ScanState::Partial {
        format!(
            "Partial scan: {} part(s) of the input could not be read; findings may be missing",
            status.reasons.len()
        )
    } else {
        "Some lists were cut at their cap".to_owned()
    };
    Some((headline, lines))
}

/// What to show for a category that no collector is named for: "manifest only" when all its
/// evidence is the manifest's, otherwise that the code naming it belongs to nobody known (an API in
/// the DEX id tables only, a tracker's presence).
pub fn no_collector_label(category: &CategoryFinding) -> &'static str {
    let manifest_only = category.evidence.iter().all(|e| {
        matches!(
            e.kind,
            EvidenceKind::Permission | EvidenceKind::Component | EvidenceKind::MetaData
        )
    });
    if manifest_only {
        "manifest only"
    } else {
        "no collector known"
    }
}

/// A location for people (`classes2.dex Lcom/x/Y;->m()V @0012`), or nothing.
pub fn location_text(location: Option<&Location>) -> String {
    location.map(Location::to_string).unwrap_or_default()
}

/// The calling method of a call site with its code offset (`Lcom/x/Y;->m()V @0012`).
pub fn site_method(location: &Location) -> String {
    let method = location.method_signature().unwrap_or_default();
    match location.offset {
        Some(offset) => format!("{method} @{offset:04x}"),
        None => method,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptors_become_java_names() {
        assert_eq!(java_class_name("Lcom/a/B$C;"), "com.a.B$C");
    }

    #[test]
    fn a_category_without_collectors_says_why() {
        use crate::report::model::{Evidence, Strength};
        let evidence = |kind| Evidence {
            kind,
            rule: "r".to_owned(),
            strength: Strength::Declared,
            detail: String::new(),
            location: None,
            collector: None,
        };
        let mut category = CategoryFinding {
            id: "sensors".to_owned(),
            title: String::new(),
            strength: Strength::Declared,
            collectors: Vec::new(),
            play: String::new(),
            apple: String::new(),
            evidence: vec![evidence(EvidenceKind::Permission)],
            notes: Vec::new(),
            truncated: false,
        };
        assert_eq!(no_collector_label(&category), "manifest only");
        category.evidence.push(evidence(EvidenceKind::ApiReference));
        assert_eq!(no_collector_label(&category), "no collector known");
    }

    #[test]
    fn sizes_and_labels() {
        assert_eq!(human_size(512), "512 B");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(
            short_store_label("Location › Precise location"),
            "Precise location"
        );
        assert_eq!(short_digest("abc"), "abc");
    }
}
