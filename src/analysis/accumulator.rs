//! Evidence as it is found: per category, the evidence items and notes; per sensitive API, its
//! call sites. Each rule's permission and target-SDK conditions become notes here, and the caps
//! that keep the report of a huge app bounded are applied here, each marking what it cut.

use std::collections::{BTreeMap, BTreeSet};

use super::attribution::Attributor;
use super::grants::Grants;
use super::verdict::Judge;
use crate::axml::Manifest;
use crate::callgraph::CallGraph;
use crate::dex;
use crate::report::{
    ApiCall, CallSite, CategoryFinding, Collector, Evidence, EvidenceKind, Location, Standing,
    Strength,
};
use crate::rules::{ApiRule, ConditionKind, RuleSet};
use crate::scanner::DexScan;

/// Most call sites listed per API; the rest are counted by `truncated`.
const MAX_SITES_PER_API: usize = 500;
/// Most evidence items kept per category.
const MAX_EVIDENCE_PER_CATEGORY: usize = 400;

/// What is being gathered for one category.
#[derive(Default)]
struct CategoryEvidence {
    evidence: BTreeSet<Evidence>,
    notes: BTreeSet<String>,
    truncated: bool,
}

pub(super) struct Accumulator<'r> {
    pub rules: &'r RuleSet,
    pub who: Attributor<'r>,
    /// What the app holds, for the permission requirements of API rules.
    grants: Grants,
    target_sdk: Option<u32>,
    categories: BTreeMap<String, CategoryEvidence>,
    api_calls: BTreeMap<(String, String), ApiCall>,
    /// What the entry points reach: decides which call sites stand for a collector.
    pub graph: &'r CallGraph<'r>,
}

impl<'r> Accumulator<'r> {
    pub fn new(rules: &'r RuleSet, manifest: Option<&Manifest>, graph: &'r CallGraph<'r>) -> Self {
        Accumulator {
            rules,
            who: Attributor::new(rules, manifest),
            grants: Grants::new(rules, manifest),
            target_sdk: manifest.and_then(|m| m.target_sdk),
            categories: BTreeMap::new(),
            api_calls: BTreeMap::new(),
            graph,
        }
    }

    pub fn add_evidence(&mut self, categories: &[String], evidence: Evidence) {
        for category in categories {
            let acc = self.categories.entry(category.clone()).or_default();
            if acc.evidence.len() < MAX_EVIDENCE_PER_CATEGORY {
                acc.evidence.insert(evidence.clone());
            } else if !acc.evidence.contains(&evidence) {
                acc.truncated = true;
            }
        }
    }

    fn add_note(&mut self, categories: &[String], note: String) {
        for category in categories {
            self.categories
                .entry(category.clone())
                .or_default()
                .notes
                .insert(note.clone());
        }
    }

    /// Notes of the rule's target-SDK and permission conditions that hold for this app.
    pub fn condition_notes(&mut self, rule: &ApiRule) {
        if !self.grants.has_manifest() {
            return;
        }
        for condition in &rule.conditions {
            // A condition that names a permission only matters when the app does not hold it:
            // "from API 33 the app must declare AD_ID" says nothing about an app that does.
            let lacks_permission = condition
                .permission
                .as_ref()
                .is_none_or(|p| !self.grants.holds(p));
            let holds = lacks_permission
                && match condition.kind {
                    ConditionKind::MinTargetSdk => {
                        matches!((self.target_sdk, condition.sdk), (Some(t), Some(s)) if t >= s)
                    }
                    ConditionKind::MaxTargetSdk => {
                        matches!((self.target_sdk, condition.sdk), (Some(t), Some(s)) if t <= s)
                    }
                    ConditionKind::RequiresPermission => condition.permission.is_some(),
                };
            if holds {
                self.add_note(&rule.categories, format!("{}: {}", rule.id, condition.text));
            }
        }
        let missing = self.grants.missing(rule);
        if !missing.is_empty() {
            self.add_note(
                &rule.categories,
                format!(
                    "{}: needs {}, which the app does not hold at target SDK {}, so the call cannot return the data",
                    rule.id,
                    missing.join(" or "),
                    self.grants.target_sdk()
                ),
            );
        }
    }

