//! What the app holds: the permissions it requests, the `BIND_*` permissions that guard its own
//! services, and what Android's split permissions add for its target SDK. One place decides
//! whether an API rule's permission requirement is met, for the `missing_permissions` of API
//! calls, the notes of categories and the `blocked` verdict alike.

use std::collections::BTreeSet;

use crate::axml::Manifest;
use crate::rules::{ApiRule, RuleSet};

/// The permissions an app holds, as far as its manifest tells.
pub(super) struct Grants {
    held: BTreeSet<String>,
    /// The target SDK Android applies: the declared one, else the minimum, else 1 (Android's
    /// default when `<uses-sdk>` says nothing).
    target_sdk: u32,
    has_manifest: bool,
}

impl Grants {
    pub fn new(rules: &RuleSet, manifest: Option<&Manifest>) -> Grants {
        let Some(manifest) = manifest else {
            return Grants {
                held: BTreeSet::new(),
                target_sdk: 1,
                has_manifest: false,
            };
        };
        let target_sdk = manifest.target_sdk.or(manifest.min_sdk).unwrap_or(1);
        let requested = manifest.permissions.iter().map(|p| p.name.clone());
        // An accessibility service or input method gets its power from being bound by the
        // system, which the `BIND_*` permission guarding it stands for, not from uses-permission.
        let guards = manifest
            .components
            .iter()
            .filter_map(|c| c.permission.clone())
            .filter(|p| p.starts_with("android.permission.BIND_"));
        let mut held: BTreeSet<String> = requested.chain(guards).collect();
        // Split permissions chain (fine → coarse → background): apply them until nothing
        // changes, at most once per rule.
        for _ in 0..=rules.split_permissions().len() {
            let before = held.len();
            for split in rules.split_permissions() {
                let applies = split.below_target_sdk.is_none_or(|below| target_sdk < below);
                if applies && held.contains(&split.from) {
                    held.extend(split.grants.iter().cloned());
                }
            }
            if held.len() == before {
                break;
            }
        }
        Grants {
            held,
            target_sdk,
            has_manifest: true,
        }
    }

    /// Whether the app holds `permission` (requested, guarding its service, or split from one).
    pub fn holds(&self, permission: &str) -> bool {
        self.held.contains(permission)
    }

    /// The target SDK Android applies to the app.
    pub fn target_sdk(&self) -> u32 {
        self.target_sdk
    }

    pub fn has_manifest(&self) -> bool {
        self.has_manifest
    }

    /// The permissions of `rule` of which the app holds none; empty when one is held, when the
    /// rule needs none at the app's target SDK, or when there is no manifest to tell.
    pub fn missing(&self, rule: &ApiRule) -> Vec<String> {
        let free = rule
            .permission_free_below_target_sdk
            .is_some_and(|below| self.target_sdk < below);
        if !self.has_manifest
            || free
            || rule.permissions.is_empty()
            || rule.permissions.iter().any(|p| self.holds(p))
        {
            return Vec::new();
        }
        rule.permissions.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::axml::manifest::{Component, ExportedReason, UsesPermission};

    fn manifest(target: Option<u32>, permissions: &[&str]) -> Manifest {
        Manifest {
            target_sdk: target,
            permissions: permissions
                .iter()
                .map(|name| UsesPermission {
                    name: (*name).to_owned(),
                    max_sdk: None,
                    sdk23: false,
                })
                .collect(),
            ..Manifest::default()
        }
    }

    fn service(permission: &str) -> Component {
        Component {
            kind: "service".to_owned(),
            name: "com.example.Service".to_owned(),
            exported: false,
            exported_reason: ExportedReason::Default,
            permission: Some(permission.to_owned()),
            read_permission: None,
            write_permission: None,
            authorities: Vec::new(),
            target_activity: None,
            intent_filters: Vec::new(),
        }
    }

    fn rule(permissions: &[&str], free_below: Option<u32>) -> ApiRule {
        let mut rule = RuleSet::builtin()
            .unwrap()
            .api("installed_packages")
            .unwrap()
            .clone();
        rule.permissions = permissions.iter().map(|p| (*p).to_owned()).collect();
        rule.permission_free_below_target_sdk = free_below;
        rule
    }

    #[test]
    fn split_permissions_follow_the_target_sdk() {
        let rules = RuleSet::builtin().unwrap();
        let old = Grants::new(&rules, Some(&manifest(Some(14), &["android.permission.READ_CONTACTS"])));
        assert!(old.holds("android.permission.READ_CALL_LOG"));
        let new = Grants::new(&rules, Some(&manifest(Some(16), &["android.permission.READ_CONTACTS"])));
        assert!(!new.holds("android.permission.READ_CALL_LOG"));
        // Chains: fine → coarse (always) and fine → background (below 29).
        let fine = Grants::new(&rules, Some(&manifest(Some(28), &["android.permission.ACCESS_FINE_LOCATION"])));
        assert!(fine.holds("android.permission.ACCESS_COARSE_LOCATION"));
        assert!(fine.holds("android.permission.ACCESS_BACKGROUND_LOCATION"));
        let fine29 = Grants::new(&rules, Some(&manifest(Some(29), &["android.permission.ACCESS_FINE_LOCATION"])));
        assert!(!fine29.holds("android.permission.ACCESS_BACKGROUND_LOCATION"));
        // No target SDK: Android falls back to the minimum, then to 1.
        let unknown = Grants::new(&rules, Some(&manifest(None, &["android.permission.READ_CONTACTS"])));
        assert_eq!(unknown.target_sdk(), 1);
        assert!(unknown.holds("android.permission.READ_CALL_LOG"));
    }

    #[test]
    fn a_rule_is_free_below_its_target_sdk_and_met_by_any_permission() {
        let rules = RuleSet::builtin().unwrap();
        let query = rule(&["android.permission.QUERY_ALL_PACKAGES"], Some(30));
        let old = Grants::new(&rules, Some(&manifest(Some(29), &[])));
        assert!(old.missing(&query).is_empty());
        let new = Grants::new(&rules, Some(&manifest(Some(30), &[])));
        assert_eq!(new.missing(&query), ["android.permission.QUERY_ALL_PACKAGES"]);
        let either = rule(&["android.permission.A", "android.permission.B"], None);
        let holds_b = Grants::new(&rules, Some(&manifest(Some(34), &["android.permission.B"])));
        assert!(holds_b.missing(&either).is_empty());
        // Without a manifest nothing can be said to be missing.
        assert!(Grants::new(&rules, None).missing(&either).is_empty());
    }

    #[test]
    fn a_bind_permission_guarding_a_component_is_held() {
        let rules = RuleSet::builtin().unwrap();
        let mut m = manifest(Some(34), &[]);
        m.components
            .push(service("android.permission.BIND_ACCESSIBILITY_SERVICE"));
        m.components.push(service("com.example.OWN"));
        let grants = Grants::new(&rules, Some(&m));
        assert!(grants.holds("android.permission.BIND_ACCESSIBILITY_SERVICE"));
        assert!(!grants.holds("com.example.OWN"));
    }
}
