//! The facts of one input: what the manifest, the code, the native libraries and the text of the
//! input say, before any rule judges them. Nothing here depends on the rules.

use crate::anomaly::Anomaly;
use crate::axml::Manifest;
use crate::dex::{ClassHierarchy, DexFacts, FieldRef, MethodRef};
use crate::native::NativeFacts;
use crate::report::{InputInfo, Location};

/// Everything the report is built from.
#[derive(Debug)]
pub struct AppFacts {
    pub input: InputInfo,
    pub manifest: Option<Manifest>,
    /// The split-set member the manifest came from (the base); `None` for a lone APK.
    pub manifest_member: Option<String>,
    pub dex: Vec<DexScan>,
    pub native: Vec<NativeScan>,
    pub texts: Vec<TextStrings>,
    /// Every anomaly of the input, sorted; those that mean a part was not read make the scan
    /// partial (`crate::analysis::status`).
    pub anomalies: Vec<Anomaly>,
}

impl AppFacts {
    /// Where the manifest is, for evidence that comes from it.
    pub fn manifest_location(&self) -> Location {
        Location::entry(self.manifest_member.as_deref(), "AndroidManifest.xml")
    }
}

/// One DEX section: the scanner's facts with call sites, plus what its id tables name.
#[derive(Debug)]
pub struct DexScan {
    /// The split-set member the DEX belongs to; `None` for a lone APK, JAR or bare DEX.
    pub member: Option<String>,
    /// The DEX label without the member: `classes2.dex`, `classes.dex#1` for a later section.
    pub entry: String,
    pub facts: DexFacts,
    /// Descriptors of the classes this DEX defines, sorted.
    pub defined_classes: Vec<String>,
    /// Methods of the id table that no instruction of this DEX invokes, sorted.
    pub unused_methods: Vec<MethodRef>,
    /// Fields of the id table that no instruction of this DEX reads, sorted.
    pub unread_fields: Vec<FieldRef>,
    /// Every type descriptor of the id table, sorted.
    pub types: Vec<String>,
    /// The classes this DEX defines with their superclass, interfaces and virtual methods: what
    /// tells a class that overrides a framework callback.
    pub hierarchy: ClassHierarchy,
}

impl DexScan {
    /// The DEX entry as a location.
    pub fn location(&self) -> Location {
        Location::entry(self.member.as_deref(), self.entry.clone())
    }
}

/// One native library and what could be read from it.
#[derive(Debug)]
pub struct NativeScan {
    pub location: Location,
    pub abi: String,
    pub facts: Option<NativeFacts>,
}

/// Where a list of strings for endpoints came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// Values of the manifest (meta-data).
    Manifest,
    /// The resource table or a binary XML resource.
    Resource,
    /// A text asset.
    Asset,
}

/// Strings of one non-code entry, for endpoints.
#[derive(Debug)]
pub struct TextStrings {
    pub kind: TextKind,
    pub location: Location,
    pub strings: Vec<String>,
}
