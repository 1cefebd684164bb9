//! Analysis: turning the facts read from an app (manifest, bytecode, native libraries, resources)
//! into findings: data categories with evidence, collectors, trackers and endpoints.
//!
//! `collect.rs` reads and parses (the only part that touches the input), `findings.rs` builds the
//! report from what was collected, `attribution.rs` decides who each class belongs to, and
//! `endpoints.rs` recognises URLs, hosts and addresses in strings.

pub mod attribution;
pub mod collect;
pub mod endpoints;
pub mod findings;

use std::path::Path;

pub use collect::{AppFacts, collect, collect_path};
pub use findings::build_report;

use crate::app::AppError;
use crate::container::Limits;
use crate::report::Report;
use crate::rules::RuleSet;

/// Reads one input file and reports on it.
pub fn scan_path(path: &Path, limits: &Limits, rules: &RuleSet) -> Result<Report, AppError> {
    let facts = collect_path(path, limits, rules)?;
    Ok(build_report(&facts, rules))
}
