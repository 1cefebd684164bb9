//! The SARIF 2.1.0 renderer, for code-scanning dashboards and other SARIF consumers.
//!
//! Mapping (documented in `docs/report-schema.md`):
//! - one run; `tool.driver.rules` holds every rule id that a result uses, sorted, described by
//!   [`RuleDocs`] (or by a generic sentence for ids it does not know);
//! - one result per call site of a sensitive API, per piece of category evidence that is not such
//!   a call (permissions, strings, native imports, references, ...), per tracker, per endpoint and
//!   per anomaly;
//! - level `warning` for code that runs (`called`, `native`, `reflective`, trackers, anomalies)
//!   and `note` for what is only declared or referenced;
//! - the input is `run.artifacts[0]`; entries inside it (`classes2.dex`, `lib/x86/libz.so`,
//!   `split.apk` and its own entries) are nested artifacts with `parentIndex`, the SARIF way to
//!   point into an archive; DEX code positions are `logicalLocations` with the Java-style fully
//!   qualified name and the DEX signature as `decoratedName`, since bytecode has no source lines;
//! - `partialFingerprints["dossierFinding/v1"]` is a hash of what the finding is and where, stable
//!   across runs and independent of result order.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{Value, json};

use super::escape;
use super::model::{self, EndpointKind, EvidenceKind, Report, Strength};
use super::view;

/// The documentation of one rule, as shown in a SARIF viewer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleDocText {
    /// What the rule finds, one or more sentences; the first sentence is the short description.
    pub what: String,
    /// Why it matters for the user's privacy.
    pub why: String,
    /// URLs of documentation backing the rule (Android reference pages, SDK docs, papers).
    pub references: Vec<String>,
}

/// Looks up the documentation of a rule id. The rule set implements it; tests use a map.
pub trait RuleDocs {
    fn rule_doc(&self, id: &str) -> Option<RuleDocText>;
}

impl RuleDocs for BTreeMap<String, RuleDocText> {
    fn rule_doc(&self, id: &str) -> Option<RuleDocText> {
        self.get(id).cloned()
    }
}

/// The schema URI SARIF consumers expect in `$schema`.
const SARIF_SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// Rule id of endpoint results; endpoints come from string scans, not from one rule each.
pub const ENDPOINT_RULE_ID: &str = "endpoint";
/// Locations listed per tracker or endpoint result; the JSON report has them all.
const MAX_LOCATIONS_PER_RESULT: usize = 25;

/// One SARIF result before rule indexes are known.
struct Finding<'a> {
    rule: &'a str,
    used_as: RuleUse,
    level: &'static str,
    message: String,
    locations: Vec<SarifLocation>,
    /// What identifies the finding, for `partialFingerprints`.
    fingerprint_parts: &'a [&'a str],
    properties: ResultProperties,
}

/// What kind of finding a rule id was used for, to describe ids the docs do not know.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum RuleUse {
    Evidence,
    Tracker,
    Endpoint,
    Anomaly,
}

/// Renders the report as a SARIF 2.1.0 log (pretty JSON, trailing newline).
pub fn render_sarif(report: &Report, docs: &dyn RuleDocs) -> String {
    let mut report = report.clone();
    report.normalize();
    let mut builder = SarifBuilder::new(&report);
    builder.add_evidence_results(&report);
    builder.add_call_site_results(&report);
    builder.add_tracker_results(&report);
    builder.add_endpoint_results(&report);
    builder.add_anomaly_results(&report);
    let log = builder.finish(&report, docs);
    // Plain structs of strings, numbers and maps with string keys: serialization cannot fail.
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}

// The SARIF objects dossier writes, as typed structs (building `serde_json::Value` trees was
// several times slower on large apps). Field names follow the SARIF 2.1.0 schema.

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
struct Run<'a> {
    tool: Tool<'a>,
    artifacts: Vec<Artifact>,
    results: Vec<SarifResult>,
    properties: RunProperties<'a>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
struct Driver<'a> {
    name: &'a str,
    version: &'a str,
    rules: Vec<Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunProperties<'a> {
    report_schema_version: &'a str,
    rules_digest: &'a str,
    input_kind: &'a str,
    package: Option<&'a str>,
    version_name: Option<&'a str>,
    version_code: Option<u64>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Artifact {
    location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent_index: Option<usize>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    roles: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    length: Option<u64>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    hashes: BTreeMap<&'static str, String>,
}