    /// Records a use of a sensitive method or field (or a reflective name) with its sites: one
    /// evidence item per collector, at its first site (the sites themselves go to the API call).
    pub fn record_api(
        &mut self,
        api: &str,
        rule: &ApiRule,
        strength: Strength,
        kind: EvidenceKind,
        sites: Vec<CallSite>,
    ) {
        let mut seen_collectors = BTreeSet::new();
        let firsts: Vec<CallSite> = sites
            .iter()
            .filter(|site| seen_collectors.insert((site.collector.clone(), site.unreachable)))
            .cloned()
            .collect();
        let total = sites.len();
        self.record_api_sites(api, rule, strength, kind, firsts, sites, total);
    }

    /// [`Self::record_api`] for the uses at `positions` of one DEX's site table, without making a
    /// call site of every use: only the ones the API call has room for and the first of each
    /// collector are made. A hostile DEX can give one API millions of callers, and each made
    /// site costs a handful of strings.
    #[allow(clippy::too_many_arguments)]
    pub fn record_api_uses(
        &mut self,
        api: &str,
        rule: &ApiRule,
        strength: Strength,
        kind: EvidenceKind,
        scan: &DexScan,
        callers: &[dex::Site],
        positions: &[dex::SiteRef],
    ) {
        let room = self
            .api_calls
            .get(&(api.to_owned(), rule.id.clone()))
            .map_or(MAX_SITES_PER_API, |entry| {
                MAX_SITES_PER_API.saturating_sub(entry.sites.len())
            });
        let mut kept = Vec::new();
        let mut firsts = Vec::new();
        let total = self.walk_sites(scan, callers, positions, |index, _, site, new_collector| {
            if new_collector {
                firsts.push(site());
            }
            if index < room {
                kept.push(site());
            }
        });
        self.record_api_sites(api, rule, strength, kind, firsts, kept, total);
    }

    /// The first call site of each collector among the uses at `positions`, in order.
    pub fn first_site_per_collector(
        &mut self,
        scan: &DexScan,
        callers: &[dex::Site],
        positions: &[dex::SiteRef],
    ) -> Vec<CallSite> {
        let mut firsts = Vec::new();
        self.walk_sites(scan, callers, positions, |_, _, site, new_collector| {
            if new_collector {
                firsts.push(site());
            }
        });
        firsts
    }

    /// Calls `visit` for every use at `positions` whose caller exists, in order, with its index
    /// among them, the use, a maker of its call site and whether its collector is met for the first time;
    /// returns how many there were. The collector of a run of callers of one class (callers are
    /// sorted by class) is looked up once.
    pub(super) fn walk_sites(
        &mut self,
        scan: &DexScan,
        callers: &[dex::Site],
        positions: &[dex::SiteRef],
        mut visit: impl FnMut(usize, &dex::SiteRef, &mut dyn FnMut() -> CallSite, bool),
    ) -> usize {
        // A collector's first site, and its first reachable one when that is not the first: a
        // collector whose first call is dead code may still collect elsewhere.
        let mut seen_collectors: BTreeSet<(String, bool)> = BTreeSet::new();
        let mut last: Option<(&str, String)> = None;
        let mut count = 0;
        for use_ in positions {
            let Some(caller) = callers.get(use_.caller as usize) else {
                continue;
            };
            let class: &str = &caller.method.class;
            let collector = match &last {
                Some((last_class, collector)) if *last_class == class => collector.clone(),
                _ => {
                    let collector = self.who.collector_of(class);
                    last = Some((class, collector.clone()));
                    collector
                }
            };
            let reached = self.graph.reaches(scan, use_.caller);
            let key = (collector.clone(), reached);
            let new_collector = !seen_collectors.contains(&key) && seen_collectors.insert(key);
            let mut make = || CallSite {
                location: located(scan, caller, Some(use_.offset)),
                collector: collector.clone(),
                unreachable: !reached,
            };
            visit(count, use_, &mut make, new_collector);
            count += 1;
        }
        count
    }

