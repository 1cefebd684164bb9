//! On-disk shape of the rule files (`rules/*.toml`), as serde structs.
//!
//! These types mirror the fixed rule format one to one and reject unknown keys, so that a typo in a
//! key name is an error with a position rather than a silently ignored rule. Values that a later
//! check may complain about are wrapped in [`Spanned`] so the complaint can name a line and column.
//! Nothing here validates meaning: that is `load/`; nothing here matches: that is `matchers.rs`.

use serde::Deserialize;
use toml::Spanned;

/// A string with the byte range it came from.
pub type SpannedStr = Spanned<String>;
/// A list with the byte range of the whole array and of each element.
pub type SpannedList = Spanned<Vec<SpannedStr>>;

/// One rule file. Every table is optional: a file under `--rules DIR` may hold any mix of them,
/// and the embedded files each hold the family their name says.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct FileDef {
    #[serde(default)]
    pub category: Vec<Spanned<CategoryDef>>,
    #[serde(default)]
    pub permission: Vec<Spanned<PermissionDef>>,
    #[serde(default)]
    pub api: Vec<Spanned<ApiDef>>,
    #[serde(default)]
    pub native: Vec<Spanned<NativeDef>>,
    #[serde(default)]
    pub library: Vec<Spanned<LibraryDef>>,
    #[serde(default)]
    pub tracker: Vec<Spanned<TrackerDef>>,
    #[serde(default)]
    pub owner: Vec<Spanned<OwnerDef>>,
    #[serde(default)]
    pub not_endpoint: Vec<Spanned<NotEndpointDef>>,
    #[serde(default)]
    pub plumbing: Vec<Spanned<PlumbingDef>>,
    #[serde(default)]
    pub sink: Vec<Spanned<SinkDef>>,
    #[serde(default)]
    pub split_permission: Vec<Spanned<SplitPermissionDef>>,
}

/// `doc = { what, why, example, references }`: the four parts every rule must document.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocDef {
    #[serde(default)]
    pub what: Option<SpannedStr>,
    #[serde(default)]
    pub why: Option<SpannedStr>,
    #[serde(default)]
    pub example: Option<SpannedStr>,
    #[serde(default)]
    pub references: Option<SpannedList>,
}

/// `[[category]]` of `categories.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryDef {
    pub id: SpannedStr,
    pub title: SpannedStr,
    pub play: SpannedStr,
    pub apple: SpannedStr,
}

/// `[[permission]]` of `permissions.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PermissionDef {
    pub id: SpannedStr,
    pub names: SpannedList,
    pub categories: SpannedList,
    pub doc: Option<Spanned<DocDef>>,
}

/// `[[api.condition]]`: a target-SDK or permission note attached to an API rule.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionDef {
    pub kind: SpannedStr,
    #[serde(default)]
    pub sdk: Option<Spanned<i64>>,
    #[serde(default)]
    pub permission: Option<SpannedStr>,
    pub text: SpannedStr,
}

/// `[[api]]` of `apis.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiDef {
    pub id: SpannedStr,
    pub categories: SpannedList,
    pub doc: Option<Spanned<DocDef>>,
    #[serde(default)]
    pub methods: Option<SpannedList>,
    #[serde(default)]
    pub fields: Option<SpannedList>,
    #[serde(default)]
    pub strings: Option<SpannedList>,
    #[serde(default)]
    pub string_prefixes: Option<SpannedList>,
    #[serde(default)]
    pub classes: Option<SpannedList>,
    /// Framework methods (`Lpkg/Cls;->name`, optionally with a prototype) whose override by a
    /// class of the app is evidence: the callback delivers the data to that class.
    #[serde(default)]
    pub overrides: Option<SpannedList>,
    #[serde(default)]
    pub permissions: Option<SpannedList>,
    /// Method and field uses count only in a method that also loads one of `strings`.
    #[serde(default)]
    pub with_strings: Option<Spanned<bool>>,
    #[serde(default)]
    pub condition: Vec<Spanned<ConditionDef>>,
    /// Why a use of this API is context (what every app reads to work) rather than collection.
    #[serde(default)]
    pub context: Option<SpannedStr>,
    /// With `context`: the kinds of code (`app`, `tracker`, `library`, `unidentified`) whose use
    /// still counts as collection.
    #[serde(default)]
    pub context_counts_in: Option<SpannedList>,
    /// Apps targeting an API level below this one need none of `permissions`.
    #[serde(default)]
    pub permission_free_below_target_sdk: Option<Spanned<i64>>,
}

