//! Bounded extraction of entry data: stored copies and raw-deflate inflation that never trusts a
//! declared size for allocation, checks every limit while the output grows, and charges every
//! produced byte to the budget shared by all reads from one input (also across threads).

use std::sync::atomic::{AtomicU64, Ordering};

use flate2::{Decompress, FlushDecompress, Status};

use super::error::ContainerError;
use crate::memory::{Charge, MemoryBudget, OverBudget};

/// The first allocation and the smallest growth of the output, whatever the entry declares.
const GROWTH_STEP: usize = 256 * 1024;
/// The ratio cap only applies once an entry has inflated past this many bytes, so that small,
/// highly compressible files (blank images, zero-filled tables) are never refused.
pub const RATIO_FLOOR: u64 = 1024 * 1024;

/// Bytes inflated so far from one input, against the `max_total_inflated` limit.
#[derive(Debug)]
pub struct InflateBudget {
    used: AtomicU64,
    limit: u64,
}

impl InflateBudget {
    pub fn new(limit: u64) -> Self {
        InflateBudget {
            used: AtomicU64::new(0),
            limit,
        }
    }

    pub fn limit(&self) -> u64 {
        self.limit
    }

    pub fn used(&self) -> u64 {
        self.used.load(Ordering::Relaxed)
    }

    /// Takes `bytes` from the budget; false when that passes the limit. The bytes stay charged
    /// even on failure: a hostile input must not get a second try at the same memory.
    fn charge(&self, bytes: u64) -> bool {
        let before = self.used.fetch_add(bytes, Ordering::Relaxed);
        before.saturating_add(bytes) <= self.limit
    }
}

/// The caps one extraction runs under.
pub struct Caps<'a> {
    /// `archive!entry`, used in errors.
    pub entry_label: &'a str,
    pub max_entry_size: u64,
    pub max_ratio: u64,
    pub budget: &'a InflateBudget,
    /// What the scan may hold: the output is charged as it grows, before it is allocated.
    pub memory: &'a std::sync::Arc<MemoryBudget>,
    /// The entry whose read used the bytes right after the source, when the source was cut there
    /// (overlapping entries): a stream that runs to the cut ran into them.
    pub read_through: Option<&'a str>,
}

impl Caps<'_> {
    fn over_memory(&self, refused: OverBudget) -> ContainerError {
        ContainerError::MemoryBudget {
            entry: self.entry_label.to_owned(),
            refused,
        }
    }

    fn charge(&self, bytes: u64) -> Result<(), ContainerError> {
        if self.budget.charge(bytes) {
            Ok(())
        } else {
            Err(ContainerError::TotalInflatedExceeded {
                entry: self.entry_label.to_owned(),
                limit: self.budget.limit(),
            })
        }
    }
}

/// Copies stored data after checking the size limit and charging the budgets.
pub fn copy_stored(source: &[u8], caps: &Caps<'_>) -> Result<Inflated, ContainerError> {
    let held = admit_stored(source.len() as u64, caps)?;
    Ok(Inflated {
        data: source.to_vec(),
        consumed: source.len() as u64,
        held,
    })
}

/// Checks the size limit for `len` bytes of stored data and charges the budgets, before the
/// bytes are read or copied: what is charged is what the caller may then allocate.
pub fn admit_stored(len: u64, caps: &Caps<'_>) -> Result<Charge, ContainerError> {
    if len > caps.max_entry_size {
        return Err(ContainerError::EntryTooLarge {
            entry: caps.entry_label.to_owned(),
            limit: caps.max_entry_size,
        });
    }
    let held = caps
        .memory
        .charge(len, caps.entry_label)
        .map_err(|refused| caps.over_memory(refused))?;
    caps.charge(len)?;
    Ok(held)
}

/// Where the compressed bytes of one stream come from: a slice of an input held in memory, or a
/// file read a window at a time ([`FileWindow`]), so that a stream whose end is not known (the
/// deflate stream ends itself; the declared size is not trusted) never needs the rest of the
/// file in memory.
pub trait StreamSource {
    /// How many bytes the stream may take in all.
    fn total_len(&self) -> u64;
    /// The bytes from `offset` (counted from the stream's start) on: at least one while
    /// `offset < total_len()`, empty at the end.
    fn bytes_from(&mut self, offset: u64) -> Result<&[u8], ContainerError>;
}

impl StreamSource for &[u8] {
    fn total_len(&self) -> u64 {
        self.len() as u64
    }
    fn bytes_from(&mut self, offset: u64) -> Result<&[u8], ContainerError> {
        Ok(&self[offset.min(self.len() as u64) as usize..])
    }
}

