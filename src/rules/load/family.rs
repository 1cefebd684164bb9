//! One check per table of the rule files: each turns the serde definition of a `[[category]]`,
//! `[[permission]]`, `[[api]]` (with its `[[api.condition]]` notes), `[[native]]`, `[[library]]`,
//! `[[tracker]]`, `[[owner]]` or `[[not_endpoint]]` into its model type, checking what the
//! family requires of its keys (the format is `rules/README.md`).

use toml::Spanned;

use super::super::model::*;
use super::super::schema::*;
use super::check::{Checker, RuleDef};
use super::descriptor::{check_class, check_field_ref, check_method_ref};
use super::layer::Layer;
use super::value::{
    check_bare_name, check_host, check_java_code, check_meta_data_key, check_page_prefix,
    check_permission_name, check_symbol, check_url_prefix, check_word, is_country_code,
    is_http_url,
};

/// The kinds of calling code a `context_counts_in` list may name (the report's collector kinds).
const COLLECTOR_KINDS: [&str; 4] = ["app", "tracker", "library", "unidentified"];

macro_rules! rule_defs {
    ($($def:ty),* $(,)?) => {$(
        impl RuleDef for $def {
            fn id(&self) -> &SpannedStr {
                &self.id
            }
            fn doc(&self) -> &Option<Spanned<DocDef>> {
                &self.doc
            }
        }
    )*};
}

rule_defs!(
    PermissionDef,
    ApiDef,
    NativeDef,
    LibraryDef,
    TrackerDef,
    OwnerDef,
    NotEndpointDef,
    PlumbingDef,
    SinkDef,
    SplitPermissionDef,
);

