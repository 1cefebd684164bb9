//! The DEX parser (versions 035 to 041, containers included) and the instruction walk that extracts
//! invoked methods, field accesses, loaded strings and classes with their call sites.
//!
//! Layers, each in its own file: `raw` (on-disk layout and constants), `leb128` and `mutf8`
//! (encodings), `file` (the zero-copy [`DexFile`] view), `opcodes` (the 256-entry instruction
//! table), `walk` (the instruction walk), `refs` (typed method and field references), `scan`
//! (referenced ids into facts), `reflect` (reflection strings), `facts` (serializable facts, call
//! sites, merge, text rendering), `hierarchy` (each defined class's superclass, interfaces and
//! virtual methods, for overrides), `values` (constant strings that reach each call's arguments),
//! `use_map` (the flat map of each reference's uses), `intern` (one copy of each name text across
//! the DEX files of an input), `error`.

pub mod error;
pub mod facts;
pub mod file;
pub mod hierarchy;
pub mod intern;
pub mod leb128;
pub mod mutf8;
pub mod name;
pub mod opcodes;
pub mod raw;
pub mod reflect;
pub mod refs;
pub mod scan;
pub mod use_map;
pub mod values;
pub mod walk;

use rayon::prelude::*;

pub use error::DexError;
pub use facts::{
    ArgumentValue, DexFacts, DexReport, FieldAccess, MergedFacts, ReflectiveRef, Site, SiteRef, Sites, merge,
};
pub use use_map::UseMap;
pub use file::{DexFile, parse_sections};
pub use hierarchy::{ClassHierarchy, DefinedClass, class_hierarchy};
pub use intern::Interner;
pub use name::Name;
pub use refs::{FieldRef, MethodRef, NameAndProto};
pub use scan::{ScanOptions, scan, scan_sharing_names};

use crate::anomaly::Anomaly;

/// Parses and scans every input (label, DEX bytes) in parallel. The result lists the facts of
/// every DEX section in input order (container sections in file order), so it does not depend on
/// scheduling. An input that cannot be read at all yields facts with a `dex.unreadable` anomaly.
pub fn scan_many(inputs: &[(String, &[u8])], opts: &ScanOptions) -> Vec<DexFacts> {
    inputs
        .par_iter()
        .map(|(label, bytes)| match parse_sections(bytes, label) {
            Ok(sections) => sections
                .par_iter()
                .map(|section| scan(section, label, opts))
                .collect::<Vec<_>>(),
            Err(error) => vec![DexFacts {
                name: label.clone(),
                anomalies: vec![Anomaly::new(
                    "dex.unreadable",
                    label.as_str(),
                    error.to_string(),
                )],
                ..DexFacts::default()
            }],
        })
        .collect::<Vec<_>>()
        .into_iter()
        .flatten()
        .collect()
}

/// The text output of `dossier dex` for people: each DEX's summary, then (for several DEX files)
/// the totals after merging.
pub fn write_text(facts: &[DexFacts], out: &mut impl std::io::Write) -> std::io::Result<()> {
    for f in facts {
        f.write_text(out)?;
    }
    if facts.len() > 1 {
        facts::write_merged_summary(facts, out)?;
    }
    Ok(())
}

/// The JSON document of `dossier dex --format json`: `{"dex": [...]}`, pretty-printed.
pub fn to_json(facts: &[DexFacts]) -> String {
    serde_json::to_string_pretty(&DexReport { dex: facts }).unwrap_or_else(|_| "{}".to_owned())
}
