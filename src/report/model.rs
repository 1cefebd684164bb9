//! The report model: what `dossier scan` found, as plain data with a versioned, documented schema.
//!
//! JSON is the contract (see `docs/report-schema.md` and `docs/report.schema.json`): every array is
//! sorted by its natural key and every id is stable, so that two reports of the same input are equal
//! byte for byte and two versions of an app diff cleanly. Renderers read this model; nothing here
//! knows how it is displayed.

use serde::{Deserialize, Serialize};

use crate::anomaly::Anomaly;

pub use crate::container::InputKind;

/// Bumped on any change to the JSON shape: major for removals and renames, minor for additions.
pub const SCHEMA_VERSION: &str = "2.2";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: String,
    pub tool: ToolInfo,
    /// Whether every part of the input could be read; `partial` says what was not.
    pub status: ScanStatus,
    /// What the report was narrowed to (`scan --category`, `--collector`); null for the whole
    /// report (a 2.0 report, without the key, reads as whole).
    #[serde(default)]
    pub filter: Option<super::filter::ReportFilter>,
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
    /// Components other apps can start or bind (exported), sorted by (kind, name).
    pub exported_components: Vec<ExportedComponent>,
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
    pub kind: InputKind,
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
#[non_exhaustive]
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
    /// True when `evidence` was cut at its cap (some evidence is not listed).
    pub truncated: bool,
    /// What the evidence supports: the app collects the data, might, or cannot.
    pub verdict: Verdict,
    /// Why, in one sentence a reader can repeat: who collects it, or what holds it back.
    pub verdict_reason: String,
    /// Collector ids whose evidence makes the category `collected`, sorted; empty otherwise.
    pub collected_by: Vec<String>,
}

/// What a category's evidence supports, judged by `analysis::verdict` from the standing of each
/// evidence item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Verdict {
    /// Code of the app or of an SDK in it calls the API, holding the permission it needs, and
    /// no rule says the call serves something else.
    Collected,
    /// Something points at the data but does not show it gathered: a permission or component
    /// only declared, an API only referenced, named by reflection or imported by a native
    /// library, a bundled SDK known to collect it, or calls that are plumbing or context.
    Possible,
    /// Every call to the data needs a permission the app does not hold, judged on its target
    /// SDK with Android's split permissions: on current Android, the calls return nothing.
    Blocked,
}

/// How one evidence item counts toward its category's verdict.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Standing {
    /// A call or read that gathers the data: it makes the category `collected`.
    Collects,
    /// A call that needs a permission the app does not hold.
    Blocked,
    /// A known library's use for its own function (a `[[plumbing]]` rule, named in `exemption`).
    Plumbing,
    /// A call made inside the SDK that defines the API (its implementation, not a use).
    Implementation,
    /// A generic API read in code where it is context, not collection (the rule's `context`).
    Context,
    /// A call or read that would collect, in code no entry point of the app reaches (schema 2.2):
    /// a library's method nothing calls, a callback of a class nothing instantiates.
    Unreachable,
    /// Evidence weaker than a call: referenced, reflective, native, or a bundled tracker SDK.
    Weak,
    /// Only the manifest says so: a permission, a component, meta-data.
    #[default]
    Declared,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
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
    /// A class of the app that extends or implements a framework type and overrides one of its
    /// data callbacks (`PhoneStateListener.onCallStateChanged`): no instruction calls it, the
    /// system does, handing it the data whenever the class is registered. The location is the
    /// overriding method (no code offset); the detail the framework method it overrides.
    Override,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Evidence {
    pub kind: EvidenceKind,
    /// The id of the rule that matched.
    pub rule: String,
    pub strength: Strength,
    /// What matched: a permission name, an API signature, a string, a symbol.
    pub detail: String,
    /// Where: the manifest, a DEX method (with the code offset of the instruction), a native
    /// library; `null` when the evidence has no one place (an API named only in a DEX id table
    /// of a report made without call sites).
    pub location: Option<Location>,
    /// The collector id of the code at `location`, when it is code.
    pub collector: Option<String>,
    /// How this item counts toward the category's verdict.
    pub standing: Standing,
    /// For `plumbing`: the id of the `[[plumbing]]` rule that exempts it.
    pub exemption: Option<String>,
    /// For `collects`: one path from an entry point of the app to the method at `location`, the
    /// entry first (schema 2.2). `None` when reachability is not known (see the report's
    /// `Coverage` of the call graph) or for evidence that is not code.
    #[serde(default)]
    pub path: Option<Vec<PathStep>>,
}