impl Checker<'_> {
    /// A category of the taxonomy. With a `base` (an override layer), only one the base defines:
    /// the ids are the report schema.
    pub fn category(
        &mut self,
        def: &Spanned<CategoryDef>,
        base: Option<&Layer>,
    ) -> Option<Category> {
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

    pub fn permission(&mut self, def: &Spanned<PermissionDef>) -> Option<PermissionRule> {
        self.rule(def, |c, d, common| PermissionRule {
            names: c.list(&d.names, "names", check_permission_name),
            categories: c.categories(&d.categories, false),
            id: common.id,
            doc: common.doc,
            origin: common.origin,
        })
    }

    pub fn api(&mut self, def: &Spanned<ApiDef>) -> Option<ApiRule> {
        self.rule(def, |c, d, common| {
            if d.methods.is_none()
                && d.fields.is_none()
                && d.strings.is_none()
                && d.string_prefixes.is_none()
                && d.classes.is_none()
                && d.overrides.is_none()
            {
                c.error(
                    common.span.clone(),
                    "an [[api]] rule needs at least one of `methods`, `fields`, `strings`, `string_prefixes`, `classes`, `overrides`"
                        .to_owned(),
                );
            }
            let with_strings = d.with_strings.as_ref().is_some_and(|w| *w.get_ref());
            if with_strings && d.strings.is_none() {
                let at = d
                    .with_strings
                    .as_ref()
                    .map_or_else(|| common.span.clone(), |w| w.span());
                c.error(at, "`with_strings = true` needs a `strings` list to look for".to_owned());
            }
            ApiRule {
                categories: c.categories(&d.categories, false),
                methods: c.optional_list(&d.methods, "methods", check_method_ref),
                fields: c.optional_list(&d.fields, "fields", check_field_ref),
                strings: c.optional_list(&d.strings, "strings", |_| Ok(())),
                string_prefixes: c.optional_list(&d.string_prefixes, "string_prefixes", |_| Ok(())),
                classes: c.optional_list(&d.classes, "classes", check_class),
                overrides: c.optional_list(&d.overrides, "overrides", check_method_ref),
                permissions: c.optional_list(&d.permissions, "permissions", check_permission_name),
                with_strings,
                conditions: d.condition.iter().filter_map(|cond| c.condition(cond)).collect(),
                context: c.api_context(d, &common.span),
                permission_free_below_target_sdk: d
                    .permission_free_below_target_sdk
                    .as_ref()
                    .and_then(|sdk| c.api_level(sdk)),
                id: common.id,
                doc: common.doc,
                origin: common.origin,
            }
        })
    }

    /// An `[[api.condition]]` note: its kind decides which of `sdk` and `permission` it needs.
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
        let sdk = d.sdk.as_ref().and_then(|sdk| self.api_level(sdk));
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

    /// `context` with the `context_counts_in` kinds whose use still counts (none when absent).
    fn api_context(&mut self, d: &ApiDef, span: &std::ops::Range<usize>) -> Option<ApiContext> {
        match (&d.context, &d.context_counts_in) {
            (None, None) => None,
            (Some(why), kinds) => {
                let why = self.text(why, "context");
                let counts_in = kinds
                    .as_ref()
                    .map(|kinds| {
                        self.list(kinds, "context_counts_in", |k| {
                            if COLLECTOR_KINDS.contains(&k) {
                                Ok(())
                            } else {
                                Err(format!("expected one of {}", COLLECTOR_KINDS.join(", ")))
                            }
                        })
                    })
                    .unwrap_or_default();
                Some(ApiContext { why, counts_in })
            }
            (None, Some(_)) => {
                self.error(
                    span.clone(),
                    "`context_counts_in` needs a `context` saying why".to_owned(),
                );
                None
            }
        }
    }

    /// An Android API level (1 to 1000), or an error at it.
    fn api_level(&mut self, sdk: &Spanned<i64>) -> Option<u32> {
        match u32::try_from(*sdk.get_ref()) {
            Ok(level) if (1..=1000).contains(&level) => Some(level),
            _ => {
                self.error(
                    sdk.span(),
                    format!("sdk {} is not an API level", sdk.get_ref()),
                );
                None
            }
        }
    }

    pub fn split_permission(
        &mut self,
        def: &Spanned<SplitPermissionDef>,
    ) -> Option<SplitPermission> {
        self.rule(def, |c, d, common| {
            if let Err(why) = check_permission_name(d.from.get_ref()) {
                c.error(
                    d.from.span(),
                    format!("bad permission `{}`: {why}", d.from.get_ref()),
                );
            }
            SplitPermission {
                from: d.from.get_ref().clone(),
                grants: c.list(&d.grants, "grants", check_permission_name),
                below_target_sdk: d.below_target_sdk.as_ref().and_then(|sdk| c.api_level(sdk)),
                id: common.id,
                doc: common.doc,
                origin: common.origin,
            }
        })
    }

    pub fn plumbing(&mut self, def: &Spanned<PlumbingDef>) -> Option<PlumbingRule> {
        self.rule(def, |c, d, common| PlumbingRule {
            apis: c.list(&d.apis, "apis", |_| Ok(())),
            code: c.list(&d.code, "code", check_java_code),
            id: common.id,
            doc: common.doc,
            origin: common.origin,
        })
    }

    pub fn sink(&mut self, def: &Spanned<SinkDef>) -> Option<SinkRule> {
        self.rule(def, |c, d, common| {
            let argument = match u8::try_from(*d.argument.get_ref()) {
                Ok(a) if a < u8::MAX => a,
                _ => {
                    c.error(
                        d.argument.span(),
                        format!(
                            "argument {} is out of range: an invoke passes at most 255 registers",
                            d.argument.get_ref()
                        ),
                    );
                    0
                }
            };
            SinkRule {
                methods: c.list(&d.methods, "methods", check_method_ref),
                argument,
                id: common.id,
                doc: common.doc,
                origin: common.origin,
            }
        })
    }

    pub fn native(&mut self, def: &Spanned<NativeDef>) -> Option<NativeRule> {
        self.rule(def, |c, d, common| NativeRule {
            categories: c.categories(&d.categories, false),
            symbols: c.list(&d.symbols, "symbols", check_symbol),
            id: common.id,
            doc: common.doc,
            origin: common.origin,
        })
    }

    pub fn library(&mut self, def: &Spanned<LibraryDef>) -> Option<LibraryRule> {
        self.rule(def, |c, d, common| LibraryRule {
            name: c.text(&d.name, "name"),
            code: c.list(&d.code, "code", check_java_code),
            id: common.id,
            doc: common.doc,
            origin: common.origin,
        })
    }

    pub fn tracker(&mut self, def: &Spanned<TrackerDef>) -> Option<TrackerRule> {
        self.rule(def, |c, d, common| {
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
                if !is_http_url(w.get_ref()) {
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
            if d.code.is_none() && d.hosts.is_none() && d.meta_data.is_none() {
                c.error(
                    common.span.clone(),
                    "a [[tracker]] needs at least one of `code`, `hosts`, `meta_data`".to_owned(),
                );
            }
            TrackerRule {
                name: c.text(&d.name, "name"),
                etip,
                website,
                owner,
                // Converted ETIP entries may carry no category: the SDK is known, its data is not.
                categories: d
                    .categories
                    .as_ref()
                    .map(|l| c.categories(l, true))
                    .unwrap_or_default(),
                code: c.optional_list(&d.code, "code", check_java_code),
                hosts: c.optional_list(&d.hosts, "hosts", check_host),
                meta_data: c.optional_list(&d.meta_data, "meta_data", check_meta_data_key),
                id: common.id,
                doc: common.doc,
                origin: common.origin,
            }
        })
    }

    pub fn owner(&mut self, def: &Spanned<OwnerDef>) -> Option<Owner> {
        self.rule(def, |c, d, common| {
            let country = d.country.get_ref().clone();
            if !is_country_code(&country) {
                c.error(
                    d.country.span(),
                    format!("country `{country}` is not an ISO 3166-1 alpha-2 code (two capital letters)"),
                );
            }
            Owner {
                name: c.text(&d.name, "name"),
                country,
                hosts: c.list(&d.hosts, "hosts", check_host),
                id: common.id,
                doc: common.doc,
                origin: common.origin,
            }
        })
    }

    pub fn not_endpoint(&mut self, def: &Spanned<NotEndpointDef>) -> Option<NotEndpoint> {
        self.rule(def, |c, d, common| {
            let matchers = [
                &d.hosts,
                &d.url_prefixes,
                &d.page_prefixes,
                &d.bare_names,
                &d.path_words,
                &d.first_labels,
            ];
            if matchers.iter().all(|m| m.is_none()) {
                c.error(
                    common.span.clone(),
                    "a [[not_endpoint]] needs `hosts`, `url_prefixes`, `page_prefixes`, `bare_names`, `path_words` or `first_labels`".to_owned(),
                );
            }
            let report_as = match &d.report_as {
                None => ReportAs::Nothing,
                Some(value) => match value.get_ref().as_str() {
                    "nothing" => ReportAs::Nothing,
                    "link" => ReportAs::Link,
                    "documentation" => ReportAs::Documentation,
                    other => {
                        c.error(
                            value.span(),
                            format!("`report_as` is `nothing`, `link` or `documentation`, not `{other}`"),
                        );
                        ReportAs::Nothing
                    }
                },
            };
            NotEndpoint {
                hosts: c.optional_list(&d.hosts, "hosts", check_host),
                url_prefixes: c.optional_list(&d.url_prefixes, "url_prefixes", check_url_prefix),
                page_prefixes: c.optional_list(&d.page_prefixes, "page_prefixes", check_page_prefix),
                bare_names: c.optional_list(&d.bare_names, "bare_names", check_bare_name),
                path_words: c.optional_list(&d.path_words, "path_words", check_word),
                first_labels: c.optional_list(&d.first_labels, "first_labels", check_word),
                report_as,
                id: common.id,
                doc: common.doc,
                origin: common.origin,
            }
        })
    }
}
