//! What the DEX code does with sensitive APIs: methods invoked, fields read, strings and content
//! URIs loaded, names looked up by reflection — each with its call sites —, framework callbacks
//! that classes of the app override, and, more weakly, what the id tables name without any
//! instruction using it.

use std::collections::BTreeSet;

use super::accumulator::Accumulator;
use super::values::with_strings_values;
use crate::dex::{ArgumentValue, DefinedClass, FieldRef, MethodRef, SiteRef, Sites};
use crate::report::{CallSite, Evidence, EvidenceKind, Location, Standing, Strength};
use crate::rules::{ApiRule, FastMap, RuleSet};
use crate::scanner::{AppFacts, DexScan};

/// Most supertypes visited per class when looking for the framework types it extends: real
/// hierarchies are a few levels deep; the cap keeps a hostile one (long chains, wide interface
/// graphs) from costing more than a constant per class.
const MAX_SUPERTYPES_VISITED: usize = 64;

pub(super) fn record(acc: &mut Accumulator<'_>, facts: &AppFacts) {
    if facts.dex.is_empty() {
        // No code, no use to record: the name tables below are not even built.
        return;
    }
    let mut used_methods: BTreeSet<MethodRef> = BTreeSet::new();
    let mut used_fields: BTreeSet<FieldRef> = BTreeSet::new();
    let mut classes = AppClasses::new(facts);
    let inherited = InheritedNames::new(acc.rules);
    for scan in &facts.dex {
        let Some(sites) = &scan.facts.sites else {
            continue;
        };
        invoked_methods(acc, scan, sites, &mut classes, &inherited, &mut used_methods);
        read_fields(acc, scan, sites, &mut used_fields);
        loaded_strings(acc, scan, sites);
        reflection(acc, scan);
    }
    overrides(acc, facts, &classes, &inherited);
    // What the id tables name but no instruction uses: weaker evidence, reported as such. A
    // `with_strings` rule needs the calling method to judge, so a bare reference never counts.
    for scan in &facts.dex {
        references(acc, scan, &used_methods, &used_fields);
    }
}

/// The method names rules look for, so that classes and calls naming none of them are passed
/// over before any supertype is walked.
struct InheritedNames<'r> {
    /// Names in `methods` lists: a call through a class of the app may reach them.
    called: FastMap<&'r str, ()>,
    /// Names in `overrides` lists.
    overridden: FastMap<&'r str, ()>,
}

impl<'r> InheritedNames<'r> {
    fn new(rules: &'r RuleSet) -> Self {
        // `find` of an ASCII `(` in validated rule text: a boundary.
        let name = |m: &'r String| {
            m.split_once("->")
                .map(|(_, member)| member.find('(').map_or(member, |i| &member[..i]))
        };
        let names = |lists: &mut dyn Iterator<Item = &'r String>| {
            lists.filter_map(name).map(|n| (n, ())).collect()
        };
        InheritedNames {
            called: names(&mut rules.apis().iter().flat_map(|r| &r.methods)),
            overridden: names(&mut rules.apis().iter().flat_map(|r| &r.overrides)),
        }
    }
}

/// The classes the app's DEX files define, by descriptor, each with the DEX it is loaded from
/// (the first defining it, as the runtime takes the first).
struct AppClasses<'f> {
    defined: FastMap<&'f str, (usize, DefinedClass<'f>)>,
    /// By class, once asked: the framework supertypes some rule's `methods` names methods of,
    /// which calls through the class may reach (most classes have none).
    call_targets: FastMap<&'f str, Vec<&'f str>>,
}

impl<'f> AppClasses<'f> {
    fn new(facts: &'f AppFacts) -> Self {
        let mut defined = FastMap::default();
        for (index, scan) in facts.dex.iter().enumerate() {
            for class in scan.hierarchy.classes() {
                defined.entry(class.name()).or_insert((index, class));
            }
        }
        AppClasses {
            defined,
            call_targets: FastMap::default(),
        }
    }

    /// The framework supertypes of `class` that rules name methods of (see `call_targets`).
    fn call_targets(&mut self, class: DefinedClass<'f>, rules: &RuleSet) -> Vec<&'f str> {
        if let Some(targets) = self.call_targets.get(class.name()) {
            return targets.clone();
        }
        let targets: Vec<&'f str> = self
            .framework_supertypes(class, None)
            .unwrap_or_default()
            .into_iter()
            .filter(|t| rules.has_methods_of(t))
            .collect();
        self.call_targets.insert(class.name(), targets.clone());
        targets
    }

    fn get(&self, descriptor: &str) -> Option<DefinedClass<'f>> {
        self.defined.get(descriptor).map(|&(_, c)| c)
    }

