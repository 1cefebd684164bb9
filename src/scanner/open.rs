//! Step 1 of the pipeline: an input file read under the limits, recognised by its bytes, and for a
//! split set its base settled once, at load.
//!
//! A split set names its base by convention only (`base.apk`, `base-master.apk`, `<package>.apk`
//! in an XAPK), so the base is confirmed here the way Android does it: the member whose manifest
//! has no `split` attribute.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::ScanError;
use crate::anomaly::{self, Anomaly};
use crate::axml;
use crate::container::{ContainerError, InputKind, Limits, LoadedInput};
use crate::report::InputInfo;

pub(super) const MANIFEST: &str = "AndroidManifest.xml";

/// One member of a split set as its manifest tells it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct SplitInfo {
    pub member: String,
    /// The manifest's `split` attribute; None for the base.
    pub split: Option<String>,
}

/// A loaded input whose base is settled, with what the report says about the file.
#[derive(Debug)]
pub struct OpenedInput {
    pub(crate) loaded: LoadedInput,
    info: InputInfo,
    splits: Vec<SplitInfo>,
}

impl OpenedInput {
    pub(super) fn from_path(path: &Path, limits: &Limits) -> Result<OpenedInput, ScanError> {
        // Errors name the file as it was given (`/dev/null`, not `null`).
        let shown = path.display().to_string();
        let io_error = |source| ContainerError::Io {
            path: shown.clone(),
            source,
        };
        let file = std::fs::File::open(path).map_err(io_error)?;
        let metadata = file.metadata().map_err(io_error)?;
        refuse_above_limit(metadata.len(), &shown, limits)?;
        if metadata.is_file() {
            // Hashed as it streams by, so that the file is never held whole; the archive then
            // reads what it needs by position.
            let (sha256, size) = hash_stream(&file, limits).map_err(io_error)?;
            if size > limits.max_input_size {
                return Err(ContainerError::InputLongerThanLimit {
                    label: shown,
                    limit: limits.max_input_size,
                }
                .into());
            }
            if size == metadata.len() {
                let loaded = LoadedInput::from_file(file, size, &shown, limits)?;
                return Ok(OpenedInput::from_loaded(loaded, sha256, size));
            }
            // The file changed length while it was hashed: read it whole once more, so that
            // the report's hash and size are those of the bytes scanned.
            (&file).seek(SeekFrom::Start(0)).map_err(io_error)?;
        }
        let bytes = read_whole(&file, metadata.len(), &shown, limits)?;
        OpenedInput::from_bytes(bytes, &shown, limits)
    }

    pub(super) fn from_bytes(
        bytes: Vec<u8>,
        name: &str,
        limits: &Limits,
    ) -> Result<OpenedInput, ScanError> {
        let sha256 = hex(&Sha256::digest(&bytes));
        let size = bytes.len() as u64;
        let loaded = LoadedInput::from_bytes(bytes, name, limits)?;
        Ok(OpenedInput::from_loaded(loaded, sha256, size))
    }

    fn from_loaded(mut loaded: LoadedInput, sha256: String, size: u64) -> OpenedInput {
        let name = loaded.label.clone();
        let splits = settle_base(&mut loaded);
        let mut members = Vec::new();
        if loaded.kind == InputKind::SplitSet {
            let base = loaded.base;
            let mut ordered: Vec<(bool, String)> = loaded
                .archives
                .iter()
                .enumerate()
                .map(|(i, m)| (Some(i) != base, m.name.clone()))
                .collect();
            ordered.sort();
            members = ordered.into_iter().map(|(_, name)| name).collect();
        }
        let info = InputInfo {
            path: name.to_owned(),
            sha256,
            size,
            kind: loaded.kind,
            members,
        };
        OpenedInput {
            loaded,
            info,
            splits,
        }
    }

    /// What the report says about the file: path as given, sha256, size, kind, members.
    pub fn info(&self) -> &InputInfo {
        &self.info
    }

    pub fn kind(&self) -> InputKind {
        self.loaded.kind
    }

    /// The file name (or the name given with the bytes), used in messages.
    pub fn label(&self) -> &str {
        &self.loaded.label
    }

    /// For split sets: each member and its `split` name (the base has none), base first.
    pub fn splits(&self) -> &[SplitInfo] {
        &self.splits
    }

    /// APK files found inside the APK (listed, not analysed).
    pub fn nested_apks(&self) -> &[String] {
        &self.loaded.nested_apks
    }

    /// What the container noticed while loading, sorted.
    pub fn anomalies(&self) -> Vec<Anomaly> {
        self.loaded.all_anomalies()
    }

