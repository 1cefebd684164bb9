//! Step 3 and 4 of the pipeline: reading the parts of the input that findings are made of — every
//! DEX section scanned with its call sites, the native libraries, and the text (manifest values,
//! resource strings, XML resources, text assets) that endpoints are read from — into [`AppFacts`].
//!
//! Nothing here looks at the rules: the facts of one input serve any rule set. DEX files and native
//! libraries are read and parsed in parallel.

use rayon::prelude::*;

use super::facts::{AppFacts, DexScan, NativeScan, TextKind, TextStrings};
use super::manifest::DecodedManifest;
use super::open::{MANIFEST, OpenedInput};
use super::{ScanError, Scanner};
use crate::anomaly::{self, Anomaly};
use crate::axml;
use crate::container::{ContainerError, InputKind};
use crate::dex::{self, DexFile, FieldRef, MethodRef, ScanOptions};
use crate::native;
use crate::report::Location;

/// Largest text asset read for endpoints; larger ones are read in their first part.
const MAX_ASSET_TEXT: usize = 64 << 20;
/// Largest total of text assets read from one input.
const MAX_TOTAL_ASSET_TEXT: usize = 256 << 20;
/// Most entries of `res/` parsed as binary XML for their strings.
const MAX_XML_RESOURCES: usize = 20_000;

/// Every fact of an input whose base is settled.
pub(super) fn facts(scanner: &Scanner, input: OpenedInput) -> AppFacts {
    let mut anomalies = Vec::new();
    // Code first: the DEX files and native libraries decide the verdicts, and every entry draws on
    // one inflation budget, so entries read before them could starve them (a decoy
    // `resources.arsc` or XML resources that inflate up to the budget, then `classes.dex`
    // refused). Reading the code first leaves a decoy nothing to hide but resources.
    let dex = dex(&input, &mut anomalies);
    let native = native(&input, &mut anomalies);
    let decoded = match input.kind() {
        InputKind::Apk | InputKind::SplitSet => match scanner.manifest(&input) {
            Ok(decoded) => {
                anomalies.extend(decoded.resource_anomalies.iter().cloned());
                Some(decoded)
            }
            Err(ScanError::NoManifest { .. }) => None,
            Err(err) => {
                anomalies.push(Anomaly::new(
                    "manifest.unreadable",
                    MANIFEST,
                    err.to_string(),
                ));
                None
            }
        },
        InputKind::Dex | InputKind::Jar => None,
    };
    let texts = texts(&input, decoded.as_ref(), &mut anomalies);

    anomalies.extend(input.anomalies());
    let manifest_member = decoded.as_ref().and_then(|d| d.member.clone());
    let manifest = decoded.map(|d| d.manifest);
    if let Some(manifest) = &manifest {
        anomalies.extend(manifest.anomalies.iter().cloned());
    }
    for scan in &dex {
        anomalies.extend(scan.facts.anomalies.iter().cloned());
    }
    for lib in &native {
        if let Some(facts) = &lib.facts {
            anomalies.extend(facts.anomalies.iter().cloned());
        }
    }
    anomaly::normalize(&mut anomalies);
    AppFacts {
        input: input.info().clone(),
        manifest,
        manifest_member,
        dex,
        native,
        texts,
        anomalies,
    }
}

/// Strings of the manifest values, the resource table, XML resources and text assets.
pub(super) fn texts(
    input: &OpenedInput,
    decoded: Option<&DecodedManifest>,
    anomalies: &mut Vec<Anomaly>,
) -> Vec<TextStrings> {
    let mut texts = Vec::new();
    if let Some(decoded) = decoded {
        let values: Vec<String> = decoded
            .manifest
            .meta_data
            .iter()
            .filter_map(|m| m.value.clone())
            .collect();
        texts.push(TextStrings {
            kind: TextKind::Manifest,
            location: Location::entry(decoded.member.as_deref(), MANIFEST),
            strings: values,
        });
        if let Some(table) = &decoded.resources {
            texts.push(TextStrings {
                kind: TextKind::Resource,
                location: Location::entry(decoded.member.as_deref(), "resources.arsc"),
                strings: pool_strings(&table.strings),
            });
        }
    }
    texts.extend(member_texts(input, anomalies));
    texts
}

fn pool_strings(pool: &axml::StringPool) -> Vec<String> {
    (0..pool.len() as u32)
        .filter_map(|i| pool.get(i).map(|s| s.to_string()))
        .collect()
}

fn is_text_asset(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        ".js",
        ".json",
        ".bundle",
        ".html",
        ".htm",
        ".txt",
        ".xml",
        ".properties",
        ".cfg",
        ".conf",
        ".ini",
        ".yaml",
        ".yml",
        ".csv",
    ]
    .iter()
    .any(|ext| lower.ends_with(ext))
}