/// Bytes of a stream read from a file by position, one window at a time.
pub struct FileWindow<'f> {
    file: &'f std::fs::File,
    /// Where the stream starts in the file, and how far it may run.
    start: u64,
    len: u64,
    /// The window: `window` holds the stream's bytes from `window_at` on.
    window: Vec<u8>,
    window_at: u64,
    /// How much the next window reads: first what the stream is said to take, then `WINDOW`.
    next_read: u64,
    /// For errors.
    label: &'f str,
}

/// Bytes read from the file at a time for a stream: large enough that the system calls cost
/// nothing next to inflating, small enough that two reads in flight hold little.
const WINDOW: u64 = 1 << 20;

impl<'f> FileWindow<'f> {
    /// The stream at `start` of `file`, which may run for `len` bytes and is said to take
    /// `stated` (the compressed size, which sizes the first read: a small entry reads a little,
    /// and a size that lies only costs more reads).
    pub fn new(
        file: &'f std::fs::File,
        start: u64,
        len: u64,
        stated: u64,
        label: &'f str,
    ) -> Self {
        FileWindow {
            file,
            start,
            len,
            window: Vec::new(),
            window_at: 0,
            next_read: stated.saturating_add(64).clamp(4096, WINDOW),
            label,
        }
    }
}

impl StreamSource for FileWindow<'_> {
    fn total_len(&self) -> u64 {
        self.len
    }
    fn bytes_from(&mut self, offset: u64) -> Result<&[u8], ContainerError> {
        let offset = offset.min(self.len);
        let window_end = self.window_at + self.window.len() as u64;
        if offset < self.window_at || offset >= window_end {
            let take = (self.len - offset).min(self.next_read) as usize;
            self.next_read = WINDOW;
            self.window.resize(take, 0);
            read_exact_at(self.file, &mut self.window, self.start + offset, self.label)?;
            self.window_at = offset;
        }
        Ok(&self.window[(offset - self.window_at) as usize..])
    }
}

/// Fills `buf` from `file` at `at`; a file shorter than its parse said (changed since) is an
/// error naming the entry.
pub fn read_exact_at(
    file: &std::fs::File,
    buf: &mut [u8],
    at: u64,
    label: &str,
) -> Result<(), ContainerError> {
    use std::os::unix::fs::FileExt;
    file.read_exact_at(buf, at)
        .map_err(|source| ContainerError::Io {
            path: label.to_owned(),
            source,
        })
}

/// What a raw-deflate inflation produced.
#[derive(Debug)]
pub struct Inflated {
    pub data: Vec<u8>,
    /// Compressed bytes the stream really used (the deflate stream ends itself).
    pub consumed: u64,
    /// The memory `data` holds, charged to the scan's budget.
    pub held: Charge,
}

/// Inflates a raw deflate stream (no zlib header, as in zip) found at the start of `source`.
/// `size_hint` (the declared size) sizes the first allocation, capped at one growth step, and caps
/// the growth while the output is below it (see [`growth_step`]).
/// `used` says how many compressed bytes it took, failed or not: the bytes a failed read used
/// count as read for overlapping entries too.
pub fn inflate_raw(
    source: &[u8],
    size_hint: u64,
    caps: &Caps<'_>,
    used: &mut u64,
) -> Result<Inflated, ContainerError> {
    inflate_stream(&mut &*source, size_hint, caps, used)
}

