//! The report: its model (the JSON contract) and its renderers (text, JSON, SARIF, Markdown, HTML).

pub mod model;

pub use model::*;
