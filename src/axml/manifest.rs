//! The typed manifest: what `AndroidManifest.xml` declares, read the way Android's package
//! parser reads it (`frameworks/base/core/java/android/content/pm/PackageParser.java` and its
//! successor `ParsingPackageUtils` / `ParsedActivityUtils` / `ComponentParseUtils`), with values
//! resolved through `resources.arsc`.
//!
//! Attributes are matched by framework resource id (see [`Attribute::is_android`]), class names
//! are qualified like `PackageParser.buildClassName`, and `exported` is the effective value with
//! the reason it has it. Every list is sorted so that two runs print the same thing.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::anomaly::Anomaly;

use super::arsc::{ResolveError, ResourceTable};
use super::limits::Recorder;
use super::value::Value;
use super::xml::{Attribute, Element, XmlDocument};

/// Longest string copied into the manifest; longer ones are cut (real names are far shorter).
pub const MAX_FIELD_BYTES: usize = 4096;
/// Bytes of strings one manifest may copy in total.
pub const MAX_MANIFEST_BYTES: usize = 32 << 20;
/// `Build.VERSION_CODES.CUR_DEVELOPMENT`: what a codename SDK version means.
const CUR_DEVELOPMENT: u32 = 10_000;
/// Targeting this SDK or later, a component with an intent filter must say `exported`.
const SDK_EXPORTED_REQUIRED: u32 = 31;
/// Below this target SDK, providers are exported unless they say otherwise.
const SDK_PROVIDER_PRIVATE_DEFAULT: u32 = 17;

/// A requested permission (`uses-permission`, `uses-permission-sdk-23`, `uses-permission-sdk-m`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct UsesPermission {
    pub name: String,
    /// `android:maxSdkVersion`: requested only up to this SDK.
    pub max_sdk: Option<u32>,
    /// Requested only on API 23+ (every declaration was an sdk-23 form).
    pub sdk23: bool,
}

/// A permission the app defines (`<permission>`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct DeclaredPermission {
    pub name: String,
    /// `normal`, `dangerous`, `signature|privileged`, ...
    pub protection_level: String,
    pub group: Option<String>,
}

/// `<application>` attributes, as declared (`None` when absent).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Application {
    pub label: Option<String>,
    pub debuggable: Option<bool>,
    pub allow_backup: Option<bool>,
    pub uses_cleartext_traffic: Option<bool>,
    /// `@xml/network_security_config` (or `@0x7f…` when the table does not name it).
    pub network_security_config: Option<String>,
    /// The `Application` subclass, fully qualified.
    pub name: Option<String>,
    pub permission: Option<String>,
}

/// `<data>` inside an intent filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct IntentData {
    pub scheme: Option<String>,
    pub host: Option<String>,
    pub port: Option<String>,
    pub path: Option<String>,
    pub path_prefix: Option<String>,
    pub path_pattern: Option<String>,
    pub mime_type: Option<String>,
}

/// An `<intent-filter>` (also used for `<queries><intent>`).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct IntentFilter {
    pub actions: Vec<String>,
    pub categories: Vec<String>,
    pub data: Vec<IntentData>,
}

/// Why a component has the `exported` value it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportedReason {
    /// `android:exported` was given.
    Explicit,
    /// No `exported`, but an intent filter: exported (refused on targetSdk 31+).
    IntentFilter,
    /// A provider without `exported` in an app targeting SDK < 17.
    ProviderLegacyDefault,
    /// Not exported by default.
    Default,
}

/// An app component.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Component {
    /// `activity`, `activity-alias`, `service`, `receiver` or `provider`.
    pub kind: String,
    pub name: String,
    pub exported: bool,
    pub exported_reason: ExportedReason,
    pub permission: Option<String>,
    pub read_permission: Option<String>,
    pub write_permission: Option<String>,
    pub authorities: Vec<String>,
    pub target_activity: Option<String>,
    pub intent_filters: Vec<IntentFilter>,
}

/// A `<meta-data>` entry.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct MetaData {
    /// `application` or the component's full name.
    #[serde(rename = "where")]
    pub location: String,
    pub name: String,
    /// `android:value`, resolved through resources when it is a reference.
    pub value: Option<String>,
    /// The raw reference (`@0x7f…`) of `android:value` or `android:resource`, if any.
    pub resource: Option<String>,
    /// The resource's name (`xml/file_paths`), when the table knows it.
    pub resource_name: Option<String>,
}

