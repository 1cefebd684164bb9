//! What each fuzz target does with one input, shared by the targets (fuzz/fuzz_targets/) and by
//! the regression test that replays every input the fuzzers ever found (tests/fuzz_regressions.rs),
//! so a replayed input runs exactly the code that failed.

use std::sync::LazyLock;

use dossier::axml::{self, Manifest, ResourceTable};
use dossier::container::Archive;
use dossier::dex::{self, ScanOptions};
use dossier::{Limits, RuleSet, Scanner, native, report};

/// Small caps, so that one input costs milliseconds and the fuzzer explores instead of inflating.
pub fn limits() -> Limits {
    Limits {
        max_input_size: 8 << 20,
        max_entries: 4096,
        max_entry_size: 4 << 20,
        max_total_inflated: 16 << 20,
        max_ratio: 400,
        memory_budget: Limits::default().memory_budget,
        time_budget: None,
    }
}

/// The zip reader: parse any bytes as an archive, then read every entry it lists.
pub fn zip(data: &[u8]) {
    if let Ok(archive) = Archive::parse(data.to_vec(), "fuzz.apk", &limits()) {
        for entry in archive.entries() {
            let _ = archive.read(entry);
        }
        let _ = archive.anomalies();
    }
}

/// Android binary XML: the document reader, the typed manifest built from it, and the printer.
pub fn axml(data: &[u8]) {
    if let Ok(doc) = axml::parse_xml(data, "AndroidManifest.xml") {
        let manifest = Manifest::from_document(&doc, None);
        let _ = manifest.permission_names();
        let _ = axml::to_xml_text(&doc, None);
    }
}

/// The resource table: parse, then resolve the first ids of every package it declares.
pub fn arsc(data: &[u8]) {
    if let Ok(table) = ResourceTable::parse(data, "resources.arsc") {
        let packages: Vec<u8> = table.packages().map(|(id, _)| id).collect();
        for package in packages {
            for type_id in 1..8u32 {
                for entry in 0..16u32 {
                    let id = (u32::from(package) << 24) | (type_id << 16) | entry;
                    let _ = table.resolve(id);
                    let _ = table.name_of(id);
                }
            }
        }
        let _ = table.entry_count();
    }
}

/// DEX files: every section parsed, scanned with call sites, and its class hierarchy read.
pub fn dex(data: &[u8]) {
    if let Ok(sections) = dex::parse_sections(data, "classes.dex") {
        for section in &sections {
            let facts = dex::scan(
                section,
                "classes.dex",
                &ScanOptions {
                    sites: true,
                    ..Default::default()
                },
            );
            let _ = dex::to_json(std::slice::from_ref(&facts));
            let _ = dex::class_hierarchy(section, None);
        }
    }
}

/// Native libraries: the goblin-backed reader with its fallback, and the hand reader alone.
pub fn elf(data: &[u8]) {
    let _ = native::read_elf(data, "lib/arm64-v8a/libfuzz.so");
    let _ = native::read_elf_by_hand(data, "lib/arm64-v8a/libfuzz.so");
}

static SCANNER: LazyLock<Scanner> = LazyLock::new(|| {
    Scanner::new(
        RuleSet::builtin().expect("the built-in rules load"),
        limits(),
    )
});

/// The whole scan: any bytes as an input (APK, split set, DEX, JAR) with the built-in rules,
/// rendered to every format.
pub fn scan(data: &[u8]) {
    if let Ok(report) = SCANNER.scan_bytes(data.to_vec(), "fuzz.apk") {
        let _ = report::render_json(&report);
        let _ = report::render_text(&report, &report::TextOptions::default());
        let verbose = report::TextOptions {
            verbose: true,
            ..Default::default()
        };
        let _ = report::render_text(&report, &verbose);
        let _ = report::render_sarif(&report, &std::collections::BTreeMap::new());
        let _ = report::render_markdown(&report);
        let _ = report::render_html(&report);
    }
}
