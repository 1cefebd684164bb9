//! Gathering the facts of one input for the analysis: the manifest, every DEX section scanned with
//! its call sites, the native libraries, and the text (resource strings, XML resources, text
//! assets, manifest values) that endpoints are read from.
//!
//! This is the part of the analysis that reads and parses; `findings.rs` turns what it gathers
//! into a report without touching the input again. DEX files are read and scanned in parallel.

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::anomaly::{self, Anomaly};
use crate::app::{self, AppError};
use crate::axml::{self, Manifest};
use crate::container::{InputKind, LoadedInput};
use crate::dex::{self, DexFacts, DexFile, ScanOptions};
use crate::native::{self, NativeFacts};
use crate::report::InputInfo;
use crate::rules::RuleSet;

/// Largest text asset read for endpoints; larger ones are read in their first part.
const MAX_ASSET_TEXT: usize = 64 << 20;
/// Largest total of text assets read from one input.
const MAX_TOTAL_ASSET_TEXT: usize = 256 << 20;
/// Most entries of `res/` parsed as binary XML for their strings.
const MAX_XML_RESOURCES: usize = 20_000;

/// Everything the findings are built from.
#[derive(Debug)]
pub struct AppFacts {
    pub input: InputInfo,
    pub manifest: Option<Manifest>,
    pub dex: Vec<DexScan>,
    pub native: Vec<NativeScan>,
    pub texts: Vec<TextSource>,
    pub anomalies: Vec<Anomaly>,
}

/// One DEX section: the scanner's facts with call sites, plus what the id tables say.
#[derive(Debug)]
pub struct DexScan {
    pub facts: DexFacts,
    /// Descriptors of the classes this DEX defines, sorted.
    pub defined_classes: Vec<String>,
    /// Method signatures in the id tables that some API rule names (used or not), sorted.
    pub referenced_methods: Vec<String>,
    /// Field signatures in the id tables that some API rule names, sorted.
    pub referenced_fields: Vec<String>,
    /// Type descriptors in the id tables that some API rule names, sorted.
    pub referenced_types: Vec<String>,
}

/// One native library and what could be read from it.
#[derive(Debug)]
pub struct NativeScan {
    /// `lib/arm64-v8a/libfoo.so`, with `member!` in a split set.
    pub path: String,
    pub abi: String,
    pub facts: Option<NativeFacts>,
}

/// Strings of one non-code source, for endpoints.
#[derive(Debug)]
pub struct TextSource {
    /// `manifest`, `resource` or `asset`.
    pub kind: &'static str,
    pub location: String,
    pub strings: Vec<String>,
}

