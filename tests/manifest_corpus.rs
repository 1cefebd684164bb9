//! The real-APK corpus (`$DOSSIER_CORPUS`, default `target/corpus`; skipped quietly when absent):
//! every manifest and resource table parses, and what dossier reads agrees with
//! `aapt dump permissions` / `aapt dump badging` wherever aapt can read the APK.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use dossier::axml::{Manifest, ResourceTable, parse_xml, to_xml_text};

fn corpus_apks() -> Vec<PathBuf> {
    let Some(root) = common::corpus() else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(root.join("apks")) else {
        return Vec::new();
    };
    let mut apks: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "apk"))
        .collect();
    apks.sort();
    apks
}

/// An entry's bytes: `unzip -p` when installed (it copes with the corpus's damaged archives
/// the way aapt does), the zip crate otherwise.
fn entry(apk: &Path, name: &str) -> Option<Vec<u8>> {
    if let Ok(output) = Command::new("unzip").arg("-p").arg(apk).arg(name).output() {
        return (!output.stdout.is_empty()).then_some(output.stdout);
    }
    let mut archive = zip::ZipArchive::new(std::fs::File::open(apk).ok()?).ok()?;
    let mut bytes = Vec::new();
    archive.by_name(name).ok()?.read_to_end(&mut bytes).ok()?;
    Some(bytes)
}

fn aapt(args: &[&str], apk: &Path) -> Option<String> {
    let output = Command::new("aapt").args(args).arg(apk).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// `key='value'` from an aapt badging line.
fn quoted<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let start = line.find(&format!("{key}='"))? + key.len() + 2;
    line[start..].split('\'').next()
}

struct Parsed {
    manifest: Manifest,
}

fn parse_apk(apk: &Path) -> Option<Parsed> {
    let xml = entry(apk, "AndroidManifest.xml")?;
    let table = entry(apk, "resources.arsc")
        .and_then(|bytes| ResourceTable::parse(&bytes, "resources.arsc").ok());
    let doc = parse_xml(&xml, "AndroidManifest.xml").ok()?;
    let _ = to_xml_text(&doc, table.as_ref());
    Some(Parsed {
        manifest: Manifest::from_document(&doc, table.as_ref()),
    })
}