/// `<queries>`: what other apps this one wants to see (API 30+ package visibility).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Queries {
    pub packages: Vec<String>,
    pub intents: Vec<IntentFilter>,
    pub providers: Vec<String>,
}

/// `<uses-feature>`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct UsesFeature {
    /// The feature name, or `glEsVersion=0x…` for an OpenGL ES requirement.
    pub name: String,
    pub required: bool,
}

/// `<uses-library>`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct UsesLibrary {
    pub name: String,
    pub required: bool,
}

/// The typed manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Manifest {
    pub package: Option<String>,
    /// `versionCodeMajor << 32 | versionCode`.
    pub version_code: Option<u64>,
    pub version_name: Option<String>,
    pub min_sdk: Option<u32>,
    pub target_sdk: Option<u32>,
    /// `android:compileSdkVersion`, else `platformBuildVersionCode`.
    pub compile_sdk: Option<u32>,
    pub split: Option<String>,
    pub permissions: Vec<UsesPermission>,
    pub declared_permissions: Vec<DeclaredPermission>,
    pub application: Option<Application>,
    pub components: Vec<Component>,
    pub meta_data: Vec<MetaData>,
    pub queries: Queries,
    pub uses_features: Vec<UsesFeature>,
    pub uses_libraries: Vec<UsesLibrary>,
    /// The document's anomalies and the manifest's own, sorted.
    pub anomalies: Vec<Anomaly>,
}

/// Names of `PermissionInfo` protection levels: the base (low 4 bits) and the flags.
const PROTECTION_BASES: [&str; 5] = [
    "normal",
    "dangerous",
    "signature",
    "signatureOrSystem",
    "internal",
];
const PROTECTION_FLAGS: [(u32, &str); 23] = [
    (0x10, "privileged"),
    (0x20, "development"),
    (0x40, "appop"),
    (0x80, "pre23"),
    (0x100, "installer"),
    (0x200, "verifier"),
    (0x400, "preinstalled"),
    (0x800, "setup"),
    (0x1000, "instant"),
    (0x2000, "runtime"),
    (0x4000, "oem"),
    (0x8000, "vendorPrivileged"),
    (0x1_0000, "textClassifier"),
    (0x2_0000, "wellbeing"),
    (0x4_0000, "documenter"),
    (0x8_0000, "configurator"),
    (0x10_0000, "incidentReportApprover"),
    (0x20_0000, "appPredictor"),
    (0x40_0000, "module"),
    (0x80_0000, "companion"),
    (0x100_0000, "retailDemo"),
    (0x200_0000, "recents"),
    (0x400_0000, "role"),
];

/// `protectionLevel` flags as `base|flag|flag` (`PermissionInfo.protectionToString` spelling).
pub fn protection_level_name(level: u32) -> String {
    let base = (level & 0xf) as usize;
    let mut text = PROTECTION_BASES
        .get(base)
        .map_or_else(|| format!("base{base}"), |b| (*b).to_owned());
    let mut known = 0xf;
    for (bit, name) in PROTECTION_FLAGS {
        known |= bit;
        if level & bit != 0 {
            text.push('|');
            text.push_str(name);
        }
    }
    if level & 0x800_0000 != 0 {
        text.push_str("|knownSigner");
    }
    known |= 0x800_0000;
    if level & !known != 0 {
        text.push_str(&format!("|0x{:x}", level & !known));
    }
    text
}

/// Qualifies a class name against the package as `PackageParser.buildClassName` does: a leading
/// dot or no dot at all means "in the package".
pub fn qualify_class_name(package: &str, name: &str) -> String {
    if name.starts_with('.') {
        format!("{package}{name}")
    } else if !name.contains('.') {
        format!("{package}.{name}")
    } else {
        name.to_owned()
    }
}

impl Manifest {
    /// Builds the typed manifest from a decoded `AndroidManifest.xml`, resolving references
    /// through `resources` when given.
    pub fn from_document(doc: &XmlDocument, resources: Option<&ResourceTable>) -> Manifest {
        let mut builder = ManifestBuilder {
            doc,
            resources,
            rec: Recorder::default(),
            budget: MAX_MANIFEST_BYTES,
        };
        let mut manifest = Manifest::default();
        builder.rec.extend(doc.anomalies.iter().cloned());
        if let Some(root) = doc.root() {
            builder.read(root, &mut manifest);
        }
        manifest.anomalies = builder.rec.finish(&doc.location);
        manifest
    }

