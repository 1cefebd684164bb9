//! The one-screen summary: what a person reads first. It fits the terminal's width (every line,
//! wide characters counted) and stays within [`MAX_LINES`] lines for any app: each section has a
//! room (rows, lines per list) and when the whole does not fit the summary is laid out again with
//! less room, down to a layout whose worst case fits. What a cut hides is always counted
//! (`… +N more`), and `--verbose` shows it all.
//!
//! The collected categories are grouped by the code that gathers them (the app, a named tracker,
//! a library), named trackers first, so a reader sees at once who takes what; the store label
//! types they map to follow, as one list per store.

use std::collections::BTreeMap;

use super::Style;
use super::layout::{self, Line, List, columns};
use crate::report::escape;
use crate::report::model::{Report, TrackerFinding, Verdict};
use crate::report::view;

/// The most lines a summary takes, whatever the app.
pub const MAX_LINES: usize = 40;

/// How much of each section the summary shows.
#[derive(Debug, Clone, Copy)]
struct Room {
    partial_reasons: usize,
    collector_rows: usize,
    lines_per_collector: usize,
    label_lines: usize,
    list_lines: usize,
    tracker_rows: usize,
    owner_rows: usize,
    native_rows: usize,
}

/// The roomiest layout: everything a real app has fits, except a very long list.
const ROOMIEST: Room = Room {
    partial_reasons: 3,
    collector_rows: 8,
    lines_per_collector: 8,
    label_lines: 3,
    list_lines: 4,
    tracker_rows: 8,
    owner_rows: 8,
    native_rows: 4,
};

/// Steps from the roomiest layout to the tightest, one section at a time, each taken only when
/// the layout before it did not fit. What the app collects and who collects it is cut last
/// (29 categories take five lines at 100 columns). The last layout's worst case fits in
/// [`MAX_LINES`]; a test builds it.
const NARROWING: &[fn(&mut Room)] = &[
    |r| r.label_lines = 2,
    |r| r.native_rows = 2,
    |r| r.tracker_rows = 6,
    |r| r.owner_rows = 6,
    |r| r.list_lines = 3,
    |r| r.list_lines = 2,
    |r| r.partial_reasons = 2,
    |r| r.tracker_rows = 5,
    |r| r.owner_rows = 5,
    |r| r.native_rows = 1,
    |r| r.label_lines = 1,
    |r| r.tracker_rows = 4,
    |r| r.owner_rows = 4,
    |r| r.list_lines = 1,
    |r| r.native_rows = 0,
    |r| r.tracker_rows = 3,
    |r| r.owner_rows = 3,
    |r| r.partial_reasons = 1,
    |r| r.lines_per_collector = 6,
    |r| r.lines_per_collector = 4,
    |r| r.lines_per_collector = 3,
    |r| r.collector_rows = 6,
    |r| r.lines_per_collector = 2,
    |r| r.collector_rows = 5,
    |r| r.lines_per_collector = 1,
    |r| r.collector_rows = 4,
];

/// The narrowest and widest layouts: below 40 columns nothing useful fits, and beyond 200 a
/// line is too long to read.
pub const MIN_WIDTH: usize = 40;
pub const MAX_WIDTH: usize = 200;

/// Renders the summary for a terminal `width` columns wide.
pub fn render(report: &Report, color: bool, width: usize) -> String {
    let width = width.clamp(MIN_WIDTH, MAX_WIDTH);
    let mut room = ROOMIEST;
    let mut steps = NARROWING.iter();
    let lines = loop {
        let lines = layout_with(report, &room, width);
        if lines.len() <= MAX_LINES {
            break lines;
        }
        match steps.next() {
            Some(narrow) => narrow(&mut room),
            None => break lines,
        }
    };
    let mut out = String::new();
    for line in &lines {
        out.push_str(&line.render(color));
        out.push('\n');
    }
    out
}

/// App text made inert (`escape::visible`); cutting to width happens in the layout.
fn app(text: &str) -> String {
    // A bound on what is even looked at, so a megabyte-long label costs nothing.
    escape::visible_truncated(text, MAX_WIDTH)
}

