//! The Android-style zip reader: [`Archive`] and [`Entry`].
//!
//! Modelled on AOSP libziparchive (`zip_archive.cc`: FindCentralDirectoryInfo, MapCentralDirectory,
//! ParseZipArchive, FindEntry, ExtractToWriter): the central directory is authoritative, data
//! offsets come from local headers, and every irregularity Android tolerates (or that hides content
//! from Android) is recorded as an [`Anomaly`] instead of failing. Where Android itself refuses,
//! we still show what is there and say so in the anomaly detail.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::anomaly::{self, Anomaly};

use super::Limits;
use super::error::ContainerError;
use super::image::Image;
use super::inflate::{self, Caps, InflateBudget};
use crate::memory::{Charge, Held, MemoryBudget};
use super::overlap::{self, Admission, ReadLedger};
use super::raw::{self, CentralHeader, Eocd};

/// One central directory record (or, after a damaged directory, one recovered local header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Position in [`Archive::entries`] (central directory order).
    pub index: usize,
    /// Name for display: the raw bytes decoded as UTF-8, invalid sequences replaced.
    pub name: String,
    /// Name exactly as stored in the central directory.
    pub raw_name: Vec<u8>,
    /// Compression method from the central directory (what Android uses).
    pub method: u16,
    /// Compression method from the local header, when one was found.
    pub local_method: Option<u16>,
    /// General purpose flags from the central directory.
    pub flags: u16,
    pub compressed_size: u64,
    pub uncompressed_size: u64,
    pub crc32: u32,
    /// Local header offset as stated (zip64 applied, before any prepended-data correction).
    pub local_header_offset: u64,
    /// Absolute offset of the local header (prepended-data correction applied); `None` when the
    /// local header is missing.
    pub local_header_at: Option<u64>,
    /// Absolute offset of the entry data, computed from the LOCAL header; `None` when the local
    /// header is missing.
    pub data_offset: Option<u64>,
    /// True for records Android's reader never sees: past the EOCD entry count, or recovered from
    /// a local header after a damaged central directory.
    pub hidden_from_android: bool,
    /// True when the entry was found by scanning local headers, not in the central directory.
    pub recovered: bool,
}

impl Entry {
    pub fn is_directory(&self) -> bool {
        self.raw_name.last() == Some(&b'/')
    }

    /// Data is read as stored for method 0 and for any method other than deflate.
    pub fn is_deflated(&self) -> bool {
        self.method == raw::METHOD_DEFLATED
    }
}

/// Where an archive's bytes are read from once its directory is parsed.
#[derive(Debug)]
enum Storage {
    /// In memory: a split-set member inflated from its set, an input given as bytes.
    Bytes(Vec<u8>),
    /// The input file, read by position: the whole file is in memory only while the directory
    /// is parsed, so that a scan holds the entries it reads, not the whole input (issue 13).
    File { file: std::fs::File, len: usize },
}

impl Storage {
    fn len(&self) -> usize {
        match self {
            Storage::Bytes(bytes) => bytes.len(),
            Storage::File { len, .. } => *len,
        }
    }
}

/// A parsed zip archive with its bytes (or the file they are read from). `Sync`: entries can be
/// read from several threads.
#[derive(Debug)]
pub struct Archive {
    label: String,
    data: Storage,
    entries: Vec<Entry>,
    /// Raw name → index of the copy Android would use.
    lookup: HashMap<Vec<u8>, usize>,
    anomalies: Vec<Anomaly>,
    read_anomalies: Mutex<Vec<Anomaly>>,
    /// What reads have used of `data`, so that overlapping entries read each byte once.
    ledger: Mutex<ReadLedger>,
    /// Overlapping entries refused so far (only the first `MAX_OVERLAP_NOTES` are noted).
    overlap_refusals: AtomicUsize,
    budget: Arc<InflateBudget>,
    /// The scan's memory budget, charged by every read.
    memory: Arc<MemoryBudget>,
    /// The memory this archive's own bytes hold when they were inflated from another archive (a
    /// split member), given back when the archive is dropped.
    held: Option<Charge>,
    limits: Limits,
}

/// Most `zip.overlapping_entry_skipped` anomalies noted per archive: a crafted archive can have
/// hundreds of thousands of names over one record, and the archive-wide `zip.overlapping_entries`
/// already counts them.
const MAX_OVERLAP_NOTES: usize = 64;

/// Where the central directory was found and how it was described.
struct Directory {
    eocd_offset: usize,
    /// End bound for the directory: the zip64 EOCD record when present, else the EOCD.
    end_bound: usize,
    stated_offset: u64,
    size: u64,
    stated_count: u64,
}

impl Archive {
    /// Parses `data` as a zip archive with a budget of its own.
    pub fn parse(data: Vec<u8>, label: &str, limits: &Limits) -> Result<Archive, ContainerError> {
        let budget = Arc::new(InflateBudget::new(limits.max_total_inflated));
        let memory = MemoryBudget::new(limits.memory_budget);
        Archive::parse_with_budget(data, label, limits, budget, memory)
    }

    /// Parses `data`, charging every later read to `budget` and `memory` (shared by one whole
    /// input).
    pub(crate) fn parse_with_budget(
        data: Vec<u8>,
        label: &str,
        limits: &Limits,
        budget: Arc<InflateBudget>,
        memory: Arc<MemoryBudget>,
    ) -> Result<Archive, ContainerError> {
        if data.len() as u64 > limits.max_input_size {
            return Err(ContainerError::InputTooLarge {
                label: label.to_owned(),
                size: data.len() as u64,
                limit: limits.max_input_size,
            });
        }
        let mut image = Image::whole(data);
        let (entries, anomalies) = Parser::parse(&mut image, label, limits)?;
        Ok(Archive::parsed(
            label,
            Storage::Bytes(image.into_bytes()),
            entries,
            anomalies,
            limits,
            budget,
            memory,
        ))
    }

