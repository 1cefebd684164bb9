//! Derived views of a [`Report`] that several renderers show the same way: display names of
//! collectors, endpoints grouped by owner, the strength of one collector in one category,
//! Java-style names from DEX descriptors, short store labels. Nothing here escapes: callers pass
//! every string through [`super::escape`] for their medium.

use super::model::{
    CategoryFinding, CollectorKind, Endpoint, EndpointKind, EvidenceKind, Location, Report,
    Standing, Strength, TrackerFinding, Verdict,
};

/// What a tracker hint is, for the line that lists them apart from the confirmed trackers.
pub const TRACKER_HINTS_NOTE: &str =
    "a host or manifest key names the SDK, no code of it is bundled";

/// The trackers whose code the app bundles, in report order.
pub fn confirmed_trackers(report: &Report) -> impl Iterator<Item = &TrackerFinding> {
    report.trackers.iter().filter(|t| t.confirmed)
}

/// The tracker hints (a host or meta-data key only), in report order.
pub fn tracker_hints(report: &Report) -> impl Iterator<Item = &TrackerFinding> {
    report.trackers.iter().filter(|t| !t.confirmed)
}

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

/// The word a reader sees for a verdict; the same as its JSON spelling.
pub fn verdict_label(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Collected => "collected",
        Verdict::Possible => "possible",
        Verdict::Blocked => "blocked",
    }
}

/// The word a reader sees for an evidence item's standing; the same as its JSON spelling.
pub fn standing_label(standing: Standing) -> &'static str {
    match standing {
        Standing::Collects => "collects",
        Standing::Blocked => "blocked",
        Standing::Plumbing => "plumbing",
        Standing::Implementation => "implementation",
        Standing::Context => "context",
        Standing::Unreachable => "unreachable",
        Standing::Weak => "weak",
        Standing::Declared => "declared",
    }
}

/// A method on a reachability path, briefly: `MainActivity.onCreate` (the simple class name).
pub fn short_method(step: &crate::report::PathStep) -> String {
    let class = step.class.trim_end_matches(';');
    let simple = class.rsplit('/').next().unwrap_or(class);
    format!("{simple}.{}", step.method)
}

/// A path from an entry point, briefly: `component MainActivity.onCreate → call Probe.read`.
pub fn path_text(path: &[crate::report::PathStep]) -> String {
    path.iter()
        .map(|step| format!("{} {}", step.via.as_str(), short_method(step)))
        .collect::<Vec<_>>()
        .join(" → ")
}

/// The categories with one verdict, in report order.
pub fn with_verdict(report: &Report, verdict: Verdict) -> Vec<&CategoryFinding> {
    report
        .categories
        .iter()
        .filter(|c| c.verdict == verdict)
        .collect()
}

/// One or two words on why a category is only `possible`, for the compact summary line:
/// `declared`, `referenced`, `reflective`, `native`, `sdk bundled`, `plumbing`, `context`,
/// `sdk internals`, `unreachable`, `partly blocked`, from the standings of its evidence.
pub fn possible_tags(category: &CategoryFinding) -> Vec<&'static str> {
    let mut tags = Vec::new();
    let has = |standing: Standing| category.evidence.iter().any(|e| e.standing == standing);
    if has(Standing::Declared) {
        tags.push("declared");
    }
    let weak = category
        .evidence
        .iter()
        .filter(|e| e.standing == Standing::Weak)
        .map(|e| match (e.kind, e.strength) {
            (EvidenceKind::Tracker | EvidenceKind::Host, _) => "sdk bundled",
            (_, Strength::Native) => "native",
            (_, Strength::Reflective) => "reflective",
            _ => "referenced",
        });
    for tag in weak {
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    if has(Standing::Plumbing) {
        tags.push("plumbing");
    }
    if has(Standing::Context) {
        tags.push("context");
    }
    if has(Standing::Implementation) {
        tags.push("sdk internals");
    }
    if has(Standing::Unreachable) {
        tags.push("unreachable");
    }
    if has(Standing::Blocked) {
        tags.push("partly blocked");
    }
    tags
}

/// The permissions a `blocked` category lacks, from its reason (`needs A or B, ...`).
pub fn blocked_needs(category: &CategoryFinding) -> &str {
    category
        .verdict_reason
        .strip_prefix("needs ")
        .and_then(|rest| rest.split(", which").next())
        .unwrap_or(&category.verdict_reason)
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

/// The kinds of evidence that found a tracker (`host`, `tracker code` ...), sorted, each once.
pub fn tracker_evidence_kinds(tracker: &TrackerFinding) -> Vec<&'static str> {
    let mut kinds: Vec<&str> = tracker
        .evidence
        .iter()
        .map(|e| evidence_kind_label(e.kind))
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    kinds
}

