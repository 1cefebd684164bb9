//! What the DEX code does with sensitive APIs: methods invoked, fields read, strings and content
//! URIs loaded, names looked up by reflection — each with its call sites — and, more weakly, what
//! the id tables name without any instruction using it.

use std::collections::BTreeSet;

use super::accumulator::Accumulator;
use crate::dex::{FieldRef, MethodRef, SiteRef, Sites};
use crate::report::{Evidence, EvidenceKind, Standing, Strength};
use crate::rules::ApiRule;
use crate::scanner::{AppFacts, DexScan};

pub(super) fn record(acc: &mut Accumulator<'_>, facts: &AppFacts) {
    let mut used_methods: BTreeSet<MethodRef> = BTreeSet::new();
    let mut used_fields: BTreeSet<FieldRef> = BTreeSet::new();
    for scan in &facts.dex {
        let Some(sites) = &scan.facts.sites else {
            continue;
        };
        invoked_methods(acc, scan, sites, &mut used_methods);
        read_fields(acc, scan, sites, &mut used_fields);
        loaded_strings(acc, scan, sites);
        reflection(acc, scan);
    }
    // What the id tables name but no instruction uses: weaker evidence, reported as such. A
    // `with_strings` rule needs the calling method to judge, so a bare reference never counts.
    for scan in &facts.dex {
        references(acc, scan, &used_methods, &used_fields);
    }
}

fn invoked_methods(
    acc: &mut Accumulator<'_>,
    scan: &DexScan,
    sites: &Sites,
    used: &mut BTreeSet<MethodRef>,
) {
    let rules = acc.rules;
    for (method, positions) in &sites.invoked_methods {
        let matched: Vec<&ApiRule> = rules
            .api_for_method(&method.class, &method.name, &method.proto)
            .collect();
        if matched.is_empty() {
            continue;
        }
        used.insert(method.clone());
        let api = method.to_string();
        record_uses(acc, scan, sites, &api, positions, &matched, EvidenceKind::ApiCall);
    }
}

fn read_fields(
    acc: &mut Accumulator<'_>,
    scan: &DexScan,
    sites: &Sites,
    used: &mut BTreeSet<FieldRef>,
) {
    let rules = acc.rules;
    let read: BTreeSet<&FieldRef> = scan
        .facts
        .fields
        .iter()
        .filter(|f| f.read)
        .map(|f| &f.field)
        .collect();
    for (field, positions) in &sites.fields {
        if !read.contains(field) {
            continue;
        }
        let matched: Vec<&ApiRule> = rules
            .api_for_field(&field.class, &field.name, Some(&field.ty))
            .collect();
        if matched.is_empty() {
            continue;
        }
        used.insert(field.clone());
        let api = field.to_string();
        record_uses(acc, scan, sites, &api, positions, &matched, EvidenceKind::FieldRead);
    }
}

/// Strings and content URIs that rules name, one evidence item per collector loading them.
fn loaded_strings(acc: &mut Accumulator<'_>, scan: &DexScan, sites: &Sites) {
    let rules = acc.rules;
    for (text, positions) in &sites.const_strings {
        let matched = rules.api_for_string(text);
        if matched.is_empty() {
            continue;
        }
        let found = acc.call_sites(scan, &sites.callers, positions);
        for rule in matched {
            let mut seen = BTreeSet::new();
            for site in found.iter().filter(|s| seen.insert(s.collector.clone())) {
                let evidence = Evidence {
                    kind: EvidenceKind::String,
                    rule: rule.id.clone(),
                    strength: Strength::Called,
                    detail: text.clone(),
                    location: Some(site.location.clone()),
                    collector: Some(site.collector.clone()),
                    standing: Standing::default(),
                    exemption: None,
                };
                acc.add_evidence(&rule.categories, evidence);
            }
            acc.condition_notes(rule);
        }
    }
}

