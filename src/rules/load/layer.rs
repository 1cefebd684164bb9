//! Layers of rules: a *layer* is one coherent set of rule files — the files embedded in the
//! binary, or the files of a user's `--rules DIR`. This module reads a directory's files
//! ([`RuleFile`]), loads the files of one layer into checked rules ([`load_layer`]), applies one
//! layer over another by id ([`merge`]), and makes the checks only the merged whole allows
//! (`cross_check`).
//!
//! Inside a layer every id is unique; a later layer replaces rules of an earlier one by id (same
//! family only) and adds the others. Every problem becomes a [`RuleError`] naming file, line and
//! column, and all problems of a layer are reported at once so that `dossier rules check` shows
//! the whole list.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::super::model::*;
use super::super::schema::FileDef;
use super::check::Checker;
use super::error::{RuleError, RulesDirError, sort_errors};
use super::position::LineIndex;

/// A rules directory may not hold more files than this (hostile or mistaken `--rules` argument).
pub const MAX_RULE_FILES: usize = 256;
/// Nor may one rule file be larger than this.
pub const MAX_RULE_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// A rule file: the name errors show for it and its text.
#[derive(Debug, Clone)]
pub struct RuleFile {
    pub name: String,
    pub text: String,
}

/// All rules of one or more merged layers, before indexing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layer {
    pub categories: Vec<Category>,
    pub permissions: Vec<PermissionRule>,
    pub apis: Vec<ApiRule>,
    pub natives: Vec<NativeRule>,
    pub libraries: Vec<LibraryRule>,
    pub trackers: Vec<TrackerRule>,
    pub owners: Vec<Owner>,
    pub not_endpoints: Vec<NotEndpoint>,
    pub plumbing: Vec<PlumbingRule>,
    pub sinks: Vec<SinkRule>,
    pub split_permissions: Vec<SplitPermission>,
}

/// What merging an override layer did, for `dossier rules check`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MergeReport {
    pub added: Vec<(Family, String)>,
    pub replaced: Vec<(Family, String)>,
}

/// Reads the `*.toml` files of `dir` (not recursive), sorted by name, within the caps above.
pub fn read_dir_sources(dir: &Path) -> Result<Vec<RuleFile>, RulesDirError> {
    let io = |source| RulesDirError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.extension().is_some_and(|e| e == "toml") && path.is_file() {
            paths.push(path);
            if paths.len() > MAX_RULE_FILES {
                return Err(RulesDirError::Invalid(vec![RuleError::whole_file(
                    dir.display().to_string(),
                    format!("more than {MAX_RULE_FILES} rule files"),
                )]));
            }
        }
    }
    paths.sort();
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        let name = path.display().to_string();
        let text = match std::fs::metadata(&path) {
            Ok(meta) if meta.len() > MAX_RULE_FILE_BYTES => Err(format!(
                "file is {} bytes, more than the limit of {MAX_RULE_FILE_BYTES}",
                meta.len()
            )),
            Err(e) => Err(format!("cannot read: {e}")),
            Ok(_) => std::fs::read_to_string(&path).map_err(|e| format!("cannot read: {e}")),
        };
        match text {
            Ok(text) => files.push(RuleFile { name, text }),
            Err(message) => errors.push(RuleError::whole_file(name, message)),
        }
    }
    if errors.is_empty() {
        Ok(files)
    } else {
        Err(RulesDirError::Invalid(errors))
    }
}

