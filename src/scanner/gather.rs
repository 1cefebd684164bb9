//! Step 3 and 4 of the pipeline: reading the parts of the input that findings are made of — every
//! DEX section scanned with its call sites, the native libraries, and the text (manifest values,
//! resource strings, XML resources, text assets) that endpoints are read from — into [`AppFacts`].
//!
//! Nothing here judges by the rules: the facts of one input serve any rule set, with one
//! exception kept for memory: the types of the id tables, and the methods and fields they name but
//! no instruction uses, are kept only where the scanner's rules name them (only those can be
//! evidence). DEX files and
//! native libraries are read and parsed in parallel.

use std::mem::size_of;

use rayon::prelude::*;

use super::facts::{
    AppFacts, DexScan, NativeScan, TextKind, TextStrings, heap_of, native_footprint,
    strings_footprint,
};
use super::manifest::DecodedManifest;
use super::open::{MANIFEST, OpenedInput};
use super::{ScanError, Scanner};
use crate::anomaly::{self, Anomaly};
use crate::axml;
use crate::container::{ContainerError, InputKind};
use crate::dex::{self, DexFile, FieldRef, MethodRef, ScanOptions};
use crate::memory::{self, Charge};
use crate::native;
use crate::report::{Location, PARTIAL_CODES};
use crate::rules::RuleSet;

/// A set of the app's strings seen so far. Seeded per process (foldhash's fast hasher with a
/// random seed), so that crafted strings cannot be chosen to collide, and several times faster
/// than std's SipHash on the long strings of resource pools and text assets (issue 13: 12% of
/// the CPU of a resource-heavy APK went to hashing them).
type SeenStrings<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;

/// Largest text asset read for endpoints; larger ones are read in their first part.
const MAX_ASSET_TEXT: usize = 64 << 20;
/// Largest total of text assets read from one input.
const MAX_TOTAL_ASSET_TEXT: usize = 256 << 20;
/// Most entries of `res/` parsed as binary XML for their strings.
const MAX_XML_RESOURCES: usize = 20_000;
/// Most bytes the string pools of all XML resources of one input may decode together. Real apps
/// decode a few MiB; a crafted pool decodes up to 64 MiB per file (offsets into one long run),
/// which over thousands of files is minutes of work and gigabytes of strings.
const MAX_TOTAL_RESOURCE_STRINGS: usize = 256 << 20;

/// Every fact of an input whose base is settled.
pub(super) fn facts(scanner: &Scanner, input: OpenedInput) -> AppFacts {
    let mut anomalies = Vec::new();
    let mut held = Vec::new();
    // Code first: the DEX files and native libraries decide the verdicts, and every entry draws on
    // one inflation budget, so entries read before them could starve them (a decoy
    // `resources.arsc` or XML resources that inflate up to the budget, then `classes.dex`
    // refused). Reading the code first leaves a decoy nothing to hide but resources.
    let dex = dex(&input, scanner.rules(), &mut anomalies, &mut held);
    let native = native(&input, &mut anomalies, &mut held);
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
    let texts = texts(&input, decoded.as_ref(), &mut anomalies, &mut held);
    let manifest_names = manifest_names(&input, decoded.as_ref(), &mut anomalies);
    let instrumented = decoded.as_ref().is_some_and(|d| {
        d.document
            .elements
            .iter()
            .any(|e| &*e.name == "instrumentation")
    });

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
        manifest_names,
        instrumented,
        anomalies,
        held,
    }
}

/// Most strings kept from one manifest's pool as possible class names.
const MAX_MANIFEST_NAMES: usize = 100_000;