/// The pieces of a text asset that may hold an endpoint: the text cut at quotes, angle brackets
/// and white space, which never occur inside a URL (they end one in the extractor too), so no URL
/// is cut while a minified bundle that is one multi-megabyte line becomes small pieces. Pieces
/// without a dot cannot hold a host and are dropped.
fn text_pieces(text: &str) -> Vec<String> {
    text.split(|c: char| matches!(c, '"' | '\'' | '`' | '<' | '>') || c.is_whitespace())
        .filter(|piece| piece.contains('.'))
        .map(str::to_owned)
        .collect()
}

/// Strings of the XML resources and text assets of every member.
fn member_texts(input: &OpenedInput, anomalies: &mut Vec<Anomaly>) -> Vec<TextStrings> {
    let mut texts = Vec::new();
    let mut asset_budget = MAX_TOTAL_ASSET_TEXT;
    let mut xml_count = 0;
    // What the caps left out, reported once each so that the report says it is partial.
    let (mut xml_skipped, mut assets_cut) = (0usize, 0usize);
    for (index, member) in input.loaded.archives.iter().enumerate() {
        let member_name = input.member_name(Some(index));
        let prefix = member_name.map_or_else(String::new, |m| format!("{m}!"));
        for entry in member.archive.entries() {
            if entry.is_directory() || entry.hidden_from_android {
                continue;
            }
            let name = &entry.name;
            let label = format!("{prefix}{name}");
            let is_xml_resource = name.starts_with("res/") && name.ends_with(".xml");
            if is_xml_resource && xml_count >= MAX_XML_RESOURCES {
                xml_skipped += 1;
            } else if is_xml_resource {
                xml_count += 1;
                let bytes = match member.archive.read(entry) {
                    Ok(bytes) => bytes,
                    // The same bytes as an entry already read, under another name: the archive
                    // has said so (`zip.overlapping_entry_skipped`); nothing of the app is missing.
                    Err(ContainerError::OverlappingData { .. }) => continue,
                    // Said, not skipped in silence: a budget used up by decoys shows here.
                    Err(err) => {
                        anomalies.push(Anomaly::new(
                            "resource.unreadable",
                            &label,
                            err.to_string(),
                        ));
                        continue;
                    }
                };
                if let Ok(doc) = axml::parse_xml(&bytes, &label) {
                    texts.push(TextStrings {
                        kind: TextKind::Resource,
                        location: Location::entry(member_name, name.clone()),
                        strings: pool_strings(&doc.strings),
                    });
                }
            } else if name.starts_with("assets/") && is_text_asset(name) && asset_budget == 0 {
                assets_cut += 1;
            } else if name.starts_with("assets/") && is_text_asset(name) {
                let bytes = match member.archive.read(entry) {
                    Ok(bytes) => bytes,
                    Err(ContainerError::OverlappingData { .. }) => continue,
                    Err(err) => {
                        anomalies.push(Anomaly::new("asset.unreadable", &label, err.to_string()));
                        continue;
                    }
                };
                let keep = bytes.len().min(MAX_ASSET_TEXT).min(asset_budget);
                if keep < bytes.len() {
                    assets_cut += 1;
                }
                asset_budget -= keep;
                let text = String::from_utf8_lossy(&bytes[..keep]);
                let strings = text_pieces(&text);
                texts.push(TextStrings {
                    kind: TextKind::Asset,
                    location: Location::entry(member_name, name.clone()),
                    strings,
                });
            }
        }
    }
    if xml_skipped > 0 {
        anomalies.push(Anomaly::new(
            "scan.xml_resources_capped",
            input.label(),
            format!("{xml_skipped} XML resources past the first {MAX_XML_RESOURCES} were not read for endpoints"),
        ));
    }
    if assets_cut > 0 {
        anomalies.push(Anomaly::new(
            "scan.asset_text_capped",
            input.label(),
            format!(
                "{assets_cut} text assets were read in part or not at all for endpoints (at most {} MiB each, {} MiB in all)",
                MAX_ASSET_TEXT >> 20,
                MAX_TOTAL_ASSET_TEXT >> 20
            ),
        ));
    }
    texts
}

/// Every DEX of every member, read and scanned in parallel, each section with its id tables.
pub(super) fn dex(input: &OpenedInput, anomalies: &mut Vec<Anomaly>) -> Vec<DexScan> {
    let refs = input.loaded.dex_entries();
    let results: Vec<Result<Vec<DexScan>, Anomaly>> = refs
        .par_iter()
        .map(|dex_ref| {
            let unreadable = |err: String| Anomaly::new("dex.unreadable", &dex_ref.label, err);
            let bytes = input
                .loaded
                .read_dex(dex_ref)
                .map_err(|err| unreadable(err.to_string()))?;
            let sections = dex::parse_sections(&bytes, &dex_ref.label)
                .map_err(|err| unreadable(err.to_string()))?;
            let member = input.member_name(dex_ref.member);
            Ok(sections
                .par_iter()
                .map(|section| scan_section(section, &dex_ref.label, member))
                .collect())
        })
        .collect();
    let mut scans = Vec::new();
    for result in results {
        match result {
            Ok(sections) => scans.extend(sections),
            Err(anomaly) => anomalies.push(anomaly),
        }
    }
    scans
}