/// [`inflate_raw`] with the compressed bytes taken from `source` as the decoder asks for them.
pub fn inflate_stream(
    source: &mut dyn StreamSource,
    size_hint: u64,
    caps: &Caps<'_>,
    used: &mut u64,
) -> Result<Inflated, ContainerError> {
    let mut decoder = Decompress::new(false);
    // One byte past the declared size, as in `growth_step`.
    let first = size_hint
        .saturating_add(1)
        .min(GROWTH_STEP as u64)
        .min(caps.max_entry_size.saturating_add(1));
    let mut held = caps
        .memory
        .charge(first, caps.entry_label)
        .map_err(|refused| caps.over_memory(refused))?;
    let mut out: Vec<u8> = Vec::with_capacity(first as usize);
    // One byte past the cap lets us notice an entry that would pass it.
    let hard_cap = caps.max_entry_size.saturating_add(1).min(usize::MAX as u64) as usize;
    loop {
        if out.len() == out.capacity() {
            let room = hard_cap.saturating_sub(out.len());
            if room == 0 {
                return Err(ContainerError::EntryTooLarge {
                    entry: caps.entry_label.to_owned(),
                    limit: caps.max_entry_size,
                });
            }
            // room >= 1 here, so the step is never zero. Charged before it is allocated.
            let step = room.min(growth_step(out.len(), size_hint));
            held.grow(step as u64, caps.entry_label)
                .map_err(|refused| caps.over_memory(refused))?;
            out.reserve_exact(step);
        }
        let in_before = decoder.total_in();
        let out_before = decoder.total_out();
        let input = source.bytes_from(in_before)?;
        let status = decoder
            .decompress_vec(input, &mut out, FlushDecompress::None)
            .map_err(|error| ContainerError::CorruptData {
                entry: caps.entry_label.to_owned(),
                detail: error.to_string(),
            })?;
        let produced = decoder.total_out() - out_before;
        let consumed = decoder.total_in() - in_before;
        *used = decoder.total_in();
        caps.charge(produced)?;
        if out.len() as u64 > caps.max_entry_size {
            return Err(ContainerError::EntryTooLarge {
                entry: caps.entry_label.to_owned(),
                limit: caps.max_entry_size,
            });
        }
        let inflated = decoder.total_out();
        let compressed = decoder.total_in().max(1);
        if inflated > RATIO_FLOOR && inflated / compressed > caps.max_ratio {
            return Err(ContainerError::RatioExceeded {
                entry: caps.entry_label.to_owned(),
                inflated,
                compressed,
                limit: caps.max_ratio,
            });
        }
        match status {
            Status::StreamEnd => {
                // What was reserved and not filled is given back with the capacity.
                out.shrink_to_fit();
                held.shrink_to(out.capacity() as u64);
                return Ok(Inflated {
                    consumed: decoder.total_in(),
                    data: out,
                    held,
                });
            }
            Status::Ok | Status::BufError => {
                let output_full = out.len() == out.capacity();
                if produced == 0 && consumed == 0 && !output_full {
                    if let Some(other) = caps.read_through
                        && decoder.total_in() >= source.total_len()
                    {
                        return Err(ContainerError::OverlappingData {
                            entry: caps.entry_label.to_owned(),
                            detail: format!(
                                "its deflate stream runs past {} compressed bytes into bytes already read through {other:?} (zip.overlapping_entries); an entry that is not code is not read through another's data",
                                decoder.total_in()
                            ),
                        });
                    }
                    return Err(ContainerError::CorruptData {
                        entry: caps.entry_label.to_owned(),
                        detail: format!(
                            "deflate stream ends early after {} compressed bytes",
                            decoder.total_in()
                        ),
                    });
                }
            }
        }
    }
}

/// How much to add to a full output of `len` bytes whose entry declares `size_hint`: as much as
/// it holds (at least [`GROWTH_STEP`]), so that a large entry is moved by `realloc` a handful of
/// times rather than once per step (a 9 MiB DEX was copied 36 times, 160 MiB in all); and while
/// below the declared size, no further than one byte past it (room for the stream to say it ended
/// once full), so an honest entry needs no growth after its last byte. The declared size is still
/// not trusted for allocation: whatever it says, the output never holds more than twice what was
/// inflated (or one step).
fn growth_step(len: usize, size_hint: u64) -> usize {
    let doubling = len.max(GROWTH_STEP);
    let target = usize::try_from(size_hint)
        .unwrap_or(usize::MAX)
        .saturating_add(1);
    match target.saturating_sub(len) {
        0 => {
            // Past the declared size (a size that lies): one step, then doubling what it
            // inflated past it.
            GROWTH_STEP.max(len - target)
        }
        to_target => to_target.min(doubling),
    }
}