/// The strings of the base manifest and of every other member's manifest (a feature split
/// declares its own components) that may name a class. A member manifest that cannot be read
/// is an anomaly, not partial: its components only widen what is reachable.
fn manifest_names(
    input: &OpenedInput,
    decoded: Option<&DecodedManifest>,
    anomalies: &mut Vec<Anomaly>,
) -> Vec<String> {
    fn may_name_class(s: &str) -> bool {
        s.len() <= 512 && s.contains('.') && !s.contains([' ', '/', ':'])
    }
    let mut names: Vec<String> = Vec::new();
    let take = |pool: &axml::StringPool, names: &mut Vec<String>| {
        let strings = (0..pool.len() as u32)
            .filter_map(|i| pool.get(i))
            .filter(|s| may_name_class(s))
            .take(MAX_MANIFEST_NAMES);
        names.extend(strings.map(|s| s.to_string()));
    };
    if let Some(decoded) = decoded {
        take(&decoded.document.strings, &mut names);
    }
    if input.kind() == InputKind::SplitSet {
        for (index, member) in input.loaded.archives.iter().enumerate() {
            if Some(index) == input.loaded.base {
                continue;
            }
            let Some(entry) = member.archive.find(MANIFEST) else {
                continue;
            };
            let label = input
                .member_name(Some(index))
                .map_or_else(|| MANIFEST.to_owned(), |m| format!("{m}!{MANIFEST}"));
            match member.archive.read(entry) {
                Ok(bytes) => match axml::parse_xml(&bytes, &label) {
                    Ok(doc) => take(&doc.strings, &mut names),
                    Err(err) => anomalies.push(Anomaly::new(
                        "manifest.split_unreadable",
                        &label,
                        err.to_string(),
                    )),
                },
                Err(err) => anomalies.push(Anomaly::new(
                    "manifest.split_unreadable",
                    &label,
                    err.to_string(),
                )),
            }
        }
    }
    names.sort_unstable();
    names.dedup();
    names
}

/// Strings of the manifest values, the resource table, XML resources and text assets. What they
/// hold is charged to the scan's memory budget, the charges pushed to `held`.
pub(super) fn texts(
    input: &OpenedInput,
    decoded: Option<&DecodedManifest>,
    anomalies: &mut Vec<Anomaly>,
    held: &mut Vec<Charge>,
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
            let strings = pool_strings(&table.strings);
            if keep_strings(input, &strings, "resources.arsc", anomalies, held) {
                texts.push(TextStrings {
                    kind: TextKind::Resource,
                    location: Location::entry(decoded.member.as_deref(), "resources.arsc"),
                    strings,
                });
            }
        }
    }
    texts.extend(member_texts(input, anomalies, held));
    texts
}

