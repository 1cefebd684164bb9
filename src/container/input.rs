//! Input kinds, recognised by their bytes: a bare DEX, an APK, a split set (`.apks`, `.xapk`,
//! `.apkm`: a zip of APKs), or a JAR of DEX files; plus the lists the analysis needs from them
//! (the base APK's entries, every `classes*.dex`, every native library).

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{Read, Seek};
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;

use crate::anomaly::{self, Anomaly};
use crate::memory::{Charge, Held, MemoryBudget};

use super::archive::{Archive, Entry};
use super::error::ContainerError;
use super::inflate::{self, InflateBudget};
use super::{Limits, overlap, raw};

/// What an input is, decided from its bytes, never from its file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum InputKind {
    /// A zip holding `AndroidManifest.xml` (or an empty zip: the caller reports "no manifest").
    Apk,
    /// A zip of APKs without a manifest of its own (bundletool `.apks`, `.xapk`, `.apkm`).
    SplitSet,
    /// A bare DEX file.
    Dex,
    /// A zip holding `classes*.dex` but no manifest.
    Jar,
}

/// One parsed archive of the input.
#[derive(Debug)]
pub struct Member {
    /// `""` for a lone APK or JAR; the entry name (`splits/base-master.apk`) in a split set.
    pub name: String,
    pub archive: Archive,
}

/// A `classes*.dex` to read with [`LoadedInput::read_dex`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct DexRef {
    /// `classes2.dex` for a lone APK, `split_x.apk!classes.dex` in a split set, the input label
    /// for a bare DEX; a copy Android does not use gets `#<entry index>` appended.
    pub label: String,
    /// Index into [`LoadedInput::archives`]; `None` for a bare DEX.
    pub member: Option<usize>,
    /// Index into that archive's entries; `None` for a bare DEX.
    pub entry: Option<usize>,
    /// False for names Android's multidex loader skips (gaps, `classes1.dex`, `classes02.dex`,
    /// duplicate copies, hidden records).
    pub loaded_by_android: bool,
}

/// A native library `lib/<abi>/<name>.so` of some member.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct EntryRef {
    /// `lib/arm64-v8a/libfoo.so`, prefixed with `member!` in a split set.
    pub label: String,
    pub member: usize,
    pub entry: usize,
    pub abi: String,
}

/// A loaded input: its kind, its archives and what was noticed while loading it.
#[derive(Debug)]
pub struct LoadedInput {
    pub kind: InputKind,
    pub label: String,
    pub archives: Vec<Member>,
    /// Index into `archives` of the base APK (the APK itself, the JAR, or the split set's base).
    pub base: Option<usize>,
    pub bare_dex: Option<Vec<u8>>,
    /// `*.apk` entries found inside an APK (listed, not parsed).
    pub nested_apks: Vec<String>,
    /// Input-level anomalies; see [`LoadedInput::all_anomalies`] for everything.
    pub anomalies: Vec<Anomaly>,
    /// The scan's memory budget, shared by every archive of the input and every later reader.
    pub memory: Arc<MemoryBudget>,
    /// When the scan's time budget runs out (`Limits::time_budget` from when the input was read).
    pub deadline: Option<std::time::Instant>,
}

const MANIFEST: &str = "AndroidManifest.xml";
/// Most code copies noted one by one (`zip.overlapping_entry_skipped`); `zip.overlapping_entries`
/// counts them all.
const MAX_COPY_NOTES: usize = 64;

/// The code entries met so far, by the bytes they read ([`overlap::record_key`]), so that a name
/// on a local record already listed is known as a copy.
#[derive(Default)]
struct CodeCopies {
    first: HashMap<(usize, (u64, bool, u64)), String>,
}

impl CodeCopies {
    /// The label of the earlier entry of `member` reading what `entry` reads, or None (and
    /// `label` remembered as its first reader).
    fn copy_of_in(&mut self, member: usize, entry: &Entry, label: &str) -> Option<String> {
        let key = overlap::record_key(entry)?;
        match self.first.entry((member, key)) {
            std::collections::hash_map::Entry::Occupied(first) => Some(first.get().clone()),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(label.to_owned());
                None
            }
        }
    }

    /// [`CodeCopies::copy_of_in`] for entries of one member, met member by member.
    fn copy_of(&mut self, entry: &Entry, label: &str) -> Option<String> {
        self.copy_of_in(0, entry, label)
    }
}

