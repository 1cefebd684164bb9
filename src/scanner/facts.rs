//! The facts of one input: what the manifest, the code, the native libraries and the text of the
//! input say, before any rule judges them. Nothing here depends on the rules.

use std::mem::size_of;

use crate::anomaly::Anomaly;
use crate::axml::Manifest;
use crate::dex::{ClassHierarchy, DexFacts, FieldAccess, FieldRef, MethodRef, ReflectiveRef};
use crate::memory::Charge;
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
    /// Strings of every member's manifest that may name a class (dotted names, relative names):
    /// what Android instantiates by name, for the call graph's entry points. Sorted, once each.
    pub manifest_names: Vec<String>,
    /// Whether the base manifest declares an `<instrumentation>`: a test runner that finds its
    /// test classes by listing the DEX files, not by name.
    pub instrumented: bool,
    /// Every anomaly of the input, sorted; those that mean a part was not read make the scan
    /// partial (`crate::analysis::status`).
    pub anomalies: Vec<Anomaly>,
    /// What the facts above hold of the scan's memory budget, given back when they are dropped.
    pub held: Vec<Charge>,
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
    /// Methods of the id table that no instruction of this DEX invokes and whose class and name
    /// an API rule of the scanner names, sorted: only those can be evidence, and keeping every
    /// name of the table (each app method is in it) would hold megabytes for nothing.
    pub unused_methods: Vec<MethodRef>,
    /// Fields of the id table that no instruction of this DEX reads and whose class and name an
    /// API rule of the scanner names, sorted.
    pub unread_fields: Vec<FieldRef>,
    /// The type descriptors of the id table that an API rule of the scanner names as a class,
    /// sorted (only those can be evidence).
    pub types: Vec<String>,
    /// The classes this DEX defines with their superclass, interfaces and virtual methods: what
    /// tells a class that overrides a framework callback.
    pub hierarchy: ClassHierarchy,
}

impl DexScan {
    /// Descriptors of the classes this DEX defines, sorted, each once: read from the hierarchy,
    /// which holds every defined class whose descriptor the type table has.
    pub fn defined_classes(&self) -> impl Iterator<Item = &str> {
        self.hierarchy.classes().map(|class| class.name())
    }

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

// What kept facts hold in memory, roughly (element sizes plus the text each owns; text shared
// through one DEX's cache of `Name`s counted once, not per use), for the scan's memory budget.
// An estimate within a small factor is enough: the budget is there to stop amplification by
// orders of magnitude, not to account for every allocation.

/// What the allocator takes for a text of `len` bytes: a 16-byte granule with its header, 32
/// bytes at least (glibc's malloc; others are close).
pub(crate) fn heap_of(len: usize) -> usize {
    (len + 8).next_multiple_of(16).max(32)
}

pub(crate) fn strings_footprint(list: &[String]) -> u64 {
    list.iter()
        .map(|s| (size_of::<String>() + heap_of(s.len())) as u64)
        .sum()
}

fn list_footprint<T>(list: &[T]) -> u64 {
    std::mem::size_of_val(list) as u64
}

fn facts_footprint(facts: &DexFacts) -> u64 {
    let mut bytes = list_footprint::<MethodRef>(&facts.invoked_methods)
        + list_footprint::<FieldAccess>(&facts.fields)
        + strings_footprint(&facts.const_strings)
        + list_footprint::<crate::dex::Name>(&facts.const_classes)
        + facts
            .reflective
            .iter()
            .map(|r| {
                (size_of::<ReflectiveRef>()
                    + r.class.as_ref().map_or(0, String::len)
                    + r.member.as_ref().map_or(0, String::len)
                    + r.site.dex.len()) as u64
            })
            .sum::<u64>();
    if let Some(sites) = &facts.sites {
        // The DEX name of the sites is one string shared by all of them.
        bytes += list_footprint::<crate::dex::Site>(&sites.callers);
        // The keys of these three are the lists counted above, shared.
        bytes += (sites.invoked_methods.use_bytes()
            + sites.const_strings.use_bytes()
            + sites.const_classes.use_bytes()) as u64;
        bytes += sites.fields.heap_bytes() as u64;
        // Class names, like the parts of references, are texts of the DEX's cache, shared.
        bytes += sites.instantiated.heap_bytes() as u64;
        bytes += sites.arguments.heap_bytes() as u64
            + sites
                .arguments
                .values()
                .flatten()
                .map(|a| a.value.len() as u64)
                .sum::<u64>();
    }
    bytes
}

impl DexScan {
    /// Roughly what this scan holds in memory.
    pub(crate) fn footprint(&self) -> u64 {
        facts_footprint(&self.facts)
            + list_footprint::<MethodRef>(&self.unused_methods)
            + list_footprint::<FieldRef>(&self.unread_fields)
            + strings_footprint(&self.types)
            + self.hierarchy.heap_bytes()
    }
}

/// Roughly what a native library's facts hold in memory.
pub(crate) fn native_footprint(facts: &NativeFacts) -> u64 {
    strings_footprint(&facts.needed)
        + strings_footprint(&facts.imports)
        + strings_footprint(&facts.jni_exports)
        + strings_footprint(&facts.strings)
}
