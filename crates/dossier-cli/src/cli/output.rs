//! Where output goes: standard output or the `-o` file, written at once; a closed pipe is not an error.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use anyhow::{Context, Result};

/// Writes the whole rendered output in one go, so that a failing run never leaves half a file behind.
pub fn emit(text: &str, path: Option<&Path>) -> Result<()> {
    match path {
        Some(path) => {
            fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
        }
        None => {
            let mut stdout = io::stdout().lock();
            match stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
            {
                Ok(()) => Ok(()),
                // `dossier ... | head` closes the pipe early: that is the reader's choice, not our failure.
                Err(err) if err.kind() == io::ErrorKind::BrokenPipe => Ok(()),
                Err(err) => Err(err).context("cannot write to standard output"),
            }
        }
    }
}