fn is_dex_magic(bytes: &[u8]) -> bool {
    // "dex\n" then a three-digit version "03x"/"04x" and a NUL.
    bytes.len() >= 8
        && &bytes[..4] == b"dex\n"
        && bytes[4] == b'0'
        && (bytes[5] == b'3' || bytes[5] == b'4')
        && bytes[6].is_ascii_digit()
        && bytes[7] == 0
}

fn is_apk_name(entry: &Entry) -> bool {
    !entry.is_directory() && entry.name.to_ascii_lowercase().ends_with(".apk")
}

/// `classes.dex` → 1, `classes7.dex` → 7; `None` for names Android's loader never asks for
/// (`classes1.dex`, `classes02.dex`, `classesX.dex`). ART DexFileLoader::GetMultiDexClassesDexName
/// builds `classes.dex`, then `classes2.dex`, `classes3.dex`, ... and stops at the first missing one.
fn multidex_rank(name: &str) -> Option<u64> {
    let middle = name.strip_prefix("classes")?.strip_suffix(".dex")?;
    if middle.is_empty() {
        return Some(1);
    }
    if middle.starts_with('0') || !middle.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    middle.parse::<u64>().ok().filter(|&rank| rank >= 2)
}

fn is_root_dex(name: &str) -> bool {
    !name.contains('/') && name.starts_with("classes") && name.ends_with(".dex")
}

/// What an input's first bytes say, for the error of an input that is not a zip.
struct InputHead {
    /// A local file header first: a zip whose end is missing (a download cut short), which is
    /// a broken app, not a file of some other kind.
    starts_as_zip: bool,
    /// Its size and first bytes, as the error shows them.
    seen: String,
}

impl InputHead {
    /// `first`: the input's first bytes (8 are shown); `len`: its size.
    fn of(first: &[u8], len: u64) -> InputHead {
        let seen = if len == 0 {
            "an empty file".to_owned()
        } else {
            let head: Vec<String> = first
                .iter()
                .take(8)
                .map(|byte| format!("{byte:02x}"))
                .collect();
            format!("{len} bytes starting {}", head.join(" "))
        };
        InputHead {
            starts_as_zip: first.starts_with(b"PK\x03\x04"),
            seen,
        }
    }
}

/// The anomaly of a code entry left out because `first` reads the same local record.
fn copy_note(label: &str, first: &str) -> Anomaly {
    Anomaly::new(
        "zip.overlapping_entry_skipped",
        label,
        format!(
            "its central directory record names the same local record as {first:?} (zip.overlapping_entries): the bytes are the same, so they are read once, as {first:?}"
        ),
    )
}

/// The moment a scan of an input read now must stop by.
fn deadline_of(limits: &Limits) -> Option<std::time::Instant> {
    limits
        .time_budget
        .and_then(|budget| std::time::Instant::now().checked_add(budget))
}

impl LoadedInput {
    /// Whether the scan's time budget has run out.
    pub fn past_deadline(&self) -> bool {
        self.deadline
            .is_some_and(|deadline| std::time::Instant::now() >= deadline)
    }

    /// Reads a file (refusing it before reading when it passes `max_input_size`); a regular
    /// file is read as [`LoadedInput::from_file`] does.
    pub fn open(path: &Path, limits: &Limits) -> Result<LoadedInput, ContainerError> {
        let shown = path.display().to_string();
        let io_error = |source| ContainerError::Io {
            path: shown.clone(),
            source,
        };
        let file = std::fs::File::open(path).map_err(io_error)?;
        let metadata = file.metadata().map_err(io_error)?;
        if metadata.len() > limits.max_input_size {
            return Err(ContainerError::InputTooLarge {
                label: shown,
                size: metadata.len(),
                limit: limits.max_input_size,
            });
        }
        let label = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| shown.clone());
        if metadata.is_file() {
            return LoadedInput::from_file(file, metadata.len(), &label, limits);
        }
        let mut bytes = Vec::new();
        (&file)
            .take(limits.max_input_size.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(io_error)?;
        LoadedInput::from_bytes(bytes, &label, limits)
    }

