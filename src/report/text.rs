//! The terminal renderer: a summary a person reads in one screen (app, categories with strength
//! and collectors, trackers, endpoints by owner, native libraries, anomalies), and with
//! `verbose` every piece of evidence and every call site.
//!
//! Colour is an option decided by the caller (a terminal and no `NO_COLOR`); without it the output
//! holds no escape sequence at all. Every string from the app goes through
//! [`escape::visible_truncated`], so an APK cannot emit terminal escapes in either mode.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::escape;
use super::model::{Report, Strength, TrackerFinding, Verdict};
use super::view;

/// How to render the terminal summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TextOptions {
    /// Emit ANSI colour (SGR) sequences.
    pub color: bool,
    /// List every evidence item, call site, endpoint and anomaly instead of a sample.
    pub verbose: bool,
}

/// Longest app string shown in the summary; verbose output shows more.
const SHORT_TEXT: usize = 80;
const LONG_TEXT: usize = 400;
/// URLs shown per owner and collectors per category before "+N more" in the summary.
const URLS_PER_OWNER: usize = 3;
const COLLECTORS_PER_CATEGORY: usize = 4;
/// Owners listed in the summary before "… N more owners"; keeps an app that talks to fifty
/// companies within one screen. Verbose lists them all.
const OWNER_GROUPS: usize = 12;

/// SGR codes; only ever written when `TextOptions::color` is set.
#[derive(Clone, Copy)]
enum Style {
    Bold,
    Dim,
    Red,
    Yellow,
    Magenta,
    Cyan,
    Green,
}

impl Style {
    fn code(self) -> &'static str {
        match self {
            Style::Bold => "1",
            Style::Dim => "2",
            Style::Red => "31",
            Style::Green => "32",
            Style::Yellow => "33",
            Style::Magenta => "35",
            Style::Cyan => "36",
        }
    }
}

fn strength_style(strength: Strength) -> Style {
    match strength {
        Strength::Called => Style::Red,
        Strength::Native => Style::Magenta,
        Strength::Reflective => Style::Yellow,
        Strength::Referenced => Style::Cyan,
        Strength::Declared => Style::Dim,
    }
}

struct Writer {
    out: String,
    color: bool,
    max_text: usize,
}

impl Writer {
    /// `text` must already be safe (ours, or passed through `app`).
    fn styled(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("\x1b[{}m{text}\x1b[0m", style.code())
        } else {
            text.to_owned()
        }
    }

    /// An app-controlled string, made inert and shortened.
    fn app(&self, text: &str) -> String {
        escape::visible_truncated(text, self.max_text)
    }

    fn line(&mut self, text: &str) {
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn heading(&mut self, title: &str, count: usize) {
        let text = self.styled(Style::Bold, &format!("{title} ({count})"));
        self.out.push('\n');
        self.line(&text);
    }

    /// Pads an already-safe cell to `width` characters (colour codes excluded from the count).
    fn pad(&self, plain: &str, style: Option<Style>, width: usize) -> String {
        let fill = width.saturating_sub(plain.chars().count());
        let shown = match style {
            Some(style) => self.styled(style, plain),
            None => plain.to_owned(),
        };
        format!("{shown}{}", " ".repeat(fill))
    }
}

/// Renders the terminal summary.
pub fn render_text(report: &Report, options: &TextOptions) -> String {
    let mut report = report.clone();
    report.normalize();
    let report = &report;
    let mut w = Writer {
        out: String::new(),
        color: options.color,
        max_text: if options.verbose {
            LONG_TEXT
        } else {
            SHORT_TEXT
        },
    };
    header(&mut w, report);
    permissions(&mut w, report, options.verbose);
    categories(&mut w, report, options.verbose);
    if options.verbose {
        api_calls(&mut w, report);
    }
    trackers(&mut w, report, options.verbose);
    endpoints(&mut w, report, options.verbose);
    native_libs(&mut w, report, options.verbose);
    anomalies(&mut w, report, options.verbose);
    w.out
}