/// One method on a path from an entry point (schema 2.2).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PathStep {
    /// How the method is reached: for the first step, the kind of entry point.
    pub via: Via,
    /// Class descriptor, `Lcom/example/Foo;`.
    pub class: String,
    pub method: String,
    /// `(Ljava/lang/String;)V`.
    pub proto: String,
}

/// How a method is reached (schema 2.2). The first seven are entry points: how Android or code
/// the analysis cannot follow starts a class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Via {
    /// A component of a manifest (activity or alias target, service, receiver, provider): the
    /// system instantiates it and calls its lifecycle methods.
    Component,
    /// The `Application` class of the manifest.
    Application,
    /// Named elsewhere in a manifest: meta-data (androidx.startup initialisers, SDK settings), a
    /// backup agent, a component factory.
    Manifest,
    /// Named by a resource: a custom view or fragment of a layout, a preference, a navigation
    /// destination, inflated by name.
    Resource,
    /// Named by a native library: the class of a `Java_*` export, or a class name among its
    /// strings (`FindClass`, `RegisterNatives`).
    Native,
    /// Named by a string of the code or of a text asset: reflection may load it.
    String,
    /// A `public static main(String[])`: a program the shell can start with `app_process`
    /// (`CLASSPATH=app.apk app_process / com.x.Main`), as device agents and test tools do.
    Main,
    /// Invoked by the previous method, directly or by dispatch to a class instantiated in
    /// reachable code.
    Call,
    /// Called by the framework on an instance of a class that extends or implements a framework
    /// type: a lifecycle method, a listener, a `Runnable`, a receiver registered at run time.
    Callback,
    /// A static initialiser, run when reachable code first uses its class.
    StaticInit,
    /// Any method of an instantiated class, once reachable code enumerates methods by reflection
    /// or hands objects to JavaScript.
    Reflective,
}

impl Via {
    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Component => "component",
            Via::Application => "application",
            Via::Manifest => "manifest",
            Via::Resource => "resource",
            Via::Native => "native",
            Via::String => "string",
            Via::Main => "main",
            Via::Call => "call",
            Via::Callback => "callback",
            Via::StaticInit => "static_init",
            Via::Reflective => "reflective",
        }
    }
}

/// A place in the input: an entry of the APK (of a split-set member), and inside a DEX entry the
/// class, method and code offset. Written as structured fields so that no consumer has to split
/// a string (entry names may hold spaces, `!` or `->`).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Location {
    /// The split-set member holding the entry (`splits/editor-master.apk`); `null` for a lone
    /// APK, a JAR or a bare DEX.
    pub member: Option<String>,
    /// The entry inside the APK: `AndroidManifest.xml`, `classes2.dex`, `lib/x86_64/libz.so`,
    /// `assets/config.json`; the file name for a bare DEX. A DEX copy Android does not load gets
    /// `#<entry index>` appended, a later section of a version 041 container `#<section>`.
    pub entry: String,
    /// Class descriptor (`Lcom/example/Foo;`) of the code, inside a DEX entry.
    pub class: Option<String>,
    /// Method name, inside `class`.
    pub method: Option<String>,
    /// Method prototype (`(Ljava/lang/String;)V`), with `method`.
    pub proto: Option<String>,
    /// Offset in 16-bit code units of the instruction inside the method (as `dexdump -d` prints
    /// it), when one instruction is meant.
    pub offset: Option<u32>,
}

impl Location {
    /// An entry of the input (of a member, in a split set).
    pub fn entry(member: Option<&str>, entry: impl Into<String>) -> Location {
        Location {
            member: member.map(str::to_owned),
            entry: entry.into(),
            ..Location::default()
        }
    }

