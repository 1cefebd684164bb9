//! The Markdown renderer: the report as a document to paste into an issue, a pull request or an
//! article (GitHub-flavoured tables, `<details>` left out so that it reads the same everywhere).
//!
//! App strings go through [`super::escape::markdown_text`] or [`super::escape::markdown_code`]: a `|` cannot
//! split a table cell, a `[` cannot start a link, `<` cannot open raw HTML.

use std::fmt::Write as _;

use super::escape::{markdown_code as code, markdown_text as text};
use super::model::{Report, Verdict};
use super::view;

/// URLs listed per owner; the JSON report has them all.
const URLS_PER_OWNER: usize = 10;

/// Renders the report as Markdown, ending with a newline.
pub fn render_markdown(report: &Report) -> String {
    let mut report = report.clone();
    report.normalize();
    let report = &report;
    let mut out = String::new();
    header(&mut out, report);
    categories(&mut out, report);
    trackers(&mut out, report);
    endpoints(&mut out, report);
    api_calls(&mut out, report);
    permissions(&mut out, report);
    native_libs(&mut out, report);
    anomalies(&mut out, report);
    out
}

fn header(out: &mut String, report: &Report) {
    let app = &report.app;
    let title = app
        .label
        .as_deref()
        .or(app.package.as_deref())
        .unwrap_or("Unnamed input");
    let _ = writeln!(out, "# {}\n", text(title));
    let mut facts: Vec<String> = Vec::new();
    if let Some(package) = &app.package {
        facts.push(format!("Package {}", code(package, false)));
    }
    match (&app.version_name, app.version_code) {
        (Some(name), Some(code_number)) => {
            facts.push(format!("version {} ({code_number})", text(name)))
        }
        (Some(name), None) => facts.push(format!("version {}", text(name))),
        (None, Some(code_number)) => facts.push(format!("version code {code_number}")),
        (None, None) => {}
    }
    if let Some(min) = app.min_sdk {
        facts.push(format!("min SDK {min}"));
    }
    if let Some(target) = app.target_sdk {
        facts.push(format!("target SDK {target}"));
    }
    if !facts.is_empty() {
        let _ = writeln!(out, "{}.\n", facts.join(", "));
    }
    let input = &report.input;
    let _ = writeln!(
        out,
        "Input {} ({}, {}, sha256 {}), scanned by {} {}, rules {}.\n",
        code(&input.path, false),
        text(super::model::input_kind_str(input.kind)),
        view::human_size(input.size),
        code(&input.sha256, false),
        text(&report.tool.name),
        text(&report.tool.version),
        code(view::short_digest(&report.tool.rules_digest), false),
    );
    if !input.members.is_empty() {
        let members: Vec<String> = input.members.iter().map(|m| code(m, false)).collect();
        let _ = writeln!(out, "Split set members: {}.\n", members.join(", "));
    }
    if let Some((headline, reasons)) = view::partial_notice(report) {
        let _ = writeln!(out, "> **{}.**", text(&headline));
        for reason in &reasons {
            let _ = writeln!(out, "> - {}", text(reason));
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "**{} data categories collected ({} possible, {} blocked), {} trackers ({} hints), {} endpoints, {} anomalies.**\n",
        view::with_verdict(report, Verdict::Collected).len(),
        view::with_verdict(report, Verdict::Possible).len(),
        view::with_verdict(report, Verdict::Blocked).len(),
        view::confirmed_trackers(report).count(),
        view::tracker_hints(report).count(),
        view::network_endpoint_count(report),
        report.anomalies.len()
    );
}

fn categories(out: &mut String, report: &Report) {
    let _ = writeln!(out, "## Data collected\n");
    let collected = view::with_verdict(report, Verdict::Collected);
    if collected.is_empty() {
        let _ = writeln!(
            out,
            "No code found that gathers personal data with what it needs.\n"
        );
    } else {
        let _ = writeln!(
            out,
            "| Category | Collected by | Evidence | Google Play | Apple |\n|---|---|---|---|---|"
        );
        for category in &collected {
            let who: Vec<String> = category
                .collected_by
                .iter()
                .map(|c| text(view::collector_name(report, c)))
                .collect();
            let _ = writeln!(
                out,
                "| {} ({}) | {} | {} | {} | {} |",
                text(&category.title),
                code(&category.id, true),
                who.join(", "),
                text(&category.verdict_reason),
                text(&category.play),
                text(&category.apple)
            );
        }
        out.push('\n');
    }
    let possible = view::with_verdict(report, Verdict::Possible);
    if !possible.is_empty() {
        let items: Vec<String> = possible
            .iter()
            .map(|c| {
                format!(
                    "{} ({})",
                    code(&c.id, true),
                    view::possible_tags(c).join(", ")
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "**Possible ({}):** {}\n",
            possible.len(),
            items.join("; ")
        );
    }
    let blocked = view::with_verdict(report, Verdict::Blocked);
    if !blocked.is_empty() {
        let items: Vec<String> = blocked
            .iter()
            .map(|c| {
                format!(
                    "{} (needs {})",
                    code(&c.id, true),
                    text(view::blocked_needs(c))
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "**Blocked ({}):** {}\n",
            blocked.len(),
            items.join("; ")
        );
    }
    if report.categories.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "### Every category\n\n*collected*: code of the app or of an SDK calls the API holding what it needs; \
         *possible*: the manifest or code points at the data without showing it gathered; \
         *blocked*: the calls need a permission the app does not hold.\n"
    );
    let _ = writeln!(
        out,
        "| Category | Verdict | Why | Strength | Code that has it |\n|---|---|---|---|---|"
    );
    for category in &report.categories {
        let collectors: Vec<String> = category
            .collectors
            .iter()
            .map(|c| text(view::collector_name(report, c)))
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            code(&category.id, true),
            view::verdict_label(category.verdict),
            text(&category.verdict_reason),
            view::strength_label(category.strength),
            if collectors.is_empty() {
                view::no_collector_label(category).to_owned()
            } else {
                collectors.join(", ")
            },
        );
    }
    out.push('\n');
    let notes: Vec<(&str, &String)> = report
        .categories
        .iter()
        .flat_map(|c| c.notes.iter().map(move |n| (c.id.as_str(), n)))
        .collect();
    if !notes.is_empty() {
        let _ = writeln!(out, "Notes:\n");
        for (id, note) in notes {
            let _ = writeln!(out, "- {}: {}", code(id, false), text(note));
        }
        out.push('\n');
    }
}

fn trackers(out: &mut String, report: &Report) {
    let _ = writeln!(out, "## Trackers\n");
    let hints: Vec<String> = view::tracker_hints(report).map(|t| text(&t.name)).collect();
    if view::confirmed_trackers(report).next().is_none() {
        let _ = writeln!(out, "None found.\n");
        tracker_hints(out, &hints);
        return;
    }
    let _ = writeln!(
        out,
        "| Tracker | Owner | Country | Classes | Categories | Found by |\n|---|---|---|---:|---|---|"
    );
    for tracker in view::confirmed_trackers(report) {
        let kinds = view::tracker_evidence_kinds(tracker);
        let categories: Vec<String> = tracker.categories.iter().map(|c| code(c, true)).collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            text(&tracker.name),
            tracker
                .owner
                .as_deref()
                .map(|o| text(view::owner_name(report, o)))
                .unwrap_or_default(),
            tracker.country.as_deref().map(text).unwrap_or_default(),
            tracker.class_count,
            categories.join(", "),
            kinds.join(", ")
        );
    }
    out.push('\n');
    tracker_hints(out, &hints);
}

/// One line naming the tracker hints, apart from the table.
fn tracker_hints(out: &mut String, hints: &[String]) {
    if !hints.is_empty() {
        let _ = writeln!(
            out,
            "*Hints* ({}): {}\n",
            view::TRACKER_HINTS_NOTE,
            hints.join(", ")
        );
    }
}

fn endpoints(out: &mut String, report: &Report) {
    let _ = writeln!(out, "## Endpoints by owner\n");
    if report.endpoints.is_empty() {
        let _ = writeln!(out, "None found.\n");
        return;
    }
    for group in view::endpoint_groups(report) {
        let country = group
            .country
            .map(|c| format!(" ({})", text(c)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "- **{}**{country}: {} endpoint{}",
            text(group.name),
            group.endpoints.len(),
            if group.endpoints.len() == 1 { "" } else { "s" }
        );
        for endpoint in group.endpoints.iter().take(URLS_PER_OWNER) {
            let _ = writeln!(out, "  - {}", code(&endpoint.url, false));
        }
        if group.endpoints.len() > URLS_PER_OWNER {
            let _ = writeln!(out, "  - … {} more", group.endpoints.len() - URLS_PER_OWNER);
        }
    }
    out.push('\n');
    let hosts = view::link_hosts(report);
    if !hosts.is_empty() {
        let parts: Vec<String> = hosts
            .iter()
            .map(|(host, n)| format!("{} ({n})", code(host, false)))
            .collect();
        let _ = writeln!(
            out,
            "**Links** ({}, pages shown to people): {}\n",
            view::links(report).len(),
            parts.join(", ")
        );
    }
}

fn api_calls(out: &mut String, report: &Report) {
    if report.api_calls.is_empty() {
        return;
    }
    let _ = writeln!(out, "## Sensitive APIs\n");
    let _ = writeln!(
        out,
        "| API | Categories | Strength | Call sites | Collectors |\n|---|---|---|---:|---|"
    );
    for call in &report.api_calls {
        let categories: Vec<String> = call.categories.iter().map(|c| code(c, true)).collect();
        let mut collectors: Vec<&str> = call
            .sites
            .iter()
            .map(|s| view::collector_name(report, &s.collector))
            .collect();
        collectors.sort_unstable();
        collectors.dedup();
        let collectors: Vec<String> = collectors.into_iter().map(text).collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            code(&call.api, true),
            categories.join(", "),
            view::strength_label(call.strength),
            call.sites.len(),
            collectors.join(", ")
        );
    }
    out.push('\n');
}

fn permissions(out: &mut String, report: &Report) {
    if report.permissions.is_empty() {
        return;
    }
    let _ = writeln!(out, "## Permissions\n");
    let _ = writeln!(
        out,
        "| Permission | Protection | Categories |\n|---|---|---|"
    );
    for permission in &report.permissions {
        let categories: Vec<String> = permission
            .categories
            .iter()
            .map(|c| code(c, true))
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            code(&permission.name, true),
            permission
                .protection
                .as_deref()
                .map(text)
                .unwrap_or_default(),
            categories.join(", ")
        );
    }
    out.push('\n');
}

fn native_libs(out: &mut String, report: &Report) {
    if report.native_libs.is_empty() {
        return;
    }
    let _ = writeln!(out, "## Native libraries\n");
    let _ = writeln!(
        out,
        "| Library | ABI | Sensitive imports | Categories |\n|---|---|---|---|"
    );
    for lib in &report.native_libs {
        let imports: Vec<String> = lib.imports.iter().map(|i| code(i, true)).collect();
        let categories: Vec<String> = lib.categories.iter().map(|c| code(c, true)).collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            code(&lib.location.artifact(), true),
            text(&lib.abi),
            imports.join(", "),
            categories.join(", ")
        );
    }
    out.push('\n');
}

fn anomalies(out: &mut String, report: &Report) {
    let _ = writeln!(out, "## Anomalies\n");
    if report.anomalies.is_empty() {
        let _ = writeln!(out, "None.");
        return;
    }
    let _ = writeln!(out, "| Code | Where | Detail |\n|---|---|---|");
    for anomaly in &report.anomalies {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            code(&anomaly.code, true),
            code(&anomaly.location, true),
            text(&anomaly.detail)
        );
    }
}
