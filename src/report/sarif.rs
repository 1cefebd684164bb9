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

use serde_json::{Map, Value, json};

use super::escape;
use super::model::{EvidenceKind, Report, Strength};
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
    locations: Vec<Value>,
    /// What identifies the finding, for `partialFingerprints`.
    fingerprint_parts: &'a [&'a str],
    properties: Value,
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
    let mut builder = Builder::new(&report);
    builder.add_evidence_results(&report);
    builder.add_call_site_results(&report);
    builder.add_tracker_results(&report);
    builder.add_endpoint_results(&report);
    builder.add_anomaly_results(&report);
    let log = builder.finish(&report, docs);
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}

struct Builder {
    /// Artifact key (`entry` or `split.apk!entry`) → index in `artifacts`.
    artifact_index: BTreeMap<String, usize>,
    artifacts: Vec<Value>,
    results: Vec<Value>,
    rules_used: BTreeMap<String, RuleUse>,
}

impl Builder {
    fn new(report: &Report) -> Self {
        let root = json!({
            "location": { "uri": uri_reference(&report.input.path) },
            "roles": ["analysisTarget"],
            "length": report.input.size,
            "hashes": { "sha-256": report.input.sha256 },
        });
        Builder {
            artifact_index: BTreeMap::new(),
            artifacts: vec![root],
            results: Vec::new(),
            rules_used: BTreeMap::new(),
        }
    }

    /// Index of the artifact for `entry` (`classes2.dex`, `split.apk!classes.dex`), creating it
    /// and its parents; the empty entry is the input itself.
    fn artifact(&mut self, entry: &str) -> usize {
        if entry.is_empty() {
            return 0;
        }
        if let Some(&index) = self.artifact_index.get(entry) {
            return index;
        }
        // Only the first `!` separates a split member from its entry (`split.apk!classes.dex`);
        // entry names may hold more `!`s of their own, and splitting on each would let a hostile
        // name nest artifacts (and recurse) without bound.
        let (parent, name) = match entry.split_once('!') {
            Some((member, name)) if !member.is_empty() => (self.artifact(member), name),
            _ => (0, entry),
        };
        let index = self.artifacts.len();
        self.artifacts.push(json!({
            "location": { "uri": uri_reference(name) },
            "parentIndex": parent,
        }));
        self.artifact_index.insert(entry.to_owned(), index);
        index
    }

    /// A SARIF location for a report location string (`entry` or `entry code`).
    fn location(&mut self, location: &str) -> Value {
        let (entry, code) = view::split_location(location);
        let mut value = self.physical(entry);
        if let Some(code) = code {
            value["logicalLocations"] = json!([logical_location(code)]);
        }
        value
    }

    fn physical(&mut self, entry: &str) -> Value {
        let index = self.artifact(entry);
        let uri = self.artifacts[index]["location"]["uri"].clone();
        json!({ "physicalLocation": { "artifactLocation": { "uri": uri, "index": index } } })
    }

    fn push(&mut self, finding: Finding<'_>) {
        self.rules_used
            .entry(finding.rule.to_owned())
            .and_modify(|u| *u = (*u).min(finding.used_as))
            .or_insert(finding.used_as);
        let mut result = json!({
            "ruleId": finding.rule,
            "level": finding.level,
            "message": { "text": finding.message },
            "partialFingerprints": {
                "dossierFinding/v1": fingerprint(finding.rule, finding.fingerprint_parts)
            },
            "properties": finding.properties,
        });
        if !finding.locations.is_empty() {
            result["locations"] = Value::Array(finding.locations);
        }
        self.results.push(result);
    }

