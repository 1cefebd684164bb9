//! Typed errors of the container layer: every way reading an input can fail, each naming the
//! input or entry concerned and, for limits, the limit that was hit.

use thiserror::Error;

/// Why an input, an archive or one of its entries could not be read.
#[derive(Debug, Error)]
pub enum ContainerError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },

    #[error("{label}: input is {size} bytes, above the max_input_size limit of {limit}")]
    InputTooLarge {
        label: String,
        size: u64,
        limit: u64,
    },

    /// A stream or device (or a file that grew while read) gave more bytes than the limit.
    #[error("{label}: more than {limit} bytes could be read from it, above the max_input_size limit")]
    InputLongerThanLimit { label: String, limit: u64 },

    #[error("{label}: not a zip archive ({detail})")]
    NotAZip { label: String, detail: String },

    #[error("{label}: malformed zip archive: {detail}")]
    Malformed { label: String, detail: String },

    #[error("{label}: more than {limit} central directory records (max_entries limit)")]
    TooManyEntries { label: String, limit: usize },

    #[error("{entry}: inflated size passes the max_entry_size limit of {limit} bytes")]
    EntryTooLarge { entry: String, limit: u64 },

    #[error(
        "{entry}: reading it would pass the max_total_inflated budget of {limit} bytes shared by the whole input"
    )]
    TotalInflatedExceeded { entry: String, limit: u64 },

    /// Holding the entry's data would pass the scan's memory budget (`memory_budget`).
    #[error("{entry}: not read: {refused}")]
    MemoryBudget {
        entry: String,
        refused: crate::memory::OverBudget,
    },

    #[error(
        "{entry}: {inflated} bytes inflated from {compressed} compressed bytes passes the max_ratio limit of {limit}"
    )]
    RatioExceeded {
        entry: String,
        inflated: u64,
        compressed: u64,
        limit: u64,
    },

    #[error("{entry}: entry data cannot be located: {detail}")]
    EntryOutOfBounds { entry: String, detail: String },

    /// An entry that is not code whose bytes another entry of the archive already read
    /// (overlapping entries): refused so that one stream is not inflated again under other names.
    #[error("{entry}: not read: {detail}")]
    OverlappingData { entry: String, detail: String },

    #[error("{entry}: compressed data is corrupt: {detail}")]
    CorruptData { entry: String, detail: String },

    #[error("{label}: not an Android input: {seen}")]
    NotAnAndroidInput { label: String, seen: String },

    #[error("{label}: encrypted content cannot be analysed: {detail}")]
    Encrypted { label: String, detail: String },
}

impl ContainerError {
    /// The error of an input's own archive, named after the input: the archive parser labels the
    /// outermost archive with an empty name (its entries are the input's own), which would leave
    /// a message that names no file.
    pub(crate) fn naming_input(mut self, input: &str) -> ContainerError {
        if let ContainerError::Malformed { label, .. }
        | ContainerError::TooManyEntries { label, .. }
        | ContainerError::Encrypted { label, .. }
        | ContainerError::NotAnAndroidInput { label, .. } = &mut self
            && label.is_empty()
        {
            *label = input.to_owned();
        }
        self
    }
}
