//! The rule set: rule data (`rules/*.toml`, embedded at build time, plus an optional `--rules DIR`)
//! loaded, validated and compiled into look-up tables the analysis queries.
//!
//! - `schema.rs`: serde structs of the file format; `load/`: validation with file positions and
//!   merging of layers; `model.rs`: the validated rule types; `matchers.rs`: the look-up tables;
//!   `docs.rs`: renders `docs/rules.md` from the rules; `builtin.rs`: the embedded files, the
//!   permission levels and the digest; `prepared.rs`: the compact form `build.rs` stores the
//!   checked built-in rules in (`build.rs` includes `builtin.rs`, `prepared.rs`, `schema.rs`,
//!   `model.rs` and `load/`).
//! - [`RuleSet::builtin`] decodes the rules `build.rs` loaded from the embedded files, checked and
//!   hashed; [`RuleSet::with_overrides`] applies a user's directory (same id replaces, new id
//!   adds); [`check_dir`] validates a directory for `dossier rules check`.

mod builtin;
mod docs;
mod load;
mod matchers;
mod model;
mod prepared;
mod schema;

use std::collections::HashMap;
use std::path::Path;
use std::sync::LazyLock;

pub use builtin::PermissionLevel;
use builtin::{PERMISSION_LEVELS_TSV, compute_digest, load_builtin_layer, parse_levels};

pub use docs::render_docs;
pub use load::{
    MAX_RULE_FILE_BYTES, MAX_RULE_FILES, MergeReport, RuleError, RuleFile, RulesDirError,
};
pub use model::{
    ApiContext, ApiRule, Category, Condition, ConditionKind, Doc, Family, LibraryRule, NativeRule,
    NotEndpoint, Origin, Owner, PermissionRule, PlumbingRule, ReportAs, RuleRow, SinkRule,
    SplitPermission, TrackerRule,
};

use load::Layer;
pub(crate) use matchers::FastMap;
use matchers::{ClassTable, HostTable, MemberTable, StringTable};

/// A `[[not_endpoint]]` rule that names a URL or bare host, and how.
#[derive(Debug, Clone, Copy)]
pub struct NotEndpointMatch<'r> {
    pub rule: &'r NotEndpoint,
    /// Matched by a host suffix or a page prefix that is only a host (`t.me/`), not by a URL
    /// prefix, a page prefix with a path or a bare name: the weakest kind of match, which a URL
    /// shaped like an API call overrides for links.
    pub by_host: bool,
}

/// The built-in rules as `build.rs` prepared them (see `prepared.rs`).
const PREPARED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/builtin-rules.bin"));

/// The platform permission levels, parsed on first use: a scan that meets no permission (or a
/// command that reports none) never pays for them. The built-in digest already covers them.
static BUILTIN_LEVELS: Levels = LazyLock::new(|| parse_levels(PERMISSION_LEVELS_TSV));
static NO_LEVELS: Levels = LazyLock::new(HashMap::new);

/// Permission levels by name, built when first looked at.
type Levels = LazyLock<HashMap<String, PermissionLevel>>;

/// What `check_dir` found in a valid rules directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckSummary {
    /// Rule files read.
    pub files: usize,
    /// Rules the directory adds, by family and id.
    pub added: Vec<(Family, String)>,
    /// Built-in rules the directory replaces.
    pub replaced: Vec<(Family, String)>,
    /// The digest the effective rules would have.
    pub digest: String,
}

/// All effective rules with their compiled look-up tables.
#[derive(Debug, Clone)]
pub struct RuleSet {
    layer: Layer,
    levels: &'static Levels,
    digest: String,
    permission_by_name: FastMap<String, usize>,
    members: MemberTable,
    /// The framework callbacks of `overrides` lists, by class and method name.
    overrides: MemberTable,
    api_strings: StringTable,
    api_classes: FastMap<String, Vec<usize>>,
    tracker_classes: ClassTable,
    tracker_hosts: HostTable,
    tracker_meta_data: FastMap<String, usize>,
    library_classes: ClassTable,
    owner_hosts: HostTable,
    native_symbols: FastMap<String, Vec<usize>>,
    api_by_id: FastMap<String, usize>,
    /// Per `[[api]]` id, the plumbing rules that exempt some of its callers.
    plumbing_by_api: FastMap<String, Vec<usize>>,
    /// The calling code of each plumbing rule, in `layer.plumbing` order.
    plumbing_code: Vec<ClassTable>,
    /// `class->name` of every `[[sink]]` method: (prototype if one is named, sink index).
    sink_methods: FastMap<String, Vec<(Option<String>, usize)>>,
}

