//! dossier reads an Android app without running it and reports what personal data its code can
//! collect, who collects it and where it may go.
//!
//! The library is pure: it takes a path or bytes and returns a typed [`Report`]; argument parsing,
//! progress and output selection live in the `dossier` command (`crates/dossier-cli`).
//!
//! ```no_run
//! use dossier::Scanner;
//!
//! let scanner = Scanner::with_builtin_rules()?;
//! let report = scanner.scan_path(std::path::Path::new("app.apk"))?;
//! for category in &report.categories {
//!     println!("{} ({:?}) by {}", category.id, category.strength, category.collectors.join(", "));
//! }
//! print!("{}", dossier::report::render_json(&report));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Everything goes through one pipeline, [`Scanner`]: open the input, decode its manifest, read
//! the facts of its code, native libraries and resources (independent of the rules), then apply
//! the rules to get the [`Report`]. The report model (`report`) is the JSON contract documented in
//! `docs/report-schema.md`; its renderers give text, JSON, SARIF, Markdown and HTML. [`diff`]
//! compares two reports of an app (`docs/diff-schema.md`).

/// The README's Rust example, compiled as a doctest so that the quick start cannot drift from
/// the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

// The parser layers. Public only with the `internals` feature (this repository's tests and
// benchmarks); their types reach users only where the pipeline hands them out.
macro_rules! internal_modules {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {
        $(
            $(#[$doc])*
            #[cfg(feature = "internals")]
            pub mod $name;
            $(#[$doc])*
            #[cfg(not(feature = "internals"))]
            #[allow(dead_code, unused_imports)]
            pub(crate) mod $name;
        )*
    };
}

internal_modules! {
    /// Facts to findings: the rules applied to what the scanner read.
    analysis,
    /// Android binary XML, the resource table and the typed manifest.
    axml,
    /// The Android-style zip reader, input kinds and bounded inflation.
    container,
    /// The DEX parser and the instruction walk.
    dex,
    /// The memory budget every decoder of a scan charges.
    memory,
    /// ELF shared objects, read with goblin.
    native,
    /// Cutting app text at character boundaries, shared by every layer.
    utf8,
}

pub mod anomaly;
pub mod batch;
pub mod callgraph;
pub mod diff;
pub mod report;
pub mod rules;
pub mod scanner;

pub use anomaly::Anomaly;
pub use axml::Manifest;
pub use container::{ContainerError, InputKind, Limits};
/// The facts of DEX files as `dossier dex` shows them.
pub mod dex_facts {
    pub use crate::dex::{
        DexFacts, FieldAccess, FieldRef, MergedFacts, MethodRef, ReflectiveRef, Site, SiteRef,
        Sites, merge, to_json, write_text,
    };
}
pub use report::Report;
pub use rules::RuleSet;
pub use scanner::{
    AppFacts, DecodedManifest, ManifestView, OpenedInput, ScanError, Scanner, SplitInfo,
};
