//! The facts extracted from one DEX (serializable, every list sorted and without duplicates), where
//! each reference is used (call sites: the calling method and the code offset of the first use),
//! their merge across the DEX files of an app, and a plain-text rendering for people.

use std::cmp::Ordering;
use std::fmt;
use std::io::{self, Write};
use std::sync::Arc;

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use super::name::Name;
use super::refs::{FieldRef, MethodRef, cmp_joined};
use super::use_map::UseMap;
use crate::anomaly::Anomaly;

/// Where a reference was seen: the DEX file (or container section) and the calling method (whose
/// class is `method.class`).
///
/// Serialized as before references were typed, `{"dex", "class", "method": "name(Args)Ret"}`, so
/// the reflective references of `dossier dex --format json` keep their shape.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Site {
    /// Shared by every site of one DEX.
    pub dex: Name,
    pub method: MethodRef,
}

// Sorted by DEX, class, then `name(Args)Ret` as a string: the order sites had when they were three
// strings, which the reflective references (sorted by site) keep in the output.
impl Ord for Site {
    fn cmp(&self, other: &Self) -> Ordering {
        self.dex
            .cmp(&other.dex)
            .then_with(|| self.method.class.cmp(&other.method.class))
            .then_with(|| {
                cmp_joined(
                    &self.method.name_and_proto().pieces(),
                    &other.method.name_and_proto().pieces(),
                )
            })
            .then_with(|| self.method.cmp(&other.method))
    }
}

impl PartialOrd for Site {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Serialize for Site {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("Site", 3)?;
        out.serialize_field("dex", &*self.dex)?;
        out.serialize_field("class", &*self.method.class)?;
        out.serialize_field("method", &self.method.name_and_proto())?;
        out.end()
    }
}

/// One use of a reference: the calling method, as its position in [`Sites::callers`], and the
/// offset in code units of the first instruction of that method using the reference (what
/// `dexdump -d` prints as `0012:`). Sorted by caller, then offset.
///
/// Serialized as the string `"caller@0xoffset"` (`"12@0x0012"`): a site list can hold a million
/// entries, and one short string each keeps `--sites` JSON about the size it had with bare
/// caller positions (an object per entry would quadruple it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SiteRef {
    pub caller: u32,
    pub offset: u32,
}

impl fmt::Display for SiteRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{:#06x}", self.caller, self.offset)
    }
}

impl Serialize for SiteRef {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Accesses to one field: read with `iget*`/`sget*`, written with `iput*`/`sput*`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct FieldAccess {
    pub field: FieldRef,
    pub read: bool,
    pub write: bool,
}

/// A string constant loaded by a method that also calls a reflection API, read as the class
/// and/or member it probably names. Classes are in descriptor form (`Lcom/example/Foo;`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ReflectiveRef {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    pub site: Site,
}

/// Call sites of every extracted reference, only filled when asked for (`--sites`). Compact: each
/// calling method is listed once in `callers` (sorted), and every reference maps to its uses, one
/// per calling method (see [`SiteRef`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Sites {
    pub callers: Vec<Site>,
    pub invoked_methods: UseMap<MethodRef, SiteRef>,
    pub fields: UseMap<FieldRef, SiteRef>,
    pub const_strings: UseMap<String, SiteRef>,
    pub const_classes: UseMap<Name, SiteRef>,
    /// Classes instantiated by `new-instance`, with the methods doing it: what the call graph
    /// dispatches virtual calls to.
    pub instantiated: UseMap<Name, SiteRef>,
    /// By invoked method: the arguments of its calls whose value is a known string (see
    /// `src/dex/values.rs`), sorted by site, argument, value, and without duplicates.
    pub arguments: UseMap<MethodRef, ArgumentValue>,
}

/// A string found reaching one argument of one call: the call site (the caller's position in
/// [`Sites::callers`] and the offset of the `invoke-*`), the position of the argument in the
/// invoke's register list (the receiver of an instance method is 0; a `long` or `double` takes
/// two positions), the string, and how the code made it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ArgumentValue {
    pub site: SiteRef,
    pub argument: u8,
    pub value: Name,
    pub how: super::values::How,
}

