//! Tracker SDKs: found by the classes they bundle (counted per code prefix of their rule), by the
//! hosts of their network signatures among the endpoints, and by manifest meta-data keys.
//!
//! A tracker is **confirmed** only when the app bundles classes of the SDK: the code is the
//! evidence. A host or a meta-data key alone is a hint (`confirmed: false`): a host string names
//! a company, not the code that talks to it, and a manifest key can outlive the SDK it configured.
//! Only confirmed trackers stand behind the categories their rules say they collect.
//!
//! A host gives no tracker at all when every place it was found says it is not the tracker's:
//! - **code of another SDK**: a DEX (or native) string whose collector is a different tracker or a
//!   well-known library (`pagead2.googlesyndication.com` in Play services' advertising-id client
//!   is no AdMob, `www.google-analytics.com` in AndroidX Test's usage tracker no Google
//!   Analytics): that SDK talks to its own vendor;
//! - **an XML namespace**: a `schemas.<vendor>` URI in an XML resource names attributes
//!   (`http://schemas.applovin.com/android/1.0` declares AppLovin's layout attributes); see
//!   [`is_xml_namespace`];
//! - **a data list**: a text asset or XML resource listing many hosts of unrelated owners (a site
//!   list, a block list, bookmarks) is data the app carries, not configuration of an SDK; see
//!   [`DATA_LIST_MIN_DOMAINS`].

use std::collections::{BTreeMap, BTreeSet};

use super::accumulator::Accumulator;
use crate::report::{
    Endpoint, EndpointSource, Evidence, EvidenceKind, Location, SourceKind, Standing, Strength,
    TrackerFinding,
};
use crate::rules::RuleSet;
use crate::scanner::AppFacts;

/// Distinct registrable domains from which one text asset or XML resource counts as a data list.
/// An SDK's configuration names its vendor's few domains (AppsFlyer's, Braze's: one to three);
/// ten unrelated domains in one file are a list of sites. `resources.arsc` is never a data list:
/// it holds all of an app's strings, SDK configuration included.
pub(crate) const DATA_LIST_MIN_DOMAINS: usize = 10;

/// Classes counted under one code entry of one tracker, and the first DEX holding one.
struct PrefixCount {
    classes: u64,
    first_dex: Location,
}

/// What was found of one tracker.
#[derive(Default)]
struct Found {
    class_count: u64,
    evidence: BTreeSet<Evidence>,
}

