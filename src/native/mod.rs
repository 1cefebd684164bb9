//! Native libraries (`lib/<abi>/*.so`): what an ELF shared object needs, imports and exports to Java,
//! and the printable strings it carries, read permissively with goblin.
//!
//! Nothing here decides what a symbol means: the rules map imports to categories and the endpoint
//! extractor reads the strings. Hostile ELF files never panic: goblin is wrapped in `catch_unwind`
//! as a last line of defence, a file it rejects keeps its strings (anomaly `elf.partly_read`), and
//! every list is capped.

use std::panic::{self, AssertUnwindSafe};

use goblin::elf::Elf;

use crate::anomaly::Anomaly;

/// Caps that keep a crafted library from producing unbounded output.
const MAX_SYMBOLS: usize = 200_000;
const MAX_STRINGS: usize = 200_000;
const MIN_STRING_LEN: usize = 6;
const MAX_STRING_LEN: usize = 4096;

/// Why a native library gives no facts at all. An ELF whose structure goblin rejects is still
/// read in part (its strings), with the anomaly `elf.partly_read`, not refused.
#[derive(Debug, thiserror::Error)]
pub enum NativeError {
    #[error("{location}: not an ELF file")]
    NotElf { location: String },
}

/// What one native library tells us, every list sorted and without duplicates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NativeFacts {
    /// `EM_AARCH64` and friends, as goblin names them (`AARCH64`, `ARM`, `X86_64`, `386`).
    pub machine: String,
    pub is_64: bool,
    /// DT_NEEDED entries: the shared libraries it links against.
    pub needed: Vec<String>,
    /// Undefined dynamic symbols: the functions and data it takes from other libraries.
    pub imports: Vec<String>,
    /// Defined dynamic symbols named `Java_*` (static JNI bindings) and `JNI_OnLoad`.
    pub jni_exports: Vec<String>,
    /// Printable ASCII runs of at least six characters, in file order of first appearance then sorted.
    pub strings: Vec<String>,
    pub anomalies: Vec<Anomaly>,
}

/// Reads one ELF shared object. `location` names it in errors and anomalies.
pub fn read_elf(bytes: &[u8], location: &str) -> Result<NativeFacts, NativeError> {
    if bytes.len() < 4 || &bytes[..4] != b"\x7fELF" {
        return Err(NativeError::NotElf {
            location: location.to_owned(),
        });
    }
    // goblin is permissive and well fuzzed, but this input may be crafted to find what fuzzing missed.
    let parsed = panic::catch_unwind(AssertUnwindSafe(|| symbols_of(bytes)));
    let rejected = match &parsed {
        Ok(Ok(_)) => None,
        Ok(Err(reason)) => Some(reason.clone()),
        Err(_) => Some("the ELF parser gave up on this file (internal panic caught)".to_owned()),
    };
    let mut facts = match (parsed, rejected) {
        (Ok(Ok(facts)), _) => facts,
        // One bad byte (an invalid UTF-8 library name, say) makes goblin reject the whole file.
        // Hiding the library would let a crafted name hide its strings too: keep what needs no
        // ELF structure (the printable strings) and say the rest could not be read.
        (_, reason) => NativeFacts {
            anomalies: vec![Anomaly::new(
                "elf.partly_read",
                location,
                format!(
                    "the ELF structure could not be parsed ({}); its strings were read, its symbols and needed libraries were not",
                    reason.unwrap_or_default()
                ),
            )],
            ..NativeFacts::default()
        },
    };
    if facts.imports.len() >= MAX_SYMBOLS {
        facts.anomalies.push(Anomaly::new(
            "elf.symbols_capped",
            location,
            format!("more than {MAX_SYMBOLS} dynamic symbols; the rest were not read"),
        ));
    }
    let (strings, capped) = printable_strings(bytes);
    facts.strings = strings;
    if capped {
        facts.anomalies.push(Anomaly::new(
            "elf.strings_capped",
            location,
            format!("more than {MAX_STRINGS} strings; the rest were not read"),
        ));
    }
    Ok(facts)
}