#[derive(Serialize, Clone)]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    index: Option<usize>,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    rule_index: usize,
    level: &'static str,
    message: Message,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<SarifLocation>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    properties: ResultProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Message>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation {
    fully_qualified_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    decorated_name: String,
    kind: &'static str,
}

/// The property bag of a result: what a consumer may filter on. Only the fields that apply to a
/// result's kind are written.
#[derive(Serialize, Default, Clone)]
#[serde(rename_all = "camelCase")]
struct ResultProperties {
    #[serde(skip_serializing_if = "Option::is_none")]
    category: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    categories: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    strength: Option<Strength>,
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence_kind: Option<EvidenceKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    collector: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    api: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    missing_permissions: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    class_count: Option<u64>,
    /// Trackers: whether classes of the SDK are bundled (false: a hint).
    #[serde(skip_serializing_if = "Option::is_none")]
    confirmed: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    host: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    trackers: Option<Vec<String>>,
}

struct SarifBuilder {
    /// Artifact key (split member, entry) → index in `artifacts`.
    artifact_index: BTreeMap<(Option<String>, String), usize>,
    artifacts: Vec<Artifact>,
    results: Vec<SarifResult>,
    rules_used: BTreeMap<String, RuleUse>,
}

impl SarifBuilder {
    fn new(report: &Report) -> Self {
        let root = Artifact {
            location: ArtifactLocation {
                uri: uri_reference(&report.input.path),
                index: None,
            },
            parent_index: None,
            roles: vec!["analysisTarget"],
            length: Some(report.input.size),
            hashes: BTreeMap::from([("sha-256", report.input.sha256.clone())]),
        };
        SarifBuilder {
            artifact_index: BTreeMap::new(),
            artifacts: vec![root],
            results: Vec::new(),
            rules_used: BTreeMap::new(),
        }
    }

    /// Index of the artifact for `entry` of `member` (the input itself when there is no
    /// member), creating it and its parent; the empty entry is the input itself.
    fn artifact(&mut self, member: Option<&str>, entry: &str) -> usize {
        let parent = match member {
            Some(member) if !member.is_empty() => self.artifact(None, member),
            _ => 0,
        };
        if entry.is_empty() {
            return parent;
        }
        let key = (member.map(str::to_owned), entry.to_owned());
        if let Some(&index) = self.artifact_index.get(&key) {
            return index;
        }
        let index = self.artifacts.len();
        self.artifacts.push(Artifact {
            location: ArtifactLocation {
                uri: uri_reference(entry),
                index: None,
            },
            parent_index: Some(parent),
            roles: Vec::new(),
            length: None,
            hashes: BTreeMap::new(),
        });
        self.artifact_index.insert(key, index);
        index
    }

    /// A SARIF location for a report location: the entry as an artifact (nested in its split
    /// member), the DEX method as a logical location.
    fn location(&mut self, location: Option<&model::Location>) -> SarifLocation {
        let Some(location) = location else {
            return self.physical(None, "");
        };
        let mut value = self.physical(location.member.as_deref(), &location.entry);
        value.logical_locations.extend(logical_location(location));
        value
    }