    /// A method of a DEX entry, optionally one instruction in it.
    pub fn code(
        member: Option<&str>,
        entry: impl Into<String>,
        class: impl Into<String>,
        method: impl Into<String>,
        proto: impl Into<String>,
        offset: Option<u32>,
    ) -> Location {
        Location {
            member: member.map(str::to_owned),
            entry: entry.into(),
            class: Some(class.into()),
            method: Some(method.into()),
            proto: Some(proto.into()),
            offset,
        }
    }

    /// `member!entry`, or `entry`: the artifact a SARIF consumer or a reader opens.
    pub fn artifact(&self) -> String {
        match &self.member {
            Some(member) => format!("{member}!{}", self.entry),
            None => self.entry.clone(),
        }
    }

    /// `Lcom/x/Y;->m(I)V`, when the location is a method.
    pub fn method_signature(&self) -> Option<String> {
        let class = self.class.as_deref()?;
        match (&self.method, &self.proto) {
            (Some(name), Some(proto)) => Some(format!("{class}->{name}{proto}")),
            (Some(name), None) => Some(format!("{class}->{name}")),
            _ => Some(class.to_owned()),
        }
    }
}

impl std::fmt::Display for Location {
    /// For people: `member!entry`, then the method and the code offset when there are.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.artifact())?;
        if let Some(method) = self.method_signature() {
            write!(f, " {method}")?;
        }
        if let Some(offset) = self.offset {
            write!(f, " @{offset:04x}")?;
        }
        Ok(())
    }
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
    /// Sorted by location (member, entry, class, method, proto, offset), then collector.
    pub sites: Vec<CallSite>,
    /// True when `sites` was cut at its cap (some sites are not listed).
    pub truncated: bool,
}

/// Where a sensitive API is used: the calling method and instruction, and who that code is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CallSite {
    pub location: Location,
    /// Collector id of the calling class.
    pub collector: String,
    /// True when no entry point of the app reaches the calling method (schema 2.2).
    #[serde(default)]
    pub unreachable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackerFinding {
    pub id: String,
    pub name: String,
    /// True when the app bundles classes of the SDK (`class_count` > 0). False for a hint: a
    /// host string or a manifest meta-data key names the SDK, but none of its code is bundled;
    /// a hint adds no category evidence.
    #[serde(default)]
    pub confirmed: bool,
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
    /// A network address the code can contact, or a page shown to people.
    pub kind: EndpointKind,
    pub host: String,
    pub port: Option<u16>,
    /// Owner id and display name, when the host belongs to a known organisation.
    pub owner: Option<String>,
    pub owner_name: Option<String>,
    /// ISO 3166-1 alpha-2 country of the owner.
    pub country: Option<String>,
    /// Tracker ids whose host signatures match.
    pub trackers: Vec<String>,
    /// Sorted by (kind, location, collector).
    pub sources: Vec<EndpointSource>,
    /// True when `sources` was cut at its cap.
    pub truncated: bool,
    /// The network APIs (`[[sink]]` rules' methods, as the code calls them) that the endpoint's
    /// string was seen reaching as the address argument, sorted; empty when it was not seen
    /// reaching one (schema 2.2 addition).
    #[serde(default)]
    pub used_by: Vec<String>,
}

/// What an endpoint is for (schema 2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EndpointKind {
    /// A network address the code can contact: an API base URL, a host, an IP address, a
    /// WebSocket URL.
    Endpoint,
    /// A page shown to people: a store page, help, privacy policy, terms, documentation, a
    /// social profile.
    Link,
}

impl EndpointKind {
    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            EndpointKind::Endpoint => "endpoint",
            EndpointKind::Link => "link",
        }
    }
}

/// How a string hid the URL it holds (schema 2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SourceEncoding {
    /// The whole string is base64 (standard or URL-safe alphabet) of the URL.
    Base64,
    /// The whole string is hexadecimal digits of the URL.
    Hex,
    /// The code builds the URL from constants (`StringBuilder.append`, `String.concat`) and
    /// passes it to a network API (schema 2.2 addition).
    Built,
}

impl SourceEncoding {
    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceEncoding::Base64 => "base64",
            SourceEncoding::Hex => "hex",
            SourceEncoding::Built => "built",
        }
    }
}

