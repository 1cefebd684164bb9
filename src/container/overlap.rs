//! Entries whose bytes overlap: several central directory records naming one local record, or a
//! record that starts inside another's data (David Fifield's "better zip bomb", 2019, quotes each
//! local header in the stream before it). Real archives never do this; a crafted one does it so
//! that one compressed stream counts many times against time and the inflation budget.
//!
//! - [`find_overlaps`]: at parse time, each entry's span (its local header to the end of its data
//!   as the central directory states it, bounded by the file), sorted by offset and grouped where
//!   spans meet: O(n log n).
//! - [`ReadLedger`]: at read time, the ranges of the file already read. Stated sizes can lie (the
//!   reader follows a deflate stream to its own end), so the ledger keeps what reads really used:
//!   an entry that is not code is not read again through another name, and its stream is cut
//!   where it runs into bytes already read.
//! - [`is_code`]: the entries that decide the verdict, always read whole.

use std::collections::{BTreeMap, HashSet};
use std::ops::{Bound, Range};

use super::archive::Entry;

/// Example names an overlap anomaly quotes.
const EXAMPLE_NAMES: usize = 5;

/// True for the entries Android installs and runs: the manifest, `classes*.dex` at the root,
/// native libraries under `lib/`, and member APKs of a split set (they hold the same). These are
/// read even when they overlap others, so that no decoy can hide them.
pub fn is_code(name: &str) -> bool {
    let root_dex = !name.contains('/') && name.starts_with("classes") && name.ends_with(".dex");
    let native = name.starts_with("lib/") && name.ends_with(".so");
    let member_apk = name.to_ascii_lowercase().ends_with(".apk");
    name == "AndroidManifest.xml" || root_dex || native || member_apk
}

/// What identifies the bytes a read returns: entries with equal keys read the same data (the same
/// local record read the same way; a deflate stream ends itself, stored data is as long as the
/// uncompressed size says). `None` when the entry has no local header.
pub fn record_key(entry: &Entry) -> Option<(u64, bool, u64)> {
    let data = entry.data_offset?;
    let stored_len = if entry.is_deflated() {
        0
    } else {
        entry.uncompressed_size
    };
    Some((data, entry.is_deflated(), stored_len))
}

/// The bytes of the file reading `entry` uses as the central directory states it: from its local
/// header to the end of its data (the compressed size of a deflate stream, the uncompressed size
/// Android copies for anything else), cut at the end of the file.
fn stated_span(entry: &Entry, file_len: u64) -> Option<Range<u64>> {
    let start = entry.local_header_at?;
    let data = entry.data_offset?;
    let len = if entry.is_deflated() {
        entry.compressed_size
    } else {
        entry.uncompressed_size
    };
    let end = data.saturating_add(len).max(data).min(file_len);
    (start < end).then_some(start..end)
}

/// Entries of the central directory whose spans meet another's.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Overlaps {
    /// Entries in a group of two or more, by offset.
    pub entries: Vec<usize>,
    /// Groups of entries whose spans chain together.
    pub groups: usize,
    /// Entries that share their local header with another.
    pub shared_headers: usize,
    /// Local header offset of the first group.
    pub first_at: u64,
}