struct Page<'a> {
    lines: Vec<Line>,
    width: usize,
    room: &'a Room,
}

impl Page<'_> {
    fn line(&mut self, line: Line) {
        self.lines.push(line.cut(self.width));
    }

    fn blank(&mut self) {
        self.lines.push(Line::new());
    }

    fn wrap(&mut self, lead: Line, indent: usize, list: &List<'_>, max_lines: usize) {
        let lines = layout::wrap(lead, indent, list, self.width, max_lines);
        self.lines.extend(lines);
    }

    /// Plain names separated by commas after `lead`, in at most `max_lines` lines.
    fn names(&mut self, lead: Line, indent: usize, items: &[String], max_lines: usize) {
        let list = List {
            items,
            separator: ", ",
            style: None,
        };
        self.wrap(lead, indent, &list, max_lines);
    }

    /// A section heading; `empty` (when the section has nothing) follows it on the same line.
    fn heading(&mut self, title: &str, count: usize, empty: Option<(&str, Style)>) {
        self.blank();
        let mut line = Line::styled(format!("{title} ({count})"), Style::Bold);
        if let Some((text, style)) = empty {
            line.push(": ", None);
            line.push(text, Some(style));
        }
        self.line(line);
    }

    /// Width of a name column: the longest name, but never more than a third of the line.
    fn name_column(&self, names: &[String]) -> usize {
        let longest = names.iter().map(|n| columns(n)).max().unwrap_or(0);
        longest.min(self.width / 3).max(4)
    }
}

fn layout_with(report: &Report, room: &Room, width: usize) -> Vec<Line> {
    let mut page = Page {
        lines: Vec::new(),
        width,
        room,
    };
    header(&mut page, report);
    collected(&mut page, report);
    possible_and_blocked(&mut page, report);
    trackers(&mut page, report);
    endpoints(&mut page, report);
    native_libs(&mut page, report);
    anomalies(&mut page, report);
    page.lines
}

fn header(page: &mut Page<'_>, report: &Report) {
    let app_info = &report.app;
    let title = match (&app_info.label, &app_info.package) {
        (Some(label), Some(package)) => format!("{} ({})", app(label), app(package)),
        (Some(only), None) | (None, Some(only)) => app(only),
        (None, None) => "(no manifest)".to_owned(),
    };
    let mut first = Line::styled(title, Style::Bold);
    if let Some(name) = &app_info.version_name {
        first.push(format!(" {}", app(name)), None);
    }
    if let Some(code) = app_info.version_code {
        first.push(format!(" (code {code})"), None);
    }
    page.line(first);

    let mut facts: Vec<String> = view::input_facts(report)
        .into_iter()
        .map(|f| app(&f))
        .collect();
    let input = &report.input;
    if !report.permissions.is_empty() {
        facts.push(permission_counts(report));
    }
    page.wrap(
        Line::plain("  "),
        2,
        &List {
            items: &facts,
            separator: " · ",
            style: None,
        },
        2,
    );

    let mut source = Line::plain(format!("  {}", app(&input.path)));
    if !input.members.is_empty() {
        let members: Vec<String> = input.members.iter().map(|m| app(m)).collect();
        source.push(format!(" [{}]", members.join(", ")), None);
    }
    let tool = format!(
        " · {} {}",
        app(&report.tool.name),
        app(&report.tool.version)
    );
    // The tool goes first when the line is cut: the path is the part a reader can shorten.
    let path_room = page.width.saturating_sub(columns(&tool));
    let mut source = source.cut(path_room);
    source.push(tool, Some(Style::Dim));
    page.line(source);

    if let Some(filter) = &report.filter {
        let mut line = Line::plain("  ");
        line.push(format!("only {}", filter.describe()), Some(Style::Yellow));
        line.push("; the rest of the report is left out", Some(Style::Dim));
        page.line(line);
    }
    if let Some((headline, reasons)) = view::partial_notice(report) {
        let words: Vec<String> = headline.split(' ').map(str::to_owned).collect();
        page.wrap(
            Line::plain("  "),
            2,
            &List {
                items: &words,
                separator: " ",
                style: Some(Style::Red),
            },
            2,
        );
        let shown = page.room.partial_reasons;
        for reason in reasons.iter().take(shown) {
            page.line(Line::plain(format!("    {}", app(reason))));
        }
        if reasons.len() > shown {
            page.line(Line::styled(
                format!("    … and {} more (--verbose)", reasons.len() - shown),
                Style::Dim,
            ));
        }
    }
}