    fn physical(&mut self, member: Option<&str>, entry: &str) -> SarifLocation {
        let index = self.artifact(member, entry);
        SarifLocation {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation {
                    uri: self.artifacts[index].location.uri.clone(),
                    index: Some(index),
                },
            },
            logical_locations: Vec::new(),
            message: None,
        }
    }

    fn push(&mut self, finding: Finding<'_>) {
        self.rules_used
            .entry(finding.rule.to_owned())
            .and_modify(|u| *u = (*u).min(finding.used_as))
            .or_insert(finding.used_as);
        self.results.push(SarifResult {
            rule_id: finding.rule.to_owned(),
            // Filled in by `finish`, once every rule is known and sorted.
            rule_index: 0,
            level: finding.level,
            message: Message {
                text: finding.message,
            },
            locations: finding.locations,
            partial_fingerprints: BTreeMap::from([(
                "dossierFinding/v1",
                fingerprint(finding.rule, finding.fingerprint_parts),
            )]),
            properties: finding.properties,
        });
    }

    fn add_evidence_results(&mut self, report: &Report) {
        let reported_per_site: BTreeSet<&str> =
            report.api_calls.iter().map(|c| c.api.as_str()).collect();
        for category in &report.categories {
            for evidence in &category.evidence {
                let is_call = matches!(
                    evidence.kind,
                    EvidenceKind::ApiCall | EvidenceKind::FieldRead | EvidenceKind::Override
                );
                if is_call && reported_per_site.contains(evidence.detail.as_str()) {
                    continue;
                }
                let message = format!(
                    "{}: {} {} ({})",
                    escape::visible(&category.title),
                    view::evidence_kind_label(evidence.kind),
                    escape::visible(&evidence.detail),
                    view::strength_label(evidence.strength)
                );
                let location = self.location(evidence.location.as_ref());
                let key = evidence.key();
                let properties = ResultProperties {
                    category: Some(category.id.clone()),
                    strength: Some(evidence.strength),
                    evidence_kind: Some(evidence.kind),
                    collector: evidence.collector.clone(),
                    ..ResultProperties::default()
                };
                self.push(Finding {
                    rule: &evidence.rule,
                    used_as: RuleUse::Evidence,
                    level: level_for(evidence.strength),
                    message,
                    locations: vec![location],
                    fingerprint_parts: &["evidence", &category.id, &key.0],
                    properties,
                });
            }
        }
    }

    fn add_call_site_results(&mut self, report: &Report) {
        for call in &report.api_calls {
            let categories = call.categories.join(", ");
            let properties = ResultProperties {
                api: Some(call.api.clone()),
                categories: Some(call.categories.clone()),
                strength: Some(call.strength),
                missing_permissions: (!call.missing_permissions.is_empty())
                    .then(|| call.missing_permissions.clone()),
                ..ResultProperties::default()
            };
            if call.sites.is_empty() {
                let message = format!(
                    "Uses {} ({categories}, {})",
                    escape::visible(&call.api),
                    view::strength_label(call.strength)
                );
                let location = self.physical(None, "");
                self.push(Finding {
                    rule: &call.rule,
                    used_as: RuleUse::Evidence,
                    level: level_for(call.strength),
                    message,
                    locations: vec![location],
                    fingerprint_parts: &["api", &call.api],
                    properties,
                });
                continue;
            }
            for site in &call.sites {
                let caller = site.location.method_signature().unwrap_or_default();
                let message = format!(
                    "{} calls {} ({categories})",
                    escape::visible(&caller),
                    escape::visible(&call.api)
                );
                let location = self.location(Some(&site.location));
                let key = site.key();
                let properties = ResultProperties {
                    collector: Some(site.collector.clone()),
                    ..properties.clone()
                };
                self.push(Finding {
                    rule: &call.rule,
                    used_as: RuleUse::Evidence,
                    level: level_for(call.strength),
                    message,
                    locations: vec![location],
                    fingerprint_parts: &["site", &call.api, &key.0],
                    properties,
                });
            }
        }
    }

    fn add_tracker_results(&mut self, report: &Report) {
        for tracker in &report.trackers {
            let owner = match (&tracker.owner, &tracker.country) {
                (Some(owner), Some(country)) => format!(" ({owner}, {country})"),
                (Some(owner), None) => format!(" ({owner})"),
                (None, Some(country)) => format!(" ({country})"),
                (None, None) => String::new(),
            };
            let message = if tracker.confirmed {
                format!(
                    "Third-party SDK {}{}: {} classes",
                    escape::visible(&tracker.name),
                    escape::visible(&owner),
                    tracker.class_count
                )
            } else {
                format!(
                    "Hint of third-party SDK {}{}: {}",
                    escape::visible(&tracker.name),
                    escape::visible(&owner),
                    view::TRACKER_HINTS_NOTE
                )
            };
            let mut seen = BTreeSet::new();
            let mut locations = Vec::new();
            for evidence in &tracker.evidence {
                if locations.len() == MAX_LOCATIONS_PER_RESULT {
                    break;
                }
                if seen.insert(evidence.location.as_ref()) {
                    locations.push(self.location(evidence.location.as_ref()));
                }
            }
            let properties = ResultProperties {
                name: Some(tracker.name.clone()),
                owner: tracker.owner.clone(),
                country: tracker.country.clone(),
                categories: Some(tracker.categories.clone()),
                class_count: Some(tracker.class_count),
                confirmed: Some(tracker.confirmed),
                evidence: Some(tracker.evidence.iter().map(|e| e.detail.clone()).collect()),
                ..ResultProperties::default()
            };
            self.push(Finding {
                rule: &tracker.id,
                used_as: RuleUse::Tracker,
                level: if tracker.confirmed { "warning" } else { "note" },
                message,
                locations,
                fingerprint_parts: &["tracker", &tracker.id],
                properties,
            });
        }
    }

    fn add_endpoint_results(&mut self, report: &Report) {
        for endpoint in &report.endpoints {
            let owner = endpoint
                .owner_name
                .as_deref()
                .or(endpoint.owner.as_deref())
                .unwrap_or("unknown owner");
            let country = endpoint
                .country
                .as_deref()
                .map(|c| format!(", {c}"))
                .unwrap_or_default();
            let noun = match endpoint.kind {
                EndpointKind::Link => "Link",
                _ => "Endpoint",
            };
            let encoded = endpoint
                .sources
                .iter()
                .find_map(|s| s.encoding)
                .map(|e| format!(", written in {}", e.as_str()))
                .unwrap_or_default();
            let message = format!(
                "{noun} {} ({}{}{encoded})",
                escape::visible(&endpoint.url),
                escape::visible(owner),
                escape::visible(&country)
            );
            let locations: Vec<SarifLocation> = endpoint
                .sources
                .iter()
                .take(MAX_LOCATIONS_PER_RESULT)
                .map(|s| self.location(Some(&s.location)))
                .collect();
            let properties = ResultProperties {
                host: Some(endpoint.host.clone()),
                owner: endpoint.owner.clone(),
                country: endpoint.country.clone(),
                trackers: Some(endpoint.trackers.clone()),
                ..ResultProperties::default()
            };
            let level = if endpoint.trackers.is_empty() {
                "note"
            } else {
                "warning"
            };
            self.push(Finding {
                rule: ENDPOINT_RULE_ID,
                used_as: RuleUse::Endpoint,
                level,
                message,
                locations,
                fingerprint_parts: &["endpoint", &endpoint.url],
                properties,
            });
        }
    }

    fn add_anomaly_results(&mut self, report: &Report) {
        for anomaly in &report.anomalies {
            let message = format!(
                "{}: {}",
                escape::visible(&anomaly.code),
                escape::visible(&anomaly.detail)
            );
            // Anomaly locations are entry names or `entry@offset`, not code.
            let label = anomaly.location.split('@').next().unwrap_or("");
            // Only the first `!` separates a split member from its entry: entry names may hold
            // more of their own.
            let (member, entry) = match label.split_once('!') {
                Some((member, entry)) if !member.is_empty() => (Some(member), entry),
                _ => (None, label),
            };
            let mut location = self.physical(member, entry);
            if label != anomaly.location {
                location.message = Some(Message {
                    text: escape::visible(&anomaly.location).into_owned(),
                });
            }
            self.push(Finding {
                rule: &anomaly.code,
                used_as: RuleUse::Anomaly,
                level: "warning",
                message,
                locations: vec![location],
                fingerprint_parts: &["anomaly", &anomaly.code, &anomaly.location, &anomaly.detail],
                properties: ResultProperties::default(),
            });
        }
    }

    fn finish<'a>(self, report: &'a Report, docs: &dyn RuleDocs) -> Log<'a> {
        let rule_index: BTreeMap<&str, usize> = self
            .rules_used
            .keys()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i))
            .collect();
        let rules: Vec<Value> = self
            .rules_used
            .iter()
            .map(|(id, used_as)| rule_descriptor(id, *used_as, docs))
            .collect();
        let mut results = self.results;
        for result in &mut results {
            // Every result's rule was recorded by `push`, so the lookup always succeeds.
            result.rule_index = rule_index
                .get(result.rule_id.as_str())
                .copied()
                .unwrap_or_default();
        }
        let app = &report.app;
        Log {
            schema: SARIF_SCHEMA_URI,
            version: "2.1.0",
            runs: [Run {
                tool: Tool {
                    driver: Driver {
                        name: &report.tool.name,
                        version: &report.tool.version,
                        rules,
                    },
                },
                artifacts: self.artifacts,
                results,
                properties: RunProperties {
                    report_schema_version: &report.schema_version,
                    rules_digest: &report.tool.rules_digest,
                    input_kind: model::input_kind_str(report.input.kind),
                    package: app.package.as_deref(),
                    version_name: app.version_name.as_deref(),
                    version_code: app.version_code,
                },
            }],
        }
    }
}

