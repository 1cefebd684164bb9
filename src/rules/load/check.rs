//! The checks every rule table shares, and where their problems go: a [`Checker`] validates the
//! definitions of one file — ids, non-empty texts, lists of valid entries, known categories, the
//! four doc parts — records each problem with the file, line and column of the offending value,
//! and keeps a rule only when it came through clean.

use std::collections::HashSet;
use std::ops::Range;

use toml::Spanned;

use super::super::model::{Doc, Origin};
use super::super::schema::{DocDef, SpannedList, SpannedStr};
use super::error::RuleError;
use super::layer::RuleFile;
use super::position::LineIndex;
use super::value::{is_http_url, is_snake_case};

/// A rule table's serde definition: every family has an `id` and a `doc`.
pub trait RuleDef {
    fn id(&self) -> &SpannedStr;
    fn doc(&self) -> &Option<Spanned<DocDef>>;
}

/// What every rule has besides its family's own keys, checked.
pub struct Common {
    pub id: String,
    pub doc: Doc,
    /// Where the rule's table starts.
    pub origin: Origin,
    /// The byte range of the whole table, for problems that concern it as a whole.
    pub span: Range<usize>,
}

/// Validates the definitions of one file and turns them into model rules, collecting errors.
pub struct Checker<'a> {
    file: &'a RuleFile,
    lines: &'a LineIndex<'a>,
    errors: &'a mut Vec<RuleError>,
    /// The category ids rules may name; `None` while the categories themselves are checked.
    known_categories: Option<&'a HashSet<String>>,
}

impl<'a> Checker<'a> {
    pub fn new(
        file: &'a RuleFile,
        lines: &'a LineIndex<'a>,
        errors: &'a mut Vec<RuleError>,
        known_categories: Option<&'a HashSet<String>>,
    ) -> Self {
        Checker {
            file,
            lines,
            errors,
            known_categories,
        }
    }

    pub fn origin(&self, span: Range<usize>) -> Origin {
        let (line, column) = self.lines.line_col(span.start);
        Origin {
            file: self.file.name.clone(),
            line,
            column,
        }
    }

    pub fn error(&mut self, span: Range<usize>, message: String) {
        let origin = self.origin(span);
        self.errors.push(RuleError::at(&origin, message));
    }

    /// Runs `f`, and tells whether it added no error.
    pub fn clean(&mut self, f: impl FnOnce(&mut Self)) -> bool {
        let before = self.errors.len();
        f(self);
        self.errors.len() == before
    }

    /// Checks one rule table: its `id` and `doc` here, the family's own keys in `build`, which
    /// makes the rule. The rule is kept only when no check complained.
    pub fn rule<D: RuleDef, R>(
        &mut self,
        def: &Spanned<D>,
        build: impl FnOnce(&mut Self, &D, Common) -> R,
    ) -> Option<R> {
        let span = def.span();
        let d = def.get_ref();
        let mut rule = None;
        let ok = self.clean(|c| {
            c.id(d.id());
            let common = Common {
                id: d.id().get_ref().clone(),
                doc: c.doc(d.doc(), span.clone()),
                origin: c.origin(span.clone()),
                span,
            };
            rule = Some(build(c, d, common));
        });
        rule.filter(|_| ok)
    }

    pub fn id(&mut self, id: &SpannedStr) {
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

    pub fn text(&mut self, value: &SpannedStr, what: &str) -> String {
        if value.get_ref().trim().is_empty() {
            self.error(value.span(), format!("`{what}` is empty"));
        }
        value.get_ref().clone()
    }

    /// A list given in the file must hold at least one non-blank entry, each checked by `valid`
    /// (which returns why an entry is wrong). Repeated entries are kept once.
    pub fn list(
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

    /// Like [`Checker::list`] for a key that may be left out (then: no entries).
    pub fn optional_list(
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

    /// A `categories` list: known category ids, sorted.
    pub fn categories(&mut self, list: &SpannedList, allow_empty: bool) -> Vec<String> {
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

    /// `doc = { what, why, example, references }`, all four present and non-empty.
    pub fn doc(&mut self, doc: &Option<Spanned<DocDef>>, rule_span: Range<usize>) -> Doc {
        let Some(doc) = doc else {
            self.error(
                rule_span,
                "missing `doc = { what, why, example, references }`".to_owned(),
            );
            return Doc {
                what: String::new(),
                why: String::new(),
                example: String::new(),
                references: Vec::new(),
            };
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
                if is_http_url(r) {
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
}