impl RuleSet {
    /// The rules embedded in the binary, as `build.rs` loaded, checked and hashed them.
    pub fn builtin() -> Result<RuleSet, RuleError> {
        let prepared = prepared::PreparedRules::decode(PREPARED).ok_or_else(|| RuleError {
            file: prepared::PREPARED_FILE.to_owned(),
            line: 0,
            column: 0,
            message: "the rules prepared at build time do not decode".to_owned(),
        })?;
        Ok(Self::index(
            prepared.layer,
            &BUILTIN_LEVELS,
            prepared.digest,
        ))
    }

    /// No rules at all: for reading facts (manifest, DEX) without judging them, or as the base
    /// of a caller's own rules.
    pub fn empty() -> RuleSet {
        Self::compile(Layer::default(), &NO_LEVELS)
    }

    /// Every problem of the embedded files, loaded from their text as a `--rules DIR` is (for
    /// the test that keeps them clean; `build.rs` refuses to build with any).
    pub fn builtin_errors() -> Vec<RuleError> {
        load_builtin_layer().err().unwrap_or_default()
    }

    /// Applies the `*.toml` files of `dir`: a rule with an existing id replaces it (same family
    /// only), a new id adds a rule.
    pub fn with_overrides(self, dir: &Path) -> Result<RuleSet, RulesDirError> {
        let sources = load::read_dir_sources(dir)?;
        self.with_override_sources(&sources)
            .map(|(rules, _)| rules)
            .map_err(RulesDirError::Invalid)
    }

    /// Like [`RuleSet::with_overrides`] on sources already in memory; also says what was added
    /// and replaced.
    pub fn with_override_sources(
        self,
        sources: &[RuleFile],
    ) -> Result<(RuleSet, MergeReport), Vec<RuleError>> {
        let over = load::load_layer(sources, Some(&self.layer))?;
        let (layer, report) = load::merge(self.layer, over)?;
        Ok((Self::compile(layer, self.levels), report))
    }

    /// Sorts the rules, hashes them and indexes them.
    fn compile(mut layer: Layer, levels: &'static Levels) -> RuleSet {
        layer.sort();
        let digest = compute_digest(&layer, levels);
        Self::index(layer, levels, digest)
    }

