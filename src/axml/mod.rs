//! Android binary XML (AXML), the resource table (`resources.arsc`), and the typed manifest
//! built from them.
//!
//! Files: `raw.rs` (on-disk constants and bounded reads), `string_pool.rs`, `value.rs`
//! (`Res_value`), `xml.rs` (the AXML reader), `arsc.rs` (the resource table), `manifest.rs` (the
//! typed manifest), `print.rs` (AXML back to text XML), `limits.rs` (caps), `android_attrs.rs`
//! (generated table of framework attribute ids).
//!
//! Everything here takes untrusted bytes: no panics, every count capped, oddities recorded as
//! anomalies (`axml.*`, `arsc.*`, `manifest.*`, listed in `docs/anomalies-axml.md`).

mod android_attrs;
pub mod arsc;
pub mod limits;
pub mod manifest;
pub mod print;
pub mod raw;
pub mod string_pool;
pub mod value;
pub mod xml;

pub use arsc::{ResolvedValue, ResourceTable};
pub use manifest::Manifest;
pub use print::to_xml_text;
pub use string_pool::StringPool;
pub use value::Value;
pub use xml::{
    ANDROID_NAMESPACE, Attribute, Element, Namespace, XmlDocument, android_attr_name, parse_xml,
    parse_xml_within,
};

/// Why a binary XML file could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AxmlError {
    #[error("binary XML of {0} bytes is too short for a chunk header")]
    TooShort(usize),
    #[error("binary XML holds no readable element")]
    NoElement,
}

/// Why a resource table could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArscError {
    #[error("resource table of {0} bytes is too short for its header")]
    TooShort(usize),
}
