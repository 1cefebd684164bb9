//! The HTML renderer of a diff and of a timeline: one self-contained page each (inline CSS, no
//! script, nothing fetched), in the scan report's style. A diff page lists only what changed,
//! added rows green, removed red, changed amber; a timeline page shows a grid per kind of row
//! (categories, trackers, endpoint owners) against the versions, cells coloured by verdict or
//! presence, then each step.
//!
//! Every app string goes through [`crate::report::escape::html`] and is only ever text content or
//! a quoted `title`; class names come from the renderer's own words, never from a cell's text.
//! Each row carries a `+`, `−` or `~` sign as well as its colour, so it reads the same printed in
//! black and white.

use std::fmt::Write as _;

use super::labels;
use super::model::{Changes, PresenceRow, ReportDiff, Timeline};
use crate::report::HTML_STYLE;
use crate::report::escape::html as esc;

const DIFF_STYLE: &str = r#"
table.changes td.sign { width:22px; font-weight:700; text-align:center; }
tr.added { background:#ecf8f0; } tr.added td.sign { color:#1b7f3b; }
tr.removed { background:#fdeeed; } tr.removed td.sign { color:#b3261e; }
tr.changed { background:#fff8e6; } tr.changed td.sign { color:#8a5a00; }
.flag.alert { border-color:#b3261e; color:#b3261e; font-weight:600; }
.count.added .n { color:#1b7f3b; } .count.removed .n { color:#b3261e; }
table.changes .id, table.tl .id { font-family:ui-monospace,Menlo,Consolas,monospace; font-size:12px; color:var(--muted); margin-left:4px; }
h3 { font-size:15px; margin:14px 0 8px; }
table.tl { width:auto; }
table.tl th.ver { text-align:center; min-width:92px; }
table.tl td.cell { text-align:center; font-size:12px; font-weight:600; border-left:1px solid var(--line); }
table.tl td.v-collected { background:var(--called); color:#fff; }
table.tl td.v-possible { background:#fff3d6; color:#7a4f00; }
table.tl td.v-blocked { background:#eef0f4; color:var(--muted); }
table.tl td.present { background:#1f78b4; color:#fff; }
table.tl td.hint { background:#dbe9f6; color:#23508f; }
table.tl td.absent { background:#fafbfc; color:#c3c9d4; font-weight:400; }
table.tl td.intro { box-shadow:inset 4px 0 0 #1b7f3b; }
table.tl td.drop { box-shadow:inset 4px 0 0 #b3261e; }
section.step > details > summary { font-weight:600; color:var(--ink); }
"#;

/// Renders the page of a diff of two versions.
pub fn render_diff_html(diff: &ReportDiff) -> String {
    let mut out = String::with_capacity(16 * 1024);
    let package = labels::package(&diff.new);
    let title = format!(
        "{package} {} → {}",
        labels::version(&diff.old),
        labels::version(&diff.new)
    );
    page_start(&mut out, &title);
    out.push_str("<header class=\"app\">\n");
    let _ = writeln!(out, "<h1>{}</h1>", esc(&title));
    warnings(&mut out, &diff.warnings);
    if diff.old.package != diff.new.package {
        let _ = writeln!(
            out,
            "<div class=\"pkg\">{} → {}</div>",
            esc(labels::package(&diff.old)),
            esc(package)
        );
    }
    out.push_str("<div class=\"facts\">");
    for (word, side) in [("from", &diff.old), ("to", &diff.new)] {
        let _ = write!(
            out,
            "<span>{word} <b>{}</b> <span class=\"mono\" title=\"{}\">{}…</span></span>",
            esc(&labels::version(side)),
            esc(&side.sha256),
            esc(short(&side.sha256))
        );
    }
    out.push_str("</div>\n</header>\n");
    if diff.is_empty() {
        out.push_str("<section id=\"no-change\"><p class=\"none\">No change.</p></section>\n");
    } else {
        counts(&mut out, diff);
        sections(&mut out, diff, Level::Page);
    }
    footer(&mut out, &diff.schema_version, &[&diff.old, &diff.new]);
    out
}

/// Renders the page of a timeline of three or more versions.
pub fn render_timeline_html(timeline: &Timeline) -> String {
    let mut out = String::with_capacity(32 * 1024);
    let package = timeline
        .versions
        .first()
        .map_or("(no input)", labels::package);
    let title = format!("{package}: {} versions", timeline.versions.len());
    page_start(&mut out, &title);
    out.push_str("<header class=\"app\">\n");
    let _ = writeln!(out, "<h1>{}</h1>", esc(&title));
    if timeline.reordered {
        out.push_str("<div class=\"note\">The inputs were given in another order: the versions are shown by version code.</div>\n");
    }
    out.push_str("</header>\n");
    let versions = &timeline.versions;
    grid(
        &mut out,
        "Data categories",
        "verdict in each version",
        &timeline.categories,
        versions,
    );
    grid(
        &mut out,
        "Trackers",
        "bundled, or only hinted at",
        &timeline.trackers,
        versions,
    );
    grid(
        &mut out,
        "Endpoint owners",
        "hosts in each version",
        &timeline.owners,
        versions,
    );
    for step in &timeline.steps {
        let summary: Vec<String> = labels::section_counts(step)
            .into_iter()
            .map(|(name, added, removed, changed)| {
                format!("{name} {}", labels::counts_text(added, removed, changed))
            })
            .collect();
        let _ = writeln!(
            out,
            "<section class=\"step\"><details><summary>{} → {} <span class=\"sub none\">· {}</span></summary>",
            esc(&labels::version(&step.old)),
            esc(&labels::version(&step.new)),
            if summary.is_empty() {
                "no change".to_owned()
            } else {
                esc(&summary.join(", "))
            }
        );
        warnings(&mut out, &step.warnings);
        if step.is_empty() {
            out.push_str("<p class=\"none\">No change.</p>\n");
        } else {
            sections(&mut out, step, Level::Step);
        }
        out.push_str("</details></section>\n");
    }
    let sides: Vec<&super::model::DiffSide> = versions.iter().collect();
    footer(&mut out, &timeline.schema_version, &sides);
    out
}

fn page_start(out: &mut String, title: &str) {
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <title>{} — dossier diff</title>\n<style>{HTML_STYLE}{DIFF_STYLE}</style>\n</head>\n<body>\n<main>\n",
        esc(title)
    );
}

fn footer(out: &mut String, schema_version: &str, sides: &[&super::model::DiffSide]) {
    let mut digests: Vec<&str> = sides.iter().map(|s| short(&s.rules_digest)).collect();
    digests.dedup();
    let digests: Vec<String> = digests.into_iter().map(esc).collect();
    let _ = write!(
        out,
        "<footer>Generated by dossier {} · diff schema {} · rules {}</footer>\n</main>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        esc(schema_version),
        digests.join(", ")
    );
}

fn short(digest: &str) -> &str {
    crate::report::view::short_digest(digest)
}

fn warnings(out: &mut String, warnings: &[String]) {
    if warnings.is_empty() {
        return;
    }
    out.push_str("<div class=\"partial\"><b>Read with care</b><ul>");
    for warning in warnings {
        let _ = write!(out, "<li>{}</li>", esc(warning));
    }
    out.push_str("</ul></div>\n");
}

fn counts(out: &mut String, diff: &ReportDiff) {
    out.push_str("<div class=\"counts\">");
    for (name, added, removed, changed) in labels::section_counts(diff) {
        let class = match (added > 0, removed > 0 || changed > 0) {
            (true, false) => "count added",
            (false, true) if changed == 0 => "count removed",
            _ => "count",
        };
        let _ = write!(
            out,
            "<div class=\"{class}\"><span class=\"n\">{}</span><span class=\"l\">{name}</span></div>",
            labels::counts_text(added, removed, changed)
        );
    }
    out.push_str("</div>\n");
}

/// Where a diff's sections go: a page of their own, or folded in a timeline step.
#[derive(Clone, Copy)]
enum Level {
    Page,
    Step,
}

/// One row of a section's table: its kind of change and its cells, already escaped.
struct Row {
    class: &'static str,
    cells: Vec<String>,
}

fn rows<T>(changes: &Changes<T>, cells: impl Fn(&T) -> Vec<String>) -> Vec<Row> {
    let added = changes.added.iter().map(|item| Row {
        class: "added",
        cells: cells(item),
    });
    let removed = changes.removed.iter().map(|item| Row {
        class: "removed",
        cells: cells(item),
    });
    added.chain(removed).collect()
}

fn code(text: &str) -> String {
    format!("<code>{}</code>", esc(text))
}

fn code_list(items: &[String]) -> String {
    items.iter().map(|i| code(i)).collect::<Vec<_>>().join(" ")
}

fn sections(out: &mut String, diff: &ReportDiff, level: Level) {
    let mut section = |id: &str, title: &str, head: &[&str], rows: Vec<Row>| {
        if rows.is_empty() {
            return;
        }
        match level {
            Level::Page => {
                let _ = writeln!(out, "<section id=\"{id}\">\n<h2>{title}</h2>");
            }
            Level::Step => {
                let _ = writeln!(out, "<div class=\"{id}\">\n<h3>{title}</h3>");
            }
        }
        out.push_str("<table class=\"changes\">\n<thead><tr><th></th>");
        for name in head {
            let _ = write!(out, "<th>{name}</th>");
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for row in rows {
            let sign = match row.class {
                "added" => "+",
                "removed" => "−",
                _ => "~",
            };
            let _ = write!(
                out,
                "<tr class=\"{}\"><td class=\"sign\">{sign}</td>",
                row.class
            );
            for cell in &row.cells {
                let _ = write!(out, "<td>{cell}</td>");
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table>\n");
        out.push_str(match level {
            Level::Page => "</section>\n",
            Level::Step => "</div>\n",
        });
    };
    let mut permissions: Vec<Row> = Vec::new();
    for (class, items) in [
        ("added", &diff.permissions.added),
        ("removed", &diff.permissions.removed),
    ] {
        permissions.extend(labels::dangerous_first(items).into_iter().map(|p| Row {
            class,
            cells: vec![
                code(&p.name),
                p.protection.as_deref().map(esc).unwrap_or_default(),
            ],
        }));
    }
    section(
        "permissions",
        "Permissions",
        &["Permission", "Protection"],
        permissions,
    );
    section(
        "categories",
        "Data categories",
        &["Category", "Change", "Collected by"],
        category_rows(diff),
    );
    section(
        "trackers",
        "Trackers",
        &["SDK", "Owner", "Country"],
        rows(&diff.trackers, |t| {
            vec![
                format!(
                    "<b>{}</b>{} <span class=\"id\">{}</span>",
                    esc(&t.name),
                    labels::hint_suffix(t),
                    esc(&t.id)
                ),
                t.owner_name.as_deref().map(esc).unwrap_or_default(),
                t.country.as_deref().map(esc).unwrap_or_default(),
            ]
        }),
    );
    section(
        "endpoints",
        "Endpoints",
        &["Host", "Owner", "Country", "URLs"],
        endpoint_rows(diff),
    );
    section(
        "apis",
        "API calls",
        &["API", "Categories", "Called by", "Strength"],
        rows(&diff.api_calls, |api| {
            vec![
                code(&api.api),
                code_list(&api.categories),
                api.collector
                    .as_deref()
                    .map_or_else(|| "no call site".to_owned(), code),
                super::text::strength_word(api.strength).to_owned(),
            ]
        }),
    );
    section(
        "native",
        "Native libraries",
        &["Library", "ABI"],
        rows(&diff.native_libs, |lib| {
            vec![code(&lib.name), esc(&lib.abi)]
        }),
    );
    section(
        "components",
        "Exported components",
        &["Kind", "Name", "Permission"],
        rows(&diff.components, |c| {
            vec![
                esc(&c.kind),
                code(&c.name),
                c.permission
                    .as_deref()
                    .map_or_else(|| "<span class=\"none\">none</span>".to_owned(), code),
            ]
        }),
    );
    section(
        "anomalies",
        "Anomalies",
        &["Code", "Occurrences"],
        rows(&diff.anomalies, |a| {
            vec![code(&a.code), a.count.to_string()]
        }),
    );
    if let Some(sdk) = &diff.target_sdk {
        let notes: Vec<String> = sdk.notes.iter().map(|n| esc(n)).collect();
        section(
            "target-sdk",
            "Target SDK",
            &["Level", "What it changes"],
            vec![Row {
                class: "changed",
                cells: vec![labels::sdk_step(sdk.old, sdk.new), notes.join("<br>")],
            }],
        );
    }
}

fn category_rows(diff: &ReportDiff) -> Vec<Row> {
    let categories = &diff.categories;
    let item = |class: &'static str, c: &super::model::CategoryItem| Row {
        class,
        cells: vec![
            code(&c.id),
            esc(&labels::category_state(c)),
            code_list(&c.collected_by),
        ],
    };
    let mut out: Vec<Row> = categories.added.iter().map(|c| item("added", c)).collect();
    out.extend(categories.removed.iter().map(|c| item("removed", c)));
    for change in &categories.changed {
        let mut parts: Vec<String> = labels::category_steps(change)
            .iter()
            .map(|s| esc(s))
            .collect();
        for (words, ids) in labels::collector_steps(change) {
            if !ids.is_empty() {
                parts.push(format!("{words} {}", code_list(ids)));
            }
        }
        out.push(Row {
            class: "changed",
            cells: vec![code(&change.id), parts.join("; "), String::new()],
        });
    }
    out
}

fn endpoint_rows(diff: &ReportDiff) -> Vec<Row> {
    let mut out = Vec::new();
    for (class, items) in [
        ("added", &diff.endpoints.added),
        ("removed", &diff.endpoints.removed),
    ] {
        for host in items {
            let mut country = host.country.as_deref().map(esc).unwrap_or_default();
            if host.new_country {
                country.push_str(" <span class=\"flag alert\">new country</span>");
            }
            let (shown, more) = labels::shown_urls(host);
            let mut urls: Vec<String> = shown.iter().map(|u| code(u)).collect();
            if more > 0 {
                urls.push(format!("<span class=\"none\">… {more} more</span>"));
            }
            out.push(Row {
                class,
                cells: vec![
                    code(&host.host),
                    host.owner_name.as_deref().map(esc).unwrap_or_default(),
                    country,
                    urls.join("<br>"),
                ],
            });
        }
    }
    out
}

/// A grid of presence rows against the versions. A cell whose row was absent in the version
/// before gets a green left edge, one whose row was there before and is gone a red one.
fn grid(
    out: &mut String,
    title: &str,
    sub: &str,
    rows: &[PresenceRow],
    versions: &[super::model::DiffSide],
) {
    let _ = writeln!(
        out,
        "<section>\n<h2>{title}<span class=\"sub\">{sub}</span></h2>"
    );
    if rows.is_empty() {
        out.push_str("<p class=\"none\">None in any version.</p>\n</section>\n");
        return;
    }
    out.push_str("<div class=\"scroll\"><table class=\"tl\">\n<thead><tr><th></th>");
    for side in versions {
        let _ = write!(
            out,
            "<th class=\"ver\" title=\"{}\">{}</th>",
            esc(&side.sha256),
            esc(&labels::version(side))
        );
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        let label = if row.label == row.id {
            code(&row.label)
        } else {
            format!(
                "{} <span class=\"id\">{}</span>",
                esc(&row.label),
                esc(&row.id)
            )
        };
        let _ = write!(out, "<tr><td>{label}</td>");
        let mut before: Option<&Option<String>> = None;
        for cell in &row.cells {
            let mut class = vec!["cell", cell_class(cell.as_deref())];
            match (before.map(Option::is_some), cell.is_some()) {
                (Some(false), true) => class.push("intro"),
                (Some(true), false) => class.push("drop"),
                _ => {}
            }
            let _ = write!(
                out,
                "<td class=\"{}\">{}</td>",
                class.join(" "),
                cell.as_deref().map_or_else(|| "—".to_owned(), esc)
            );
            before = Some(cell);
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table></div>\n</section>\n");
}

/// The colour class of a cell, from the renderer's own list of words.
fn cell_class(cell: Option<&str>) -> &'static str {
    match cell {
        None => "absent",
        Some("collected") => "v-collected",
        Some("possible") => "v-possible",
        Some("blocked") => "v-blocked",
        Some("hint") => "hint",
        Some(_) => "present",
    }
}
