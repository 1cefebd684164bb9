//! The HTML renderer: one self-contained page (inline CSS, no script, nothing fetched) that shows
//! the categories with their collectors as wrapping chips (so any number of collectors fits the
//! width), the store labels, trackers, endpoints by owner, native libraries and anomalies, with
//! evidence and call sites folded in `<details>`.
//!
//! Every app string goes through [`super::escape::html`]; none is ever put in an `href`, `src` or `style`
//! attribute, so a hostile URL is shown, never followed or loaded. Strength cells carry their
//! word as well as their colour, so the grid reads the same printed in black and white.

use std::fmt::Write as _;

use super::escape::html as esc;
use super::model::{
    CategoryFinding, CollectorKind, Evidence, Report, Strength, TrackerFinding, Verdict,
};
use super::view;

/// Call sites listed per API before the list is cut (the JSON report has them all); keeps a
/// report of a huge app loadable.
const SITES_PER_API: usize = 200;
const EVIDENCE_PER_ITEM: usize = 200;

pub(crate) const STYLE: &str = r#"
:root { --ink:#1d2330; --muted:#5d6677; --line:#dde2ea; --paper:#ffffff; --page:#f3f5f8;
  --called:#c62828; --native:#8e24aa; --reflective:#e08a00; --referenced:#1f78b4; --declared:#8a94a6; }
* { box-sizing: border-box; }
body { margin:0; background:var(--page); color:var(--ink);
  font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif; }
main { max-width:1200px; margin:0 auto; padding:24px 28px 48px; }
header.app { background:var(--paper); border:1px solid var(--line); border-radius:10px; padding:18px 22px; }
header.app h1 { margin:0 0 2px; font-size:24px; }
.pkg { font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace; color:var(--muted); }
.partial { border:2px solid #b3261e; background:#fdecea; color:#5f1410; padding:.5em .8em; margin:.6em 0; border-radius:6px; }
.partial ul { margin:.3em 0 0 1.2em; padding:0; }
.facts { margin:8px 0 0; color:var(--muted); display:flex; flex-wrap:wrap; gap:6px 18px; }
.facts b { color:var(--ink); font-weight:600; }
.counts { display:flex; gap:12px; margin:16px 0 4px; flex-wrap:wrap; }
.count { background:var(--paper); border:1px solid var(--line); border-radius:10px; padding:10px 16px; min-width:130px; }
.count .n { font-size:24px; font-weight:700; display:block; }
.count .l { color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.04em; }
section { background:var(--paper); border:1px solid var(--line); border-radius:10px; padding:16px 20px; margin-top:18px; }
h2 { font-size:17px; margin:0 0 12px; }
h2 .sub { font-weight:400; color:var(--muted); font-size:13px; margin-left:8px; }
table { border-collapse:collapse; width:100%; }
th, td { text-align:left; padding:6px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
th { font-size:12px; color:var(--muted); font-weight:600; }
.scroll { overflow-x:auto; }
/* The category table has five columns whatever the number of collectors: the collectors of a
   row are chips that wrap, and every long word may break, so nothing can push it wider. */
.grid { table-layout:fixed; }
.grid col.c-cat { width:24%; } .grid col.c-verdict { width:90px; } .grid col.c-strength { width:104px; }
.grid col.c-labels { width:19%; }
.grid td, .grid th { overflow-wrap:anywhere; }
.grid td.cat b { display:block; }
.grid tbody tr:hover { background:#f8fafc; }
.grid .id { font-family:ui-monospace,Menlo,Consolas,monospace; font-size:12px; color:var(--muted); }
.s, .verdict { white-space:nowrap; overflow-wrap:normal; }
.tier { display:flex; align-items:flex-start; gap:6px; margin:0 0 4px; }
.tier > .s { flex:none; margin-top:2px; min-width:82px; text-align:center; }
.chips { list-style:none; margin:0; padding:0; display:flex; flex-wrap:wrap; gap:3px 4px; min-width:0; }
.chip { max-width:100%; border:1px solid var(--line); border-radius:5px; padding:0 6px; font-size:12px;
  line-height:1.6; overflow-wrap:anywhere; break-inside:avoid; }
.by-collector td.who { width:30%; overflow-wrap:anywhere; }
.by-collector .kind { color:var(--muted); font-size:12px; }
.label { font-size:12px; color:var(--muted); }
.label .store { display:inline-block; min-width:42px; font-weight:600; color:var(--ink); }
.s { display:inline-block; border-radius:4px; padding:1px 6px; font-size:11px; font-weight:600;
  color:#fff; letter-spacing:.02em; }
.s-called { background:var(--called); } .s-native { background:var(--native); }
.s-reflective { background:var(--reflective); } .s-referenced { background:var(--referenced); }
.s-declared { background:var(--declared); }
.s-listed { background:none; color:var(--muted); border:1px solid var(--line); font-weight:500; }
.listed { color:var(--muted); }
.legend { display:flex; gap:14px; flex-wrap:wrap; margin:10px 0 0; font-size:12px; color:var(--muted); }
code, .mono { font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace; font-size:12px; word-break:break-all; }
details { margin:4px 0; }
summary { cursor:pointer; color:#23508f; }
details table { margin:6px 0 10px; }
.owners { display:grid; grid-template-columns:repeat(auto-fill,minmax(340px,1fr)); gap:12px; }
.owner { border:1px solid var(--line); border-radius:8px; padding:10px 12px; }
.owner h3 { margin:0 0 6px; font-size:14px; }
.owner.unknown { border-style:dashed; }
.owner ul { margin:0; padding-left:2px; list-style:none; }
.flag { font-size:11px; border:1px solid var(--line); border-radius:4px; padding:0 5px; color:var(--muted); margin-left:6px; }
.note { color:#8a5a00; font-size:12px; }
.why { color:var(--muted); font-size:12px; }
.verdict { display:inline-block; border-radius:4px; padding:1px 6px; font-size:11px; font-weight:600; }
.verdict.collected { background:var(--called); color:#fff; }
.verdict.possible { background:#fff3d6; color:#7a4f00; border:1px solid #e0b85c; }
.verdict.blocked { background:#eef0f4; color:var(--muted); border:1px solid var(--line); }
.grid tr.possible td.cat b, .grid tr.blocked td.cat b { font-weight:500; color:var(--muted); }
.verdicts { margin:0 0 12px; padding-left:18px; }
.verdicts li { margin:3px 0; }
.none { color:var(--muted); }
.hints { color:var(--muted); } .hints details.hint { display:inline; } .hints summary { display:inline; cursor:pointer; }
footer { color:var(--muted); font-size:12px; margin-top:18px; }
@media (max-width:720px) {
  main { padding:12px; }
  .grid, .grid tbody, .grid tr, .grid td { display:block; width:auto; }
  .grid thead, .grid colgroup { display:none; }
  .grid td { border:none; padding:3px 0; } .grid tr { border-bottom:1px solid var(--line); padding:6px 0; }
  .grid td:nth-child(2), .grid td:nth-child(3) { display:inline-block; margin-right:8px; }
}
@media print {
  body { background:none; } main { max-width:none; padding:0; }
  section, header.app, .count { border-color:#999; } .grid tr { break-inside:avoid; }
}
"#;

/// Renders the whole page.
pub fn render_html(report: &Report) -> String {
    let mut report = report.clone();
    report.normalize();
    let report = &report;
    let title = report
        .app
        .label
        .as_deref()
        .or(report.app.package.as_deref())
        .unwrap_or("Unnamed input");
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <title>{} — dossier report</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        esc(title)
    );
    header(&mut out, report, title);
    category_grid(&mut out, report);
    trackers(&mut out, report);
    endpoints(&mut out, report);
    api_calls(&mut out, report);
    permissions(&mut out, report);
    native_libs(&mut out, report);
    anomalies(&mut out, report);
    let _ = write!(
        out,
        "<footer>Generated by {} {} · report schema {} · rules {}</footer>\n</main>\n</body>\n</html>\n",
        esc(&report.tool.name),
        esc(&report.tool.version),
        esc(&report.schema_version),
        esc(view::short_digest(&report.tool.rules_digest))
    );
    out
}

fn badge(strength: Strength) -> String {
    let label = view::strength_label(strength);
    format!("<span class=\"s s-{label}\">{label}</span>")
}

fn header(out: &mut String, report: &Report, title: &str) {
    let app = &report.app;
    let input = &report.input;
    out.push_str("<header class=\"app\">\n");
    let _ = writeln!(out, "<h1>{}</h1>", esc(title));
    if let Some((headline, reasons)) = view::partial_notice(report) {
        let _ = write!(out, "<div class=\"partial\"><b>{}</b><ul>", esc(&headline));
        for reason in &reasons {
            let _ = write!(out, "<li>{}</li>", esc(reason));
        }
        out.push_str("</ul></div>\n");
    }
    if let Some(package) = &app.package {
        let _ = writeln!(out, "<div class=\"pkg\">{}</div>", esc(package));
    }
    out.push_str("<div class=\"facts\">");
    let mut fact = |name: &str, value: String| {
        let _ = write!(out, "<span>{name} <b>{value}</b></span>");
    };
    if let Some(version) = &app.version_name {
        fact("version", esc(version));
    }
    if let Some(code) = app.version_code {
        fact("code", code.to_string());
    }
    if let Some(min) = app.min_sdk {
        fact("min SDK", min.to_string());
    }
    if let Some(target) = app.target_sdk {
        fact("target SDK", target.to_string());
    }
    fact("input", esc(super::model::input_kind_str(input.kind)));
    fact("size", view::human_size(input.size));
    fact(
        "sha256",
        format!(
            "<span class=\"mono\" title=\"{}\">{}…</span>",
            esc(&input.sha256),
            esc(view::short_digest(&input.sha256))
        ),
    );
    out.push_str("</div>\n");
    let _ = write!(
        out,
        "<div class=\"facts\"><span>file <b class=\"mono\">{}</b></span>",
        esc(&input.path)
    );
    if !input.members.is_empty() {
        let members: Vec<String> = input.members.iter().map(|m| esc(m)).collect();
        let _ = write!(
            out,
            "<span>members <b class=\"mono\">{}</b></span>",
            members.join(", ")
        );
    }
    out.push_str("</div>\n</header>\n<div class=\"counts\">");
    for (n, label) in [
        (report.categories.len(), "data categories"),
        (view::confirmed_trackers(report).count(), "trackers"),
        (view::network_endpoint_count(report), "endpoints"),
        (report.permissions.len(), "permissions"),
        (report.anomalies.len(), "anomalies"),
    ] {
        let _ = write!(
            out,
            "<div class=\"count\"><span class=\"n\">{n}</span><span class=\"l\">{label}</span></div>"
        );
    }
    out.push_str("</div>\n");
}

fn category_grid(out: &mut String, report: &Report) {
    out.push_str("<section id=\"categories\">\n<h2>Data categories<span class=\"sub\">who collects what, and how sure</span></h2>\n");
    if report.categories.is_empty() {
        out.push_str("<p class=\"none\">No data category found.</p>\n</section>\n");
        return;
    }
    verdict_summary(out, report);
    let collectors = view::category_collectors(report);
    // Five fixed columns however many collectors there are: a column per collector made the
    // table scroll sideways and cut the names from about ten collectors on.
    out.push_str(
        "<table class=\"grid\">\n<colgroup><col class=\"c-cat\"><col class=\"c-verdict\"><col class=\"c-strength\">\
         <col class=\"c-who\"><col class=\"c-labels\"></colgroup>\n\
         <thead><tr><th>Category</th><th>Verdict</th><th>Strength</th><th>Collectors</th>\
         <th>Store labels</th></tr></thead>\n<tbody>\n",
    );
    for category in &report.categories {
        let _ = write!(
            out,
            "<tr class=\"{}\"><td class=\"cat\"><b>{}</b><span class=\"id\">{}</span><div class=\"why\">{}</div>",
            view::verdict_label(category.verdict),
            esc(&category.title),
            esc(&category.id),
            esc(&category.verdict_reason)
        );
        for note in &category.notes {
            let _ = write!(out, "<div class=\"note\">{}</div>", esc(note));
        }
        if !category.evidence.is_empty() {
            let _ = write!(
                out,
                "<details><summary>{} evidence</summary>",
                category.evidence.len()
            );
            evidence_table(out, report, &category.evidence);
            out.push_str("</details>");
        }
        let _ = write!(
            out,
            "</td><td><span class=\"verdict {0}\">{0}</span></td><td>{1}</td><td class=\"who\">",
            view::verdict_label(category.verdict),
            badge(category.strength)
        );
        let row = row_collectors(category, &collectors);
        if row.is_empty() {
            out.push_str("<span class=\"none\">none named</span>");
        }
        let named = row
            .into_iter()
            .map(|(id, strength)| (id, view::collector_name(report, id), strength));
        tiers(out, named);
        let _ = writeln!(
            out,
            "</td><td class=\"label\"><div><span class=\"store\">Play</span> {}</div>\
             <div><span class=\"store\">Apple</span> {}</div></td></tr>",
            esc(&category.play),
            esc(&category.apple)
        );
    }
    out.push_str("</tbody>\n</table>\n<div class=\"legend\">");
    for strength in [
        Strength::Called,
        Strength::Native,
        Strength::Reflective,
        Strength::Referenced,
        Strength::Declared,
    ] {
        let meaning = match strength {
            Strength::Called => "an instruction calls it",
            Strength::Native => "a native library imports it",
            Strength::Reflective => "names next to reflection",
            Strength::Referenced => "referenced, no call found",
            Strength::Declared => "manifest only",
        };
        let _ = write!(out, "<span>{} {meaning}</span>", badge(strength));
    }
    let _ = writeln!(
        out,
        "<span>{LISTED_BADGE} named as collector, no evidence of its own</span></div>"
    );
    by_collector(out, report, &collectors);
    out.push_str("</section>\n");
}

/// The badge of a collector the category names without evidence attributed to it.
const LISTED_BADGE: &str = "<span class=\"s s-listed\">listed</span>";

/// Whether `collector` takes part in `category`: `Some` with its strongest evidence, or
/// `Some(None)` when the category names it without evidence of its own; `None` when it does not.
fn collector_in(category: &CategoryFinding, collector: &String) -> Option<Option<Strength>> {
    let strength = view::collector_strength(category, collector);
    (strength.is_some() || category.collectors.contains(collector)).then_some(strength)
}

/// The collectors of one category row with their strongest evidence (`None`: named by the
/// category, no evidence of its own), strongest first, then in the page's collector order.
fn row_collectors<'a>(
    category: &CategoryFinding,
    collectors: &'a [String],
) -> Vec<(&'a str, Option<Strength>)> {
    let mut row: Vec<(usize, &str, Option<Strength>)> = collectors
        .iter()
        .enumerate()
        .filter_map(|(position, id)| {
            let strength = view::collector_strength(category, id);
            (strength.is_some() || category.collectors.contains(id)).then_some((
                position,
                id.as_str(),
                strength,
            ))
        })
        .collect();
    row.sort_by_key(|&(position, _, strength)| (std::cmp::Reverse(strength), position));
    row.into_iter()
        .map(|(_, id, strength)| (id, strength))
        .collect()
}

/// Named items (collectors, or categories) grouped by strength, strongest first: each group is
/// its badge then the names as chips that wrap, so a row grows downwards, never sideways. The
/// items come sorted by strength; `title` is the hover text (an id), `name` what is shown.
fn tiers<'a>(
    out: &mut String,
    items: impl IntoIterator<Item = (&'a str, &'a str, Option<Strength>)>,
) {
    let mut current: Option<Option<Strength>> = None;
    for (title, name, strength) in items {
        if current != Some(strength) {
            if current.is_some() {
                out.push_str("</ul></div>");
            }
            let _ = write!(
                out,
                "<div class=\"tier\">{}<ul class=\"chips\">",
                strength.map_or_else(|| LISTED_BADGE.to_owned(), badge)
            );
            current = Some(strength);
        }
        let _ = write!(
            out,
            "<li class=\"chip\" title=\"{}\">{}</li>",
            esc(title),
            esc(name)
        );
    }
    if current.is_some() {
        out.push_str("</ul></div>");
    }
}

/// The same facts turned around, folded: each collector with the categories it reaches, for a
/// reader who looks for one SDK.
fn by_collector(out: &mut String, report: &Report, collectors: &[String]) {
    let _ = write!(
        out,
        "<details class=\"by-collector\"><summary>By collector ({})</summary>\
         <table><thead><tr><th>Collector</th><th>Categories</th></tr></thead><tbody>",
        collectors.len()
    );
    for id in collectors {
        let kind = report
            .collectors
            .iter()
            .find(|c| &c.id == id)
            .map_or("", |c| collector_kind_label(c.kind));
        let _ = write!(
            out,
            "<tr><td class=\"who\" title=\"{}\">{} <span class=\"kind\">{kind}</span></td><td>",
            esc(id),
            esc(view::collector_name(report, id))
        );
        let mut reached: Vec<(&str, &str, Option<Strength>)> = report
            .categories
            .iter()
            .filter_map(|category| {
                collector_in(category, id)
                    .map(|strength| (category.title.as_str(), category.id.as_str(), strength))
            })
            .collect();
        // Stable: categories keep the page's order within one strength.
        reached.sort_by_key(|&(_, _, strength)| std::cmp::Reverse(strength));
        tiers(out, reached);
        out.push_str("</td></tr>");
    }
    out.push_str("</tbody></table></details>\n");
}

fn collector_kind_label(kind: CollectorKind) -> &'static str {
    match kind {
        CollectorKind::App => "app",
        CollectorKind::Tracker => "tracker",
        CollectorKind::Library => "library",
        CollectorKind::Unidentified => "unidentified",
    }
}

/// One line per verdict above the grid: what is collected and by whom, then what is only
/// possible and what is blocked.
fn verdict_summary(out: &mut String, report: &Report) {
    let collected = view::with_verdict(report, Verdict::Collected);
    out.push_str("<ul class=\"verdicts\">");
    if collected.is_empty() {
        out.push_str("<li><b>Collected:</b> no code found that gathers personal data with what it needs.</li>");
    } else {
        let items: Vec<String> = collected
            .iter()
            .map(|c| {
                let who: Vec<String> = c
                    .collected_by
                    .iter()
                    .map(|id| esc(view::collector_name(report, id)))
                    .collect();
                format!("<code>{}</code> ({})", esc(&c.id), who.join(", "))
            })
            .collect();
        let _ = write!(out, "<li><b>Collected:</b> {}</li>", items.join("; "));
    }
    let possible = view::with_verdict(report, Verdict::Possible);
    if !possible.is_empty() {
        let items: Vec<String> = possible
            .iter()
            .map(|c| {
                format!(
                    "<code>{}</code> ({})",
                    esc(&c.id),
                    view::possible_tags(c).join(", ")
                )
            })
            .collect();
        let _ = write!(out, "<li><b>Possible:</b> {}</li>", items.join("; "));
    }
    let blocked = view::with_verdict(report, Verdict::Blocked);
    if !blocked.is_empty() {
        let items: Vec<String> = blocked
            .iter()
            .map(|c| {
                format!(
                    "<code>{}</code> (needs {})",
                    esc(&c.id),
                    esc(view::blocked_needs(c))
                )
            })
            .collect();
        let _ = write!(out, "<li><b>Blocked:</b> {}</li>", items.join("; "));
    }
    out.push_str("</ul>\n");
}

fn evidence_table(out: &mut String, report: &Report, evidence: &[Evidence]) {
    out.push_str("<table><thead><tr><th>Standing</th><th>Strength</th><th>Kind</th><th>What</th><th>Where</th><th>Who</th><th>Rule</th></tr></thead><tbody>");
    for item in evidence.iter().take(EVIDENCE_PER_ITEM) {
        let who = item
            .collector
            .as_deref()
            .map(|c| esc(view::collector_name(report, c)))
            .unwrap_or_default();
        // A collecting call shows how the app gets there, folded: one path from an entry point.
        let path = item.path.as_deref().map_or_else(String::new, |path| {
            format!(
                "<details><summary>path from an entry point</summary><code>{}</code></details>",
                esc(&view::path_text(path))
            )
        });
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td><code>{}</code>{path}</td><td>{who}</td><td><code>{}</code></td></tr>",
            view::standing_label(item.standing),
            badge(item.strength),
            view::evidence_kind_label(item.kind),
            esc(&item.detail),
            esc(&view::location_text(item.location.as_ref())),
            esc(&item.rule)
        );
    }
    out.push_str("</tbody></table>");
    if evidence.len() > EVIDENCE_PER_ITEM {
        let _ = write!(
            out,
            "<p class=\"none\">… {} more in the JSON report</p>",
            evidence.len() - EVIDENCE_PER_ITEM
        );
    }
}

fn trackers(out: &mut String, report: &Report) {
    out.push_str("<section id=\"trackers\">\n<h2>Trackers<span class=\"sub\">third-party SDKs in the code</span></h2>\n");
    if view::confirmed_trackers(report).next().is_none() {
        out.push_str("<p class=\"none\">No tracker found.</p>\n");
        tracker_hints(out, report);
        out.push_str("</section>\n");
        return;
    }
    out.push_str("<table>\n<thead><tr><th>SDK</th><th>Owner</th><th>Country</th><th>Classes</th><th>Categories</th><th>Evidence</th></tr></thead>\n<tbody>\n");
    for tracker in view::confirmed_trackers(report) {
        let categories: Vec<String> = tracker
            .categories
            .iter()
            .map(|c| format!("<code>{}</code>", esc(c)))
            .collect();
        let website = tracker
            .website
            .as_deref()
            .map(|w| format!("<div class=\"mono\">{}</div>", esc(w)))
            .unwrap_or_default();
        let _ = write!(
            out,
            "<tr><td><b>{}</b>{website}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>",
            esc(&tracker.name),
            tracker
                .owner
                .as_deref()
                .map(|o| esc(view::owner_name(report, o)))
                .unwrap_or_default(),
            tracker.country.as_deref().map(esc).unwrap_or_default(),
            tracker.class_count,
            categories.join(" ")
        );
        let _ = write!(
            out,
            "<details><summary>{} item{}</summary>",
            tracker.evidence.len(),
            if tracker.evidence.len() == 1 { "" } else { "s" }
        );
        evidence_table(out, report, &tracker.evidence);
        out.push_str("</details></td></tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    tracker_hints(out, report);
    out.push_str("</section>\n");
}

/// One line naming the tracker hints, apart from the table, each with its evidence folded.
fn tracker_hints(out: &mut String, report: &Report) {
    let hints: Vec<&TrackerFinding> = view::tracker_hints(report).collect();
    if hints.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<p class=\"hints\"><b>Hints</b> ({}):",
        esc(view::TRACKER_HINTS_NOTE)
    );
    for (i, tracker) in hints.iter().enumerate() {
        let _ = write!(
            out,
            "{} <details class=\"hint\"><summary>{}</summary>",
            if i == 0 { "" } else { "," },
            esc(&tracker.name)
        );
        evidence_table(out, report, &tracker.evidence);
        out.push_str("</details>");
    }
    out.push_str("</p>\n");
}

fn endpoints(out: &mut String, report: &Report) {
    out.push_str("<section id=\"endpoints\">\n<h2>Endpoints<span class=\"sub\">where data may go, by owner</span></h2>\n");
    if report.endpoints.is_empty() {
        out.push_str("<p class=\"none\">No endpoint found.</p>\n</section>\n");
        return;
    }
    out.push_str("<div class=\"owners\">\n");
    for group in view::endpoint_groups(report) {
        let class = if group.owner.is_some() {
            "owner"
        } else {
            "owner unknown"
        };
        let country = group
            .country
            .map(|c| format!("<span class=\"flag\">{}</span>", esc(c)))
            .unwrap_or_default();
        let _ = write!(
            out,
            "<div class=\"{class}\"><h3>{}{country} <span class=\"sub none\">· {}</span></h3><ul>",
            esc(group.name),
            group.endpoints.len()
        );
        for endpoint in &group.endpoints {
            let trackers = if endpoint.trackers.is_empty() {
                String::new()
            } else {
                let names: Vec<String> = endpoint.trackers.iter().map(|t| esc(t)).collect();
                format!(" <span class=\"flag\">{}</span>", names.join(", "))
            };
            let _ = write!(
                out,
                "<li><details><summary><code>{}</code>{trackers}</summary><table><tbody>",
                esc(&endpoint.url)
            );
            for source in &endpoint.sources {
                let who = source
                    .collector
                    .as_deref()
                    .map(|c| esc(view::collector_name(report, c)))
                    .unwrap_or_default();
                let encoding = source
                    .encoding
                    .map(|e| format!(" (in {})", e.as_str()))
                    .unwrap_or_default();
                let _ = write!(
                    out,
                    "<tr><td>{}{encoding}</td><td><code>{}</code></td><td>{who}</td></tr>",
                    esc(source.kind.as_str()),
                    esc(&source.location.to_string())
                );
            }
            out.push_str("</tbody></table></details></li>");
        }
        out.push_str("</ul></div>\n");
    }
    out.push_str("</div>\n");
    let links = view::links(report);
    if !links.is_empty() {
        let hosts: Vec<String> = view::link_hosts(report)
            .iter()
            .map(|(host, n)| format!("<code>{}</code> ({n})", esc(host)))
            .collect();
        let _ = write!(
            out,
            "<details class=\"links\"><summary>Links ({}), pages shown to people: {}</summary><ul>",
            links.len(),
            hosts.join(", ")
        );
        for link in links {
            let _ = write!(out, "<li><code>{}</code></li>", esc(&link.url));
        }
        out.push_str("</ul></details>\n");
    }
    out.push_str("</section>\n");
}

fn api_calls(out: &mut String, report: &Report) {
    if report.api_calls.is_empty() {
        return;
    }
    out.push_str("<section id=\"apis\">\n<h2>Sensitive APIs<span class=\"sub\">and every call site</span></h2>\n");
    for call in &report.api_calls {
        let categories: Vec<String> = call
            .categories
            .iter()
            .map(|c| format!("<code>{}</code>", esc(c)))
            .collect();
        let missing = if call.missing_permissions.is_empty() {
            String::new()
        } else {
            let names: Vec<String> = call.missing_permissions.iter().map(|p| esc(p)).collect();
            format!(
                " <span class=\"note\">needs {} (not requested)</span>",
                names.join(" or ")
            )
        };
        let _ = write!(
            out,
            "<details><summary><code>{}</code> {} {} · {} site{}{missing}</summary>",
            esc(&call.api),
            badge(call.strength),
            categories.join(" "),
            call.sites.len(),
            if call.sites.len() == 1 { "" } else { "s" }
        );
        out.push_str(
            "<table><thead><tr><th>DEX</th><th>Method</th><th>Who</th></tr></thead><tbody>",
        );
        for site in call.sites.iter().take(SITES_PER_API) {
            let _ = write!(
                out,
                "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>",
                esc(&site.location.artifact()),
                esc(&view::site_method(&site.location)),
                esc(view::collector_name(report, &site.collector))
            );
        }
        out.push_str("</tbody></table>");
        if call.sites.len() > SITES_PER_API {
            let _ = write!(
                out,
                "<p class=\"none\">… {} more in the JSON report</p>",
                call.sites.len() - SITES_PER_API
            );
        }
        out.push_str("</details>\n");
    }
    out.push_str("</section>\n");
}

fn permissions(out: &mut String, report: &Report) {
    if report.permissions.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<section id=\"permissions\">\n<details><summary><b>Permissions</b> ({})</summary>\n<table>\n<thead><tr><th>Name</th><th>Protection</th><th>Categories</th><th></th></tr></thead>\n<tbody>\n",
        report.permissions.len()
    );
    for permission in &report.permissions {
        let categories: Vec<String> = permission
            .categories
            .iter()
            .map(|c| format!("<code>{}</code>", esc(c)))
            .collect();
        let mut flags = Vec::new();
        if let Some(max) = permission.max_sdk {
            flags.push(format!("max SDK {max}"));
        }
        if permission.sdk23 {
            flags.push("API 23+ only".to_owned());
        }
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&permission.name),
            permission
                .protection
                .as_deref()
                .map(esc)
                .unwrap_or_default(),
            categories.join(" "),
            flags.join(", ")
        );
    }
    out.push_str("</tbody>\n</table>\n</details>\n</section>\n");
}

fn native_libs(out: &mut String, report: &Report) {
    if report.native_libs.is_empty() {
        return;
    }
    out.push_str("<section id=\"native\">\n<h2>Native libraries</h2>\n<table>\n<thead><tr><th>Library</th><th>ABI</th><th>Categories</th><th>Details</th></tr></thead>\n<tbody>\n");
    for lib in &report.native_libs {
        let categories: Vec<String> = lib
            .categories
            .iter()
            .map(|c| format!("<code>{}</code>", esc(c)))
            .collect();
        let _ = write!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td><details><summary>{} imports, {} needed, {} JNI</summary>",
            esc(&lib.location.artifact()),
            esc(&lib.abi),
            categories.join(" "),
            lib.imports.len(),
            lib.needed.len(),
            lib.jni_exports.len()
        );
        for (title, list) in [
            ("Sensitive imports", &lib.imports),
            ("Needed", &lib.needed),
            ("JNI exports", &lib.jni_exports),
        ] {
            if list.is_empty() {
                continue;
            }
            let items: Vec<String> = list
                .iter()
                .map(|i| format!("<code>{}</code>", esc(i)))
                .collect();
            let _ = write!(out, "<div><b>{title}:</b> {}</div>", items.join(", "));
        }
        out.push_str("</details></td></tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn anomalies(out: &mut String, report: &Report) {
    out.push_str("<section id=\"anomalies\">\n<h2>Anomalies<span class=\"sub\">what the file does that Android tolerates</span></h2>\n");
    if report.anomalies.is_empty() {
        out.push_str("<p class=\"none\">None.</p>\n</section>\n");
        return;
    }
    out.push_str(
        "<table>\n<thead><tr><th>Code</th><th>Where</th><th>Detail</th></tr></thead>\n<tbody>\n",
    );
    for anomaly in &report.anomalies {
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>",
            esc(&anomaly.code),
            esc(&anomaly.location),
            esc(&anomaly.detail)
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}