fn symbols_of(bytes: &[u8]) -> Result<NativeFacts, String> {
    let elf = Elf::parse(bytes).map_err(|err| err.to_string())?;
    let mut facts = NativeFacts {
        machine: goblin::elf::header::machine_to_str(elf.header.e_machine).to_owned(),
        is_64: elf.is_64,
        needed: elf
            .libraries
            .iter()
            .map(|name| (*name).to_owned())
            .collect(),
        ..NativeFacts::default()
    };
    for sym in elf.dynsyms.iter().take(MAX_SYMBOLS) {
        let Some(name) = elf.dynstrtab.get_at(sym.st_name) else {
            continue;
        };
        if name.is_empty() {
            continue;
        }
        if sym.is_import() {
            facts.imports.push(name.to_owned());
        } else if name.starts_with("Java_") || name == "JNI_OnLoad" {
            facts.jni_exports.push(name.to_owned());
        }
    }
    for list in [
        &mut facts.needed,
        &mut facts.imports,
        &mut facts.jni_exports,
    ] {
        list.sort();
        list.dedup();
    }
    Ok(facts)
}

/// Printable ASCII runs (like `strings -n 6`), sorted and deduplicated, with whether the cap was hit.
fn printable_strings(bytes: &[u8]) -> (Vec<String>, bool) {
    let mut found = Vec::new();
    let mut start = None;
    let mut capped = false;
    for (index, &byte) in bytes.iter().enumerate() {
        let printable = (0x20..0x7f).contains(&byte) || byte == b'\t';
        match (printable, start) {
            (true, None) => start = Some(index),
            (false, Some(begin)) => {
                push_run(&bytes[begin..index], &mut found);
                start = None;
                if found.len() >= MAX_STRINGS {
                    capped = true;
                    break;
                }
            }
            _ => {}
        }
    }
    if let (Some(begin), false) = (start, capped) {
        push_run(&bytes[begin..], &mut found);
    }
    found.sort();
    found.dedup();
    (found, capped)
}

fn push_run(run: &[u8], found: &mut Vec<String>) {
    if run.len() >= MIN_STRING_LEN {
        let kept = &run[..run.len().min(MAX_STRING_LEN)];
        // Only printable ASCII reaches here, so this conversion cannot fail.
        found.push(String::from_utf8_lossy(kept).into_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_elf_is_a_typed_error() {
        assert!(matches!(
            read_elf(b"PK\x03\x04", "x.so"),
            Err(NativeError::NotElf { .. })
        ));
        assert!(matches!(
            read_elf(b"", "x.so"),
            Err(NativeError::NotElf { .. })
        ));
    }

    #[test]
    fn truncated_and_flipped_elf_never_panics() {
        // A minimal 64-bit ELF header that claims far more program and section headers than exist.
        let mut header = vec![0u8; 64];
        header[..4].copy_from_slice(b"\x7fELF");
        header[4] = 2; // 64-bit
        header[5] = 1; // little endian
        header[6] = 1;
        header[16] = 3; // ET_DYN
        header[18] = 62; // x86_64
        header[32..40].copy_from_slice(&64u64.to_le_bytes()); // e_phoff
        header[40..48].copy_from_slice(&u64::MAX.to_le_bytes()); // e_shoff
        header[54..56].copy_from_slice(&56u16.to_le_bytes());
        header[56..58].copy_from_slice(&u16::MAX.to_le_bytes()); // e_phnum
        header[58..60].copy_from_slice(&64u16.to_le_bytes());
        header[60..62].copy_from_slice(&u16::MAX.to_le_bytes()); // e_shnum
        for len in 0..header.len() {
            let _ = read_elf(&header[..len], "x.so");
        }
        let _ = read_elf(&header, "x.so");
    }

    #[test]
    fn strings_are_runs_of_six_or_more() {
        let (strings, capped) = printable_strings(b"\0short\0https://a.example.net/x\0\x01abcdef");
        assert!(!capped);
        assert_eq!(
            strings,
            vec!["abcdef".to_owned(), "https://a.example.net/x".to_owned()]
        );
    }
}