    fn add_evidence_results(&mut self, report: &Report) {
        let reported_per_site: BTreeSet<&str> =
            report.api_calls.iter().map(|c| c.api.as_str()).collect();
        for category in &report.categories {
            for evidence in &category.evidence {
                let is_call = matches!(
                    evidence.kind,
                    EvidenceKind::ApiCall | EvidenceKind::FieldRead
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
                let location = self.location(&evidence.location);
                let mut properties = json!({
                    "category": category.id,
                    "strength": evidence.strength,
                    "evidenceKind": evidence.kind,
                });
                if let Some(collector) = &evidence.collector {
                    properties["collector"] = json!(collector);
                }
                self.push(Finding {
                    rule: &evidence.rule,
                    used_as: RuleUse::Evidence,
                    level: level_for(evidence.strength),
                    message,
                    locations: vec![location],
                    fingerprint_parts: &[
                        "evidence",
                        &category.id,
                        kind_key(evidence.kind),
                        &evidence.detail,
                        &evidence.location,
                    ],
                    properties,
                });
            }
        }
    }

    fn add_call_site_results(&mut self, report: &Report) {
        for call in &report.api_calls {
            let categories = call.categories.join(", ");
            let mut properties = json!({
                "api": call.api,
                "categories": call.categories,
                "strength": call.strength,
            });
            if !call.missing_permissions.is_empty() {
                properties["missingPermissions"] = json!(call.missing_permissions);
            }
            if call.sites.is_empty() {
                let message = format!(
                    "Uses {} ({categories}, {})",
                    escape::visible(&call.api),
                    view::strength_label(call.strength)
                );
                let location = self.physical("");
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
                let message = format!(
                    "{} calls {} ({categories})",
                    escape::visible(&site.method),
                    escape::visible(&call.api)
                );
                let mut location = self.physical(&site.dex);
                location["logicalLocations"] = json!([logical_location(&site.method)]);
                let mut properties = properties.clone();
                properties["collector"] = json!(site.collector);
                self.push(Finding {
                    rule: &call.rule,
                    used_as: RuleUse::Evidence,
                    level: level_for(call.strength),
                    message,
                    locations: vec![location],
                    fingerprint_parts: &["site", &call.api, &site.dex, &site.method],
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
            let message = format!(
                "Third-party SDK {}{}: {} classes",
                escape::visible(&tracker.name),
                escape::visible(&owner),
                tracker.class_count
            );
            let mut seen = BTreeSet::new();
            let locations: Vec<Value> = tracker
                .evidence
                .iter()
                .filter(|e| seen.insert(e.location.as_str()))
                .take(MAX_LOCATIONS_PER_RESULT)
                .map(|e| e.location.clone())
                .collect::<Vec<_>>()
                .iter()
                .map(|l| self.location(l))
                .collect();
            let properties = json!({
                "name": tracker.name,
                "owner": tracker.owner,
                "country": tracker.country,
                "categories": tracker.categories,
                "classCount": tracker.class_count,
                "evidence": tracker.evidence.iter().map(|e| &e.detail).collect::<Vec<_>>(),
            });
            self.push(Finding {
                rule: &tracker.id,
                used_as: RuleUse::Tracker,
                level: "warning",
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
            let message = format!(
                "Endpoint {} ({}{})",
                escape::visible(&endpoint.url),
                escape::visible(owner),
                escape::visible(&country)
            );
            let locations: Vec<Value> = endpoint
                .sources
                .iter()
                .take(MAX_LOCATIONS_PER_RESULT)
                .map(|s| s.location.clone())
                .collect::<Vec<_>>()
                .iter()
                .map(|l| self.location(l))
                .collect();
            let properties = json!({
                "host": endpoint.host,
                "owner": endpoint.owner,
                "country": endpoint.country,
                "trackers": endpoint.trackers,
            });
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
            let entry = anomaly.location.split('@').next().unwrap_or("");
            let mut location = self.physical(entry);
            if entry != anomaly.location {
                location["message"] = json!({ "text": escape::visible(&anomaly.location) });
            }
            self.push(Finding {
                rule: &anomaly.code,
                used_as: RuleUse::Anomaly,
                level: "warning",
                message,
                locations: vec![location],
                fingerprint_parts: &["anomaly", &anomaly.code, &anomaly.location, &anomaly.detail],
                properties: json!({}),
            });
        }
    }

    fn finish(self, report: &Report, docs: &dyn RuleDocs) -> Value {
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
        let results: Vec<Value> = self
            .results
            .into_iter()
            .map(|mut result| {
                let id = result["ruleId"].as_str().unwrap_or_default();
                if let Some(&index) = rule_index.get(id) {
                    result["ruleIndex"] = json!(index);
                }
                result
            })
            .collect();
        let app = &report.app;
        let mut run_properties = Map::new();
        run_properties.insert("reportSchemaVersion".into(), json!(report.schema_version));
        run_properties.insert("rulesDigest".into(), json!(report.tool.rules_digest));
        run_properties.insert("inputKind".into(), json!(report.input.kind));
        run_properties.insert("package".into(), json!(app.package));
        run_properties.insert("versionName".into(), json!(app.version_name));
        run_properties.insert("versionCode".into(), json!(app.version_code));
        json!({
            "$schema": SARIF_SCHEMA_URI,
            "version": "2.1.0",
            "runs": [{
                "tool": { "driver": {
                    "name": report.tool.name,
                    "version": report.tool.version,
                    "rules": rules,
                }},
                "artifacts": self.artifacts,
                "results": results,
                "properties": run_properties,
            }],
        })
    }
}

fn level_for(strength: Strength) -> &'static str {
    match strength {
        Strength::Declared | Strength::Referenced => "note",
        Strength::Reflective | Strength::Native | Strength::Called => "warning",
    }
}

fn kind_key(kind: EvidenceKind) -> &'static str {
    view::evidence_kind_label(kind)
}

/// A logical location for `Lcls;->member...` (a function or field) or a bare class descriptor.
fn logical_location(code: &str) -> Value {
    match view::java_member_name(code) {
        Some((class, member)) => {
            let kind = if code.contains('(') {
                "function"
            } else {
                "member"
            };
            json!({
                "fullyQualifiedName": format!("{class}.{member}"),
                "name": member,
                "decoratedName": code,
                "kind": kind,
            })
        }
        None => json!({
            "fullyQualifiedName": view::java_class_name(code),
            "decoratedName": code,
            "kind": "type",
        }),
    }
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
fn fingerprint(rule: &str, parts: &[&str]) -> String {
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