    /// A DEX with an APK glued after it, offsets fixed so that the zip reads from the end of the
    /// file (the Janus trick, CVE-2017-13156): the package manager installs the APK it finds by
    /// its end (manifest, signature of the zip entries), while the runtime of Android 5.0 to 8.0
    /// takes the file for a DEX by its start and runs that code. Both are read: the zip as the
    /// app, the leading DEX as code of the app. None when the bytes hold no readable APK.
    fn dex_glued_to_apk(bytes: &[u8], label: &str, limits: &Limits) -> Option<LoadedInput> {
        // An end of central directory record sits in the last 64 KiB + 22 bytes of any zip: a
        // DEX without one is not copied for a zip parse.
        let tail = &bytes[bytes.len().saturating_sub(0xffff + 22)..];
        if !tail.windows(4).any(|window| window == b"PK\x05\x06") {
            return None;
        }
        let budget = Arc::new(InflateBudget::new(limits.max_total_inflated));
        let memory = MemoryBudget::new(limits.memory_budget);
        // The zip is the input's own bytes a second time: held as such.
        let copy = memory.charge(bytes.len() as u64, label).ok()?;
        let archive = Archive::parse_with_budget(
            bytes.to_vec(),
            "",
            limits,
            Arc::clone(&budget),
            Arc::clone(&memory),
        )
        .ok()?
        .holding(copy);
        archive.find(MANIFEST)?;
        // The DEX header says how long the DEX is (`file_size`, offset 32); the zip follows it.
        let declared = bytes
            .get(32..36)
            .map_or(0, |size| u32::from_le_bytes([size[0], size[1], size[2], size[3]]) as usize);
        let dex_len = if (0x70..=bytes.len()).contains(&declared) {
            declared
        } else {
            bytes.len()
        };
        let anomaly = Anomaly::new(
            "input.dex_prepended_to_apk",
            label.to_owned(),
            format!(
                "a DEX of {dex_len} bytes comes first and an APK follows it (the Janus trick, CVE-2017-13156): Android installs the APK, and Android 5.0 to 8.0 runs the DEX; both are read"
            ),
        );
        Some(LoadedInput {
            kind: InputKind::Apk,
            label: label.to_owned(),
            archives: vec![Member {
                name: String::new(),
                archive,
            }],
            base: Some(0),
            bare_dex: Some(bytes[..dex_len].to_vec()),
            nested_apks: Vec::new(),
            anomalies: vec![anomaly],
            memory,
            deadline: deadline_of(limits),
        })
    }

    pub fn from_bytes(
        bytes: Vec<u8>,
        label: &str,
        limits: &Limits,
    ) -> Result<LoadedInput, ContainerError> {
        if bytes.len() as u64 > limits.max_input_size {
            return Err(ContainerError::InputTooLarge {
                label: label.to_owned(),
                size: bytes.len() as u64,
                limit: limits.max_input_size,
            });
        }
        if is_dex_magic(&bytes)
            && let Some(janus) = LoadedInput::dex_glued_to_apk(&bytes, label, limits)
        {
            return Ok(janus);
        }
        if is_dex_magic(&bytes) {
            return Ok(LoadedInput {
                kind: InputKind::Dex,
                label: label.to_owned(),
                archives: Vec::new(),
                base: None,
                bare_dex: Some(bytes),
                nested_apks: Vec::new(),
                anomalies: Vec::new(),
                memory: MemoryBudget::new(limits.memory_budget),
                deadline: deadline_of(limits),
            });
        }
        let head = InputHead::of(&bytes, bytes.len() as u64);
        LoadedInput::from_archive(&head, label, limits, |budget, memory| {
            Archive::parse_with_budget(bytes, "", limits, budget, memory)
        })
    }

    /// [`LoadedInput::from_bytes`] for the regular file `file` of `len` bytes (its length when
    /// opened): an APK's directory is parsed reading only the parts of the file it needs, and its
    /// entries are read by position, so a scan never holds the whole input. A file that starts
    /// as a DEX (a bare DEX, or one with an APK glued after it) is read whole, since those are
    /// held in memory.
    pub fn from_file(
        file: std::fs::File,
        len: u64,
        label: &str,
        limits: &Limits,
    ) -> Result<LoadedInput, ContainerError> {
        if len > limits.max_input_size {
            return Err(ContainerError::InputTooLarge {
                label: label.to_owned(),
                size: len,
                limit: limits.max_input_size,
            });
        }
        let mut first = [0u8; 8];
        let first = &mut first[..len.min(8) as usize];
        inflate::read_exact_at(&file, first, 0, label)?;
        if is_dex_magic(first) {
            let mut bytes = Vec::with_capacity(len as usize);
            // From the start, whatever the caller read of it already (the hash).
            (&file)
                .seek(std::io::SeekFrom::Start(0))
                .map_err(|source| ContainerError::Io {
                    path: label.to_owned(),
                    source,
                })?;
            (&file)
                .take(limits.max_input_size.saturating_add(1))
                .read_to_end(&mut bytes)
                .map_err(|source| ContainerError::Io {
                    path: label.to_owned(),
                    source,
                })?;
            return LoadedInput::from_bytes(bytes, label, limits);
        }
        let head = InputHead::of(first, len);
        LoadedInput::from_archive(&head, label, limits, |budget, memory| {
            Archive::parse_file_with_budget(file, len, "", limits, budget, memory)
        })
    }