    /// The look-up tables of rules sorted as `Layer::sort` leaves them, whose digest is known.
    fn index(layer: Layer, levels: &'static Levels, digest: String) -> RuleSet {
        let mut permission_by_name = FastMap::default();
        for (i, rule) in layer.permissions.iter().enumerate() {
            for name in &rule.names {
                permission_by_name.entry(name.clone()).or_insert(i);
            }
        }
        let mut members = MemberTable::default();
        let mut overrides = MemberTable::default();
        let mut api_strings = StringTable::default();
        let mut api_classes: FastMap<String, Vec<usize>> = FastMap::default();
        for (i, rule) in layer.apis.iter().enumerate() {
            for m in &rule.methods {
                members.insert_method(m, i);
            }
            for f in &rule.fields {
                members.insert_field(f, i);
            }
            for m in &rule.overrides {
                overrides.insert_method(m, i);
            }
            for s in &rule.strings {
                api_strings.insert_exact(s, i);
            }
            for p in &rule.string_prefixes {
                api_strings.insert_prefix(p, i);
            }
            for c in &rule.classes {
                let slot = api_classes.entry(c.clone()).or_default();
                if !slot.contains(&i) {
                    slot.push(i);
                }
            }
        }
        let mut tracker_classes = ClassTable::default();
        let mut tracker_hosts = HostTable::default();
        let mut tracker_meta_data = FastMap::default();
        for (i, rule) in layer.trackers.iter().enumerate() {
            for c in &rule.code {
                tracker_classes.insert(c, i);
            }
            for h in &rule.hosts {
                tracker_hosts.insert(h, i);
            }
            for k in &rule.meta_data {
                tracker_meta_data.entry(k.clone()).or_insert(i);
            }
        }
        let mut library_classes = ClassTable::default();
        for (i, rule) in layer.libraries.iter().enumerate() {
            for c in &rule.code {
                library_classes.insert(c, i);
            }
        }
        let mut owner_hosts = HostTable::default();
        for (i, rule) in layer.owners.iter().enumerate() {
            for h in &rule.hosts {
                owner_hosts.insert(h, i);
            }
        }
        let mut native_symbols: FastMap<String, Vec<usize>> = FastMap::default();
        for (i, rule) in layer.natives.iter().enumerate() {
            for s in &rule.symbols {
                let slot = native_symbols.entry(s.clone()).or_default();
                if !slot.contains(&i) {
                    slot.push(i);
                }
            }
        }
        let api_by_id = layer
            .apis
            .iter()
            .enumerate()
            .map(|(i, rule)| (rule.id.clone(), i))
            .collect();
        let mut plumbing_by_api: FastMap<String, Vec<usize>> = FastMap::default();
        let mut plumbing_code = Vec::with_capacity(layer.plumbing.len());
        for (i, rule) in layer.plumbing.iter().enumerate() {
            for api in &rule.apis {
                plumbing_by_api.entry(api.clone()).or_default().push(i);
            }
            let mut code = ClassTable::default();
            for c in &rule.code {
                code.insert(c, i);
            }
            plumbing_code.push(code);
        }
        let mut sink_methods: FastMap<String, Vec<(Option<String>, usize)>> = FastMap::default();
        for (i, rule) in layer.sinks.iter().enumerate() {
            for m in &rule.methods {
                // Validated: `class->name` with an optional `(args)Ret`.
                let (member, proto) = match m.find('(') {
                    Some(at) => (&m[..at], Some(m[at..].to_owned())),
                    None => (m.as_str(), None),
                };
                sink_methods
                    .entry(member.to_owned())
                    .or_default()
                    .push((proto, i));
            }
        }
        RuleSet {
            layer,
            levels,
            digest,
            permission_by_name,
            members,
            overrides,
            api_strings,
            api_classes,
            tracker_classes,
            tracker_hosts,
            tracker_meta_data,
            library_classes,
            owner_hosts,
            native_symbols,
            api_by_id,
            plumbing_by_api,
            plumbing_code,
            sink_methods,
        }
    }

    /// Lower-case hex SHA-256 over the effective rules and permission levels, for the report's
    /// `tool.rules_digest`. Where rules were defined does not enter it; their content does.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// One row per rule (categories excluded), sorted by family then id.
    pub fn rows(&self) -> Vec<RuleRow> {
        let l = &self.layer;
        let mut rows = Vec::new();
        let mut push = |family, id: &str, categories: &[String], doc: &Doc| {
            rows.push(RuleRow {
                family,
                id: id.to_owned(),
                categories: categories.to_vec(),
                what: doc.what.clone(),
            })
        };
        for r in &l.permissions {
            push(Family::Permission, &r.id, &r.categories, &r.doc);
        }
        for r in &l.apis {
            push(Family::Api, &r.id, &r.categories, &r.doc);
        }
        for r in &l.natives {
            push(Family::Native, &r.id, &r.categories, &r.doc);
        }
        for r in &l.libraries {
            push(Family::Library, &r.id, &[], &r.doc);
        }
        for r in &l.trackers {
            push(Family::Tracker, &r.id, &r.categories, &r.doc);
        }
        for r in &l.owners {
            push(Family::Owner, &r.id, &[], &r.doc);
        }
        for r in &l.not_endpoints {
            push(Family::NotEndpoint, &r.id, &[], &r.doc);
        }
        for r in &l.plumbing {
            push(Family::Plumbing, &r.id, &[], &r.doc);
        }
        for r in &l.sinks {
            push(Family::Sink, &r.id, &[], &r.doc);
        }
        for r in &l.split_permissions {
            push(Family::SplitPermission, &r.id, &[], &r.doc);
        }
        rows.sort();
        rows
    }

    /// The taxonomy, in the order of `rules/categories.toml`.
    pub fn categories(&self) -> &[Category] {
        &self.layer.categories
    }

    pub fn category(&self, id: &str) -> Option<&Category> {
        self.layer.categories.iter().find(|c| c.id == id)
    }

