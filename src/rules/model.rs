//! The validated rules as the rest of dossier sees them: plain owned data, one struct per family.
//!
//! These are what `load/` produces from the serde structs of `schema.rs` once every check has
//! passed, and what `matchers.rs` indexes. They serialize (for the rules digest and for
//! `dossier rules list --json`); where a rule was defined ([`Origin`]) is left out of the
//! serialization so that moving a rule between files does not change the digest.

use serde::Serialize;

/// Where a rule was defined: file as shown to the user, 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Origin {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// The four documentation parts every rule carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Doc {
    /// What the rule finds.
    pub what: String,
    /// Why it matters for the user's privacy.
    pub why: String,
    /// What the evidence looks like in an app.
    pub example: String,
    /// Where the facts of the rule come from (URLs).
    pub references: Vec<String>,
}

/// The rule families, in the order the documentation and `rules list` show them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    Permission,
    SplitPermission,
    Api,
    Native,
    Library,
    Tracker,
    Owner,
    NotEndpoint,
    Plumbing,
    Sink,
}

impl Family {
    /// The table name of the family in the rule files (`[[api]]` ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Permission => "permission",
            Family::Api => "api",
            Family::Native => "native",
            Family::Library => "library",
            Family::Tracker => "tracker",
            Family::Owner => "owner",
            Family::NotEndpoint => "not_endpoint",
            Family::Plumbing => "plumbing",
            Family::Sink => "sink",
            Family::SplitPermission => "split_permission",
        }
    }

    /// Every family, in display order.
    pub const ALL: [Family; 10] = [
        Family::Permission,
        Family::SplitPermission,
        Family::Api,
        Family::Native,
        Family::Library,
        Family::Tracker,
        Family::Owner,
        Family::NotEndpoint,
        Family::Plumbing,
        Family::Sink,
    ];
}

impl std::fmt::Display for Family {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A data category of the taxonomy with its store-label mappings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Category {
    pub id: String,
    pub title: String,
    /// Google Play Data safety "category › type".
    pub play: String,
    /// Apple App Privacy type.
    pub apple: String,
    #[serde(skip)]
    pub origin: Origin,
}

/// A manifest permission that reveals one or more categories.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PermissionRule {
    pub id: String,
    pub names: Vec<String>,
    pub categories: Vec<String>,
    pub doc: Doc,
    #[serde(skip)]
    pub origin: Origin,
}

/// What a [`Condition`] of an API rule says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConditionKind {
    /// The note applies when the app targets this SDK or later.
    MinTargetSdk,
    /// The note applies when the app targets at most this SDK.
    MaxTargetSdk,
    /// The call only yields data when the app holds this permission.
    RequiresPermission,
}

/// A target-SDK or permission note on an API rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Condition {
    pub kind: ConditionKind,
    pub sdk: Option<u32>,
    pub permission: Option<String>,
    pub text: String,
}

/// Why an API is context rather than collection, and in whose code a use still counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiContext {
    pub why: String,
    /// Kinds of calling code whose use counts as collection: `app`, `tracker`, `library`,
    /// `unidentified` (the collector kinds of the report); empty: no use counts.
    pub counts_in: Vec<String>,
}

/// Code references (methods, fields, strings, classes) that collect a category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiRule {
    pub id: String,
    pub categories: Vec<String>,
    /// `Lpkg/Cls;->name` (every overload) or `Lpkg/Cls;->name(args)Ret` (one signature).
    pub methods: Vec<String>,
    /// `Lpkg/Cls;->NAME` with an optional `:Type`.
    pub fields: Vec<String>,
    /// Exact `const-string` values.
    pub strings: Vec<String>,
    /// Prefixes of `const-string` values (content URIs and the like).
    pub string_prefixes: Vec<String>,
    /// Class descriptors whose mere reference is evidence.
    pub classes: Vec<String>,
    /// Framework callbacks, `Lpkg/Cls;->name` (every overload) or with `(args)Ret`: a class of
    /// the app that extends or implements `Lpkg/Cls;` and defines such a method receives the data.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<String>,
    /// Permissions of which any one lets the call succeed.
    pub permissions: Vec<String>,
    /// A method or field use counts only in a calling method that also loads one of `strings`
    /// (`Settings.Secure.getString` is ANDROID_ID only next to `"android_id"`).
    pub with_strings: bool,
    pub conditions: Vec<Condition>,
    /// When a use of this API is context (what code reads to work) rather than collection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<ApiContext>,
    /// Apps that target an API level below this one need none of `permissions` (package
    /// visibility, for one, only exists from API 30).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permission_free_below_target_sdk: Option<u32>,
    pub doc: Doc,
    #[serde(skip)]
    pub origin: Origin,
}