    /// Parses the regular file `file` with a budget of its own (see
    /// [`Archive::parse_file_with_budget`]).
    pub fn parse_file(
        file: std::fs::File,
        label: &str,
        limits: &Limits,
    ) -> Result<Archive, ContainerError> {
        let len = file
            .metadata()
            .map_err(|source| ContainerError::Io {
                path: label.to_owned(),
                source,
            })?
            .len();
        let budget = Arc::new(InflateBudget::new(limits.max_total_inflated));
        let memory = MemoryBudget::new(limits.memory_budget);
        Archive::parse_file_with_budget(file, len, label, limits, budget, memory)
    }

    /// Parses the `len`-byte file `file` reading only what the directory needs (the end records,
    /// the central directory, local headers), then reads entries from it by position: an input
    /// is never held whole, however large its assets (issue 13).
    pub(crate) fn parse_file_with_budget(
        file: std::fs::File,
        len: u64,
        label: &str,
        limits: &Limits,
        budget: Arc<InflateBudget>,
        memory: Arc<MemoryBudget>,
    ) -> Result<Archive, ContainerError> {
        let too_large = || ContainerError::InputTooLarge {
            label: label.to_owned(),
            size: len,
            limit: limits.max_input_size,
        };
        if len > limits.max_input_size {
            return Err(too_large());
        }
        let size = usize::try_from(len).map_err(|_| too_large())?;
        let mut image = Image::sparse(&file, size);
        let parsed = Parser::parse(&mut image, label, limits);
        if let Some(source) = image.take_failure() {
            return Err(ContainerError::Io {
                path: label.to_owned(),
                source,
            });
        }
        let (entries, anomalies) = parsed?;
        drop(image);
        Ok(Archive::parsed(
            label,
            Storage::File { file, len: size },
            entries,
            anomalies,
            limits,
            budget,
            memory,
        ))
    }

    fn parsed(
        label: &str,
        data: Storage,
        entries: Vec<Entry>,
        mut anomalies: Vec<Anomaly>,
        limits: &Limits,
        budget: Arc<InflateBudget>,
        memory: Arc<MemoryBudget>,
    ) -> Archive {
        let lookup = build_lookup(&entries);
        anomaly::normalize(&mut anomalies);
        Archive {
            label: label.to_owned(),
            data,
            entries,
            lookup,
            anomalies,
            read_anomalies: Mutex::new(Vec::new()),
            ledger: Mutex::new(ReadLedger::default()),
            overlap_refusals: AtomicUsize::new(0),
            budget,
            memory,
            held: None,
            limits: limits.clone(),
        }
    }

    pub fn label(&self) -> &str {
        &self.label
    }

    /// Every record in central directory order, duplicates and hidden records included.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The copy of `name` Android would use: the first visible record with that exact name
    /// (libziparchive refuses archives with duplicates; older readers took the first copy), or,
    /// when Android sees none, the first hidden/recovered copy so the analysis still sees it.
    pub fn find(&self, name: &str) -> Option<&Entry> {
        self.lookup
            .get(name.as_bytes())
            .and_then(|&index| self.entries.get(index))
    }

    /// Anomalies found while parsing and while reading entries so far, sorted.
    pub fn anomalies(&self) -> Vec<Anomaly> {
        let mut all = self.anomalies.clone();
        if let Ok(read) = self.read_anomalies.lock() {
            all.extend(read.iter().cloned());
        }
        anomaly::normalize(&mut all);
        all
    }

    /// Bytes inflated so far from the input this archive belongs to.
    pub fn inflated_so_far(&self) -> u64 {
        self.budget.used()
    }

    fn entry_label(&self, entry: &Entry) -> String {
        if self.label.is_empty() {
            entry.name.clone()
        } else {
            format!("{}!{}", self.label, entry.name)
        }
    }

    fn note_read_anomaly(&self, code: &str, entry: &Entry, detail: String) {
        if let Ok(mut list) = self.read_anomalies.lock() {
            list.push(Anomaly::new(code, entry.name.clone(), detail));
        }
    }