/// The input's facts for a header line: sdk levels, kind, size, short digest. The manifest's
/// numbers and our own words; the digest is hex, so only the kind could need escaping.
pub fn input_facts(report: &Report) -> Vec<String> {
    let app = &report.app;
    let mut facts = Vec::new();
    if let Some(min) = app.min_sdk {
        facts.push(format!("min sdk {min}"));
    }
    if let Some(target) = app.target_sdk {
        facts.push(format!("target sdk {target}"));
    }
    let input = &report.input;
    facts.push(super::model::input_kind_str(input.kind).to_owned());
    facts.push(human_size(input.size));
    facts.push(format!("sha256 {}", short_digest(&input.sha256)));
    facts
}

/// The display name of a collector id, or the id itself when the report does not name it.
pub fn collector_name<'a>(report: &'a Report, id: &'a str) -> &'a str {
    report
        .collectors
        .iter()
        .find(|c| c.id == id)
        .map_or(id, |c| c.name.as_str())
}

/// Collector ids in the order a short list should keep them: named trackers first (what a reader
/// looks for), then the app itself, then code no rule names, then known libraries; the given order
/// within each group.
pub fn collectors_by_interest<'a>(report: &Report, ids: &'a [String]) -> Vec<&'a String> {
    let rank = |id: &str| match report
        .collectors
        .iter()
        .find(|c| c.id == id)
        .map(|c| c.kind)
    {
        Some(CollectorKind::Tracker) => 0,
        Some(CollectorKind::App) => 1,
        Some(CollectorKind::Unidentified) | None => 2,
        Some(CollectorKind::Library) => 3,
    };
    let mut ordered: Vec<&String> = ids.iter().collect();
    ordered.sort_by_key(|id| rank(id));
    ordered
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

/// Network endpoints (links left out) grouped by (owner, country): known owners by name, then
/// the unattributed group.
pub fn endpoint_groups(report: &Report) -> Vec<EndpointGroup<'_>> {
    let mut groups: Vec<EndpointGroup<'_>> = Vec::new();
    for endpoint in report
        .endpoints
        .iter()
        .filter(|e| e.kind == EndpointKind::Endpoint)
    {
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

/// How many network endpoints (not links) the report lists.
pub fn network_endpoint_count(report: &Report) -> usize {
    report
        .endpoints
        .iter()
        .filter(|e| e.kind == EndpointKind::Endpoint)
        .count()
}

/// The links (pages shown to people), sorted by url.
pub fn links(report: &Report) -> Vec<&Endpoint> {
    let mut links: Vec<&Endpoint> = report
        .endpoints
        .iter()
        .filter(|e| e.kind == EndpointKind::Link)
        .collect();
    links.sort_by(|a, b| a.url.cmp(&b.url));
    links
}

/// The hosts of the links with how many links each has, most first, then by host: the compact
/// form renderers show.
pub fn link_hosts(report: &Report) -> Vec<(&str, usize)> {
    let mut hosts: Vec<(&str, usize)> = Vec::new();
    for link in links(report) {
        match hosts.iter_mut().find(|(h, _)| *h == link.host) {
            Some((_, n)) => *n += 1,
            None => hosts.push((&link.host, 1)),
        }
    }
    hosts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    hosts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_list_keeps_trackers_before_libraries() {
        use crate::report::model::Collector;
        let collector = |id: &str, kind| Collector {
            id: id.to_owned(),
            name: id.to_owned(),
            kind,
        };
        let mut report = crate::Scanner::with_builtin_rules()
            .unwrap()
            .scan_path(std::path::Path::new("fixtures/built/beacon.apk"))
            .unwrap();
        report.collectors = vec![
            collector("androidx_core", CollectorKind::Library),
            collector("app", CollectorKind::App),
            collector("okhttp", CollectorKind::Library),
            collector("pangle", CollectorKind::Tracker),
            collector("other:com.x", CollectorKind::Unidentified),
        ];
        let ids: Vec<String> = ["androidx_core", "app", "okhttp", "other:com.x", "pangle"]
            .map(str::to_owned)
            .to_vec();
        let ordered: Vec<&str> = collectors_by_interest(&report, &ids)
            .into_iter()
            .map(String::as_str)
            .collect();
        assert_eq!(
            ordered,
            ["pangle", "app", "other:com.x", "androidx_core", "okhttp"]
        );
    }

    #[test]
    fn descriptors_become_java_names() {
        assert_eq!(java_class_name("Lcom/a/B$C;"), "com.a.B$C");
    }

    #[test]
    fn a_category_without_collectors_says_why() {
        use crate::report::model::{Evidence, Standing, Strength, Verdict};
        let evidence = |kind| Evidence {
            kind,
            rule: "r".to_owned(),
            strength: Strength::Declared,
            detail: String::new(),
            location: None,
            collector: None,
            standing: Standing::default(),
            exemption: None,
            path: None,
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
            verdict: Verdict::Possible,
            verdict_reason: String::new(),
            collected_by: Vec::new(),
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