    /// Records an API call with `kept` of its `total` sites and an evidence item at each of
    /// `firsts` (the first site of each collector, in order).
    #[allow(clippy::too_many_arguments)]
    fn record_api_sites(
        &mut self,
        api: &str,
        rule: &ApiRule,
        strength: Strength,
        kind: EvidenceKind,
        firsts: Vec<CallSite>,
        kept: Vec<CallSite>,
        total: usize,
    ) {
        let mut evidence: Vec<Evidence> = firsts
            .into_iter()
            .map(|site| Evidence {
                kind,
                rule: rule.id.clone(),
                strength,
                detail: api.to_owned(),
                location: Some(site.location),
                collector: Some(site.collector),
                standing: Standing::default(),
                exemption: None,
                path: None,
            })
            .collect();
        if evidence.is_empty() {
            evidence.push(Evidence {
                kind,
                rule: rule.id.clone(),
                strength,
                detail: api.to_owned(),
                location: None,
                collector: None,
                standing: Standing::default(),
                exemption: None,
                path: None,
            });
        }
        for item in evidence {
            self.add_evidence(&rule.categories, item);
        }
        let missing = self.grants.missing(rule);
        let entry = self
            .api_calls
            .entry((api.to_owned(), rule.id.clone()))
            .or_insert_with(|| ApiCall {
                api: api.to_owned(),
                rule: rule.id.clone(),
                categories: rule.categories.clone(),
                strength,
                missing_permissions: missing,
                sites: Vec::new(),
                truncated: false,
            });
        entry.strength = entry.strength.max(strength);
        let room = MAX_SITES_PER_API.saturating_sub(entry.sites.len());
        if total > room {
            entry.truncated = true;
        }
        entry.sites.extend(kept.into_iter().take(room));
        self.condition_notes(rule);
    }

    /// One caller as a located call site.
    pub fn call_site(
        &mut self,
        scan: &DexScan,
        caller: &dex::Site,
        offset: Option<u32>,
    ) -> CallSite {
        let location = located(scan, caller, offset);
        CallSite {
            unreachable: !self.graph.reaches_location(&location),
            location,
            collector: self.who.collector_of(&caller.method.class),
        }
    }

    /// The categories with their evidence and verdicts, the API calls and the collectors met.
    pub fn finish(self) -> (Vec<CategoryFinding>, Vec<ApiCall>, Vec<Collector>) {
        let rules = self.rules;
        let collectors = self.who.into_collectors();
        let judge = Judge::new(rules, &self.grants, &collectors, self.graph);
        let categories = self
            .categories
            .into_iter()
            .filter(|(_, acc)| !acc.evidence.is_empty())
            .map(|(id, acc)| {
                let known = rules.category(&id);
                let strength = acc
                    .evidence
                    .iter()
                    .map(|e| e.strength)
                    .max()
                    .unwrap_or(Strength::Declared);
                let who: BTreeSet<String> = acc
                    .evidence
                    .iter()
                    .filter_map(|e| e.collector.clone())
                    .collect();
                let evidence: Vec<Evidence> =
                    acc.evidence.into_iter().map(|e| judge.judged(e)).collect();
                let judgement = judge.verdict(&evidence);
                CategoryFinding {
                    title: known.map(|c| c.title.clone()).unwrap_or_default(),
                    strength,
                    collectors: who.into_iter().collect(),
                    play: known.map(|c| c.play.clone()).unwrap_or_default(),
                    apple: known.map(|c| c.apple.clone()).unwrap_or_default(),
                    evidence,
                    notes: acc.notes.into_iter().collect(),
                    truncated: acc.truncated,
                    verdict: judgement.verdict,
                    verdict_reason: judgement.reason,
                    collected_by: judgement.collected_by,
                    id,
                }
            })
            .collect();
        (categories, self.api_calls.into_values().collect(), collectors)
    }
}

/// Where `caller` of `scan` is, at `offset` in its code.
fn located(scan: &DexScan, caller: &dex::Site, offset: Option<u32>) -> Location {
    let method = &caller.method;
    Location::code(
        scan.member.as_deref(),
        scan.entry.clone(),
        &*method.class,
        &*method.name,
        &*method.proto,
        offset,
    )
}
