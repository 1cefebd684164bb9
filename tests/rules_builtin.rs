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
