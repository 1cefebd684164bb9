//! The built-in rules in the compact form `build.rs` writes and [`RuleSet::builtin`] reads: the
//! checked, sorted [`Layer`] with every rule's origin, and its rules digest. Start-up then parses
//! no TOML, runs no checks, computes no line and column and hashes nothing.
//!
//! The form is private to one build: `build.rs` includes this file and writes with the same code
//! that reads here, so it carries no version. It is the text of every string, one after the other
//! (its length first), then the values: integers are LEB128, a string is its length (its text is
//! the next one of the text part), a list its length then its items, an `Option` a 0/1 tag then the
//! value, an enum the index of its variant, a struct its fields in the order `prepared_struct!`
//! names them. The text part is checked as UTF-8 once, not string by string.
//!
//! [`RuleSet::builtin`]: super::RuleSet::builtin

use super::load::Layer;
use super::model::*;

/// The name of the prepared file in `OUT_DIR`.
pub const PREPARED_FILE: &str = "builtin-rules.bin";

/// What `build.rs` prepares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedRules {
    /// `compute_digest` of `layer` with the built-in permission levels.
    pub digest: String,
    /// Sorted as `Layer::sort` leaves it.
    pub layer: Layer,
}

impl PreparedRules {
    // Writing is for build.rs (which includes this file) and the tests.
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn encode(&self) -> Vec<u8> {
        let mut values = Writer::default();
        self.write(&mut values);
        let mut out = Writer::default();
        values.text.len().write(&mut out);
        out.bytes.extend_from_slice(values.text.as_bytes());
        out.bytes.extend_from_slice(&values.bytes);
        out.bytes
    }

    /// `None` when `bytes` are not exactly one encoded value.
    pub fn decode(bytes: &[u8]) -> Option<PreparedRules> {
        let mut input = Reader { bytes, text: "" };
        let text_len = usize::read(&mut input)?;
        input.text = std::str::from_utf8(input.take(text_len)?).ok()?;
        let rules = PreparedRules::read(&mut input)?;
        (input.bytes.is_empty() && input.text.is_empty()).then_some(rules)
    }
}

/// A value in the prepared form; writing and reading sit side by side so they cannot drift.
pub trait Prepared: Sized {
    #[cfg_attr(not(test), allow(dead_code))]
    fn write(&self, out: &mut Writer);
    fn read(input: &mut Reader<'_>) -> Option<Self>;
}

/// The values written so far, and the text of their strings.
#[derive(Default)]
pub struct Writer {
    bytes: Vec<u8>,
    text: String,
}

/// The values not read yet, and the text of their strings.
pub struct Reader<'a> {
    bytes: &'a [u8],
    text: &'a str,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Option<u8> {
        let (&first, rest) = self.bytes.split_first()?;
        self.bytes = rest;
        Some(first)
    }

    fn take(&mut self, len: usize) -> Option<&'a [u8]> {
        if len > self.bytes.len() {
            return None;
        }
        let (head, rest) = self.bytes.split_at(len);
        self.bytes = rest;
        Some(head)
    }
}

impl Prepared for u64 {
    fn write(&self, out: &mut Writer) {
        let mut value = *self;
        while value >= 0x80 {
            out.bytes.push((value & 0x7f) as u8 | 0x80);
            value >>= 7;
        }
        out.bytes.push(value as u8);
    }