/// `36 permissions (9 dangerous)`.
fn permission_counts(report: &Report) -> String {
    let dangerous = report
        .permissions
        .iter()
        .filter(|p| {
            p.protection
                .as_deref()
                .is_some_and(|level| level.split('|').any(|part| part == "dangerous"))
        })
        .count();
    let count = report.permissions.len();
    format!(
        "{count} permission{} ({dangerous} dangerous)",
        if count == 1 { "" } else { "s" }
    )
}

/// The collected categories by collector: one row per collector (named trackers first), its
/// categories wrapped beside its name.
fn collected(page: &mut Page<'_>, report: &Report) {
    let collected = view::with_verdict(report, Verdict::Collected);
    if collected.is_empty() {
        page.heading(
            "Collected",
            0,
            Some((
                "no code found that gathers personal data with what it needs",
                Style::Green,
            )),
        );
        return;
    }
    page.blank();
    page.line(
        Line::styled(format!("Collected ({})", collected.len()), Style::Bold)
            .with(", by the code that gathers it", Some(Style::Dim)),
    );
    let mut by_collector: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for category in &collected {
        if category.collected_by.is_empty() {
            by_collector
                .entry(format!("({})", view::no_collector_label(category)))
                .or_default()
                .push(app(&category.id));
        }
        for collector in &category.collected_by {
            by_collector
                .entry(collector.clone())
                .or_default()
                .push(app(&category.id));
        }
    }
    // Most categories first, then by name; then named trackers ahead of the app, unnamed code
    // and libraries, so a cut never hides a tracker behind AndroidX.
    let mut ids: Vec<String> = by_collector.keys().cloned().collect();
    ids.sort_by(|a, b| {
        by_collector[b]
            .len()
            .cmp(&by_collector[a].len())
            .then_with(|| a.cmp(b))
    });
    let ids: Vec<String> = view::collectors_by_interest(report, &ids)
        .into_iter()
        .cloned()
        .collect();
    let names: Vec<String> = ids
        .iter()
        .map(|id| app(view::collector_name(report, id)))
        .collect();
    let column = page.name_column(&names);
    let shown = if ids.len() > page.room.collector_rows {
        page.room.collector_rows.saturating_sub(1)
    } else {
        ids.len()
    };
    for (id, name) in ids.iter().zip(&names).take(shown) {
        let lead = padded_name(name, column, Style::Bold);
        page.wrap(
            lead,
            column + 4,
            &List {
                items: &by_collector[id],
                separator: ", ",
                style: Some(Style::Red),
            },
            page.room.lines_per_collector,
        );
    }
    if ids.len() > shown {
        let lead = Line::styled(format!("  … {} more: ", ids.len() - shown), Style::Dim);
        let rest: Vec<String> = names[shown..].to_vec();
        page.names(lead, 4, &rest, 1);
    }
    store_labels(page, &collected);
}

/// `  name    ` padded to `column` (cut when longer), two spaces each side.
fn padded_name(name: &str, column: usize, style: Style) -> Line {
    let shown = layout::cut(name, column);
    let fill = column.saturating_sub(columns(&shown));
    Line::plain("  ")
        .with(shown, Some(style))
        .with(" ".repeat(fill + 2), None)
}

