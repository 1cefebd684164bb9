//! Loading rule files: TOML text in, a [`Layer`] of checked rules out, layers merged by id.
//!
//! - `layer.rs`: rule files ([`layer::RuleFile`]), reading a `--rules DIR`, loading one layer, merging
//!   a layer over another by id, and the checks only the merged whole can make.
//! - `family.rs`: one check per table (`[[permission]]`, `[[api]]` ...) turning its serde
//!   definition into a model rule.
//! - `check.rs`: the [`Checker`](check::Checker) those checks share: ids, texts, lists,
//!   categories and docs, each problem recorded with its position.
//! - `descriptor.rs`: the syntax of DEX class, method and field descriptors.
//! - `value.rs`: the syntax of the other values (ids, permission names, C symbols, Java names,
//!   hosts, URLs).
//! - `position.rs`: byte offsets as 1-based line and column.
//! - `error.rs`: [`RuleError`] and [`RulesDirError`].

mod check;
mod descriptor;
mod error;
mod family;
mod layer;
mod position;
mod value;

pub use error::{RuleError, RulesDirError};
pub use layer::{
    Layer, MAX_RULE_FILE_BYTES, MAX_RULE_FILES, MergeReport, RuleFile, load_layer, merge,
    read_dir_sources,
};