/// What kind of content an endpoint was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SourceKind {
    /// A string loaded by DEX code (`location` is the loading method).
    Dex,
    /// A value of the manifest (meta-data).
    Manifest,
    /// `resources.arsc` or a binary XML resource.
    Resource,
    /// A text asset (`assets/*.json`, a React Native bundle, ...).
    Asset,
    /// The strings of a native library.
    Native,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct EndpointSource {
    pub kind: SourceKind,
    pub location: Location,
    /// Collector id, when the source is code.
    pub collector: Option<String>,
    /// How the string encoded the URL; `None` when it was written in clear (schema 2.1).
    pub encoding: Option<SourceEncoding>,
}

/// A component of the manifest that other apps can reach: its kind, its class, and the
/// permission a caller needs, if any.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ExportedComponent {
    /// `activity`, `activity-alias`, `service`, `receiver` or `provider`.
    pub kind: String,
    /// The full class name as the manifest gives it.
    pub name: String,
    /// The permission a caller must hold (`android:permission`), if any.
    pub permission: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NativeLib {
    /// Where the library is: `lib/arm64-v8a/libfoo.so` (of a member, in a split set).
    pub location: Location,
    pub abi: String,
    /// DT_NEEDED libraries, sorted.
    pub needed: Vec<String>,
    /// Imported symbols that a rule maps to a category, sorted.
    pub imports: Vec<String>,
    /// `Java_*` JNI exports, sorted.
    pub jni_exports: Vec<String>,
    pub categories: Vec<String>,
}

/// Who a collector id stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CollectorKind {
    /// The app's own code.
    App,
    /// A known tracker SDK (a tracker rule).
    Tracker,
    /// A known library (a library rule).
    Library,
    /// A third-party package no rule names, or obfuscated code.
    Unidentified,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Collector {
    /// `app` for the app's own code; a tracker or library rule id otherwise.
    pub id: String,
    pub name: String,
    pub kind: CollectorKind,
}

/// Whether every part of the input was read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanStatus {
    pub state: ScanState,
    /// Why the scan is partial: each part of the input that could not be read or was cut short,
    /// sorted by (code, where, detail). Empty when complete.
    pub reasons: Vec<Anomaly>,
    /// Report lists cut at their cap (`endpoints`), sorted; each element with a list of its own
    /// that was cut says so with its `truncated` field.
    pub truncated: Vec<String>,
}

/// Anomaly codes after which findings may be missing: an entry that could not be inflated, a DEX
/// or library that could not be parsed, a budget that stopped a reader. Each is documented in
/// `docs/anomalies-*.md`.
pub const PARTIAL_CODES: &[&str] = &[
    "arsc.unreadable",
    "asset.unreadable",
    "axml.limit_reached",
    "axml.string_budget_exhausted",
    "dex.deadline",
    "dex.output_capped",
    "dex.unreadable",
    "dex.work_budget",
    "elf.partly_read",
    "elf.strings_capped",
    "elf.symbols_capped",
    "elf.unreadable",
    "manifest.unreadable",
    "resource.unreadable",
    "scan.asset_text_capped",
    "scan.memory_budget",
    "scan.resource_strings_capped",
    "scan.timeout",
    "scan.xml_resources_capped",
    "zip.split_member_unreadable",
];

impl ScanStatus {
    /// The status of a scan that noticed these anomalies: partial when any of them means a part
    /// of the input was not read ([`PARTIAL_CODES`]), which are then its reasons.
    pub fn from_anomalies(anomalies: &[Anomaly]) -> ScanStatus {
        let mut reasons: Vec<Anomaly> = anomalies
            .iter()
            .filter(|a| PARTIAL_CODES.contains(&a.code.as_str()))
            .cloned()
            .collect();
        crate::anomaly::normalize(&mut reasons);
        ScanStatus {
            state: if reasons.is_empty() {
                ScanState::Complete
            } else {
                ScanState::Partial
            },
            reasons,
            truncated: Vec::new(),
        }
    }
}

#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ScanState {
    /// Every entry that decides a finding (manifest, DEX, native libraries, resources, assets)
    /// was read whole.
    #[default]
    Complete,
    /// Some part could not be read or was cut by a limit: findings may be missing.
    Partial,
}