    /// Permission names, sorted.
    pub fn permission_names(&self) -> Vec<&str> {
        self.permissions.iter().map(|p| p.name.as_str()).collect()
    }
}

struct ManifestBuilder<'a> {
    doc: &'a XmlDocument,
    resources: Option<&'a ResourceTable>,
    rec: Recorder,
    budget: usize,
}

impl<'a> ManifestBuilder<'a> {
    fn at(&self, element: &Element) -> String {
        format!("{}@0x{:x}", self.doc.location, element.offset)
    }

    /// Copies a string into the manifest within the per-field and total budgets.
    fn own(&mut self, text: &str, element: &Element) -> String {
        let kept = crate::utf8::prefix_within(text, MAX_FIELD_BYTES.min(self.budget));
        let end = kept.len();
        if end < text.len() {
            let detail = format!(
                "a value of {} bytes in <{}> was cut to {end} bytes",
                text.len(),
                element.name
            );
            self.rec
                .record("manifest.string_truncated", self.at(element), detail);
        }
        self.budget -= end;
        kept.to_owned()
    }

    /// The attribute's value with references followed through the table. An unresolvable
    /// reference stays a reference and is recorded.
    fn resolve(&mut self, attr: &Attribute, element: &Element) -> Value {
        let Some(id) = attr.value.reference() else {
            return attr.value.clone();
        };
        // Framework resources (package 0x01) are not in an app's table; keep the reference.
        let in_table = self
            .resources
            .is_some_and(|t| t.has_package((id >> 24) as u8));
        if id >> 24 == 0x01 && !in_table {
            return attr.value.clone();
        }
        let outcome = match self.resources {
            None => Err("no resources.arsc".to_owned()),
            Some(table) => table
                .resolve(id)
                .map(|r| r.value)
                .map_err(|e: ResolveError| e.to_string()),
        };
        match outcome {
            Ok(value) => value,
            Err(why) => {
                let detail = format!(
                    "android:{} = @0x{id:08x} in <{}> does not resolve ({why}); kept as a reference",
                    attr.name, element.name
                );
                self.rec
                    .record("manifest.unresolved_reference", self.at(element), detail);
                attr.value.clone()
            }
        }
    }

    fn text_of(&mut self, attr: &Attribute, element: &Element) -> String {
        let value = self.resolve(attr, element);
        let text = match &value {
            Value::String(s) => s.to_string(),
            Value::Raw { .. } | Value::Null => attr
                .raw_value
                .as_deref()
                .map(str::to_owned)
                .unwrap_or_else(|| value.to_string()),
            other => other.to_string(),
        };
        self.own(&text, element)
    }

    fn android_text(&mut self, element: &Element, name: &str) -> Option<String> {
        let attr = element.android_attr(name)?;
        Some(self.text_of(attr, element))
    }

    fn android_bool(&mut self, element: &Element, name: &str) -> Option<bool> {
        let attr = element.android_attr(name)?;
        let value = self.resolve(attr, element);
        let parsed = value.as_bool();
        if parsed.is_none() {
            let detail = format!(
                "android:{name} in <{}> is {value}, not a boolean; ignored",
                element.name
            );
            self.rec
                .record("manifest.bad_value", self.at(element), detail);
        }
        parsed
    }

    fn android_int(&mut self, element: &Element, name: &str) -> Option<i64> {
        let attr = element.android_attr(name)?;
        let value = self.resolve(attr, element);
        let parsed = value.as_int();
        if parsed.is_none() {
            let detail = format!(
                "android:{name} in <{}> is {value}, not an integer; ignored",
                element.name
            );
            self.rec
                .record("manifest.bad_value", self.at(element), detail);
        }
        parsed
    }

    /// An SDK version: an integer, or a codename meaning "in development" (10000).
    fn sdk_version(&mut self, element: &Element, name: &str) -> Option<u32> {
        let attr = element.android_attr(name)?;
        let value = self.resolve(attr, element);
        if let Some(number) = value.as_int() {
            return u32::try_from(number).ok();
        }
        if let Some(codename) = value.as_str() {
            let detail = format!(
                "android:{name} is the codename {codename:?}; read as {CUR_DEVELOPMENT} as Android does"
            );
            self.rec
                .record("manifest.sdk_codename", self.at(element), detail);
            return Some(CUR_DEVELOPMENT);
        }
        None
    }