#[test]
fn corpus_manifests_agree_with_aapt() {
    let apks = corpus_apks();
    if apks.is_empty() {
        eprintln!("corpus absent; skipped");
        return;
    }
    let mut compared = 0;
    let mut failures = Vec::new();
    for apk in &apks {
        let name = apk.file_name().unwrap().to_string_lossy().into_owned();
        let started = Instant::now();
        let parsed = parse_apk(apk);
        let elapsed = started.elapsed();
        let Some(dump) = aapt(&["dump", "permissions"], apk) else {
            eprintln!(
                "{name}: aapt cannot read it; dossier manifest: {}",
                parsed.is_some()
            );
            continue;
        };
        let Some(Parsed { manifest: m }) = parsed else {
            failures.push(format!("{name}: aapt reads it but dossier does not"));
            continue;
        };
        compared += 1;
        eprintln!(
            "{name}: {} permissions, {} components, {} anomalies, {elapsed:?}",
            m.permissions.len(),
            m.components.len(),
            m.anomalies.len()
        );
        let mut expected: Vec<String> = dump
            .lines()
            .filter_map(|l| {
                l.strip_prefix("uses-permission: ")
                    .or_else(|| l.strip_prefix("uses-permission-sdk-23: "))
            })
            .filter_map(|l| quoted(l, "name").map(str::to_owned))
            .collect();
        expected.sort();
        expected.dedup();
        if m.permission_names() != expected {
            failures.push(format!(
                "{name}: permissions {:?} vs aapt {expected:?}",
                m.permission_names()
            ));
        }
        let Some(badging) = aapt(&["dump", "badging"], apk) else {
            continue;
        };
        for line in badging.lines() {
            let mut check = |field: &str, ours: Option<String>, theirs: Option<&str>| {
                if ours.as_deref() != theirs {
                    failures.push(format!("{name}: {field} {ours:?} vs aapt {theirs:?}"));
                }
            };
            if line.starts_with("package: ") {
                check("package", m.package.clone(), quoted(line, "name"));
                check(
                    "versionCode",
                    m.version_code.map(|v| (v & 0xffff_ffff).to_string()),
                    quoted(line, "versionCode").filter(|v| !v.is_empty()),
                );
                check(
                    "versionName",
                    m.version_name.clone(),
                    quoted(line, "versionName").filter(|v| !v.is_empty()),
                );
            } else if let Some(v) = line.strip_prefix("sdkVersion:'") {
                let v = v.trim_end_matches('\'');
                if v.parse::<u32>().is_ok() {
                    check("minSdk", m.min_sdk.map(|s| s.to_string()), Some(v));
                }
            } else if let Some(v) = line.strip_prefix("targetSdkVersion:'") {
                let v = v.trim_end_matches('\'');
                if v.parse::<u32>().is_ok() && m.target_sdk.is_some() {
                    check("targetSdk", m.target_sdk.map(|s| s.to_string()), Some(v));
                }
            } else if let Some(v) = line.strip_prefix("application-label:'") {
                check(
                    "label",
                    m.application.as_ref().and_then(|a| a.label.clone()),
                    Some(v.trim_end_matches('\'')),
                );
            }
        }
    }
    eprintln!("compared {compared} of {} APKs with aapt", apks.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Byte flips in every corpus manifest: no panic, bounded time.
#[test]
fn corpus_manifests_survive_byte_flips() {
    let mut seed = 0x00c0_ffeeu64;
    for apk in corpus_apks() {
        let Some(xml) = entry(&apk, "AndroidManifest.xml") else {
            continue;
        };
        if xml.len() > 64 * 1024 {
            continue;
        }
        let started = Instant::now();
        for _ in 0..200 {
            let mut bytes = xml.clone();
            for _ in 0..4 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let at = (seed % bytes.len() as u64) as usize;
                bytes[at] = (seed >> 32) as u8;
            }
            if let Ok(doc) = parse_xml(&bytes, "m") {
                let _ = Manifest::from_document(&doc, None);
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{}",
            apk.display()
        );
    }
}

/// Truncations (every 61st length) and byte flips of the smallest real resource table of at
/// least 16 KiB in the corpus: no panic, bounded time.
#[test]
fn corpus_table_survives_truncation_and_flips() {
    let mut tables: Vec<Vec<u8>> = corpus_apks()
        .iter()
        .filter_map(|apk| entry(apk, "resources.arsc"))
        .filter(|t| t.len() >= 16 * 1024 && t.len() <= 512 * 1024)
        .collect();
    tables.sort_by_key(Vec::len);
    let Some(arsc) = tables.first() else {
        eprintln!("corpus absent; skipped");
        return;
    };
    let started = Instant::now();
    for len in (0..arsc.len()).step_by(61) {
        if let Ok(table) = ResourceTable::parse(&arsc[..len], "r") {
            let _ = table.resolve(0x7f01_0000);
        }
    }
    let mut seed = 0x0bad_5eedu64;
    for _ in 0..300 {
        let mut bytes = arsc.clone();
        for _ in 0..4 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let at = (seed % bytes.len() as u64) as usize;
            bytes[at] = (seed >> 32) as u8;
        }
        if let Ok(table) = ResourceTable::parse(&bytes, "r") {
            for id in 0x7f01_0000..0x7f01_0040 {
                let _ = table.resolve(id);
                let _ = table.name_of(id);
            }
        }
    }
    assert!(
        started.elapsed() < Duration::from_secs(120),
        "{:?}",
        started.elapsed()
    );
}

/// Elements (name, line) and attributes (stored name, resource id) in document order, in the
/// shape `aapt dump xmltree` prints them.
fn tree_signature(doc: &dossier::axml::XmlDocument) -> Vec<String> {
    let mut out = Vec::new();
    for element in &doc.elements {
        out.push(format!("E {} {}", element.name, element.line));
        for attribute in &element.attributes {
            let id = attribute
                .resource_id
                .map(|id| format!("(0x{id:08x})"))
                .unwrap_or_default();
            // aapt's spelling of the typed value: strings quoted, references as @0x…, the
            // rest as "(type 0x..)0x..".
            let value = match (attribute.typed.data_type, &attribute.value) {
                (0x03, dossier::axml::Value::String(text)) => {
                    // aapt escapes backslashes, quotes and line breaks when printing.
                    let escaped = text
                        .replace('\\', "\\\\")
                        .replace('"', "\\\"")
                        .replace('\n', "\\n");
                    format!("\"{escaped}\"")
                }
                (0x01, _) => format!("@0x{:08x}", attribute.typed.data),
                (data_type, _) => format!("(type 0x{data_type:x})0x{:x}", attribute.typed.data),
            };
            let name = attribute.raw_name.as_deref().unwrap_or("");
            out.push(format!("A {name}{id}={value}"));
        }
    }
    out
}

fn aapt_tree_signature(dump: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in dump.lines().map(str::trim_start) {
        if let Some(rest) = line.strip_prefix("E: ") {
            let (name, line_part) = rest.split_once(" (line=").unwrap_or((rest, ""));
            out.push(format!("E {name} {}", line_part.trim_end_matches(')')));
        } else if let Some(rest) = line.strip_prefix("A: ") {
            let (token, value) = rest.split_once('=').unwrap_or((rest, ""));
            let local = token.rsplit_once(':').map_or(token, |(_, local)| local);
            let value = value.split(" (Raw: ").next().unwrap_or(value);
            out.push(format!("A {local}={value}"));
        }
    }
    out
}

/// The decoded tree matches `aapt dump xmltree` element for element, attribute for attribute,
/// for the fixtures and every corpus APK aapt reads.
#[test]
fn trees_agree_with_aapt_xmltree() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/manifests/built");
    let mut apks: Vec<PathBuf> = ["full", "sdk31", "legacy"]
        .iter()
        .map(|n| fixtures.join(format!("{n}.apk")))
        .collect();
    apks.extend(corpus_apks());
    let mut compared = 0;
    for apk in apks {
        let Ok(output) = Command::new("aapt")
            .args(["dump", "xmltree"])
            .arg(&apk)
            .arg("AndroidManifest.xml")
            .output()
        else {
            eprintln!("aapt not available; skipped");
            return;
        };
        if !output.status.success() {
            continue;
        }
        let dump = String::from_utf8_lossy(&output.stdout);
        let Some(xml) = entry(&apk, "AndroidManifest.xml") else {
            continue;
        };
        let doc = parse_xml(&xml, "AndroidManifest.xml").expect("aapt reads it, so must we");
        let ours = tree_signature(&doc);
        let theirs = aapt_tree_signature(&dump);
        let first_difference = ours.iter().zip(&theirs).position(|(a, b)| a != b);
        assert!(
            first_difference.is_none() && ours.len() == theirs.len(),
            "{}: first difference at line {first_difference:?}: ours {:?} aapt {:?} (lengths {} / {})",
            apk.display(),
            first_difference.map(|i| &ours[i]),
            first_difference.map(|i| &theirs[i]),
            ours.len(),
            theirs.len()
        );
        compared += 1;
    }
    eprintln!("{compared} trees compared with aapt dump xmltree");
}
