//! One worker process of `dossier batch` (the executable started with `DOSSIER_BATCH_WORKER=1`): scans the inputs the
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

use std::io::{self, BufRead};
use std::panic;
use std::time::Duration;

use anyhow::{Context, Result, bail};

use dossier::batch::{self, Record};

use super::protocol::{self, Hashed};
use crate::cli::args::BatchWorkerArgs;

/// Set to `1` in a worker's environment, inputs whose bytes start with `dossier-fault:` followed
/// by `panic`, `abort`, `hang` or `alloc` fail that way instead of being scanned. The batch tests use
/// it to show that each failure becomes a record; hostile input alone cannot turn it on.
pub const FAULTS_ENV: &str = "DOSSIER_BATCH_FAULTS";

pub fn run(args: &BatchWorkerArgs) -> Result<()> {
    let scanner = crate::cli::scanner(&args.limits, Some(&args.rules))?;
    let faults = std::env::var_os(FAULTS_ENV).is_some_and(|value| value == "1");
    // A panic's message goes into the record (`scan_record`), not onto the terminal the
    // coordinator draws on.
    panic::set_hook(Box::new(|_| {}));
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
            sha256: batch::sha256_hex(&bytes),
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
        if faults && let Err(payload) = panic::catch_unwind(|| inject_fault(&bytes)) {
            let record = Record::panicked(shown, Some(hashed.sha256), Some(hashed.size), &*payload);
            protocol::send(&mut answers, 'R', &record.to_line())?;
            continue;
        }
        let record = batch::scan_record(&scanner, bytes, &shown, hashed.sha256, args.summary);
        protocol::send(&mut answers, 'R', &record.to_line())?;
    }
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
}