    /// The name of the member an index points at, `None` for the lone APK, JAR or bare DEX.
    pub(super) fn member_name(&self, index: Option<usize>) -> Option<&str> {
        if self.loaded.kind != InputKind::SplitSet {
            return None;
        }
        index
            .and_then(|i| self.loaded.archives.get(i))
            .map(|m| m.name.as_str())
            .filter(|name| !name.is_empty())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads the `split` attribute of each member's manifest and settles `input.base` on the member
/// without one (the container's guess goes by file names only, and XAPKs name the base after the
/// package). Empty for inputs other than split sets.
fn settle_base(input: &mut LoadedInput) -> Vec<SplitInfo> {
    if input.kind != InputKind::SplitSet {
        return Vec::new();
    }
    let mut splits = Vec::new();
    let mut packages: Vec<String> = Vec::new();
    for member in &input.archives {
        let Some(entry) = member.archive.find(MANIFEST) else {
            continue;
        };
        let Ok(bytes) = member.archive.read(entry) else {
            continue;
        };
        let Ok(document) = axml::parse_xml(&bytes, &format!("{}!{MANIFEST}", member.name)) else {
            continue;
        };
        let split = document
            .root()
            .and_then(|root| root.plain_attr("split"))
            .and_then(|attr| attr.text())
            .map(|text| text.to_string())
            .filter(|text| !text.is_empty());
        if let Some(package) = document
            .root()
            .and_then(|root| root.plain_attr("package"))
            .and_then(|attr| attr.text())
            .map(|text| text.to_string())
            .filter(|text| !text.is_empty())
        {
            packages.push(package);
        }
        splits.push(SplitInfo {
            member: member.name.clone(),
            split,
        });
    }
    packages.sort();
    packages.dedup();
    if packages.len() > 1 {
        input.anomalies.push(Anomaly::new(
            "split.mixed_packages",
            &input.label,
            format!(
                "the members belong to {} packages ({}): Android installs the splits of one package together, so this archive holds several apps; the report is of the base's package, with the code of every member",
                packages.len(),
                packages.join(", ")
            ),
        ));
    }
    let bases: Vec<usize> = splits
        .iter()
        .filter(|info| info.split.is_none())
        .filter_map(|info| input.archives.iter().position(|m| m.name == info.member))
        .collect();
    let guessed = input.base;
    match bases.as_slice() {
        [] => input.anomalies.push(Anomaly::new(
            "split.no_base",
            &input.label,
            "every member's manifest has a split attribute: there is no base APK; dossier uses the member named like one",
        )),
        [only] => input.base = Some(*only),
        several => {
            if !guessed.is_some_and(|g| several.contains(&g)) {
                input.base = Some(several[0]);
            }
            input.anomalies.push(Anomaly::new(
                "split.several_bases",
                &input.label,
                format!("{} members have no split attribute; Android installs one base per package", several.len()),
            ));
        }
    }
    anomaly::normalize(&mut input.anomalies);
    splits.sort_by(|a, b| (a.split.is_some(), &a.member).cmp(&(b.split.is_some(), &b.member)));
    splits
}

/// The bytes of a file, refused before reading when its size passes `max_input_size`.
pub(super) fn read_bounded(path: &Path, limits: &Limits) -> Result<Vec<u8>, ScanError> {
    let shown = path.display().to_string();
    let io_error = |source| ContainerError::Io {
        path: shown.clone(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io_error)?;
    let size = file.metadata().map_err(io_error)?.len();
    refuse_above_limit(size, &shown, limits)?;
    read_whole(&file, size, &shown, limits)
}

/// What `file` gives from its current position, `size` (its stated length) sizing the buffer.
fn read_whole(
    file: &std::fs::File,
    size: u64,
    shown: &str,
    limits: &Limits,
) -> Result<Vec<u8>, ScanError> {
    let io_error = |source| ContainerError::Io {
        path: shown.to_owned(),
        source,
    };
    // Read at most one byte past the limit: metadata can lie (devices, pipes, a file growing).
    // Sized from the metadata so that the bytes are read into one allocation of their size: a
    // vector grown by doubling holds up to twice the file, for the whole scan.
    let expected = usize::try_from(size.min(limits.max_input_size)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(expected.saturating_add(1));
    file.take(limits.max_input_size.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    if bytes.len() as u64 > limits.max_input_size {
        return Err(ContainerError::InputLongerThanLimit {
            label: shown.to_owned(),
            limit: limits.max_input_size,
        }
        .into());
    }
    Ok(bytes)
}

fn refuse_above_limit(size: u64, shown: &str, limits: &Limits) -> Result<(), ScanError> {
    if size > limits.max_input_size {
        return Err(ContainerError::InputTooLarge {
            label: shown.to_owned(),
            size,
            limit: limits.max_input_size,
        }
        .into());
    }
    Ok(())
}

/// The SHA-256 (hex) and length of what `file` gives from its current position, reading at most
/// one byte past `max_input_size`, through one small buffer.
fn hash_stream(file: &std::fs::File, limits: &Limits) -> std::io::Result<(String, u64)> {
    let mut reader = file.take(limits.max_input_size.saturating_add(1));
    let mut buffer = vec![0u8; 256 * 1024];
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    loop {
        let read = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        hasher.update(&buffer[..read]);
        size += read as u64;
    }
    Ok((hex(&hasher.finalize()), size))
}