fn level_for(strength: Strength) -> &'static str {
    match strength {
        Strength::Declared | Strength::Referenced => "note",
        Strength::Reflective | Strength::Native | Strength::Called => "warning",
    }
}

/// The logical location of a DEX location: its method (a function), or its class alone (a type);
/// none when the location is an entry without code.
fn logical_location(location: &model::Location) -> Option<LogicalLocation> {
    let class = location.class.as_deref()?;
    let decorated_name = location.method_signature().unwrap_or_default();
    Some(match &location.method {
        Some(method) => LogicalLocation {
            fully_qualified_name: format!("{}.{method}", view::java_class_name(class)),
            kind: "function",
            name: Some(method.clone()),
            decorated_name,
        },
        None => LogicalLocation {
            fully_qualified_name: view::java_class_name(class),
            name: None,
            decorated_name,
            kind: "type",
        },
    })
}

fn rule_descriptor(id: &str, used_as: RuleUse, docs: &dyn RuleDocs) -> Value {
    let doc = docs
        .rule_doc(id)
        .unwrap_or_else(|| fallback_doc(id, used_as));
    let what = non_empty(doc.what.trim(), id);
    let short = first_sentence(what);
    let mut help = what.to_owned();
    if !doc.why.trim().is_empty() {
        help.push_str("\n\nWhy it matters: ");
        help.push_str(doc.why.trim());
    }
    if !doc.references.is_empty() {
        help.push_str("\n\nReferences:");
        for reference in &doc.references {
            help.push_str("\n- ");
            help.push_str(reference);
        }
    }
    let mut rule = json!({
        "id": id,
        "shortDescription": { "text": short },
        "fullDescription": { "text": what },
        "help": { "text": help },
        "defaultConfiguration": {
            "level": if used_as == RuleUse::Endpoint { "note" } else { "warning" }
        },
    });
    if let Some(uri) = doc.references.iter().find(|r| is_plain_http_uri(r)) {
        rule["helpUri"] = json!(uri);
    }
    rule
}