    pub fn permissions(&self) -> &[PermissionRule] {
        &self.layer.permissions
    }
    pub fn apis(&self) -> &[ApiRule] {
        &self.layer.apis
    }
    pub fn natives(&self) -> &[NativeRule] {
        &self.layer.natives
    }
    pub fn libraries(&self) -> &[LibraryRule] {
        &self.layer.libraries
    }
    pub fn trackers(&self) -> &[TrackerRule] {
        &self.layer.trackers
    }
    pub fn owners(&self) -> &[Owner] {
        &self.layer.owners
    }
    pub fn not_endpoints(&self) -> &[NotEndpoint] {
        &self.layer.not_endpoints
    }

    /// The permission rule covering a manifest permission name.
    pub fn permission(&self, name: &str) -> Option<&PermissionRule> {
        self.permission_by_name
            .get(name)
            .map(|&i| &self.layer.permissions[i])
    }

    /// AOSP protection level of a platform permission (`dangerous`, `signature|privileged`, ...).
    pub fn protection_level(&self, name: &str) -> Option<&str> {
        self.levels.get(name).map(|l| l.level.as_str())
    }

    /// AOSP protection level and group of a platform permission.
    pub fn permission_level(&self, name: &str) -> Option<&PermissionLevel> {
        self.levels.get(name)
    }

