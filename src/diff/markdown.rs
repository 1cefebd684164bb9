//! The Markdown renderer of a diff and of a timeline, to paste into a changelog or a pull-request
//! comment: a header line naming the two versions, warnings as a quote, then one section per kind
//! of item that changed, and nothing for what did not.
//!
//! App strings go through the report's Markdown escaping ([`crate::report::escape`]): ids, names
//! of permissions, hosts and APIs as code spans, names and owners as escaped text, so no `[`,
//! `<` or `|` from an app can start a link, raw HTML or a table cell. App text never starts a
//! line: every line begins with the renderer's own words.

use std::fmt::Write as _;

use super::labels;
use super::model::{Changes, PresenceRow, ReportDiff, Timeline};
use crate::report::escape::{markdown_code as code, markdown_text as text};

/// Renders a diff of two versions, ending with a newline.
pub fn render_diff_markdown(diff: &ReportDiff) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## {}\n", header_line(diff));
    warnings(&mut out, &diff.warnings);
    if diff.is_empty() {
        out.push_str("No change.\n");
        return out;
    }
    sections(&mut out, diff, "###");
    out
}

/// Renders a timeline: the versions, a table per kind of row (category, tracker, endpoint owner)
/// with one column per version, then each step with what changed in it.
pub fn render_timeline_markdown(timeline: &Timeline) -> String {
    let mut out = String::new();
    let first = timeline.versions.first();
    let _ = writeln!(
        out,
        "## {}: {} versions\n",
        first.map_or_else(
            || text("(no input)"),
            |side| code(labels::package(side), false)
        ),
        timeline.versions.len()
    );
    if timeline.reordered {
        out.push_str(
            "> The inputs were given in another order: the versions are shown by version code.\n\n",
        );
    }
    let versions: Vec<String> = timeline
        .versions
        .iter()
        .map(|side| text(&labels::version(side)))
        .collect();
    presence_table(
        &mut out,
        "Data categories",
        &timeline.categories,
        &versions,
        true,
    );
    presence_table(&mut out, "Trackers", &timeline.trackers, &versions, false);
    presence_table(
        &mut out,
        "Endpoint owners (hosts)",
        &timeline.owners,
        &versions,
        false,
    );
    for step in &timeline.steps {
        let _ = writeln!(
            out,
            "### {} → {}\n",
            text(&labels::version(&step.old)),
            text(&labels::version(&step.new))
        );
        warnings(&mut out, &step.warnings);
        if step.is_empty() {
            out.push_str("No change.\n\n");
            continue;
        }
        let summary: Vec<String> = labels::section_counts(step)
            .into_iter()
            .map(|(name, added, removed, changed)| {
                format!("{name} {}", labels::counts_text(added, removed, changed))
            })
            .collect();
        let _ = writeln!(out, "Changed: {}.\n", summary.join(", "));
        sections(&mut out, step, "####");
    }
    out
}

/// `` `pkg` 1.0 (10) → 1.1 (11) ``, naming the package twice when the two differ.
fn header_line(diff: &ReportDiff) -> String {
    let old_package = code(labels::package(&diff.old), false);
    let old_version = text(&labels::version(&diff.old));
    let new_version = text(&labels::version(&diff.new));
    if diff.old.package == diff.new.package {
        format!("{old_package} {old_version} → {new_version}")
    } else {
        let new_package = code(labels::package(&diff.new), false);
        format!("{old_package} {old_version} → {new_package} {new_version}")
    }
}

/// Warnings as one quote, a paragraph each (consecutive quoted lines would run together).
fn warnings(out: &mut String, warnings: &[String]) {
    for (i, warning) in warnings.iter().enumerate() {
        if i > 0 {
            out.push_str(">\n");
        }
        let _ = writeln!(out, "> **Warning:** {}", text(warning));
    }
    if !warnings.is_empty() {
        out.push('\n');
    }
}

/// One section per kind of item that changed, headed at `level`.
fn sections(out: &mut String, diff: &ReportDiff, level: &str) {
    let mut section = |title: &str, lines: Vec<String>| {
        if lines.is_empty() {
            return;
        }
        let _ = writeln!(out, "{level} {title}\n");
        for line in lines {
            let _ = writeln!(out, "{line}");
        }
        out.push('\n');
    };
    section("Permissions", permission_lines(diff));
    section("Data categories", category_lines(diff));
    section(
        "Trackers",
        item_lines(&diff.trackers, |t| {
            let owner = labels::owner_country(t.owner_name.as_deref(), t.country.as_deref());
            let owner = if owner.is_empty() {
                String::new()
            } else {
                format!(", {}", text(&owner))
            };
            format!(
                "**{}** ({}){owner}{}",
                text(&t.name),
                code(&t.id, false),
                labels::hint_suffix(t)
            )
        }),
    );
    section("Endpoints", endpoint_lines(diff));
    section(
        "API calls",
        item_lines(&diff.api_calls, |api| {
            let mut line = code(&api.api, false);
            if !api.categories.is_empty() {
                let _ = write!(line, " ({})", code_list(&api.categories));
            }
            match &api.collector {
                Some(collector) => {
                    let _ = write!(line, " by {}", code(collector, false));
                }
                None => line.push_str(" (no call site)"),
            }
            let _ = write!(line, ", {}", super::text::strength_word(api.strength));
            line
        }),
    );
    section(
        "Native libraries",
        item_lines(&diff.native_libs, |lib| {
            format!("{} ({})", code(&lib.name, false), text(&lib.abi))
        }),
    );
    section(
        "Exported components",
        item_lines(&diff.components, |c| {
            let guard = c.permission.as_deref().map_or_else(
                || "no permission".to_owned(),
                |p| format!("guarded by {}", code(p, false)),
            );
            format!("{} {} ({guard})", text(&c.kind), code(&c.name, false))
        }),
    );
    section(
        "Anomalies",
        item_lines(&diff.anomalies, |a| {
            format!("{} ({} times)", code(&a.code, false), a.count)
        }),
    );
    if let Some(sdk) = &diff.target_sdk {
        let mut lines = vec![format!(
            "Target SDK {}.",
            labels::sdk_step(sdk.old, sdk.new)
        )];
        if !sdk.notes.is_empty() {
            lines.push(String::new());
            lines.extend(sdk.notes.iter().map(|note| format!("- {}", text(note))));
        }
        section("Target SDK", lines);
    }
}