    /// The input whose zip archive `parse` parses (charging the input's budgets): what kind of
    /// input the archive makes (an APK, a split set, a JAR), or why it is not one.
    fn from_archive(
        head: &InputHead,
        label: &str,
        limits: &Limits,
        parse: impl FnOnce(
            Arc<InflateBudget>,
            Arc<MemoryBudget>,
        ) -> Result<Archive, ContainerError>,
    ) -> Result<LoadedInput, ContainerError> {
        let budget = Arc::new(InflateBudget::new(limits.max_total_inflated));
        let memory = MemoryBudget::new(limits.memory_budget);
        let archive = match parse(Arc::clone(&budget), Arc::clone(&memory)) {
            Ok(archive) => archive,
            Err(ContainerError::NotAZip { detail, .. }) if head.starts_as_zip => {
                return Err(ContainerError::Malformed {
                    label: label.to_owned(),
                    detail: format!(
                        "it starts with a zip entry but its central directory cannot be found, as in a file cut short ({detail})"
                    ),
                });
            }
            Err(ContainerError::NotAZip { detail, .. }) => {
                return Err(ContainerError::NotAnAndroidInput {
                    label: label.to_owned(),
                    seen: format!("neither a DEX nor a zip: {} ({detail})", head.seen),
                });
            }
            Err(other) => return Err(other.naming_input(label)),
        };
        let entries = archive.entries();
        let has_manifest = archive.find(MANIFEST).is_some();
        let apk_names: Vec<String> = entries
            .iter()
            .filter(|entry| is_apk_name(entry))
            .map(|entry| entry.name.clone())
            .collect();
        let has_dex = entries.iter().any(|entry| is_root_dex(&entry.name));

        let mut loaded = LoadedInput {
            kind: InputKind::Apk,
            label: label.to_owned(),
            archives: Vec::new(),
            base: Some(0),
            bare_dex: None,
            nested_apks: Vec::new(),
            anomalies: Vec::new(),
            memory,
            deadline: deadline_of(limits),
        };
        if entries.is_empty() || has_manifest {
            let mut nested = apk_names;
            nested.sort();
            nested.dedup();
            loaded.nested_apks = nested;
        } else if !apk_names.is_empty() {
            loaded.kind = InputKind::SplitSet;
            loaded.load_split_members(&archive, limits, &budget)?;
        } else if has_dex {
            loaded.kind = InputKind::Jar;
        } else {
            let first: Vec<&str> = entries
                .iter()
                .take(5)
                .map(|entry| entry.name.as_str())
                .collect();
            return Err(ContainerError::NotAnAndroidInput {
                label: label.to_owned(),
                seen: format!(
                    "a zip of {} without {MANIFEST}, classes*.dex or *.apk (first: {})",
                    match entries.len() {
                        1 => "1 entry".to_owned(),
                        count => format!("{count} entries"),
                    },
                    first.join(", ")
                ),
            });
        }
        if loaded.kind != InputKind::SplitSet {
            loaded.archives.push(Member {
                name: String::new(),
                archive,
            });
        }
        loaded.note_unloaded_dex();
        loaded.note_code_copies();
        anomaly::normalize(&mut loaded.anomalies);
        Ok(loaded)
    }