    /// API rules matching a call of `class_desc->name` with prototype `proto` (`(args)Ret`, or
    /// the full `Lcls;->name(args)Ret`): rules naming every overload, then exact signatures.
    pub fn api_for_method<'a>(
        &'a self,
        class_desc: &str,
        name: &str,
        proto: &'a str,
    ) -> impl Iterator<Item = &'a ApiRule> + use<'a> {
        self.members
            .method(class_desc, name, proto)
            .map(|i| &self.layer.apis[i])
    }

    /// API rules for which a class of the app that extends or implements `class_desc` and defines
    /// `name` with prototype `proto` (`(args)Ret`) is evidence: rules naming every overload, then
    /// exact signatures.
    pub fn api_for_override<'a>(
        &'a self,
        class_desc: &str,
        name: &str,
        proto: &'a str,
    ) -> impl Iterator<Item = &'a ApiRule> + use<'a> {
        self.overrides
            .method(class_desc, name, proto)
            .map(|i| &self.layer.apis[i])
    }

    /// Whether some rule's `methods` names a method of class `class_desc`.
    pub fn has_methods_of(&self, class_desc: &str) -> bool {
        self.members.methods.contains_key(class_desc)
    }

    /// Whether some rule names a field of class `class_desc` (see [`RuleSet::has_methods_of`]).
    pub fn has_fields_of(&self, class_desc: &str) -> bool {
        self.members.fields.contains_key(class_desc)
    }

    /// Whether some rule's `overrides` names a method of framework class `class_desc`.
    pub fn has_overrides_of(&self, class_desc: &str) -> bool {
        self.overrides.methods.contains_key(class_desc)
    }

    /// API rules matching a field access `class_desc->name`, of type `type_desc` when known.
    pub fn api_for_field<'a>(
        &'a self,
        class_desc: &str,
        name: &str,
        type_desc: Option<&'a str>,
    ) -> impl Iterator<Item = &'a ApiRule> + use<'a> {
        self.members
            .field(class_desc, name, type_desc)
            .map(|i| &self.layer.apis[i])
    }

    /// Whether an API rule names the method `class_desc->name` (of any prototype): only such
    /// methods can match [`RuleSet::api_for_method`], so a scan keeps the others' names out of
    /// memory.
    pub fn names_method(&self, class_desc: &str, name: &str) -> bool {
        self.members.names_method(class_desc, name)
    }

    /// Whether an API rule names the field `class_desc->name` (of any type); see
    /// [`RuleSet::names_method`].
    pub fn names_field(&self, class_desc: &str, name: &str) -> bool {
        self.members.names_field(class_desc, name)
    }

    /// API rules whose exact string is `s` or whose string prefix starts `s`.
    pub fn api_for_string(&self, s: &str) -> Vec<&ApiRule> {
        self.api_strings
            .lookup(s)
            .into_iter()
            .map(|i| &self.layer.apis[i])
            .collect()
    }

    /// API rules for which a reference to class `desc` (`Lpkg/Cls;`) is evidence.
    pub fn api_for_class(&self, desc: &str) -> impl Iterator<Item = &ApiRule> {
        self.api_classes
            .get(desc)
            .into_iter()
            .flatten()
            .map(|&i| &self.layer.apis[i])
    }

    /// The doc of a rule of any family, by id (for SARIF rule descriptions and the like).
    pub fn doc_of(&self, id: &str) -> Option<&Doc> {
        let layer = &self.layer;
        layer
            .permissions
            .iter()
            .find(|r| r.id == id)
            .map(|r| &r.doc)
            .or_else(|| layer.apis.iter().find(|r| r.id == id).map(|r| &r.doc))
            .or_else(|| layer.natives.iter().find(|r| r.id == id).map(|r| &r.doc))
            .or_else(|| layer.libraries.iter().find(|r| r.id == id).map(|r| &r.doc))
            .or_else(|| layer.trackers.iter().find(|r| r.id == id).map(|r| &r.doc))
            .or_else(|| layer.owners.iter().find(|r| r.id == id).map(|r| &r.doc))
            .or_else(|| {
                layer
                    .not_endpoints
                    .iter()
                    .find(|r| r.id == id)
                    .map(|r| &r.doc)
            })
            .or_else(|| layer.plumbing.iter().find(|r| r.id == id).map(|r| &r.doc))
            .or_else(|| layer.sinks.iter().find(|r| r.id == id).map(|r| &r.doc))
            .or_else(|| {
                layer
                    .split_permissions
                    .iter()
                    .find(|r| r.id == id)
                    .map(|r| &r.doc)
            })
    }

    /// The `[[api]]` rule with this id.
    pub fn api(&self, id: &str) -> Option<&ApiRule> {
        self.api_by_id.get(id).map(|&i| &self.layer.apis[i])
    }

    /// Known library uses of sensitive APIs that serve the library itself.
    pub fn plumbing(&self) -> &[PlumbingRule] {
        &self.layer.plumbing
    }

    /// The plumbing rule that exempts a use of the `[[api]]` rule `api` by the class `desc`
    /// (`Lpkg/Cls;` or `pkg.Cls`), if one does.
    pub fn plumbing_for(&self, api: &str, desc: &str) -> Option<&PlumbingRule> {
        self.plumbing_by_api
            .get(api)?
            .iter()
            .find(|&&i| self.plumbing_code[i].lookup(desc).is_some())
            .map(|&i| &self.layer.plumbing[i])
    }

    /// Network sinks: methods that send a string argument to the network.
    pub fn sinks(&self) -> &[SinkRule] {
        &self.layer.sinks
    }

    /// The sinks a call of `class->name proto` matches: those naming every overload of the name
    /// and those naming this exact prototype.
    pub fn sinks_for<'s>(
        &'s self,
        class: &str,
        name: &str,
        proto: &'s str,
    ) -> impl Iterator<Item = &'s SinkRule> + 's {
        self.sink_methods
            .get(&format!("{class}->{name}"))
            .into_iter()
            .flatten()
            .filter(move |(p, _)| p.as_deref().is_none_or(|p| p == proto))
            .map(|&(_, i)| &self.layer.sinks[i])
    }

    /// Android's split permissions: what holding one permission also grants, by target SDK.
    pub fn split_permissions(&self) -> &[SplitPermission] {
        &self.layer.split_permissions
    }

    /// The tracker owning a class (`Lpkg/Cls;` or `pkg.Cls`); longest package prefix wins.
    pub fn tracker_for_class(&self, desc: &str) -> Option<&TrackerRule> {
        self.tracker_code_for_class(desc).map(|(rule, _)| rule)
    }

    /// The tracker owning a class with the `code` entry of its rule that matched (dot form, as
    /// the rule wrote it: `com.foo.` for a package, `com.foo.Bar` for a class).
    pub fn tracker_code_for_class(&self, desc: &str) -> Option<(&TrackerRule, &str)> {
        self.tracker_classes
            .lookup(desc)
            .map(|m| (&self.layer.trackers[m.index], m.code))
    }

    /// Trackers whose host suffix matches `host` at a label boundary, most specific first.
    pub fn trackers_for_host(&self, host: &str) -> Vec<&TrackerRule> {
        self.tracker_hosts
            .lookup(host)
            .into_iter()
            .map(|i| &self.layer.trackers[i])
            .collect()
    }

    /// The tracker revealed by a manifest `<meta-data android:name>` key.
    pub fn tracker_for_meta_data(&self, key: &str) -> Option<&TrackerRule> {
        self.tracker_meta_data
            .get(key)
            .map(|&i| &self.layer.trackers[i])
    }

    /// The well-known library owning a class; longest package prefix wins.
    pub fn library_for_class(&self, desc: &str) -> Option<&LibraryRule> {
        self.library_classes
            .lookup(desc)
            .map(|m| &self.layer.libraries[m.index])
    }

    /// The organisation running `host` (most specific suffix wins).
    pub fn owner_for_host(&self, host: &str) -> Option<&Owner> {
        self.owner_hosts
            .lookup_first(host)
            .map(|i| &self.layer.owners[i])
    }

    /// The owner record of an id (as named by `TrackerRule::owner`).
    pub fn owner(&self, id: &str) -> Option<&Owner> {
        self.layer.owners.iter().find(|o| o.id == id)
    }

    /// Whether a URL or bare host is something that only looks like an endpoint and is not
    /// reported at all (an XML namespace, a schema or licence URL, an identifier ...): a
    /// `[[not_endpoint]]` rule with `report_as = "nothing"` matches it by host, URL prefix, page
    /// prefix or bare name.
    pub fn is_not_endpoint(&self, url_or_host: &str) -> bool {
        self.not_endpoint_rule(url_or_host)
            .is_some_and(|m| m.rule.report_as == ReportAs::Nothing)
    }

    /// The `[[not_endpoint]]` rule naming a URL or bare host by its host, URL prefix, page prefix
    /// or bare name; a rule that drops the string wins over one that makes it a link. Path words
    /// and first labels are not consulted here (see [`RuleSet::page_word_rule`]).
    pub fn not_endpoint_rule<'s>(&'s self, url_or_host: &str) -> Option<NotEndpointMatch<'s>> {
        let (host, page) = match url_or_host.split_once("://") {
            Some((_, rest)) => (matchers::url_host(url_or_host).unwrap_or(""), Some(rest)),
            None => (url_or_host, None),
        };
        let host = host.trim_end_matches('.');
        let by_host = |rule: &NotEndpoint| {
            !host.is_empty()
                && rule
                    .hosts
                    .iter()
                    .any(|suffix| host_has_suffix(host, suffix))
        };
        // A page prefix that is only a host (`x.com/`) is as broad as a host.
        let is_host_only = |prefix: &str| !prefix.trim_end_matches('/').contains('/');
        let by_page_prefix = |rule: &NotEndpoint, host_only: bool| {
            page.is_some_and(|page| {
                rule.page_prefixes
                    .iter()
                    .any(|p| is_host_only(p) == host_only && continues_page_prefix(page, p))
            })
        };
        let by_name_or_prefix = |rule: &NotEndpoint| match page {
            Some(_) => {
                rule.url_prefixes
                    .iter()
                    .any(|p| starts_with_ignoring_scheme_case(url_or_host, p))
                    || by_page_prefix(rule, false)
            }
            None => rule.bare_names.iter().any(|name| names_bare(host, name)),
        };
        let matched = |rule: &'s NotEndpoint| {
            if by_name_or_prefix(rule) {
                Some(NotEndpointMatch {
                    rule,
                    by_host: false,
                })
            } else if by_host(rule) || by_page_prefix(rule, true) {
                Some(NotEndpointMatch {
                    rule,
                    by_host: true,
                })
            } else {
                None
            }
        };
        let rules = &self.layer.not_endpoints;
        rules
            .iter()
            .filter_map(&matched)
            .find(|m| m.rule.report_as == ReportAs::Nothing)
            .or_else(|| rules.iter().find_map(matched))
    }

    /// The `[[not_endpoint]]` rule whose path words or first labels mark a URL as a page for
    /// people; a documentation rule wins over a plain link rule. `host` is lower case; `path` is
    /// the part after the authority (query and fragment included, ignored).
    pub fn page_word_rule(&self, host: &str, path: &str) -> Option<&NotEndpoint> {
        let first_label = host.split('.').next().unwrap_or("");
        let path = path.split(['?', '#']).next().unwrap_or("");
        let stems: Vec<String> = path
            .split('/')
            .filter(|segment| !segment.is_empty())
            .map(|segment| {
                let segment = segment.to_lowercase();
                let stem = segment.split('.').next().unwrap_or("");
                stem.to_owned()
            })
            .collect();
        let word_matches = |word: &String| {
            stems.iter().any(|stem| {
                stem.strip_prefix(word.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with(['-', '_']))
            })
        };
        let matches = |rule: &&NotEndpoint| {
            rule.first_labels.iter().any(|l| l == first_label)
                || rule.path_words.iter().any(word_matches)
        };
        let rules = &self.layer.not_endpoints;
        rules
            .iter()
            .filter(matches)
            .find(|rule| rule.report_as == ReportAs::Documentation)
            .or_else(|| rules.iter().find(matches))
    }

    /// Native rules for an imported symbol (a `@VERSION` suffix is ignored).
    pub fn native_for_symbol<'a>(
        &'a self,
        sym: &str,
    ) -> impl Iterator<Item = &'a NativeRule> + use<'a> {
        let base = sym.split('@').next().unwrap_or(sym);
        self.native_symbols
            .get(base)
            .into_iter()
            .flatten()
            .map(|&i| &self.layer.natives[i])
    }
}

