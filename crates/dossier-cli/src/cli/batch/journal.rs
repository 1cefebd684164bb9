//! Where the records of a batch go: the JSON Lines output, each record appended whole the moment it
//! is done, and the CSV beside it. Resuming reads the records already there (repairing a last
//! line torn by `kill -9`) so that each input ends with exactly one record.

use std::collections::{HashMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use dossier::batch::{Record, csv};

/// What the records already written say, for a resumed run.
#[derive(Debug, Default)]
pub struct Recorded {
    /// (path, sha256) of every record: an input whose path and bytes match is done.
    pub keys: HashSet<(String, Option<String>)>,
    /// The first path recorded for each sha256 (duplicates point to it).
    pub first_path: HashMap<String, String>,
    pub records: usize,
    /// Bytes of a torn last line cut off.
    pub repaired: u64,
}

/// The part of a record a resumed run needs.
#[derive(Deserialize)]
struct RecordKey {
    path: String,
    sha256: Option<String>,
    duplicate_of: Option<String>,
}

pub struct Journal {
    out: Box<dyn Write>,
    csv: Option<BufWriter<File>>,
}

impl Journal {
    /// Opens the outputs: a new file (refused if one with content is there, so that nothing is
    /// lost by a forgotten `--resume`), standard output, or with `resume` the file to continue.
    pub fn open(
        output: Option<&Path>,
        resume: bool,
        csv: Option<&Path>,
    ) -> Result<(Self, Recorded)> {
        let mut recorded = Recorded::default();
        let out: Box<dyn Write> = match output {
            None => Box::new(io::stdout()),
            Some(path) if resume => Box::new(
                reopen(path, &mut recorded)
                    .with_context(|| format!("cannot resume {}", path.display()))?,
            ),
            Some(path) => {
                if fs::metadata(path).is_ok_and(|meta| meta.len() > 0) {
                    bail!(
                        "{} already holds records: add --resume to continue that run, or remove it",
                        path.display()
                    );
                }
                Box::new(
                    File::create(path)
                        .with_context(|| format!("cannot create {}", path.display()))?,
                )
            }
        };
        let csv = match csv {
            None => None,
            Some(csv_path) => Some(start_csv(csv_path, output.filter(|_| resume))?),
        };
        Ok((Journal { out, csv }, recorded))
    }

    /// Appends one record line (and its CSV rows) and hands it to the system at once: a record
    /// is either all there or, after a `kill -9` mid-write, a torn last line that resume repairs.
    pub fn write(&mut self, line: &str) -> Result<()> {
        let mut whole = String::with_capacity(line.len() + 1);
        whole.push_str(line);
        whole.push('\n');
        self.out
            .write_all(whole.as_bytes())
            .and_then(|()| self.out.flush())
            .context("cannot write a record")?;
        if let Some(csv_out) = &mut self.csv {
            let record = Record::from_line(line).context("a record that does not read back")?;
            for row in csv::rows(&record) {
                csv::write_row(csv_out, &row).context("cannot write the CSV")?;
            }
            csv_out.flush().context("cannot write the CSV")?;
        }
        Ok(())
    }
}

/// Reads the records of an earlier run, cuts a torn last line, and opens the file for appending.
fn reopen(path: &Path, recorded: &mut Recorded) -> Result<File> {
    // A file not there yet is started: one job script serves the first run and every rerun.
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)?;
    let mut reader = BufReader::new(&mut file);
    let mut line = Vec::new();
    let mut complete_up_to = 0u64;
    loop {
        line.clear();
        let read = reader.read_until(b'\n', &mut line)?;
        if read == 0 {
            break;
        }
        if line.last() != Some(&b'\n') {
            // The last line has no end: it was being written when the run was killed.
            recorded.repaired = read as u64;
            break;
        }
        let key: RecordKey = match serde_json::from_slice(&line) {
            Ok(key) => key,
            Err(err) => bail!(
                "line {} is not a batch record ({err}): is this the output of `dossier batch`?",
                recorded.records + 1
            ),
        };
        complete_up_to += read as u64;
        recorded.records += 1;
        if let (Some(sha), None) = (&key.sha256, &key.duplicate_of) {
            recorded
                .first_path
                .entry(sha.clone())
                .or_insert_with(|| key.path.clone());
        }
        recorded.keys.insert((key.path, key.sha256));
    }
    drop(reader);
    file.set_len(complete_up_to)?;
    file.seek(SeekFrom::End(0))?;
    Ok(file)
}

/// A new CSV with its header, or, when resuming, the CSV rebuilt from the records kept (it may
/// be torn too, and is cheaper to rebuild than to repair).
fn start_csv(csv_path: &Path, resumed_jsonl: Option<&Path>) -> Result<BufWriter<File>> {
    let context = || format!("cannot write {}", csv_path.display());
    let temporary = temporary_beside(csv_path);
    let mut out = BufWriter::new(File::create(&temporary).with_context(context)?);
    csv::write_header(&mut out).with_context(context)?;
    if let Some(jsonl) = resumed_jsonl {
        let reader = BufReader::new(File::open(jsonl).with_context(context)?);
        for line in reader.lines() {
            let line = line.with_context(context)?;
            let record = Record::from_line(&line).with_context(|| {
                format!("{}: a record that does not read back", jsonl.display())
            })?;
            for row in csv::rows(&record) {
                csv::write_row(&mut out, &row).with_context(context)?;
            }
        }
    }
    out.flush().with_context(context)?;
    let file = out
        .into_inner()
        .map_err(|err| err.into_error())
        .with_context(context)?;
    fs::rename(&temporary, csv_path).with_context(context)?;
    Ok(BufWriter::new(file))
}

fn temporary_beside(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{}.tmp", std::process::id()));
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_torn_last_line_is_cut_and_complete_ones_are_kept() {
        let dir = std::env::temp_dir().join(format!("dossier-journal-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let out = dir.join("out.jsonl");
        let first = Record::skipped("a", Some("11".into()), Some(1), "text");
        let second = Record::duplicate("b", "11", 1, "a");
        let body = format!(
            "{}\n{}\n{{\"path\":\"c\",\"sha2",
            first.to_line(),
            second.to_line()
        );
        fs::write(&out, &body).unwrap();

        let (mut journal, recorded) = Journal::open(Some(&out), true, None).unwrap();
        assert_eq!(recorded.records, 2);
        assert_eq!(recorded.repaired, "{\"path\":\"c\",\"sha2".len() as u64);
        assert!(recorded.keys.contains(&("b".into(), Some("11".into()))));
        assert_eq!(recorded.first_path.get("11").map(String::as_str), Some("a"));
        journal.write(&first.to_line()).unwrap();
        drop(journal);
        let text = fs::read_to_string(&out).unwrap();
        assert_eq!(text.lines().count(), 3);
        assert!(text.ends_with('\n'));

        let refused = Journal::open(Some(&out), false, None).err().unwrap();
        assert!(refused.to_string().contains("--resume"), "{refused}");
        fs::remove_dir_all(&dir).unwrap();
    }
}