    /// Inflates and parses every member APK of a split set and picks the base.
    fn load_split_members(
        &mut self,
        outer: &Archive,
        limits: &Limits,
        budget: &Arc<InflateBudget>,
    ) -> Result<(), ContainerError> {
        let entries = outer.entries();
        let has_splits_dir = entries
            .iter()
            .any(|entry| entry.name.starts_with("splits/") && is_apk_name(entry));
        let apkm = outer.find("info.json").is_some();
        let mut failures = Vec::new();
        let mut encrypted_hint = apkm;
        let mut read_as = CodeCopies::default();
        let mut copies = 0;
        for entry in entries.iter().filter(|entry| is_apk_name(entry)) {
            // bundletool .apks: standalones/ repeats the splits/ content for old devices.
            if has_splits_dir && entry.name.starts_with("standalones/") {
                continue;
            }
            if outer.find(&entry.name).map(|found| found.index) != Some(entry.index) {
                continue; // a duplicate copy; the outer archive already reports it
            }
            // Another name on a member already read: the same APK, parsed and held once.
            if let Some(first) = read_as.copy_of(entry, &entry.name) {
                if copies < MAX_COPY_NOTES {
                    self.anomalies.push(copy_note(&entry.name, &first));
                }
                copies += 1;
                continue;
            }
            encrypted_hint |= entry.flags & raw::FLAG_ENCRYPTED != 0;
            // A member's bytes are held for the whole scan, charged to its memory budget; one
            // that does not fit is skipped and named, and the others are still read.
            let parsed = outer.read(entry).and_then(|held| {
                let (bytes, charge) = held.into_parts();
                Archive::parse_with_budget(
                    bytes,
                    &entry.name,
                    limits,
                    Arc::clone(budget),
                    Arc::clone(&self.memory),
                )
                .map(|archive| archive.holding(charge))
            });
            match parsed {
                Ok(archive) => self.archives.push(Member {
                    name: entry.name.clone(),
                    archive,
                }),
                Err(
                    error @ (ContainerError::TotalInflatedExceeded { .. }
                    | ContainerError::InputTooLarge { .. }),
                ) => {
                    return Err(error);
                }
                Err(ContainerError::MemoryBudget { refused, .. }) => {
                    self.anomalies.push(Anomaly::new(
                        crate::memory::ANOMALY,
                        entry.name.clone(),
                        format!("this member APK was not read: {refused}"),
                    ));
                    failures.push(refused.to_string());
                }
                Err(error) => {
                    self.anomalies.push(Anomaly::new(
                        "zip.split_member_unreadable",
                        entry.name.clone(),
                        format!("this member APK could not be read: {error}"),
                    ));
                    failures.push(error.to_string());
                }
            }
        }
        // Pull in the outer archive's own anomalies (duplicates, CRC...) under its label.
        for found in outer.anomalies() {
            self.anomalies.push(found);
        }
        if self.archives.is_empty() {
            let detail = failures.first().cloned().unwrap_or_default();
            return Err(if encrypted_hint {
                ContainerError::Encrypted {
                    label: self.label.clone(),
                    detail: format!("no member APK of this split set is a readable zip ({detail})"),
                }
            } else {
                ContainerError::Malformed {
                    label: self.label.clone(),
                    detail: format!(
                        "a split set none of whose {} member APK(s) could be read (first failure: {detail})",
                        failures.len()
                    ),
                }
            });
        }
        self.base = self.pick_base();
        Ok(())
    }

    fn pick_base(&self) -> Option<usize> {
        let by_name = |wanted: &str| {
            self.archives
                .iter()
                .position(|member| member.name == wanted)
        };
        let file_name = |name: &str| name.rsplit('/').next().unwrap_or(name).to_ascii_lowercase();
        by_name("base.apk")
            .or_else(|| by_name("base-master.apk"))
            .or_else(|| by_name("splits/base-master.apk"))
            .or_else(|| {
                self.archives
                    .iter()
                    .position(|member| file_name(&member.name).contains("base"))
            })
            .or_else(|| {
                self.archives.iter().position(|member| {
                    member.archive.find(MANIFEST).is_some()
                        && member.archive.find("classes.dex").is_some()
                })
            })
            .or_else(|| {
                self.archives
                    .iter()
                    .position(|member| member.archive.find(MANIFEST).is_some())
            })
    }

    /// Code entries left out because an earlier name reads the same local record.
    fn note_code_copies(&mut self) {
        let dex = self
            .dex_entries_with_copies()
            .into_iter()
            .map(|(dex, copy_of)| (dex.label, copy_of));
        let libs = self
            .native_libs_with_copies()
            .into_iter()
            .map(|(lib, copy_of)| (lib.label, copy_of));
        let notes: Vec<Anomaly> = dex
            .chain(libs)
            .filter_map(|(label, copy_of)| Some((label, copy_of?)))
            .take(MAX_COPY_NOTES)
            .map(|(label, first)| copy_note(&label, &first))
            .collect();
        self.anomalies.extend(notes);
    }

