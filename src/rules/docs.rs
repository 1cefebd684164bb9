//! Renders `docs/rules.md` from the effective rules, so the documentation can never drift from
//! the rule data (a test compares the committed file with this rendering).

use std::fmt::Write;

use super::RuleSet;
use super::model::{Doc, Family};

/// The whole `docs/rules.md` text for `rules`.
pub fn render_docs(rules: &RuleSet) -> String {
    let mut out = String::new();
    out.push_str("# dossier rules\n\n");
    out.push_str(
        "Generated from `rules/*.toml` by `dossier::rules::render_docs`; do not edit by hand.\n\
         Refresh with `DOSSIER_UPDATE_DOCS=1 cargo test --test rules_docs`.\n\
         The format is described in `rules/README.md`. Tracker data: Exodus Privacy / ETIP (ODbL 1.0).\n\n",
    );
    let _ = writeln!(out, "Rules digest: `{}`\n", rules.digest());

    out.push_str("## Categories\n\n| id | title | Google Play Data safety | Apple App Privacy |\n|---|---|---|---|\n");
    for c in rules.categories() {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            c.id,
            cell(&c.title),
            cell(&c.play),
            cell(&c.apple)
        );
    }
    out.push('\n');

    out.push_str("## Rule counts\n\n| family | rules |\n|---|---|\n");
    let rows = rules.rows();
    for family in Family::ALL {
        let count = rows.iter().filter(|r| r.family == family).count();
        let _ = writeln!(out, "| {family} | {count} |");
    }
    out.push('\n');

    out.push_str("## Permissions\n\n");
    for r in rules.permissions() {
        section(&mut out, &r.id, &r.categories, &r.doc, |o| {
            for n in &r.names {
                let level = rules
                    .protection_level(n)
                    .unwrap_or("not a platform permission");
                let _ = writeln!(o, "- `{n}` ({level})");
            }
        });
    }
    out.push_str("## Split permissions\n\n");
    for r in rules.split_permissions() {
        section(&mut out, &r.id, &[], &r.doc, |o| {
            let _ = writeln!(o, "- from: `{}`", r.from);
            list(o, "grants", &r.grants);
            match r.below_target_sdk {
                Some(sdk) => {
                    let _ = writeln!(o, "- to apps targeting an API level below {sdk}");
                }
                None => {
                    let _ = writeln!(o, "- to every app");
                }
            }
        });
    }
    out.push_str("## APIs\n\n");
    for r in rules.apis() {
        section(&mut out, &r.id, &r.categories, &r.doc, |o| {
            list(o, "methods", &r.methods);
            list(o, "fields", &r.fields);
            list(o, "strings", &r.strings);
            list(o, "string prefixes", &r.string_prefixes);
            list(o, "classes", &r.classes);
            list(o, "overrides", &r.overrides);
            list(o, "permissions", &r.permissions);
            if let Some(sdk) = r.permission_free_below_target_sdk {
                let _ = writeln!(o, "- no permission needed below target API {sdk}");
            }
            if let Some(context) = &r.context {
                let _ = writeln!(
                    o,
                    "- context (counts as collection only in code of: {}): {}",
                    context.counts_in.join(", "),
                    context.why
                );
            }
            for c in &r.conditions {
                let target = match (c.sdk, &c.permission) {
                    (Some(sdk), _) => format!(" (API {sdk})"),
                    (None, Some(p)) => format!(" (`{p}`)"),
                    (None, None) => String::new(),
                };
                let kind = serde_json::to_value(c.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                let _ = writeln!(o, "- condition `{kind}`{target}: {}", c.text);
            }
        });
    }
    out.push_str("## Plumbing\n\n");
    for r in rules.plumbing() {
        section(&mut out, &r.id, &[], &r.doc, |o| {
            list(o, "api rules", &r.apis);
            list(o, "code", &r.code);
        });
    }
    out.push_str("## Network sinks\n\n");
    for r in rules.sinks() {
        section(&mut out, &r.id, &[], &r.doc, |o| {
            list(o, "methods", &r.methods);
            let _ = writeln!(o, "- argument: {}", r.argument);
        });
    }
    out.push_str("## Native imports\n\n");
    for r in rules.natives() {
        section(&mut out, &r.id, &r.categories, &r.doc, |o| {
            list(o, "symbols", &r.symbols)
        });
    }
    out.push_str("## Libraries\n\n");
    for r in rules.libraries() {
        section(&mut out, &r.id, &[], &r.doc, |o| {
            let _ = writeln!(o, "- name: {}", r.name);
            list(o, "code", &r.code);
        });
    }
    out.push_str("## Trackers\n\nTracker data: Exodus Privacy / ETIP, ODbL 1.0.\n\n");
    for r in rules.trackers() {
        section(&mut out, &r.id, &r.categories, &r.doc, |o| {
            let _ = writeln!(o, "- name: {}", r.name);
            if let Some(etip) = r.etip {
                let _ = writeln!(o, "- ETIP id: {etip}");
            }
            if let Some(owner) = &r.owner {
                let _ = writeln!(o, "- owner: `{owner}`");
            }
            list(o, "code", &r.code);
            list(o, "hosts", &r.hosts);
            list(o, "meta-data", &r.meta_data);
        });
    }
    out.push_str("## Owners\n\n");
    for r in rules.owners() {
        section(&mut out, &r.id, &[], &r.doc, |o| {
            let _ = writeln!(o, "- name: {} ({})", r.name, r.country);
            list(o, "hosts", &r.hosts);
        });
    }
    out.push_str("## Not endpoints\n\n");
    for r in rules.not_endpoints() {
        section(&mut out, &r.id, &[], &r.doc, |o| {
            let _ = writeln!(o, "- reported as: {}", r.report_as.as_str());
            list(o, "hosts", &r.hosts);
            list(o, "URL prefixes", &r.url_prefixes);
            list(o, "page prefixes", &r.page_prefixes);
            list(o, "bare names", &r.bare_names);
            list(o, "path words", &r.path_words);
            list(o, "first labels", &r.first_labels);
        });
    }
    out
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

fn section(
    out: &mut String,
    id: &str,
    categories: &[String],
    doc: &Doc,
    body: impl FnOnce(&mut String),
) {
    let _ = writeln!(out, "### `{id}`\n");
    if !categories.is_empty() {
        let cats: Vec<String> = categories.iter().map(|c| format!("`{c}`")).collect();
        let _ = writeln!(out, "Categories: {}\n", cats.join(", "));
    }
    let _ = writeln!(out, "**What it finds.** {}\n", doc.what.trim());
    let _ = writeln!(out, "**Why it matters.** {}\n", doc.why.trim());
    let _ = writeln!(out, "**Example.** {}\n", doc.example.trim());
    body(out);
    out.push_str("- references:");
    for r in &doc.references {
        let _ = write!(out, " <{r}>");
    }
    out.push_str("\n\n");
}

fn list(out: &mut String, label: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    let quoted: Vec<String> = items
        .iter()
        .map(|i| format!("`{}`", i.replace('`', "'")))
        .collect();
    let _ = writeln!(out, "- {label}: {}", quoted.join(", "));
}
