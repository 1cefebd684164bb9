//! The line protocol between the batch coordinator and its workers (described in `worker`): paths
//! travel as hex bytes so that any file name, even one that is not UTF-8 or holds a newline,
//! reaches the worker unchanged.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// What the worker read, before it scans: the coordinator decides from it whether to scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hashed {
    pub sha256: String,
    pub size: u64,
}

/// A message from a worker.
#[derive(Debug, PartialEq, Eq)]
pub enum Answer {
    Hashed(Hashed),
    /// The record of the input, one JSON line.
    Record(String),
}

/// Writes one message and flushes it: the other side waits for it.
pub fn send(out: &mut impl Write, tag: char, payload: &str) -> io::Result<()> {
    let mut line = String::with_capacity(payload.len() + 3);
    line.push(tag);
    if !payload.is_empty() {
        line.push(' ');
        line.push_str(payload);
    }
    line.push('\n');
    out.write_all(line.as_bytes())?;
    out.flush()
}

/// Reads a worker's line; None for a line that is not a message (a worker bug, recorded as such).
pub fn parse_answer(line: &str) -> Option<Answer> {
    let line = line.strip_suffix('\n').unwrap_or(line);
    if let Some(json) = line.strip_prefix("H ") {
        return serde_json::from_str(json).ok().map(Answer::Hashed);
    }
    line.strip_prefix("R ")
        .map(|json| Answer::Record(json.to_owned()))
}

pub fn encode_path(path: &Path) -> String {
    path_bytes(path)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

pub fn decode_path(hex: &str) -> Result<PathBuf, &'static str> {
    if !hex.len().is_multiple_of(2) || !hex.is_ascii() {
        return Err("odd or non-ASCII hex");
    }
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&hex[at..at + 2], 16).map_err(|_| "not hex"))
        .collect::<Result<Vec<u8>, _>>()?;
    Ok(path_from_bytes(bytes))
}

#[cfg(unix)]
pub fn path_bytes(path: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str().as_bytes().to_vec()
}

#[cfg(not(unix))]
pub fn path_bytes(path: &Path) -> Vec<u8> {
    path.to_string_lossy().into_owned().into_bytes()
}

#[cfg(unix)]
fn path_from_bytes(bytes: Vec<u8>) -> PathBuf {
    use std::os::unix::ffi::OsStringExt;
    PathBuf::from(std::ffi::OsString::from_vec(bytes))
}

#[cfg(not(unix))]
fn path_from_bytes(bytes: Vec<u8>) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_parse_and_others_do_not() {
        assert_eq!(
            parse_answer("H {\"sha256\":\"ab\",\"size\":3}\n"),
            Some(Answer::Hashed(Hashed {
                sha256: "ab".into(),
                size: 3
            }))
        );
        assert_eq!(
            parse_answer("R {\"path\":\"x\"}"),
            Some(Answer::Record("{\"path\":\"x\"}".into()))
        );
        assert_eq!(parse_answer("thread 'main' panicked"), None);
        assert_eq!(parse_answer("H not json"), None);
    }

    #[test]
    fn a_message_is_one_line() {
        let mut out = Vec::new();
        send(&mut out, 'S', "6162").unwrap();
        send(&mut out, 'G', "").unwrap();
        assert_eq!(out, b"S 6162\nG\n");
    }
}