/// `[[native]]` of `native.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NativeDef {
    pub id: SpannedStr,
    pub categories: SpannedList,
    pub symbols: SpannedList,
    pub doc: Option<Spanned<DocDef>>,
}

/// `[[library]]` of `libraries.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LibraryDef {
    pub id: SpannedStr,
    pub name: SpannedStr,
    pub code: SpannedList,
    pub doc: Option<Spanned<DocDef>>,
}

/// `[[tracker]]` of `trackers.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackerDef {
    pub id: SpannedStr,
    pub name: SpannedStr,
    #[serde(default)]
    pub etip: Option<Spanned<i64>>,
    #[serde(default)]
    pub website: Option<SpannedStr>,
    #[serde(default)]
    pub owner: Option<SpannedStr>,
    #[serde(default)]
    pub categories: Option<SpannedList>,
    #[serde(default)]
    pub code: Option<SpannedList>,
    #[serde(default)]
    pub hosts: Option<SpannedList>,
    #[serde(default)]
    pub meta_data: Option<SpannedList>,
    pub doc: Option<Spanned<DocDef>>,
}

/// `[[owner]]` of `endpoints.toml`: an organisation that runs hosts.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OwnerDef {
    pub id: SpannedStr,
    pub name: SpannedStr,
    pub country: SpannedStr,
    pub hosts: SpannedList,
    pub doc: Option<Spanned<DocDef>>,
}

/// `[[not_endpoint]]` of `endpoints.toml`: URL-looking strings that are not network endpoints.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotEndpointDef {
    pub id: SpannedStr,
    #[serde(default)]
    pub hosts: Option<SpannedList>,
    #[serde(default)]
    pub url_prefixes: Option<SpannedList>,
    #[serde(default)]
    pub page_prefixes: Option<SpannedList>,
    #[serde(default)]
    pub bare_names: Option<SpannedList>,
    #[serde(default)]
    pub path_words: Option<SpannedList>,
    #[serde(default)]
    pub first_labels: Option<SpannedList>,
    /// `nothing` (default), `link` or `documentation`.
    #[serde(default)]
    pub report_as: Option<SpannedStr>,
    pub doc: Option<Spanned<DocDef>>,
}

/// `[[plumbing]]` of `plumbing.toml`: a known library's use of an API that serves the library's
/// own function, not the gathering of the data for the app.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlumbingDef {
    pub id: SpannedStr,
    /// The `[[api]]` rule ids whose uses are exempted.
    pub apis: SpannedList,
    /// The calling code: Java packages ending with `.` or class names, as in `[[library]]`.
    pub code: SpannedList,
    pub doc: Option<Spanned<DocDef>>,
}

/// `[[sink]]` of `network.toml`: methods that send a string argument to the network.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SinkDef {
    pub id: SpannedStr,
    /// `Lpkg/Cls;->name` (every overload) or `Lpkg/Cls;->name(args)Ret`.
    pub methods: SpannedList,
    /// Position of the address in the invoke's register list (the receiver is 0).
    pub argument: Spanned<i64>,
    pub doc: Option<Spanned<DocDef>>,
}

/// `[[split_permission]]` of `permissions.toml`: a permission that Android also grants others
/// to apps targeting an API level below `below_target_sdk` (or to every app when absent).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SplitPermissionDef {
    pub id: SpannedStr,
    pub from: SpannedStr,
    pub grants: SpannedList,
    #[serde(default)]
    pub below_target_sdk: Option<Spanned<i64>>,
    pub doc: Option<Spanned<DocDef>>,
}