/// Imported symbols of native libraries that collect a category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NativeRule {
    pub id: String,
    pub categories: Vec<String>,
    pub symbols: Vec<String>,
    pub doc: Doc,
    #[serde(skip)]
    pub origin: Origin,
}

/// A well-known non-tracking library: calls made inside it are attributed to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LibraryRule {
    pub id: String,
    pub name: String,
    /// Java package prefixes in dot form ending with `.`, or exact class names.
    pub code: Vec<String>,
    pub doc: Doc,
    #[serde(skip)]
    pub origin: Origin,
}

/// A tracker SDK: its code, its hosts, its manifest keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrackerRule {
    pub id: String,
    pub name: String,
    /// Exodus Privacy / ETIP tracker id, when the rule was converted from it.
    pub etip: Option<u32>,
    pub website: Option<String>,
    /// An [`Owner`] id.
    pub owner: Option<String>,
    pub categories: Vec<String>,
    /// Java package prefixes in dot form ending with `.`, or exact class names.
    pub code: Vec<String>,
    /// Host suffixes matched at a label boundary.
    pub hosts: Vec<String>,
    /// Manifest `<meta-data android:name>` keys.
    pub meta_data: Vec<String>,
    pub doc: Doc,
    #[serde(skip)]
    pub origin: Origin,
}

/// An organisation that runs network hosts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Owner {
    pub id: String,
    pub name: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub hosts: Vec<String>,
    pub doc: Doc,
    #[serde(skip)]
    pub origin: Origin,
}

/// Strings that look like URLs or hosts but are no network endpoint: dropped, or reported as
/// links (pages shown to people) according to `report_as`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotEndpoint {
    pub id: String,
    /// Host suffixes (label boundary), for URLs and bare hosts.
    pub hosts: Vec<String>,
    /// URL prefixes with their scheme (scheme compared case-insensitively).
    pub url_prefixes: Vec<String>,
    /// `host/path` prefixes without scheme: a URL matches when it continues past the prefix.
    pub page_prefixes: Vec<String>,
    /// Bare strings (no scheme) that are identifiers: the name itself, or any name it starts
    /// followed by a dot (`msg` covers `msg.pkg.int`).
    pub bare_names: Vec<String>,
    /// Path segments (lower-cased, without extension, up to a `-` or `_`) that mark a page:
    /// `privacy` covers `/privacy-policy.html`. Not applied to URLs shaped like API calls.
    pub path_words: Vec<String>,
    /// First labels of host names that serve pages (`support` for `support.example.com`). Not
    /// applied to URLs shaped like API calls.
    pub first_labels: Vec<String>,
    pub report_as: ReportAs,
    pub doc: Doc,
    #[serde(skip)]
    pub origin: Origin,
}

/// A known library's use of sensitive APIs that serves the library itself (AppCompat's night
/// mode reading the last location to compute sunset): such a use is `possible`, not collection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlumbingRule {
    pub id: String,
    /// `[[api]]` rule ids.
    pub apis: Vec<String>,
    /// Calling code: Java package prefixes in dot form ending with `.`, or exact class names.
    pub code: Vec<String>,
    pub doc: Doc,
    #[serde(skip)]
    pub origin: Origin,
}

/// A network sink: calls of `methods` send the string passed at position `argument` of the
/// invoke's register list (the receiver of an instance method is 0) to the network, so an
/// endpoint reaching it is one the code uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SinkRule {
    pub id: String,
    pub methods: Vec<String>,
    pub argument: u8,
    pub doc: Doc,
    #[serde(skip)]
    pub origin: Origin,
}

/// A split permission: holding `from` also grants `grants` to apps targeting an API level below
/// `below_target_sdk` (Android's `split-permission` list; with no level, to every app).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SplitPermission {
    pub id: String,
    pub from: String,
    pub grants: Vec<String>,
    pub below_target_sdk: Option<u32>,
    pub doc: Doc,
    #[serde(skip)]
    pub origin: Origin,
}

/// What a `[[not_endpoint]]` match makes of a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ReportAs {
    /// Not reported at all (namespaces, identifiers, placeholders).
    #[default]
    Nothing,
    /// Reported with kind `link`: a page shown to people.
    Link,
    /// A documentation page: a `link` when the app's own code or its resources hold it,
    /// dropped when only libraries' code does (error texts of libraries, read by developers).
    Documentation,
}

impl ReportAs {
    /// The spelling of the rule files.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportAs::Nothing => "nothing",
            ReportAs::Link => "link",
            ReportAs::Documentation => "documentation",
        }
    }
}

/// One line of `dossier rules list`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct RuleRow {
    pub family: Family,
    pub id: String,
    pub categories: Vec<String>,
    pub what: String,
}