/// The Play and Apple label types the collected categories map to, one list per store.
fn store_labels(page: &mut Page<'_>, collected: &[&crate::report::model::CategoryFinding]) {
    let play = label_types(collected.iter().map(|c| c.play.as_str()));
    let apple = label_types(collected.iter().map(|c| c.apple.as_str()));
    for (store, types) in [("Play labels ", play), ("Apple labels", apple)] {
        if types.is_empty() {
            continue;
        }
        let lead = Line::plain("  ")
            .with(store, Some(Style::Dim))
            .with("  ", None);
        page.names(lead, 16, &types, page.room.label_lines);
    }
}

/// The data types named by store labels such as `Personal info › Email address, User IDs` or
/// `Contact Info › Email Address; Identifiers › User ID`, each once, in first-seen order.
fn label_types<'a>(labels: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut types: Vec<String> = Vec::new();
    for label in labels {
        for part in label.split(';') {
            for kind in view::short_store_label(part).split(", ") {
                let kind = app(kind.trim());
                if !kind.is_empty() && !types.contains(&kind) {
                    types.push(kind);
                }
            }
        }
    }
    types
}

fn possible_and_blocked(page: &mut Page<'_>, report: &Report) {
    let possible = view::with_verdict(report, Verdict::Possible);
    let blocked = view::with_verdict(report, Verdict::Blocked);
    if possible.is_empty() && blocked.is_empty() {
        return;
    }
    page.blank();
    let possible_items: Vec<String> = possible
        .iter()
        .map(|c| format!("{} ({})", app(&c.id), view::possible_tags(c).join(", ")))
        .collect();
    let blocked_items: Vec<String> = blocked
        .iter()
        .map(|c| format!("{} (needs {})", app(&c.id), app(view::blocked_needs(c))))
        .collect();
    for (title, style, items) in [
        ("Possible", Style::Yellow, possible_items),
        ("Blocked", Style::Bold, blocked_items),
    ] {
        if items.is_empty() {
            continue;
        }
        let lead = Line::styled(format!("{title} ({})", items.len()), style).with(": ", None);
        let list = List {
            items: &items,
            separator: "; ",
            style: None,
        };
        let max_lines = page.room.list_lines;
        page.wrap(lead, 2, &list, max_lines);
    }
    page.line(Line::styled(
        verdict_note(&possible, &blocked, page.width),
        Style::Dim,
    ));
}

/// What `possible` and `blocked` mean, for those shown: the longest wording that fits.
fn verdict_note<T>(possible: &[T], blocked: &[T], width: usize) -> String {
    let wordings = [
        (
            "possible: the code or manifest points at the data but does not show it gathered",
            "blocked: the calls need a permission the app lacks",
            "--verbose says why for each",
        ),
        (
            "possible: pointed at, not shown gathered",
            "blocked: lacks a permission",
            "--verbose says why",
        ),
        (
            "possible: not shown gathered",
            "blocked: lacks a permission",
            "",
        ),
    ];
    let mut note = String::new();
    for (possible_text, blocked_text, verbose_text) in wordings {
        let mut parts = Vec::new();
        if !possible.is_empty() {
            parts.push(possible_text);
        }
        if !blocked.is_empty() {
            parts.push(blocked_text);
        }
        if !verbose_text.is_empty() {
            parts.push(verbose_text);
        }
        note = format!("  {}", parts.join(" · "));
        if columns(&note) <= width {
            break;
        }
    }
    note
}

