//! The report model: what `dossier scan` found, as plain data with a versioned, documented schema.
//!
//! JSON is the contract (see `docs/report-schema.md` and `docs/report.schema.json`): every array is
//! sorted by its natural key and every id is stable, so that two reports of the same input are equal
//! byte for byte and two versions of an app diff cleanly. Renderers read this model; nothing here
//! knows how it is displayed.

use serde::{Deserialize, Serialize};

use crate::anomaly::Anomaly;

/// Bumped on any change to the JSON shape: major for removals and renames, minor for additions.
pub const SCHEMA_VERSION: &str = "1.0";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: String,
    pub tool: ToolInfo,
    pub input: InputInfo,
    pub app: AppInfo,
    /// Requested permissions (`uses-permission` and `uses-permission-sdk-23`), sorted by name.
    pub permissions: Vec<PermissionEntry>,
    /// Data categories with evidence, sorted by id (taxonomy ids).
    pub categories: Vec<CategoryFinding>,
    /// Sensitive framework methods and fields the code uses, sorted by `api`.
    pub api_calls: Vec<ApiCall>,
    /// Third-party SDKs found, sorted by id.
    pub trackers: Vec<TrackerFinding>,
    /// URLs, hosts and IP addresses found, sorted by `url`.
    pub endpoints: Vec<Endpoint>,
    /// Native libraries (`lib/<abi>/*.so`), sorted by path.
    pub native_libs: Vec<NativeLib>,
    /// Who the collector ids used above stand for, sorted by id.
    pub collectors: Vec<Collector>,
    /// What the input does that Android tolerates but a careful reader should know, sorted.
    pub anomalies: Vec<Anomaly>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolInfo {
    pub name: String,
    pub version: String,
    /// sha256 of the effective rule set, so a report says which rules produced it.
    pub rules_digest: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputInfo {
    /// The path as given on the command line.
    pub path: String,
    pub sha256: String,
    pub size: u64,
    /// `apk`, `split_set`, `dex` or `jar`.
    pub kind: String,
    /// For split sets: the member APKs, base first then sorted; empty otherwise.
    pub members: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppInfo {
    pub package: Option<String>,
    pub version_code: Option<u64>,
    pub version_name: Option<String>,
    pub min_sdk: Option<u32>,
    pub target_sdk: Option<u32>,
    pub label: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionEntry {
    pub name: String,
    /// AOSP protection level (`dangerous`, `normal`, `signature|privileged`, ...); None for non-platform permissions.
    pub protection: Option<String>,
    pub max_sdk: Option<u32>,
    /// Requested with `uses-permission-sdk-23` (granted only on API 23 and later).
    pub sdk23: bool,
    /// Category ids this permission reveals, sorted.
    pub categories: Vec<String>,
}

/// How sure a finding is, weakest first; a category's strength is that of its strongest evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strength {
    /// Only the manifest says so (a permission, a component, meta-data).
    Declared,
    /// The API is in a DEX's reference tables, but no instruction uses it.
    Referenced,
    /// Class and member names appear as strings next to reflection calls.
    Reflective,
    /// Found in a native library (an imported symbol).
    Native,
    /// An instruction invokes the method or reads the field.
    Called,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryFinding {
    /// A taxonomy id, e.g. `location_precise`.
    pub id: String,
    pub title: String,
    pub strength: Strength,
    /// Collector ids (see `Report::collectors`), sorted.
    pub collectors: Vec<String>,
    /// Google Play Data safety category › type.
    pub play: String,
    /// Apple App Privacy type.
    pub apple: String,
    /// Sorted by (strength descending, kind, rule, detail, location).
    pub evidence: Vec<Evidence>,
    /// Caveats: a permission the app does not request, a target-SDK rule that blocks the call, ...
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    Permission,
    Component,
    MetaData,
    ApiCall,
    FieldRead,
    ApiReference,
    String,
    Reflection,
    NativeImport,
    /// A tracker's code (classes under its prefixes), or the tracker's presence behind a category.
    Tracker,
    /// A host that a tracker's network signature names, found among the endpoints.
    Host,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Evidence {
    pub kind: EvidenceKind,
    /// The id of the rule that matched.
    pub rule: String,
    pub strength: Strength,
    /// What matched: a permission name, an API signature, a string, a symbol.
    pub detail: String,
    /// Where: `AndroidManifest.xml`, `classes2.dex Lcom/x/Y;->m()V`, `lib/arm64-v8a/libz.so`.
    pub location: String,
    /// The collector id of the code at `location`, when it is code.
    pub collector: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiCall {
    /// `Lpkg/Cls;->name(Args)Ret` for methods, `Lpkg/Cls;->NAME:Type` for fields.
    pub api: String,
    /// The rule that made it sensitive.
    pub rule: String,
    pub categories: Vec<String>,
    pub strength: Strength,
    /// Permissions the API needs (any one of them) that the app does not request; empty when fine.
    pub missing_permissions: Vec<String>,
    /// Sorted by (dex, class, method).
    pub sites: Vec<Site>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Site {
    /// `classes2.dex`, or `split_editor.apk!classes.dex` in a split set.
    pub dex: String,
    /// `Lcom/example/Foo;`
    pub class: String,
    /// `Lcom/example/Foo;->bar(Ljava/lang/String;)V`
    pub method: String,
    /// Collector id of `class`.
    pub collector: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackerFinding {
    pub id: String,
    pub name: String,
    pub categories: Vec<String>,
    /// Owner id (see endpoints rules), its display name and its country, when known.
    pub owner: Option<String>,
    pub owner_name: Option<String>,
    pub country: Option<String>,
    pub website: Option<String>,
    /// How many classes of the app fall under the tracker's code prefixes.
    pub class_count: u64,
    /// At least one item: class prefix, host or manifest meta-data that matched.
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoint {
    /// The URL as found (`https://host:port/path`), or the bare host / IP address.
    pub url: String,
    pub host: String,
    pub port: Option<u16>,
    /// Owner id and display name, when the host belongs to a known organisation.
    pub owner: Option<String>,
    pub owner_name: Option<String>,
    /// ISO 3166-1 alpha-2 country of the owner.
    pub country: Option<String>,
    /// Tracker ids whose host signatures match.
    pub trackers: Vec<String>,
    /// Sorted by (kind, location).
    pub sources: Vec<Source>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Source {
    /// `dex`, `manifest`, `resource`, `asset` or `native`.
    pub kind: String,
    /// `classes.dex Lcom/x/Y;->m()V`, `resources.arsc`, `assets/index.android.bundle`, `lib/x86_64/libz.so`.
    pub location: String,
    /// Collector id, when the source is code.
    pub collector: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NativeLib {
    /// `lib/arm64-v8a/libfoo.so`, prefixed with the member in a split set.
    pub path: String,
    pub abi: String,
    /// DT_NEEDED libraries, sorted.
    pub needed: Vec<String>,
    /// Imported symbols that a rule maps to a category, sorted.
    pub imports: Vec<String>,
    /// `Java_*` JNI exports, sorted.
    pub jni_exports: Vec<String>,
    pub categories: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Collector {
    /// `app` for the app's own code; a tracker or library rule id otherwise.
    pub id: String,
    pub name: String,
    /// `app`, `tracker`, `library`, or `unidentified` (a third-party package no rule names, or
    /// obfuscated code).
    pub kind: String,
}

impl Report {
    /// Puts every array in its documented order and drops exact duplicates, so that the same
    /// findings always serialize to the same bytes whatever order the analysis produced them in.
    ///
    /// Order of each array (see `docs/report-schema.md`): permissions by name, categories by id,
    /// evidence by (strength descending, kind, rule, detail, location, collector), api calls by
    /// (api, rule), sites by (dex, class, method, collector), trackers by id, endpoints by url,
    /// sources by (kind, location, collector), native libraries by path, collectors by id,
    /// anomalies by (code, where, detail); plain string lists alphabetically. `input.members` keeps
    /// the order the container reader gave (base first), which carries meaning.
    /// Two elements with the same key but different content are both kept, ordered by their JSON
    /// text, so that the result never depends on the input order.
    pub fn normalize(&mut self) {
        for permission in &mut self.permissions {
            sort_strings(&mut permission.categories);
        }
        sort_then_json(&mut self.permissions, |a, b| a.name.cmp(&b.name));

        for category in &mut self.categories {
            sort_strings(&mut category.collectors);
            sort_evidence(&mut category.evidence);
            sort_strings(&mut category.notes);
        }
        sort_then_json(&mut self.categories, |a, b| a.id.cmp(&b.id));

        for call in &mut self.api_calls {
            sort_strings(&mut call.categories);
            sort_strings(&mut call.missing_permissions);
            call.sites.sort();
            call.sites.dedup();
        }
        sort_then_json(&mut self.api_calls, |a, b| {
            a.api.cmp(&b.api).then_with(|| a.rule.cmp(&b.rule))
        });

        for tracker in &mut self.trackers {
            sort_strings(&mut tracker.categories);
            sort_evidence(&mut tracker.evidence);
        }
        sort_then_json(&mut self.trackers, |a, b| a.id.cmp(&b.id));

        for endpoint in &mut self.endpoints {
            sort_strings(&mut endpoint.trackers);
            endpoint.sources.sort();
            endpoint.sources.dedup();
        }
        sort_then_json(&mut self.endpoints, |a, b| a.url.cmp(&b.url));

        for lib in &mut self.native_libs {
            sort_strings(&mut lib.needed);
            sort_strings(&mut lib.imports);
            sort_strings(&mut lib.jni_exports);
            sort_strings(&mut lib.categories);
        }
        sort_then_json(&mut self.native_libs, |a, b| a.path.cmp(&b.path));

        self.collectors.sort();
        self.collectors.dedup();

        crate::anomaly::normalize(&mut self.anomalies);
    }
}

fn sort_strings(items: &mut Vec<String>) {
    items.sort();
    items.dedup();
}

/// Strongest evidence first: a reader scanning the list sees the call sites before the permission.
fn sort_evidence(items: &mut Vec<Evidence>) {
    items.sort_by(|a, b| {
        b.strength
            .cmp(&a.strength)
            .then_with(|| a.kind.cmp(&b.kind))
            .then_with(|| a.rule.cmp(&b.rule))
            .then_with(|| a.detail.cmp(&b.detail))
            .then_with(|| a.location.cmp(&b.location))
            .then_with(|| a.collector.cmp(&b.collector))
    });
    items.dedup();
}

/// Sorts by `by_key` (which compares the documented key); ties (same key, different content) fall
/// back to the element's JSON text, which is a total order over everything that reaches the
/// output. Exact duplicates are then removed.
fn sort_then_json<T, F>(items: &mut Vec<T>, by_key: F)
where
    T: Serialize + PartialEq,
    F: Fn(&T, &T) -> std::cmp::Ordering,
{
    items.sort_by(|a, b| {
        by_key(a, b).then_with(|| {
            // Serializing these plain structs cannot fail (no maps, no non-string keys); an
            // empty string would only make the tie-break weaker, never panic.
            let a_text = serde_json::to_string(a).unwrap_or_default();
            let b_text = serde_json::to_string(b).unwrap_or_default();
            a_text.cmp(&b_text)
        })
    });
    items.dedup();
}
