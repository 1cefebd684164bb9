//! Analysis: the rules applied to the facts of one input, giving the [`Report`].
//!
//! Pure: it reads [`AppFacts`] (made by `crate::scanner`, independent of the rules) and the
//! [`RuleSet`], never the input. One module per kind of finding:
//! - `accumulator.rs`: evidence per category and sensitive API calls as they are found, with the
//!   permission and target-SDK notes of each rule, and the caps that keep a report bounded;
//! - `manifest.rs`: requested permissions, permission-guarded components and receivers of
//!   data-carrying broadcasts;
//! - `code.rs`: DEX code — invoked methods, read fields, loaded strings, reflection, overridden
//!   framework callbacks, and what the id tables name without an instruction using it;
//! - `native.rs`: native libraries and their imports;
//! - `endpoints.rs`: endpoints with their sources and owners (`urls.rs` recognises them in text),
//!   and the network APIs their strings reach;
//! - `values.rs`: what the values reaching a call's arguments decide for `with_strings` rules;
//! - `trackers.rs`: tracker SDKs by classes, hosts and meta-data;
//! - `attribution.rs`: who each class belongs to (tracker, library, the app, unidentified);
//! - `grants.rs`: the permissions the app holds at its target SDK (split permissions included);
//! - `verdict.rs`: how each evidence item counts (collects, blocked, plumbing, context, ...) and
//!   what a category's evidence supports (`collected`, `possible`, `blocked`).
//!
//! Every list is put in its documented order by `Report::normalize` at the end, so the report
//! does not depend on the order in which DEX files were scanned.

mod accumulator;
pub mod attribution;
mod code;
mod endpoints;
mod grants;
mod manifest;
mod native;
mod trackers;
pub mod urls;
mod values;
mod verdict;

use accumulator::Accumulator;

use crate::callgraph::CallGraph;
use crate::report::{AppInfo, Report, SCHEMA_VERSION, ScanStatus, ToolInfo};
use crate::rules::RuleSet;
use crate::scanner::AppFacts;

/// Builds the report of one app: the rules applied to its facts.
pub fn build_report(facts: &AppFacts, rules: &RuleSet) -> Report {
    let manifest = facts.manifest.as_ref();
    let graph = CallGraph::for_report(facts);
    let mut acc = Accumulator::new(rules, manifest, &graph);

    let permissions = manifest::permissions(&mut acc, facts);
    manifest::components(&mut acc, facts);
    manifest::receivers(&mut acc, facts);
    code::record(&mut acc, facts);
    let native_libs = native::libraries(&mut acc, facts);
    let exported_components = manifest::exported_components(facts);
    let (endpoints, endpoints_truncated) = endpoints::endpoints(&mut acc, facts);
    let trackers = trackers::trackers(&mut acc, facts, &endpoints);

    let app = manifest.map_or_else(AppInfo::default, |m| AppInfo {
        package: m.package.clone(),
        version_code: m.version_code,
        version_name: m.version_name.clone(),
        min_sdk: m.min_sdk,
        target_sdk: m.target_sdk,
        label: m.application.as_ref().and_then(|a| a.label.clone()),
    });
    let mut status = ScanStatus::from_anomalies(&facts.anomalies);
    if endpoints_truncated {
        status.truncated.push("endpoints".to_owned());
    }
    let (categories, api_calls, collectors) = acc.finish();
    let mut report = Report {
        schema_version: SCHEMA_VERSION.to_owned(),
        tool: ToolInfo {
            name: "dossier".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            rules_digest: rules.digest().to_owned(),
        },
        status,
        filter: None,
        input: facts.input.clone(),
        app,
        permissions,
        categories,
        api_calls,
        trackers,
        endpoints,
        native_libs,
        exported_components,
        collectors,
        anomalies: facts.anomalies.clone(),
    };
    report.normalize();
    report
}
