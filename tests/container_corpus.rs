//! Corpus checks (skipped quietly when the corpus is absent): every file opens without panic,
//! entry names match `unzip -Z1` where unzip is installed, and the apksig malformed samples give
//! the anomalies documented in docs/anomalies-container.md.

use std::path::{Path, PathBuf};
use std::process::Command;

use dossier::container::{ContainerError, InputKind, Limits, LoadedInput};

mod common;

fn corpus_dir() -> Option<PathBuf> {
    common::corpus()
}

fn corpus_files() -> Vec<PathBuf> {
    let Some(root) = corpus_dir() else {
        return Vec::new();
    };
    let mut files = Vec::new();
    for sub in ["apks", "dex"] {
        if let Ok(listing) = std::fs::read_dir(root.join(sub)) {
            files.extend(listing.filter_map(|item| item.ok()).map(|item| item.path()));
        }
    }
    files.sort();
    files
}

fn corpus_apk(name: &str) -> Option<PathBuf> {
    let path = corpus_dir()?.join("apks").join(name);
    path.is_file().then_some(path)
}

fn codes(input: &LoadedInput) -> Vec<String> {
    input.all_anomalies().into_iter().map(|a| a.code).collect()
}

#[test]
fn every_corpus_file_opens_and_every_entry_reads_without_panic() {
    for path in corpus_files() {
        let result = LoadedInput::open(&path, &Limits::default());
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        match result {
            Ok(input) => {
                for member in &input.archives {
                    for entry in member.archive.entries() {
                        let _ = member.archive.read(entry);
                    }
                }
                for dex in input.dex_entries() {
                    let bytes = input
                        .read_dex(&dex)
                        .unwrap_or_else(|e| panic!("{name}: {e}"));
                    assert!(
                        bytes.starts_with(b"dex\n"),
                        "{name}: {} is not a DEX",
                        dex.label
                    );
                }
                eprintln!(
                    "{name}: {:?}, {} archives, {} dex, {} libs, anomalies {:?}",
                    input.kind,
                    input.archives.len(),
                    input.dex_entries().len(),
                    input.native_libs().len(),
                    codes(&input)
                );
            }
            Err(error) => eprintln!("{name}: error {error}"),
        }
    }
}

fn unzip_listing(path: &Path) -> Option<Vec<String>> {
    let output = Command::new("unzip").arg("-Z1").arg(path).output().ok()?;
    if !output.status.success() {
        return None;
    }
    Some(
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(str::to_owned)
            .collect(),
    )
}

#[test]
fn entry_names_match_unzip_listing() {
    for path in corpus_files() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        // Names unzip prints differently on purpose: see docs/anomalies-container.md.
        if name == "apksig-truncated-cd.apk" || name == "apksig-nul-in-entry-name.apk" {
            continue;
        }
        let Some(expected) = unzip_listing(&path) else {
            continue;
        };
        let input = LoadedInput::open(&path, &Limits::default()).unwrap();
        let ours: Vec<String> = input.archives[0]
            .archive
            .entries()
            .iter()
            .map(|entry| entry.name.clone())
            .collect();
        assert_eq!(ours, expected, "{name}");
    }
}

/// What each malformed apksig sample must give (docs/anomalies-container.md, "Corpus").
#[test]
fn apksig_malformed_samples_give_the_documented_anomalies() {
    let expectations: [(&str, &str); 6] = [
        ("apksig-empty-unsigned.apk", "zip.empty_archive"),
        ("apksig-garbage-cd-eocd.apk", "zip.garbage_before_eocd"),
        ("apksig-max-eocd-comment.apk", "zip.max_comment"),
        (
            "apksig-mismatched-compression.apk",
            "zip.local_method_mismatch",
        ),
        ("apksig-nul-in-entry-name.apk", "zip.name_nul"),
        ("apksig-truncated-cd.apk", "zip.truncated_central_directory"),
    ];
    for (name, code) in expectations {
        let Some(path) = corpus_apk(name) else {
            continue;
        };
        let input = LoadedInput::open(&path, &Limits::default()).unwrap();
        assert_eq!(input.kind, InputKind::Apk, "{name}");
        assert!(
            codes(&input).iter().any(|c| c == code),
            "{name}: {:?}",
            codes(&input)
        );
        if name != "apksig-empty-unsigned.apk" {
            let manifest = input.base_entry("AndroidManifest.xml").unwrap();
            assert!(
                manifest.is_some_and(|m| m.len() > 8),
                "{name}: manifest readable"
            );
            let dexes = input.dex_entries();
            assert_eq!(dexes.len(), 1, "{name}");
            assert!(
                input.read_dex(&dexes[0]).unwrap().starts_with(b"dex\n"),
                "{name}"
            );
        }
    }
}

#[test]
fn well_formed_corpus_apks_have_no_anomalies() {
    for path in corpus_files() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("apksig-") {
            continue;
        }
        let input = LoadedInput::open(&path, &Limits::default()).unwrap();
        assert!(
            input.all_anomalies().is_empty(),
            "{name}: {:?}",
            input.all_anomalies()
        );
    }
}

#[test]
fn corpus_kinds_follow_the_bytes() {
    let expected = [
        ("multidex-no-manifest.apk", InputKind::Jar),
        ("framework-res-android10.apk", InputKind::Apk),
        ("okhttp-d8-038.dex", InputKind::Dex),
        // MANIFEST.tsv says "no manifest", but the jar does hold an AndroidManifest.xml.
        ("uiautomator2-u2-jar.jar", InputKind::Apk),
        ("airtest-maxpresent-jar.jar", InputKind::Apk),
    ];
    for path in corpus_files() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if let Some((_, kind)) = expected.iter().find(|(file, _)| *file == name) {
            let input = LoadedInput::open(&path, &Limits::default()).unwrap();
            assert_eq!(input.kind, *kind, "{name}");
        }
    }
}

/// Real archives never overlap: no corpus APK nor SDK app is flagged `zip.overlapping_entries`,
/// and every entry of every member reads in directory order (the order a naive reader takes)
/// without being refused as overlapping another.
#[test]
fn real_apps_have_no_overlapping_entries() {
    let mut paths: Vec<PathBuf> = corpus_dir()
        .map(|dir| common::corpus_files(&dir, "apks"))
        .unwrap_or_default();
    paths.extend(common::sdk_apps());
    for path in paths {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let Ok(input) = LoadedInput::open(&path, &Limits::default()) else {
            continue;
        };
        let overlap: Vec<_> = input
            .all_anomalies()
            .into_iter()
            .filter(|a| a.code.starts_with("zip.overlapping_"))
            .collect();
        assert!(overlap.is_empty(), "{name}: {overlap:?}");
        for member in &input.archives {
            for entry in member.archive.entries() {
                let read = member.archive.read(entry);
                assert!(
                    !matches!(read, Err(ContainerError::OverlappingData { .. })),
                    "{name}: {}: {read:?}",
                    entry.name
                );
            }
        }
    }
}
