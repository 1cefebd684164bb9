//! The report: its model (the JSON contract) and its renderers (text, JSON, SARIF, Markdown, HTML).
//!
//! Every renderer takes a [`Report`] and returns the whole output as a `String`; none of them
//! writes, so a caller can render in parallel and emit at once. Strings that came from the app are
//! hostile: each renderer escapes them for its medium through the private `escape` module.

pub(crate) mod escape;
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
mod view;

pub use html::render_html;
pub use json::render_json;
pub use markdown::render_markdown;
pub use model::*;
pub use sarif::{RuleDocText, RuleDocs, render_sarif};
pub use text::{TextOptions, render_text};