    /// Whether `class` of DEX `index` is the definition the runtime loads.
    fn is_loaded_from(&self, class: &DefinedClass<'f>, index: usize) -> bool {
        self.defined
            .get(class.name())
            .is_some_and(|(first, _)| *first == index)
    }

    /// The supertypes of `class` that the app does not define (framework and missing library
    /// types), reached through its superclass chain and the interfaces of every class and
    /// interface on the way that the app defines; each once, in the order met, at most
    /// [`MAX_SUPERTYPES_VISITED`] visited. Cycles (possible only in a broken file) end at the
    /// first repeat. With `method` (name, prototype), `None` when the class or an app class on the
    /// way defines that method: calls of it run the app's own code.
    fn framework_supertypes(
        &self,
        class: DefinedClass<'f>,
        method: Option<(&str, &str)>,
    ) -> Option<Vec<&'f str>> {
        let defines = |c: &DefinedClass<'f>| {
            method.is_some_and(|m| c.virtual_methods().any(|own| own == m))
        };
        let mut seen: FastMap<&str, ()> = FastMap::default();
        let mut pending: Vec<&'f str> = Vec::new();
        let mut external = Vec::new();
        let push_supertypes = |c: DefinedClass<'f>, pending: &mut Vec<&'f str>| {
            pending.extend(c.interfaces().collect::<Vec<_>>().into_iter().rev());
            pending.extend(c.superclass());
        };
        if defines(&class) {
            return None;
        }
        seen.insert(class.name(), ());
        push_supertypes(class, &mut pending);
        while let Some(next) = pending.pop() {
            if seen.len() >= MAX_SUPERTYPES_VISITED {
                break;
            }
            if seen.insert(next, ()).is_some() {
                continue;
            }
            match self.get(next) {
                Some(c) if defines(&c) => return None,
                Some(c) => push_supertypes(c, &mut pending),
                None => external.push(next),
            }
        }
        Some(external)
    }
}

fn invoked_methods(
    acc: &mut Accumulator<'_>,
    scan: &DexScan,
    sites: &Sites,
    classes: &mut AppClasses<'_>,
    inherited: &InheritedNames<'_>,
    used: &mut BTreeSet<MethodRef>,
) {
    let rules = acc.rules;
    for (method, positions) in &sites.invoked_methods {
        let matched: Vec<&ApiRule> = rules
            .api_for_method(&method.class, &method.name, &method.proto)
            .collect();
        if !matched.is_empty() {
            used.insert(method.clone());
            let api = method.to_string();
            let arguments = sites.arguments.get(method);
            let call = Called::Method(arguments);
            record_uses(acc, scan, sites, &api, positions, &matched, call);
            continue;
        }
        // A call through a class of the app (`invoke-virtual {p0}, Lcom/app/Svc;->
        // getRootInActiveWindow()`, as javac names the receiver's own type) reaches the
        // framework method the class inherits, unless the app defines it on the way.
        if !inherited.called.contains_key(&*method.name) {
            continue;
        }
        let Some(class) = classes.get(&method.class) else {
            continue;
        };
        let targets = classes.call_targets(class, rules);
        if targets.is_empty()
            || classes
                .framework_supertypes(class, Some((&method.name, &method.proto)))
                .is_none()
        {
            continue;
        }
        for supertype in targets {
            let matched: Vec<&ApiRule> = rules
                .api_for_method(supertype, &method.name, &method.proto)
                .collect();
            if matched.is_empty() {
                continue;
            }
            used.insert(method.clone());
            let api = format!("{supertype}->{}{}", method.name, method.proto);
            let arguments = sites.arguments.get(method);
            let call = Called::Method(arguments);
            record_uses(acc, scan, sites, &api, positions, &matched, call);
        }
    }
}

