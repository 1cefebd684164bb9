//! `docs/rules.md` is generated from the rule data; this test fails when the committed file
//! differs from the rendering. Refresh it with `DOSSIER_UPDATE_DOCS=1 cargo test --test rules_docs`.

use std::path::PathBuf;

use dossier::rules::{RuleSet, render_docs};

#[test]
fn committed_rules_doc_matches_the_rule_data() {
    let rules = RuleSet::builtin().expect("built-in rules load");
    let rendered = render_docs(&rules);
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("docs")
        .join("rules.md");
    if std::env::var_os("DOSSIER_UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(path.parent().expect("docs dir")).expect("create docs/");
        std::fs::write(&path, &rendered).expect("write docs/rules.md");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == rendered,
        "docs/rules.md is out of date with rules/*.toml; refresh it with\n    DOSSIER_UPDATE_DOCS=1 cargo test --test rules_docs"
    );
}

#[test]
fn rendering_is_deterministic() {
    let a = render_docs(&RuleSet::builtin().expect("load"));
    let b = render_docs(&RuleSet::builtin().expect("load"));
    assert_eq!(a, b);
    assert!(a.contains("### `location_manager_fix`"));
    assert!(a.contains("Exodus Privacy / ETIP"));
}
