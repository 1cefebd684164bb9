//! Caps shared by the AXML, resource-table and manifest readers, and an anomaly recorder that
//! keeps hostile files from producing millions of identical anomalies.

use std::collections::BTreeMap;

use crate::anomaly::Anomaly;

/// Deepest element nesting kept; deeper subtrees are skipped (real manifests nest about 5 deep).
pub const MAX_DEPTH: usize = 256;
/// Most elements one document may hold.
pub const MAX_ELEMENTS: usize = 1 << 18;
/// Most attributes one document may hold, over all elements.
pub const MAX_ATTRIBUTES: usize = 1 << 20;
/// Most anomalies of one code kept per file; the rest are counted in one summary anomaly.
pub const MAX_ANOMALIES_PER_CODE: usize = 32;
/// Longest reference chain followed when resolving a resource (`ResTable` itself follows few).
pub const MAX_REFERENCE_DEPTH: usize = 16;

/// Collects anomalies, keeping at most [`MAX_ANOMALIES_PER_CODE`] of each code.
#[derive(Debug, Default)]
pub struct Recorder {
    kept: Vec<Anomaly>,
    dropped: BTreeMap<String, usize>,
}

impl Recorder {
    pub fn push(&mut self, anomaly: Anomaly) {
        let same = self.kept.iter().filter(|a| a.code == anomaly.code).count();
        if same < MAX_ANOMALIES_PER_CODE {
            self.kept.push(anomaly);
        } else {
            *self.dropped.entry(anomaly.code).or_default() += 1;
        }
    }

    pub fn record(&mut self, code: &str, location: impl Into<String>, detail: impl Into<String>) {
        self.push(Anomaly::new(code, location, detail));
    }

    pub fn extend(&mut self, anomalies: impl IntoIterator<Item = Anomaly>) {
        for anomaly in anomalies {
            self.push(anomaly);
        }
    }

    /// The anomalies, sorted and deduplicated, with one summary per code that overflowed.
    pub fn finish(mut self, location: &str) -> Vec<Anomaly> {
        for (code, count) in std::mem::take(&mut self.dropped) {
            let family = code.split('.').next().unwrap_or("axml").to_owned();
            self.kept.push(Anomaly::new(
                &format!("{family}.anomalies_truncated"),
                location,
                format!("{count} more `{code}` anomalies not listed"),
            ));
        }
        crate::anomaly::normalize(&mut self.kept);
        self.kept
    }
}