/// Class and member names loaded next to reflection calls.
fn reflection(acc: &mut Accumulator<'_>, scan: &DexScan) {
    let rules = acc.rules;
    for reflective in &scan.facts.reflective {
        let Some(class) = &reflective.class else {
            continue;
        };
        let found = vec![acc.call_site(scan, &reflective.site, None)];
        match &reflective.member {
            Some(member) => {
                let api = format!("{class}->{member}");
                for rule in rules.api_for_method(class, member, "") {
                    acc.record_api(
                        &api,
                        rule,
                        Strength::Reflective,
                        EvidenceKind::Reflection,
                        found.clone(),
                    );
                }
            }
            None => {
                for rule in rules.api_for_class(class) {
                    acc.record_api(
                        class,
                        rule,
                        Strength::Reflective,
                        EvidenceKind::Reflection,
                        found.clone(),
                    );
                }
            }
        }
    }
}

/// Records the uses of one method or field (at `positions` among the callers) for every rule it
/// matched; a `with_strings` rule keeps only the callers that also load one of its strings.
fn record_uses(
    acc: &mut Accumulator<'_>,
    scan: &DexScan,
    sites: &Sites,
    signature: &str,
    positions: &[SiteRef],
    matched: &[&ApiRule],
    kind: EvidenceKind,
) {
    let all = acc.call_sites(scan, &sites.callers, positions);
    for rule in matched {
        let found = if rule.with_strings {
            acc.call_sites(scan, &sites.callers, &with_strings(rule, sites, positions))
        } else {
            all.clone()
        };
        if !found.is_empty() {
            acc.record_api(signature, rule, Strength::Called, kind, found);
        }
    }
}

/// The caller positions among `positions` whose method also loads one of the rule's strings.
fn with_strings(rule: &ApiRule, sites: &Sites, positions: &[SiteRef]) -> Vec<SiteRef> {
    let loaders: BTreeSet<u32> = rule
        .strings
        .iter()
        .filter_map(|s| sites.const_strings.get(s))
        .flatten()
        .map(|site| site.caller)
        .collect();
    positions
        .iter()
        .copied()
        .filter(|p| loaders.contains(&p.caller))
        .collect()
}

/// Methods, fields and classes of one DEX's id tables that rules name and no instruction of the
/// app uses.
fn references(
    acc: &mut Accumulator<'_>,
    scan: &DexScan,
    used_methods: &BTreeSet<MethodRef>,
    used_fields: &BTreeSet<FieldRef>,
) {
    let rules = acc.rules;
    for method in scan
        .unused_methods
        .iter()
        .filter(|m| !used_methods.contains(*m))
    {
        let matched: Vec<&ApiRule> = rules
            .api_for_method(&method.class, &method.name, &method.proto)
            .collect();
        if !matched.is_empty() {
            record_reference(acc, &method.to_string(), &matched);
        }
    }
    for field in scan
        .unread_fields
        .iter()
        .filter(|f| !used_fields.contains(*f))
    {
        let matched: Vec<&ApiRule> = rules
            .api_for_field(&field.class, &field.name, Some(&field.ty))
            .collect();
        if !matched.is_empty() {
            record_reference(acc, &field.to_string(), &matched);
        }
    }
    for class in &scan.types {
        for rule in rules.api_for_class(class) {
            let evidence = Evidence {
                kind: EvidenceKind::ApiReference,
                rule: rule.id.clone(),
                strength: Strength::Referenced,
                detail: class.clone(),
                location: Some(scan.location()),
                collector: None,
                standing: Standing::default(),
                exemption: None,
            };
            acc.add_evidence(&rule.categories, evidence);
            acc.condition_notes(rule);
        }
    }
}

/// Records a method or field that the id tables name but no instruction uses.
fn record_reference(acc: &mut Accumulator<'_>, signature: &str, matched: &[&ApiRule]) {
    for rule in matched.iter().filter(|r| !r.with_strings) {
        acc.record_api(
            signature,
            rule,
            Strength::Referenced,
            EvidenceKind::ApiReference,
            Vec::new(),
        );
    }
}
