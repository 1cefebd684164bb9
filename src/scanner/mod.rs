//! The one pipeline from an input file to a report, used by every command and every caller.
//!
//! A [`Scanner`] holds the rules and the limits. Its steps, in order:
//! 1. [`Scanner::open_path`] / [`Scanner::open_bytes`]: the input read under the limits, its kind
//!    recognised and, for a split set, its base settled on the member whose manifest has no
//!    `split` attribute (`open.rs`) — once, at load, never corrected afterwards;
//! 2. [`Scanner::manifest`]: the base manifest decoded with the resource table that resolves its
//!    references (`manifest.rs`);
//! 3. [`Scanner::dex`], [`Scanner::native`], [`Scanner::texts`]: the facts of the code, the native
//!    libraries and the text that endpoints are read from (`gather.rs`);
//! 4. [`Scanner::facts`]: all of the above as one [`AppFacts`], which depends on the input only,
//!    never on the rules (but for id-table references no code uses, kept only where the rules
//!    name them), so one input's facts can be judged by several rule sets;
//! 5. [`Scanner::report`]: the rules applied to the facts (`crate::analysis`).
//!
//! [`Scanner::scan_path`] runs them all. Whatever part of the input cannot be read becomes an
//! anomaly, and the report's status says the scan is `partial`: every command reading the same
//! input through these steps agrees on what could be read.

mod facts;
mod gather;
mod manifest;
mod open;

use std::path::Path;

pub use facts::{AppFacts, DexScan, NativeScan, TextKind, TextStrings};
pub use manifest::{DecodedManifest, ManifestView};
pub use open::{OpenedInput, SplitInfo};

use crate::container::{ContainerError, Limits};
use crate::report::Report;
use crate::rules::RuleSet;
use crate::{analysis, axml};

/// Why an input could not be read far enough to be worth reporting on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScanError {
    /// The file could not be read, is not an Android input, or a limit refused it.
    #[error(transparent)]
    Container(#[from] ContainerError),
    /// The input has no manifest where one was asked for (`manifest` on a DEX or JAR).
    #[error("{label}: no AndroidManifest.xml ({kind})")]
    NoManifest { label: String, kind: &'static str },
    /// The manifest is there but is not binary XML that can be read.
    #[error("{label}: AndroidManifest.xml is not readable binary XML: {source}")]
    Manifest {
        label: String,
        #[source]
        source: axml::AxmlError,
    },
}

/// Rules and limits: everything a scan needs besides the input.
#[derive(Debug)]
pub struct Scanner {
    rules: RuleSet,
    limits: Limits,
}

impl Scanner {
    pub fn new(rules: RuleSet, limits: Limits) -> Scanner {
        Scanner { rules, limits }
    }

    /// The built-in rules with the default limits.
    pub fn with_builtin_rules() -> Result<Scanner, crate::rules::RuleError> {
        Ok(Scanner::new(RuleSet::builtin()?, Limits::default()))
    }

    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Step 1: reads a file (refused before reading when it passes `max_input_size`), recognises
    /// its kind and settles a split set's base.
    pub fn open_path(&self, path: &Path) -> Result<OpenedInput, ScanError> {
        OpenedInput::from_path(path, &self.limits)
    }

    /// The bytes of a file under `max_input_size` (refused before reading when it is larger), for
    /// a caller that needs them before the scan, to hash them say; then [`Scanner::open_bytes`].
    pub fn read_path(&self, path: &Path) -> Result<Vec<u8>, ScanError> {
        open::read_bounded(path, &self.limits)
    }

    /// Step 1 for bytes already in memory; `name` stands for the file in the report.
    pub fn open_bytes(&self, bytes: Vec<u8>, name: &str) -> Result<OpenedInput, ScanError> {
        OpenedInput::from_bytes(bytes, name, &self.limits)
    }

    /// Step 2: the base manifest with its resource table. An input without a manifest (a DEX,
    /// a JAR, an APK missing it) is [`ScanError::NoManifest`].
    pub fn manifest(&self, input: &OpenedInput) -> Result<DecodedManifest, ScanError> {
        manifest::decode(input)
    }

    /// Step 3: every DEX of every member, parsed and scanned in parallel, with call sites. A DEX
    /// that cannot be read is an anomaly in `anomalies`.
    ///
    /// What the scans hold is charged to the input's memory budget while they are read; the
    /// charges are given back when this returns (a whole scan, [`Scanner::facts`], keeps them).
    pub fn dex(&self, input: &OpenedInput, anomalies: &mut Vec<crate::Anomaly>) -> Vec<DexScan> {
        gather::dex(input, &self.rules, anomalies, &mut Vec::new())
    }

    /// Step 3: every native library of every member.
    pub fn native(
        &self,
        input: &OpenedInput,
        anomalies: &mut Vec<crate::Anomaly>,
    ) -> Vec<NativeScan> {
        gather::native(input, anomalies, &mut Vec::new())
    }

    /// Step 3: strings of the manifest values, the resource table, XML resources and text
    /// assets, for endpoints.
    pub fn texts(
        &self,
        input: &OpenedInput,
        manifest: Option<&DecodedManifest>,
        anomalies: &mut Vec<crate::Anomaly>,
    ) -> Vec<TextStrings> {
        gather::texts(input, manifest, anomalies, &mut Vec::new())
    }

    /// Step 4: every fact of the input, independent of the rules but for one saving: references
    /// of the DEX id tables that no instruction uses are kept only where these rules name them.
    pub fn facts(&self, input: OpenedInput) -> AppFacts {
        gather::facts(self, input)
    }

    /// Step 5: the rules applied to the facts.
    pub fn report(&self, facts: &AppFacts) -> Report {
        analysis::build_report(facts, &self.rules)
    }

    /// All steps: the report of one file.
    pub fn scan_path(&self, path: &Path) -> Result<Report, ScanError> {
        let input = self.open_path(path)?;
        Ok(self.report(&self.facts(input)))
    }

    /// All steps on bytes already in memory.
    pub fn scan_bytes(&self, bytes: Vec<u8>, name: &str) -> Result<Report, ScanError> {
        let input = self.open_bytes(bytes, name)?;
        Ok(self.report(&self.facts(input)))
    }
}
