//! Native libraries: their imports that rules map to categories, attributed to the collector
//! whose Java classes their JNI exports bind to.

use std::collections::{BTreeMap, BTreeSet};

use super::accumulator::Accumulator;
use super::attribution;
use crate::report::{Evidence, EvidenceKind, NativeLib, Standing, Strength};
use crate::scanner::AppFacts;

/// The collector a native library works for: the one its JNI exports bind to most often.
pub(super) fn collector(acc: &mut Accumulator<'_>, jni_exports: &[String]) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for export in jni_exports {
        if let Some(class) = attribution::jni_class(export) {
            *counts.entry(acc.who.collector_of(&class)).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
        .map_or_else(|| acc.who.app(), |(id, _)| id)
}

pub(super) fn libraries(acc: &mut Accumulator<'_>, facts: &AppFacts) -> Vec<NativeLib> {
    let mut libs = Vec::new();
    for scan in &facts.native {
        let Some(elf) = &scan.facts else {
            libs.push(NativeLib {
                location: scan.location.clone(),
                abi: scan.abi.clone(),
                needed: Vec::new(),
                imports: Vec::new(),
                jni_exports: Vec::new(),
                categories: Vec::new(),
            });
            continue;
        };
        let collector = collector(acc, &elf.jni_exports);
        let mut imports = BTreeSet::new();
        let mut categories = BTreeSet::new();
        for symbol in &elf.imports {
            for rule in acc.rules.native_for_symbol(symbol) {
                imports.insert(symbol.clone());
                categories.extend(rule.categories.iter().cloned());
                let evidence = Evidence {
                    kind: EvidenceKind::NativeImport,
                    rule: rule.id.clone(),
                    strength: Strength::Native,
                    detail: symbol.clone(),
                    location: Some(scan.location.clone()),
                    collector: Some(collector.clone()),
                    standing: Standing::default(),
                    exemption: None,
                    path: None,
                };
                acc.add_evidence(&rule.categories, evidence);
            }
        }
        libs.push(NativeLib {
            location: scan.location.clone(),
            abi: scan.abi.clone(),
            needed: elf.needed.clone(),
            imports: imports.into_iter().collect(),
            jni_exports: elf.jni_exports.clone(),
            categories: categories.into_iter().collect(),
        });
    }
    libs
}
