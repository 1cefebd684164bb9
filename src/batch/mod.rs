//! The record of one input in a batch (`dossier batch`, the Python `scan_many`): what happened to
//! it and, when it was scanned, its report or a compact summary; and the long-format table built
//! from records (`csv`).
//!
//! Scheduling many inputs is the caller's business (worker processes in the command-line tool,
//! a thread pool in the Python bindings); this module owns what one input turns into, so that
//! every way of running a batch writes the same records.

pub mod csv;
mod record;

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};

pub use record::{
    BATCH_SCHEMA_VERSION, EndpointHost, Record, Status, Summary, SummaryCategory,
    SummaryPermission, SummaryStatus, SummaryTracker,
};

use crate::container::ContainerError;
use crate::scanner::{ScanError, Scanner};

/// The record of one input whose bytes were read (`Scanner::read_path`): its report (or summary),
/// a skip when it is not an Android input, or the error that stopped the scan. A panic in the scan
/// is a bug of dossier; it becomes this input's error record instead of ending the batch.
pub fn scan_record(
    scanner: &Scanner,
    bytes: Vec<u8>,
    shown: &str,
    sha256: String,
    summary: bool,
) -> Record {
    let size = bytes.len() as u64;
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        let input = scanner.open_bytes(bytes, shown)?;
        Ok::<_, ScanError>(scanner.report(&scanner.facts(input)))
    }));
    match outcome {
        Ok(Ok(report)) => Record::ok(shown, sha256, size, report, summary),
        Ok(Err(ScanError::Container(ContainerError::NotAnAndroidInput { seen, .. }))) => {
            Record::skipped(
                shown,
                Some(sha256),
                Some(size),
                format!("not an Android input: {seen}"),
            )
        }
        Ok(Err(err)) => Record::error(shown, Some(sha256), Some(size), err.to_string()),
        Err(payload) => Record::panicked(shown, Some(sha256), Some(size), payload.as_ref()),
    }
}

/// The lowercase hex sha256 of `bytes`, as records and reports write it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The text a panic carried.
fn panic_text(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

impl Record {
    /// The record of an input whose scan panicked (a bug: the record asks for a report of it).
    pub fn panicked(
        path: impl Into<String>,
        sha256: Option<String>,
        size: Option<u64>,
        payload: &(dyn Any + Send),
    ) -> Record {
        Record::error(
            path,
            sha256,
            size,
            format!(
                "dossier panicked while scanning it (a bug: please report it): {}",
                panic_text(payload)
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_digest_is_lowercase_hex() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn each_outcome_of_a_scan_becomes_its_record() {
        let scanner = Scanner::with_builtin_rules().unwrap();
        let apk = std::fs::read("fixtures/built/beacon.apk").unwrap();
        let sha = sha256_hex(&apk);
        let ok = scan_record(&scanner, apk, "beacon.apk", sha.clone(), false);
        assert_eq!(ok.status, Status::Ok);
        assert_eq!(ok.report.as_ref().unwrap().input.sha256, sha);
        let text = scan_record(&scanner, b"hello\n".to_vec(), "a.txt", "00".into(), true);
        assert_eq!(text.status, Status::Skipped);
        assert!(text.reason.unwrap().starts_with("not an Android input"));
        let torn = scan_record(
            &scanner,
            b"PK\x03\x04trunc".to_vec(),
            "t.apk",
            "01".into(),
            true,
        );
        assert_eq!(torn.status, Status::Error);
        let panicked = Record::panicked("p.apk", None, None, &"boom");
        assert!(panicked.error.unwrap().ends_with("please report it): boom"));
    }
}
