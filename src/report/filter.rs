//! Narrowing a report to some data categories or some collectors (`scan --category`,
//! `--collector`): the categories, calls, trackers, endpoints, libraries and permissions that
//! concern them, and nothing else. The filtered report says what it was narrowed to (`filter`),
//! so nobody takes it for the whole.
//!
//! A verdict is about the whole app: "collected" means some code of the app gathers the data.
//! Narrowed to one collector, a category that other code collects but this collector only points
//! at becomes `possible` for it, with a reason that says so; its evidence is the collector's own.

use serde::{Deserialize, Serialize};

use super::model::{Report, Verdict};

/// What a report was narrowed to. An empty list does not narrow.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportFilter {
    /// Category ids (taxonomy ids); sorted.
    pub categories: Vec<String>,
    /// Collector ids (`app`, tracker and library ids of `collectors`); sorted.
    pub collectors: Vec<String>,
}

/// A filter that names something the report cannot hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FilterError {
    #[error("no data category `{given}`; the categories are: {known}")]
    UnknownCategory { given: String, known: String },
    #[error("no collector `{given}` in this report; its collectors are: {known}")]
    UnknownCollector { given: String, known: String },
}

impl ReportFilter {
    pub fn new(categories: &[String], collectors: &[String]) -> Self {
        let mut filter = ReportFilter {
            categories: categories.to_vec(),
            collectors: collectors.to_vec(),
        };
        filter.categories.sort();
        filter.categories.dedup();
        filter.collectors.sort();
        filter.collectors.dedup();
        filter
    }

    pub fn is_empty(&self) -> bool {
        self.categories.is_empty() && self.collectors.is_empty()
    }

    /// `category location_precise, collector app` for a reader.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.categories.is_empty() {
            parts.push(format!(
                "categor{} {}",
                if self.categories.len() == 1 {
                    "y"
                } else {
                    "ies"
                },
                self.categories.join(", ")
            ));
        }
        if !self.collectors.is_empty() {
            parts.push(format!(
                "collector{} {}",
                if self.collectors.len() == 1 { "" } else { "s" },
                self.collectors.join(", ")
            ));
        }
        parts.join("; ")
    }

    fn wants_category(&self, id: &str) -> bool {
        self.categories.is_empty() || self.categories.iter().any(|c| c == id)
    }

    fn wants_collector(&self, id: &str) -> bool {
        self.collectors.is_empty() || self.collectors.iter().any(|c| c == id)
    }

    fn wants_any_category(&self, ids: &[String]) -> bool {
        self.categories.is_empty() || ids.iter().any(|id| self.wants_category(id))
    }

    /// Checks the ids against the category ids the rules know (`known_categories`) and the
    /// report's collectors, so that a typo is an error rather than an empty report.
    pub fn check(&self, report: &Report, known_categories: &[&str]) -> Result<(), FilterError> {
        for given in &self.categories {
            if !known_categories.contains(&given.as_str()) {
                return Err(FilterError::UnknownCategory {
                    given: given.clone(),
                    known: known_categories.join(", "),
                });
            }
        }
        for given in &self.collectors {
            if given != "app" && !report.collectors.iter().any(|c| &c.id == given) {
                let mut known: Vec<&str> = vec!["app"];
                known.extend(
                    report
                        .collectors
                        .iter()
                        .map(|c| c.id.as_str())
                        .filter(|id| *id != "app"),
                );
                return Err(FilterError::UnknownCollector {
                    given: given.clone(),
                    known: known.join(", "),
                });
            }
        }
        Ok(())
    }

    /// Narrows `report` in place and records the filter in it. The scan's status, input, app
    /// and anomalies are kept whole: they describe the scan, not a finding.
    pub fn apply(&self, report: &mut Report) {
        if self.is_empty() {
            return;
        }
        let by_collector = !self.collectors.is_empty();
        report.categories.retain(|c| {
            self.wants_category(&c.id)
                && (!by_collector || c.collectors.iter().any(|id| self.wants_collector(id)))
        });
        for category in &mut report.categories {
            if !by_collector {
                continue;
            }
            // Manifest evidence (a permission, a component) belongs to no collector: it stays,
            // since it applies to all the app's code.
            category.evidence.retain(|e| {
                e.collector
                    .as_deref()
                    .is_none_or(|id| self.wants_collector(id))
            });
            category.collectors.retain(|id| self.wants_collector(id));
            let others: Vec<String> = category
                .collected_by
                .iter()
                .filter(|id| !self.wants_collector(id))
                .cloned()
                .collect();
            category.collected_by.retain(|id| self.wants_collector(id));
            if category.verdict == Verdict::Collected && category.collected_by.is_empty() {
                category.verdict = Verdict::Possible;
                category.verdict_reason = format!(
                    "collected by other code of the app ({}); the evidence of {} does not show it gathered",
                    others.join(", "),
                    self.collectors.join(", ")
                );
            }
        }
        report.api_calls.retain_mut(|call| {
            if !self.wants_any_category(&call.categories) {
                return false;
            }
            call.sites
                .retain(|site| self.wants_collector(&site.collector));
            !call.sites.is_empty()
        });
        let kept_categories: Vec<String> = report.categories.iter().map(|c| c.id.clone()).collect();
        report.permissions.retain(|p| {
            self.categories.is_empty() || p.categories.iter().any(|c| kept_categories.contains(c))
        });
        report.trackers.retain(|t| {
            (!by_collector || self.wants_collector(&t.id))
                && (self.categories.is_empty()
                    || report
                        .categories
                        .iter()
                        .any(|c| c.collectors.contains(&t.id)))
        });
        // Endpoints and libraries carry no category: narrowed to categories they go; narrowed
        // to collectors, the endpoints found in their code stay.
        if self.categories.is_empty() {
            report.endpoints.retain_mut(|e| {
                e.sources.retain(|s| {
                    s.collector
                        .as_deref()
                        .is_some_and(|id| self.wants_collector(id))
                });
                !e.sources.is_empty()
            });
        } else {
            report.endpoints.clear();
        }
        report.native_libs.retain(|lib| {
            !self.categories.is_empty() && !by_collector && self.wants_any_category(&lib.categories)
        });
        report.exported_components.clear();
        let used: Vec<String> = report
            .categories
            .iter()
            .flat_map(|c| c.collectors.iter().cloned())
            .chain(report.trackers.iter().map(|t| t.id.clone()))
            .chain(
                report
                    .api_calls
                    .iter()
                    .flat_map(|a| a.sites.iter().map(|s| s.collector.clone())),
            )
            .collect();
        report.collectors.retain(|c| used.contains(&c.id));
        report.filter = Some(self.clone());
    }
}
