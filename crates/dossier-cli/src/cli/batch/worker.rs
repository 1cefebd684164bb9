//! One worker process of `dossier batch` (the hidden `batch-worker` command): scans the inputs the
//! coordinator sends, one at a time, and answers with one record each.
//!
//! Scanning in a separate process is what lets a batch survive its inputs: an abort, a stack
//! overflow, a runaway allocation or an endless loop ends or stalls this process only, and the
//! coordinator records it and starts another. Panics are caught here so that their message reaches
//! the record.
//!
//! The protocol is one line per message. The coordinator sends `S <path as hex bytes>`; the worker
//! reads the file and answers `H {"sha256":…,"size":…}` (or a final `R <record>` when the file
//! cannot be read); the coordinator answers `G` (scan it) or `K` (already recorded: skip it); after
//! `G` the worker answers `R <record>`. A record is compact JSON, which holds no raw newline.

use std::any::Any;
use std::io::{self, BufRead};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};

use dossier::{ContainerError, ScanError, Scanner};

use super::protocol::{self, Hashed};
use super::record::Record;
use crate::cli::args::BatchWorkerArgs;

/// Set to `1` in a worker's environment, inputs whose bytes start with `dossier-fault:` followed
/// by `panic`, `abort`, `hang` or `alloc` fail that way instead of being scanned. The batch tests use
/// it to show that each failure becomes a record; hostile input alone cannot turn it on.
pub const FAULTS_ENV: &str = "DOSSIER_BATCH_FAULTS";

/// The message and place of the last panic, kept by the panic hook for the record.
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

pub fn run(args: &BatchWorkerArgs) -> Result<()> {
    let scanner = crate::cli::scanner(&args.limits, Some(&args.rules))?;
    let faults = std::env::var_os(FAULTS_ENV).is_some_and(|value| value == "1");
    quiet_panics();
    exit_with_parent();

    let mut requests = io::stdin().lock();
    let mut answers = io::stdout().lock();
    let mut line = String::new();
    loop {
        line.clear();
        if requests.read_line(&mut line).context("reading a request")? == 0 {
            return Ok(()); // The coordinator closed our input: the batch is over.
        }
        let request = line.trim_end_matches('\n');
        let Some(hex) = request.strip_prefix("S ") else {
            bail!("unexpected request {request:?}");
        };
        let path = protocol::decode_path(hex)
            .map_err(|why| anyhow::anyhow!("a request with a malformed path: {why}"))?;
        let shown = path.display().to_string();

        let bytes = match scanner.read_path(&path) {
            Ok(bytes) => bytes,
            Err(err) => {
                let size = std::fs::metadata(&path).ok().map(|meta| meta.len());
                let record = Record::error(shown, None, size, err.to_string());
                protocol::send(&mut answers, 'R', &record.to_line())?;
                continue;
            }
        };
        let hashed = Hashed {
            sha256: hex_digest(&bytes),
            size: bytes.len() as u64,
        };
        protocol::send(&mut answers, 'H', &serde_json::to_string(&hashed)?)?;

        line.clear();
        if requests.read_line(&mut line).context("reading a request")? == 0 {
            return Ok(());
        }
        match line.trim_end_matches('\n') {
            "G" => {}
            "K" => continue,
            other => bail!("unexpected answer {other:?}"),
        }
        let record = scan(&scanner, bytes, shown, hashed, args.summary, faults);
        protocol::send(&mut answers, 'R', &record.to_line())?;
    }
}

/// The record of one input read whole: its report, a skip when it is not an Android input, or
/// the error (a panic included) that stopped the scan.
fn scan(
    scanner: &Scanner,
    bytes: Vec<u8>,
    shown: String,
    hashed: Hashed,
    summary: bool,
    faults: bool,
) -> Record {
    let Hashed { sha256, size } = hashed;
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        if faults {
            inject_fault(&bytes);
        }
        let input = scanner.open_bytes(bytes, &shown)?;
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
        Err(payload) => {
            let place = LAST_PANIC
                .lock()
                .ok()
                .and_then(|mut last| last.take())
                .unwrap_or_else(|| panic_text(payload.as_ref()));
            Record::error(
                shown,
                Some(sha256),
                Some(size),
                format!("dossier panicked while scanning it (a bug: please report it): {place}"),
            )
        }
    }
}

fn hex_digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn panic_text(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

/// A panic's message goes into the record, not onto the terminal the coordinator draws on.
fn quiet_panics() {
    panic::set_hook(Box::new(|info| {
        let message = panic_text(info.payload());
        let text = match info.location() {
            Some(location) => format!("{message} at {}:{}", location.file(), location.line()),
            None => message,
        };
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = Some(text);
        }
    }));
}

/// A worker outlives its coordinator only by a moment: when the coordinator dies (`kill -9`
/// included), the worker is handed to another parent, and this watch ends it even in the middle of
/// an endless scan.
fn exit_with_parent() {
    #[cfg(unix)]
    {
        let parent = std::os::unix::process::parent_id();
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(Duration::from_millis(200));
                if std::os::unix::process::parent_id() != parent {
                    std::process::exit(3);
                }
            }
        });
    }
}

/// The failures the tests inject (see [`FAULTS_ENV`]).
fn inject_fault(bytes: &[u8]) {
    let Some(rest) = bytes.strip_prefix(b"dossier-fault:") else {
        return;
    };
    let word: Vec<u8> = rest
        .iter()
        .copied()
        .take_while(u8::is_ascii_alphabetic)
        .collect();
    match word.as_slice() {
        b"panic" => panic!("injected panic"),
        b"abort" => std::process::abort(),
        b"hang" => loop {
            std::thread::sleep(Duration::from_secs(1));
        },
        b"alloc" => {
            // Grows by touched pages (so the memory is really resident) up to 8 GiB, then waits:
            // a coordinator that failed to stop it still ends it by the timeout.
            let mut hoard: Vec<Vec<u8>> = Vec::new();
            for _ in 0..512 {
                hoard.push(vec![1u8; 16 << 20]);
                std::thread::sleep(Duration::from_millis(10));
            }
            loop {
                std::thread::sleep(Duration::from_secs(1));
                std::hint::black_box(&hoard);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn path_of(hex: &str) -> Option<PathBuf> {
        protocol::decode_path(hex).ok()
    }

    #[test]
    fn a_request_path_round_trips_through_hex() {
        let path = PathBuf::from("dir/a b\u{e9}.apk");
        assert_eq!(path_of(&protocol::encode_path(&path)), Some(path));
        assert_eq!(path_of("zz"), None);
        assert_eq!(path_of("abc"), None);
    }

    #[test]
    fn a_digest_is_lowercase_hex() {
        assert_eq!(
            hex_digest(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
