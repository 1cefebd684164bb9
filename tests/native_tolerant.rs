//! A native library that goblin rejects must not vanish from the report: one invalid UTF-8 byte in
//! a `DT_NEEDED` name used to drop its imports and endpoint strings while the scan exited 0. The
//! library is now read in part — its printable strings stay — and the anomaly says so, which
//! makes the scan `partial`.

mod common;

use std::io::Read;

/// The fixture's native library, with the `DT_NEEDED` name `libc.so.6` made invalid UTF-8.
fn broken_library() -> Vec<u8> {
    let apk = std::fs::read(common::fixture("vidshare-config-x86_64.apk")).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(apk)).unwrap();
    let mut bytes = Vec::new();
    zip.by_name("lib/x86_64/libvidcore.so")
        .unwrap()
        .read_to_end(&mut bytes)
        .unwrap();
    let at = bytes
        .windows(9)
        .position(|w| w == b"libc.so.6")
        .expect("the fixture links libc.so.6");
    bytes[at + 3] = 0xff;
    bytes
}

#[test]
fn a_library_goblin_rejects_keeps_its_strings_and_says_it_was_read_in_part() {
    let bytes = broken_library();
    let facts = dossier::native::read_elf(&bytes, "lib/x86_64/libvidcore.so")
        .expect("an ELF that goblin rejects is still read in part");
    assert!(
        facts
            .strings
            .iter()
            .any(|s| s.contains("https://mon.vidshare-metrics.example.net/collect")),
        "{:?}",
        facts.strings
    );
    let codes: Vec<&str> = facts.anomalies.iter().map(|a| a.code.as_str()).collect();
    assert_eq!(codes, ["elf.partly_read"], "{:#?}", facts.anomalies);
    // What is not an ELF at all is still refused.
    assert!(dossier::native::read_elf(b"MZ not an elf", "lib/x86_64/x.so").is_err());
}