fn fallback_doc(id: &str, used_as: RuleUse) -> RuleDocText {
    let what = match used_as {
        RuleUse::Evidence => format!("Evidence of personal data collection matched by rule {id}."),
        RuleUse::Tracker => format!("Code of the third-party SDK {id} is present in the app."),
        RuleUse::Endpoint => "A URL, host or IP address the app may contact.".to_owned(),
        RuleUse::Anomaly => format!(
            "The input does something Android tolerates but a careful reader should know ({id})."
        ),
    };
    RuleDocText {
        what,
        why: String::new(),
        references: Vec::new(),
    }
}

fn non_empty<'a>(text: &'a str, fallback: &'a str) -> &'a str {
    if text.is_empty() { fallback } else { text }
}

fn first_sentence(text: &str) -> &str {
    match text.find(". ") {
        // `end` is the ASCII `.`: the slice through it ends on a character boundary.
        Some(end) => &text[..=end],
        None => text,
    }
}

/// Whether `text` can go into a `format: uri` field as it is: http(s), printable ASCII, none of
/// the characters RFC 3986 excludes.
fn is_plain_http_uri(text: &str) -> bool {
    (text.starts_with("https://") || text.starts_with("http://"))
        && text.len() > "https://".len()
        && text
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"<>\"{}|\\^`".contains(&b))
}

/// A relative or absolute URI reference for a path: every byte outside RFC 3986's unreserved set
/// and `/` is percent-encoded, so any file name (spaces, `:`, `#`, non-ASCII, controls) gives a
/// valid `uri-reference` that decodes back to the same bytes.
pub fn uri_reference(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// FNV-1a 64 over the parts (each followed by a 0 byte so that parts cannot run together), in
/// hex. Not cryptographic: it only needs to be stable across runs, platforms and versions.
pub(crate) fn fingerprint(rule: &str, parts: &[&str]) -> String {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = OFFSET;
    for part in std::iter::once(&rule).chain(parts) {
        for &byte in part.as_bytes().iter().chain(&[0u8]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(PRIME);
        }
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_reference_encodes_everything_unsafe() {
        assert_eq!(uri_reference("lib/x86/libz.so"), "lib/x86/libz.so");
        assert_eq!(uri_reference("a b:c#d"), "a%20b%3Ac%23d");
        assert_eq!(uri_reference("é"), "%C3%A9");
    }

    #[test]
    fn fingerprint_is_stable_and_separates_parts() {
        assert_eq!(
            fingerprint("r", &["ab", "c"]),
            fingerprint("r", &["ab", "c"])
        );
        assert_ne!(
            fingerprint("r", &["ab", "c"]),
            fingerprint("r", &["a", "bc"])
        );
        // Pinned: a change of algorithm would break every consumer's baseline.
        assert_eq!(fingerprint("", &[]), "af63bd4c8601b7df");
    }

    #[test]
    fn first_sentence_stops_at_the_first_full_stop() {
        assert_eq!(first_sentence("One. Two."), "One.");
        assert_eq!(first_sentence("No stop"), "No stop");
    }
}