fn header(w: &mut Writer, report: &Report) {
    let app = &report.app;
    let label = app.label.as_deref().map(|l| w.app(l));
    let package = app.package.as_deref().map(|p| w.app(p));
    let title = match (label, package) {
        (Some(label), Some(package)) => format!("{label} ({package})"),
        (Some(only), None) | (None, Some(only)) => only,
        (None, None) => "(no manifest)".to_owned(),
    };
    let mut version = String::new();
    if let Some(name) = &app.version_name {
        let _ = write!(version, " {}", w.app(name));
    }
    if let Some(code) = app.version_code {
        let _ = write!(version, " (code {code})");
    }
    let first = format!("{}{version}", w.styled(Style::Bold, &title));
    w.line(&first);

    let mut facts = Vec::new();
    if let Some(min) = app.min_sdk {
        facts.push(format!("min sdk {min}"));
    }
    if let Some(target) = app.target_sdk {
        facts.push(format!("target sdk {target}"));
    }
    let input = &report.input;
    facts.push(w.app(super::model::input_kind_str(input.kind)));
    facts.push(view::human_size(input.size));
    facts.push(format!(
        "sha256 {}",
        w.app(view::short_digest(&input.sha256))
    ));
    w.line(&format!("  {}", facts.join(" · ")));
    let mut source = format!("  {}", w.app(&input.path));
    if !input.members.is_empty() {
        let members: Vec<String> = input.members.iter().map(|m| w.app(m)).collect();
        let _ = write!(source, " [{}]", members.join(", "));
    }
    let tool = format!(
        " · {} {}",
        w.app(&report.tool.name),
        w.app(&report.tool.version)
    );
    source.push_str(&w.styled(Style::Dim, &tool));
    w.line(&source);
    if let Some((headline, reasons)) = view::partial_notice(report) {
        w.line(&format!("  {}", w.styled(Style::Red, &headline)));
        for reason in reasons.iter().take(5) {
            w.line(&format!("    {}", w.app(reason)));
        }
        if reasons.len() > 5 {
            w.line(&format!("    ... and {} more", reasons.len() - 5));
        }
    }
}

fn permissions(w: &mut Writer, report: &Report, verbose: bool) {
    if report.permissions.is_empty() {
        return;
    }
    let dangerous = report
        .permissions
        .iter()
        .filter(|p| {
            p.protection
                .as_deref()
                .is_some_and(|level| level.split('|').any(|part| part == "dangerous"))
        })
        .count();
    if !verbose {
        w.out.push('\n');
        w.line(&format!(
            "{} {} requested, {dangerous} dangerous",
            w.styled(Style::Bold, "Permissions"),
            report.permissions.len()
        ));
        return;
    }
    w.heading("Permissions", report.permissions.len());
    for permission in &report.permissions {
        let mut line = format!("  {}", w.app(&permission.name));
        if let Some(level) = &permission.protection {
            let _ = write!(line, "  [{}]", w.app(level));
        }
        if let Some(max) = permission.max_sdk {
            let _ = write!(line, "  max sdk {max}");
        }
        if permission.sdk23 {
            line.push_str("  sdk23");
        }
        if !permission.categories.is_empty() {
            let cats: Vec<String> = permission.categories.iter().map(|c| w.app(c)).collect();
            let _ = write!(line, "  → {}", cats.join(", "));
        }
        w.line(&line);
    }
}

fn verdict_style(verdict: Verdict) -> Style {
    match verdict {
        Verdict::Collected => Style::Red,
        Verdict::Possible => Style::Yellow,
        Verdict::Blocked => Style::Dim,
    }
}

/// The summary leads with what is collected and by whom; `possible` and `blocked` get one line
/// each. Verbose shows every category with its reason and judged evidence.
fn categories(w: &mut Writer, report: &Report, verbose: bool) {
    if verbose {
        all_categories(w, report);
        return;
    }
    let collected = view::with_verdict(report, Verdict::Collected);
    w.heading("Collected", collected.len());
    if collected.is_empty() {
        w.line("  no code found that gathers personal data with what it needs");
    }
    let ids: Vec<String> = collected.iter().map(|c| w.app(&c.id)).collect();
    let id_width = ids.iter().map(|id| id.chars().count()).max().unwrap_or(0);
    for (category, id) in collected.iter().zip(&ids) {
        let who = collector_list(w, report, &category.collected_by, false);
        let labels = format!(
            "Play: {} · Apple: {}",
            w.app(view::short_store_label(&category.play)),
            w.app(view::short_store_label(&category.apple))
        );
        let line = format!(
            "  {} {who}  {}",
            w.pad(id, Some(Style::Red), id_width),
            w.styled(Style::Dim, &format!("[{labels}]"))
        );
        w.line(&line);
    }
    let possible = view::with_verdict(report, Verdict::Possible);
    if !possible.is_empty() {
        let items: Vec<String> = possible
            .iter()
            .map(|c| format!("{} ({})", w.app(&c.id), view::possible_tags(c).join(", ")))
            .collect();
        w.out.push('\n');
        let head = w.styled(Style::Yellow, &format!("Possible ({})", possible.len()));
        w.line(&format!("{head}: {}", items.join("; ")));
    }
    let blocked = view::with_verdict(report, Verdict::Blocked);
    if !blocked.is_empty() {
        let items: Vec<String> = blocked
            .iter()
            .map(|c| format!("{} (needs {})", w.app(&c.id), w.app(view::blocked_needs(c))))
            .collect();
        if possible.is_empty() {
            w.out.push('\n');
        }
        let head = w.styled(Style::Bold, &format!("Blocked ({})", blocked.len()));
        w.line(&format!("{head}: {}", items.join("; ")));
    }
    if !possible.is_empty() || !blocked.is_empty() {
        w.line(&w.styled(
            Style::Dim,
            "  possible: the code or manifest points at the data but does not show it gathered; \
             blocked: the calls need a permission the app lacks. --verbose says why for each.",
        ));
    }
}

