//! What the manifest alone says: the permissions the app requests, the components guarded by a
//! permission that reveals a category (an accessibility service or an input method sees what the
//! user types in other apps), and the broadcast receivers that subscribe to a data-carrying
//! broadcast (`SMS_RECEIVED` hands each incoming message to the receiver).

use super::accumulator::Accumulator;
use crate::report::{
    Evidence, EvidenceKind, ExportedComponent, PermissionEntry, Standing, Strength,
};
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
                path: None,
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
            path: None,
        };
        acc.add_evidence(&rule.categories.clone(), evidence);
    }
}

/// Receivers whose intent filter names an action that an API rule lists among its exact
/// `strings` (`android.provider.Telephony.SMS_RECEIVED`, `android.intent.action.NEW_OUTGOING_CALL`):
/// the system delivers that broadcast, data included, to the receiver's `onReceive`. `called`
/// when the app's DEX defines the receiver class (its code runs on each broadcast), `declared`
/// when it does not (a manifest entry with no code behind it).
pub(super) fn receivers(acc: &mut Accumulator<'_>, facts: &AppFacts) {
    let Some(manifest) = &facts.manifest else {
        return;
    };
    let location = facts.manifest_location();
    for component in manifest.components.iter().filter(|c| c.kind == "receiver") {
        let class = format!("L{};", component.name.replace('.', "/"));
        let has_code = facts.dex.iter().any(|d| d.hierarchy.get(&class).is_some());
        let actions: std::collections::BTreeSet<&str> = component
            .intent_filters
            .iter()
            .flat_map(|f| f.actions.iter().map(String::as_str))
            .collect();
        for action in actions {
            let rules: Vec<_> = acc
                .rules
                .api_for_string(action)
                .into_iter()
                .filter(|r| r.strings.iter().any(|s| s == action))
                .collect();
            for rule in rules {
                let evidence = Evidence {
                    kind: EvidenceKind::Component,
                    rule: rule.id.clone(),
                    strength: if has_code {
                        Strength::Called
                    } else {
                        Strength::Declared
                    },
                    detail: format!("receiver {} for {action}", component.name),
                    location: Some(location.clone()),
                    collector: Some(acc.who.collector_of(&class)),
                    standing: Standing::default(),
                    exemption: None,
                    path: None,
                };
                acc.add_evidence(&rule.categories, evidence);
                acc.condition_notes(rule);
            }
        }
    }
}

/// The components other apps can start or bind: what a new version opens to them.
pub(super) fn exported_components(facts: &AppFacts) -> Vec<ExportedComponent> {
    let Some(manifest) = &facts.manifest else {
        return Vec::new();
    };
    manifest
        .components
        .iter()
        .filter(|c| c.exported)
        .map(|c| ExportedComponent {
            kind: c.kind.clone(),
            name: c.name.clone(),
            permission: c.permission.clone(),
        })
        .collect()
}
