//! The report: its model (the JSON contract) and its renderers (text, JSON, SARIF, Markdown, HTML).
//!
//! Every renderer takes a [`Report`] and returns the whole output as a `String`; none of them
//! writes, so a caller can render in parallel and emit at once. Strings that came from the app are
//! hostile: each renderer escapes them for its medium through the private `escape` module.

// `pub(crate)`: the diff renderers (`crate::diff`) escape app strings the same way.
pub(crate) mod escape;
mod filter;
mod html;
mod json;
mod markdown;
pub mod model;
mod sarif;
mod text;
// Presentation helpers; reachable by this repository's tests with the `internals` feature.
#[cfg(feature = "internals")]
pub mod view;
#[cfg(not(feature = "internals"))]
pub(crate) mod view;

pub use filter::{FilterError, ReportFilter};
/// The scan report's page style, which the diff's HTML pages extend.
pub(crate) use html::STYLE as HTML_STYLE;
pub use html::render_html;
pub use json::{SavedReportError, looks_like_json, read_json, render_json};
pub use markdown::render_markdown;
pub use model::*;
/// The SARIF fingerprint hash, shared with the diff's SARIF so both hash keys the same way.
pub(crate) use sarif::fingerprint as sarif_fingerprint;
pub use sarif::{RuleDocText, RuleDocs, render_sarif};
pub use text::{DEFAULT_WIDTH, MAX_WIDTH, MIN_WIDTH, SUMMARY_MAX_LINES, TextOptions, render_text};
