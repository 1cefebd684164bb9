//! Loading and validating rule files: TOML text in, [`Layer`] of checked rules out.
//!
//! A *layer* is one coherent set of rule files: the files embedded in the binary, or the files of
//! a user's `--rules DIR`. Inside a layer every id is unique; a later layer replaces rules of an
//! earlier one by id (same family only) and adds the others. Every problem becomes a
//! [`RuleError`] naming file, line and column, and all problems of a layer are reported at once
//! so that `dossier rules check` shows the whole list.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use toml::Spanned;

use super::model::*;
use super::schema::*;

/// A rules directory may not hold more files than this (hostile or mistaken `--rules` argument).
pub const MAX_RULE_FILES: usize = 256;
/// Nor may one rule file be larger than this.
pub const MAX_RULE_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// One problem in a rule file, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.render())]
pub struct RuleError {
    /// The file as shown to the user (`rules/apis.toml`, or the path under `--rules DIR`).
    pub file: String,
    /// 1-based line; 0 when the problem concerns the whole file (it could not be read).
    pub line: usize,
    /// 1-based column in characters; 0 with `line == 0`.
    pub column: usize,
    pub message: String,
}

impl RuleError {
    fn render(&self) -> String {
        if self.line == 0 {
            format!("{}: {}", self.file, self.message)
        } else {
            format!(
                "{}:{}:{}: {}",
                self.file, self.line, self.column, self.message
            )
        }
    }
}

/// Why `--rules DIR` could not be applied.
#[derive(Debug, thiserror::Error)]
pub enum RulesDirError {
    #[error("cannot read rules directory {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} problem(s) in rules directory:\n{}", .0.len(), join_errors(.0))]
    Invalid(Vec<RuleError>),
}

fn join_errors(errors: &[RuleError]) -> String {
    errors
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A rule file's name and text.
#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    pub text: String,
}

/// All rules of one or more merged layers, before indexing.
#[derive(Debug, Clone, Default)]
pub struct Layer {
    pub categories: Vec<Category>,
    pub permissions: Vec<PermissionRule>,
    pub apis: Vec<ApiRule>,
    pub natives: Vec<NativeRule>,
    pub libraries: Vec<LibraryRule>,
    pub trackers: Vec<TrackerRule>,
    pub owners: Vec<Owner>,
    pub not_endpoints: Vec<NotEndpoint>,
}

/// What merging an override layer did, for `dossier rules check`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MergeReport {
    pub added: Vec<(Family, String)>,
    pub replaced: Vec<(Family, String)>,
}

/// Reads the `*.toml` files of `dir` (not recursive), sorted by name, within the caps above.
pub fn read_dir_sources(dir: &Path) -> Result<Vec<Source>, RulesDirError> {
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
                return Err(RulesDirError::Invalid(vec![RuleError {
                    file: dir.display().to_string(),
                    line: 0,
                    column: 0,
                    message: format!("more than {MAX_RULE_FILES} rule files"),
                }]));
            }
        }
    }
    paths.sort();
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        let name = path.display().to_string();
        let whole_file = |message: String| RuleError {
            file: name.clone(),
            line: 0,
            column: 0,
            message,
        };
        match std::fs::metadata(&path) {
            Ok(meta) if meta.len() > MAX_RULE_FILE_BYTES => {
                errors.push(whole_file(format!(
                    "file is {} bytes, more than the limit of {MAX_RULE_FILE_BYTES}",
                    meta.len()
                )));
                continue;
            }
            Err(e) => {
                errors.push(whole_file(format!("cannot read: {e}")));
                continue;
            }
            Ok(_) => {}
        }
        match std::fs::read_to_string(&path) {
            Ok(text) => sources.push(Source { name, text }),
            Err(e) => errors.push(whole_file(format!("cannot read: {e}"))),
        }
    }
    if errors.is_empty() {
        Ok(sources)
    } else {
        Err(RulesDirError::Invalid(errors))
    }
}