    fn class_name(&mut self, element: &Element, attr_name: &str, package: &str) -> Option<String> {
        let raw = self.android_text(element, attr_name)?;
        if raw.is_empty() {
            return None;
        }
        Some(qualify_class_name(package, &raw))
    }

    fn read(&mut self, root: &'a Element, manifest: &mut Manifest) {
        if &*root.name != "manifest" {
            let detail = format!(
                "root element is <{}>, not <manifest> (Android refuses the package); read anyway",
                root.name
            );
            self.rec
                .record("manifest.root_not_manifest", self.at(root), detail);
        }
        manifest.package = root
            .plain_attr("package")
            .and_then(|a| a.text())
            .map(|p| self.own(&p, root));
        let package = manifest.package.clone().unwrap_or_default();
        let minor = self.android_int(root, "versionCode");
        let major = self.android_int(root, "versionCodeMajor");
        if minor.is_some() || major.is_some() {
            // PackageInfo.composeLongVersionCode: major in the high 32 bits, the code's low 32.
            let low = minor.unwrap_or(0) as u32;
            let high = major.unwrap_or(0) as u32;
            manifest.version_code = Some((u64::from(high) << 32) | u64::from(low));
        }
        manifest.version_name = self.android_text(root, "versionName");
        manifest.split = root
            .plain_attr("split")
            .and_then(|a| a.text())
            .map(|s| self.own(&s, root));
        manifest.compile_sdk = self.sdk_version(root, "compileSdkVersion").or_else(|| {
            root.plain_attr("platformBuildVersionCode")
                .and_then(|a| a.value.as_int())
                .and_then(|v| u32::try_from(v).ok())
        });

        let mut permissions: BTreeMap<String, UsesPermission> = BTreeMap::new();
        let mut applications = Vec::new();
        for child in self.doc.children(root) {
            match &*child.name {
                "uses-sdk" => {
                    manifest.min_sdk = self.sdk_version(child, "minSdkVersion");
                    manifest.target_sdk = self.sdk_version(child, "targetSdkVersion");
                }
                "uses-permission" | "uses-permission-sdk-23" | "uses-permission-sdk-m" => {
                    self.uses_permission(child, &mut permissions);
                }
                "permission" => {
                    if let Some(name) = self.android_text(child, "name") {
                        let level = child
                            .android_attr("protectionLevel")
                            .map(|a| self.resolve(a, child));
                        let protection_level = match level {
                            None => "normal".to_owned(),
                            Some(value) => match value.as_int() {
                                Some(bits) => protection_level_name(bits as u32),
                                None => self.own(&value.to_string(), child),
                            },
                        };
                        let group = self.android_text(child, "permissionGroup");
                        manifest.declared_permissions.push(DeclaredPermission {
                            name,
                            protection_level,
                            group,
                        });
                    }
                }
                "application" => applications.push(child),
                "queries" => self.queries(child, &mut manifest.queries),
                "uses-feature" => {
                    let name = self.android_text(child, "name").or_else(|| {
                        self.android_int(child, "glEsVersion")
                            .map(|v| format!("glEsVersion=0x{v:08x}"))
                    });
                    let required = self.android_bool(child, "required").unwrap_or(true);
                    if let Some(name) = name {
                        manifest.uses_features.push(UsesFeature { name, required });
                    }
                }
                _ => {}
            }
        }
        // uses-permission is read only as a child of <manifest>; elsewhere Android ignores it.
        for element in &self.doc.elements {
            if element.name.starts_with("uses-permission")
                && element.parent != self.doc.roots.first().copied()
            {
                self.rec.record(
                    "manifest.misplaced_element",
                    self.at(element),
                    format!("<{}> outside <manifest>'s direct children is ignored, as Android ignores it", element.name),
                );
            }
        }
        manifest.permissions = permissions.into_values().collect();
        manifest.declared_permissions.sort();
        manifest.declared_permissions.dedup();
        let effective_target = manifest.target_sdk.or(manifest.min_sdk).unwrap_or(1);
        if applications.len() > 1 {
            self.rec.record(
                "manifest.multiple_application",
                self.at(applications[1]),
                format!(
                    "{} <application> elements; only the first is read, as Android does",
                    applications.len()
                ),
            );
        }
        if let Some(app) = applications.first() {
            self.application(app, &package, effective_target, manifest);
        }
        for component in &mut manifest.components {
            component.intent_filters.sort();
        }
        manifest.components.sort();
        manifest.meta_data.sort();
        manifest.uses_features.sort();
        manifest.uses_features.dedup();
        manifest.uses_libraries.sort();
        manifest.uses_libraries.dedup();
        manifest.queries.packages.sort();
        manifest.queries.packages.dedup();
        manifest.queries.providers.sort();
        manifest.queries.providers.dedup();
        manifest.queries.intents.sort();
    }