fn scan_section(section: &DexFile<'_>, label: &str, member: Option<&str>) -> DexScan {
    let facts = dex::scan(section, label, &ScanOptions { sites: true });
    let entry = match member {
        Some(member) => facts
            .name
            .strip_prefix(member)
            .and_then(|rest| rest.strip_prefix('!'))
            .unwrap_or(&facts.name)
            .to_owned(),
        None => facts.name.clone(),
    };
    let mut defined_classes: Vec<String> = (0..section.class_defs.count)
        .filter_map(|i| section.class_def(i))
        .map(|def| section.type_descriptor(def.class_idx).into_owned())
        .collect();
    defined_classes.sort();
    defined_classes.dedup();
    let invoked: std::collections::HashSet<&MethodRef> = facts.invoked_methods.iter().collect();
    let mut unused_methods: Vec<MethodRef> = distinct_ids(section.method_ids.count, |index| {
        let m = section.method_id(index)?;
        Some((u32::from(m.class_idx), m.name_idx, u32::from(m.proto_idx)))
    })
    .filter_map(|index| section.method_ref(index))
    .filter(|method| !invoked.contains(method))
    .collect();
    let read: std::collections::HashSet<&FieldRef> = facts
        .fields
        .iter()
        .filter(|f| f.read)
        .map(|f| &f.field)
        .collect();
    let mut unread_fields: Vec<FieldRef> = distinct_ids(section.field_ids.count, |index| {
        let f = section.field_id(index)?;
        Some((u32::from(f.class_idx), f.name_idx, u32::from(f.type_idx)))
    })
    .filter_map(|index| section.field_ref(index))
    .filter(|field| !read.contains(field))
    .collect();
    let mut types: Vec<String> = (0..section.type_ids.count)
        .map(|i| section.type_descriptor(i).into_owned())
        .collect();
    unused_methods.sort();
    unused_methods.dedup();
    unread_fields.sort();
    unread_fields.dedup();
    types.sort();
    types.dedup();
    DexScan {
        member: member.map(str::to_owned),
        entry,
        facts,
        defined_classes,
        unused_methods,
        unread_fields,
        types,
        hierarchy: dex::class_hierarchy(section),
    }
}

/// The ids below `count` whose parts (class, name, prototype or type indices) no smaller id has,
/// in id order: ids with the same parts render alike, so each is rendered once however often a
/// hostile table repeats it (millions of copies of one method id).
fn distinct_ids(
    count: u32,
    parts: impl Fn(u32) -> Option<(u32, u32, u32)>,
) -> impl Iterator<Item = u32> {
    let mut ids: Vec<((u32, u32, u32), u32)> = (0..count)
        .filter_map(|index| Some((parts(index)?, index)))
        .collect();
    // By parts, then id: the first of each run is the smallest id with those parts.
    ids.sort_unstable();
    ids.dedup_by_key(|(parts, _)| *parts);
    let mut kept: Vec<u32> = ids.into_iter().map(|(_, index)| index).collect();
    kept.sort_unstable();
    kept.into_iter()
}

/// Every native library of every member, read and parsed in parallel.
pub(super) fn native(input: &OpenedInput, anomalies: &mut Vec<Anomaly>) -> Vec<NativeScan> {
    input
        .loaded
        .native_libs()
        .par_iter()
        .map(|lib| {
            let facts = input
                .loaded
                .read_entry(lib)
                .map_err(|err| err.to_string())
                .and_then(|bytes| {
                    native::read_elf(&bytes, &lib.label).map_err(|err| err.to_string())
                });
            (lib, facts)
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|(lib, facts)| {
            let facts = match facts {
                Ok(facts) => Some(facts),
                Err(reason) => {
                    anomalies.push(Anomaly::new("elf.unreadable", &lib.label, reason));
                    None
                }
            };
            let member = input.member_name(Some(lib.member));
            let entry = match member {
                Some(m) => lib
                    .label
                    .strip_prefix(m)
                    .and_then(|rest| rest.strip_prefix('!'))
                    .unwrap_or(&lib.label),
                None => &lib.label,
            };
            NativeScan {
                location: Location::entry(member, entry),
                abi: lib.abi.clone(),
                facts,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::text_pieces;

    #[test]
    fn a_long_single_line_bundle_keeps_its_last_url() {
        // Past the extractor's 1 MiB window for one string: found only because the line is cut.
        let bundle = format!(
            "var a={};fetch(\"https://late.example.net/x\")",
            "1".repeat(3 << 20)
        );
        let pieces = text_pieces(&bundle);
        assert!(pieces.iter().any(|p| p == "https://late.example.net/x"));
    }

    #[test]
    fn pieces_never_cut_a_url() {
        let pieces = text_pieces("load('https://a.example.com/p?q=1&r=2#f') <b>x.y</b>");
        assert!(pieces.contains(&"https://a.example.com/p?q=1&r=2#f".to_owned()));
    }
}