pub(super) fn trackers(
    acc: &mut Accumulator<'_>,
    facts: &AppFacts,
    endpoints: &[Endpoint],
) -> Vec<TrackerFinding> {
    let rules = acc.rules;
    let mut found: BTreeMap<String, Found> = BTreeMap::new();
    let mut per_code: BTreeMap<(String, String), PrefixCount> = BTreeMap::new();
    for scan in &facts.dex {
        for class in scan.defined_classes() {
            let Some((tracker, code)) = rules.tracker_code_for_class(class) else {
                continue;
            };
            found.entry(tracker.id.clone()).or_default().class_count += 1;
            per_code
                .entry((tracker.id.clone(), code.to_owned()))
                .or_insert_with(|| PrefixCount {
                    classes: 0,
                    first_dex: scan.location(),
                })
                .classes += 1;
        }
    }
    for ((tracker, code), count) in per_code {
        let evidence = Evidence {
            kind: EvidenceKind::Tracker,
            rule: tracker.clone(),
            strength: Strength::Referenced,
            detail: format!("{} classes under {}", count.classes, code_text(&code)),
            location: Some(count.first_dex),
            collector: Some(tracker.clone()),
            standing: Standing::default(),
            exemption: None,
            path: None,
        };
        found.entry(tracker).or_default().evidence.insert(evidence);
    }
    let data_lists = data_lists(endpoints);
    for endpoint in endpoints {
        for tracker in &endpoint.trackers {
            let Some(source) = endpoint
                .sources
                .iter()
                .find(|s| names_tracker(rules, tracker, &endpoint.host, s, &data_lists))
            else {
                continue;
            };
            let evidence = Evidence {
                kind: EvidenceKind::Host,
                rule: tracker.clone(),
                strength: Strength::Referenced,
                detail: format!("host {}", endpoint.host),
                location: Some(source.location.clone()),
                collector: Some(tracker.clone()),
                standing: Standing::default(),
                exemption: None,
                path: None,
            };
            found
                .entry(tracker.clone())
                .or_default()
                .evidence
                .insert(evidence);
        }
    }
    if let Some(manifest) = &facts.manifest {
        for meta in &manifest.meta_data {
            if let Some(tracker) = rules.tracker_for_meta_data(&meta.name) {
                let evidence = Evidence {
                    kind: EvidenceKind::MetaData,
                    rule: tracker.id.clone(),
                    strength: Strength::Declared,
                    detail: meta.name.clone(),
                    location: Some(facts.manifest_location()),
                    collector: Some(tracker.id.clone()),
                    standing: Standing::default(),
                    exemption: None,
                    path: None,
                };
                found
                    .entry(tracker.id.clone())
                    .or_default()
                    .evidence
                    .insert(evidence);
            }
        }
    }
    let mut findings = Vec::new();
    for (id, found) in found {
        let Some(tracker) = rules.trackers().iter().find(|t| t.id == id) else {
            continue;
        };
        if found.evidence.is_empty() {
            continue;
        }
        let confirmed = found.class_count > 0;
        if confirmed {
            let collector = acc.who.tracker(&tracker.id, &tracker.name);
            let strength = found
                .evidence
                .iter()
                .map(|e| e.strength)
                .max()
                .unwrap_or(Strength::Declared);
            // The classes are what proves the SDK: their location, not a host's.
            let location = found
                .evidence
                .iter()
                .find(|e| e.kind == EvidenceKind::Tracker)
                .and_then(|e| e.location.clone());
            for category in &tracker.categories {
                let item = Evidence {
                    kind: EvidenceKind::Tracker,
                    rule: tracker.id.clone(),
                    strength,
                    detail: format!("{} is in the app", tracker.name),
                    location: location.clone(),
                    collector: Some(collector.clone()),
                    standing: Standing::default(),
                    exemption: None,
                    path: None,
                };
                acc.add_evidence(std::slice::from_ref(category), item);
            }
        }
        let owner = tracker.owner.as_deref().and_then(|o| rules.owner(o));
        findings.push(TrackerFinding {
            id: tracker.id.clone(),
            name: tracker.name.clone(),
            confirmed,
            categories: tracker.categories.clone(),
            owner: tracker.owner.clone(),
            owner_name: owner.map(|o| o.name.clone()),
            country: owner.map(|o| o.country.clone()),
            website: tracker.website.clone(),
            class_count: found.class_count,
            evidence: found.evidence.into_iter().collect(),
        });
    }
    findings
}

/// A code entry as people read it: `com.tencent.lbs*` is every name starting `com.tencent.lbs`.
fn code_text(code: &str) -> String {
    match code.strip_suffix('*') {
        Some(stem) => format!("{stem}…"),
        None => code.to_owned(),
    }
}

/// Whether one place an endpoint was found lets its host name `tracker` (see the module
/// documentation for the three places that do not).
fn names_tracker(
    rules: &RuleSet,
    tracker: &str,
    host: &str,
    source: &EndpointSource,
    data_lists: &BTreeSet<&Location>,
) -> bool {
    match source.kind {
        SourceKind::Dex | SourceKind::Native => match source.collector.as_deref() {
            Some(collector) if collector != tracker => !is_sdk(rules, collector),
            _ => true,
        },
        SourceKind::Resource | SourceKind::Asset => {
            let namespace =
                source.kind == SourceKind::Resource && is_xml_namespace(&source.location, host);
            !namespace && !data_lists.contains(&source.location)
        }
        _ => true,
    }
}

