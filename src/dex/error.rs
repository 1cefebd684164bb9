//! Typed errors of the DEX reader: the few cases where nothing at all can be read from a buffer.
//! Everything milder is recorded as an [`crate::anomaly::Anomaly`] and reading goes on.

use thiserror::Error;

/// Why a buffer could not be read as a DEX file (or as the first section of a DEX container).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DexError {
    /// Fewer bytes than the fixed 0x70-byte header.
    #[error("{label}: {len} bytes is too short for a DEX header (0x70 bytes)")]
    TooShort { label: String, len: usize },
    /// The first four bytes are not `dex\n`.
    #[error("{label}: not a DEX file (magic is {found:02x?})")]
    BadMagic { label: String, found: [u8; 4] },
    /// The version field is not three ASCII digits followed by NUL.
    #[error("{label}: unreadable DEX version {found:02x?}")]
    BadVersion { label: String, found: [u8; 4] },
    /// The endian tag says big-endian, which no Android runtime has ever loaded.
    #[error("{label}: big-endian DEX files are not supported")]
    BigEndian { label: String },
}