fn read_fields(
    acc: &mut Accumulator<'_>,
    scan: &DexScan,
    sites: &Sites,
    used: &mut BTreeSet<FieldRef>,
) {
    let rules = acc.rules;
    // Sorted by field, in the order of the references, which agrees with their equality; asked
    // only of the few fields a rule names.
    let accesses = &scan.facts.fields;
    let is_read = |field: &FieldRef| {
        accesses
            .binary_search_by(|f| f.field.cmp(field))
            .is_ok_and(|at| accesses[at].read)
    };
    for (field, positions) in &sites.fields {
        let matched: Vec<&ApiRule> = rules
            .api_for_field(&field.class, &field.name, Some(&field.ty))
            .collect();
        if matched.is_empty() || !is_read(field) {
            continue;
        }
        used.insert(field.clone());
        let api = field.to_string();
        record_uses(acc, scan, sites, &api, positions, &matched, Called::Field);
    }
}

/// Strings and content URIs that rules name, one evidence item per collector loading them.
fn loaded_strings(acc: &mut Accumulator<'_>, scan: &DexScan, sites: &Sites) {
    let rules = acc.rules;
    for (text, positions) in &sites.const_strings {
        let matched = rules.api_for_string(text);
        if matched.is_empty() {
            continue;
        }
        let found = acc.first_site_per_collector(scan, &sites.callers, positions);
        for rule in matched {
            for site in &found {
                let evidence = Evidence {
                    kind: EvidenceKind::String,
                    rule: rule.id.clone(),
                    strength: Strength::Called,
                    detail: text.clone(),
                    location: Some(site.location.clone()),
                    collector: Some(site.collector.clone()),
                    standing: Standing::default(),
                    exemption: None,
                    path: None,
                };
                acc.add_evidence(&rule.categories, evidence);
            }
            acc.condition_notes(rule);
        }
    }
}

