//! Input tricks that change what Android runs are read the way Android reads them and reported:
//! a DEX glued before an APK (Janus, CVE-2017-13156) is both the APK the package manager installs
//! and the code the runtime of Android 5.0 to 8.0 executes.

mod common;

use std::io::{Cursor, Seek, SeekFrom};

use dossier::Scanner;

/// `dex` followed by the entries of `apk` rewritten after it, with zip offsets counted from the
/// start of the file, as the published Janus tools make them.
fn janus(dex: &[u8], apk: &[u8]) -> Vec<u8> {
    let mut out = Cursor::new(dex.to_vec());
    out.seek(SeekFrom::End(0)).unwrap();
    let mut writer = zip::ZipWriter::new(out);
    let mut source = zip::ZipArchive::new(Cursor::new(apk)).unwrap();
    for index in 0..source.len() {
        let entry = source.by_index_raw(index).unwrap();
        writer.raw_copy_file(entry).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

#[test]
fn a_dex_glued_before_an_apk_is_read_as_both() {
    let dex = std::fs::read(common::root().join("fixtures/dex/refs.dex")).unwrap();
    let apk = std::fs::read(common::fixture("beacon.apk")).unwrap();
    let bytes = janus(&dex, &apk);
    assert!(bytes.starts_with(b"dex\n"));

    let scanner = Scanner::with_builtin_rules().unwrap();
    let report = scanner.scan_bytes(bytes, "janus.apk").unwrap();
    // The APK, as the package manager installs it.
    assert_eq!(report.app.package.as_deref(), Some("com.example.beacon"));
    assert_eq!(report.input.kind, dossier::InputKind::Apk);
    let trick: Vec<_> = report
        .anomalies
        .iter()
        .filter(|a| a.code == "input.dex_prepended_to_apk")
        .collect();
    assert_eq!(trick.len(), 1, "{:#?}", report.anomalies);
    assert!(
        trick[0].detail.contains(&format!("{} bytes", dex.len())),
        "{}",
        trick[0].detail
    );
    // The APK's own code: beacon's hidden endpoints.
    assert!(
        report
            .endpoints
            .iter()
            .any(|e| e.host == "gate.hidden-panel.xyz")
    );
    // And the code the runtime runs: the glued DEX reads Build.SERIAL.
    let serial = report
        .api_calls
        .iter()
        .find(|call| call.api.starts_with("Landroid/os/Build;->SERIAL"))
        .expect("the glued DEX is scanned");
    assert_eq!(serial.sites[0].location.entry, "janus.apk");
    assert_eq!(report.status.state, dossier::report::ScanState::Complete);
}

#[test]
fn a_bare_dex_stays_a_dex() {
    let dex = std::fs::read(common::root().join("fixtures/dex/refs.dex")).unwrap();
    let scanner = Scanner::with_builtin_rules().unwrap();
    let report = scanner.scan_bytes(dex, "refs.dex").unwrap();
    assert_eq!(report.input.kind, dossier::InputKind::Dex);
    assert!(
        report
            .anomalies
            .iter()
            .all(|a| a.code != "input.dex_prepended_to_apk")
    );
}

/// A zip of the given fixture APKs, stored, as a person would make with `zip`.
fn zip_of(names: &[&str]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for name in names {
        writer.start_file(*name, stored).unwrap();
        std::io::Write::write_all(&mut writer, &std::fs::read(common::fixture(name)).unwrap())
            .unwrap();
    }
    writer.finish().unwrap().into_inner()
}

#[test]
fn a_zip_of_unrelated_apks_says_it_holds_several_apps() {
    let scanner = Scanner::with_builtin_rules().unwrap();
    let report = scanner
        .scan_bytes(zip_of(&["beacon.apk", "diffapp-v1.apk"]), "two-apps.zip")
        .unwrap();
    assert_eq!(report.input.kind, dossier::InputKind::SplitSet);
    let mixed: Vec<_> = report
        .anomalies
        .iter()
        .filter(|a| a.code == "split.mixed_packages")
        .collect();
    assert_eq!(mixed.len(), 1, "{:#?}", report.anomalies);
    assert!(
        mixed[0]
            .detail
            .contains("com.example.beacon, com.example.diffapp"),
        "{}",
        mixed[0].detail
    );
    // A real split set of one package says nothing of the kind.
    let vidshare = scanner
        .scan_path(&common::fixture("vidshare.apks"))
        .unwrap();
    assert!(
        vidshare
            .anomalies
            .iter()
            .all(|a| a.code != "split.mixed_packages")
    );
}