    fn uses_permission(
        &mut self,
        element: &Element,
        permissions: &mut BTreeMap<String, UsesPermission>,
    ) {
        let Some(name) = self.android_text(element, "name") else {
            self.rec.record(
                "manifest.permission_name_missing",
                self.at(element),
                format!("<{}> without android:name ignored", element.name),
            );
            return;
        };
        let max_sdk = self
            .android_int(element, "maxSdkVersion")
            .and_then(|v| u32::try_from(v).ok());
        let sdk23 = &*element.name != "uses-permission";
        match permissions.get_mut(&name) {
            None => {
                permissions.insert(
                    name.clone(),
                    UsesPermission {
                        name,
                        max_sdk,
                        sdk23,
                    },
                );
            }
            Some(existing) => {
                // Merged: requested wherever any declaration requests it.
                existing.max_sdk = match (existing.max_sdk, max_sdk) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    _ => None,
                };
                existing.sdk23 &= sdk23;
                self.rec.record(
                    "manifest.duplicate_permission",
                    self.at(element),
                    format!("{name} is requested more than once; merged"),
                );
            }
        }
    }

    fn application(
        &mut self,
        app: &'a Element,
        package: &str,
        target: u32,
        manifest: &mut Manifest,
    ) {
        let mut application = Application {
            label: self.android_text(app, "label"),
            debuggable: self.android_bool(app, "debuggable"),
            allow_backup: self.android_bool(app, "allowBackup"),
            uses_cleartext_traffic: self.android_bool(app, "usesCleartextTraffic"),
            network_security_config: None,
            name: self.class_name(app, "name", package),
            permission: self.android_text(app, "permission"),
        };
        if let Some(attr) = app.android_attr("networkSecurityConfig") {
            application.network_security_config = Some(match attr.value.reference() {
                Some(id) => match self.resources.and_then(|t| t.name_of(id)) {
                    Some(name) => format!("@{name}"),
                    None => format!("@0x{id:08x}"),
                },
                None => self.text_of(attr, app),
            });
        }
        for child in self.doc.children(app) {
            let kind = &*child.name;
            match kind {
                "activity" | "activity-alias" | "service" | "receiver" | "provider" => {
                    self.component(
                        child,
                        package,
                        target,
                        application.permission.as_deref(),
                        manifest,
                    );
                }
                "meta-data" => self.meta_data(child, "application", manifest),
                "uses-library" => {
                    if let Some(name) = self.android_text(child, "name") {
                        let required = self.android_bool(child, "required").unwrap_or(true);
                        manifest.uses_libraries.push(UsesLibrary { name, required });
                    }
                }
                _ => {}
            }
        }
        manifest.application = Some(application);
    }

    fn component(
        &mut self,
        element: &'a Element,
        package: &str,
        target: u32,
        app_permission: Option<&str>,
        manifest: &mut Manifest,
    ) {
        let kind = element.name.to_string();
        let Some(name) = self.class_name(element, "name", package) else {
            self.rec.record(
                "manifest.component_name_missing",
                self.at(element),
                format!("<{kind}> without android:name ignored (Android refuses it)"),
            );
            return;
        };
        let mut intent_filters = Vec::new();
        let mut meta = Vec::new();
        for child in self.doc.children(element) {
            match &*child.name {
                "intent-filter" => intent_filters.push(self.intent_filter(child)),
                "meta-data" => meta.push(child),
                _ => {}
            }
        }
        for child in meta {
            self.meta_data(child, &name, manifest);
        }
        let explicit = self.android_bool(element, "exported");
        let (exported, exported_reason) = match explicit {
            Some(value) => (value, ExportedReason::Explicit),
            None if kind == "provider" => {
                // PackageParser.parseProvider: exported by default before JELLY_BEAN_MR1 (17).
                if target < SDK_PROVIDER_PRIVATE_DEFAULT {
                    (true, ExportedReason::ProviderLegacyDefault)
                } else {
                    (false, ExportedReason::Default)
                }
            }
            None if !intent_filters.is_empty() => {
                if target >= SDK_EXPORTED_REQUIRED {
                    // ParsedActivityUtils / ParsedServiceUtils refuse the package on S+.
                    self.rec.record(
                        "manifest.exported_missing",
                        self.at(element),
                        format!("{name} has an intent filter but no android:exported while targeting SDK {target}; Android 12+ refuses to install this"),
                    );
                }
                (true, ExportedReason::IntentFilter)
            }
            None => (false, ExportedReason::Default),
        };
        let permission = self
            .android_text(element, "permission")
            .or_else(|| app_permission.map(str::to_owned));
        let (mut read_permission, mut write_permission, mut authorities) = (None, None, Vec::new());
        if kind == "provider" {
            read_permission = self
                .android_text(element, "readPermission")
                .or_else(|| permission.clone());
            write_permission = self
                .android_text(element, "writePermission")
                .or_else(|| permission.clone());
            if let Some(list) = self.android_text(element, "authorities") {
                authorities = list
                    .split(';')
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(str::to_owned)
                    .collect();
            }
        }
        let target_activity = if kind == "activity-alias" {
            self.class_name(element, "targetActivity", package)
        } else {
            None
        };
        manifest.components.push(Component {
            kind,
            name,
            exported,
            exported_reason,
            permission,
            read_permission,
            write_permission,
            authorities,
            target_activity,
            intent_filters,
        });
    }

    fn intent_filter(&mut self, element: &Element) -> IntentFilter {
        let mut filter = IntentFilter::default();
        for child in self.doc.children(element) {
            match &*child.name {
                "action" => filter.actions.extend(self.android_text(child, "name")),
                "category" => filter.categories.extend(self.android_text(child, "name")),
                "data" => filter.data.push(IntentData {
                    scheme: self.android_text(child, "scheme"),
                    host: self.android_text(child, "host"),
                    port: self.android_text(child, "port"),
                    path: self.android_text(child, "path"),
                    path_prefix: self.android_text(child, "pathPrefix"),
                    path_pattern: self.android_text(child, "pathPattern"),
                    mime_type: self.android_text(child, "mimeType"),
                }),
                _ => {}
            }
        }
        filter
    }

    fn meta_data(&mut self, element: &Element, location: &str, manifest: &mut Manifest) {
        let Some(name) = self.android_text(element, "name") else {
            self.rec.record(
                "manifest.meta_data_name_missing",
                self.at(element),
                "<meta-data> without android:name ignored",
            );
            return;
        };
        let value_attr = element.android_attr("value");
        let resource_attr = element.android_attr("resource");
        let reference = value_attr
            .or(resource_attr)
            .and_then(|a| a.value.reference());
        let value = value_attr.map(|a| self.text_of(a, element));
        let resource_name = reference.and_then(|id| self.resources.and_then(|t| t.name_of(id)));
        manifest.meta_data.push(MetaData {
            location: location.to_owned(),
            name,
            value,
            resource: reference.map(|id| format!("@0x{id:08x}")),
            resource_name,
        });
    }

    fn queries(&mut self, element: &Element, queries: &mut Queries) {
        for child in self.doc.children(element) {
            match &*child.name {
                "package" => queries.packages.extend(self.android_text(child, "name")),
                "intent" => {
                    let intent = self.intent_filter(child);
                    queries.intents.push(intent);
                }
                "provider" => {
                    if let Some(list) = self.android_text(child, "authorities") {
                        queries.providers.extend(
                            list.split(';')
                                .map(str::trim)
                                .filter(|a| !a.is_empty())
                                .map(str::to_owned),
                        );
                    }
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_names_are_qualified_like_package_parser() {
        assert_eq!(qualify_class_name("com.a", ".Main"), "com.a.Main");
        assert_eq!(qualify_class_name("com.a", "Main"), "com.a.Main");
        assert_eq!(qualify_class_name("com.a", "org.b.Main"), "org.b.Main");
    }

    #[test]
    fn protection_levels_are_named() {
        assert_eq!(protection_level_name(0), "normal");
        assert_eq!(protection_level_name(1), "dangerous");
        assert_eq!(protection_level_name(0x12), "signature|privileged");
        assert_eq!(protection_level_name(0x3), "signatureOrSystem");
        assert_eq!(protection_level_name(0x8000_0002), "signature|0x80000000");
    }
}