pub fn crc32(data: &[u8]) -> u32 {
    crc32fast::hash(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{Compress, Compression, FlushCompress};

    fn deflate(data: &[u8]) -> Vec<u8> {
        let mut encoder = Compress::new(Compression::default(), false);
        let mut out = Vec::with_capacity(data.len() + 1024);
        encoder
            .compress_vec(data, &mut out, FlushCompress::Finish)
            .unwrap();
        out
    }

    /// Pseudo-random bytes: they do not compress past the ratio cap.
    fn noise(len: usize) -> Vec<u8> {
        let mut x = 0x2545_f491_u32;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect()
    }

    fn caps<'a>(
        budget: &'a InflateBudget,
        max_entry_size: u64,
        memory: &'a std::sync::Arc<MemoryBudget>,
    ) -> Caps<'a> {
        Caps {
            entry_label: "test!entry",
            max_entry_size,
            max_ratio: 100,
            budget,
            memory,
            read_through: None,
        }
    }

    #[test]
    fn inflates_with_a_lying_size_hint() {
        let data: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let packed = deflate(&data);
        let budget = InflateBudget::new(u64::MAX);
        let memory = MemoryBudget::unlimited();
        let result = inflate_raw(&packed, 3, &caps(&budget, 1 << 20, &memory), &mut 0).unwrap();
        assert_eq!(result.data, data);
        assert_eq!(result.consumed, packed.len() as u64);
    }

    #[test]
    fn stops_at_the_entry_cap() {
        let packed = deflate(&vec![0u8; 300_000]);
        let budget = InflateBudget::new(u64::MAX);
        let memory = MemoryBudget::unlimited();
        let error = inflate_raw(&packed, u64::MAX, &caps(&budget, 1000, &memory), &mut 0).unwrap_err();
        assert!(matches!(
            error,
            ContainerError::EntryTooLarge { limit: 1000, .. }
        ));
    }

    #[test]
    fn truncated_stream_is_corrupt_not_a_hang() {
        let data: Vec<u8> = (0..50_000u32).map(|i| (i * 13 % 256) as u8).collect();
        let packed = deflate(&data);
        let budget = InflateBudget::new(u64::MAX);
        let memory = MemoryBudget::unlimited();
        let error = inflate_raw(&packed[..packed.len() / 2], 0, &caps(&budget, 1 << 20, &memory), &mut 0);
        assert!(matches!(error, Err(ContainerError::CorruptData { .. })));
    }

    #[test]
    fn output_is_charged_before_it_is_allocated_and_given_back_on_failure() {
        let data = noise(2_000_000);
        let packed = deflate(&data);
        let budget = InflateBudget::new(u64::MAX);
        let memory = MemoryBudget::new(1 << 20);
        let error = inflate_raw(&packed, 0, &caps(&budget, 1 << 30, &memory), &mut 0).unwrap_err();
        assert!(matches!(error, ContainerError::MemoryBudget { .. }), "{error}");
        assert_eq!(memory.held(), 0);
        assert!(memory.peak() <= 1 << 20);
        let memory = MemoryBudget::new(4 << 20);
        let inflated = inflate_raw(&packed, 0, &caps(&budget, 1 << 30, &memory), &mut 0).unwrap();
        assert_eq!(inflated.data, data);
        assert_eq!(memory.held(), inflated.data.capacity() as u64);
        drop(inflated);
        assert_eq!(memory.held(), 0);
    }

    #[test]
    fn output_grows_by_doubling_up_to_the_declared_size() {
        const STEP: usize = GROWTH_STEP;
        // An honest 9 MiB entry: doubling, then exactly to one byte past its size.
        let size = 9 << 20;
        let mut capacity = STEP;
        let mut steps = Vec::new();
        while capacity <= size {
            let step = growth_step(capacity, size as u64);
            steps.push(step);
            capacity += step;
        }
        assert_eq!(capacity, size + 1);
        assert_eq!(steps, [STEP, 2 * STEP, 4 * STEP, 8 * STEP, 16 * STEP, 4 * STEP + 1]);
        // Past its declared size: one step, then doubling what lies past it.
        assert_eq!(growth_step(size + 1, size as u64), STEP);
        assert_eq!(growth_step(size + 1 + STEP, size as u64), STEP);
        assert_eq!(growth_step(size + 1 + 4 * STEP, size as u64), 4 * STEP);
        // A declared size of 0 (or far too small) never allows more than doubling.
        assert_eq!(growth_step(STEP, 0), STEP);
        assert_eq!(growth_step(8 * STEP, 3), 8 * STEP - 4);
        // A declared size far too large never allows more than doubling either.
        assert_eq!(growth_step(STEP, u64::MAX), STEP);
        assert_eq!(growth_step(3 * STEP, u64::MAX), 3 * STEP);
    }

    #[test]
    fn an_honest_entry_ends_in_a_buffer_of_its_size() {
        let data = noise(3_000_000);
        let packed = deflate(&data);
        let budget = InflateBudget::new(u64::MAX);
        let memory = MemoryBudget::unlimited();
        let caps = caps(&budget, 1 << 30, &memory);
        let inflated = inflate_raw(&packed, data.len() as u64, &caps, &mut 0).unwrap();
        assert_eq!(inflated.data, data);
        assert_eq!(inflated.data.capacity(), data.len());
        // One byte past it at most, never another step.
        assert_eq!(memory.peak(), data.len() as u64 + 1);
        assert_eq!(memory.held(), data.len() as u64);
    }

    #[test]
    fn budget_is_shared() {
        let packed = deflate(&[1u8; 1000]);
        let budget = InflateBudget::new(1500);
        let memory = MemoryBudget::unlimited();
        assert!(inflate_raw(&packed, 1000, &caps(&budget, 1 << 20, &memory), &mut 0).is_ok());
        let second = inflate_raw(&packed, 1000, &caps(&budget, 1 << 20, &memory), &mut 0);
        assert!(matches!(
            second,
            Err(ContainerError::TotalInflatedExceeded { .. })
        ));
    }
}
