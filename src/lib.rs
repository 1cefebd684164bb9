//! dossier: reads an Android app without running it and reports what personal data its code can
//! collect, who collects it and where it may go.
//!
//! The library is pure: it takes bytes or a path and returns typed data; argument parsing, progress
//! and output selection live in the binary (`src/main.rs`, `src/cli/`).

pub mod analysis;
pub mod anomaly;
pub mod app;
pub mod axml;
pub mod container;
pub mod dex;
pub mod native;
pub mod rules;

pub use anomaly::Anomaly;
pub mod report;
