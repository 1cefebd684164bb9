//! The terminal rendering of a diff: one screen, `+` for what the new version adds and `-` for
//! what it drops, `~` for a category that changed; colour only when the caller asks. Every string
//! from an app goes through the report's escaping, so an APK cannot emit terminal escapes.

use std::fmt::Write as _;

use super::model::*;
use crate::report::escape::visible_truncated;
use crate::report::{Strength, Verdict};

/// Longest app string shown.
const MAX_TEXT: usize = 100;
/// Items shown per section before "… N more".
const ITEMS: usize = 12;

struct Out {
    text: String,
    color: bool,
}

impl Out {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn line(&mut self, text: &str) {
        self.text.push_str(text);
        self.text.push('\n');
    }

    fn added(&mut self, text: &str) {
        let line = format!("  {}", self.paint("32", &format!("+ {text}")));
        self.line(&line);
    }

    fn removed(&mut self, text: &str) {
        let line = format!("  {}", self.paint("31", &format!("- {text}")));
        self.line(&line);
    }

    fn changed(&mut self, text: &str) {
        let line = format!("  {}", self.paint("33", &format!("~ {text}")));
        self.line(&line);
    }

    fn heading(&mut self, title: &str) {
        let text = self.paint("1", title);
        self.line(&text);
    }
}

fn app(text: &str) -> String {
    visible_truncated(text, MAX_TEXT)
}

fn version(side: &DiffSide) -> String {
    let name = side.version_name.as_deref().map(app).unwrap_or_default();
    match side.version_code {
        Some(code) if name.is_empty() => format!("code {code}"),
        Some(code) => format!("{name} (code {code})"),
        None if name.is_empty() => format!("sha256 {}", side.sha256.get(..12).unwrap_or("")),
        None => name,
    }
}

/// The one-screen text of a two-version diff.
pub fn render_diff_text(diff: &ReportDiff, color: bool) -> String {
    let mut out = Out {
        text: String::new(),
        color,
    };
    let package = diff.new.package.as_deref().map(app).unwrap_or_default();
    let head = format!("{package} {} → {}", version(&diff.old), version(&diff.new));
    out.heading(&head);
    for warning in &diff.warnings {
        let text = out.paint("33", &format!("  warning: {}", app(warning)));
        out.line(&text);
    }
    body(&mut out, diff);
    out.text
}

/// The sections of what changed, or "No change."
fn body(out: &mut Out, diff: &ReportDiff) {
    if diff.is_empty() {
        out.line("  No change.");
        return;
    }
    if let Some(target) = &diff.target_sdk {
        let level = |v: Option<u32>| v.map_or_else(|| "none".to_owned(), |v| v.to_string());
        out.heading(&format!(
            "Target SDK {} → {}",
            level(target.old),
            level(target.new)
        ));
        for note in &target.notes {
            out.line(&format!("  {note}"));
        }
    }
    if !diff.permissions.is_empty() {
        out.heading("Permissions");
        // Dangerous (runtime) permissions first: they are what a reader looks for.
        let mut added: Vec<&PermissionItem> = diff.permissions.added.iter().collect();
        added.sort_by_key(|p| (!p.is_dangerous(), p.name.clone()));
        let mut removed: Vec<&PermissionItem> = diff.permissions.removed.iter().collect();
        removed.sort_by_key(|p| (!p.is_dangerous(), p.name.clone()));
        list(out, &added, &removed, |p| {
            let level = p.protection.as_deref().map(app).unwrap_or_default();
            if level.is_empty() {
                app(&p.name)
            } else {
                format!("{} [{level}]", app(&p.name))
            }
        });
    }
    if !diff.categories.is_empty() {
        out.heading("Data categories");
        for c in &diff.categories.added {
            out.added(&category_line(c));
        }
        for c in &diff.categories.removed {
            out.removed(&category_line(c));
        }
        for c in &diff.categories.changed {
            out.changed(&category_change(c));
        }
    }
    if !diff.trackers.is_empty() {
        out.heading("Trackers");
        let show = |t: &&TrackerItem| {
            let mut text = app(&t.name);
            if let Some(owner) = &t.owner_name {
                let _ = write!(text, " — {}", app(owner));
            }
            if let Some(country) = &t.country {
                let _ = write!(text, " ({})", app(country));
            }
            if !t.confirmed {
                text.push_str(" [hint: no code bundled]");
            }
            text
        };
        let added: Vec<&TrackerItem> = diff.trackers.added.iter().collect();
        let removed: Vec<&TrackerItem> = diff.trackers.removed.iter().collect();
        list(out, &added, &removed, show);
    }
    if !diff.endpoints.is_empty() {
        out.heading("Endpoint hosts");
        let show = |e: &&EndpointItem| {
            let mut text = app(&e.host);
            match (&e.owner_name, &e.country) {
                (Some(owner), Some(country)) => {
                    let _ = write!(text, " — {} ({})", app(owner), app(country));
                }
                (Some(owner), None) => {
                    let _ = write!(text, " — {}", app(owner));
                }
                _ => {}
            }
            if e.new_country {
                text.push_str(" NEW COUNTRY");
            }
            text
        };
        let added: Vec<&EndpointItem> = diff.endpoints.added.iter().collect();
        let removed: Vec<&EndpointItem> = diff.endpoints.removed.iter().collect();
        list(out, &added, &removed, show);
    }
    if !diff.api_calls.is_empty() {
        out.heading("Sensitive API calls");
        let show = |a: &&ApiItem| {
            let who = a
                .collector
                .as_deref()
                .map_or_else(|| "no call site".to_owned(), app);
            format!(
                "{}  → {}  [{who}, {}]",
                app(&a.api),
                a.categories.join(", "),
                strength_word(a.strength)
            )
        };
        let added: Vec<&ApiItem> = diff.api_calls.added.iter().collect();
        let removed: Vec<&ApiItem> = diff.api_calls.removed.iter().collect();
        list(out, &added, &removed, show);
    }
    if !diff.native_libs.is_empty() {
        out.heading("Native libraries");
        let added: Vec<&NativeLibItem> = diff.native_libs.added.iter().collect();
        let removed: Vec<&NativeLibItem> = diff.native_libs.removed.iter().collect();
        list(out, &added, &removed, |l| {
            format!("{} ({})", app(&l.name), app(&l.abi))
        });
    }
    if !diff.components.is_empty() {
        out.heading("Exported components");
        let added: Vec<&ComponentItem> = diff.components.added.iter().collect();
        let removed: Vec<&ComponentItem> = diff.components.removed.iter().collect();
        list(out, &added, &removed, |c| {
            let mut text = format!("{} {}", app(&c.kind), app(&c.name));
            if let Some(permission) = &c.permission {
                let _ = write!(text, " (needs {})", app(permission));
            }
            text
        });
    }
    if !diff.anomalies.is_empty() {
        out.heading("Anomalies");
        let added: Vec<&AnomalyItem> = diff.anomalies.added.iter().collect();
        let removed: Vec<&AnomalyItem> = diff.anomalies.removed.iter().collect();
        list(out, &added, &removed, |a| {
            format!("{} ×{}", app(&a.code), a.count)
        });
    }
}

