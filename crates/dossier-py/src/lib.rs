//! The extension module `dossier._native`: the library's pipeline for Python, wrapped by the
//! package in `python/dossier` (which turns the JSON it returns into dicts and documents the API).
//!
//! Every call releases the GIL while Rust works, so Python threads (and Dask's) run beside it.
//! Reports, records and diffs cross the boundary as the same JSON the command-line tool writes, so
//! a dict from Python equals the file from `dossier scan --format json`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex, OnceLock};

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use dossier::batch::{self, Record};
use dossier::report::{self, Report};
use dossier::rules::RuleSet;
use dossier::{Limits, ScanError, Scanner};

create_exception!(
    _native,
    DossierError,
    PyException,
    "Base class of the errors dossier raises."
);
create_exception!(
    _native,
    InputError,
    DossierError,
    "The input cannot be read as asked: missing or unreadable, not an Android input, refused by a limit, malformed, or (for manifest) without a manifest; or a saved report that cannot be read back."
);
create_exception!(
    _native,
    RulesError,
    DossierError,
    "A rules directory that cannot be read or holds invalid rules."
);

/// The built-in rules, parsed once per process.
fn builtin_rules() -> PyResult<&'static RuleSet> {
    static BUILTIN: OnceLock<Result<RuleSet, String>> = OnceLock::new();
    BUILTIN
        .get_or_init(|| RuleSet::builtin().map_err(|err| err.to_string()))
        .as_ref()
        .map_err(|err| RulesError::new_err(format!("built-in rules: {err}")))
}

/// The pipeline with the built-in rules (plus a directory's, when given) and the limits asked.
fn scanner(rules: Option<&Path>, limits: Option<&Bound<'_, PyDict>>) -> PyResult<Scanner> {
    let builtin = builtin_rules()?.clone();
    let rules = match rules {
        None => builtin,
        Some(dir) => builtin
            .with_overrides(dir)
            .map_err(|err| RulesError::new_err(format!("{}: {err}", dir.display())))?,
    };
    Ok(Scanner::new(rules, limits_from(limits)?))
}

/// `{"max_input_size": 1 << 30, ...}`: the container's caps, each optional; an unknown key is an
/// error rather than a cap silently not applied.
fn limits_from(given: Option<&Bound<'_, PyDict>>) -> PyResult<Limits> {
    let mut limits = Limits::default();
    let Some(given) = given else {
        return Ok(limits);
    };
    for (key, value) in given.iter() {
        let key: String = key.extract()?;
        let number: u64 = value.extract().map_err(|_| {
            PyValueError::new_err(format!("limits[{key:?}] must be a non-negative integer"))
        })?;
        match key.as_str() {
            "max_input_size" => limits.max_input_size = number,
            "max_entry_size" => limits.max_entry_size = number,
            "max_total_inflated" => limits.max_total_inflated = number,
            "max_ratio" => limits.max_ratio = number,
            "memory_budget" => limits.memory_budget = number,
            "max_entries" => {
                limits.max_entries = usize::try_from(number)
                    .map_err(|_| PyValueError::new_err("limits['max_entries'] is too large"))?;
            }
            other => {
                return Err(PyValueError::new_err(format!(
                    "unknown limit {other:?} (known: max_input_size, max_entry_size, max_total_inflated, max_ratio, memory_budget, max_entries)"
                )));
            }
        }
    }
    Ok(limits)
}

fn input_error(err: ScanError) -> PyErr {
    InputError::new_err(err.to_string())
}

/// The report of a file, as the JSON `dossier scan --format json` writes.
#[pyfunction]
#[pyo3(signature = (path, rules=None, limits=None))]
fn scan_path(
    py: Python<'_>,
    path: PathBuf,
    rules: Option<PathBuf>,
    limits: Option<&Bound<'_, PyDict>>,
) -> PyResult<String> {
    let scanner = scanner(rules.as_deref(), limits)?;
    py.detach(|| scanner.scan_path(&path).map(|r| report::render_json(&r)))
        .map_err(input_error)
}

