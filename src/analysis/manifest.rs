//! What the manifest alone says: the permissions the app requests, and the components guarded by
//! a permission that reveals a category (an accessibility service or an input method sees what
//! the user types in other apps).

use super::accumulator::Accumulator;
use crate::report::{Evidence, EvidenceKind, PermissionEntry, Standing, Strength};
use crate::scanner::AppFacts;

pub(super) fn permissions(acc: &mut Accumulator<'_>, facts: &AppFacts) -> Vec<PermissionEntry> {
    let Some(manifest) = &facts.manifest else {
        return Vec::new();
    };
    let location = facts.manifest_location();
    let mut entries = Vec::new();
    for permission in &manifest.permissions {
        let rule = acc.rules.permission(&permission.name);
        let categories = rule.map(|r| r.categories.clone()).unwrap_or_default();
        if let Some(rule) = rule {
            let evidence = Evidence {
                kind: EvidenceKind::Permission,
                rule: rule.id.clone(),
                strength: Strength::Declared,
                detail: permission.name.clone(),
                location: Some(location.clone()),
                // A requested permission says what the app as a whole (its SDKs' merged
                // manifests included) may reach, not whose code uses it: no collector.
                collector: None,
                standing: Standing::default(),
                exemption: None,
            };
            acc.add_evidence(&rule.categories, evidence);
        }
        entries.push(PermissionEntry {
            name: permission.name.clone(),
            protection: acc
                .rules
                .protection_level(&permission.name)
                .map(str::to_owned),
            max_sdk: permission.max_sdk,
            sdk23: permission.sdk23,
            categories,
        });
    }
    entries
}

pub(super) fn components(acc: &mut Accumulator<'_>, facts: &AppFacts) {
    let Some(manifest) = &facts.manifest else {
        return;
    };
    let location = facts.manifest_location();
    for component in &manifest.components {
        let Some(permission) = &component.permission else {
            continue;
        };
        let Some(rule) = acc.rules.permission(permission) else {
            continue;
        };
        let class = format!("L{};", component.name.replace('.', "/"));
        let collector = acc.who.collector_of(&class);
        let evidence = Evidence {
            kind: EvidenceKind::Component,
            rule: rule.id.clone(),
            strength: Strength::Declared,
            detail: format!(
                "{} {} guarded by {}",
                component.kind, component.name, permission
            ),
            location: Some(location.clone()),
            collector: Some(collector),
            standing: Standing::default(),
            exemption: None,
        };
        acc.add_evidence(&rule.categories.clone(), evidence);
    }
}