fn trackers(page: &mut Page<'_>, report: &Report) {
    let confirmed: Vec<&TrackerFinding> = view::confirmed_trackers(report).collect();
    let hints: Vec<&TrackerFinding> = view::tracker_hints(report).collect();
    if confirmed.is_empty() {
        page.heading("Trackers", 0, Some(("none found", Style::Green)));
    } else {
        page.heading("Trackers", confirmed.len(), None);
    }
    let names: Vec<String> = confirmed.iter().map(|t| app(&t.name)).collect();
    let column = page.name_column(&names);
    let owners: Vec<String> = confirmed.iter().map(|t| tracker_owner(report, t)).collect();
    let owner_column = owners
        .iter()
        .map(|o| columns(o))
        .max()
        .unwrap_or(0)
        .min(page.width / 4);
    let shown = if confirmed.len() > page.room.tracker_rows {
        page.room.tracker_rows.saturating_sub(1)
    } else {
        confirmed.len()
    };
    for ((tracker, name), owner) in confirmed.iter().zip(&names).zip(&owners).take(shown) {
        let kinds = view::tracker_evidence_kinds(tracker);
        let mut line = padded_name(name, column, Style::Bold);
        let owner = layout::cut(owner, owner_column);
        let fill = owner_column - columns(&owner);
        line.push(owner, None);
        line.push(" ".repeat(fill), None);
        line.push(
            format!(
                "  {} class{}  via {}",
                tracker.class_count,
                if tracker.class_count == 1 { "" } else { "es" },
                kinds.join(", ")
            ),
            Some(Style::Dim),
        );
        page.line(line);
    }
    if confirmed.len() > shown {
        let lead = Line::styled(
            format!("  … {} more: ", confirmed.len() - shown),
            Style::Dim,
        );
        page.names(lead, 4, &names[shown..], 1);
    }
    if !hints.is_empty() {
        let names: Vec<String> = hints.iter().map(|t| app(&t.name)).collect();
        let lead = Line::styled(
            format!("  hints ({}): ", view::TRACKER_HINTS_NOTE),
            Style::Dim,
        );
        page.names(lead, 4, &names, 1);
    }
}

/// An owner's name without the brands listed after it (`ByteDance (TikTok, Pangle)` →
/// `ByteDance`): the summary has room for who, the listing and JSON name the brands.
fn short_owner(name: &str) -> String {
    app(name.split(" (").next().unwrap_or(name))
}

fn tracker_owner(report: &Report, tracker: &TrackerFinding) -> String {
    match (&tracker.owner, &tracker.country) {
        (Some(owner), Some(country)) => {
            format!(
                "{} ({})",
                short_owner(view::owner_name(report, owner)),
                app(country)
            )
        }
        (Some(owner), None) => short_owner(view::owner_name(report, owner)),
        (None, Some(country)) => format!("({})", app(country)),
        (None, None) => "owner unknown".to_owned(),
    }
}

/// Endpoints by owner, one row each: the owner, how many, and their hosts (with the trackers a
/// host belongs to); then the links, which are pages shown to people, not destinations of data.
fn endpoints(page: &mut Page<'_>, report: &Report) {
    let count = view::network_endpoint_count(report);
    if count == 0 {
        page.heading("Endpoints", 0, Some(("none found", Style::Green)));
    } else {
        page.heading("Endpoints", count, None);
    }
    let groups = view::endpoint_groups(report);
    let titles: Vec<String> = groups
        .iter()
        .map(|g| match g.country {
            Some(country) => format!("{} ({})", short_owner(g.name), app(country)),
            None => short_owner(g.name),
        })
        .collect();
    let column = page.name_column(&titles);
    let shown = if groups.len() > page.room.owner_rows {
        page.room.owner_rows.saturating_sub(1)
    } else {
        groups.len()
    };
    for (group, title) in groups.iter().zip(&titles).take(shown) {
        let style = if group.owner.is_some() {
            Style::Bold
        } else {
            Style::Yellow
        };
        let mut lead = padded_name(title, column, style);
        lead.push(format!("{:>3}  ", group.endpoints.len()), None);
        let mut hosts: Vec<String> = Vec::new();
        for endpoint in &group.endpoints {
            let mut host = app(&endpoint.host);
            if !endpoint.trackers.is_empty() {
                let trackers: Vec<String> = endpoint.trackers.iter().map(|t| app(t)).collect();
                host.push_str(&format!(" [{}]", trackers.join(", ")));
            }
            if !hosts.contains(&host) {
                hosts.push(host);
            }
        }
        // Hosts a tracker is known by first: they say more than a documentation link.
        hosts.sort_by_key(|host| !host.ends_with(']'));
        let indent = lead.width();
        page.names(lead, indent, &hosts, 1);
    }
    if groups.len() > shown {
        let hidden: usize = groups[shown..].iter().map(|g| g.endpoints.len()).sum();
        page.line(Line::styled(
            format!(
                "  … {} more owners, {hidden} endpoints (--verbose lists them)",
                groups.len() - shown
            ),
            Style::Dim,
        ));
    }
    let links = view::links(report);
    if !links.is_empty() {
        let hosts: Vec<String> = view::link_hosts(report)
            .into_iter()
            .map(|(host, n)| {
                if n == 1 {
                    app(host)
                } else {
                    format!("{} ({n})", app(host))
                }
            })
            .collect();
        let lead = Line::styled(
            format!("  Links ({}), pages shown to people: ", links.len()),
            Style::Dim,
        );
        page.names(lead, 4, &hosts, 1);
    }
}