/// The distinct strings of a pool, in pool order: a crafted pool can point thousands of entries
/// at one huge string, which the pool decodes once and which is kept once here too.
fn pool_strings(pool: &axml::StringPool) -> Vec<String> {
    // Sized for the pool (up to a bound a crafted count cannot pass): grown by doubling, the
    // set was rehashed a dozen times on framework-res's 128,000 strings.
    let mut seen: SeenStrings<&str> =
        SeenStrings::with_capacity_and_hasher(pool.len().min(1 << 18), Default::default());
    // Sized once: collected through a filter, the list grew by doubling, and the buffers it left
    // behind stayed in the heap (framework-res, 128,000 strings: 60 MB resident at the end of
    // the texts step, 48 MB sized once).
    let mut strings = Vec::with_capacity(pool.len());
    for text in (0..pool.len() as u32).filter_map(|i| pool.get(i)) {
        if seen.insert(text) {
            strings.push(text.to_string());
        }
    }
    drop(seen);
    // Entries repeating one string (a crafted pool) leave little: their slots are not kept.
    if strings.len() < strings.capacity() / 2 {
        strings.shrink_to_fit();
    }
    strings
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
/// is cut while a minified bundle that is one multi-megabyte line becomes small pieces. Only the
/// pieces with a dot can hold a host: they are found from the dots, and each decoded on its own
/// (invalid UTF-8 lossily), which gives the pieces of the decoded whole
/// ([`crate::utf8::pieces_holding`]) without decoding the rest. Each distinct piece is kept
/// once, in order of first appearance (a bundle repeats the same pieces; a crafted one repeats
/// millions).
///
/// What the pieces hold is charged to `charge` as they are made; when the budget refuses more,
/// the pieces so far are returned with the refusal.
fn text_pieces(
    text: &[u8],
    charge: &mut Charge,
    label: &str,
) -> (Vec<String>, Option<memory::OverBudget>) {
    // Charged in steps, not per piece: one atomic operation per 64 KiB of pieces.
    const STEP: u64 = 64 << 10;
    // While the text is cut a piece also costs its slot in the set of pieces seen (16 bytes and
    // a control byte, at most 7/8 full), and the set and the list grow by doubling: counted as
    // half as much again.
    const GROWTH_SLACK: usize = 40;
    let mut seen: SeenStrings<std::borrow::Cow<'_, str>> = SeenStrings::default();
    let mut pieces = Vec::new();
    let mut pending = 0u64;
    for raw in crate::utf8::pieces_holding(text, b"\"'`<>", b'.') {
        let piece = String::from_utf8_lossy(raw);
        if seen.contains(piece.as_ref()) {
            continue;
        }
        pending += (size_of::<String>() + heap_of(piece.len()) + GROWTH_SLACK) as u64;
        if pending >= STEP {
            if let Err(refused) = charge.grow(pending, label) {
                return (pieces, Some(refused));
            }
            pending = 0;
        }
        pieces.push(piece.as_ref().to_owned());
        seen.insert(piece);
    }
    drop(seen);
    // What stays is the pieces alone.
    charge.shrink_to(strings_footprint(&pieces));
    (pieces, None)
}

/// Charges a list of strings about to be kept for endpoints; on refusal the list is not kept and
/// the part is named in a `scan.memory_budget` anomaly.
fn keep_strings(
    input: &OpenedInput,
    strings: &[String],
    label: &str,
    anomalies: &mut Vec<Anomaly>,
    held: &mut Vec<Charge>,
) -> bool {
    match input
        .loaded
        .memory
        .charge(strings_footprint(strings), label)
    {
        Ok(charge) => {
            held.push(charge);
            true
        }
        Err(refused) => {
            anomalies.push(Anomaly::new(
                memory::ANOMALY,
                label,
                format!("its strings were not read for endpoints: {refused}"),
            ));
            false
        }
    }
}

/// A part of the input not read because the scan's time ran out.
fn timed_out(label: &str, what: &str) -> Anomaly {
    Anomaly::new(
        "scan.timeout",
        label,
        format!("{what}: the scan's time budget (--timeout) ran out"),
    )
}

/// A part of the input not read because the memory budget refused its bytes.
fn over_budget(label: &str, refused: &memory::OverBudget) -> Anomaly {
    Anomaly::new(memory::ANOMALY, label, format!("not read: {refused}"))
}

/// Strings of the XML resources and text assets of every member.
fn member_texts(
    input: &OpenedInput,
    anomalies: &mut Vec<Anomaly>,
    held: &mut Vec<Charge>,
) -> Vec<TextStrings> {
    let mut texts = Vec::new();
    let mut asset_budget = MAX_TOTAL_ASSET_TEXT;
    let mut xml_count = 0;
    let mut resource_strings = MAX_TOTAL_RESOURCE_STRINGS;
    // What the caps left out, reported once each so that the report says it is partial.
    let (mut xml_skipped, mut assets_cut, mut strings_skipped) = (0usize, 0usize, 0usize);
    let mut late = 0usize;
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
            let is_asset = name.starts_with("assets/") && is_text_asset(name);
            if (is_xml_resource || is_asset) && input.loaded.past_deadline() {
                late += 1;
            } else if is_xml_resource && xml_count >= MAX_XML_RESOURCES {
                xml_skipped += 1;
            } else if is_xml_resource && resource_strings == 0 {
                strings_skipped += 1;
            } else if is_xml_resource {
                xml_count += 1;
                let bytes = match member.archive.read(entry) {
                    Ok(bytes) => bytes,
                    // The same bytes as an entry already read, under another name: the archive
                    // has said so (`zip.overlapping_entry_skipped`); nothing of the app is missing.
                    Err(ContainerError::OverlappingData { .. }) => continue,
                    Err(ContainerError::MemoryBudget { refused, .. }) => {
                        anomalies.push(over_budget(&label, &refused));
                        continue;
                    }
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
                // Not binary XML (a text file under res/raw, say): nothing to read here.
                let Ok(doc) = axml::parse_xml_within(&bytes, &label, &mut resource_strings) else {
                    continue;
                };
                drop(bytes);
                // A budget that stopped the reader means strings are missing: said, so the
                // report is partial (other anomalies of resources are not the app's behaviour).
                anomalies.extend(
                    doc.anomalies
                        .iter()
                        .filter(|a| PARTIAL_CODES.contains(&a.code.as_str()))
                        .cloned(),
                );
                let strings = pool_strings(&doc.strings);
                drop(doc);
                if keep_strings(input, &strings, &label, anomalies, held) {
                    texts.push(TextStrings {
                        kind: TextKind::Resource,
                        location: Location::entry(member_name, name.clone()),
                        strings,
                    });
                }
            } else if name.starts_with("assets/") && is_text_asset(name) && asset_budget == 0 {
                assets_cut += 1;
            } else if name.starts_with("assets/") && is_text_asset(name) {
                let bytes = match member.archive.read(entry) {
                    Ok(bytes) => bytes,
                    Err(ContainerError::OverlappingData { .. }) => continue,
                    Err(ContainerError::MemoryBudget { refused, .. }) => {
                        anomalies.push(over_budget(&label, &refused));
                        continue;
                    }
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
                let mut charge = Charge::none(&input.loaded.memory);
                let (strings, refused) = text_pieces(&bytes[..keep], &mut charge, &label);
                drop(bytes);
                if let Some(refused) = refused {
                    anomalies.push(Anomaly::new(
                        memory::ANOMALY,
                        &label,
                        format!("read in part for endpoints: {refused}"),
                    ));
                    // The pieces made since the last step (under 64 KiB) ride uncharged.
                    charge.shrink_to(strings_footprint(&strings));
                }
                held.push(charge);
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
    if late > 0 {
        anomalies.push(timed_out(
            input.label(),
            &format!("{late} XML resources and text assets were not read for endpoints"),
        ));
    }
    if strings_skipped > 0 {
        anomalies.push(Anomaly::new(
            "scan.resource_strings_capped",
            input.label(),
            format!(
                "{strings_skipped} XML resources were not read for endpoints: the string pools of those before them decoded {} MiB, the most read from one input",
                MAX_TOTAL_RESOURCE_STRINGS >> 20
            ),
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
///
/// Each DEX is inflated under the scan's memory budget and its kept facts are charged to it (the
/// charges pushed to `held`). Parallel reads share the budget, so a DEX refused while others were
/// in flight is tried again on its own once they are done; only a DEX that does not fit then is
/// left out, named in a `scan.memory_budget` anomaly.
pub(super) fn dex(
    input: &OpenedInput,
    rules: &RuleSet,
    anomalies: &mut Vec<Anomaly>,
    held: &mut Vec<Charge>,
) -> Vec<DexScan> {
    let refs = input.loaded.dex_entries();
    // Names are shared across the DEX files only when they are large together: each shared
    // name costs a look-up in one table for the whole input (3-7% of the CPU of a corpus app),
    // and below this much DEX the copies it saves are a few MiB. Above it the facts of every DEX
    // make the peak, and sharing lowers it (the 50 MiB synthetic APK: 95 MiB without, 88 with).
    // Dropped when every DEX is read: the texts only it refers to go with it.
    let names = (declared_dex_bytes(input, &refs) > SHARED_NAMES_ABOVE).then(dex::Interner::new);
    let names = names.as_ref();
    let results: Vec<DexRead> = par_map(&refs, |dex_ref| {
        read_and_scan_dex(input, rules, names, dex_ref)
    });
    let mut scans = Vec::new();
    for (dex_ref, result) in refs.iter().zip(results) {
        let result = match result {
            DexRead::OverBudget(_) => read_and_scan_dex(input, rules, names, dex_ref),
            done => done,
        };
        match result {
            DexRead::Scanned(sections) => {
                for (scan, charge) in sections {
                    scans.push(scan);
                    held.push(charge);
                }
            }
            DexRead::Unreadable(anomaly) => anomalies.push(anomaly),
            DexRead::TimedOut => {
                anomalies.push(timed_out(&dex_ref.label, "this DEX was not scanned"))
            }
            DexRead::OverBudget(refused) => anomalies.push(Anomaly::new(
                memory::ANOMALY,
                &dex_ref.label,
                format!("this DEX was not scanned: {refused}"),
            )),
        }
    }
    scans
}

/// `f` of every item, in order: in parallel when there are two or more, on this thread when
/// there is one or none (the thread pool is then not even started: an input with no DEX or no
/// native library pays nothing for it).
fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    if items.len() < 2 {
        items.iter().map(f).collect()
    } else {
        items.par_iter().map(f).collect()
    }
}

/// What reading one DEX gave.
enum DexRead {
    /// Its sections, each with the charge of the facts kept.
    Scanned(Vec<(DexScan, Charge)>),
    Unreadable(Anomaly),
    OverBudget(memory::OverBudget),
    TimedOut,
}

/// Total DEX above which the names of an input's DEX files are shared (see [`dex`]).
const SHARED_NAMES_ABOVE: u64 = 32 << 20;

/// The inflated size of every DEX of `refs`, as their central directory records state it (a
/// bare DEX: its length). A size that lies only changes whether names are shared.
fn declared_dex_bytes(input: &OpenedInput, refs: &[crate::container::DexRef]) -> u64 {
    refs.iter()
        .map(|dex_ref| match (dex_ref.member, dex_ref.entry) {
            (Some(member), Some(entry)) => input
                .loaded
                .archives
                .get(member)
                .and_then(|m| m.archive.entries().get(entry))
                .map_or(0, |entry| entry.uncompressed_size),
            _ => input
                .loaded
                .bare_dex
                .as_ref()
                .map_or(0, |dex| dex.len() as u64),
        })
        .fold(0, u64::saturating_add)
}

fn read_and_scan_dex(
    input: &OpenedInput,
    rules: &RuleSet,
    names: Option<&dex::Interner>,
    dex_ref: &crate::container::DexRef,
) -> DexRead {
    if input.loaded.past_deadline() {
        return DexRead::TimedOut;
    }
    let unreadable =
        |err: String| DexRead::Unreadable(Anomaly::new("dex.unreadable", &dex_ref.label, err));
    let bytes = match input.loaded.read_dex(dex_ref) {
        Ok(bytes) => bytes,
        Err(ContainerError::MemoryBudget { refused, .. }) => return DexRead::OverBudget(refused),
        Err(err) => return unreadable(err.to_string()),
    };
    let sections = match dex::parse_sections(&bytes, &dex_ref.label) {
        Ok(sections) => sections,
        Err(err) => return unreadable(err.to_string()),
    };
    let member = input.member_name(dex_ref.member);
    let scans: Vec<DexScan> = par_map(&sections, |section| {
        scan_section(
            section,
            rules,
            names,
            &dex_ref.label,
            member,
            input.loaded.deadline,
        )
    });
    drop(sections);
    drop(bytes);
    let mut kept = Vec::with_capacity(scans.len());
    for scan in scans {
        match input.loaded.memory.charge(scan.footprint(), &dex_ref.label) {
            Ok(charge) => kept.push((scan, charge)),
            // The facts were built and are dropped here: what is given back lets a retry on
            // its own, after the other DEX files, keep them.
            Err(refused) => return DexRead::OverBudget(refused),
        }
    }
    DexRead::Scanned(kept)
}

fn scan_section(
    section: &DexFile<'_>,
    rules: &RuleSet,
    names: Option<&dex::Interner>,
    label: &str,
    member: Option<&str>,
    deadline: Option<std::time::Instant>,
) -> DexScan {
    let options = ScanOptions {
        sites: true,
        deadline,
    };
    let facts = dex::scan_sharing_names(section, label, &options, names);
    let entry = match member {
        Some(member) => facts
            .name
            .strip_prefix(member)
            .and_then(|rest| rest.strip_prefix('!'))
            .unwrap_or(&facts.name)
            .to_owned(),
        None => facts.name.clone(),
    };
    // Every type descriptor rendered once: for the list of types, and
    // whether a rule names members of the class, which settles most ids of the tables below
    // without rendering their names.
    let descriptors: Vec<std::borrow::Cow<'_, str>> = (0..section.type_ids.count)
        .map(|i| section.type_descriptor(i))
        .collect();
    let descriptor = |index: u32| match descriptors.get(index as usize) {
        Some(text) => text.clone(),
        None => section.type_descriptor(index),
    };
    let has_methods: Vec<bool> = descriptors
        .iter()
        .map(|d| rules.has_methods_of(d))
        .collect();
    let has_fields: Vec<bool> = descriptors.iter().map(|d| rules.has_fields_of(d)).collect();
    // The facts' lists are sorted by the references' order, which agrees with their equality.
    let invoked = |method: &MethodRef| facts.invoked_methods.binary_search(method).is_ok();
    let read = |field: &FieldRef| {
        facts
            .fields
            .binary_search_by(|f| f.field.cmp(field))
            .is_ok_and(|at| facts.fields[at].read)
    };
    let mut unused_methods: Vec<MethodRef> = distinct_ids(section.method_ids.count, |index| {
        let m = section.method_id(index)?;
        // A class no rule names members of has no method to keep (its index may be past the
        // table: such a class is rendered as a placeholder, which no rule names either).
        has_methods
            .get(usize::from(m.class_idx))
            .copied()?
            .then_some(())?;
        Some((u32::from(m.class_idx), m.name_idx, u32::from(m.proto_idx)))
    })
    .filter(|&index| {
        section.method_id(index).is_some_and(|m| {
            rules.names_method(
                &descriptor(u32::from(m.class_idx)),
                &section.string_text(m.name_idx),
            )
        })
    })
    .filter_map(|index| section.method_ref(index))
    .filter(|method| !invoked(method))
    .collect();
    let mut unread_fields: Vec<FieldRef> = distinct_ids(section.field_ids.count, |index| {
        let f = section.field_id(index)?;
        has_fields
            .get(usize::from(f.class_idx))
            .copied()?
            .then_some(())?;
        Some((u32::from(f.class_idx), f.name_idx, u32::from(f.type_idx)))
    })
    .filter(|&index| {
        section.field_id(index).is_some_and(|f| {
            rules.names_field(
                &descriptor(u32::from(f.class_idx)),
                &section.string_text(f.name_idx),
            )
        })
    })
    .filter_map(|index| section.field_ref(index))
    .filter(|field| !read(field))
    .collect();
    let mut types: Vec<String> = descriptors
        .into_iter()
        .filter(|desc| rules.api_for_class(desc).next().is_some())
        .map(std::borrow::Cow::into_owned)
        .collect();
    unused_methods.sort_unstable();
    unused_methods.dedup();
    unread_fields.sort_unstable();
    unread_fields.dedup();
    types.sort_unstable();
    types.dedup();
    // `types` was collected in the place of every descriptor of the table, and would keep that
    // allocation for the few it holds.
    types.shrink_to_fit();
    DexScan {
        member: member.map(str::to_owned),
        entry,
        facts,
        unused_methods,
        unread_fields,
        types,
        hierarchy: dex::class_hierarchy(section, names),
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

/// Every native library of every member, read and parsed in parallel under the scan's memory
/// budget, with the same retry on its own as a DEX ([`dex`]).
pub(super) fn native(
    input: &OpenedInput,
    anomalies: &mut Vec<Anomaly>,
    held: &mut Vec<Charge>,
) -> Vec<NativeScan> {
    let libs = input.loaded.native_libs();
    let results: Vec<NativeRead> = par_map(&libs, |lib| read_native(input, lib));
    libs.iter()
        .zip(results)
        .map(|(lib, result)| {
            let result = match result {
                NativeRead::OverBudget(_) => read_native(input, lib),
                done => done,
            };
            let facts = match result {
                NativeRead::Read(facts, charge) => {
                    held.push(charge);
                    Some(facts)
                }
                NativeRead::Unreadable(reason) => {
                    anomalies.push(Anomaly::new("elf.unreadable", &lib.label, reason));
                    None
                }
                NativeRead::TimedOut => {
                    anomalies.push(timed_out(&lib.label, "this library was not read"));
                    None
                }
                NativeRead::OverBudget(refused) => {
                    anomalies.push(Anomaly::new(
                        memory::ANOMALY,
                        &lib.label,
                        format!("this library was not read: {refused}"),
                    ));
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

/// What reading one native library gave.
enum NativeRead {
    Read(native::NativeFacts, Charge),
    Unreadable(String),
    OverBudget(memory::OverBudget),
    TimedOut,
}

fn read_native(input: &OpenedInput, lib: &crate::container::EntryRef) -> NativeRead {
    if input.loaded.past_deadline() {
        return NativeRead::TimedOut;
    }
    let bytes = match input.loaded.read_entry(lib) {
        Ok(bytes) => bytes,
        Err(ContainerError::MemoryBudget { refused, .. }) => {
            return NativeRead::OverBudget(refused);
        }
        Err(err) => return NativeRead::Unreadable(err.to_string()),
    };
    // What the reader keeps (its strings above all) is charged with the bytes still held, so
    // the library's peak is counted whole.
    let facts = match native::read_elf(&bytes, &lib.label) {
        Ok(facts) => facts,
        Err(err) => return NativeRead::Unreadable(err.to_string()),
    };
    match input
        .loaded
        .memory
        .charge(native_footprint(&facts), &lib.label)
    {
        Ok(charge) => NativeRead::Read(facts, charge),
        Err(refused) => NativeRead::OverBudget(refused),
    }
}

#[cfg(test)]
mod tests {
    use super::{pool_strings, text_pieces};
    use crate::axml::StringPool;
    use crate::axml::string_pool::test_support::build_pool;
    use crate::memory::{Charge, MemoryBudget};

    fn pieces(text: &str) -> Vec<String> {
        let budget = MemoryBudget::unlimited();
        text_pieces(text.as_bytes(), &mut Charge::none(&budget), "t").0
    }

    #[test]
    fn pieces_are_charged_and_stop_at_the_budget() {
        let text: String = (0..200_000).map(|i| format!("h{i}.example.com ")).collect();
        let budget = MemoryBudget::new(1 << 20);
        let mut charge = Charge::none(&budget);
        let (kept, refused) = text_pieces(text.as_bytes(), &mut charge, "t");
        assert!(refused.is_some());
        assert!(!kept.is_empty() && kept.len() < 200_000);
        assert!(budget.peak() <= 1 << 20);
        let budget = MemoryBudget::unlimited();
        let mut charge = Charge::none(&budget);
        let (kept, refused) = text_pieces(text.as_bytes(), &mut charge, "t");
        assert!(refused.is_none());
        assert_eq!(kept.len(), 200_000);
        assert_eq!(charge.bytes(), super::strings_footprint(&kept));
    }

    #[test]
    fn a_long_single_line_bundle_keeps_its_last_url() {
        // Past the extractor's 1 MiB window for one string: found only because the line is cut.
        let bundle = format!(
            "var a={};fetch(\"https://late.example.net/x\")",
            "1".repeat(3 << 20)
        );
        let pieces = pieces(&bundle);
        assert!(pieces.iter().any(|p| p == "https://late.example.net/x"));
    }

    #[test]
    fn invalid_bytes_are_decoded_piece_by_piece_and_kept_once() {
        let budget = MemoryBudget::unlimited();
        // An invalid byte and the replacement character it decodes to are the same piece.
        let text = b"a\xff.b x a\xef\xbf\xbd.b \xe4\xb8.c\xe3\x80\x80c.d\xe2\x80";
        let (kept, refused) = text_pieces(text, &mut Charge::none(&budget), "t");
        assert!(refused.is_none());
        assert_eq!(kept, ["a\u{fffd}.b", "\u{fffd}.c", "c.d\u{fffd}"]);
    }

    #[test]
    fn pieces_never_cut_a_url() {
        let pieces = pieces("load('https://a.example.com/p?q=1&r=2#f') <b>x.y</b>");
        assert!(pieces.contains(&"https://a.example.com/p?q=1&r=2#f".to_owned()));
    }

    fn pool(strings: &[&str]) -> StringPool {
        let (mut anomalies, mut budget) = (Vec::new(), usize::MAX);
        StringPool::parse(
            &build_pool(strings, true),
            "arsc",
            "t",
            &mut anomalies,
            &mut budget,
        )
    }

    #[test]
    fn pool_strings_are_distinct_in_pool_order() {
        let strings = pool_strings(&pool(&["b.example", "a", "b.example", "c", "a"]));
        assert_eq!(strings, ["b.example", "a", "c"]);
    }

    #[test]
    fn pool_strings_keep_no_slots_for_repeats() {
        let repeated: Vec<&str> = std::iter::repeat_n("x.example", 100).collect();
        let strings = pool_strings(&pool(&repeated));
        assert_eq!(strings, ["x.example"]);
        assert!(strings.capacity() < 50, "{}", strings.capacity());
    }
}