/// Whether a collector id is a tracker or a well-known library of the rules.
fn is_sdk(rules: &RuleSet, collector: &str) -> bool {
    rules.trackers().iter().any(|t| t.id == collector)
        || rules.libraries().iter().any(|l| l.id == collector)
}

/// Whether the host of a URL found in a resource is that of an XML namespace: `schemas.…` (the
/// convention of namespace URIs, after Android's own `http://schemas.android.com/apk/res/android`)
/// in an XML resource, where such a string declares attributes and is never fetched.
pub(crate) fn is_xml_namespace(location: &Location, host: &str) -> bool {
    if !location
        .entry
        .get(location.entry.len().saturating_sub(4)..)
        .is_some_and(|ext| ext.eq_ignore_ascii_case(".xml"))
    {
        return false;
    }
    let first_label = host.split('.').next().unwrap_or_default();
    first_label.eq_ignore_ascii_case("schemas") || first_label.eq_ignore_ascii_case("xmlns")
}

/// The text assets and XML resources that hold hosts of at least [`DATA_LIST_MIN_DOMAINS`]
/// registrable domains.
fn data_lists(endpoints: &[Endpoint]) -> BTreeSet<&Location> {
    let mut domains: BTreeMap<&Location, BTreeSet<&str>> = BTreeMap::new();
    for endpoint in endpoints {
        for source in &endpoint.sources {
            let text = matches!(source.kind, SourceKind::Asset | SourceKind::Resource);
            if text && source.location.entry != "resources.arsc" {
                domains
                    .entry(&source.location)
                    .or_default()
                    .insert(registrable_domain(&endpoint.host));
            }
        }
    }
    domains
        .into_iter()
        .filter(|(_, d)| d.len() >= DATA_LIST_MIN_DOMAINS)
        .map(|(location, _)| location)
        .collect()
}

