//! The JSON renderer: the report as the documented contract (`docs/report-schema.md`), normalized
//! so that equal findings give equal bytes.

use super::model::Report;

/// Pretty-printed JSON with a trailing newline, every array in its documented order.
pub fn render_json(report: &Report) -> String {
    let mut normalized = report.clone();
    normalized.normalize();
    // The model holds only strings, numbers, booleans, options and vectors: serde_json has no
    // failing path for it. Should that ever change, an empty object is still valid JSON.
    let mut text = serde_json::to_string_pretty(&normalized).unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}