/// The report of bytes held in memory; `name` stands for the file in the report.
#[pyfunction]
#[pyo3(signature = (data, name, rules=None, limits=None))]
fn scan_bytes(
    py: Python<'_>,
    data: &[u8],
    name: String,
    rules: Option<PathBuf>,
    limits: Option<&Bound<'_, PyDict>>,
) -> PyResult<String> {
    let scanner = scanner(rules.as_deref(), limits)?;
    if data.len() as u64 > scanner.limits().max_input_size {
        return Err(InputError::new_err(format!(
            "{name}: input is {} bytes, above the max_input_size limit of {}",
            data.len(),
            scanner.limits().max_input_size
        )));
    }
    // One copy out of the Python object (a memcpy, under the limit just checked), then the scan
    // without the GIL.
    let data = data.to_vec();
    py.detach(|| {
        scanner
            .scan_bytes(data, &name)
            .map(|r| report::render_json(&r))
    })
    .map_err(input_error)
}

/// A report saved by `dossier scan --format json`, read back (and checked) as JSON.
#[pyfunction]
fn read_report(py: Python<'_>, data: &[u8]) -> PyResult<String> {
    let data = data.to_vec();
    py.detach(|| report::read_json(&data).map(|r| report::render_json(&r)))
        .map_err(|err| InputError::new_err(err.to_string()))
}

/// Whether bytes look like a saved JSON report rather than an app.
#[pyfunction]
fn looks_like_report(data: &[u8]) -> bool {
    report::looks_like_json(data)
}

/// The diff of two reports (JSON in, JSON out: `docs/diff-schema.md`).
#[pyfunction]
#[pyo3(signature = (old, new, allow_different_package=false))]
fn diff(py: Python<'_>, old: &str, new: &str, allow_different_package: bool) -> PyResult<String> {
    let parse = |text: &str, which: &str| {
        serde_json::from_str::<Report>(text)
            .map_err(|err| InputError::new_err(format!("the {which} report cannot be read: {err}")))
    };
    let (old, new) = (parse(old, "old")?, parse(new, "new")?);
    if !allow_different_package && old.app.package != new.app.package {
        return Err(DossierError::new_err(format!(
            "the reports are of different apps ({} and {}); pass allow_different_package=True to compare them anyway",
            old.app.package.as_deref().unwrap_or("(none)"),
            new.app.package.as_deref().unwrap_or("(none)")
        )));
    }
    Ok(py.detach(|| dossier::diff::render_diff_json(&dossier::diff::diff_reports(&old, &new))))
}

/// The typed manifest of a file, as the JSON of `dossier manifest --format json`.
#[pyfunction]
#[pyo3(signature = (path, limits=None))]
fn manifest_path(
    py: Python<'_>,
    path: PathBuf,
    limits: Option<&Bound<'_, PyDict>>,
) -> PyResult<String> {
    let scanner = Scanner::new(RuleSet::empty(), limits_from(limits)?);
    py.detach(|| {
        let input = scanner.open_path(&path).map_err(input_error)?;
        manifest_json(&scanner, &input)
    })
}

/// The typed manifest of bytes held in memory.
#[pyfunction]
#[pyo3(signature = (data, name, limits=None))]
fn manifest_bytes(
    py: Python<'_>,
    data: &[u8],
    name: String,
    limits: Option<&Bound<'_, PyDict>>,
) -> PyResult<String> {
    let scanner = Scanner::new(RuleSet::empty(), limits_from(limits)?);
    let data = data.to_vec();
    py.detach(|| {
        let input = scanner.open_bytes(data, &name).map_err(input_error)?;
        manifest_json(&scanner, &input)
    })
}

fn manifest_json(scanner: &Scanner, input: &dossier::OpenedInput) -> PyResult<String> {
    let decoded = scanner.manifest(input).map_err(input_error)?;
    serde_json::to_string(&decoded.into_view(input))
        .map_err(|err| DossierError::new_err(err.to_string()))
}

/// Batch records of many files, yielded as they finish (`scan_many`).
#[pyclass(module = "dossier._native")]
struct RecordStream {
    records: Mutex<Receiver<String>>,
    stop: Arc<AtomicBool>,
}

#[pymethods]
impl RecordStream {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    /// The next record as JSON, waiting for it without the GIL; None (StopIteration) at the end.
    fn __next__(&self, py: Python<'_>) -> Option<String> {
        py.detach(|| self.records.lock().ok()?.recv().ok())
    }
}

