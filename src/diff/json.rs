//! The JSON of a diff and of a timeline: the contract of `docs/diff-schema.md`, pretty-printed
//! with a trailing newline like the scan report.

use super::model::{ReportDiff, Timeline};

pub fn render_diff_json(diff: &ReportDiff) -> String {
    // Plain structs, vectors and options of strings and numbers cannot fail to serialize.
    let mut text = serde_json::to_string_pretty(diff).unwrap_or_default();
    text.push('\n');
    text
}

pub fn render_timeline_json(timeline: &Timeline) -> String {
    let mut text = serde_json::to_string_pretty(timeline).unwrap_or_default();
    text.push('\n');
    text
}