impl Sites {
    /// The callers of a list of uses (as found in the maps), each with the offset of its use.
    pub fn resolve<'s>(
        &'s self,
        uses: &'s [SiteRef],
    ) -> impl Iterator<Item = (&'s Site, u32)> + 's {
        uses.iter()
            .filter_map(|u| Some((self.callers.get(u.caller as usize)?, u.offset)))
    }
}

/// Everything the scanner extracted from one DEX file or container section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DexFacts {
    /// The DEX label: entry name (`classes2.dex`, `split_x.apk!classes.dex`), with `#N` for the
    /// sections after the first of a version 041 container.
    pub name: String,
    /// The three-digit version from the magic, `"035"` to `"041"`.
    pub version: String,
    /// Number of class definitions.
    pub classes: u32,
    /// Number of methods defined by those classes (entries of their class data).
    pub methods: u64,
    /// Number of entries in the string table.
    pub strings: u32,
    /// Sorted unique methods invoked by an `invoke-*` (the keys of `sites.invoked_methods` too:
    /// one list shared by both).
    pub invoked_methods: Arc<[MethodRef]>,
    /// Sorted unique fields read or written.
    pub fields: Vec<FieldAccess>,
    /// Sorted unique strings loaded by `const-string` and `const-string/jumbo` (shared with the
    /// keys of `sites.const_strings`).
    pub const_strings: Arc<[String]>,
    /// Sorted unique type descriptors loaded by `const-class` (shared with the keys of
    /// `sites.const_classes`).
    pub const_classes: Arc<[Name]>,
    /// String constants of methods that call reflection APIs.
    pub reflective: Vec<ReflectiveRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sites: Option<Sites>,
    pub anomalies: Vec<Anomaly>,
}

/// The union of the facts of several DEX files (an app and its splits).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MergedFacts {
    /// Labels of the merged DEX files, in input order.
    pub dex: Vec<String>,
    pub invoked_methods: Vec<MethodRef>,
    pub fields: Vec<FieldAccess>,
    pub const_strings: Vec<String>,
    pub const_classes: Vec<String>,
    pub reflective: Vec<ReflectiveRef>,
    pub anomalies: Vec<Anomaly>,
}

/// The union of several DEX files' facts, borrowed from them: what [`merge`] copies and the text
/// summary counts.
struct Merged<'f> {
    invoked_methods: Vec<&'f MethodRef>,
    /// Field, read, written.
    fields: Vec<(&'f FieldRef, bool, bool)>,
    const_strings: Vec<&'f str>,
    const_classes: Vec<&'f str>,
    reflective: Vec<&'f ReflectiveRef>,
    anomalies: Vec<Anomaly>,
}

/// Sorted and without duplicates. Each DEX's list is sorted already, and a stable sort merges
/// such runs instead of sorting from scratch.
fn union<'f, T: Ord + ?Sized>(lists: impl Iterator<Item = &'f T>) -> Vec<&'f T> {
    let mut all: Vec<&T> = lists.collect();
    all.sort();
    all.dedup();
    all
}

fn merged(all: &[DexFacts]) -> Merged<'_> {
    let mut invoked_methods = union(all.iter().flat_map(|f| f.invoked_methods.iter()));
    // References that render alike are one entry, as in the facts of one DEX.
    invoked_methods.dedup_by(|later, kept| kept.renders_like(later));
    let mut fields: Vec<(&FieldRef, bool, bool)> = all
        .iter()
        .flat_map(|f| &f.fields)
        .map(|f| (&f.field, f.read, f.write))
        .collect();
    fields.sort_by(|a, b| a.0.cmp(b.0));
    // One entry per field (or per rendering), read or written in any DEX.
    fields.dedup_by(|later, kept| {
        if kept.0.renders_like(later.0) {
            kept.1 |= later.1;
            kept.2 |= later.2;
            true
        } else {
            false
        }
    });
    let mut anomalies: Vec<Anomaly> = all
        .iter()
        .flat_map(|f| f.anomalies.iter().cloned())
        .collect();
    crate::anomaly::normalize(&mut anomalies);
    Merged {
        invoked_methods,
        fields,
        const_strings: union(
            all.iter()
                .flat_map(|f| f.const_strings.iter().map(String::as_str)),
        ),
        const_classes: union(
            all.iter()
                .flat_map(|f| f.const_classes.iter().map(Name::as_str)),
        ),
        reflective: union(all.iter().flat_map(|f| &f.reflective)),
        anomalies,
    }
}