/// Display names of collector ids, cut to a few unless `all`.
fn collector_list(w: &Writer, report: &Report, ids: &[String], all: bool) -> String {
    // Trackers first, so that a cut list never hides them behind libraries.
    let mut names: Vec<String> = view::collectors_by_interest(report, ids)
        .into_iter()
        .map(|c| w.app(view::collector_name(report, c)))
        .collect();
    let hidden = if !all && names.len() > COLLECTORS_PER_CATEGORY {
        let extra = names.len() - COLLECTORS_PER_CATEGORY;
        names.truncate(COLLECTORS_PER_CATEGORY);
        extra
    } else {
        0
    };
    let mut who = names.join(", ");
    if hidden > 0 {
        let _ = write!(who, " +{hidden} more");
    }
    who
}

fn all_categories(w: &mut Writer, report: &Report) {
    w.heading("Data categories", report.categories.len());
    if report.categories.is_empty() {
        w.line("  none found");
        return;
    }
    let ids: Vec<String> = report.categories.iter().map(|c| w.app(&c.id)).collect();
    let id_width = ids.iter().map(|id| id.chars().count()).max().unwrap_or(0);
    for (category, id) in report.categories.iter().zip(&ids) {
        let who = if category.collectors.is_empty() {
            view::no_collector_label(category).to_owned()
        } else {
            collector_list(w, report, &category.collectors, true)
        };
        let verdict = view::verdict_label(category.verdict);
        let strength = view::strength_label(category.strength);
        let labels = format!(
            "Play: {} · Apple: {}",
            w.app(view::short_store_label(&category.play)),
            w.app(view::short_store_label(&category.apple))
        );
        let line = format!(
            "  {} {} {} {who}  {}",
            w.pad(id, None, id_width),
            w.pad(verdict, Some(verdict_style(category.verdict)), 9),
            w.pad(strength, Some(strength_style(category.strength)), 11),
            w.styled(Style::Dim, &format!("[{labels}]"))
        );
        w.line(&line);
        let title = w.app(&category.title);
        w.line(&format!("      {title}"));
        let reason = w.app(&category.verdict_reason);
        w.line(&format!("      {verdict}: {reason}"));
        for evidence in &category.evidence {
            let mut line = format!(
                "      {} {} {} {}  {}  rule {}",
                w.pad(view::standing_label(evidence.standing), None, 14),
                w.styled(
                    strength_style(evidence.strength),
                    view::strength_label(evidence.strength)
                ),
                view::evidence_kind_label(evidence.kind),
                w.app(&evidence.detail),
                w.app(&view::location_text(evidence.location.as_ref())),
                w.app(&evidence.rule)
            );
            if let Some(exemption) = &evidence.exemption {
                let _ = write!(line, "  exempted by {}", w.app(exemption));
            }
            if let Some(collector) = &evidence.collector {
                let _ = write!(
                    line,
                    "  [{}]",
                    w.app(view::collector_name(report, collector))
                );
            }
            w.line(&line);
        }
        for note in &category.notes {
            let note = w.app(note);
            w.line(&format!("      note: {note}"));
        }
    }
}