impl Drop for RecordStream {
    /// A stream dropped before its end stops the scans not yet started.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Scans `paths` on `jobs` threads (default: every core) and streams one batch record per path,
/// largest first, the same bytes under two paths scanned once (the second a `duplicate_of`).
#[pyfunction]
#[pyo3(signature = (paths, jobs=None, rules=None, limits=None, summary=false))]
fn scan_many(
    paths: Vec<PathBuf>,
    jobs: Option<usize>,
    rules: Option<PathBuf>,
    limits: Option<&Bound<'_, PyDict>>,
    summary: bool,
) -> PyResult<RecordStream> {
    let scanner = Arc::new(scanner(rules.as_deref(), limits)?);
    let jobs = jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|err| DossierError::new_err(format!("cannot start {jobs} threads: {err}")))?;
    // A few records ahead of the reader at most: a slow consumer holds back the scans instead of
    // piling reports up in memory.
    let (sender, receiver) = sync_channel::<String>(jobs * 2);
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = Arc::clone(&stop);
    std::thread::spawn(move || {
        let mut ordered: Vec<(u64, PathBuf)> = paths
            .into_iter()
            .map(|path| (std::fs::metadata(&path).map_or(0, |m| m.len()), path))
            .collect();
        ordered.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        let first_path: Mutex<HashMap<String, String>> = Mutex::new(HashMap::new());
        pool.install(|| {
            use rayon::prelude::*;
            ordered
                .par_iter()
                .for_each_with(sender, |sender, (_, path)| {
                    if stopped.load(Ordering::SeqCst) {
                        return;
                    }
                    let record = record_of(&scanner, path, &first_path, summary);
                    if send(sender, record.to_line()).is_err() {
                        stopped.store(true, Ordering::SeqCst);
                    }
                });
        });
    });
    Ok(RecordStream {
        records: Mutex::new(receiver),
        stop,
    })
}

fn send(sender: &SyncSender<String>, line: String) -> Result<(), ()> {
    sender.send(line).map_err(|_| ())
}

/// One path's record, as `dossier batch` writes it (without worker isolation: a crash of the
/// process is not survived here, which is what the command-line batch is for).
fn record_of(
    scanner: &Scanner,
    path: &Path,
    first_path: &Mutex<HashMap<String, String>>,
    summary: bool,
) -> Record {
    let shown = path.display().to_string();
    // As `dossier batch` lists its inputs: a path that cannot even be looked at says so alone.
    if let Err(err) = std::fs::metadata(path) {
        return Record::error(shown, None, None, format!("cannot read it: {err}"));
    }
    let bytes = match scanner.read_path(path) {
        Ok(bytes) => bytes,
        Err(err) => {
            let size = std::fs::metadata(path).ok().map(|m| m.len());
            return Record::error(shown, None, size, err.to_string());
        }
    };
    let sha256 = batch::sha256_hex(&bytes);
    if let Ok(mut seen) = first_path.lock() {
        if let Some(first) = seen.get(&sha256) {
            return Record::duplicate(shown, sha256, bytes.len() as u64, first.clone());
        }
        seen.insert(sha256.clone(), shown.clone());
    }
    batch::scan_record(scanner, bytes, &shown, sha256, summary)
}

/// The columns of the long-format table (`dossier batch --csv`).
#[pyfunction]
fn csv_columns() -> Vec<&'static str> {
    batch::csv::COLUMNS.to_vec()
}

/// The rows of one record (JSON) in the long-format table, each cell as the CSV writes it.
#[pyfunction]
fn csv_rows(record: &str) -> PyResult<Vec<Vec<String>>> {
    let record = Record::from_line(record)
        .map_err(|err| InputError::new_err(format!("not a batch record: {err}")))?;
    Ok(batch::csv::rows(&record)
        .iter()
        .map(|row| row.cells().iter().map(|cell| cell.to_string()).collect())
        .collect())
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("REPORT_SCHEMA_VERSION", dossier::report::SCHEMA_VERSION)?;
    m.add("BATCH_SCHEMA_VERSION", batch::BATCH_SCHEMA_VERSION)?;
    m.add("DossierError", m.py().get_type::<DossierError>())?;
    m.add("InputError", m.py().get_type::<InputError>())?;
    m.add("RulesError", m.py().get_type::<RulesError>())?;
    m.add_class::<RecordStream>()?;
    m.add_function(wrap_pyfunction!(scan_path, m)?)?;
    m.add_function(wrap_pyfunction!(scan_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(read_report, m)?)?;
    m.add_function(wrap_pyfunction!(looks_like_report, m)?)?;
    m.add_function(wrap_pyfunction!(diff, m)?)?;
    m.add_function(wrap_pyfunction!(manifest_path, m)?)?;
    m.add_function(wrap_pyfunction!(manifest_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(scan_many, m)?)?;
    m.add_function(wrap_pyfunction!(csv_columns, m)?)?;
    m.add_function(wrap_pyfunction!(csv_rows, m)?)?;
    Ok(())
}