/// The owner part of a host, near enough to tell owners apart: the last two labels, or three
/// under a two-letter country code whose second level is short (`example.co.uk`, `x.com.cn`).
fn registrable_domain(host: &str) -> &str {
    let labels: Vec<&str> = host.split('.').collect();
    let n = labels.len();
    if n <= 2 {
        return host;
    }
    let keep = if labels[n - 1].len() == 2 && labels[n - 2].len() <= 3 {
        3
    } else {
        2
    };
    // Just past the `.` ending the labels skipped: a boundary of the app's host.
    let skip: usize = labels[..n - keep].iter().map(|l| l.len() + 1).sum();
    &host[skip..]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn location(entry: &str) -> Location {
        Location {
            member: None,
            entry: entry.to_owned(),
            class: None,
            method: None,
            proto: None,
            offset: None,
        }
    }

    fn dex(class: &str, collector: &str) -> EndpointSource {
        EndpointSource {
            kind: SourceKind::Dex,
            location: Location {
                class: Some(class.to_owned()),
                ..location("classes.dex")
            },
            collector: Some(collector.to_owned()),
            encoding: None,
        }
    }

    fn text(kind: SourceKind, entry: &str) -> EndpointSource {
        EndpointSource {
            kind,
            location: location(entry),
            collector: None,
            encoding: None,
        }
    }

    fn endpoint(host: &str, sources: Vec<EndpointSource>) -> Endpoint {
        Endpoint {
            url: format!("https://{host}/x"),
            host: host.to_owned(),
            port: None,
            owner: None,
            owner_name: None,
            country: None,
            trackers: vec![],
            sources,
            truncated: false,
            used_by: Vec::new(),
            kind: crate::report::EndpointKind::Endpoint,
        }
    }

    /// The hosts of each false-positive pattern of issue 8, on synthetic sources.
    #[test]
    fn a_host_inside_another_sdk_a_namespace_or_a_data_list_names_no_tracker() {
        let rules = RuleSet::builtin().expect("built-in rules");
        let none = BTreeSet::new();
        let admob = "google_admob";
        let host = "pagead2.googlesyndication.com";
        // Play services' advertising-id client (a library) and Firebase Analytics (another
        // tracker) carry Google's ad host: no AdMob.
        let id_client = dex("Lcom/google/android/gms/ads/identifier/AdvertisingIdClient;", "play_services");
        assert!(!names_tracker(&rules, admob, host, &id_client, &none));
        let measurement = dex("Lcom/google/android/gms/measurement/internal/k9;", "google_firebase_analytics");
        assert!(!names_tracker(&rules, admob, host, &measurement, &none));
        // The tracker's own code, the app's, unidentified and obfuscated code do name it.
        for collector in [admob, "app", "other:com.loc", "obfuscated"] {
            assert!(names_tracker(&rules, admob, host, &dex("La/b;", collector), &none), "{collector}");
        }
        // An XML namespace in a layout is no AppLovin; the same host in resources.arsc is.
        let layout = text(SourceKind::Resource, "res/layout/activity_login.xml");
        assert!(!names_tracker(&rules, "applovin", "schemas.applovin.com", &layout, &none));
        let arsc = text(SourceKind::Resource, "resources.arsc");
        assert!(names_tracker(&rules, "applovin", "d.applovin.com", &arsc, &none));
        // A site list in assets: many unrelated domains make it data, a config file is not.
        let list = text(SourceKind::Asset, "assets/sites.txt");
        let config = text(SourceKind::Asset, "assets/pushwoosh.json");
        let mut endpoints: Vec<Endpoint> = (0..DATA_LIST_MIN_DOMAINS)
            .map(|i| endpoint(&format!("www.site{i}.com"), vec![list.clone()]))
            .collect();
        endpoints.push(endpoint("cp.pushwoosh.com", vec![list.clone(), config.clone()]));
        endpoints.push(endpoint("go.pushwoosh.com", vec![config.clone()]));
        let lists = data_lists(&endpoints);
        assert_eq!(lists.into_iter().collect::<Vec<_>>(), vec![&list.location]);
        let lists = data_lists(&endpoints);
        assert!(!names_tracker(&rules, "pushwoosh", "cp.pushwoosh.com", &list, &lists));
        assert!(names_tracker(&rules, "pushwoosh", "cp.pushwoosh.com", &config, &lists));
        // One domain short of the threshold is no list.
        let short: Vec<Endpoint> = endpoints[1..DATA_LIST_MIN_DOMAINS].to_vec();
        assert!(data_lists(&short).is_empty());
        // Subdomains of one owner count once.
        let one_owner: Vec<Endpoint> = (0..20)
            .map(|i| endpoint(&format!("s{i}.cdn.example.net"), vec![list.clone()]))
            .collect();
        assert!(data_lists(&one_owner).is_empty());
    }

    #[test]
    fn registrable_domains_tell_owners_apart() {
        assert_eq!(registrable_domain("pagead2.googlesyndication.com"), "googlesyndication.com");
        assert_eq!(registrable_domain("googlesyndication.com"), "googlesyndication.com");
        assert_eq!(registrable_domain("www.bbc.co.uk"), "bbc.co.uk");
        assert_eq!(registrable_domain("a.b.sina.com.cn"), "sina.com.cn");
        assert_eq!(registrable_domain("localhost"), "localhost");
        assert_eq!(registrable_domain("x.io"), "x.io");
        assert_eq!(registrable_domain("例子.测试.com"), "测试.com");
    }

    #[test]
    fn schemas_uris_in_xml_resources_are_namespaces() {
        let layout = location("res/layout/activity_login.xml");
        assert!(is_xml_namespace(&layout, "schemas.applovin.com"));
        assert!(is_xml_namespace(&location("res/xml/a.XML"), "xmlns.example.org"));
        assert!(!is_xml_namespace(&layout, "d.applovin.com"));
        assert!(!is_xml_namespace(&location("resources.arsc"), "schemas.applovin.com"));
        assert!(!is_xml_namespace(&location("x"), "schemas.applovin.com"));
        assert!(is_xml_namespace(&location("res/é.xml"), "schemas.applovin.com"));
        assert!(!is_xml_namespace(&location("é"), "schemas.applovin.com"));
    }
}