/// Parses and validates the sources of one layer. `base` is the layer it will be merged onto
/// (its categories are the known ones); `None` for the embedded layer, whose own
/// `[[category]]` tables define the taxonomy.
pub fn load_layer(sources: &[Source], base: Option<&Layer>) -> Result<Layer, Vec<RuleError>> {
    let mut errors = Vec::new();
    let mut parsed = Vec::new();
    for source in sources {
        match toml::from_str::<RuleFile>(&source.text) {
            Ok(file) => parsed.push((source, file)),
            Err(e) => {
                let (line, column) = match e.span() {
                    Some(span) => line_col(&source.text, span.start),
                    None => (1, 1),
                };
                errors.push(RuleError {
                    file: source.name.clone(),
                    line,
                    column,
                    message: e.message().trim().to_owned(),
                });
            }
        }
    }

    // Categories first: every other rule is checked against them.
    let mut layer = Layer::default();
    for (source, file) in &parsed {
        let mut check = Checker::new(source, &mut errors);
        for def in &file.category {
            if let Some(category) = check.category(def, base) {
                layer.categories.push(category);
            }
        }
    }
    let mut known: HashSet<String> = base
        .map(|b| b.categories.iter().map(|c| c.id.clone()).collect())
        .unwrap_or_default();
    known.extend(layer.categories.iter().map(|c| c.id.clone()));

    for (source, file) in &parsed {
        let mut check = Checker::new(source, &mut errors);
        check.known_categories = Some(&known);
        for def in &file.permission {
            if let Some(rule) = check.permission(def) {
                layer.permissions.push(rule);
            }
        }
        for def in &file.api {
            if let Some(rule) = check.api(def) {
                layer.apis.push(rule);
            }
        }
        for def in &file.native {
            if let Some(rule) = check.native(def) {
                layer.natives.push(rule);
            }
        }
        for def in &file.library {
            if let Some(rule) = check.library(def) {
                layer.libraries.push(rule);
            }
        }
        for def in &file.tracker {
            if let Some(rule) = check.tracker(def) {
                layer.trackers.push(rule);
            }
        }
        for def in &file.owner {
            if let Some(rule) = check.owner(def) {
                layer.owners.push(rule);
            }
        }
        for def in &file.not_endpoint {
            if let Some(rule) = check.not_endpoint(def) {
                layer.not_endpoints.push(rule);
            }
        }
    }

    // Ids are unique across all files and families of a layer.
    let mut seen: HashMap<&str, &Origin> = HashMap::new();
    for category in &layer.categories {
        if let Some(first) = seen.insert(&category.id, &category.origin) {
            errors.push(at(
                &category.origin,
                format!("duplicate category id `{}` (first at {first})", category.id),
            ));
        }
    }
    let mut seen: HashMap<&str, &Origin> = HashMap::new();
    for (_, id, origin) in layer.rule_ids() {
        if let Some(first) = seen.insert(id, origin) {
            errors.push(at(
                origin,
                format!("duplicate rule id `{id}` (first at {first})"),
            ));
        }
    }

    if errors.is_empty() {
        Ok(layer)
    } else {
        sort_errors(&mut errors);
        Err(errors)
    }
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
            Some(existing) if *existing != family => errors.push(at(
                origin,
                format!("rule id `{id}` belongs to the `{existing}` family in the base rules; an override cannot move it to `{family}`"),
            )),
            Some(_) => report.replaced.push((family, id.to_owned())),
            None => report.added.push((family, id.to_owned())),
        }
    }
    fn apply<T: Clone>(base: &mut Vec<T>, over: Vec<T>, id: impl Fn(&T) -> &str) {
        for rule in over {
            match base.iter_mut().find(|b| id(b) == id(&rule)) {
                Some(slot) => *slot = rule,
                None => base.push(rule),
            }
        }
    }
    apply(&mut base.categories, over.categories, |r| &r.id);
    apply(&mut base.permissions, over.permissions, |r| &r.id);
    apply(&mut base.apis, over.apis, |r| &r.id);
    apply(&mut base.natives, over.natives, |r| &r.id);
    apply(&mut base.libraries, over.libraries, |r| &r.id);
    apply(&mut base.trackers, over.trackers, |r| &r.id);
    apply(&mut base.owners, over.owners, |r| &r.id);
    apply(&mut base.not_endpoints, over.not_endpoints, |r| &r.id);
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

