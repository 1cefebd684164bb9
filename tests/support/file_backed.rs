//! An archive parsed from a file, reading only the parts its directory needs, and read from it
//! by position (`Archive::parse_file`) must give exactly what the same archive parsed and read
//! from memory gives: the same bytes or the same refusal for every entry, in the same order, and
//! the same anomalies after. Tests that build tampered archives check both.

use std::fs::File;
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};

use dossier::container::{Archive, Limits};

/// `bytes` written to a fresh temporary file, opened for reading.
pub fn temp_file(bytes: &[u8]) -> File {
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    let path = std::env::temp_dir().join(format!(
        "dossier-file-backed-{}-{}.zip",
        std::process::id(),
        COUNT.fetch_add(1, Ordering::Relaxed)
    ));
    File::create(&path)
        .and_then(|mut file| file.write_all(bytes))
        .expect("temporary file is written");
    let file = File::open(&path).expect("temporary file opens");
    // Unlinked at once: the open handle keeps the bytes.
    let _ = std::fs::remove_file(&path);
    file
}

/// What reading every entry of `archive` in order gives, then its anomalies.
fn reads(archive: &Archive) -> (Vec<Result<Vec<u8>, String>>, Vec<String>) {
    let results = archive
        .entries()
        .iter()
        .map(|entry| {
            archive
                .read(entry)
                .map(|held| held.into_inner())
                .map_err(|error| error.to_string())
        })
        .collect();
    let anomalies = archive
        .anomalies()
        .into_iter()
        .map(|a| format!("{} {} {}", a.code, a.location, a.detail))
        .collect();
    (results, anomalies)
}

/// Parses `bytes` twice, one copy kept in memory and one read from a file, reads every entry
/// of both and asserts they agree.
pub fn assert_file_reads_like_memory(bytes: &[u8], label: &str, limits: &Limits) {
    let in_memory = Archive::parse(bytes.to_vec(), label, limits);
    let from_file = Archive::parse_file(temp_file(bytes), label, limits);
    match (in_memory, from_file) {
        (Ok(a), Ok(b)) => assert_eq!(reads(&a), reads(&b), "{label}"),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{label}"),
        (a, b) => panic!(
            "{label}: parsed {:?} from memory, {:?} from a file",
            a.is_ok(),
            b.is_ok()
        ),
    }
}