/// Groups the entries (recovered ones aside: they are dossier's guesses, not the archive's claims)
/// whose spans meet: sorted by start, a span that starts before the furthest end so far joins the
/// group. O(n log n) in the number of entries.
pub fn find_overlaps(entries: &[Entry], file_len: u64) -> Overlaps {
    let mut spans: Vec<(Range<u64>, usize)> = entries
        .iter()
        .filter(|entry| !entry.recovered)
        .filter_map(|entry| Some((stated_span(entry, file_len)?, entry.index)))
        .collect();
    spans.sort_by_key(|(span, index)| (span.start, span.end, *index));
    let mut found = Overlaps::default();
    // The group being built: where its spans start in `spans`, and the furthest end so far.
    let mut group_from = 0;
    let mut group_end = 0u64;
    for at in 0..=spans.len() {
        let next = spans.get(at);
        if next.is_none_or(|(span, _)| span.start >= group_end) {
            let group = &spans[group_from..at];
            if group.len() > 1 {
                if found.groups == 0 {
                    found.first_at = group[0].0.start;
                }
                found.groups += 1;
                found.entries.extend(group.iter().map(|(_, index)| *index));
            }
            group_from = at;
        }
        if let Some((span, _)) = next {
            group_end = group_end.max(span.end);
        }
    }
    // Spans on one header are neighbours once sorted.
    found.shared_headers = (0..spans.len())
        .filter(|&at| {
            let start = spans[at].0.start;
            (at > 0 && spans[at - 1].0.start == start)
                || spans.get(at + 1).is_some_and(|(span, _)| span.start == start)
        })
        .count();
    found
}

/// The anomaly detail for `overlaps`: how many entries, in how many groups, and a few names.
pub fn describe(overlaps: &Overlaps, entries: &[Entry]) -> String {
    let examples: Vec<String> = overlaps
        .entries
        .iter()
        .take(EXAMPLE_NAMES)
        .filter_map(|&index| entries.get(index))
        .map(|entry| format!("{:?}", entry.name))
        .collect();
    let more = overlaps.entries.len().saturating_sub(examples.len());
    format!(
        "{} entries overlap in {} group(s) ({} of them share a local header with another): {}{}; real archives never overlap, a crafted one makes one stream count many times (Fifield's overlapping zip bomb); dossier reads code entries once per local record and reads every other overlapping byte once",
        overlaps.entries.len(),
        overlaps.groups,
        overlaps.shared_headers,
        examples.join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    )
}

/// Whether an entry that is not code may be read, and how far.
#[derive(Debug, PartialEq, Eq)]
pub enum Admission {
    /// Read, from the data offset up to `until` (the first byte another entry's read already
    /// used; the end of the file when none follows).
    Read { until: u64 },
    /// Its local header or first data byte was already read through entry `by`.
    Refuse { by: usize },
}

/// The ranges of one archive's bytes that reads have used, with the entry that read each.
#[derive(Debug, Default)]
pub struct ReadLedger {
    /// Disjoint ranges: start → (end, the entry whose read began the range).
    ranges: BTreeMap<u64, (u64, usize)>,
    /// Entries read at least once: reading one again is the caller's own repeat, not an overlap.
    read: HashSet<usize>,
}

impl ReadLedger {
    /// The entry whose read used byte range `range` in part, if any.
    fn owner_within(&self, range: Range<u64>) -> Option<usize> {
        let (_, &(end, owner)) = self.ranges.range(..range.end).next_back()?;
        (end > range.start).then_some(owner)
    }

    /// Whether entry `index` (not code) may be read, and up to where: `record` is its local
    /// header with the first byte of its data when it has any (an empty stored entry's data
    /// offset is the next entry's header), `data_at` where its data starts.
    pub fn admit(&self, index: usize, record: Range<u64>, data_at: u64, file_len: u64) -> Admission {
        if !self.read.contains(&index)
            && let Some(by) = self.owner_within(record)
        {
            return Admission::Refuse { by };
        }
        let until = self
            .ranges
            .range((Bound::Included(data_at), Bound::Unbounded))
            .next()
            .map_or(file_len, |(&start, _)| start.min(file_len));
        Admission::Read { until }
    }

    /// The entry whose read began at `at`'s range, for naming it when a stream ran into it.
    pub fn owner_at(&self, at: u64) -> Option<usize> {
        self.owner_within(at..at.saturating_add(1))
    }

