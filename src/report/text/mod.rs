//! The terminal renderer: a summary a person reads in one screen (`summary`: app, what is
//! collected and by whom, trackers, endpoints by owner, native libraries, anomalies, fitted to the
//! terminal's width), and with `verbose` every piece of evidence and every call site (here).
//!
//! Colour is an option decided by the caller (a terminal and no `NO_COLOR`); without it the output
//! holds no escape sequence at all. Every string from the app goes through
//! [`escape::visible_truncated`], so an APK cannot emit terminal escapes in either mode.

use std::fmt::Write as _;

mod layout;
mod summary;

pub use summary::{MAX_LINES as SUMMARY_MAX_LINES, MAX_WIDTH, MIN_WIDTH};

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
    /// Columns the summary fits in ([`DEFAULT_WIDTH`] when `None`; kept within
    /// [`MIN_WIDTH`]..=[`MAX_WIDTH`]). The verbose listing is not wrapped: it is for reading
    /// through a pager or searching.
    pub width: Option<usize>,
}

/// The summary's width when the caller knows no terminal (output to a file or a pipe).
pub const DEFAULT_WIDTH: usize = 100;

/// Longest app string shown in the verbose listing: enough for any real name, not for a
/// megabyte-long one from a hostile APK.
const LONG_TEXT: usize = 400;

/// SGR codes; only ever written when `TextOptions::color` is set.
#[derive(Debug, Clone, Copy)]
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
    if !options.verbose {
        let width = options.width.unwrap_or(DEFAULT_WIDTH);
        return summary::render(report, options.color, width);
    }
    let mut w = Writer {
        out: String::new(),
        color: options.color,
        max_text: LONG_TEXT,
    };
    header(&mut w, report);
    permissions(&mut w, report);
    all_categories(&mut w, report);
    api_calls(&mut w, report);
    trackers(&mut w, report);
    endpoints(&mut w, report);
    native_libs(&mut w, report);
    anomalies(&mut w, report);
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

    let facts: Vec<String> = view::input_facts(report).iter().map(|f| w.app(f)).collect();
    let input = &report.input;
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
    if let Some(filter) = &report.filter {
        let text = format!(
            "only {}; the rest of the report is left out",
            filter.describe()
        );
        w.line(&format!("  {}", w.styled(Style::Yellow, &w.app(&text))));
    }
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

fn permissions(w: &mut Writer, report: &Report) {
    if report.permissions.is_empty() {
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

/// Display names of collector ids, named trackers first.
fn collector_list(w: &Writer, report: &Report, ids: &[String]) -> String {
    let names: Vec<String> = view::collectors_by_interest(report, ids)
        .into_iter()
        .map(|c| w.app(view::collector_name(report, c)))
        .collect();
    names.join(", ")
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
            collector_list(w, report, &category.collectors)
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
            if let Some(path) = &evidence.path {
                let steps = w.app(&view::path_text(path));
                w.line(&format!("        path: {steps}"));
            }
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

fn trackers(w: &mut Writer, report: &Report) {
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
        let kinds = view::tracker_evidence_kinds(tracker);
        let line = format!(
            "  {}  {owner}  {} class{}  via {}",
            w.pad(name, Some(Style::Bold), name_width),
            tracker.class_count,
            if tracker.class_count == 1 { "" } else { "es" },
            kinds.join(", ")
        );
        w.line(&line);
        tracker_evidence(w, tracker);
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
    for tracker in hints {
        w.line(&format!("    {}", w.app(&tracker.name)));
        tracker_evidence(w, tracker);
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

fn endpoints(w: &mut Writer, report: &Report) {
    w.heading("Endpoints", view::network_endpoint_count(report));
    if view::network_endpoint_count(report) == 0 {
        w.line("  none found");
    }
    network_endpoints(w, report);
    links(w, report);
}

/// Link hosts on one line, then every link.
fn links(w: &mut Writer, report: &Report) {
    let links = view::links(report);
    if links.is_empty() {
        return;
    }
    let parts: Vec<String> = view::link_hosts(report)
        .iter()
        .map(|(host, n)| {
            if *n == 1 {
                w.app(host)
            } else {
                format!("{} ({n})", w.app(host))
            }
        })
        .collect();
    let title = format!("Links ({}), pages shown to people:", links.len());
    w.line(&format!(
        "  {} {}",
        w.styled(Style::Dim, &title),
        parts.join(", ")
    ));
    for link in links {
        w.line(&format!("      {}", w.app(&link.url)));
    }
}

fn network_endpoints(w: &mut Writer, report: &Report) {
    for group in view::endpoint_groups(report) {
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
        for endpoint in &group.endpoints {
            let mut line = format!("      {}", w.app(&endpoint.url));
            if !endpoint.trackers.is_empty() {
                let trackers: Vec<String> = endpoint.trackers.iter().map(|t| w.app(t)).collect();
                let _ = write!(line, "  [{}]", trackers.join(", "));
            }
            if !endpoint.used_by.is_empty() {
                let apis: Vec<String> = endpoint.used_by.iter().map(|a| w.app(a)).collect();
                let _ = write!(line, "  used by {}", apis.join(", "));
            }
            w.line(&line);
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
}

fn native_libs(w: &mut Writer, report: &Report) {
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

fn anomalies(w: &mut Writer, report: &Report) {
    w.heading("Anomalies", report.anomalies.len());
    if report.anomalies.is_empty() {
        w.line(&w.styled(Style::Green, "  none"));
        return;
    }
    for anomaly in &report.anomalies {
        let line = format!(
            "  {}  {}  {}",
            w.styled(Style::Yellow, &w.app(&anomaly.code)),
            w.app(&anomaly.location),
            w.app(&anomaly.detail)
        );
        w.line(&line);
    }
}