    /// Extracts one entry, bounded by the limits and charged to the shared budget. A CRC
    /// mismatch is recorded (`zip.crc_mismatch`) and the data still returned.
    ///
    /// Overlapping entries (`zip.overlapping_entries`) read each byte of the archive once: an
    /// entry that is not code ([`overlap::is_code`]) whose local record another entry has already
    /// read is refused (`ContainerError::OverlappingData`, `zip.overlapping_entry_skipped`), and its
    /// stream is cut where it runs into bytes already read. Code is always read whole.
    ///
    /// The data comes with its charge to the scan's memory budget, given back when it is dropped.
    pub fn read(&self, entry: &Entry) -> Result<Held<Vec<u8>>, ContainerError> {
        // Use our own copy of the record so a caller-made Entry cannot point anywhere else.
        let entry = self.entries.get(entry.index).unwrap_or(entry);
        let label = self.entry_label(entry);
        let start = entry
            .data_offset
            .ok_or_else(|| ContainerError::EntryOutOfBounds {
                entry: label.clone(),
                detail: "no local file header at the offset the central directory gives".into(),
            })?;
        let start = usize::try_from(start)
            .ok()
            .filter(|&start| start <= self.data.len())
            .ok_or_else(|| ContainerError::EntryOutOfBounds {
                entry: label.clone(),
                detail: format!("data offset {start} is past the end of the input"),
            })?;
        let until = self.admit(entry, start, &label)?;
        let cut_by = (until < self.data.len())
            .then(|| self.reader_of(until as u64))
            .flatten();
        let caps = Caps {
            entry_label: &label,
            max_entry_size: self.limits.max_entry_size,
            max_ratio: self.limits.max_ratio,
            budget: &self.budget,
            memory: &self.memory,
            read_through: cut_by.as_deref(),
        };
        let header_at = entry.local_header_at.unwrap_or(start as u64);
        let data = if entry.is_deflated() {
            // The deflate stream ends itself, so a wrong compressed size cannot cut it short;
            // only bytes another entry has read can (`until`).
            let mut used = 0;
            let inflated = match &self.data {
                Storage::Bytes(bytes) => inflate::inflate_raw(
                    &bytes[start..until],
                    entry.uncompressed_size,
                    &caps,
                    &mut used,
                ),
                Storage::File { file, .. } => inflate::inflate_stream(
                    &mut inflate::FileWindow::new(
                        file,
                        start as u64,
                        (until - start) as u64,
                        entry.compressed_size,
                        &label,
                    ),
                    entry.uncompressed_size,
                    &caps,
                    &mut used,
                ),
            };
            // What a failed read inflated was charged too: its bytes count as read.
            self.note_read_range(entry, header_at..start as u64 + used);
            let inflated = inflated.inspect_err(|error| self.note_cut_stream(entry, error))?;
            if inflated.consumed != entry.compressed_size {
                self.note_read_anomaly(
                    "zip.compressed_size_mismatch",
                    entry,
                    format!(
                        "the deflate stream is {} bytes but the central directory says {}; read the whole stream",
                        inflated.consumed, entry.compressed_size
                    ),
                );
            }
            if inflated.data.len() as u64 != entry.uncompressed_size {
                self.note_read_anomaly(
                    "zip.uncompressed_size_mismatch",
                    entry,
                    format!(
                        "inflated to {} bytes but the central directory says {}; kept what the stream holds",
                        inflated.data.len(),
                        entry.uncompressed_size
                    ),
                );
            }
            inflated
        } else {
            // androidfw AssetsProvider.cpp ZipAssetsProvider::OpenInternal and libziparchive
            // CopyEntryToWriter both take the uncompressed size as the length of stored data.
            let end = start
                .checked_add(usize::try_from(entry.uncompressed_size).unwrap_or(usize::MAX))
                .filter(|&end| end <= self.data.len())
                .ok_or_else(|| ContainerError::EntryOutOfBounds {
                    entry: label.clone(),
                    detail: format!(
                        "{} stored bytes at offset {start} run past the end of the input ({} bytes)",
                        entry.uncompressed_size,
                        self.data.len()
                    ),
                })?;
            if end > until {
                let by = self.ledger_lock().owner_at(until as u64);
                return Err(self.refuse_overlap(entry, label, by));
            }
            self.note_read_range(entry, header_at..end as u64);
            match &self.data {
                Storage::Bytes(bytes) => inflate::copy_stored(&bytes[start..end], &caps)?,
                Storage::File { file, .. } => {
                    let held = inflate::admit_stored((end - start) as u64, &caps)?;
                    let mut data = vec![0; end - start];
                    inflate::read_exact_at(file, &mut data, start as u64, &label)?;
                    inflate::Inflated {
                        consumed: data.len() as u64,
                        data,
                        held,
                    }
                }
            }
        };
        let inflate::Inflated { data, held, .. } = data;
        let actual = inflate::crc32(&data);
        if actual != entry.crc32 {
            self.note_read_anomaly(
                "zip.crc_mismatch",
                entry,
                format!(
                    "CRC-32 of the data is {actual:08x}, the central directory says {:08x}; libziparchive ExtractToWriter refuses the entry, dossier keeps the data",
                    entry.crc32
                ),
            );
        }
        Ok(Held::new(data, held))
    }

    /// The same archive, keeping `charge` (what its bytes hold of the scan's memory) until it is
    /// dropped.
    pub(crate) fn holding(mut self, charge: Charge) -> Archive {
        self.held = Some(charge);
        self
    }

    /// The scan's memory budget this archive charges.
    pub fn memory(&self) -> &Arc<MemoryBudget> {
        &self.memory
    }

    fn ledger_lock(&self) -> std::sync::MutexGuard<'_, ReadLedger> {
        // A panic while holding the lock leaves the ledger usable: it only ever grows.
        self.ledger
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// How far `entry`'s data may be read (the end of the input for code), or its refusal when it
    /// is not code and another entry already read its local record. Claims the local record under
    /// the lock, so that of two names read at once on one record only one is read.
    fn admit(&self, entry: &Entry, start: usize, label: &str) -> Result<usize, ContainerError> {
        let header_at = entry.local_header_at.unwrap_or(start as u64);
        // The local header, and the first data byte when the read takes any: an empty stored
        // entry's data offset is where the next record starts.
        let takes_data = entry.is_deflated() || entry.uncompressed_size > 0;
        let record = header_at..start as u64 + u64::from(takes_data);
        let mut ledger = self.ledger_lock();
        let until = if overlap::is_code(&entry.name) {
            self.data.len()
        } else {
            match ledger.admit(
                entry.index,
                record.clone(),
                start as u64,
                self.data.len() as u64,
            ) {
                Admission::Read { until } => usize::try_from(until).unwrap_or(usize::MAX),
                Admission::Refuse { by } => {
                    drop(ledger);
                    return Err(self.refuse_overlap(entry, label.to_owned(), Some(by)));
                }
            }
        };
        ledger.record(entry.index, record);
        Ok(until.clamp(start, self.data.len()))
    }

    /// The name of the entry whose read used byte `at`, when one did.
    fn reader_of(&self, at: u64) -> Option<String> {
        let by = self.ledger_lock().owner_at(at)?;
        self.entries.get(by).map(|entry| entry.name.clone())
    }

    fn note_read_range(&self, entry: &Entry, range: std::ops::Range<u64>) {
        self.ledger_lock().record(entry.index, range);
    }

    /// A stream cut where it ran into bytes another entry read is noted like a refusal.
    fn note_cut_stream(&self, entry: &Entry, error: &ContainerError) {
        if let ContainerError::OverlappingData { detail, .. } = error {
            self.note_overlap_refusal(entry, detail.clone());
        }
    }