    /// Notes that entry `index` read `range` of the file.
    pub fn record(&mut self, index: usize, range: Range<u64>) {
        self.read.insert(index);
        if range.is_empty() {
            return;
        }
        let (mut start, mut end, mut owner) = (range.start, range.end, index);
        // Disjoint ranges sorted by start also have sorted ends: walking back from the last one
        // that starts before `end`, the first that ends at or before `start` ends the overlap.
        let meeting: Vec<u64> = self
            .ranges
            .range(..end)
            .rev()
            .take_while(|(_, (other_end, _))| *other_end > start)
            .map(|(&other_start, _)| other_start)
            .collect();
        for other_start in meeting {
            if let Some((other_end, other_owner)) = self.ranges.remove(&other_start) {
                if other_start <= start {
                    start = other_start;
                    owner = other_owner;
                }
                end = end.max(other_end);
            }
        }
        self.ranges.insert(start, (end, owner));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(index: usize, name: &str, header_at: u64, data_len: u64) -> Entry {
        Entry {
            index,
            name: name.to_owned(),
            raw_name: name.as_bytes().to_vec(),
            method: 8,
            local_method: Some(8),
            flags: 0,
            compressed_size: data_len,
            uncompressed_size: data_len * 10,
            crc32: 0,
            local_header_offset: header_at,
            local_header_at: Some(header_at),
            data_offset: Some(header_at + 30 + name.len() as u64),
            hidden_from_android: false,
            recovered: false,
        }
    }

    #[test]
    fn laid_end_to_end_nothing_overlaps() {
        let a = entry(0, "a", 0, 100);
        let b = entry(1, "b", 131, 50);
        let found = find_overlaps(&[a, b], 1000);
        assert_eq!(found, Overlaps::default());
    }

    #[test]
    fn names_over_one_header_and_nested_headers_are_grouped() {
        let mut entries = vec![
            entry(0, "a", 0, 500),
            entry(1, "b", 0, 500),
            entry(2, "c", 0, 500),
            // Starts inside a's data: Fifield's quoted header.
            entry(3, "d", 100, 300),
            // Apart.
            entry(4, "e", 600, 10),
        ];
        entries[1].name = "b".into();
        let found = find_overlaps(&entries, 1000);
        assert_eq!(found.entries, vec![0, 1, 2, 3]);
        assert_eq!(found.groups, 1);
        assert_eq!(found.shared_headers, 3);
        let detail = describe(&found, &entries);
        assert!(detail.starts_with("4 entries overlap in 1 group(s) (3 of them"), "{detail}");
    }

    #[test]
    fn ledger_refuses_a_second_name_and_cuts_at_read_bytes() {
        let mut ledger = ReadLedger::default();
        assert_eq!(ledger.admit(0, 0..32, 31, 1000), Admission::Read { until: 1000 });
        ledger.record(0, 0..200);
        // Another name on the same header.
        assert_eq!(ledger.admit(1, 0..32, 31, 1000), Admission::Refuse { by: 0 });
        // The entry itself again: its own repeat.
        assert_eq!(ledger.admit(0, 0..32, 31, 1000), Admission::Read { until: 1000 });
        // An entry before the read range is cut where it begins.
        ledger.record(5, 500..600);
        assert_eq!(ledger.admit(2, 300..332, 331, 1000), Admission::Read { until: 500 });
        // An empty stored entry right before read bytes: its data offset is their start.
        assert_eq!(ledger.admit(3, 469..500, 500, 1000), Admission::Read { until: 500 });
        // Ranges merge, keeping the entry that read the first byte.
        ledger.record(6, 150..550);
        assert_eq!(ledger.owner_at(520), Some(0));
        assert_eq!(ledger.ranges.len(), 1);
    }

    #[test]
    fn code_names() {
        assert!(is_code("AndroidManifest.xml"));
        assert!(is_code("classes7.dex"));
        assert!(is_code("lib/arm64-v8a/libx.so"));
        assert!(is_code("splits/base-master.apk"));
        assert!(!is_code("res/xml/a.xml"));
        assert!(!is_code("assets/classes.dex"));
        assert!(!is_code("resources.arsc"));
    }
}
