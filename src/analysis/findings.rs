//! From facts to findings: permissions, sensitive API calls, categories with their evidence and
//! collectors, trackers, endpoints and native libraries, as one `Report`.
//!
//! Pure: it reads the gathered `AppFacts` and the rules, never the input. Every list it builds is
//! put in its documented order by `Report::normalize` at the end, so the report does not depend on
//! the order in which DEX files were scanned.

use std::collections::{BTreeMap, BTreeSet};

use crate::analysis::attribution::{self, Attributor};
use crate::analysis::collect::AppFacts;
use crate::analysis::endpoints;
use crate::dex::SiteRef;
use crate::report::{
    ApiCall, AppInfo, CategoryFinding, Endpoint, Evidence, EvidenceKind, NativeLib,
    PermissionEntry, Report, SCHEMA_VERSION, Site, Source, Strength, ToolInfo, TrackerFinding,
};
use crate::rules::{ApiRule, ConditionKind, RuleSet};

/// Caps that keep a report of a huge app readable and bounded.
const MAX_SITES_PER_API: usize = 500;
const MAX_EVIDENCE_PER_CATEGORY: usize = 400;
const MAX_SOURCES_PER_ENDPOINT: usize = 50;
const MAX_ENDPOINTS: usize = 20_000;

const MANIFEST: &str = "AndroidManifest.xml";

/// What is being gathered for one category.
#[derive(Default)]
struct CategoryAcc {
    evidence: BTreeSet<Evidence>,
    notes: BTreeSet<String>,
}

struct Builder<'r> {
    rules: &'r RuleSet,
    who: Attributor<'r>,
    requested: BTreeSet<String>,
    target_sdk: Option<u32>,
    has_manifest: bool,
    categories: BTreeMap<String, CategoryAcc>,
    api_calls: BTreeMap<(String, String), ApiCall>,
}

fn site_location(site: &Site) -> String {
    format!("{} {}", site.dex, site.method)
}