/// Validates the rule files of `dir` as overrides of the built-in rules.
pub fn check_dir(dir: &Path) -> Result<CheckSummary, Vec<RuleError>> {
    let sources = match load::read_dir_sources(dir) {
        Ok(s) => s,
        Err(RulesDirError::Invalid(errors)) => return Err(errors),
        Err(RulesDirError::Io { path, source }) => {
            return Err(vec![RuleError {
                file: path.display().to_string(),
                line: 0,
                column: 0,
                message: format!("cannot read directory: {source}"),
            }]);
        }
    };
    let base = RuleSet::builtin().map_err(|e| vec![e])?;
    let (rules, report) = base.with_override_sources(&sources)?;
    Ok(CheckSummary {
        files: sources.len(),
        added: report.added,
        replaced: report.replaced,
        digest: rules.digest().to_owned(),
    })
}

/// Scheme and host of URLs are case-insensitive; compare the prefix that way up to its path.
/// A bare name matches `name` exactly, or `name.*` as `name` followed by more labels.
fn names_bare(host: &str, name: &str) -> bool {
    match name.strip_suffix(".*") {
        Some(head) => host
            .strip_prefix(head)
            .is_some_and(|rest| rest.starts_with('.')),
        None => host == name,
    }
}

/// `host` is `suffix` or ends with `.suffix`.
fn host_has_suffix(host: &str, suffix: &str) -> bool {
    host.strip_suffix(suffix)
        .is_some_and(|head| head.is_empty() || head.ends_with('.'))
}