/// Native libraries by file name (one name usually ships once per ABI): those whose imports
/// map to a category get a row, the others share one line.
fn native_libs(page: &mut Page<'_>, report: &Report) {
    if report.native_libs.is_empty() {
        return;
    }
    let mut by_name: BTreeMap<String, (Vec<String>, Vec<String>)> = BTreeMap::new();
    for lib in &report.native_libs {
        let artifact = lib.location.artifact();
        let name = artifact.rsplit('/').next().unwrap_or(&artifact);
        let (categories, abis) = by_name.entry(app(name)).or_default();
        for category in &lib.categories {
            let category = app(category);
            if !categories.contains(&category) {
                categories.push(category);
            }
        }
        let abi = app(&lib.abi);
        if !abis.contains(&abi) {
            abis.push(abi);
        }
    }
    page.heading("Native libraries", report.native_libs.len(), None);
    let (sensitive, plain): (Vec<_>, Vec<_>) =
        by_name.iter().partition(|(_, (cats, _))| !cats.is_empty());
    let shown = sensitive.len().min(page.room.native_rows);
    for (name, (categories, abis)) in sensitive.iter().take(shown) {
        let mut line = Line::plain("  ").with((*name).clone(), Some(Style::Bold));
        line.push(" → ", None);
        line.push(categories.join(", "), Some(Style::Red));
        line.push(format!("  ({})", abis.join(", ")), Some(Style::Dim));
        page.line(line);
    }
    let rest: Vec<String> = sensitive[shown..]
        .iter()
        .map(|(name, (categories, _))| format!("{name} → {}", categories.join(", ")))
        .chain(plain.iter().map(|(name, _)| (*name).clone()))
        .collect();
    if !rest.is_empty() {
        let lead = if shown == sensitive.len() {
            Line::styled("  no sensitive imports: ", Style::Dim)
        } else if shown == 0 {
            Line::plain("  ")
        } else {
            Line::styled("  also: ", Style::Dim)
        };
        page.names(lead, 4, &rest, 1);
    }
}

fn anomalies(page: &mut Page<'_>, report: &Report) {
    if report.anomalies.is_empty() {
        page.heading("Anomalies", 0, Some(("none", Style::Green)));
        return;
    }
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for anomaly in &report.anomalies {
        *counts.entry(anomaly.code.as_str()).or_default() += 1;
    }
    let codes: Vec<String> = counts
        .iter()
        .map(|(code, count)| {
            if *count > 1 {
                format!("{} ×{count}", app(code))
            } else {
                app(code)
            }
        })
        .collect();
    page.blank();
    let lead = Line::styled(
        format!("Anomalies ({})", report.anomalies.len()),
        Style::Bold,
    )
    .with(": ", None);
    let list = List {
        items: &codes,
        separator: ", ",
        style: Some(Style::Yellow),
    };
    let mut lines = layout::wrap(lead, 2, &list, page.width, page.room.list_lines);
    let hint = "  (--verbose shows where and what)";
    if let Some(last) = lines.last_mut()
        && last.width() + columns(hint) <= page.width
    {
        last.push(hint, Some(Style::Dim));
    }
    page.lines.extend(lines);
}