/// `- added X` then `- removed Y` lines of a keyed list, in the model's order.
fn item_lines<T>(changes: &Changes<T>, line: impl Fn(&T) -> String) -> Vec<String> {
    let added = changes.added.iter().map(|i| format!("- added {}", line(i)));
    let removed = changes
        .removed
        .iter()
        .map(|i| format!("- removed {}", line(i)));
    added.chain(removed).collect()
}

fn code_list(items: &[String]) -> String {
    items
        .iter()
        .map(|i| code(i, false))
        .collect::<Vec<_>>()
        .join(", ")
}

fn permission_lines(diff: &ReportDiff) -> Vec<String> {
    let line = |verb: &str, p: &super::model::PermissionItem| {
        let protection = p
            .protection
            .as_deref()
            .map(|level| format!(" ({})", text(level)))
            .unwrap_or_default();
        format!("- {verb} {}{protection}", code(&p.name, false))
    };
    let added = labels::dangerous_first(&diff.permissions.added)
        .into_iter()
        .map(|p| line("added", p));
    let removed = labels::dangerous_first(&diff.permissions.removed)
        .into_iter()
        .map(|p| line("removed", p));
    added.chain(removed).collect()
}

fn category_lines(diff: &ReportDiff) -> Vec<String> {
    let categories = &diff.categories;
    let item = |verb: &str, c: &super::model::CategoryItem| {
        let mut line = format!(
            "- {verb} {}: {}",
            code(&c.id, false),
            text(&labels::category_state(c))
        );
        if !c.collected_by.is_empty() {
            let _ = write!(line, ", collected by {}", code_list(&c.collected_by));
        }
        line
    };
    let mut lines: Vec<String> = categories.added.iter().map(|c| item("added", c)).collect();
    lines.extend(categories.removed.iter().map(|c| item("removed", c)));
    for change in &categories.changed {
        let mut parts: Vec<String> = labels::category_steps(change)
            .iter()
            .map(|s| text(s))
            .collect();
        for (words, ids) in labels::collector_steps(change) {
            if !ids.is_empty() {
                parts.push(format!("{words} {}", code_list(ids)));
            }
        }
        lines.push(format!(
            "- changed {}: {}",
            code(&change.id, false),
            parts.join("; ")
        ));
    }
    lines
}

fn endpoint_lines(diff: &ReportDiff) -> Vec<String> {
    let mut lines = Vec::new();
    for (verb, items) in [
        ("added", &diff.endpoints.added),
        ("removed", &diff.endpoints.removed),
    ] {
        for host in items {
            let mut line = format!("- {verb} {}", code(&host.host, false));
            let owner = labels::owner_country(host.owner_name.as_deref(), host.country.as_deref());
            if !owner.is_empty() {
                let _ = write!(line, ", {}", text(&owner));
            }
            if let (true, Some(country)) = (host.new_country, &host.country) {
                let _ = write!(line, " — **new country: {}**", text(country));
            }
            lines.push(line);
            let (shown, more) = labels::shown_urls(host);
            lines.extend(shown.iter().map(|url| format!("  - {}", code(url, false))));
            if more > 0 {
                lines.push(format!("  - … {more} more"));
            }
        }
    }
    lines
}

/// A GitHub table with one column per version; absent cells show `—`.
fn presence_table(
    out: &mut String,
    title: &str,
    rows: &[PresenceRow],
    versions: &[String],
    id_as_code: bool,
) {
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(out, "### {title}\n");
    let _ = writeln!(out, "| | {} |", versions.join(" | "));
    let _ = writeln!(out, "|---|{}", "---|".repeat(versions.len()));
    for row in rows {
        let label = if id_as_code {
            code(&row.label, true)
        } else {
            text(&row.label)
        };
        let cells: Vec<String> = row
            .cells
            .iter()
            .map(|cell| cell.as_deref().map_or_else(|| "—".to_owned(), text))
            .collect();
        let _ = writeln!(out, "| {label} | {} |", cells.join(" | "));
    }
    out.push('\n');
}