/// Reads an input file and gathers its facts.
pub fn collect_path(
    path: &std::path::Path,
    limits: &crate::container::Limits,
    rules: &RuleSet,
) -> Result<AppFacts, AppError> {
    // Refuse an oversized input before reading it, as the container's own `open` does.
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size > limits.max_input_size {
        return Err(crate::container::ContainerError::InputTooLarge {
            label: path.display().to_string(),
            size,
            limit: limits.max_input_size,
        }
        .into());
    }
    let data = std::fs::read(path).map_err(|source| crate::container::ContainerError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let info = InputInfo {
        path: path.display().to_string(),
        sha256: hex(&Sha256::digest(&data)),
        size: data.len() as u64,
        kind: String::new(),
        members: Vec::new(),
    };
    let label = path
        .file_name()
        .map_or_else(|| info.path.clone(), |n| n.to_string_lossy().into_owned());
    let mut input = LoadedInput::from_bytes(data, &label, limits)?;
    app::settle_base(&mut input);
    collect(input, info, rules)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn kind_id(kind: InputKind) -> &'static str {
    match kind {
        InputKind::Apk => "apk",
        InputKind::SplitSet => "split_set",
        InputKind::Dex => "dex",
        InputKind::Jar => "jar",
    }
}

/// Gathers the facts of a loaded input whose base is settled.
pub fn collect(
    input: LoadedInput,
    mut info: InputInfo,
    rules: &RuleSet,
) -> Result<AppFacts, AppError> {
    info.kind = kind_id(input.kind).to_owned();
    if input.kind == InputKind::SplitSet {
        let base = input.base;
        let mut members: Vec<(bool, String)> = input
            .archives
            .iter()
            .enumerate()
            .map(|(i, m)| (Some(i) != base, m.name.clone()))
            .collect();
        members.sort();
        info.members = members.into_iter().map(|(_, name)| name).collect();
    }
    let mut anomalies = Vec::new();
    let mut texts = Vec::new();

    let (manifest, resources) = match input.kind {
        InputKind::Apk | InputKind::SplitSet => match app::decode_manifest(&input) {
            Ok(decoded) => {
                anomalies.extend(decoded.resource_anomalies.iter().cloned());
                (Some(decoded.manifest), decoded.resources)
            }
            Err(AppError::NoManifest { .. }) => (None, None),
            Err(err) => {
                anomalies.push(Anomaly::new(
                    "manifest.unreadable",
                    "AndroidManifest.xml",
                    err.to_string(),
                ));
                (None, None)
            }
        },
        InputKind::Dex | InputKind::Jar => (None, None),
    };
    if let Some(manifest) = &manifest {
        let values: Vec<String> = manifest
            .meta_data
            .iter()
            .filter_map(|m| m.value.clone())
            .collect();
        texts.push(TextSource {
            kind: "manifest",
            location: "AndroidManifest.xml".to_owned(),
            strings: values,
        });
    }
    if let Some(table) = &resources {
        texts.push(TextSource {
            kind: "resource",
            location: "resources.arsc".to_owned(),
            strings: pool_strings(&table.strings),
        });
    }
    texts.extend(member_texts(&input, &mut anomalies));

    let dex = scan_dex(&input, rules, &mut anomalies);
    let native = read_native(&input, &mut anomalies);

    anomalies.extend(input.all_anomalies());
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
    Ok(AppFacts {
        input: info,
        manifest,
        dex,
        native,
        texts,
        anomalies,
    })
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
fn member_texts(input: &LoadedInput, anomalies: &mut Vec<Anomaly>) -> Vec<TextSource> {
    let mut texts = Vec::new();
    let mut asset_budget = MAX_TOTAL_ASSET_TEXT;
    let mut xml_count = 0;
    for member in &input.archives {
        let prefix = if member.name.is_empty() {
            String::new()
        } else {
            format!("{}!", member.name)
        };
        for entry in member.archive.entries() {
            if entry.is_directory() || entry.hidden_from_android {
                continue;
            }
            let name = &entry.name;
            let location = format!("{prefix}{name}");
            if name.starts_with("res/") && name.ends_with(".xml") && xml_count < MAX_XML_RESOURCES {
                xml_count += 1;
                let Ok(bytes) = member.archive.read(entry) else {
                    continue;
                };
                if let Ok(doc) = axml::parse_xml(&bytes, &location) {
                    texts.push(TextSource {
                        kind: "resource",
                        location,
                        strings: pool_strings(&doc.strings),
                    });
                }
            } else if name.starts_with("assets/") && is_text_asset(name) && asset_budget > 0 {
                let bytes = match member.archive.read(entry) {
                    Ok(bytes) => bytes,
                    Err(err) => {
                        anomalies.push(Anomaly::new(
                            "asset.unreadable",
                            &location,
                            err.to_string(),
                        ));
                        continue;
                    }
                };
                let keep = bytes.len().min(MAX_ASSET_TEXT).min(asset_budget);
                asset_budget -= keep;
                let text = String::from_utf8_lossy(&bytes[..keep]);
                let strings = text_pieces(&text);
                texts.push(TextSource {
                    kind: "asset",
                    location,
                    strings,
                });
            }
        }
    }
    texts
}

/// Every DEX of every member, read and scanned in parallel, each section with its id-table facts.
fn scan_dex(input: &LoadedInput, rules: &RuleSet, anomalies: &mut Vec<Anomaly>) -> Vec<DexScan> {
    let refs = input.dex_entries();
    let results: Vec<Result<Vec<DexScan>, Anomaly>> = refs
        .par_iter()
        .map(|dex_ref| {
            let bytes = input
                .read_dex(dex_ref)
                .map_err(|err| Anomaly::new("dex.unreadable", &dex_ref.label, err.to_string()))?;
            let sections = dex::parse_sections(&bytes, &dex_ref.label)
                .map_err(|err| Anomaly::new("dex.unreadable", &dex_ref.label, err.to_string()))?;
            Ok(sections
                .par_iter()
                .map(|section| scan_section(section, &dex_ref.label, rules))
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

fn scan_section(section: &DexFile<'_>, label: &str, rules: &RuleSet) -> DexScan {
    let facts = dex::scan(section, label, &ScanOptions { sites: true });
    let mut defined_classes: Vec<String> = (0..section.class_defs.count)
        .filter_map(|i| section.class_def(i))
        .map(|def| section.type_descriptor(def.class_idx).into_owned())
        .collect();
    defined_classes.sort();
    defined_classes.dedup();
    let mut referenced_methods = Vec::new();
    for index in 0..section.method_ids.count {
        let signature = section.method_signature(index);
        if let Some((class, rest)) = signature.split_once("->") {
            let name = rest.split('(').next().unwrap_or(rest);
            let proto = &rest[name.len()..];
            if rules.api_for_method(class, name, proto).next().is_some() {
                referenced_methods.push(signature);
            }
        }
    }
    let mut referenced_fields = Vec::new();
    for index in 0..section.field_ids.count {
        let signature = section.field_signature(index);
        if let Some((class, rest)) = signature.split_once("->") {
            let (name, ty) = rest
                .split_once(':')
                .map_or((rest, None), |(n, t)| (n, Some(t)));
            if rules.api_for_field(class, name, ty).next().is_some() {
                referenced_fields.push(signature);
            }
        }
    }
    let referenced_types = (0..section.type_ids.count)
        .map(|i| section.type_descriptor(i).into_owned())
        .filter(|desc| rules.api_for_class(desc).next().is_some())
        .collect();
    for list in [&mut referenced_methods, &mut referenced_fields] {
        list.sort();
        list.dedup();
    }
    DexScan {
        facts,
        defined_classes,
        referenced_methods,
        referenced_fields,
        referenced_types,
    }
}

fn read_native(input: &LoadedInput, anomalies: &mut Vec<Anomaly>) -> Vec<NativeScan> {
    input
        .native_libs()
        .par_iter()
        .map(|lib| {
            let facts = input
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
            NativeScan {
                path: lib.label.clone(),
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
