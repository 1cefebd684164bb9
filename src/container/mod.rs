//! The APK reader: an Android-style zip reader (central directory first, anomalies recorded),
//! input kind detection (APK, split set, bare DEX, JAR), and bounded inflation.
//!
//! - `raw.rs`: on-disk zip records, pure parse-from-slice functions.
//! - `archive.rs`: [`Archive`] and [`Entry`], the reader modelled on AOSP libziparchive.
//! - `inflate.rs`: bounded stored copy / raw inflate, CRC, the shared inflate budget.
//! - `overlap.rs`: entries whose local records overlap (found by sorting spans) and the ledger of
//!   bytes already read, so that one stream under many names is read once.
//! - `input.rs`: [`LoadedInput`]: what kind of input a file is, split sets, DEX and native lists.
//! - `error.rs`: [`ContainerError`].
//!
//! Anomaly codes are all `zip.*`; `docs/anomalies-container.md` lists them.

mod archive;
mod error;
mod image;
mod inflate;
mod input;
mod overlap;
pub mod raw;

pub use archive::{Archive, Entry};
pub use error::ContainerError;
pub use inflate::RATIO_FLOOR;
pub use input::{DexRef, EntryRef, InputKind, LoadedInput, Member};

/// Caps that keep hostile input from exhausting memory or time. Exceeding one is a typed
/// [`ContainerError`] naming the input or entry and the limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest input file accepted (also applies to each split-set member once inflated).
    pub max_input_size: u64,
    /// Most central directory records per archive (hidden and recovered ones included).
    pub max_entries: usize,
    /// Largest inflated size of one entry.
    pub max_entry_size: u64,
    /// Total bytes inflated from one input, across all archives, reads and threads.
    pub max_total_inflated: u64,
    /// Largest inflated/compressed ratio of one entry, only enforced once the entry passes
    /// `RATIO_FLOOR` (1 MiB) inflated bytes.
    pub max_ratio: u64,
    /// Most bytes the whole scan may hold at once beyond the input itself: inflated entries,
    /// split members, decoded strings and the facts kept (the `memory` module).
    pub memory_budget: u64,
    /// How long one scan may work once its input is read (`--timeout`); what is left when it runs
    /// out is skipped and named (`scan.timeout`, `dex.deadline`). None: no limit.
    pub time_budget: Option<std::time::Duration>,
}

impl Default for Limits {
    /// Sized for the largest real apps (games ship ~4 GiB bundles, DEX files stay under
    /// ~100 MiB, deflate's best ratio on real content stays well below 200).
    fn default() -> Self {
        Limits {
            max_input_size: 4 << 30,
            max_entries: 200_000,
            max_entry_size: 1 << 30,
            max_total_inflated: 8 << 30,
            max_ratio: 400,
            memory_budget: crate::memory::DEFAULT_MAX_MEMORY,
            time_budget: None,
        }
    }
}