/// Added then removed items, each list cut at [`ITEMS`].
fn list<T>(out: &mut Out, added: &[&T], removed: &[&T], show: impl Fn(&&T) -> String) {
    for item in added.iter().take(ITEMS) {
        out.added(&show(item));
    }
    if added.len() > ITEMS {
        out.line(&format!("    … {} more added", added.len() - ITEMS));
    }
    for item in removed.iter().take(ITEMS) {
        out.removed(&show(item));
    }
    if removed.len() > ITEMS {
        out.line(&format!("    … {} more removed", removed.len() - ITEMS));
    }
}

pub(super) fn verdict_word(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Collected => "collected",
        Verdict::Blocked => "blocked",
        _ => "possible",
    }
}

pub(super) fn strength_word(strength: Strength) -> &'static str {
    match strength {
        Strength::Declared => "declared",
        Strength::Referenced => "referenced",
        Strength::Reflective => "reflective",
        Strength::Native => "native",
        _ => "called",
    }
}

fn category_line(c: &CategoryItem) -> String {
    let mut text = format!("{} {}", app(&c.id), verdict_word(c.verdict));
    if !c.collected_by.is_empty() {
        let _ = write!(text, " by {}", app(&c.collected_by.join(", ")));
    } else {
        let _ = write!(text, " ({})", strength_word(c.strength));
    }
    text
}

fn category_change(c: &CategoryChange) -> String {
    let mut parts = Vec::new();
    if let Some(v) = c.verdict {
        parts.push(format!("{} → {}", verdict_word(v.old), verdict_word(v.new)));
    }
    if let Some(s) = c.strength {
        parts.push(format!(
            "strength {} → {}",
            strength_word(s.old),
            strength_word(s.new)
        ));
    }
    if !c.collected_by_added.is_empty() {
        parts.push(format!(
            "now also collected by {}",
            app(&c.collected_by_added.join(", "))
        ));
    }
    if !c.collected_by_removed.is_empty() {
        parts.push(format!(
            "no longer collected by {}",
            app(&c.collected_by_removed.join(", "))
        ));
    }
    if !c.collectors_added.is_empty() {
        parts.push(format!(
            "code of {} joins",
            app(&c.collectors_added.join(", "))
        ));
    }
    if !c.collectors_removed.is_empty() {
        parts.push(format!(
            "code of {} leaves",
            app(&c.collectors_removed.join(", "))
        ));
    }
    format!("{}: {}", app(&c.id), parts.join("; "))
}

/// The text of a timeline: the versions in order, each step, then who came and went when.
pub fn render_timeline_text(timeline: &Timeline, color: bool) -> String {
    let mut out = Out {
        text: String::new(),
        color,
    };
    let package = timeline
        .versions
        .last()
        .and_then(|v| v.package.as_deref())
        .map(app)
        .unwrap_or_default();
    let versions: Vec<String> = timeline.versions.iter().map(version).collect();
    out.heading(&format!("{package}: {}", versions.join(" → ")));
    if timeline.reordered {
        out.line("  (ordered by version code, not as given)");
    }
    for step in &timeline.steps {
        out.line("");
        let head = format!("{} → {}", version(&step.old), version(&step.new));
        out.heading(&head);
        for warning in &step.warnings {
            let text = out.paint("33", &format!("  warning: {}", app(warning)));
            out.line(&text);
        }
        body(&mut out, step);
    }
    for (title, rows) in [
        ("Data categories", &timeline.categories),
        ("Trackers", &timeline.trackers),
        ("Endpoint owners (hosts)", &timeline.owners),
    ] {
        if rows.is_empty() {
            continue;
        }
        out.line("");
        out.heading(&format!("{title} by version"));
        let width = rows
            .iter()
            .map(|r| app(&r.label).chars().count())
            .max()
            .unwrap_or(0)
            .min(48);
        for row in rows {
            let cells: Vec<String> = row
                .cells
                .iter()
                .map(|c| {
                    format!(
                        "{:<10}",
                        c.as_deref().map(app).unwrap_or_else(|| "·".to_owned())
                    )
                })
                .collect();
            let label: String = app(&row.label).chars().take(width).collect();
            out.line(&format!(
                "  {label:<width$}  {}",
                cells.join(" ").trim_end()
            ));
        }
    }
    out.text
}