    fn read(input: &mut Reader<'_>) -> Option<Self> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = input.byte()?;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }
}

macro_rules! prepared_integer {
    ($($int:ty),*) => {$(
        impl Prepared for $int {
            fn write(&self, out: &mut Writer) {
                (*self as u64).write(out);
            }
            fn read(input: &mut Reader<'_>) -> Option<Self> {
                <$int>::try_from(u64::read(input)?).ok()
            }
        }
    )*};
}

prepared_integer!(u8, u32, usize);

impl Prepared for bool {
    fn write(&self, out: &mut Writer) {
        out.bytes.push(u8::from(*self));
    }
    fn read(input: &mut Reader<'_>) -> Option<Self> {
        match input.byte()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }
}

impl Prepared for String {
    fn write(&self, out: &mut Writer) {
        self.len().write(out);
        out.text.push_str(self);
    }
    fn read(input: &mut Reader<'_>) -> Option<Self> {
        let len = usize::read(input)?;
        // `get` refuses an end past the text or inside a character.
        let text = input.text.get(..len)?;
        input.text = &input.text[len..];
        Some(text.to_owned())
    }
}

impl<T: Prepared> Prepared for Vec<T> {
    fn write(&self, out: &mut Writer) {
        self.len().write(out);
        for item in self {
            item.write(out);
        }
    }
    fn read(input: &mut Reader<'_>) -> Option<Self> {
        let len = usize::read(input)?;
        // Every item takes at least one byte: a corrupt length cannot reserve more than that.
        let mut items = Vec::with_capacity(len.min(input.bytes.len()));
        for _ in 0..len {
            items.push(T::read(input)?);
        }
        Some(items)
    }
}

impl<T: Prepared> Prepared for Option<T> {
    fn write(&self, out: &mut Writer) {
        match self {
            None => out.bytes.push(0),
            Some(value) => {
                out.bytes.push(1);
                value.write(out);
            }
        }
    }
    fn read(input: &mut Reader<'_>) -> Option<Self> {
        match input.byte()? {
            0 => Some(None),
            1 => T::read(input).map(Some),
            _ => None,
        }
    }
}

/// Field-less enums as the index of their variant in the list given.
macro_rules! prepared_enum {
    ($($ty:ident [$($variant:ident),* $(,)?])*) => {$(
        impl Prepared for $ty {
            fn write(&self, out: &mut Writer) {
                const VARIANTS: &[$ty] = &[$($ty::$variant),*];
                let index = VARIANTS.iter().position(|v| v == self).unwrap_or(0);
                out.bytes.push(index as u8);
            }
            fn read(input: &mut Reader<'_>) -> Option<Self> {
                const VARIANTS: &[$ty] = &[$($ty::$variant),*];
                VARIANTS.get(usize::from(input.byte()?)).copied()
            }
        }
    )*};
}

prepared_enum! {
    ConditionKind [MinTargetSdk, MaxTargetSdk, RequiresPermission]
    ReportAs [Nothing, Link, Documentation]
}

/// Structs as their fields in this order. Reading builds the struct with a literal naming every
/// field, so a field added to a model type and not listed here does not compile.
macro_rules! prepared_struct {
    ($($ty:ident { $($field:ident),* $(,)? })*) => {$(
        impl Prepared for $ty {
            fn write(&self, out: &mut Writer) {
                $(self.$field.write(out);)*
            }
            fn read(input: &mut Reader<'_>) -> Option<Self> {
                // Fields of a struct expression are evaluated in the order written.
                Some($ty { $($field: Prepared::read(input)?,)* })
            }
        }
    )*};
}

prepared_struct! {
    PreparedRules { digest, layer }
    Layer {
        categories, permissions, apis, natives, libraries, trackers, owners, not_endpoints,
        plumbing, sinks, split_permissions,
    }
    Origin { file, line, column }
    Doc { what, why, example, references }
    Category { id, title, play, apple, origin }
    PermissionRule { id, names, categories, doc, origin }
    Condition { kind, sdk, permission, text }
    ApiContext { why, counts_in }
    ApiRule {
        id, categories, methods, fields, strings, string_prefixes, classes, overrides,
        permissions, with_strings, conditions, context, permission_free_below_target_sdk, doc,
        origin,
    }
    NativeRule { id, categories, symbols, doc, origin }
    LibraryRule { id, name, code, doc, origin }
    TrackerRule { id, name, etip, website, owner, categories, code, hosts, meta_data, doc, origin }
    Owner { id, name, country, hosts, doc, origin }
    NotEndpoint {
        id, hosts, url_prefixes, page_prefixes, bare_names, path_words, first_labels, report_as,
        doc, origin,
    }
    PlumbingRule { id, apis, code, doc, origin }
    SinkRule { id, methods, argument, doc, origin }
    SplitPermission { id, from, grants, below_target_sdk, doc, origin }
}

#[cfg(test)]
mod tests {
    use super::super::builtin::{
        PERMISSION_LEVELS_TSV, compute_digest, load_builtin_layer, parse_levels,
    };
    use super::*;

    /// What build.rs wrote is what loading the rule files now gives: every rule with its origin,
    /// in the same order, and the digest computed as for a `--rules DIR`.
    #[test]
    fn prepared_rules_are_the_rule_files_loaded_from_text() {
        let mut layer = load_builtin_layer().expect("built-in rules load");
        layer.sort();
        let levels = parse_levels(PERMISSION_LEVELS_TSV);
        let digest = compute_digest(&layer, &levels);
        let prepared = PreparedRules::decode(super::super::PREPARED).expect("decodes");
        assert_eq!(prepared.digest, digest);
        assert!(prepared.layer.apis.iter().all(|r| r.origin.line > 0));
        assert_eq!(prepared.layer, layer);
    }

    #[test]
    fn integers_round_trip_at_every_length() {
        for value in [
            0u64,
            1,
            0x7f,
            0x80,
            0x3fff,
            0x4000,
            u64::from(u32::MAX),
            u64::MAX,
        ] {
            let mut out = Writer::default();
            value.write(&mut out);
            let mut input = Reader {
                bytes: &out.bytes,
                text: "",
            };
            assert_eq!(u64::read(&mut input), Some(value));
            assert!(input.bytes.is_empty());
        }
    }

    #[test]
    fn truncated_or_trailing_bytes_do_not_decode() {
        let rules = PreparedRules {
            digest: "ab".to_owned(),
            layer: Layer::default(),
        };
        let bytes = rules.encode();
        assert_eq!(PreparedRules::decode(&bytes), Some(rules));
        assert_eq!(PreparedRules::decode(&bytes[..bytes.len() - 1]), None);
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(PreparedRules::decode(&longer), None);
    }
}
