//! The embedded rule files load cleanly and cover the taxonomy.

use dossier::rules::RuleSet;

#[test]
fn builtin_rules_load_without_errors() {
    let errors = RuleSet::builtin_errors();
    assert!(
        errors.is_empty(),
        "built-in rules have problems:\n{}",
        errors
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Permission names in the rules are spelt as AOSP spells them: every `android.permission.*` name
/// must be in the generated level table, except those defined by mainline modules outside
/// `frameworks/base` (Health Connect, AdServices).
#[test]
fn platform_permission_names_exist_in_aosp() {
    let rules = RuleSet::builtin().expect("load");
    let module_defined = |name: &str| {
        name.starts_with("android.permission.health.")
            || name == "android.permission.ACCESS_ADSERVICES_AD_ID"
    };
    let mut names: Vec<&str> = Vec::new();
    for rule in rules.permissions() {
        names.extend(rule.names.iter().map(String::as_str));
    }
    for rule in rules.apis() {
        names.extend(rule.permissions.iter().map(String::as_str));
        names.extend(
            rule.conditions
                .iter()
                .filter_map(|c| c.permission.as_deref()),
        );
    }
    let unknown: Vec<&str> = names
        .into_iter()
        .filter(|n| n.starts_with("android.permission.") && !module_defined(n))
        .filter(|n| rules.protection_level(n).is_none())
        .collect();
    assert!(
        unknown.is_empty(),
        "not AOSP permissions (typo?): {unknown:?}"
    );
}

/// One tracker per SDK: ETIP lists some SDKs twice (AdMob and DoubleClick, Baidu Map and Baidu
/// Maps); the converter merges them, so no code entry and no host belongs to two tracker rules,
/// and the merged names stay findable in the survivor's documentation.
#[test]
fn no_two_trackers_claim_the_same_code_or_host() {
    let rules = dossier::rules::RuleSet::builtin().unwrap();
    let mut code_owner = std::collections::BTreeMap::new();
    let mut host_owner = std::collections::BTreeMap::new();
    let mut clashes = Vec::new();
    for tracker in rules.trackers() {
        for code in &tracker.code {
            if let Some(other) = code_owner.insert(code.clone(), tracker.id.clone()) {
                clashes.push(format!("code {code}: {other} and {}", tracker.id));
            }
        }
        for host in &tracker.hosts {
            if let Some(other) = host_owner.insert(host.clone(), tracker.id.clone()) {
                clashes.push(format!("host {host}: {other} and {}", tracker.id));
            }
        }
    }
    assert!(clashes.is_empty(), "{}", clashes.join("\n"));
    let admob = rules
        .trackers()
        .iter()
        .find(|t| t.id == "google_admob")
        .unwrap();
    assert!(
        admob.hosts.iter().any(|h| h.contains("doubleclick")),
        "DoubleClick's hosts are AdMob's: {:?}",
        admob.hosts
    );
    assert!(
        rules
            .trackers()
            .iter()
            .all(|t| t.id != "google_doubleclick")
    );
}