/// Merges per-DEX facts into one sorted, duplicate-free set: a field read in one DEX and written in
/// another is both. References that render alike are one entry, as in the facts of one DEX.
pub fn merge(all: &[DexFacts]) -> MergedFacts {
    let merged = merged(all);
    MergedFacts {
        dex: all.iter().map(|f| f.name.clone()).collect(),
        invoked_methods: merged.invoked_methods.into_iter().cloned().collect(),
        fields: merged
            .fields
            .into_iter()
            .map(|(field, read, write)| FieldAccess {
                field: field.clone(),
                read,
                write,
            })
            .collect(),
        const_strings: merged
            .const_strings
            .into_iter()
            .map(str::to_owned)
            .collect(),
        const_classes: merged
            .const_classes
            .into_iter()
            .map(str::to_owned)
            .collect(),
        reflective: merged.reflective.into_iter().cloned().collect(),
        anomalies: merged.anomalies,
    }
}

/// The last line of the text output for several DEX files: the sizes of their union.
pub(crate) fn write_merged_summary(all: &[DexFacts], out: &mut impl Write) -> io::Result<()> {
    let merged = merged(all);
    writeln!(
        out,
        "all {} DEX: {} invoked methods, {} fields, {} strings, {} classes loaded, {} reflective references, {} anomalies",
        all.len(),
        merged.invoked_methods.len(),
        merged.fields.len(),
        merged.const_strings.len(),
        merged.const_classes.len(),
        merged.reflective.len(),
        merged.anomalies.len()
    )
}

/// The JSON document of `dossier dex`: `{"dex": [facts, ...]}`.
#[derive(Debug, Serialize)]
pub struct DexReport<'a> {
    pub dex: &'a [DexFacts],
}

/// How many entries of each list the text rendering shows before summarizing the rest.
const TEXT_LIST_LIMIT: usize = 20;

impl DexFacts {
    /// A summary for people: counts, then the first entries of each list.
    pub fn write_text(&self, out: &mut impl Write) -> io::Result<()> {
        writeln!(
            out,
            "{} (DEX {}): {} classes, {} methods, {} strings",
            self.name, self.version, self.classes, self.methods, self.strings
        )?;
        // Only the first entries of each list are shown, so only they are rendered.
        let fields = self.fields.iter().map(|f| {
            let how = match (f.read, f.write) {
                (true, true) => "rw",
                (true, false) => "r",
                _ => "w",
            };
            format!("{} [{how}]", f.field)
        });
        let reflective = self.reflective.iter().map(|r| {
            format!(
                "{}{}{}  (in {}->{})",
                r.class.as_deref().unwrap_or("?"),
                if r.member.is_some() { "->" } else { "" },
                r.member.as_deref().unwrap_or(""),
                r.site.method.class,
                r.site.method.name_and_proto()
            )
        });
        let anomalies = self
            .anomalies
            .iter()
            .map(|a| format!("{} at {}: {}", a.code, a.location, a.detail));
        write_list(out, "invoked methods", self.invoked_methods.iter())?;
        write_list(out, "fields", fields)?;
        write_list(out, "strings loaded", self.const_strings.iter())?;
        write_list(out, "classes loaded", self.const_classes.iter())?;
        write_list(out, "reflective references", reflective)?;
        write_list(out, "anomalies", anomalies)?;
        Ok(())
    }
}

fn write_list<T: fmt::Display>(
    out: &mut impl Write,
    title: &str,
    items: impl ExactSizeIterator<Item = T>,
) -> io::Result<()> {
    let len = items.len();
    if len == 0 {
        return Ok(());
    }
    writeln!(out, "  {title} ({len}):")?;
    for item in items.take(TEXT_LIST_LIMIT) {
        // Strings from the file may hold control characters: show them escaped.
        writeln!(out, "    {}", item.to_string().escape_debug())?;
    }
    if len > TEXT_LIST_LIMIT {
        writeln!(out, "    ... and {} more", len - TEXT_LIST_LIMIT)?;
    }
    Ok(())
}