    fn note_unloaded_dex(&mut self) {
        let mut notes = Vec::new();
        for dex in self.dex_entries() {
            if !dex.loaded_by_android {
                notes.push(Anomaly::new(
                    "zip.dex_not_loaded",
                    dex.label.clone(),
                    "Android's multidex loader reads classes.dex, classes2.dex, classes3.dex ... and stops at the first gap; this DEX is outside that sequence (or is a duplicate or hidden copy), so Android never loads it; dossier still scans it",
                ));
            }
        }
        self.anomalies.extend(notes);
    }

    /// Reads an entry of the base APK (`AndroidManifest.xml`, `resources.arsc`, ...).
    pub fn base_entry(&self, name: &str) -> Result<Option<Held<Vec<u8>>>, ContainerError> {
        let Some(member) = self.base.and_then(|base| self.archives.get(base)) else {
            return Ok(None);
        };
        match member.archive.find(name) {
            Some(entry) => member.archive.read(entry).map(Some),
            None => Ok(None),
        }
    }

    fn qualified(member: &Member, name: &str) -> String {
        if member.name.is_empty() {
            name.to_owned()
        } else {
            format!("{}!{}", member.name, name)
        }
    }

    /// Every `classes*.dex` of every member: per member `classes.dex`, `classes2.dex`, ... in
    /// numeric order, then names Android does not load, then duplicate copies. A name whose
    /// local record an earlier one already reads (overlapping entries) is left out: its bytes are
    /// the same, scanned once (`zip.overlapping_entry_skipped`).
    pub fn dex_entries(&self) -> Vec<DexRef> {
        self.dex_entries_with_copies()
            .into_iter()
            .filter_map(|(dex, copy_of)| copy_of.is_none().then_some(dex))
            .collect()
    }

    /// [`LoadedInput::dex_entries`] with the copies, each with the label of the DEX it repeats.
    fn dex_entries_with_copies(&self) -> Vec<(DexRef, Option<String>)> {
        let mut refs = Vec::new();
        if self.bare_dex.is_some() {
            // A bare DEX, or the DEX glued before an APK (read with the APK's own below).
            refs.push((
                DexRef {
                    label: self.label.clone(),
                    member: None,
                    entry: None,
                    loaded_by_android: true,
                },
                None,
            ));
        }
        for (member_index, member) in self.archives.iter().enumerate() {
            let archive = &member.archive;
            let mut found: Vec<(u64, &Entry, bool)> = archive
                .entries()
                .iter()
                .filter(|entry| is_root_dex(&entry.name))
                .map(|entry| {
                    let android_copy = archive.find(&entry.name).map(|chosen| chosen.index)
                        == Some(entry.index)
                        && !entry.hidden_from_android;
                    (
                        multidex_rank(&entry.name).unwrap_or(u64::MAX),
                        entry,
                        android_copy,
                    )
                })
                .collect();
            found.sort_by(|a, b| {
                (!a.2, a.0, &a.1.name, a.1.index).cmp(&(!b.2, b.0, &b.1.name, b.1.index))
            });
            let mut expected = 1u64;
            let mut read_as = CodeCopies::default();
            for (rank, entry, android_copy) in found {
                let loaded = android_copy && rank == expected;
                if loaded {
                    expected += 1;
                }
                let mut label = LoadedInput::qualified(member, &entry.name);
                if !android_copy {
                    label = format!("{label}#{}", entry.index);
                }
                let copy_of = read_as.copy_of(entry, &label);
                refs.push((
                    DexRef {
                        label,
                        member: Some(member_index),
                        entry: Some(entry.index),
                        loaded_by_android: loaded,
                    },
                    copy_of,
                ));
            }
        }
        refs
    }