/// Parses and validates the files of one layer. `base` is the layer it will be merged onto
/// (its categories are the known ones); `None` for the embedded layer, whose own
/// `[[category]]` tables define the taxonomy.
pub fn load_layer(files: &[RuleFile], base: Option<&Layer>) -> Result<Layer, Vec<RuleError>> {
    let mut errors = Vec::new();
    let mut parsed = Vec::new();
    for file in files {
        let lines = LineIndex::new(&file.text);
        match toml::from_str::<FileDef>(&file.text) {
            Ok(def) => parsed.push((file, def, lines)),
            Err(e) => {
                let (line, column) = match e.span() {
                    Some(span) => lines.line_col(span.start),
                    None => (1, 1),
                };
                errors.push(RuleError {
                    file: file.name.clone(),
                    line,
                    column,
                    message: e.message().trim().to_owned(),
                });
            }
        }
    }

    // Categories first: every other rule is checked against them.
    let mut layer = Layer::default();
    for (file, def, lines) in &parsed {
        let mut check = Checker::new(file, lines, &mut errors, None);
        let categories = def.category.iter().filter_map(|d| check.category(d, base));
        layer.categories.extend(categories);
    }
    let mut known: HashSet<String> = base
        .map(|b| b.categories.iter().map(|c| c.id.clone()).collect())
        .unwrap_or_default();
    known.extend(layer.categories.iter().map(|c| c.id.clone()));

    for (file, def, lines) in &parsed {
        let mut c = Checker::new(file, lines, &mut errors, Some(&known));
        let permissions = def.permission.iter().filter_map(|d| c.permission(d));
        layer.permissions.extend(permissions);
        let apis = def.api.iter().filter_map(|d| c.api(d));
        layer.apis.extend(apis);
        let natives = def.native.iter().filter_map(|d| c.native(d));
        layer.natives.extend(natives);
        let libraries = def.library.iter().filter_map(|d| c.library(d));
        layer.libraries.extend(libraries);
        let trackers = def.tracker.iter().filter_map(|d| c.tracker(d));
        layer.trackers.extend(trackers);
        let owners = def.owner.iter().filter_map(|d| c.owner(d));
        layer.owners.extend(owners);
        let not_endpoints = def.not_endpoint.iter().filter_map(|d| c.not_endpoint(d));
        layer.not_endpoints.extend(not_endpoints);
        let plumbing = def.plumbing.iter().filter_map(|d| c.plumbing(d));
        layer.plumbing.extend(plumbing);
        let sinks = def.sink.iter().filter_map(|d| c.sink(d));
        layer.sinks.extend(sinks);
        let splits = def
            .split_permission
            .iter()
            .filter_map(|d| c.split_permission(d));
        layer.split_permissions.extend(splits);
    }

    // Ids are unique across all files and families of a layer.
    let categories = layer.categories.iter().map(|c| (c.id.as_str(), &c.origin));
    errors.extend(duplicate_ids("category", categories));
    let rules = layer.rule_ids().map(|(_, id, origin)| (id, origin));
    errors.extend(duplicate_ids("rule", rules));

    if errors.is_empty() {
        Ok(layer)
    } else {
        sort_errors(&mut errors);
        Err(errors)
    }
}

/// An error at every id that was already defined (`what` is `category` or `rule`).
fn duplicate_ids<'a>(
    what: &str,
    ids: impl Iterator<Item = (&'a str, &'a Origin)>,
) -> Vec<RuleError> {
    let mut seen: HashMap<&str, &Origin> = HashMap::new();
    let mut errors = Vec::new();
    for (id, origin) in ids {
        if let Some(first) = seen.insert(id, origin) {
            errors.push(RuleError::at(
                origin,
                format!("duplicate {what} id `{id}` (first at {first})"),
            ));
        }
    }
    errors
}

/// Applies `over` onto `base`: same id and family replaces, a new id adds. Then checks what only
/// the merged whole can tell (owner references, a permission name claimed by two rules).
pub fn merge(mut base: Layer, over: Layer) -> Result<(Layer, MergeReport), Vec<RuleError>> {
    let mut errors = Vec::new();
    let mut report = MergeReport::default();
    let base_families: HashMap<String, Family> = base
        .rule_ids()
        .map(|(family, id, _)| (id.to_owned(), family))
        .collect();
    for (family, id, origin) in over.rule_ids() {
        match base_families.get(id) {
            Some(existing) if *existing != family => errors.push(RuleError::at(
                origin,
                format!("rule id `{id}` belongs to the `{existing}` family in the base rules; an override cannot move it to `{family}`"),
            )),
            Some(_) => report.replaced.push((family, id.to_owned())),
            None => report.added.push((family, id.to_owned())),
        }
    }
    replace_by_id(&mut base.categories, over.categories);
    replace_by_id(&mut base.permissions, over.permissions);
    replace_by_id(&mut base.apis, over.apis);
    replace_by_id(&mut base.natives, over.natives);
    replace_by_id(&mut base.libraries, over.libraries);
    replace_by_id(&mut base.trackers, over.trackers);
    replace_by_id(&mut base.owners, over.owners);
    replace_by_id(&mut base.not_endpoints, over.not_endpoints);
    replace_by_id(&mut base.plumbing, over.plumbing);
    replace_by_id(&mut base.sinks, over.sinks);
    replace_by_id(&mut base.split_permissions, over.split_permissions);
    base.sort();
    errors.extend(cross_check(&base));
    if errors.is_empty() {
        report.added.sort();
        report.replaced.sort();
        Ok((base, report))
    } else {
        sort_errors(&mut errors);
        Err(errors)
    }
}