fn api_calls(w: &mut Writer, report: &Report) {
    w.heading("Sensitive APIs", report.api_calls.len());
    for call in &report.api_calls {
        let mut line = format!(
            "  {}  {}  → {}",
            w.app(&call.api),
            w.styled(
                strength_style(call.strength),
                view::strength_label(call.strength)
            ),
            call.categories
                .iter()
                .map(|c| w.app(c))
                .collect::<Vec<_>>()
                .join(", ")
        );
        if !call.missing_permissions.is_empty() {
            let missing: Vec<String> = call.missing_permissions.iter().map(|p| w.app(p)).collect();
            let _ = write!(line, "  (needs {}, not requested)", missing.join(" or "));
        }
        w.line(&line);
        for site in &call.sites {
            let line = format!(
                "      {} {}  [{}]",
                w.app(&site.location.artifact()),
                w.app(&view::site_method(&site.location)),
                w.app(view::collector_name(report, &site.collector))
            );
            w.line(&line);
        }
    }
}

fn trackers(w: &mut Writer, report: &Report, verbose: bool) {
    let confirmed: Vec<&TrackerFinding> = view::confirmed_trackers(report).collect();
    let hints: Vec<&TrackerFinding> = view::tracker_hints(report).collect();
    w.heading("Trackers", confirmed.len());
    if confirmed.is_empty() {
        w.line(&w.styled(Style::Green, "  none found"));
    }
    let names: Vec<String> = confirmed.iter().map(|t| w.app(&t.name)).collect();
    let name_width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    for (tracker, name) in confirmed.iter().zip(&names) {
        let owner = match (&tracker.owner, &tracker.country) {
            (Some(owner), Some(country)) => format!(
                "{} ({})",
                w.app(view::owner_name(report, owner)),
                w.app(country)
            ),
            (Some(owner), None) => w.app(view::owner_name(report, owner)),
            (None, Some(country)) => format!("({})", w.app(country)),
            (None, None) => "owner unknown".to_owned(),
        };
        let mut kinds: Vec<&str> = tracker
            .evidence
            .iter()
            .map(|e| view::evidence_kind_label(e.kind))
            .collect();
        kinds.sort_unstable();
        kinds.dedup();
        let line = format!(
            "  {}  {owner}  {} class{}  via {}",
            w.pad(name, Some(Style::Bold), name_width),
            tracker.class_count,
            if tracker.class_count == 1 { "" } else { "es" },
            kinds.join(", ")
        );
        w.line(&line);
        if verbose {
            tracker_evidence(w, tracker);
        }
    }
    if hints.is_empty() {
        return;
    }
    let names: Vec<String> = hints.iter().map(|t| w.app(&t.name)).collect();
    let line = format!(
        "  {} ({}): {}",
        w.styled(Style::Dim, "hints"),
        view::TRACKER_HINTS_NOTE,
        names.join(", ")
    );
    w.line(&line);
    if verbose {
        for tracker in hints {
            w.line(&format!("    {}", w.app(&tracker.name)));
            tracker_evidence(w, tracker);
        }
    }
}

/// The evidence lines of one tracker, for `--verbose`.
fn tracker_evidence(w: &mut Writer, tracker: &TrackerFinding) {
    for evidence in &tracker.evidence {
        let line = format!(
            "      {} {}  {}",
            view::evidence_kind_label(evidence.kind),
            w.app(&evidence.detail),
            w.app(&view::location_text(evidence.location.as_ref()))
        );
        w.line(&line);
    }
}

/// Hosts of links shown on the summary line before `… N more`.
const LINK_HOSTS: usize = 6;

fn endpoints(w: &mut Writer, report: &Report, verbose: bool) {
    w.heading("Endpoints", view::network_endpoint_count(report));
    if view::network_endpoint_count(report) == 0 {
        w.line("  none found");
    }
    network_endpoints(w, report, verbose);
    links(w, report, verbose);
}

/// One compact line of link hosts; every link with `--verbose`.
fn links(w: &mut Writer, report: &Report, verbose: bool) {
    let links = view::links(report);
    if links.is_empty() {
        return;
    }
    let hosts = view::link_hosts(report);
    let shown = if verbose { hosts.len() } else { LINK_HOSTS };
    let mut parts: Vec<String> = hosts
        .iter()
        .take(shown)
        .map(|(host, n)| {
            if *n == 1 {
                w.app(host)
            } else {
                format!("{} ({n})", w.app(host))
            }
        })
        .collect();
    if hosts.len() > shown {
        parts.push(format!("… {} more hosts", hosts.len() - shown));
    }
    let title = format!("Links ({}), pages shown to people:", links.len());
    w.line(&format!(
        "  {} {}",
        w.styled(Style::Dim, &title),
        parts.join(", ")
    ));
    if verbose {
        for link in links {
            w.line(&format!("      {}", w.app(&link.url)));
        }
    }
}