/// Checks that need the whole rule set.
pub fn cross_check(layer: &Layer) -> Vec<RuleError> {
    let mut errors = Vec::new();
    let owners: HashSet<&str> = layer.owners.iter().map(|o| o.id.as_str()).collect();
    for tracker in &layer.trackers {
        if let Some(owner) = &tracker.owner
            && !owners.contains(owner.as_str())
        {
            errors.push(at(
                &tracker.origin,
                format!(
                    "tracker `{}` names owner `{owner}`, which no [[owner]] defines",
                    tracker.id
                ),
            ));
        }
    }
    let mut claimed: HashMap<&str, &str> = HashMap::new();
    for rule in &layer.permissions {
        for name in &rule.names {
            if let Some(first) = claimed.insert(name, &rule.id) {
                errors.push(at(
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
        let p = self
            .permissions
            .iter()
            .map(|r| (Family::Permission, r.id.as_str(), &r.origin));
        let a = self
            .apis
            .iter()
            .map(|r| (Family::Api, r.id.as_str(), &r.origin));
        let n = self
            .natives
            .iter()
            .map(|r| (Family::Native, r.id.as_str(), &r.origin));
        let l = self
            .libraries
            .iter()
            .map(|r| (Family::Library, r.id.as_str(), &r.origin));
        let t = self
            .trackers
            .iter()
            .map(|r| (Family::Tracker, r.id.as_str(), &r.origin));
        let o = self
            .owners
            .iter()
            .map(|r| (Family::Owner, r.id.as_str(), &r.origin));
        let e = self
            .not_endpoints
            .iter()
            .map(|r| (Family::NotEndpoint, r.id.as_str(), &r.origin));
        p.chain(a).chain(n).chain(l).chain(t).chain(o).chain(e)
    }

    /// Sorts each family by id (categories keep file order: the taxonomy's order).
    pub fn sort(&mut self) {
        self.permissions.sort_by(|a, b| a.id.cmp(&b.id));
        self.apis.sort_by(|a, b| a.id.cmp(&b.id));
        self.natives.sort_by(|a, b| a.id.cmp(&b.id));
        self.libraries.sort_by(|a, b| a.id.cmp(&b.id));
        self.trackers.sort_by(|a, b| a.id.cmp(&b.id));
        self.owners.sort_by(|a, b| a.id.cmp(&b.id));
        self.not_endpoints.sort_by(|a, b| a.id.cmp(&b.id));
    }
}

fn at(origin: &Origin, message: String) -> RuleError {
    RuleError {
        file: origin.file.clone(),
        line: origin.line,
        column: origin.column,
        message,
    }
}

fn sort_errors(errors: &mut Vec<RuleError>) {
    errors.sort_by(|a, b| {
        (&a.file, a.line, a.column, &a.message).cmp(&(&b.file, b.line, b.column, &b.message))
    });
    errors.dedup();
}

/// 1-based line and column (in characters) of a byte offset; offsets past the end or inside a
/// UTF-8 sequence are clamped to the previous character boundary.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// Validates the definitions of one file and turns them into model rules, collecting errors.
struct Checker<'a> {
    source: &'a Source,
    errors: &'a mut Vec<RuleError>,
    known_categories: Option<&'a HashSet<String>>,
}

impl<'a> Checker<'a> {
    fn new(source: &'a Source, errors: &'a mut Vec<RuleError>) -> Self {
        Checker {
            source,
            errors,
            known_categories: None,
        }
    }

    fn origin(&self, span: std::ops::Range<usize>) -> Origin {
        let (line, column) = line_col(&self.source.text, span.start);
        Origin {
            file: self.source.name.clone(),
            line,
            column,
        }
    }

    fn error(&mut self, span: std::ops::Range<usize>, message: String) {
        let origin = self.origin(span);
        self.errors.push(at(&origin, message));
    }

    /// Runs `f`, and tells whether it added no error.
    fn clean(&mut self, f: impl FnOnce(&mut Self)) -> bool {
        let before = self.errors.len();
        f(self);
        self.errors.len() == before
    }

    fn id(&mut self, id: &SpannedStr) {
        if !is_snake_case(id.get_ref()) {
            self.error(
                id.span(),
                format!(
                    "id `{}` is not snake_case (lowercase letters, digits, single underscores)",
                    id.get_ref()
                ),
            );
        }
    }

    fn text(&mut self, value: &SpannedStr, what: &str) -> String {
        if value.get_ref().trim().is_empty() {
            self.error(value.span(), format!("`{what}` is empty"));
        }
        value.get_ref().clone()
    }

    /// A list given in the file must hold at least one non-blank entry, each checked by `valid`
    /// (which returns why an entry is wrong).
    fn list(
        &mut self,
        list: &SpannedList,
        key: &str,
        valid: impl Fn(&str) -> Result<(), String>,
    ) -> Vec<String> {
        if list.get_ref().is_empty() {
            self.error(list.span(), format!("empty list `{key}`"));
        }
        let mut out = Vec::new();
        for item in list.get_ref() {
            let value = item.get_ref();
            if value.trim().is_empty() {
                self.error(item.span(), format!("blank entry in `{key}`"));
            } else if let Err(why) = valid(value) {
                self.error(
                    item.span(),
                    format!("bad entry `{value}` in `{key}`: {why}"),
                );
            } else if !out.contains(value) {
                out.push(value.clone());
            }
        }
        out
    }

    fn optional_list(
        &mut self,
        list: &Option<SpannedList>,
        key: &str,
        valid: impl Fn(&str) -> Result<(), String>,
    ) -> Vec<String> {
        match list {
            Some(list) => self.list(list, key, valid),
            None => Vec::new(),
        }
    }

    fn categories(&mut self, list: &SpannedList, allow_empty: bool) -> Vec<String> {
        if allow_empty && list.get_ref().is_empty() {
            return Vec::new();
        }
        let known = self.known_categories;
        let mut out = self.list(list, "categories", |_| Ok(()));
        for item in list.get_ref() {
            if let Some(known) = known
                && !item.get_ref().trim().is_empty()
                && !known.contains(item.get_ref())
            {
                self.error(
                    item.span(),
                    format!(
                        "unknown category `{}` (see rules/categories.toml)",
                        item.get_ref()
                    ),
                );
            }
        }
        out.sort();
        out
    }

    fn doc(&mut self, doc: &Option<Spanned<DocDef>>, rule_span: std::ops::Range<usize>) -> Doc {
        let Some(doc) = doc else {
            self.error(
                rule_span,
                "missing `doc = { what, why, example, references }`".to_owned(),
            );
            return empty_doc();
        };
        let span = doc.span();
        let inner = doc.get_ref();
        let mut part = |value: &Option<SpannedStr>, name: &str| match value {
            Some(v) => self.text(v, &format!("doc.{name}")),
            None => {
                self.error(span.clone(), format!("missing doc part `{name}`"));
                String::new()
            }
        };
        let what = part(&inner.what, "what");
        let why = part(&inner.why, "why");
        let example = part(&inner.example, "example");
        let references = match &inner.references {
            Some(list) => self.list(list, "doc.references", |r| {
                if r.starts_with("https://") || r.starts_with("http://") {
                    Ok(())
                } else {
                    Err("a reference is an http(s) URL".to_owned())
                }
            }),
            None => {
                self.error(span, "missing doc part `references`".to_owned());
                Vec::new()
            }
        };
        Doc {
            what,
            why,
            example,
            references,
        }
    }

    fn category(&mut self, def: &Spanned<CategoryDef>, base: Option<&Layer>) -> Option<Category> {
        let span = def.span();
        let d = def.get_ref();
        let ok = self.clean(|c| {
            c.id(&d.id);
            if let Some(base) = base
                && !base.categories.iter().any(|b| b.id == *d.id.get_ref())
            {
                c.error(
                    d.id.span(),
                    format!(
                        "unknown category `{}`: category ids are fixed by the taxonomy; an override may only retitle one",
                        d.id.get_ref()
                    ),
                );
            }
            c.text(&d.title, "title");
            c.text(&d.play, "play");
            c.text(&d.apple, "apple");
        });
        ok.then(|| Category {
            id: d.id.get_ref().clone(),
            title: d.title.get_ref().clone(),
            play: d.play.get_ref().clone(),
            apple: d.apple.get_ref().clone(),
            origin: self.origin(span),
        })
    }

    fn permission(&mut self, def: &Spanned<PermissionDef>) -> Option<PermissionRule> {
        let span = def.span();
        let d = def.get_ref();
        let mut rule = None;
        let ok = self.clean(|c| {
            c.id(&d.id);
            let names = c.list(&d.names, "names", check_permission_name);
            let categories = c.categories(&d.categories, false);
            let doc = c.doc(&d.doc, span.clone());
            rule = Some(PermissionRule {
                id: d.id.get_ref().clone(),
                names,
                categories,
                doc,
                origin: c.origin(span.clone()),
            });
        });
        rule.filter(|_| ok)
    }

    fn api(&mut self, def: &Spanned<ApiDef>) -> Option<ApiRule> {
        let span = def.span();
        let d = def.get_ref();
        let mut rule = None;
        let ok = self.clean(|c| {
            c.id(&d.id);
            let categories = c.categories(&d.categories, false);
            let methods = c.optional_list(&d.methods, "methods", check_method_ref);
            let fields = c.optional_list(&d.fields, "fields", check_field_ref);
            let strings = c.optional_list(&d.strings, "strings", |_| Ok(()));
            let string_prefixes = c.optional_list(&d.string_prefixes, "string_prefixes", |_| Ok(()));
            let classes = c.optional_list(&d.classes, "classes", |s| {
                match check_class_descriptor(s)? {
                    "" => Ok(()),
                    rest => Err(format!("unexpected `{rest}` after the class descriptor")),
                }
            });
            let permissions = c.optional_list(&d.permissions, "permissions", check_permission_name);
            if d.methods.is_none()
                && d.fields.is_none()
                && d.strings.is_none()
                && d.string_prefixes.is_none()
                && d.classes.is_none()
            {
                c.error(
                    span.clone(),
                    "an [[api]] rule needs at least one of `methods`, `fields`, `strings`, `string_prefixes`, `classes`"
                        .to_owned(),
                );
            }
            let with_strings = d.with_strings.as_ref().is_some_and(|w| *w.get_ref());
            if with_strings && d.strings.is_none() {
                let at = d.with_strings.as_ref().map_or_else(|| span.clone(), |w| w.span());
                c.error(at, "`with_strings = true` needs a `strings` list to look for".to_owned());
            }
            let mut conditions = Vec::new();
            for cond in &d.condition {
                if let Some(cond) = c.condition(cond) {
                    conditions.push(cond);
                }
            }
            let doc = c.doc(&d.doc, span.clone());
            rule = Some(ApiRule {
                id: d.id.get_ref().clone(),
                categories,
                methods,
                fields,
                strings,
                string_prefixes,
                classes,
                permissions,
                with_strings,
                conditions,
                doc,
                origin: c.origin(span.clone()),
            });
        });
        rule.filter(|_| ok)
    }

    fn condition(&mut self, def: &Spanned<ConditionDef>) -> Option<Condition> {
        let d = def.get_ref();
        let text = self.text(&d.text, "condition.text");
        let kind = match d.kind.get_ref().as_str() {
            "min_target_sdk" => ConditionKind::MinTargetSdk,
            "max_target_sdk" => ConditionKind::MaxTargetSdk,
            "requires_permission" => ConditionKind::RequiresPermission,
            other => {
                self.error(
                    d.kind.span(),
                    format!("unknown condition kind `{other}` (expected min_target_sdk, max_target_sdk or requires_permission)"),
                );
                return None;
            }
        };
        let sdk = match &d.sdk {
            Some(sdk) if (1..=1000).contains(sdk.get_ref()) => Some(*sdk.get_ref() as u32),
            Some(sdk) => {
                self.error(
                    sdk.span(),
                    format!("sdk {} is not an API level", sdk.get_ref()),
                );
                None
            }
            None => None,
        };
        let permission = match &d.permission {
            Some(p) => {
                if let Err(why) = check_permission_name(p.get_ref()) {
                    self.error(p.span(), format!("bad permission `{}`: {why}", p.get_ref()));
                }
                Some(p.get_ref().clone())
            }
            None => None,
        };
        match kind {
            ConditionKind::MinTargetSdk | ConditionKind::MaxTargetSdk if d.sdk.is_none() => {
                self.error(
                    def.span(),
                    format!("condition `{}` needs `sdk`", d.kind.get_ref()),
                );
                return None;
            }
            ConditionKind::RequiresPermission if permission.is_none() => {
                self.error(
                    def.span(),
                    "condition `requires_permission` needs `permission`".to_owned(),
                );
                return None;
            }
            _ => {}
        }
        Some(Condition {
            kind,
            sdk,
            permission,
            text,
        })
    }

    fn native(&mut self, def: &Spanned<NativeDef>) -> Option<NativeRule> {
        let span = def.span();
        let d = def.get_ref();
        let mut rule = None;
        let ok = self.clean(|c| {
            c.id(&d.id);
            let categories = c.categories(&d.categories, false);
            let symbols = c.list(&d.symbols, "symbols", check_symbol);
            let doc = c.doc(&d.doc, span.clone());
            rule = Some(NativeRule {
                id: d.id.get_ref().clone(),
                categories,
                symbols,
                doc,
                origin: c.origin(span.clone()),
            });
        });
        rule.filter(|_| ok)
    }

    fn library(&mut self, def: &Spanned<LibraryDef>) -> Option<LibraryRule> {
        let span = def.span();
        let d = def.get_ref();
        let mut rule = None;
        let ok = self.clean(|c| {
            c.id(&d.id);
            let name = c.text(&d.name, "name");
            let code = c.list(&d.code, "code", check_java_code);
            let doc = c.doc(&d.doc, span.clone());
            rule = Some(LibraryRule {
                id: d.id.get_ref().clone(),
                name,
                code,
                doc,
                origin: c.origin(span.clone()),
            });
        });
        rule.filter(|_| ok)
    }

    fn tracker(&mut self, def: &Spanned<TrackerDef>) -> Option<TrackerRule> {
        let span = def.span();
        let d = def.get_ref();
        let mut rule = None;
        let ok = self.clean(|c| {
            c.id(&d.id);
            let name = c.text(&d.name, "name");
            let etip = match &d.etip {
                Some(v) if (0..=i64::from(u32::MAX)).contains(v.get_ref()) => {
                    Some(*v.get_ref() as u32)
                }
                Some(v) => {
                    c.error(v.span(), format!("etip id {} is out of range", v.get_ref()));
                    None
                }
                None => None,
            };
            let website = d.website.as_ref().map(|w| {
                if !(w.get_ref().starts_with("https://") || w.get_ref().starts_with("http://")) {
                    c.error(
                        w.span(),
                        format!("website `{}` is not an http(s) URL", w.get_ref()),
                    );
                }
                w.get_ref().clone()
            });
            let owner = d.owner.as_ref().map(|o| {
                c.id(o);
                o.get_ref().clone()
            });
            // Converted ETIP entries may carry no category: the SDK is known, its data is not.
            let categories = d
                .categories
                .as_ref()
                .map(|l| c.categories(l, true))
                .unwrap_or_default();
            let code = c.optional_list(&d.code, "code", check_java_code);
            let hosts = c.optional_list(&d.hosts, "hosts", check_host);
            let meta_data = c.optional_list(&d.meta_data, "meta_data", |k| {
                if k.chars().any(char::is_whitespace) {
                    Err("a meta-data key has no whitespace".to_owned())
                } else {
                    Ok(())
                }
            });
            if d.code.is_none() && d.hosts.is_none() && d.meta_data.is_none() {
                c.error(
                    span.clone(),
                    "a [[tracker]] needs at least one of `code`, `hosts`, `meta_data`".to_owned(),
                );
            }
            let doc = c.doc(&d.doc, span.clone());
            rule = Some(TrackerRule {
                id: d.id.get_ref().clone(),
                name,
                etip,
                website,
                owner,
                categories,
                code,
                hosts,
                meta_data,
                doc,
                origin: c.origin(span.clone()),
            });
        });
        rule.filter(|_| ok)
    }

    fn owner(&mut self, def: &Spanned<OwnerDef>) -> Option<Owner> {
        let span = def.span();
        let d = def.get_ref();
        let mut rule = None;
        let ok = self.clean(|c| {
            c.id(&d.id);
            let name = c.text(&d.name, "name");
            let country = d.country.get_ref().clone();
            if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
                c.error(
                    d.country.span(),
                    format!("country `{country}` is not an ISO 3166-1 alpha-2 code (two capital letters)"),
                );
            }
            let hosts = c.list(&d.hosts, "hosts", check_host);
            let doc = c.doc(&d.doc, span.clone());
            rule = Some(Owner {
                id: d.id.get_ref().clone(),
                name,
                country,
                hosts,
                doc,
                origin: c.origin(span.clone()),
            });
        });
        rule.filter(|_| ok)
    }

    fn not_endpoint(&mut self, def: &Spanned<NotEndpointDef>) -> Option<NotEndpoint> {
        let span = def.span();
        let d = def.get_ref();
        let mut rule = None;
        let ok = self.clean(|c| {
            c.id(&d.id);
            let hosts = c.optional_list(&d.hosts, "hosts", check_host);
            let url_prefixes = c.optional_list(&d.url_prefixes, "url_prefixes", |p| {
                if p.contains("://") {
                    Ok(())
                } else {
                    Err("a URL prefix starts with a scheme and `://`".to_owned())
                }
            });
            if d.hosts.is_none() && d.url_prefixes.is_none() {
                c.error(
                    span.clone(),
                    "a [[not_endpoint]] needs `hosts` or `url_prefixes`".to_owned(),
                );
            }
            let doc = c.doc(&d.doc, span.clone());
            rule = Some(NotEndpoint {
                id: d.id.get_ref().clone(),
                hosts,
                url_prefixes,
                doc,
                origin: c.origin(span.clone()),
            });
        });
        rule.filter(|_| ok)
    }
}

fn empty_doc() -> Doc {
    Doc {
        what: String::new(),
        why: String::new(),
        example: String::new(),
        references: Vec::new(),
    }
}

/// `^[a-z][a-z0-9]*(_[a-z0-9]+)*$`.
pub fn is_snake_case(id: &str) -> bool {
    let mut chars = id.chars();
    if !chars.next().is_some_and(|c| c.is_ascii_lowercase()) {
        return false;
    }
    let mut previous_underscore = false;
    for c in chars {
        match c {
            'a'..='z' | '0'..='9' => previous_underscore = false,
            '_' if !previous_underscore => previous_underscore = true,
            _ => return false,
        }
    }
    !previous_underscore
}

fn check_permission_name(name: &str) -> Result<(), String> {
    if name.contains('.')
        && !name.starts_with('.')
        && !name.ends_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
    {
        Ok(())
    } else {
        Err("a permission name is dotted, like android.permission.CAMERA".to_owned())
    }
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$' || c == '-'
}

/// `Lpkg/Cls;` — returns the rest of the input after the descriptor's `;`.
fn check_class_descriptor(s: &str) -> Result<&str, String> {
    let body = s
        .strip_prefix('L')
        .ok_or_else(|| "a class descriptor starts with `L`, like Landroid/os/Build;".to_owned())?;
    let end = body
        .find(';')
        .ok_or_else(|| "a class descriptor ends with `;`".to_owned())?;
    let name = &body[..end];
    if name.is_empty()
        || name
            .split('/')
            .any(|seg| seg.is_empty() || !seg.chars().all(is_name_char))
    {
        return Err(format!(
            "`L{name};` is not a class descriptor (segments separated by `/`)"
        ));
    }
    Ok(&body[end + 1..])
}

/// One type descriptor at the start of `s`; returns the rest.
fn take_type(s: &str, allow_void: bool) -> Result<&str, String> {
    let mut rest = s;
    let mut dims = 0;
    while let Some(r) = rest.strip_prefix('[') {
        rest = r;
        dims += 1;
        if dims > 255 {
            return Err("more than 255 array dimensions".to_owned());
        }
    }
    match rest.chars().next() {
        Some('Z' | 'B' | 'S' | 'C' | 'I' | 'J' | 'F' | 'D') => Ok(&rest[1..]),
        Some('V') if allow_void && dims == 0 => Ok(&rest[1..]),
        Some('L') => check_class_descriptor(rest),
        _ => Err(format!("`{s}` does not start with a type descriptor")),
    }
}

fn check_member_name(name: &str) -> Result<(), String> {
    if name == "<init>"
        || name == "<clinit>"
        || (!name.is_empty() && name.chars().all(is_name_char))
    {
        Ok(())
    } else {
        Err(format!("`{name}` is not a member name"))
    }
}

/// `Lpkg/Cls;->name` or `Lpkg/Cls;->name(args)Ret`.
fn check_method_ref(s: &str) -> Result<(), String> {
    let rest = check_class_descriptor(s)?;
    let member = rest
        .strip_prefix("->")
        .ok_or_else(|| "expected `->` after the class descriptor".to_owned())?;
    let (name, proto) = match member.find('(') {
        Some(i) => (&member[..i], Some(&member[i..])),
        None => (member, None),
    };
    check_member_name(name)?;
    if let Some(proto) = proto {
        check_proto(proto)?;
    }
    Ok(())
}

/// `(args)Ret`.
pub(crate) fn check_proto(proto: &str) -> Result<(), String> {
    let mut rest = proto
        .strip_prefix('(')
        .ok_or_else(|| "a method prototype starts with `(`".to_owned())?;
    loop {
        if let Some(r) = rest.strip_prefix(')') {
            rest = r;
            break;
        }
        if rest.is_empty() {
            return Err("unclosed `(` in the method prototype".to_owned());
        }
        rest = take_type(rest, false)?;
    }
    let after = take_type(rest, true)?;
    if after.is_empty() {
        Ok(())
    } else {
        Err(format!("unexpected `{after}` after the return type"))
    }
}

/// `Lpkg/Cls;->NAME` or `Lpkg/Cls;->NAME:Type`.
fn check_field_ref(s: &str) -> Result<(), String> {
    let rest = check_class_descriptor(s)?;
    let member = rest
        .strip_prefix("->")
        .ok_or_else(|| "expected `->` after the class descriptor".to_owned())?;
    let (name, ty) = match member.split_once(':') {
        Some((n, t)) => (n, Some(t)),
        None => (member, None),
    };
    check_member_name(name)?;
    if let Some(ty) = ty {
        let after = take_type(ty, false)?;
        if !after.is_empty() {
            return Err(format!("unexpected `{after}` after the field type"));
        }
    }
    Ok(())
}

fn check_symbol(s: &str) -> Result<(), String> {
    let mut chars = s.chars();
    if chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        Ok(())
    } else {
        Err("a symbol is a C identifier (letters, digits, `_`)".to_owned())
    }
}

/// `com.example.` (package prefix) or `com.example.Cls` (one class).
fn check_java_code(s: &str) -> Result<(), String> {
    let trimmed = s.strip_suffix('.').unwrap_or(s);
    if s.contains('/') || s.contains(';') {
        return Err("write Java names in dot form, like com.appsflyer.".to_owned());
    }
    if trimmed.is_empty()
        || trimmed
            .split('.')
            .any(|seg| seg.is_empty() || !seg.chars().all(is_name_char))
    {
        return Err("expected a dotted package ending with `.` or a dotted class name".to_owned());
    }
    Ok(())
}

fn check_host(s: &str) -> Result<(), String> {
    if s.len() > 253 {
        return Err("a host name has at most 253 characters".to_owned());
    }
    let ok = s.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    });
    if ok {
        Ok(())
    } else {
        Err(
            "a host is lowercase labels separated by dots, without scheme, port, path or `*`"
                .to_owned(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_ids() {
        assert!(is_snake_case("location_manager_fix"));
        assert!(is_snake_case("a1_b2"));
        for bad in ["", "Abc", "a__b", "a_", "_a", "1a", "a-b", "aé"] {
            assert!(!is_snake_case(bad), "{bad}");
        }
    }

    #[test]
    fn method_and_field_references() {
        assert!(
            check_method_ref("Landroid/location/LocationManager;->getLastKnownLocation").is_ok()
        );
        assert!(check_method_ref("Landroid/media/AudioRecord;-><init>").is_ok());
        assert!(check_method_ref("La/B;->f(I[JLjava/lang/String;)[[Z").is_ok());
        assert!(check_method_ref("La/B;->f()V").is_ok());
        for bad in [
            "La/B;f",
            "La/B;->",
            "La/B;->f(",
            "La/B;->f()",
            "La/B;->f(V)V",
            "La/B;->f(I)VX",
            "a.B->f",
            "La//B;->f",
            "La/B;->f(Lx)V",
        ] {
            assert!(check_method_ref(bad).is_err(), "{bad}");
        }
        assert!(check_field_ref("Landroid/os/Build;->MODEL").is_ok());
        assert!(check_field_ref("Landroid/os/Build;->MODEL:Ljava/lang/String;").is_ok());
        for bad in [
            "Landroid/os/Build;->MODEL:V",
            "Landroid/os/Build;->MODEL:II",
            "Landroid/os/Build;.MODEL",
        ] {
            assert!(check_field_ref(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn hosts_and_java_code() {
        assert!(check_host("app-measurement.com").is_ok());
        assert!(check_host("127.0.0.1").is_ok());
        for bad in [
            "Example.com",
            "https://a.com",
            "a..com",
            ".a.com",
            "*.a.com",
            "a.com/x",
            "a.com:80",
        ] {
            assert!(check_host(bad).is_err(), "{bad}");
        }
        assert!(check_java_code("com.appsflyer.").is_ok());
        assert!(check_java_code("com.example.Cls").is_ok());
        for bad in ["Lcom/appsflyer/", "com..x.", ".", "com.x.."] {
            assert!(check_java_code(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn line_and_column_count_characters() {
        let text = "ab\n→cd\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        assert_eq!(line_col(text, 6), (2, 2));
        assert_eq!(line_col(text, 4), (2, 1)); // inside the arrow: clamped back
        assert_eq!(line_col(text, 999), (3, 1));
    }
}