    fn note_overlap_refusal(&self, entry: &Entry, detail: String) {
        if self.overlap_refusals.fetch_add(1, Ordering::Relaxed) < MAX_OVERLAP_NOTES {
            self.note_read_anomaly("zip.overlapping_entry_skipped", entry, detail);
        }
    }

    /// The error (and anomaly) for an entry that is not code whose bytes another entry read.
    fn refuse_overlap(&self, entry: &Entry, label: String, by: Option<usize>) -> ContainerError {
        let other = by
            .and_then(|by| self.entries.get(by))
            .map_or_else(|| "another entry".to_owned(), |other| format!("{:?}", other.name));
        let detail = format!(
            "its local record overlaps bytes already read through {other} (zip.overlapping_entries); an entry that is not code is not read twice, so decoys over one stream cannot use up the inflation budget"
        );
        self.note_overlap_refusal(entry, detail.clone());
        ContainerError::OverlappingData {
            entry: label,
            detail,
        }
    }
}

/// Android's copy of each name: first visible record; first hidden one when none is visible.
fn build_lookup(entries: &[Entry]) -> HashMap<Vec<u8>, usize> {
    let mut lookup: HashMap<Vec<u8>, usize> = HashMap::new();
    for entry in entries.iter().filter(|entry| !entry.hidden_from_android) {
        lookup.entry(entry.raw_name.clone()).or_insert(entry.index);
    }
    for entry in entries.iter().filter(|entry| entry.hidden_from_android) {
        lookup.entry(entry.raw_name.clone()).or_insert(entry.index);
    }
    lookup
}

/// The directory parser. Every method reads the input through an [`Image`], asking first for
/// the region it reads (a sparse image reads it from the file then).
struct Parser<'a> {
    label: &'a str,
    limits: &'a Limits,
    anomalies: Vec<Anomaly>,
    entries: Vec<Entry>,
}

