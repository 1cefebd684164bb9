//! Anomalies: the things an input does that Android tolerates but a careful reader should know about.
//!
//! Every parser records what it had to tolerate as an [`Anomaly`] with a stable dotted `code`
//! (`zip.encryption_flag`, `axml.chunk_size_clamped`, `dex.header_size`, ...) instead of failing.
//! Codes are part of the report schema: never rename one, only add.

use serde::{Deserialize, Serialize};

/// One tolerated irregularity of an input, with where it was seen.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Anomaly {
    /// Stable dotted code, `<format>.<what>` in snake_case, e.g. `zip.crc_mismatch`.
    pub code: String,
    /// Where it was seen: an entry name, `base.apk!classes2.dex`, `AndroidManifest.xml@0x1a4`, ...
    #[serde(rename = "where")]
    pub location: String,
    /// A sentence for people: what was found and what the reader did about it.
    pub detail: String,
}

impl Anomaly {
    pub fn new(code: &str, location: impl Into<String>, detail: impl Into<String>) -> Self {
        Anomaly {
            code: code.to_owned(),
            location: location.into(),
            detail: detail.into(),
        }
    }
}

/// Sort and deduplicate so that two runs over the same input print the same list.
pub fn normalize(anomalies: &mut Vec<Anomaly>) {
    anomalies.sort();
    anomalies.dedup();
}