/// `page` (a URL without its scheme) starts with `prefix` and
/// goes on past it, ASCII case aside; a leading `www.` of the URL is ignored.
fn continues_page_prefix(page: &str, prefix: &str) -> bool {
    let page = page.strip_prefix("www.").unwrap_or(page);
    let (Some(head), true) = (
        page.as_bytes().get(..prefix.len()),
        page.len() > prefix.len(),
    ) else {
        return false;
    };
    // Compared as bytes: the page is app text and is never sliced at an offset of the prefix.
    head.eq_ignore_ascii_case(prefix.as_bytes())
}

fn starts_with_ignoring_scheme_case(url: &str, prefix: &str) -> bool {
    // The prefix's offsets are boundaries of the prefix (`find` of ASCII), not of the URL: an app's
    // `https://www.spappmonitoring.com/để` has `đ` across the end of a prefix's authority. So the
    // URL is compared as bytes, never sliced as text. Bytes equal to the prefix's (ASCII case
    // aside) are whole characters, so a match ends on a boundary of the URL as well.
    let authority_end = prefix
        .find("://")
        .map(|i| i + 3)
        .and_then(|start| prefix[start..].find('/').map(|j| start + j))
        .unwrap_or(prefix.len());
    let prefix = prefix.as_bytes();
    let Some(head) = url.as_bytes().get(..prefix.len()) else {
        return false;
    };
    head[..authority_end].eq_ignore_ascii_case(&prefix[..authority_end])
        && head[authority_end..] == prefix[authority_end..]
}
