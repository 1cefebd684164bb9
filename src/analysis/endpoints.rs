//! Endpoints: the URLs, hosts and IP addresses of DEX strings, text entries and native libraries,
//! each with the places it was found, the organisation that owns its host and the trackers whose
//! host signatures match it.

use std::collections::BTreeMap;

use super::accumulator::Accumulator;
use super::urls::{self, FoundEndpoint};
use crate::report::{Endpoint, EndpointSource, SourceKind};
use crate::rules::RuleSet;
use crate::scanner::{AppFacts, TextKind};

/// Most sources listed per endpoint; `Endpoint::truncated` marks the cut.
const MAX_SOURCES_PER_ENDPOINT: usize = 50;
/// Most endpoints in one report; the status lists `endpoints` as truncated past it.
const MAX_ENDPOINTS: usize = 20_000;

/// The endpoints of one string that are worth reporting (no namespaces, licences, scopes ...).
fn reportable(rules: &RuleSet, text: &str) -> Vec<FoundEndpoint> {
    let mut hits = urls::extract(text);
    hits.retain(|hit| !rules.is_not_endpoint(&hit.url));
    hits
}

/// Endpoints found so far, by URL.
struct Found<'r> {
    rules: &'r RuleSet,
    by_url: BTreeMap<String, Endpoint>,
    truncated: bool,
}

impl Found<'_> {
    /// Adds the endpoints of one string, each with the places the string was found.
    fn add(&mut self, hits: &[FoundEndpoint], sources: &[EndpointSource]) {
        for hit in hits {
            if !self.by_url.contains_key(&hit.url) {
                if self.by_url.len() >= MAX_ENDPOINTS {
                    self.truncated = true;
                    continue;
                }
                let owner = self.rules.owner_for_host(&hit.host);
                let mut trackers: Vec<String> = self
                    .rules
                    .trackers_for_host(&hit.host)
                    .into_iter()
                    .map(|t| t.id.clone())
                    .collect();
                trackers.sort();
                trackers.dedup();
                self.by_url.insert(
                    hit.url.clone(),
                    Endpoint {
                        url: hit.url.clone(),
                        host: hit.host.clone(),
                        port: hit.port,
                        owner: owner.map(|o| o.id.clone()),
                        owner_name: owner.map(|o| o.name.clone()),
                        country: owner.map(|o| o.country.clone()),
                        trackers,
                        sources: Vec::new(),
                        truncated: false,
                    },
                );
            }
            if let Some(endpoint) = self.by_url.get_mut(&hit.url) {
                for source in sources {
                    if endpoint.sources.contains(source) {
                        continue;
                    }
                    if endpoint.sources.len() >= MAX_SOURCES_PER_ENDPOINT {
                        endpoint.truncated = true;
                        break;
                    }
                    endpoint.sources.push(source.clone());
                }
            }
        }
    }
}

fn source_kind(kind: TextKind) -> SourceKind {
    match kind {
        TextKind::Manifest => SourceKind::Manifest,
        TextKind::Resource => SourceKind::Resource,
        TextKind::Asset => SourceKind::Asset,
    }
}

/// Every endpoint of the input, and whether the list was cut at its cap.
pub(super) fn endpoints(acc: &mut Accumulator<'_>, facts: &AppFacts) -> (Vec<Endpoint>, bool) {
    let rules = acc.rules;
    let mut found = Found {
        rules,
        by_url: BTreeMap::new(),
        truncated: false,
    };
    for scan in &facts.dex {
        let Some(sites) = &scan.facts.sites else {
            continue;
        };
        for (text, positions) in &sites.const_strings {
            // Extract once per string; the call sites are only worth resolving when it holds one.
            if !text.contains('.') {
                continue;
            }
            let hits = reportable(rules, text);
            if hits.is_empty() {
                continue;
            }
            let sources: Vec<EndpointSource> = acc
                .call_sites(scan, &sites.callers, positions)
                .into_iter()
                .map(|site| EndpointSource {
                    kind: SourceKind::Dex,
                    location: site.location,
                    collector: Some(site.collector),
                })
                .collect();
            found.add(&hits, &sources);
        }
    }
    for text in &facts.texts {
        let source = [EndpointSource {
            kind: source_kind(text.kind),
            location: text.location.clone(),
            collector: None,
        }];
        for string in &text.strings {
            found.add(&reportable(rules, string), &source);
        }
    }
    for scan in &facts.native {
        let Some(elf) = &scan.facts else { continue };
        let source = [EndpointSource {
            kind: SourceKind::Native,
            location: scan.location.clone(),
            collector: Some(super::native::collector(acc, &elf.jni_exports)),
        }];
        for string in elf.strings.iter().filter(|s| s.contains('.')) {
            found.add(&reportable(rules, string), &source);
        }
    }
    (found.by_url.into_values().collect(), found.truncated)
}
