//! Where output goes: standard output, or the `-o` file written whole through a temporary file and
//! a rename, so that a failed run never leaves half a report, and never over an input of the run
//! or through a symbolic link. A closed pipe is not an error.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// Writes the whole rendered output in one go. `inputs` are the files the command read: `-o`
/// naming one of them is refused rather than destroying it.
pub fn emit(text: &str, path: Option<&Path>, inputs: &[&Path]) -> Result<()> {
    match path.filter(|path| *path != Path::new("-")) {
        Some(path) => write_file(text, path, inputs),
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

fn write_file(text: &str, path: &Path, inputs: &[&Path]) -> Result<()> {
    if let Ok(meta) = fs::symlink_metadata(path) {
        let target = fs::metadata(path).ok();
        if target
            .as_ref()
            .is_some_and(|target| !target.is_file() && !target.is_dir())
        {
            // A device or a pipe (`/dev/null`, `/dev/stdout`, a FIFO): written to as it is.
            return fs::write(path, text)
                .with_context(|| format!("cannot write {}", path.display()));
        }
        if meta.file_type().is_symlink() {
            bail!(
                "{}: -o names a symbolic link; name the file it points to, or another path",
                path.display()
            );
        }
        if meta.is_dir() {
            bail!("{}: -o names a directory", path.display());
        }
        if let Some(input) = inputs.iter().find(|input| same_file(input, path)) {
            bail!(
                "{}: -o names an input of this run ({}); choose another output file",
                path.display(),
                input.display()
            );
        }
    }
    let temporary = temporary_beside(path);
    let written = fs::write(&temporary, text)
        .and_then(|()| fs::rename(&temporary, path))
        .with_context(|| format!("cannot write {}", path.display()));
    if written.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    written
}

fn same_file(a: &Path, b: &Path) -> bool {
    matches!((fs::canonicalize(a), fs::canonicalize(b)), (Ok(a), Ok(b)) if a == b)
}

/// A name in the same directory (so that the rename stays on one file system), hidden, and
/// particular to this process.
fn temporary_beside(path: &Path) -> PathBuf {
    let mut name = std::ffi::OsString::from(".");
    name.push(path.file_name().unwrap_or_default());
    name.push(format!(".dossier-{}.tmp", std::process::id()));
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("dossier-output-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_file_is_replaced_whole_and_no_temporary_is_left() {
        let dir = dir("whole");
        let out = dir.join("r.json");
        fs::write(&out, "old").unwrap();
        emit("new", Some(&out), &[]).unwrap();
        assert_eq!(fs::read_to_string(&out).unwrap(), "new");
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn devices_are_written_to_as_they_are() {
        emit("into nothing", Some(Path::new("/dev/null")), &[]).unwrap();
    }

    #[test]
    fn an_input_and_a_symbolic_link_are_never_written() {
        let dir = dir("refused");
        let apk = dir.join("app.apk");
        fs::write(&apk, "the app").unwrap();
        let error = emit("report", Some(&dir.join("./app.apk")), &[&apk]).unwrap_err();
        assert!(
            error.to_string().contains("an input of this run"),
            "{error}"
        );
        assert_eq!(fs::read_to_string(&apk).unwrap(), "the app");
        #[cfg(unix)]
        {
            let link = dir.join("link.json");
            std::os::unix::fs::symlink(dir.join("nowhere.json"), &link).unwrap();
            let error = emit("report", Some(&link), &[]).unwrap_err();
            assert!(error.to_string().contains("symbolic link"), "{error}");
            assert!(!dir.join("nowhere.json").exists());
        }
        fs::remove_dir_all(&dir).unwrap();
    }
}