/// Class and member names loaded next to reflection calls.
fn reflection(acc: &mut Accumulator<'_>, scan: &DexScan) {
    let rules = acc.rules;
    for reflective in &scan.facts.reflective {
        let Some(class) = &reflective.class else {
            continue;
        };
        let found = vec![acc.call_site(scan, &reflective.site, None)];
        match &reflective.member {
            Some(member) => {
                let api = format!("{class}->{member}");
                for rule in rules.api_for_method(class, member, "") {
                    acc.record_api(
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
                    acc.record_api(
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

/// Records the uses of one method or field (at `positions` among the callers) for every rule it
/// matched; a `with_strings` rule keeps only the callers that also load one of its strings.
fn record_uses(
    acc: &mut Accumulator<'_>,
    scan: &DexScan,
    sites: &Sites,
    signature: &str,
    positions: &[SiteRef],
    matched: &[&ApiRule],
    called: Called<'_>,
) {
    let (kind, arguments) = match called {
        Called::Method(arguments) => (EvidenceKind::ApiCall, arguments.unwrap_or(&[])),
        Called::Field => (EvidenceKind::FieldRead, &[][..]),
    };
    // Every caller's collector is met, even when each rule keeps only some callers (the report
    // lists the collectors of all code calling a sensitive API).
    acc.walk_sites(scan, &sites.callers, positions, |_, _, _, _| {});
    for rule in matched {
        let filtered;
        let uses = if rule.with_strings {
            filtered = with_strings(rule, sites, positions, arguments);
            &filtered[..]
        } else {
            positions
        };
        if uses
            .iter()
            .any(|u| (u.caller as usize) < sites.callers.len())
        {
            acc.record_api_uses(
                signature,
                rule,
                Strength::Called,
                kind,
                scan,
                &sites.callers,
                uses,
            );
        }
    }
}

/// What [`record_uses`] records: calls of a method, with the known values of their arguments,
/// or reads of a field.
#[derive(Clone, Copy)]
enum Called<'s> {
    Method(Option<&'s [ArgumentValue]>),
    Field,
}

/// The caller positions among `positions` whose method also loads one of the rule's strings.
/// Where values reaching the arguments of the calls in a caller are known (`arguments`), one of
/// the rule's strings must be among them instead ([`with_strings_values`]).
fn with_strings(
    rule: &ApiRule,
    sites: &Sites,
    positions: &[SiteRef],
    arguments: &[ArgumentValue],
) -> Vec<SiteRef> {
    let by_values = with_strings_values(rule, arguments);
    let loaders: BTreeSet<u32> = rule
        .strings
        .iter()
        .filter_map(|s| sites.const_strings.get(s))
        .flatten()
        .map(|site| site.caller)
        .collect();
    positions
        .iter()
        .copied()
        .filter(|p| match by_values.get(&p.caller) {
            Some(matched) => *matched,
            None => loaders.contains(&p.caller),
        })
        .collect()
}

/// Methods, fields and classes of one DEX's id tables that rules name and no instruction of the
/// app uses.
fn references(
    acc: &mut Accumulator<'_>,
    scan: &DexScan,
    used_methods: &BTreeSet<MethodRef>,
    used_fields: &BTreeSet<FieldRef>,
) {
    let rules = acc.rules;
    for method in scan
        .unused_methods
        .iter()
        .filter(|m| !used_methods.contains(*m))
    {
        let matched: Vec<&ApiRule> = rules
            .api_for_method(&method.class, &method.name, &method.proto)
            .collect();
        if !matched.is_empty() {
            record_reference(acc, &method.to_string(), &matched);
        }
    }
    for field in scan
        .unread_fields
        .iter()
        .filter(|f| !used_fields.contains(*f))
    {
        let matched: Vec<&ApiRule> = rules
            .api_for_field(&field.class, &field.name, Some(&field.ty))
            .collect();
        if !matched.is_empty() {
            record_reference(acc, &field.to_string(), &matched);
        }
    }
    for class in &scan.types {
        for rule in rules.api_for_class(class) {
            let evidence = Evidence {
                kind: EvidenceKind::ApiReference,
                rule: rule.id.clone(),
                strength: Strength::Referenced,
                detail: class.clone(),
                location: Some(scan.location()),
                collector: None,
                standing: Standing::default(),
                exemption: None,
                path: None,
            };
            acc.add_evidence(&rule.categories, evidence);
            acc.condition_notes(rule);
        }
    }
}

/// Records a method or field that the id tables name but no instruction uses.
fn record_reference(acc: &mut Accumulator<'_>, signature: &str, matched: &[&ApiRule]) {
    for rule in matched.iter().filter(|r| !r.with_strings) {
        acc.record_api(
            signature,
            rule,
            Strength::Referenced,
            EvidenceKind::ApiReference,
            Vec::new(),
        );
    }
}

/// Classes of the app that override a framework callback a rule names. A class counts when its
/// supertypes — followed through the classes the app's DEX files define, across DEX files — reach
/// the framework type (as superclass or interface) and it defines a virtual method with code of
/// that name (and prototype, when the rule gives one).
///
/// Strength `called`: nothing in the app invokes the method, the system does. Once the class is
/// registered (a listener passed to `TelephonyManager.listen`, a service bound by the system),
/// its code receives the data on every callback, which is what an invocation of a getter gives.
fn overrides(
    acc: &mut Accumulator<'_>,
    facts: &AppFacts,
    classes: &AppClasses<'_>,
    inherited: &InheritedNames<'_>,
) {
    let rules = acc.rules;
    if inherited.overridden.is_empty() {
        return;
    }
    for (index, scan) in facts.dex.iter().enumerate() {
        for class in scan.hierarchy.classes() {
            // A class defined again in a later DEX is the earlier one's: walked there.
            if !classes.is_loaded_from(&class, index)
                || !class
                    .virtual_methods()
                    .any(|(name, _)| inherited.overridden.contains_key(name))
            {
                continue;
            }
            let framework: Vec<&str> = classes
                .framework_supertypes(class, None)
                .unwrap_or_default()
                .into_iter()
                .filter(|t| rules.has_overrides_of(t))
                .collect();
            for supertype in framework {
                for (name, proto) in class.virtual_methods() {
                    let matched: Vec<&ApiRule> =
                        rules.api_for_override(supertype, name, proto).collect();
                    if matched.is_empty() {
                        continue;
                    }
                    let site = CallSite {
                        location: Location::code(
                            scan.member.as_deref(),
                            scan.entry.clone(),
                            class.name(),
                            name,
                            proto,
                            None,
                        ),
                        collector: acc.who.collector_of(class.name()),
                        unreachable: !acc.graph.reaches_override(class.name(), name, proto),
                    };
                    let api = format!("{supertype}->{name}{proto}");
                    for rule in matched {
                        acc.record_api(
                            &api,
                            rule,
                            Strength::Called,
                            EvidenceKind::Override,
                            vec![site.clone()],
                        );
                    }
                }
            }
        }
    }
}