/// Each rule of `over` replaces the rule of `base` with its id, or is added after them.
fn replace_by_id<T: Identified>(base: &mut Vec<T>, over: Vec<T>) {
    for rule in over {
        match base.iter_mut().find(|b| b.id() == rule.id()) {
            Some(slot) => *slot = rule,
            None => base.push(rule),
        }
    }
}

/// Checks that need the whole rule set.
fn cross_check(layer: &Layer) -> Vec<RuleError> {
    let mut errors = Vec::new();
    let owners: HashSet<&str> = layer.owners.iter().map(|o| o.id.as_str()).collect();
    for tracker in &layer.trackers {
        if let Some(owner) = &tracker.owner
            && !owners.contains(owner.as_str())
        {
            errors.push(RuleError::at(
                &tracker.origin,
                format!(
                    "tracker `{}` names owner `{owner}`, which no [[owner]] defines",
                    tracker.id
                ),
            ));
        }
    }
    let apis: HashSet<&str> = layer.apis.iter().map(|a| a.id.as_str()).collect();
    for rule in &layer.plumbing {
        for api in rule.apis.iter().filter(|a| !apis.contains(a.as_str())) {
            errors.push(RuleError::at(
                &rule.origin,
                format!(
                    "plumbing `{}` names api rule `{api}`, which no [[api]] defines",
                    rule.id
                ),
            ));
        }
    }
    let mut claimed: HashMap<&str, &str> = HashMap::new();
    for rule in &layer.permissions {
        for name in &rule.names {
            if let Some(first) = claimed.insert(name, &rule.id) {
                errors.push(RuleError::at(
                    &rule.origin,
                    format!("permission `{name}` is already covered by rule `{first}`"),
                ));
            }
        }
    }
    errors
}

impl Layer {
    /// Every rule's family, id and origin (categories excluded: they are not rules).
    pub fn rule_ids(&self) -> impl Iterator<Item = (Family, &str, &Origin)> {
        fn ids<R: Rule>(rules: &[R]) -> impl Iterator<Item = (Family, &str, &Origin)> {
            rules.iter().map(|r| (R::FAMILY, r.id(), r.origin()))
        }
        ids(&self.permissions)
            .chain(ids(&self.apis))
            .chain(ids(&self.natives))
            .chain(ids(&self.libraries))
            .chain(ids(&self.trackers))
            .chain(ids(&self.owners))
            .chain(ids(&self.not_endpoints))
            .chain(ids(&self.plumbing))
            .chain(ids(&self.sinks))
            .chain(ids(&self.split_permissions))
    }

    /// Sorts each family by id (categories keep file order: the taxonomy's order).
    pub fn sort(&mut self) {
        fn by_id<R: Rule>(rules: &mut [R]) {
            rules.sort_by(|a, b| a.id().cmp(b.id()));
        }
        by_id(&mut self.permissions);
        by_id(&mut self.apis);
        by_id(&mut self.natives);
        by_id(&mut self.libraries);
        by_id(&mut self.trackers);
        by_id(&mut self.owners);
        by_id(&mut self.not_endpoints);
        by_id(&mut self.plumbing);
        by_id(&mut self.sinks);
        by_id(&mut self.split_permissions);
    }
}

/// Categories and rules are replaced by id.
trait Identified {
    fn id(&self) -> &str;
}

/// A rule of one family, defined at an origin.
trait Rule: Identified {
    const FAMILY: Family;
    fn origin(&self) -> &Origin;
}

impl Identified for Category {
    fn id(&self) -> &str {
        &self.id
    }
}

macro_rules! rules {
    ($($rule:ty => $family:ident),* $(,)?) => {$(
        impl Identified for $rule {
            fn id(&self) -> &str {
                &self.id
            }
        }
        impl Rule for $rule {
            const FAMILY: Family = Family::$family;
            fn origin(&self) -> &Origin {
                &self.origin
            }
        }
    )*};
}

rules!(
    PermissionRule => Permission,
    ApiRule => Api,
    NativeRule => Native,
    LibraryRule => Library,
    TrackerRule => Tracker,
    Owner => Owner,
    NotEndpoint => NotEndpoint,
    PlumbingRule => Plumbing,
    SinkRule => Sink,
    SplitPermission => SplitPermission,
);