fn network_endpoints(w: &mut Writer, report: &Report, verbose: bool) {
    let groups = view::endpoint_groups(report);
    let group_count = groups.len();
    let shown_groups = if verbose { group_count } else { OWNER_GROUPS };
    let mut hidden_endpoints = 0;
    for (position, group) in groups.into_iter().enumerate() {
        if position >= shown_groups {
            hidden_endpoints += group.endpoints.len();
            continue;
        }
        let mut title = w.app(group.name);
        if let Some(country) = group.country {
            let _ = write!(title, " ({})", w.app(country));
        }
        let style = if group.owner.is_some() {
            Style::Bold
        } else {
            Style::Yellow
        };
        let line = format!(
            "  {}  {} endpoint{}",
            w.styled(style, &title),
            group.endpoints.len(),
            if group.endpoints.len() == 1 { "" } else { "s" }
        );
        w.line(&line);
        let shown = if verbose {
            group.endpoints.len()
        } else {
            URLS_PER_OWNER
        };
        for endpoint in group.endpoints.iter().take(shown) {
            let mut line = format!("      {}", w.app(&endpoint.url));
            if !endpoint.trackers.is_empty() {
                let trackers: Vec<String> = endpoint.trackers.iter().map(|t| w.app(t)).collect();
                let _ = write!(line, "  [{}]", trackers.join(", "));
            }
            w.line(&line);
            if verbose {
                for source in &endpoint.sources {
                    let encoding = source
                        .encoding
                        .map(|e| format!(" (in {})", e.as_str()))
                        .unwrap_or_default();
                    let line = format!(
                        "          {} {}{encoding}",
                        w.app(source.kind.as_str()),
                        w.app(&source.location.to_string())
                    );
                    w.line(&w.styled(Style::Dim, &line));
                }
            }
        }
        if group.endpoints.len() > shown {
            let more = format!("      … {} more", group.endpoints.len() - shown);
            w.line(&w.styled(Style::Dim, &more));
        }
    }
    if group_count > shown_groups {
        let more = format!(
            "  … {} more owners, {hidden_endpoints} endpoints (--verbose lists them)",
            group_count - shown_groups
        );
        w.line(&w.styled(Style::Dim, &more));
    }
}

fn native_libs(w: &mut Writer, report: &Report, verbose: bool) {
    if report.native_libs.is_empty() {
        return;
    }
    w.heading("Native libraries", report.native_libs.len());
    for lib in &report.native_libs {
        let mut line = format!("  {}", w.app(&lib.location.artifact()));
        if !lib.categories.is_empty() {
            let cats: Vec<String> = lib.categories.iter().map(|c| w.app(c)).collect();
            let _ = write!(line, "  → {}", cats.join(", "));
        }
        let _ = write!(
            line,
            "  ({} needed, {} sensitive imports, {} JNI exports)",
            lib.needed.len(),
            lib.imports.len(),
            lib.jni_exports.len()
        );
        w.line(&line);
        if verbose {
            for import in &lib.imports {
                let import = w.app(import);
                w.line(&format!("      imports {import}"));
            }
            if !lib.needed.is_empty() {
                let needed: Vec<String> = lib.needed.iter().map(|n| w.app(n)).collect();
                w.line(&format!("      needs {}", needed.join(", ")));
            }
        }
    }
}

fn anomalies(w: &mut Writer, report: &Report, verbose: bool) {
    w.heading("Anomalies", report.anomalies.len());
    if report.anomalies.is_empty() {
        w.line(&w.styled(Style::Green, "  none"));
        return;
    }
    if verbose {
        for anomaly in &report.anomalies {
            let line = format!(
                "  {}  {}  {}",
                w.styled(Style::Yellow, &w.app(&anomaly.code)),
                w.app(&anomaly.location),
                w.app(&anomaly.detail)
            );
            w.line(&line);
        }
        return;
    }
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for anomaly in &report.anomalies {
        *counts.entry(anomaly.code.as_str()).or_default() += 1;
    }
    let codes: Vec<String> = counts
        .iter()
        .map(|(code, count)| {
            let code = w.app(code);
            if *count > 1 {
                format!("{code} ×{count}")
            } else {
                code
            }
        })
        .collect();
    let line = format!("  {}", codes.join(", "));
    w.line(&w.styled(Style::Yellow, &line));
    w.line(&w.styled(Style::Dim, "  (--verbose shows where and what)"));
}