/// Identity of a finding across scans: what `diff` matches two reports on. Built from what the
/// finding is (ids, names, signatures, collectors), never from where it happens to sit (DEX file
/// numbering, split-member names, code offsets) nor from list order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FindingKey(pub String);

impl std::fmt::Display for FindingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn key(parts: &[&str]) -> FindingKey {
    // The unit separator cannot occur in ids, and app strings holding it stay unambiguous enough
    // for a key: parts are never split again.
    FindingKey(parts.join("\u{1f}"))
}

impl PermissionEntry {
    pub fn key(&self) -> FindingKey {
        key(&["permission", &self.name])
    }
}

impl CategoryFinding {
    pub fn key(&self) -> FindingKey {
        key(&["category", &self.id])
    }
}

impl Evidence {
    /// Kind, rule, what matched and who: the same evidence at another DEX position is the same.
    pub fn key(&self) -> FindingKey {
        let class = self
            .location
            .as_ref()
            .and_then(|l| l.class.as_deref())
            .unwrap_or("");
        let method = self
            .location
            .as_ref()
            .and_then(|l| l.method.as_deref())
            .unwrap_or("");
        key(&[
            "evidence",
            kind_word(self.kind),
            &self.rule,
            &self.detail,
            self.collector.as_deref().unwrap_or(""),
            class,
            method,
        ])
    }
}

impl ApiCall {
    pub fn key(&self) -> FindingKey {
        key(&["api_call", &self.rule, &self.api])
    }
}

impl CallSite {
    /// The calling method and its collector, without the DEX entry, member or offset.
    pub fn key(&self) -> FindingKey {
        let l = &self.location;
        key(&[
            "call_site",
            l.class.as_deref().unwrap_or(""),
            l.method.as_deref().unwrap_or(""),
            l.proto.as_deref().unwrap_or(""),
            &self.collector,
        ])
    }
}

impl TrackerFinding {
    pub fn key(&self) -> FindingKey {
        key(&["tracker", &self.id])
    }
}

impl Endpoint {
    pub fn key(&self) -> FindingKey {
        key(&["endpoint", &self.url])
    }
}

impl NativeLib {
    /// ABI and entry, without the split member that carries it.
    pub fn key(&self) -> FindingKey {
        key(&["native_lib", &self.location.entry])
    }
}

impl SourceKind {
    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Dex => "dex",
            SourceKind::Manifest => "manifest",
            SourceKind::Resource => "resource",
            SourceKind::Asset => "asset",
            SourceKind::Native => "native",
        }
    }
}

impl CollectorKind {
    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            CollectorKind::App => "app",
            CollectorKind::Tracker => "tracker",
            CollectorKind::Library => "library",
            CollectorKind::Unidentified => "unidentified",
        }
    }
}

impl ScanState {
    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ScanState::Complete => "complete",
            ScanState::Partial => "partial",
        }
    }
}

/// The JSON spelling of an input kind.
pub fn input_kind_str(kind: InputKind) -> &'static str {
    match kind {
        InputKind::Apk => "apk",
        InputKind::SplitSet => "split_set",
        InputKind::Dex => "dex",
        InputKind::Jar => "jar",
    }
}

fn kind_word(kind: EvidenceKind) -> &'static str {
    match kind {
        EvidenceKind::Permission => "permission",
        EvidenceKind::Component => "component",
        EvidenceKind::MetaData => "meta_data",
        EvidenceKind::ApiCall => "api_call",
        EvidenceKind::FieldRead => "field_read",
        EvidenceKind::ApiReference => "api_reference",
        EvidenceKind::String => "string",
        EvidenceKind::Reflection => "reflection",
        EvidenceKind::NativeImport => "native_import",
        EvidenceKind::Tracker => "tracker",
        EvidenceKind::Host => "host",
        EvidenceKind::Override => "override",
    }
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
            sort_strings(&mut category.collected_by);
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
        sort_then_json(&mut self.native_libs, |a, b| a.location.cmp(&b.location));
        self.exported_components.sort();
        self.exported_components.dedup();

        self.collectors.sort();
        self.collectors.dedup();

        crate::anomaly::normalize(&mut self.anomalies);
        crate::anomaly::normalize(&mut self.status.reasons);
        sort_strings(&mut self.status.truncated);
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