impl<'r> Builder<'r> {
    fn add_evidence(&mut self, categories: &[String], evidence: Evidence) {
        for category in categories {
            let acc = self.categories.entry(category.clone()).or_default();
            if acc.evidence.len() < MAX_EVIDENCE_PER_CATEGORY {
                acc.evidence.insert(evidence.clone());
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

    /// Permissions of `rule` of which the app requests none (empty when one is requested, or when
    /// there is no manifest to tell).
    fn missing_permissions(&self, rule: &ApiRule) -> Vec<String> {
        if !self.has_manifest
            || rule.permissions.is_empty()
            || rule.permissions.iter().any(|p| self.requested.contains(p))
        {
            return Vec::new();
        }
        rule.permissions.clone()
    }

    /// Notes of the rule's target-SDK and permission conditions that hold for this app.
    fn condition_notes(&mut self, rule: &ApiRule) {
        if !self.has_manifest {
            return;
        }
        for condition in &rule.conditions {
            // A condition that names a permission only matters when the app does not hold it:
            // "from API 33 the app must declare AD_ID" says nothing about an app that does.
            let lacks_permission = condition
                .permission
                .as_ref()
                .is_none_or(|p| !self.requested.contains(p));
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
        let missing = self.missing_permissions(rule);
        if !missing.is_empty() {
            self.add_note(
                &rule.categories,
                format!(
                    "{}: needs {}, which the app does not request, so the call cannot return the data",
                    rule.id,
                    missing.join(" or ")
                ),
            );
        }
    }

    /// Records a use of a sensitive method or field (or a reflective name) with its sites.
    fn record_api(
        &mut self,
        api: &str,
        rule: &ApiRule,
        strength: Strength,
        kind: EvidenceKind,
        sites: Vec<Site>,
    ) {
        // One evidence item per collector, located at its first site: the sites themselves are in api_calls.
        let mut seen_collectors = BTreeSet::new();
        let mut evidence: Vec<Evidence> = sites
            .iter()
            .filter(|site| seen_collectors.insert(site.collector.clone()))
            .map(|site| Evidence {
                kind,
                rule: rule.id.clone(),
                strength,
                detail: api.to_owned(),
                location: site_location(site),
                collector: Some(site.collector.clone()),
            })
            .collect();
        if evidence.is_empty() {
            evidence.push(Evidence {
                kind,
                rule: rule.id.clone(),
                strength,
                detail: api.to_owned(),
                location: String::new(),
                collector: None,
            });
        }
        for item in evidence {
            self.add_evidence(&rule.categories, item);
        }
        let missing = self.missing_permissions(rule);
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
            });
        entry.strength = entry.strength.max(strength);
        let room = MAX_SITES_PER_API.saturating_sub(entry.sites.len());
        entry.sites.extend(sites.into_iter().take(room));
        self.condition_notes(rule);
    }
}

/// Splits `Lcls;->name(args)Ret` into class, name and prototype.
fn split_method(signature: &str) -> Option<(&str, &str, &str)> {
    let (class, rest) = signature.split_once("->")?;
    let name_end = rest.find('(').unwrap_or(rest.len());
    Some((class, &rest[..name_end], &rest[name_end..]))
}

/// Splits `Lcls;->NAME:Type` into class, name and type.
fn split_field(signature: &str) -> Option<(&str, &str, Option<&str>)> {
    let (class, rest) = signature.split_once("->")?;
    Some(match rest.split_once(':') {
        Some((name, ty)) => (class, name, Some(ty)),
        None => (class, rest, None),
    })
}

/// Permissions the app can be said to hold for the purpose of an API's requirement: the ones it
/// requests, and the `BIND_*` permissions that guard its own services (an accessibility service or
/// input method gets its power from being bound by the system, not from `uses-permission`).
fn held_permissions(manifest: &crate::axml::Manifest) -> BTreeSet<String> {
    let requested = manifest.permissions.iter().map(|p| p.name.clone());
    let guards = manifest
        .components
        .iter()
        .filter_map(|c| c.permission.clone())
        .filter(|p| p.starts_with("android.permission.BIND_"));
    requested.chain(guards).collect()
}

/// Builds the report of one app.
pub fn build_report(facts: &AppFacts, rules: &'_ RuleSet) -> Report {
    let manifest = facts.manifest.as_ref();
    let mut builder = Builder {
        rules,
        who: Attributor::new(rules, manifest),
        requested: manifest.map(held_permissions).unwrap_or_default(),
        target_sdk: manifest.and_then(|m| m.target_sdk),
        has_manifest: manifest.is_some(),
        categories: BTreeMap::new(),
        api_calls: BTreeMap::new(),
    };

    let permissions = permissions(&mut builder, facts);
    components(&mut builder, facts);
    code(&mut builder, facts);
    let native_libs = native(&mut builder, facts);
    let endpoints = endpoints(&mut builder, facts);
    let trackers = trackers(&mut builder, facts, &endpoints);

    let categories = builder
        .categories
        .iter()
        .filter(|(_, acc)| !acc.evidence.is_empty())
        .map(|(id, acc)| {
            let known = rules.category(id);
            let strength = acc
                .evidence
                .iter()
                .map(|e| e.strength)
                .max()
                .unwrap_or(Strength::Declared);
            let collectors: BTreeSet<String> = acc
                .evidence
                .iter()
                .filter_map(|e| e.collector.clone())
                .collect();
            CategoryFinding {
                id: id.clone(),
                title: known.map(|c| c.title.clone()).unwrap_or_default(),
                strength,
                collectors: collectors.into_iter().collect(),
                play: known.map(|c| c.play.clone()).unwrap_or_default(),
                apple: known.map(|c| c.apple.clone()).unwrap_or_default(),
                evidence: acc.evidence.iter().cloned().collect(),
                notes: acc.notes.iter().cloned().collect(),
            }
        })
        .collect();

    let app = manifest.map_or_else(AppInfo::default, |m| AppInfo {
        package: m.package.clone(),
        version_code: m.version_code,
        version_name: m.version_name.clone(),
        min_sdk: m.min_sdk,
        target_sdk: m.target_sdk,
        label: m.application.as_ref().and_then(|a| a.label.clone()),
    });

    let mut report = Report {
        schema_version: SCHEMA_VERSION.to_owned(),
        tool: ToolInfo {
            name: "dossier".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            rules_digest: rules.digest().to_owned(),
        },
        input: facts.input.clone(),
        app,
        permissions,
        categories,
        api_calls: builder.api_calls.into_values().collect(),
        trackers,
        endpoints,
        native_libs,
        collectors: builder.who.into_collectors(),
        anomalies: facts.anomalies.clone(),
    };
    report.normalize();
    report
}

fn permissions(builder: &mut Builder<'_>, facts: &AppFacts) -> Vec<PermissionEntry> {
    let Some(manifest) = &facts.manifest else {
        return Vec::new();
    };
    let app = builder.who.app();
    let mut entries = Vec::new();
    for permission in &manifest.permissions {
        let rule = builder.rules.permission(&permission.name);
        let categories = rule.map(|r| r.categories.clone()).unwrap_or_default();
        if let Some(rule) = rule {
            let evidence = Evidence {
                kind: EvidenceKind::Permission,
                rule: rule.id.clone(),
                strength: Strength::Declared,
                detail: permission.name.clone(),
                location: MANIFEST.to_owned(),
                collector: Some(app.clone()),
            };
            builder.add_evidence(&rule.categories, evidence);
        }
        entries.push(PermissionEntry {
            name: permission.name.clone(),
            protection: builder
                .rules
                .protection_level(&permission.name)
                .map(str::to_owned),
            max_sdk: permission.max_sdk,
            sdk23: permission.sdk23,
            categories,
        });
    }
    entries
}

/// Components guarded by a permission that reveals a category (an accessibility service or an
/// input method sees what the user types in other apps).
fn components(builder: &mut Builder<'_>, facts: &AppFacts) {
    let Some(manifest) = &facts.manifest else {
        return;
    };
    for component in &manifest.components {
        let Some(permission) = &component.permission else {
            continue;
        };
        let Some(rule) = builder.rules.permission(permission) else {
            continue;
        };
        let class = format!("L{};", component.name.replace('.', "/"));
        let collector = builder.who.collector_of(&class);
        let evidence = Evidence {
            kind: EvidenceKind::Component,
            rule: rule.id.clone(),
            strength: Strength::Declared,
            detail: format!(
                "{} {} guarded by {}",
                component.kind, component.name, permission
            ),
            location: MANIFEST.to_owned(),
            collector: Some(collector),
        };
        builder.add_evidence(&rule.categories.clone(), evidence);
    }
}

/// Records the uses of one method or field (at `positions` among the callers) for every rule it
/// matched; a `with_strings` rule keeps only the callers that also load one of its strings.
fn record_uses(
    builder: &mut Builder<'_>,
    sites: &crate::dex::Sites,
    signature: &str,
    positions: &[SiteRef],
    matched: &[&ApiRule],
    kind: EvidenceKind,
) {
    let all = sites_of(builder, &sites.callers, positions);
    for rule in matched {
        let found = if rule.with_strings {
            sites_of(
                builder,
                &sites.callers,
                &with_strings(rule, sites, positions),
            )
        } else {
            all.clone()
        };
        if !found.is_empty() {
            builder.record_api(signature, rule, Strength::Called, kind, found);
        }
    }
}

/// Records a method or field that the id tables name but no instruction uses.
fn record_references(builder: &mut Builder<'_>, signature: &str, matched: &[&ApiRule]) {
    for rule in matched.iter().filter(|r| !r.with_strings) {
        builder.record_api(
            signature,
            rule,
            Strength::Referenced,
            EvidenceKind::ApiReference,
            Vec::new(),
        );
    }
}

/// The caller positions among `positions` whose method also loads one of the rule's strings.
fn with_strings(rule: &ApiRule, sites: &crate::dex::Sites, positions: &[SiteRef]) -> Vec<SiteRef> {
    let loaders: BTreeSet<u32> = rule
        .strings
        .iter()
        .filter_map(|s| sites.const_strings.get(s))
        .flatten()
        .map(|p| p.caller)
        .collect();
    positions
        .iter()
        .copied()
        .filter(|p| loaders.contains(&p.caller))
        .collect()
}

/// Sites of one reference, as report sites with their collectors.
fn sites_of(
    builder: &mut Builder<'_>,
    callers: &[crate::dex::Site],
    positions: &[SiteRef],
) -> Vec<Site> {
    positions
        .iter()
        .filter_map(|p| callers.get(p.caller as usize))
        .map(|caller| Site {
            dex: caller.dex.clone(),
            class: caller.method.class.clone(),
            method: caller.method.to_string(),
            collector: builder.who.collector_of(&caller.method.class),
        })
        .collect()
}

fn code(builder: &mut Builder<'_>, facts: &AppFacts) {
    let rules = builder.rules;
    let mut used_methods = BTreeSet::new();
    let mut used_fields = BTreeSet::new();
    for scan in &facts.dex {
        let Some(sites) = &scan.facts.sites else {
            continue;
        };
        for (signature, positions) in &sites.invoked_methods {
            let signature = &signature.to_string();
            let Some((class, name, proto)) = split_method(signature) else {
                continue;
            };
            let matched: Vec<&ApiRule> = rules.api_for_method(class, name, proto).collect();
            if matched.is_empty() {
                continue;
            }
            used_methods.insert(signature.clone());
            record_uses(
                builder,
                sites,
                signature,
                positions,
                &matched,
                EvidenceKind::ApiCall,
            );
        }
        let read: BTreeSet<&crate::dex::FieldRef> = scan
            .facts
            .fields
            .iter()
            .filter(|f| f.read)
            .map(|f| &f.field)
            .collect();
        for (signature, positions) in &sites.fields {
            if !read.contains(signature) {
                continue;
            }
            let signature = &signature.to_string();
            let Some((class, name, ty)) = split_field(signature) else {
                continue;
            };
            let matched: Vec<&ApiRule> = rules.api_for_field(class, name, ty).collect();
            if matched.is_empty() {
                continue;
            }
            used_fields.insert(signature.clone());
            record_uses(
                builder,
                sites,
                signature,
                positions,
                &matched,
                EvidenceKind::FieldRead,
            );
        }
        for (text, positions) in &sites.const_strings {
            let matched = rules.api_for_string(text);
            if matched.is_empty() {
                continue;
            }
            let found = sites_of(builder, &sites.callers, positions);
            for rule in matched {
                let mut seen = BTreeSet::new();
                for site in found.iter().filter(|s| seen.insert(s.collector.clone())) {
                    let evidence = Evidence {
                        kind: EvidenceKind::String,
                        rule: rule.id.clone(),
                        strength: Strength::Called,
                        detail: text.clone(),
                        location: site_location(site),
                        collector: Some(site.collector.clone()),
                    };
                    builder.add_evidence(&rule.categories, evidence);
                }
                builder.condition_notes(rule);
            }
        }
        for reflective in &scan.facts.reflective {
            let Some(class) = &reflective.class else {
                continue;
            };
            let caller = [reflective.site.clone()];
            let found = sites_of(
                builder,
                &caller,
                &[SiteRef {
                    caller: 0,
                    offset: 0,
                }],
            );
            match &reflective.member {
                Some(member) => {
                    let api = format!("{class}->{member}");
                    for rule in rules.api_for_method(class, member, "") {
                        builder.record_api(
                            &api,
                            rule,
                            Strength::Reflective,
                            EvidenceKind::Reflection,
                            found.clone(),
                        );
                    }
                }
                None => {
                    for rule in rules.api_for_class(class) {
                        builder.record_api(
                            class,
                            rule,
                            Strength::Reflective,
                            EvidenceKind::Reflection,
                            found.clone(),
                        );
                    }
                }
            }
        }
    }
    // What the id tables name but no instruction uses: weaker evidence, reported as such. A
    // `with_strings` rule needs the calling method to judge, so a bare reference never counts.
    for scan in &facts.dex {
        let unused_methods = scan
            .referenced_methods
            .iter()
            .filter(|s| !used_methods.contains(*s));
        for signature in unused_methods {
            let Some((class, name, proto)) = split_method(signature) else {
                continue;
            };
            let matched: Vec<&ApiRule> = rules.api_for_method(class, name, proto).collect();
            record_references(builder, signature, &matched);
        }
        let unused_fields = scan
            .referenced_fields
            .iter()
            .filter(|s| !used_fields.contains(*s));
        for signature in unused_fields {
            let Some((class, name, ty)) = split_field(signature) else {
                continue;
            };
            let matched: Vec<&ApiRule> = rules.api_for_field(class, name, ty).collect();
            record_references(builder, signature, &matched);
        }
        for class in &scan.referenced_types {
            for rule in rules.api_for_class(class) {
                let evidence = Evidence {
                    kind: EvidenceKind::ApiReference,
                    rule: rule.id.clone(),
                    strength: Strength::Referenced,
                    detail: class.clone(),
                    location: scan.facts.name.clone(),
                    collector: None,
                };
                builder.add_evidence(&rule.categories, evidence);
                builder.condition_notes(rule);
            }
        }
    }
}

/// The collector a native library works for: the one its JNI exports bind to most often.
fn native_collector(builder: &mut Builder<'_>, jni_exports: &[String]) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for export in jni_exports {
        if let Some(class) = attribution::jni_class(export) {
            *counts.entry(builder.who.collector_of(&class)).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
        .map_or_else(|| builder.who.app(), |(id, _)| id)
}

fn native(builder: &mut Builder<'_>, facts: &AppFacts) -> Vec<NativeLib> {
    let mut libs = Vec::new();
    for scan in &facts.native {
        let Some(elf) = &scan.facts else {
            libs.push(NativeLib {
                path: scan.path.clone(),
                abi: scan.abi.clone(),
                needed: Vec::new(),
                imports: Vec::new(),
                jni_exports: Vec::new(),
                categories: Vec::new(),
            });
            continue;
        };
        let collector = native_collector(builder, &elf.jni_exports);
        let mut imports = BTreeSet::new();
        let mut categories = BTreeSet::new();
        for symbol in &elf.imports {
            for rule in builder.rules.native_for_symbol(symbol) {
                imports.insert(symbol.clone());
                categories.extend(rule.categories.iter().cloned());
                let evidence = Evidence {
                    kind: EvidenceKind::NativeImport,
                    rule: rule.id.clone(),
                    strength: Strength::Native,
                    detail: symbol.clone(),
                    location: scan.path.clone(),
                    collector: Some(collector.clone()),
                };
                builder.add_evidence(&rule.categories, evidence);
            }
        }
        libs.push(NativeLib {
            path: scan.path.clone(),
            abi: scan.abi.clone(),
            needed: elf.needed.clone(),
            imports: imports.into_iter().collect(),
            jni_exports: elf.jni_exports.clone(),
            categories: categories.into_iter().collect(),
        });
    }
    libs
}

/// The endpoints of one string that are worth reporting (no namespaces, licences, scopes ...).
fn reportable(rules: &RuleSet, text: &str) -> Vec<endpoints::FoundEndpoint> {
    let mut hits = endpoints::extract(text);
    hits.retain(|hit| !rules.is_not_endpoint(&hit.url));
    hits
}

/// Adds the endpoints of one string, each with the places the string was found.
fn add_endpoints(
    rules: &RuleSet,
    found: &mut BTreeMap<String, Endpoint>,
    hits: &[endpoints::FoundEndpoint],
    sources: &[Source],
) {
    for hit in hits {
        if !found.contains_key(&hit.url) {
            if found.len() >= MAX_ENDPOINTS {
                continue;
            }
            let owner = rules.owner_for_host(&hit.host);
            let mut trackers: Vec<String> = rules
                .trackers_for_host(&hit.host)
                .into_iter()
                .map(|t| t.id.clone())
                .collect();
            trackers.sort();
            trackers.dedup();
            found.insert(
                hit.url.clone(),
                Endpoint {
                    url: hit.url.clone(),
                    host: hit.host.clone(),
                    port: hit.port,
                    owner: owner.map(|o| o.id.clone()),
                    owner_name: owner.map(|o| o.name.clone()),
                    country: owner.map(|o| o.country.clone()),
                    trackers,
                    sources: Vec::new(),
                },
            );
        }
        if let Some(endpoint) = found.get_mut(&hit.url) {
            for source in sources {
                if endpoint.sources.len() >= MAX_SOURCES_PER_ENDPOINT {
                    break;
                }
                if !endpoint.sources.contains(source) {
                    endpoint.sources.push(source.clone());
                }
            }
        }
    }
}

fn endpoints(builder: &mut Builder<'_>, facts: &AppFacts) -> Vec<Endpoint> {
    let rules = builder.rules;
    let mut found: BTreeMap<String, Endpoint> = BTreeMap::new();
    for scan in &facts.dex {
        let Some(sites) = &scan.facts.sites else {
            continue;
        };
        for (text, positions) in &sites.const_strings {
            // Extract once per string; the call sites are only worth resolving when it holds one.
            if !text.contains('.') {
                continue;
            }
            let hits = reportable(rules, text);
            if hits.is_empty() {
                continue;
            }
            let sources: Vec<Source> = sites_of(builder, &sites.callers, positions)
                .into_iter()
                .map(|site| Source {
                    kind: "dex".to_owned(),
                    location: site_location(&site),
                    collector: Some(site.collector),
                })
                .collect();
            add_endpoints(rules, &mut found, &hits, &sources);
        }
    }
    for text_source in &facts.texts {
        let source = [Source {
            kind: text_source.kind.to_owned(),
            location: text_source.location.clone(),
            collector: None,
        }];
        for text in &text_source.strings {
            add_endpoints(rules, &mut found, &reportable(rules, text), &source);
        }
    }
    for scan in &facts.native {
        let Some(elf) = &scan.facts else { continue };
        let source = [Source {
            kind: "native".to_owned(),
            location: scan.path.clone(),
            collector: Some(native_collector(builder, &elf.jni_exports)),
        }];
        for text in elf.strings.iter().filter(|s| s.contains('.')) {
            add_endpoints(rules, &mut found, &reportable(rules, text), &source);
        }
    }
    found.into_values().collect()
}

/// The code prefix of a tracker rule that covers a class, in the rule's dot form.
fn matching_prefix<'t>(codes: &'t [String], class: &str) -> Option<&'t str> {
    let dotted = class
        .strip_prefix('L')
        .unwrap_or(class)
        .trim_end_matches(';')
        .replace('/', ".");
    codes
        .iter()
        .filter(|code| {
            if code.ends_with('.') {
                dotted.starts_with(code.as_str())
            } else {
                dotted == **code || dotted.starts_with(&format!("{code}$"))
            }
        })
        .max_by_key(|code| code.len())
        .map(String::as_str)
}

fn trackers(
    builder: &mut Builder<'_>,
    facts: &AppFacts,
    endpoints: &[Endpoint],
) -> Vec<TrackerFinding> {
    let rules = builder.rules;
    // tracker id -> (class count, evidence)
    let mut found: BTreeMap<String, (u64, BTreeSet<Evidence>)> = BTreeMap::new();
    let mut per_prefix: BTreeMap<(String, String), (u64, String)> = BTreeMap::new();
    for scan in &facts.dex {
        for class in &scan.defined_classes {
            let Some(tracker) = rules.tracker_for_class(class) else {
                continue;
            };
            found.entry(tracker.id.clone()).or_default().0 += 1;
            let prefix = matching_prefix(&tracker.code, class)
                .unwrap_or("")
                .to_owned();
            let slot = per_prefix
                .entry((tracker.id.clone(), prefix))
                .or_insert((0, scan.facts.name.clone()));
            slot.0 += 1;
        }
    }
    for ((tracker, prefix), (count, dex)) in per_prefix {
        let evidence = Evidence {
            kind: EvidenceKind::Tracker,
            rule: tracker.clone(),
            strength: Strength::Referenced,
            detail: format!("{count} classes under {prefix}"),
            location: dex,
            collector: Some(tracker.clone()),
        };
        found.entry(tracker).or_default().1.insert(evidence);
    }
    for endpoint in endpoints {
        for tracker in &endpoint.trackers {
            let location = endpoint
                .sources
                .first()
                .map(|s| s.location.clone())
                .unwrap_or_default();
            let evidence = Evidence {
                kind: EvidenceKind::Host,
                rule: tracker.clone(),
                strength: Strength::Referenced,
                detail: format!("host {}", endpoint.host),
                location,
                collector: Some(tracker.clone()),
            };
            found.entry(tracker.clone()).or_default().1.insert(evidence);
        }
    }
    if let Some(manifest) = &facts.manifest {
        for meta in &manifest.meta_data {
            if let Some(tracker) = rules.tracker_for_meta_data(&meta.name) {
                let evidence = Evidence {
                    kind: EvidenceKind::MetaData,
                    rule: tracker.id.clone(),
                    strength: Strength::Declared,
                    detail: meta.name.clone(),
                    location: MANIFEST.to_owned(),
                    collector: Some(tracker.id.clone()),
                };
                found
                    .entry(tracker.id.clone())
                    .or_default()
                    .1
                    .insert(evidence);
            }
        }
    }
    let mut findings = Vec::new();
    for (id, (class_count, evidence)) in found {
        let Some(tracker) = rules.trackers().iter().find(|t| t.id == id) else {
            continue;
        };
        if evidence.is_empty() {
            continue;
        }
        let collector = builder.who.tracker(&tracker.id, &tracker.name);
        let strength = evidence
            .iter()
            .map(|e| e.strength)
            .max()
            .unwrap_or(Strength::Declared);
        let location = evidence
            .iter()
            .next()
            .map(|e| e.location.clone())
            .unwrap_or_default();
        for category in &tracker.categories {
            let item = Evidence {
                kind: EvidenceKind::Tracker,
                rule: tracker.id.clone(),
                strength,
                detail: format!("{} is in the app", tracker.name),
                location: location.clone(),
                collector: Some(collector.clone()),
            };
            builder.add_evidence(std::slice::from_ref(category), item);
        }
        let owner = tracker.owner.as_deref().and_then(|o| rules.owner(o));
        findings.push(TrackerFinding {
            id: tracker.id.clone(),
            name: tracker.name.clone(),
            categories: tracker.categories.clone(),
            owner: tracker.owner.clone(),
            owner_name: owner.map(|o| o.name.clone()),
            country: owner.map(|o| o.country.clone()),
            website: tracker.website.clone(),
            class_count,
            evidence: evidence.into_iter().collect(),
        });
    }
    findings
}
