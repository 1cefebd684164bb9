//! Hostile input: every truncation and deterministic random byte flips of a real binary
//! manifest and a real resources.arsc must neither panic nor take long.

mod common;

use std::io::Read;
use std::path::Path;
use std::time::{Duration, Instant};

use common::Rng;
use dossier::axml::{Manifest, ResourceTable, parse_xml, to_xml_text};

fn fixture_entry(name: &str) -> Vec<u8> {
    let apk = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/manifests/built/full.apk");
    let mut archive = zip::ZipArchive::new(std::fs::File::open(apk).unwrap()).unwrap();
    let mut bytes = Vec::new();
    archive
        .by_name(name)
        .unwrap()
        .read_to_end(&mut bytes)
        .unwrap();
    bytes
}

/// Everything a caller would do with a manifest: parse, build the manifest, print.
fn exercise(xml: &[u8], table: Option<&ResourceTable>) {
    if let Ok(doc) = parse_xml(xml, "m") {
        let manifest = Manifest::from_document(&doc, table);
        let _ = serde_json::to_string(&manifest).unwrap();
        assert_well_formed(&to_xml_text(&doc, table));
    }
}

/// The printed XML parses, with no repeated attribute on any element.
fn assert_well_formed(text: &str) {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                for attribute in e.attributes().with_checks(true) {
                    assert!(attribute.is_ok(), "{attribute:?} in {text}");
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(error) => panic!("printed XML does not parse: {error}\n{text}"),
        }
    }
}

fn exercise_table(arsc: &[u8]) {
    if let Ok(table) = ResourceTable::parse(arsc, "r") {
        for id in 0x7f01_0000..0x7f01_0010u32 {
            let _ = table.resolve(id);
            let _ = table.name_of(id);
        }
        for type_id in 1..16u32 {
            let _ = table.resolve(0x7f00_0000 | (type_id << 16));
        }
    }
}

fn bounded(what: &str, started: Instant, limit: Duration) {
    assert!(
        started.elapsed() < limit,
        "{what} took {:?}",
        started.elapsed()
    );
}

#[test]
fn every_truncation_of_a_manifest() {
    let xml = fixture_entry("AndroidManifest.xml");
    let table = ResourceTable::parse(&fixture_entry("resources.arsc"), "r").unwrap();
    let started = Instant::now();
    for len in 0..xml.len() {
        exercise(&xml[..len], Some(&table));
    }
    bounded("truncations", started, Duration::from_secs(60));
}

#[test]
fn every_truncation_of_a_resource_table() {
    let arsc = fixture_entry("resources.arsc");
    let started = Instant::now();
    for len in 0..arsc.len() {
        exercise_table(&arsc[..len]);
    }
    bounded("truncations", started, Duration::from_secs(60));
}

#[test]
fn random_byte_flips_in_a_manifest() {
    let xml = fixture_entry("AndroidManifest.xml");
    let table = ResourceTable::parse(&fixture_entry("resources.arsc"), "r").unwrap();
    let mut rng = Rng(0x5eed_0001);
    let started = Instant::now();
    for _ in 0..4000 {
        let mut bytes = xml.clone();
        for _ in 0..1 + rng.next() % 8 {
            let at = (rng.next() % bytes.len() as u64) as usize;
            bytes[at] = rng.next() as u8;
        }
        let one = Instant::now();
        exercise(&bytes, Some(&table));
        bounded("one flipped manifest", one, Duration::from_secs(2));
    }
    bounded("flips", started, Duration::from_secs(120));
}

#[test]
fn random_byte_flips_in_a_resource_table() {
    let arsc = fixture_entry("resources.arsc");
    let mut rng = Rng(0x5eed_0002);
    let started = Instant::now();
    for _ in 0..4000 {
        let mut bytes = arsc.clone();
        for _ in 0..1 + rng.next() % 8 {
            let at = (rng.next() % bytes.len() as u64) as usize;
            bytes[at] = rng.next() as u8;
        }
        exercise_table(&bytes);
    }
    bounded("flips", started, Duration::from_secs(120));
}

/// Flips aimed at header fields (sizes, counts, offsets) with extreme values.
#[test]
fn extreme_values_in_every_word() {
    let xml = fixture_entry("AndroidManifest.xml");
    let arsc = fixture_entry("resources.arsc");
    let started = Instant::now();
    for value in [0u32, 0x7fff_ffff, 0xffff_ffff] {
        for at in (0..xml.len().saturating_sub(4)).step_by(4) {
            let mut bytes = xml.clone();
            bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
            exercise(&bytes, None);
        }
        for at in (0..arsc.len().saturating_sub(4)).step_by(2) {
            let mut bytes = arsc.clone();
            bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
            exercise_table(&bytes);
        }
    }
    bounded("extreme values", started, Duration::from_secs(120));
}