    /// The bytes of a DEX: a bare DEX is borrowed from the input (already in memory, not
    /// charged), an entry is inflated under the memory budget.
    pub fn read_dex(&self, dex: &DexRef) -> Result<Held<Cow<'_, [u8]>>, ContainerError> {
        match (dex.member, dex.entry, &self.bare_dex) {
            (None, _, Some(bytes)) => Ok(Held::new(
                Cow::Borrowed(bytes.as_slice()),
                Charge::none(&self.memory),
            )),
            (Some(member), Some(entry), _) => {
                let member = self.archives.get(member);
                let entry = member.and_then(|member| member.archive.entries().get(entry));
                match (member, entry) {
                    (Some(member), Some(entry)) => member.archive.read(entry).map(|held| {
                        let (bytes, charge) = held.into_parts();
                        Held::new(Cow::Owned(bytes), charge)
                    }),
                    _ => Err(ContainerError::EntryOutOfBounds {
                        entry: dex.label.clone(),
                        detail: "no such member or entry in this input".into(),
                    }),
                }
            }
            _ => Err(ContainerError::EntryOutOfBounds {
                entry: dex.label.clone(),
                detail: "no such DEX in this input".into(),
            }),
        }
    }

    /// Every `lib/<abi>/**.so` of every member, sorted by member then name; like
    /// [`LoadedInput::dex_entries`], without the names whose local record an earlier one reads.
    pub fn native_libs(&self) -> Vec<EntryRef> {
        self.native_libs_with_copies()
            .into_iter()
            .filter_map(|(lib, copy_of)| copy_of.is_none().then_some(lib))
            .collect()
    }

    /// [`LoadedInput::native_libs`] with the copies, each with the label of the library it repeats.
    fn native_libs_with_copies(&self) -> Vec<(EntryRef, Option<String>)> {
        let mut libs = Vec::new();
        for (member_index, member) in self.archives.iter().enumerate() {
            for entry in member.archive.entries() {
                let mut parts = entry.name.split('/');
                let (Some("lib"), Some(abi)) = (parts.next(), parts.next()) else {
                    continue;
                };
                if abi.is_empty() || parts.next().is_none() || !entry.name.ends_with(".so") {
                    continue;
                }
                libs.push(EntryRef {
                    label: LoadedInput::qualified(member, &entry.name),
                    member: member_index,
                    entry: entry.index,
                    abi: abi.to_owned(),
                });
            }
        }
        libs.sort_by(|a, b| (a.member, &a.label, a.entry).cmp(&(b.member, &b.label, b.entry)));
        let mut read_as = CodeCopies::default();
        libs.into_iter()
            .map(|lib| {
                let entry = self
                    .archives
                    .get(lib.member)
                    .and_then(|member| member.archive.entries().get(lib.entry));
                let copy_of = entry.and_then(|entry| read_as.copy_of_in(lib.member, entry, &lib.label));
                (lib, copy_of)
            })
            .collect()
    }

    /// Reads an entry named by an [`EntryRef`].
    pub fn read_entry(&self, entry_ref: &EntryRef) -> Result<Held<Vec<u8>>, ContainerError> {
        let member = self.archives.get(entry_ref.member);
        match member.and_then(|member| {
            member
                .archive
                .entries()
                .get(entry_ref.entry)
                .map(|entry| (member, entry))
        }) {
            Some((member, entry)) => member.archive.read(entry),
            None => Err(ContainerError::EntryOutOfBounds {
                entry: entry_ref.label.clone(),
                detail: "no such member or entry in this input".into(),
            }),
        }
    }

    /// Input-level anomalies plus those of every archive (read-time ones included so far),
    /// locations prefixed with the member name in a split set; sorted and deduplicated.
    pub fn all_anomalies(&self) -> Vec<Anomaly> {
        let mut all = self.anomalies.clone();
        for member in &self.archives {
            for mut found in member.archive.anomalies() {
                if !member.name.is_empty() {
                    found.location = format!("{}!{}", member.name, found.location);
                }
                all.push(found);
            }
        }
        anomaly::normalize(&mut all);
        all
    }

    /// Bytes inflated so far from this input (all archives, all threads).
    pub fn inflated_so_far(&self) -> u64 {
        self.archives
            .first()
            .map(|member| member.archive.inflated_so_far())
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multidex_names() {
        assert_eq!(multidex_rank("classes.dex"), Some(1));
        assert_eq!(multidex_rank("classes2.dex"), Some(2));
        assert_eq!(multidex_rank("classes1.dex"), None);
        assert_eq!(multidex_rank("classes02.dex"), None);
        assert_eq!(multidex_rank("classesX.dex"), None);
    }

    #[test]
    fn dex_magic() {
        assert!(is_dex_magic(b"dex\n035\0rest"));
        assert!(is_dex_magic(b"dex\n041\0"));
        assert!(!is_dex_magic(b"dex\n035"));
        assert!(!is_dex_magic(b"PK\x03\x04\0\0\0\0"));
    }
}