impl Parser<'_> {
    fn parse(
        image: &mut Image<'_>,
        label: &str,
        limits: &Limits,
    ) -> Result<(Vec<Entry>, Vec<Anomaly>), ContainerError> {
        let mut parser = Parser {
            label,
            limits,
            anomalies: Vec::new(),
            entries: Vec::new(),
        };
        parser.run(image)?;
        Ok((parser.entries, parser.anomalies))
    }

    fn note(&mut self, code: &str, location: impl Into<String>, detail: impl Into<String>) {
        self.anomalies.push(Anomaly::new(code, location, detail));
    }

    fn malformed(&self, detail: impl Into<String>) -> ContainerError {
        ContainerError::Malformed {
            label: self.label.to_owned(),
            detail: detail.into(),
        }
    }

    fn run(&mut self, image: &mut Image<'_>) -> Result<(), ContainerError> {
        let (eocd_offset, eocd) = self.locate_eocd(image)?;
        let directory = self.describe_directory(image, eocd_offset, &eocd);
        let shift = self.locate_directory_start(image, &directory);
        match shift {
            Some(shift) => self.walk_directory(image, &directory, shift)?,
            None => {
                if directory.stated_count > 0 {
                    self.note(
                        "zip.central_directory_missing",
                        format!("central_directory@0x{:x}", directory.stated_offset),
                        "no central directory record where the EOCD points, nor just before the EOCD; Android refuses the archive; entries recovered from local headers",
                    );
                }
            }
        }
        let directory_damaged = self.anomalies.iter().any(|a| {
            a.code == "zip.truncated_central_directory" || a.code == "zip.central_directory_missing"
        });
        if directory_damaged {
            image.want_all();
            self.recover_from_local_headers(image.bytes());
        }
        image.want(0, 4);
        self.check_prepended_data(image.bytes(), shift.unwrap_or(0));
        self.check_overlaps(image.len());
        if self.entries.is_empty() && directory.stated_count == 0 {
            self.note(
                "zip.empty_archive",
                format!("eocd@0x{eocd_offset:x}"),
                "the archive has no entries; libziparchive MapCentralDirectory returns kEmptyArchive",
            );
        }
        Ok(())
    }

    /// Scans backwards for the EOCD like libziparchive FindCentralDirectoryInfo, but validates
    /// each candidate instead of stopping at the first signature.
    fn locate_eocd(&mut self, image: &mut Image<'_>) -> Result<(usize, Eocd), ContainerError> {
        // The last record, its longest comment and a zip64 locator before it.
        let tail = raw::EOCD_LEN + raw::MAX_COMMENT_LEN + raw::ZIP64_LOCATOR_LEN;
        image.want(image.len().saturating_sub(tail), tail);
        if image.len() < raw::EOCD_LEN {
            return Err(ContainerError::NotAZip {
                label: self.label.to_owned(),
                detail: format!(
                    "{} bytes, shorter than an end of central directory record",
                    image.len()
                ),
            });
        }
        let last = image.len() - raw::EOCD_LEN;
        let data = image.bytes();
        let first = last.saturating_sub(raw::MAX_COMMENT_LEN);
        let candidates: Vec<usize> = (first..=last)
            .rev()
            .filter(|&at| raw::has_signature(data, at, raw::EOCD_SIGNATURE))
            .collect();
        let Some(&android_pick) = candidates.first() else {
            return Err(ContainerError::NotAZip {
                label: self.label.to_owned(),
                detail: "no end of central directory record in the last 64 KiB".into(),
            });
        };
        let parsed: Vec<(usize, Eocd)> = candidates
            .iter()
            .filter_map(|&at| raw::parse_eocd(data, at).map(|eocd| (at, eocd)))
            .collect();
        for (at, eocd) in &parsed {
            for start in directory_starts(*at, eocd) {
                image.want(start, 4);
            }
        }
        let data = image.bytes();
        let reaches_end =
            |at: usize, eocd: &Eocd| at + raw::EOCD_LEN + eocd.comment_len as usize == data.len();
        let fully_valid = |&(at, ref eocd): &(usize, Eocd)| {
            reaches_end(at, eocd) && points_at_directory(data, at, eocd)
        };
        let chosen = parsed
            .iter()
            .find(|candidate| fully_valid(candidate))
            .or_else(|| {
                parsed
                    .iter()
                    .find(|(at, eocd)| points_at_directory(data, *at, eocd))
            })
            .or_else(|| parsed.first())
            .copied()
            .ok_or_else(|| self.malformed("unreadable end of central directory record"))?;
        let (at, eocd) = chosen;
        let forward_pick = parsed
            .iter()
            .skip(1)
            .find(|candidate| fully_valid(candidate))
            .map(|&(other, _)| other);
        if !reaches_end(at, &eocd) {
            self.note(
                "zip.eocd_comment_length",
                format!("eocd@0x{at:x}"),
                format!(
                    "the comment length says {} bytes but {} follow the record; libziparchive refuses the archive (extraneous bytes at the end)",
                    eocd.comment_len,
                    data.len() - at - raw::EOCD_LEN
                ),
            );
        }
        if at != android_pick {
            self.note(
                "zip.fake_eocd",
                format!("eocd@0x{android_pick:x}"),
                format!(
                    "an end of central directory signature at 0x{android_pick:x} (the one Android stops at when scanning backwards) does not describe a usable directory; dossier used the record at 0x{at:x}; Android would refuse the archive or read the fake one"
                ),
            );
        } else if let Some(other) = forward_pick {
            self.note(
                "zip.fake_eocd",
                format!("eocd@0x{at:x}"),
                format!(
                    "the record at 0x{at:x} sits inside the comment of another plausible record at 0x{other:x}; Android scans backwards and uses 0x{at:x}, a reader searching forwards would use 0x{other:x}"
                ),
            );
        }
        Ok((at, eocd))
    }

    /// Reads the directory position from the EOCD, following a zip64 locator when a field is
    /// saturated (libziparchive FindCentralDirectoryInfoForZip64).
    fn describe_directory(
        &mut self,
        image: &mut Image<'_>,
        eocd_offset: usize,
        eocd: &Eocd,
    ) -> Directory {
        let mut directory = Directory {
            eocd_offset,
            end_bound: eocd_offset,
            stated_offset: u64::from(eocd.cd_offset),
            size: u64::from(eocd.cd_size),
            stated_count: u64::from(eocd.records_total),
        };
        if eocd.records_on_disk != eocd.records_total || eocd.disk_number != 0 || eocd.cd_disk != 0
        {
            self.note(
                "zip.multi_disk_fields",
                format!("eocd@0x{eocd_offset:x}"),
                format!(
                    "disk numbers {}/{} and per-disk count {} (total {}); Android ignores them and so does dossier",
                    eocd.disk_number, eocd.cd_disk, eocd.records_on_disk, eocd.records_total
                ),
            );
        }
        if !eocd.has_saturated_field() {
            return directory;
        }
        let locator_at = eocd_offset.checked_sub(raw::ZIP64_LOCATOR_LEN);
        let record = locator_at
            .and_then(|at| raw::parse_zip64_locator(image.bytes(), at))
            .and_then(|locator| {
                let at = usize::try_from(locator.eocd64_offset).ok()?;
                image.want(at, raw::ZIP64_EOCD_LEN);
                raw::parse_zip64_eocd(image.bytes(), at).map(|record| (at, record))
            });
        match record {
            Some((at, record)) => {
                directory.end_bound = at;
                directory.stated_offset = record.cd_offset;
                directory.size = record.cd_size;
                directory.stated_count = record.records_total;
            }
            None => {
                let only_comment = eocd.comment_len == u16::MAX
                    && eocd.records_total != u16::MAX
                    && eocd.records_on_disk != u16::MAX
                    && eocd.cd_size != u32::MAX
                    && eocd.cd_offset != u32::MAX;
                if only_comment {
                    self.note(
                        "zip.max_comment",
                        format!("eocd@0x{eocd_offset:x}"),
                        "65535-byte archive comment; current libziparchive (FindCentralDirectoryInfo) takes a saturated comment length as a zip64 marker and refuses the archive when no zip64 locator precedes the EOCD; older Android accepts it",
                    );
                } else {
                    self.note(
                        "zip.zip64_locator_missing",
                        format!("eocd@0x{eocd_offset:x}"),
                        "the EOCD has a saturated field but no zip64 locator precedes it; Android refuses the archive; dossier uses the 32-bit values",
                    );
                }
            }
        }
        directory
    }

    /// Finds the first central directory record and returns the correction to apply to every
    /// stated offset (non-zero when data was prepended without adjusting offsets).
    fn locate_directory_start(
        &mut self,
        image: &mut Image<'_>,
        directory: &Directory,
    ) -> Option<u64> {
        let mut sig_at = |offset: u64| {
            usize::try_from(offset).is_ok_and(|at| {
                image.want(at, 4);
                raw::has_signature(image.bytes(), at, raw::CENTRAL_HEADER_SIGNATURE)
            })
        };
        let stated = directory.stated_offset;
        let shift = if sig_at(stated) || directory.stated_count == 0 {
            0
        } else {
            let actual = (directory.end_bound as u64).checked_sub(directory.size)?;
            if actual <= stated || !sig_at(actual) {
                return None;
            }
            let shift = actual - stated;
            self.note(
                "zip.offsets_shifted",
                format!("central_directory@0x{actual:x}"),
                format!(
                    "the EOCD puts the central directory at 0x{stated:x} but it starts at 0x{actual:x}: {shift} bytes were prepended without fixing offsets; dossier adds {shift} to every offset; Android refuses the archive"
                ),
            );
            shift
        };
        let start = stated + shift;
        let end = start.saturating_add(directory.size);
        let bound = directory.end_bound as u64;
        if end < bound {
            self.note(
                "zip.garbage_before_eocd",
                format!("central_directory@0x{start:x}"),
                format!(
                    "{} bytes lie between the end of the central directory (0x{end:x}) and the end of central directory record (0x{bound:x}); libziparchive accepts this, it only checks that the directory ends before the EOCD",
                    bound - end
                ),
            );
        } else if end > bound {
            self.note(
                "zip.truncated_central_directory",
                format!("central_directory@0x{start:x}"),
                format!(
                    "the central directory is said to be {} bytes but only {} lie before the end of central directory record; Android refuses the archive (bad offsets); dossier reads the records that are there",
                    directory.size,
                    bound.saturating_sub(start)
                ),
            );
        }
        Some(shift)
    }

    fn walk_directory(
        &mut self,
        image: &mut Image<'_>,
        directory: &Directory,
        shift: u64,
    ) -> Result<(), ContainerError> {
        let Ok(mut pos) = usize::try_from(directory.stated_offset + shift) else {
            return Ok(());
        };
        // The directory and what follows it: records past the stated count are read up to the
        // end records, and a truncated one runs into them.
        image.want(pos, image.len().saturating_sub(pos));
        let bound = directory.end_bound;
        let mut seen: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut count: u64 = 0;
        loop {
            let beyond_count = count >= directory.stated_count;
            let Some(header) = raw::parse_central_header(image.bytes(), pos) else {
                if !beyond_count {
                    self.note_short_count(directory, count, pos);
                }
                break;
            };
            if beyond_count && pos >= bound {
                break;
            }
            if self.entries.len() >= self.limits.max_entries {
                return Err(ContainerError::TooManyEntries {
                    label: self.label.to_owned(),
                    limit: self.limits.max_entries,
                });
            }
            let record_end = pos + header.record_len();
            let truncated = record_end > bound;
            self.add_central_entry(image, pos, &header, shift, beyond_count, truncated, &mut seen);
            count += 1;
            if truncated {
                if !beyond_count && count < directory.stated_count {
                    self.note_short_count(directory, count, record_end);
                }
                break;
            }
            pos = record_end;
        }
        if count > directory.stated_count {
            self.note(
                "zip.hidden_entries",
                format!("eocd@0x{:x}", directory.eocd_offset),
                format!(
                    "the EOCD counts {} entries but the central directory holds {count}; libziparchive ParseZipArchive reads only the counted ones, so {} entries are invisible to Android (flagged hidden_from_android)",
                    directory.stated_count,
                    count - directory.stated_count
                ),
            );
        }
        Ok(())
    }

    fn note_short_count(&mut self, directory: &Directory, found: u64, at: usize) {
        self.note(
            "zip.entry_count_mismatch",
            format!("central_directory@0x{at:x}"),
            format!(
                "the EOCD counts {} entries but only {found} central directory records were found; Android refuses the archive (missed a central directory signature)",
                directory.stated_count
            ),
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn add_central_entry(
        &mut self,
        image: &mut Image<'_>,
        pos: usize,
        header: &CentralHeader,
        shift: u64,
        hidden: bool,
        truncated: bool,
        seen: &mut HashMap<Vec<u8>, usize>,
    ) {
        let data = image.bytes();
        let name_start = pos + raw::CENTRAL_HEADER_LEN;
        let name_end = (name_start + header.name_len as usize).min(data.len());
        let mut raw_name = data.get(name_start..name_end).unwrap_or_default().to_vec();
        let extra_start = name_start + header.name_len as usize;
        let extra = data
            .get(extra_start..(extra_start + header.extra_len as usize).min(data.len()))
            .unwrap_or_default();

        let mut compressed_size = u64::from(header.compressed_size);
        let mut uncompressed_size = u64::from(header.uncompressed_size);
        let mut local_header_offset = u64::from(header.local_header_offset);
        let saturated = (
            header.uncompressed_size == u32::MAX,
            header.compressed_size == u32::MAX,
            header.local_header_offset == u32::MAX,
        );
        if saturated.0 || saturated.1 || saturated.2 {
            if let Some(zip64) =
                raw::parse_zip64_extra(extra, saturated.0, saturated.1, saturated.2)
            {
                uncompressed_size = zip64.uncompressed_size.unwrap_or(uncompressed_size);
                compressed_size = zip64.compressed_size.unwrap_or(compressed_size);
                local_header_offset = zip64.local_header_offset.unwrap_or(local_header_offset);
            } else {
                self.note(
                    "zip.zip64_extra_missing",
                    String::from_utf8_lossy(&raw_name).into_owned(),
                    "a size or offset is 0xffffffff but no readable zip64 extra field carries the real value; Android refuses the archive; dossier uses the 32-bit value",
                );
            }
        }

        let local_at = local_header_offset.saturating_add(shift);
        let local = usize::try_from(local_at).ok().and_then(|at| {
            image.want(at, raw::LOCAL_HEADER_LEN);
            let header = raw::parse_local_header(image.bytes(), at)?;
            image.want(at + raw::LOCAL_HEADER_LEN, header.name_len as usize);
            Some((at, header))
        });
        let data = image.bytes();
        let local_name = local.and_then(|(at, lh)| {
            let start = at + raw::LOCAL_HEADER_LEN;
            data.get(start..start.checked_add(lh.name_len as usize)?)
        });
        if truncated {
            // apksig v2-only-truncated-cd.apk: the last record's name runs into the EOCD. The
            // local header still holds the real name, which is what the analysis needs.
            let display = String::from_utf8_lossy(&raw_name).into_owned();
            if let Some(name) = local_name.filter(|name| {
                name.len() == header.name_len as usize && *name != raw_name.as_slice()
            }) {
                self.note(
                        "zip.truncated_central_directory",
                        display.clone(),
                        format!(
                            "this record runs into the end of central directory record, so its name reads {display:?}; dossier takes the name from the local header: {:?}",
                            String::from_utf8_lossy(name)
                        ),
                    );
                raw_name = name.to_vec();
            }
        }
        let name = String::from_utf8_lossy(&raw_name).into_owned();
        let index = self.entries.len();
        self.check_name(&raw_name, &name);

        if header.flags & raw::FLAG_ENCRYPTED != 0 {
            self.note(
                "zip.encryption_flag",
                name.clone(),
                "general purpose bit 0 (encrypted) is set; Android ignores it and reads the data as plain, so does dossier",
            );
        }
        if header.method != raw::METHOD_STORED && header.method != raw::METHOD_DEFLATED {
            self.note(
                "zip.unknown_compression_method",
                name.clone(),
                format!(
                    "compression method {} is neither stored nor deflate; androidfw AssetsProvider.cpp ZipAssetsProvider::OpenInternal maps any non-deflate entry as uncompressed (libziparchive ExtractToWriter refuses it); dossier reads it as stored",
                    header.method
                ),
            );
        }
        if !header_is_deflate(header.method) && compressed_size != uncompressed_size {
            self.note(
                "zip.stored_size_mismatch",
                name.clone(),
                format!(
                    "stored entry with compressed size {compressed_size} and uncompressed size {uncompressed_size}; Android copies the uncompressed size (libziparchive CopyEntryToWriter), so does dossier"
                ),
            );
        }

        let mut data_offset = None;
        let mut local_method = None;
        match local {
            None => self.note(
                "zip.bad_local_header",
                name.clone(),
                format!(
                    "no local file header at 0x{local_at:x}; libziparchive FindEntry refuses this entry; its data cannot be read"
                ),
            ),
            Some((at, lh)) => {
                local_method = Some(lh.method);
                let start = at as u64 + raw::LOCAL_HEADER_LEN as u64 + u64::from(lh.name_len) + u64::from(lh.extra_len);
                data_offset = Some(start);
                if let Some(local_name) = local_name.filter(|name| *name != raw_name.as_slice()) {
                        self.note(
                            "zip.local_name_mismatch",
                            name.clone(),
                            format!(
                                "the local header names this entry {:?}; dossier and Android's lookup use the central directory name (current libziparchive FindEntry refuses to extract it)",
                                String::from_utf8_lossy(local_name)
                            ),
                        );
                }
                if lh.method != header.method {
                    self.note(
                        "zip.local_method_mismatch",
                        name.clone(),
                        format!(
                            "the local header says compression method {} but the central directory says {}; Android uses the central directory, so does dossier",
                            lh.method, header.method
                        ),
                    );
                }
                let local_zip64 = lh.compressed_size == u32::MAX || lh.uncompressed_size == u32::MAX;
                let sizes_differ = u64::from(lh.compressed_size) != compressed_size
                    || u64::from(lh.uncompressed_size) != uncompressed_size
                    || lh.crc32 != header.crc32;
                if lh.flags & raw::FLAG_DATA_DESCRIPTOR == 0 && !local_zip64 && sizes_differ {
                    self.note(
                        "zip.local_header_mismatch",
                        name.clone(),
                        format!(
                            "local header sizes/CRC ({}, {}, {:08x}) differ from the central directory ({compressed_size}, {uncompressed_size}, {:08x}) and no data descriptor is flagged; current libziparchive FindEntry refuses the entry; dossier uses the central directory",
                            lh.compressed_size, lh.uncompressed_size, lh.crc32, header.crc32
                        ),
                    );
                }
            }
        }

        if let Some(&first) = seen.get(&raw_name) {
            self.note(
                "zip.duplicate_entry",
                name.clone(),
                format!(
                    "entry #{index} repeats the name of entry #{first}; current libziparchive refuses the whole archive (kDuplicateEntry in the central directory map), as Android has since the 2013 \"master key\" fix (bug 8219321), before which the Java signature check and the native extractor could each use a different copy; dossier keeps every copy and find() returns the first, #{first}"
                ),
            );
        } else if !hidden {
            seen.insert(raw_name.clone(), index);
        }

        self.entries.push(Entry {
            index,
            name,
            raw_name,
            method: header.method,
            local_method,
            flags: header.flags,
            compressed_size,
            uncompressed_size,
            crc32: header.crc32,
            local_header_offset,
            local_header_at: data_offset.and(Some(local_at)),
            data_offset,
            hidden_from_android: hidden,
            recovered: false,
        });
    }

    fn check_name(&mut self, raw_name: &[u8], name: &str) {
        // libziparchive IsValidEntryName refuses both of these, failing the whole archive.
        if std::str::from_utf8(raw_name).is_err() {
            self.note(
                "zip.name_invalid_utf8",
                name.to_owned(),
                "the entry name is not valid UTF-8 (raw bytes kept, shown lossily); libziparchive refuses the archive",
            );
        }
        if raw_name.contains(&0) {
            self.note(
                "zip.name_nul",
                name.escape_default().to_string(),
                "the entry name contains a NUL byte; libziparchive refuses the archive; tools that stop at NUL see a different name",
            );
        }
        let traversal = raw_name.first() == Some(&b'/')
            || raw_name.contains(&b'\\')
            || (raw_name.first().is_some_and(u8::is_ascii_alphabetic)
                && raw_name.get(1) == Some(&b':'))
            || raw_name
                .split(|&byte| byte == b'/' || byte == b'\\')
                .any(|part| part == b"..");
        if traversal {
            self.note(
                "zip.name_path_traversal",
                name.to_owned(),
                "the entry name is absolute, has a drive letter, a backslash or a \"..\" component; an extractor writing it to disk could escape its directory (dossier never writes entries)",
            );
        }
    }

    /// Android refuses an archive whose offset 0 is not a local header (libziparchive
    /// ParseZipArchive, bug 64211847); self-extracting stubs and polyglots put data there.
    fn check_prepended_data(&mut self, data: &[u8], shift: u64) {
        let Some(first) = self
            .entries
            .iter()
            .filter(|entry| entry.data_offset.is_some())
            .map(|entry| entry.local_header_offset.saturating_add(shift))
            .min()
        else {
            return;
        };
        // A local header at offset 0 that no record names (apkzlib's zero-name padding entry)
        // is fine for Android: it only checks the signature at offset 0.
        if first > 0 && !raw::has_signature(data, 0, raw::LOCAL_HEADER_SIGNATURE) {
            self.note(
                "zip.prepended_data",
                "offset@0x0",
                format!(
                    "{first} bytes precede the first local header; libziparchive refuses an archive that does not start with a local header; dossier reads past them"
                ),
            );
        }
    }

    /// Entries whose local records overlap (several names on one local header, or a header inside
    /// another entry's data): one anomaly for the archive, found in O(n log n).
    fn check_overlaps(&mut self, input_len: usize) {
        let overlaps = overlap::find_overlaps(&self.entries, input_len as u64);
        if overlaps.groups > 0 {
            let detail = overlap::describe(&overlaps, &self.entries);
            self.note(
                "zip.overlapping_entries",
                format!("local_header@0x{:x}", overlaps.first_at),
                detail,
            );
        }
    }

    /// After a damaged central directory: walk local headers from the start of the file and
    /// add every one the directory did not describe, flagged hidden and recovered.
    fn recover_from_local_headers(&mut self, data: &[u8]) {
        let known: std::collections::HashSet<u64> = self
            .entries
            .iter()
            .filter_map(|entry| entry.data_offset)
            .collect();
        let mut recovered = 0usize;
        let mut at = 0usize;
        while let Some(found) = find_signature(data, at, raw::LOCAL_HEADER_SIGNATURE) {
            at = found + 4;
            let Some(lh) = raw::parse_local_header(data, found) else {
                continue;
            };
            let name_start = found + raw::LOCAL_HEADER_LEN;
            let Some(raw_name) = data.get(name_start..name_start + lh.name_len as usize) else {
                continue;
            };
            let data_offset = (name_start + lh.name_len as usize + lh.extra_len as usize) as u64;
            if known.contains(&data_offset) {
                continue;
            }
            if self.entries.len() >= self.limits.max_entries {
                // Recovery is best effort: stop at the cap instead of failing the archive.
                self.note(
                    "zip.recovery_stopped",
                    "local_headers",
                    format!(
                        "local header recovery stopped at the max_entries limit of {}",
                        self.limits.max_entries
                    ),
                );
                break;
            }
            let raw_name = raw_name.to_vec();
            let name = String::from_utf8_lossy(&raw_name).into_owned();
            self.check_name(&raw_name, &name);
            self.entries.push(Entry {
                index: self.entries.len(),
                name,
                raw_name,
                method: lh.method,
                local_method: Some(lh.method),
                flags: lh.flags,
                compressed_size: u64::from(lh.compressed_size),
                uncompressed_size: u64::from(lh.uncompressed_size),
                crc32: lh.crc32,
                local_header_offset: found as u64,
                local_header_at: Some(found as u64),
                data_offset: Some(data_offset),
                hidden_from_android: true,
                recovered: true,
            });
            recovered += 1;
        }
        if recovered > 0 {
            self.note(
                "zip.recovered_from_local_header",
                "local_headers",
                format!(
                    "{recovered} entries missing from the damaged central directory were recovered from local headers (flagged hidden_from_android and recovered)"
                ),
            );
        }
    }
}

/// Where the central directory of the EOCD at `at` may start: where it says, and right before
/// the EOCD (offsets shifted by prepended data).
fn directory_starts(at: usize, eocd: &Eocd) -> impl Iterator<Item = usize> {
    let stated = eocd.cd_offset as usize;
    let before = at.checked_sub(eocd.cd_size as usize);
    std::iter::once(stated).chain(before)
}

/// True when the EOCD at `at` leads to a central directory record (or is empty).
fn points_at_directory(data: &[u8], at: usize, eocd: &Eocd) -> bool {
    if eocd.records_total == 0 && eocd.cd_size == 0 {
        return true;
    }
    if eocd.has_saturated_field()
        && raw::parse_zip64_locator(data, at.wrapping_sub(raw::ZIP64_LOCATOR_LEN)).is_some()
    {
        return true;
    }
    directory_starts(at, eocd).any(|start| raw::has_signature(data, start, raw::CENTRAL_HEADER_SIGNATURE))
}

fn header_is_deflate(method: u16) -> bool {
    method == raw::METHOD_DEFLATED
}

fn find_signature(data: &[u8], from: usize, signature: u32) -> Option<usize> {
    let needle = signature.to_le_bytes();
    data.get(from..)?
        .windows(4)
        .position(|window| window == needle)
        .map(|position| from + position)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    /// An APK whose bulk is one large stored asset: its directory is parsed reading the file's
    /// end, its first bytes and the local headers, not the asset.
    #[test]
    fn a_sparse_parse_reads_the_directory_not_the_assets() {
        let mut zip = Vec::new();
        {
            let mut writer = zip::ZipWriter::new(std::io::Cursor::new(&mut zip));
            let stored = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored);
            writer.start_file("AndroidManifest.xml", stored).unwrap();
            writer.write_all(b"manifest").unwrap();
            writer.start_file("assets/level.bin", stored).unwrap();
            writer.write_all(&vec![0x5a; 8 << 20]).unwrap();
            writer.start_file("classes.dex", stored).unwrap();
            writer.write_all(b"dex\n035\0").unwrap();
            writer.finish().unwrap();
        }
        let limits = Limits::default();
        let mut whole = Image::whole(zip.clone());
        let expected = Parser::parse(&mut whole, "app.apk", &limits).unwrap();
        let file = super::super::image::tests::file_of(&zip);
        let mut sparse = Image::sparse(&file, zip.len());
        let parsed = Parser::parse(&mut sparse, "app.apk", &limits).unwrap();
        assert_eq!(parsed, expected);
        assert_eq!(parsed.0.len(), 3);
        // The first chunk (the manifest's header), the last two (the asset's end, the last
        // entry and the directory).
        assert!(sparse.bytes_read() <= 3 * 64 * 1024, "{}", sparse.bytes_read());
        assert!(sparse.take_failure().is_none());
    }
}
