//! The facts extracted from one DEX (serializable, every list sorted and without duplicates), their
//! merge across the DEX files of an app, and a plain-text rendering for people.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

use serde::Serialize;

use crate::anomaly::Anomaly;

/// Where a reference was seen: the DEX file (or container section) and the calling method.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Site {
    pub dex: String,
    /// Class descriptor of the caller, `Lcom/example/Foo;`.
    pub class: String,
    /// Name and prototype of the caller, `bar(Ljava/lang/String;)V`.
    pub method: String,
}

/// Accesses to one field: read with `iget*`/`sget*`, written with `iput*`/`sput*`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct FieldAccess {
    /// `Lpkg/Cls;->name:Type`.
    pub field: String,
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
/// calling method is listed once in `callers` (sorted), and every reference maps to the sorted
/// positions of its callers in that list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Sites {
    pub callers: Vec<Site>,
    pub invoked_methods: BTreeMap<String, Vec<u32>>,
    pub fields: BTreeMap<String, Vec<u32>>,
    pub const_strings: BTreeMap<String, Vec<u32>>,
    pub const_classes: BTreeMap<String, Vec<u32>>,
}

impl Sites {
    /// The callers named by a list of positions (as found in the maps).
    pub fn resolve<'s>(&'s self, positions: &'s [u32]) -> impl Iterator<Item = &'s Site> + 's {
        positions
            .iter()
            .filter_map(|&p| self.callers.get(p as usize))
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
    /// Sorted unique `Lpkg/Cls;->name(Args)Ret` of every method invoked by an `invoke-*`.
    pub invoked_methods: Vec<String>,
    /// Sorted unique fields read or written.
    pub fields: Vec<FieldAccess>,
    /// Sorted unique strings loaded by `const-string` and `const-string/jumbo`.
    pub const_strings: Vec<String>,
    /// Sorted unique type descriptors loaded by `const-class`.
    pub const_classes: Vec<String>,
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
    pub invoked_methods: Vec<String>,
    pub fields: Vec<FieldAccess>,
    pub const_strings: Vec<String>,
    pub const_classes: Vec<String>,
    pub reflective: Vec<ReflectiveRef>,
    pub anomalies: Vec<Anomaly>,
}

/// Merges per-DEX facts into one sorted, duplicate-free set.
pub fn merge(all: &[DexFacts]) -> MergedFacts {
    let mut invoked = BTreeSet::new();
    let mut fields: BTreeMap<&str, (bool, bool)> = BTreeMap::new();
    let mut strings = BTreeSet::new();
    let mut classes = BTreeSet::new();
    let mut reflective = BTreeSet::new();
    let mut anomalies = Vec::new();
    for facts in all {
        invoked.extend(facts.invoked_methods.iter().cloned());
        for f in &facts.fields {
            let entry = fields.entry(&f.field).or_default();
            entry.0 |= f.read;
            entry.1 |= f.write;
        }
        strings.extend(facts.const_strings.iter().cloned());
        classes.extend(facts.const_classes.iter().cloned());
        reflective.extend(facts.reflective.iter().cloned());
        anomalies.extend(facts.anomalies.iter().cloned());
    }
    crate::anomaly::normalize(&mut anomalies);
    MergedFacts {
        dex: all.iter().map(|f| f.name.clone()).collect(),
        invoked_methods: invoked.into_iter().collect(),
        fields: fields
            .into_iter()
            .map(|(field, (read, write))| FieldAccess {
                field: field.to_owned(),
                read,
                write,
            })
            .collect(),
        const_strings: strings.into_iter().collect(),
        const_classes: classes.into_iter().collect(),
        reflective: reflective.into_iter().collect(),
        anomalies,
    }
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
        let fields: Vec<String> = self
            .fields
            .iter()
            .map(|f| {
                let how = match (f.read, f.write) {
                    (true, true) => "rw",
                    (true, false) => "r",
                    _ => "w",
                };
                format!("{} [{how}]", f.field)
            })
            .collect();
        let reflective: Vec<String> = self
            .reflective
            .iter()
            .map(|r| {
                format!(
                    "{}{}{}  (in {}->{})",
                    r.class.as_deref().unwrap_or("?"),
                    if r.member.is_some() { "->" } else { "" },
                    r.member.as_deref().unwrap_or(""),
                    r.site.class,
                    r.site.method
                )
            })
            .collect();
        let anomalies: Vec<String> = self
            .anomalies
            .iter()
            .map(|a| format!("{} at {}: {}", a.code, a.location, a.detail))
            .collect();
        write_list(out, "invoked methods", &self.invoked_methods)?;
        write_list(out, "fields", &fields)?;
        write_list(out, "strings loaded", &self.const_strings)?;
        write_list(out, "classes loaded", &self.const_classes)?;
        write_list(out, "reflective references", &reflective)?;
        write_list(out, "anomalies", &anomalies)?;
        Ok(())
    }
}

fn write_list(out: &mut impl Write, title: &str, items: &[String]) -> io::Result<()> {
    if items.is_empty() {
        return Ok(());
    }
    writeln!(out, "  {title} ({}):", items.len())?;
    for item in items.iter().take(TEXT_LIST_LIMIT) {
        // Strings from the file may hold control characters: show them escaped.
        writeln!(out, "    {}", item.escape_debug())?;
    }
    if items.len() > TEXT_LIST_LIMIT {
        writeln!(out, "    ... and {} more", items.len() - TEXT_LIST_LIMIT)?;
    }
    Ok(())
}
