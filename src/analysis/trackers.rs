//! Tracker SDKs: found by the classes they bundle (counted per code prefix of their rule), by the
//! hosts of their network signatures among the endpoints, and by manifest meta-data keys. Each
//! tracker found also stands behind the categories its rule says it collects.

use std::collections::{BTreeMap, BTreeSet};

use super::accumulator::Accumulator;
use crate::report::{
    Endpoint, Evidence, EvidenceKind, Location, Standing, Strength, TrackerFinding,
};
use crate::scanner::AppFacts;

/// Classes counted under one code entry of one tracker, and the first DEX holding one.
struct PrefixCount {
    classes: u64,
    first_dex: Location,
}

pub(super) fn trackers(
    acc: &mut Accumulator<'_>,
    facts: &AppFacts,
    endpoints: &[Endpoint],
) -> Vec<TrackerFinding> {
    let rules = acc.rules;
    // tracker id -> (class count, evidence)
    let mut found: BTreeMap<String, (u64, BTreeSet<Evidence>)> = BTreeMap::new();
    let mut per_code: BTreeMap<(String, String), PrefixCount> = BTreeMap::new();
    for scan in &facts.dex {
        for class in &scan.defined_classes {
            let Some((tracker, code)) = rules.tracker_code_for_class(class) else {
                continue;
            };
            found.entry(tracker.id.clone()).or_default().0 += 1;
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
            detail: format!("{} classes under {code}", count.classes),
            location: Some(count.first_dex),
            collector: Some(tracker.clone()),
            standing: Standing::default(),
            exemption: None,
        };
        found.entry(tracker).or_default().1.insert(evidence);
    }
    for endpoint in endpoints {
        for tracker in &endpoint.trackers {
            let evidence = Evidence {
                kind: EvidenceKind::Host,
                rule: tracker.clone(),
                strength: Strength::Referenced,
                detail: format!("host {}", endpoint.host),
                location: endpoint.sources.first().map(|s| s.location.clone()),
                collector: Some(tracker.clone()),
                standing: Standing::default(),
                exemption: None,
            };
            found.entry(tracker.clone()).or_default().1.insert(evidence);
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
                };
                found
                    .entry(tracker.id.clone())
                    .or_default()
                    .1
                    .insert(evidence);
            }
        }
    }
    let mut findings = Vec::new();
    for (id, (class_count, evidence)) in found {
        let Some(tracker) = rules.trackers().iter().find(|t| t.id == id) else {
            continue;
        };
        if evidence.is_empty() {
            continue;
        }
        let collector = acc.who.tracker(&tracker.id, &tracker.name);
        let strength = evidence
            .iter()
            .map(|e| e.strength)
            .max()
            .unwrap_or(Strength::Declared);
        let location = evidence.iter().next().and_then(|e| e.location.clone());
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
            };
            acc.add_evidence(std::slice::from_ref(category), item);
        }
        let owner = tracker.owner.as_deref().and_then(|o| rules.owner(o));
        findings.push(TrackerFinding {
            id: tracker.id.clone(),
            name: tracker.name.clone(),
            categories: tracker.categories.clone(),
            owner: tracker.owner.clone(),
            owner_name: owner.map(|o| o.name.clone()),
            country: owner.map(|o| o.country.clone()),
            website: tracker.website.clone(),
            class_count,
            evidence: evidence.into_iter().collect(),
        });
    }
    findings
}
